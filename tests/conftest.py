"""Shared fixtures: both databases, a real SMTP server on loopback, the example campaign.

Real servers only. Where one is missing the tests that need it skip with the reason,
except under CI (CI=true), where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from outreach.app import App, open_app
from outreach.resources import bundled
from outreach.settings import Settings, load_settings
from tests.smtpserver import SmtpServer

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("OUTREACH_TEST_POSTGRES_URL")
SECRET = "test-secret-key-not-for-production"
# A Tuesday morning in the example campaign's time zone (America/Los_Angeles).
NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def need(what: str, why: str) -> None:
    """Skip for a missing server, or fail under CI where every server must be there."""
    message = f"{what} is not available: {why}"
    if ON_CI:
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema in the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outreach.db'}"
        return
    if not POSTGRES_URL:
        need("PostgreSQL", "OUTREACH_TEST_POSTGRES_URL is not set")
    assert POSTGRES_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        need("PostgreSQL", f"{POSTGRES_URL}: {exc}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A copy of the example config (server file, campaign, letter, targets CSV)."""
    target = tmp_path / "config"
    shutil.copytree(bundled("config"), target)
    return target


def make_settings(config_dir: Path, database_url: str, smtp_port: int = 25,
                  **overrides: str) -> Settings:
    environ = {"OUTREACH_SECRET_KEY": SECRET, "OUTREACH_DATABASE_URL": database_url}
    settings = load_settings(config_dir / "outreach.toml", environ)
    settings.smtp.port = smtp_port
    settings.smtp.security = "none"
    settings.smtp.username = None
    settings.rates.global_per_second = 10_000
    settings.rates.per_domain_per_minute = 1_000_000
    settings.outbox.backoff_base_seconds = 60
    return settings


@pytest.fixture
def app(campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> Iterator[App]:
    application = open_app(make_settings(campaign_dir, database_url, smtp_server.port))
    yield application
    application.close()


@pytest.fixture
def factory(app: App) -> sessionmaker[Session]:
    return app.factory


@pytest.fixture
def asked(app: App, smtp_server: SmtpServer) -> App:
    """The example campaign imported and every ask (letter version 1) sent."""
    from outreach.campaign import jobs
    from tests.helpers import load_example, send_due  # helpers import this module

    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    return app


from tests.dovecot import DOVECOT, Dovecot  # noqa: E402 (appended with its fixture)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A real Dovecot IMAP server on loopback with one user and an empty mailbox."""
    if not DOVECOT.exists():
        need("Dovecot", f"{DOVECOT} is not installed (Debian package dovecot-imapd)")
    with Dovecot() as server:
        yield server
