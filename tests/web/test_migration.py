"""Migration 0005 adds who signed on the web form to `sign_on`, keeping every row."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from outreach.db.base import Base
from outreach.db.session import alembic_config, make_engine, upgrade


def test_upgrading_to_0005_keeps_sign_ons_and_adds_the_signer(database_url: str) -> None:
    engine = make_engine(database_url)
    at = "'2026-12-01 00:00:00'"
    try:
        command.upgrade(alembic_config(engine), "0004")
        with engine.begin() as conn:
            conn.execute(text(
                f"INSERT INTO campaign (id, slug, title, created_at) VALUES (1, 'c', 'C', {at})"))
            conn.execute(text(
                "INSERT INTO letter_version (id, campaign_id, number, text, sha256, summary, "
                f"diff, draft_url, published_at) VALUES (1, 1, 1, 't', 's', '', '', 'u', {at})"))
            conn.execute(text(
                "INSERT INTO sign_on (id, campaign_id, name_as_listed, sort_name, signer_type, "
                "letter_version_id, evidence_kind, decided_by, signed_at) VALUES (1, 1, "
                f"'Friends', 'Friends', 'organization', 1, 'reply', 'classifier', {at})"))
        upgrade(engine)
        with engine.begin() as conn:
            assert conn.execute(text(
                "SELECT name_as_listed, signer_name, signer_title FROM sign_on")).one() == (
                "Friends", None, None)
            conn.execute(text("UPDATE sign_on SET signer_name = 'Ana', signer_title = 'Chair'"))
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
        command.downgrade(alembic_config(engine), "0004")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name_as_listed FROM sign_on")).scalar() == "Friends"
    finally:
        engine.dispose()
