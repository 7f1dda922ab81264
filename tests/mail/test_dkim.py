"""DKIM signing: signatures that dkimpy verifies against the published key, mail that goes out
unsigned rather than not at all, and a key that cannot sign stopping the daemon and failing
`outreach check`.

Keys are made by `outreach dkim-key`'s own functions (openssl); verification reads the
public key from a stand-in for DNS that answers the record the command prints.
"""

from __future__ import annotations

import logging
import re
import stat
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import dkim
import pytest
from click.testing import CliRunner

from outreach.app import App
from outreach.campaign import jobs
from outreach.cli import main
from outreach.daemon import Daemon
from outreach.errors import OutreachError
from outreach.mail.compose import Draft, mailbox, to_bytes
from outreach.mail.direct import send_now
from outreach.mail.dkim import (
    MAX_BLANK_RUN,
    DkimSigner,
    UnsignableMessage,
    dkim_signer,
    new_key,
    public_key_record,
)
from outreach.settings import Settings
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

SELECTOR = "outreach2026"
DOMAIN = "valleywater.example"
Dns = Callable[..., bytes | None]


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One key for the module: making a 2048-bit key takes a moment."""
    path = tmp_path_factory.mktemp("dkim") / "dkim.pem"
    path.write_bytes(new_key())
    path.chmod(0o600)
    return path


def dns_for(key_file: Path, selector: str = SELECTOR, domain: str = DOMAIN) -> Dns:
    """A resolver that knows one name: the selector's record for `key_file`."""
    record = public_key_record(key_file.read_bytes()).encode()

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        return record if name == f"{selector}._domainkey.{domain}.".encode() else None

    return lookup


def signer_for(key_file: Path) -> DkimSigner:
    signer = dkim_signer(settings_with(Settings(), SELECTOR, key_file))
    assert signer is not None
    return signer


def settings_with(settings: Settings, selector: str | None, key_file: Path | None) -> Settings:
    settings.sender.address = f"maria@{DOMAIN}"
    settings.dkim.selector = selector
    settings.dkim.key_file = key_file
    return settings


def message(**headers: str) -> bytes:
    """A message as the outbox holds one, with `headers` added (underscores for hyphens)."""
    return to_bytes(Draft(
        sender=mailbox("Maria Alvarez", f"maria@{DOMAIN}"),
        to=mailbox("Ana Ruiz", "ana@river.example"), subject="Will you sign the letter?",
        text="Dear Ana,\n\nWill Friends of the River sign?\n", html="<p>Dear Ana,</p>\n",
        message_id=f"<1.2@{DOMAIN}>", date=datetime(2026, 12, 8, 18, 0),
        reply_to=mailbox("", f"reply+t1@{DOMAIN}"),
        extra_headers={name.replace("_", "-"): value for name, value in headers.items()},
    ).build())


def signed_headers(raw: bytes) -> set[str]:
    """The h= of the DKIM-Signature at the top of `raw`."""
    assert raw.startswith(b"DKIM-Signature:")
    field = raw.split(b"\r\n\r\n", 1)[0].decode()
    found = re.search(r"\bh=([^;]*);", re.sub(r"\r\n[ \t]", " ", field))
    assert found is not None
    return {name.strip() for name in found.group(1).split(":")}


UNSUBSCRIBE = {"List_Unsubscribe": "<https://valleywater.example/u/x>, <mailto:u@x.example>",
               "List_Unsubscribe_Post": "List-Unsubscribe=One-Click"}


def test_a_signed_message_verifies_against_the_published_key(key: Path) -> None:
    raw = signer_for(key).sign(message(**UNSUBSCRIBE), "a test message")

    assert dkim.verify(raw, dnsfunc=dns_for(key))
    assert signed_headers(raw) == {
        "from", "to", "subject", "date", "message-id", "reply-to", "mime-version",
        "content-type", "list-unsubscribe", "list-unsubscribe-post"}
    assert re.search(rb"\bc=relaxed/relaxed;", raw) and re.search(rb"\ba=rsa-sha256;", raw)
    assert re.search(rb"\bd=valleywater\.example;", raw)


def test_a_changed_subject_or_body_or_unsubscribe_link_fails_verification(key: Path) -> None:
    raw = signer_for(key).sign(message(**UNSUBSCRIBE), "a test message")
    assert dkim.verify(raw, dnsfunc=dns_for(key))

    for old, new in [(b"Subject: Will you sign", b"Subject: Will you pay"),
                     (b"Will Friends of the River sign?", b"Will Friends of the River pay?"),
                     (b"valleywater.example/u/x", b"evil.example/u/x")]:
        assert old in raw
        assert not dkim.verify(raw.replace(old, new), dnsfunc=dns_for(key)), old
    assert not dkim.verify(raw, dnsfunc=dns_for(key, selector="other"))


def test_relaxed_canonicalization_survives_refolding_on_the_way(key: Path) -> None:
    raw = signer_for(key).sign(message(), "a test message")
    refolded = raw.replace(b"Subject: Will you sign the letter?",
                           b"Subject:   Will you\r\n  sign the letter?")

    assert dkim.verify(refolded, dnsfunc=dns_for(key))


CRAFTED = {
    "a header folded a million times": message().replace(
        b"\r\n\r\n", b"\r\nX-Long: a" + b"\r\n b" * 10**6 + b"\r\n\r\n", 1),
    "a run of a million spaces": message().replace(b"Dear Ana,", b"Dear" + b" " * 10**6 + b"x"),
    "NUL bytes in a header and the body": message().replace(
        b"Subject: Will", b"Subject: Wi\x00ll").replace(b"Dear Ana", b"Dear\x00Ana"),
    "raw UTF-8 in a header": message().replace(b"Subject: Will you",
                                               "Subject: ¿Firmarán?".encode()),
    "a header name that is not ASCII": message().replace(b"\r\n\r\n",
                                                         "\r\nX-Ñame: x\r\n\r\n".encode(), 1),
    "a header line without a colon": message().replace(b"\r\n\r\n", b"\r\nno colon\r\n\r\n", 1),
    "a first line that continues nothing": b" folded\r\n" + message(),
    "no From": re.sub(rb"From: [^\r]*\r\n", b"", message(), count=1),
    "no header at all": b"\r\nJust a body.\r\n",
    "nothing": b"",
}


@pytest.mark.parametrize("raw", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_message_is_signed_or_goes_out_unsigned_at_once_and_whole(
        key: Path, raw: bytes, caplog: pytest.LogCaptureFixture) -> None:
    signer = signer_for(key)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="outreach.mail.dkim"):
        result = signer.sign(raw, "message <crafted@x>")
    # dkimpy alone would spend a minute or more on each of the first two.
    assert time.monotonic() - started < 5

    if result == raw:
        assert "sending message <crafted@x> without a DKIM signature" in caplog.text
    else:
        assert result.startswith(b"DKIM-Signature:") and result.endswith(raw)
        assert dkim.verify(result, dnsfunc=dns_for(key))


def test_the_bounds_that_keep_signing_linear_refuse_only_what_they_name(key: Path) -> None:
    signer = signer_for(key)
    spaces = MAX_BLANK_RUN * b" "
    within = message().replace(b"Dear Ana,", b"Dear" + spaces + b"Ana,")
    beyond = message().replace(b"Dear Ana,", b"Dear " + spaces + b"Ana,")

    assert dkim.verify(signer.sign(within, "within"), dnsfunc=dns_for(key))
    with pytest.raises(UnsignableMessage, match=f"more than {MAX_BLANK_RUN} spaces or tabs"):
        signer.signature(beyond)


# --- Settings that cannot sign ------------------------------------------------------------


def test_dkim_is_off_without_a_selector_or_a_key() -> None:
    assert dkim_signer(Settings()) is None


def test_a_key_that_cannot_sign_is_an_error_that_names_the_file(
        key: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    public = tmp_path / "public.pem"
    public.write_bytes(subprocess.run(["openssl", "pkey", "-pubout"], input=key.read_bytes(),
                                      capture_output=True, check=True).stdout)
    short = tmp_path / "short.pem"
    short.write_bytes(subprocess.run(["openssl", "genrsa", "512"], capture_output=True,
                                     check=True).stdout)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n", encoding="utf-8")
    cases: list[tuple[str | None, Path | None, str]] = [
        (SELECTOR, None, "[dkim] selector = 'outreach2026' is set but no key"),
        (None, key, f"DKIM key file {key} is set but [dkim] selector is not"),
        (SELECTOR, missing, f"DKIM key file {missing}: cannot read it: No such file"),
        (SELECTOR, tmp_path, f"DKIM key file {tmp_path}: cannot read it"),
        (SELECTOR, public, f"DKIM key file {public}: not an RSA private key in PEM form"),
        (SELECTOR, garbage, f"DKIM key file {garbage}: not an RSA private key in PEM form"),
        (SELECTOR, short, f"DKIM key file {short}: a 512-bit key is too short"),
        ("bad selector", key, "[dkim] selector 'bad selector' is not a DNS name"),
    ]
    for selector, key_file, expected in cases:
        with pytest.raises(OutreachError) as raised:
            dkim_signer(settings_with(Settings(), selector, key_file))
        assert str(raised.value).startswith(expected), (selector, key_file)


def test_a_key_written_with_crlf_line_ends_still_signs(key: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.pem"
    crlf.write_bytes(key.read_bytes().replace(b"\n", b"\r\n"))

    signer = dkim_signer(settings_with(Settings(), SELECTOR, crlf))

    assert signer is not None
    assert dkim.verify(signer.sign(message(), "a test message"), dnsfunc=dns_for(key))


def test_the_daemon_does_not_start_with_a_key_that_cannot_sign(app: App, tmp_path: Path) -> None:
    settings_with(app.settings, SELECTOR, tmp_path / "missing.pem")

    with pytest.raises(OutreachError, match=f"DKIM key file {tmp_path / 'missing.pem'}"):
        Daemon(app)


def test_check_reports_a_key_that_cannot_sign(campaign_dir: Path, database_url: str,
                                              smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    with config.open("a", encoding="utf-8") as file:
        file.write(f'[dkim]\nselector = "{SELECTOR}"\nkey_file = "missing.pem"\n')
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "clean-water")
    assert code == 0, err

    code, out, err = cli(config, database_url, "check", "clean-water")

    assert code == 1
    assert f"error: DKIM key file {campaign_dir / 'missing.pem'}: cannot read it" in err
    assert "1 problem(s)" in out


# --- Mail the daemon sends ----------------------------------------------------------------


def test_asks_the_daemon_sends_arrive_signed_and_verify(
        app: App, smtp_server: SmtpServer, key: Path) -> None:
    settings_with(app.settings, SELECTOR, key)
    load_example(app)
    queued = jobs.plan(app, NOW).plans["clean-water"].queued

    stats = send_due(app)

    assert stats.sent == queued == len(smtp_server.messages) > 0
    for received in smtp_server.messages:
        assert received.data.count(b"DKIM-Signature:") == 1
        assert dkim.verify(received.data, dnsfunc=dns_for(key))
        covered = signed_headers(received.data)
        assert {"from", "subject", "date", "message-id", "list-unsubscribe"} <= covered
        if received.message["List-Unsubscribe-Post"] is not None:
            assert "list-unsubscribe-post" in covered


def test_test_mail_sent_at_once_is_signed_too(
        app: App, smtp_server: SmtpServer, key: Path) -> None:
    settings_with(app.settings, SELECTOR, key)

    send_now(app.settings, "you@valleywater.example", [message(), message()])

    assert len(smtp_server.messages) == 2
    assert all(dkim.verify(r.data, dnsfunc=dns_for(key)) for r in smtp_server.messages)


# --- outreach dkim-key --------------------------------------------------------------------


def test_dkim_key_writes_a_private_key_and_prints_the_record_that_verifies(
        tmp_path: Path) -> None:
    out = tmp_path / "keys" / "dkim.pem"
    out.parent.mkdir()
    args = ["dkim-key", "--selector", SELECTOR, "--domain", DOMAIN, "--out", str(out)]

    result = CliRunner().invoke(main, args, catch_exceptions=False)

    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    zone_line = result.stdout.strip()
    prefix = f"{SELECTOR}._domainkey.{DOMAIN}. IN TXT "
    assert zone_line.startswith(prefix)
    strings = re.findall(r'"([^"]*)"', zone_line[len(prefix):])
    assert all(len(s) <= 255 for s in strings) and len(strings) > 1
    value = "".join(strings)
    assert value.startswith("v=DKIM1; k=rsa; p=")
    signed = signer_for(out).sign(message(), "a test message")
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: value.encode())

    key_before = out.read_bytes()
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert again.exit_code == 2
    assert f"{out} exists" in again.stderr
    assert out.read_bytes() == key_before


def test_dkim_key_takes_the_domain_from_the_server_config(
        campaign_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dkim.pem"
    result = CliRunner().invoke(
        main, ["--config", str(campaign_dir / "outreach.toml"), "dkim-key", "--selector", "s1",
               "--out", str(out)], catch_exceptions=False)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("s1._domainkey.valleywater.org. IN TXT \"v=DKIM1;")
