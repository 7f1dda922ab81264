"""Server settings: `config/outreach.toml`, overridden by the environment; secrets only from it.

Paths in the file (the campaigns, lists, templates, Maildir and public page folders, and a SQLite
database) are relative to the file's folder, wherever the command runs. A command that
finds no config file says where it looked instead of running on defaults.

Environment variables:
  OUTREACH_CONFIG         path of the server config file (default: config/outreach.toml)
  OUTREACH_DATABASE_URL   overrides [database].url (a relative SQLite path in it is
                          relative to the current directory)
  OUTREACH_SECRET_KEY     key that signs reply-address tokens (required to send)
  OUTREACH_SMTP_PASSWORD  SMTP password, when [smtp].username is set
  OUTREACH_IMAP_PASSWORD  IMAP password
  OUTREACH_DKIM_KEY_FILE  overrides [dkim].key_file (the PEM private key that signs mail)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from outreach.configfile import read_toml, validate
from outreach.errors import OutreachError

DEFAULT_CONFIG = Path("config/outreach.toml")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Section):
    # A relative SQLite path is relative to the config file's folder.
    url: str = "sqlite:///outreach.db"


class SmtpSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    timeout_seconds: float = Field(default=30, gt=0)
    connections: int = Field(default=4, ge=1, le=50)
    in_flight: int = Field(default=100, ge=1, le=1000)
    messages_per_connection: int = Field(default=100, ge=1)
    validate_certs: bool = True


class ImapSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=143, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    folders: list[str] = ["INBOX"]
    timeout_seconds: float = Field(default=60, gt=0)
    # The mailbox is never modified unless one of these is set.
    flag: str | None = Field(default=None, description="flag processed mail, e.g. \\Seen")
    move_to: str | None = Field(default=None, description="move processed mail to this folder")


class MailboxSettings(Section):
    """Where replies arrive: an IMAP account, a Maildir beside the daemon, or nowhere yet."""

    source: Literal["imap", "maildir", "none"] = "none"
    maildir: Path | None = None
    poll_seconds: float = Field(default=20, gt=0, description="IDLE or poll this often")
    # The authserv-id of the receiving server whose Authentication-Results we believe (our
    # own MX); headers naming any other server were written by the sender and prove nothing.
    trusted_authserv_id: str | None = None

    @model_validator(mode="after")
    def _maildir_needs_a_path(self) -> MailboxSettings:
        if self.source == "maildir" and self.maildir is None:
            raise ValueError("source = \"maildir\" needs maildir = \"path/to/Maildir\"")
        return self


class SenderSettings(Section):
    name: str = "Outreach"
    address: str = "outreach@example.org"
    reply_domain: str = "example.org"
    reply_local_part: str = "reply"
    postal_address: str = ""

    @field_validator("address")
    @classmethod
    def _has_at(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("must be an email address")
        return value


class PublicSettings(Section):
    base_url: str = "http://localhost:8000"
    # Where the daemon keeps each campaign's public page (a folder per campaign slug).
    out_dir: Path | None = None


class RateSettings(Section):
    global_per_second: float = Field(default=10, gt=0)
    per_domain_per_minute: float = Field(default=60, gt=0)


class OutboxSettings(Section):
    lease_seconds: float = Field(default=300, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_seconds: float = Field(default=60, gt=0)
    backoff_max_seconds: float = Field(default=6 * 3600, gt=0)
    # Processes that write the messages of a backlog (a claimed page as large as
    # [smtp] in_flight) while the page before it is on the wire; 0 writes every message in
    # the claim, as a trickle always is. Worth it with more than one core.
    compose_processes: int = Field(default=1, ge=0)


class DaemonSettings(Section):
    drain_interval_seconds: float = Field(default=5, gt=0)
    plan_interval_seconds: float = Field(default=60, gt=0)


class WebSettings(Section):
    """The web app (`outreach web`): sign links, one-click unsubscribe, draft links, the
    public page. Its public address is [public] base_url."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Also serve it from `outreach run` (one process for a small installation).
    with_daemon: bool = False
    # Form posts allowed per client address and per token in any minute.
    posts_per_minute: int = Field(default=20, ge=1)


class DkimSettings(Section):
    """DKIM signing of outgoing mail; off until a selector and a key are set. The private
    key is read from `key_file` or $OUTREACH_DKIM_KEY_FILE (a PEM file), never from here."""

    selector: str | None = None
    # The signing domain (d=); by default the domain of [sender] address.
    domain: str | None = None
    key_file: Path | None = None


class Settings(Section):
    database: DatabaseSettings = DatabaseSettings()
    smtp: SmtpSettings = SmtpSettings()
    imap: ImapSettings = ImapSettings()
    mailbox: MailboxSettings = MailboxSettings()
    sender: SenderSettings = SenderSettings()
    public: PublicSettings = PublicSettings()
    rates: RateSettings = RateSettings()
    outbox: OutboxSettings = OutboxSettings()
    daemon: DaemonSettings = DaemonSettings()
    web: WebSettings = WebSettings()
    dkim: DkimSettings = DkimSettings()
    campaigns_dir: Path = Path("campaigns")
    # The coalition mailing lists, one `<name>.toml` each.
    lists_dir: Path = Path("lists")
    templates_dir: Path | None = None

    # Filled from the environment, never from the file.
    secret_key: str | None = Field(default=None, exclude=True)
    smtp_password: str | None = Field(default=None, exclude=True)
    imap_password: str | None = Field(default=None, exclude=True)

    def require_secret_key(self) -> bytes:
        if not self.secret_key:
            raise OutreachError(
                "OUTREACH_SECRET_KEY is not set: it signs the tokens in reply addresses. "
                "Set it to a long random string (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`) and keep it the same across restarts."
            )
        return self.secret_key.encode()


SECRET_FIELDS = ("secret_key", "smtp_password", "imap_password")


def find_config(path: Path | None, env: dict[str, str]) -> Path:
    """The server config file: `path`, else $OUTREACH_CONFIG, else config/outreach.toml in
    the current directory; an error that says where it looked when there is none."""
    if path is not None:
        return path
    if env.get("OUTREACH_CONFIG"):
        return Path(env["OUTREACH_CONFIG"])
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise OutreachError(
        f"no server config file: {DEFAULT_CONFIG.absolute()} does not exist and "
        "OUTREACH_CONFIG is not set. Run the command from the folder that holds "
        "config/outreach.toml, or name the file with --config FILE or OUTREACH_CONFIG "
        "(the database it names is found beside it)")


def database_beside(url: str, folder: Path) -> str:
    """`url` with a relative SQLite path made relative to `folder`; any other URL as it is."""
    from sqlalchemy.engine import make_url  # not at import: `outreach classify` needs none
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # not a URL: connecting says so
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:") or Path(database).is_absolute():
        return url
    return parsed.set(database=str(folder / database)).render_as_string(hide_password=False)


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Settings from `path` (or $OUTREACH_CONFIG, or config/outreach.toml), then the
    environment."""
    env = dict(os.environ if environ is None else environ)
    path = find_config(path, env)
    data = read_toml(path)
    for field in SECRET_FIELDS:
        if field in data:
            raise OutreachError(
                f"{path}: {field} must not be in a file; set OUTREACH_{field.upper()} instead"
            )
    settings = validate(Settings, data, path)
    base = path.absolute().parent
    settings.database.url = database_beside(settings.database.url, base)
    if not settings.campaigns_dir.is_absolute():
        settings.campaigns_dir = base / settings.campaigns_dir
    if not settings.lists_dir.is_absolute():
        settings.lists_dir = base / settings.lists_dir
    if settings.templates_dir is not None and not settings.templates_dir.is_absolute():
        settings.templates_dir = base / settings.templates_dir
    if settings.public.out_dir is not None and not settings.public.out_dir.is_absolute():
        settings.public.out_dir = base / settings.public.out_dir
    if env.get("OUTREACH_DKIM_KEY_FILE"):
        settings.dkim.key_file = Path(env["OUTREACH_DKIM_KEY_FILE"])
    elif settings.dkim.key_file is not None and not settings.dkim.key_file.is_absolute():
        settings.dkim.key_file = base / settings.dkim.key_file
    if settings.mailbox.maildir is not None and not settings.mailbox.maildir.is_absolute():
        settings.mailbox.maildir = base / settings.mailbox.maildir
    if env.get("OUTREACH_DATABASE_URL"):
        settings.database.url = env["OUTREACH_DATABASE_URL"]
    settings.secret_key = env.get("OUTREACH_SECRET_KEY") or None
    settings.smtp_password = env.get("OUTREACH_SMTP_PASSWORD") or None
    settings.imap_password = env.get("OUTREACH_IMAP_PASSWORD") or None
    return settings
