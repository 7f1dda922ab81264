"""Migrations build the schema the models describe, on both databases, and re-run safely."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from outreach.db.models import Base
from outreach.db.session import alembic_config, make_engine, upgrade


def test_upgrade_is_idempotent_and_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
            tables = set(inspect(conn).get_table_names())
        assert {"campaign", "letter_version", "organization", "contact", "target",
                "target_event", "outbox_message", "inbound_message", "sign_on",
                "task"} <= tables
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_upgrading_from_0001_keeps_review_decisions(database_url: str) -> None:
    """0002 adds foreign key columns in place: copying review_item (SQLite's batch mode)
    would delete the review decisions that cascade from it."""
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO campaign (id, slug, title, created_at) "
                "VALUES (1, 'c', 'C', '2026-12-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO review_item (id, campaign_id, reason, summary, status, created_at) "
                "VALUES (1, 1, 'change_request', 'please', 'open', '2026-12-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO review_decision (review_item_id, decision, detail, decided_by,"
                " decided_at) VALUES (1, 'note', '', 'ana', '2026-12-01 00:00:00')"))
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM review_decision")).scalar() == 1
            assert conn.execute(text(
                "SELECT resolved_by_letter_version_id FROM review_item")).scalar() is None
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
    finally:
        engine.dispose()
