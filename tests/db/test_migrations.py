"""Migrations build the schema the models describe, on both databases, and re-run safely."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from outreach.db.session import alembic_config, make_engine, upgrade
from outreach.schema import Base


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


def test_upgrading_a_populated_0002_database_moves_every_mail_row(database_url: str) -> None:
    """0003 replaces the campaign columns of the mail tables with generic references and
    moves each value: no row and no link is lost, on either database."""
    engine = make_engine(database_url)
    try:
        command.upgrade(alembic_config(engine), "0002")
        at = "'2026-12-01 00:00:00'"
        with engine.begin() as conn:
            for statement in [
                f"INSERT INTO campaign (id, slug, title, created_at) VALUES (1, 'c', 'C', {at})",
                "INSERT INTO letter_version (id, campaign_id, number, text, sha256, summary, "
                f"diff, draft_url, published_at) VALUES (7, 1, 1, 't', 's', '', '', 'u', {at})",
                "INSERT INTO organization (id, key, name, sort_name, size, tags, "
                "needs_parent_approval, created_at, updated_at) "
                f"VALUES (1, 'o', 'O', 'O', 'small', '[]', false, {at}, {at})",
                "INSERT INTO contact (id, organization_id, name, first_name, email, "
                "is_decision_maker, suppression, created_at, updated_at) "
                f"VALUES (1, 1, 'A', 'A', 'a@o.example', false, 'none', {at}, {at})",
                "INSERT INTO target (id, campaign_id, organization_id, contact_id, state, "
                "state_changed_at, priority, emails_sent, created_at) "
                f"VALUES (5, 1, 1, 1, 'asked', {at}, 0, 1, {at})",
                "INSERT INTO outbox_message (id, message_id, kind, recipient, target_id, "
                "payload, letter_version_id, status, priority, not_before, attempts, "
                f"created_at) VALUES (1, '<a@x>', 'ask', 'a@o.example', 5, '{{}}', 7, 'sent', "
                f"0, {at}, 1, {at})",
                "INSERT INTO outbox_message (id, message_id, kind, recipient, payload, status, "
                "priority, not_before, attempts, created_at) VALUES (2, '<b@x>', "
                f"'task_digest', 'm@x.example', '{{}}', 'pending', 0, {at}, 0, {at})",
                "INSERT INTO inbound_message (id, message_id, folder, raw, sha256, status, "
                "received_at, kind, intent, target_id) VALUES (1, '<r@o>', 'INBOX', "
                f"'x', 'h', 'processed', {at}, 'human', 'sign_on', 5)",
                "INSERT INTO sign_on (id, campaign_id, target_id, organization_id, "
                "name_as_listed, sort_name, signer_type, letter_version_id, evidence_kind, "
                "inbound_message_id, decided_by, signed_at) VALUES (1, 1, 5, 1, 'O', 'O', "
                f"'organization', 7, 'reply', 1, 'classifier', {at})",
                "INSERT INTO signer_notice (id, campaign_id, sign_on_id, kind, about, "
                "letter_version_id, requires_reconfirmation, resolves_their_request, "
                f"respond_by, outbox_message_id, created_at) VALUES (1, 1, 1, 'change', "
                f"'version:7', 7, false, false, {at}, 2, {at})",
            ]:
                conn.execute(text(statement))
        upgrade(engine)
        with engine.connect() as conn:
            outbox = conn.execute(text(
                "SELECT id, about_kind, about_id FROM outbox_message ORDER BY id")).all()
            assert [tuple(r) for r in outbox] == [(1, "target", 5), (2, None, None)]
            assert [tuple(r) for r in conn.execute(text(
                "SELECT outbox_message_id, letter_version_id FROM mail_letter"))] == [(1, 7)]
            inbound = conn.execute(text(
                "SELECT about_kind, about_id, outcome, attempts, route FROM inbound_message"
            )).one()
            assert tuple(inbound) == ("target", 5, "sign_on", 0, None)
            assert conn.execute(text("SELECT outbox_message_id FROM signer_notice")).scalar() == 2
            assert conn.execute(text("SELECT inbound_message_id FROM sign_on")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM target")).scalar() == 1
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
    finally:
        engine.dispose()


def test_upgrading_to_0004_files_sort_names_again_and_finds_greetings_past_titles(
        database_url: str) -> None:
    """0004 recomputes the sort names the old article rule made ("Leadership Counsel" as
    "adership Counsel"), keeps those an organizer chose, renames contact.first_name to
    greeting_name and finds the greetings the old import took from a title ("Dr.")."""
    engine = make_engine(database_url)
    at = "'2026-12-01 00:00:00'"
    organizations = [  # id, name, sort name as stored before 0004, sort name after
        (1, "Leadership Counsel", "adership Counsel", "Leadership Counsel"),
        (2, "Les Amis de la Terre", "s Amis de la Terre", "Amis de la Terre"),
        (3, "The Sierra Club", "Sierra Club", "Sierra Club"),
        (4, "Latino Community Foundation", "Latino Foundation",  # chosen: stays
         "Latino Foundation"),
        (5, "Legal Aid", "gal Aid", "Legal Aid"),
        (6, "L'Arche", "Arche", "Arche"),
        (7, "El Concilio", "Concilio", "Concilio"),
        (8, "Elders Circle", "ders Circle", "Elders Circle"),
    ]
    contacts = [  # id, name, first_name before 0004, greeting_name after
        (1, "Dr. Priya Raman", "Dr.", "Priya"),
        (2, "Sra. Lupe García", "Lupe", "Lupe"),  # given in the CSV: stays
        (3, "Ana Ruiz", "Ana", "Ana"),
        (4, "Mme Dubois", "Mme", "Mme Dubois"),
        (5, "Rev. Dr. Martin Ortiz", "Doc", "Doc"),  # given: stays
    ]
    try:
        command.upgrade(alembic_config(engine), "0003")
        with engine.begin() as conn:
            conn.execute(text(
                f"INSERT INTO campaign (id, slug, title, created_at) VALUES (1, 'c', 'C', {at})"))
            conn.execute(text(
                "INSERT INTO letter_version (id, campaign_id, number, text, sha256, summary, "
                f"diff, draft_url, published_at) VALUES (1, 1, 1, 't', 's', '', '', 'u', {at})"))
            for org_id, name, sort_name, _ in organizations:
                conn.execute(text(
                    "INSERT INTO organization (id, key, name, sort_name, size, tags, "
                    "needs_parent_approval, created_at, updated_at) VALUES (:id, :key, :name, "
                    f":sort_name, 'small', '[]', false, {at}, {at})"),
                    {"id": org_id, "key": name.lower(), "name": name, "sort_name": sort_name})
                conn.execute(text(
                    "INSERT INTO sign_on (id, campaign_id, organization_id, name_as_listed, "
                    "sort_name, signer_type, letter_version_id, evidence_kind, decided_by, "
                    "signed_at) VALUES (:id, 1, :id, :name, :sort_name, 'organization', 1, "
                    f"'phone', 'organizer:ana', {at})"),
                    {"id": org_id, "name": name, "sort_name": sort_name})
            for contact_id, name, first_name, _ in contacts:
                conn.execute(text(
                    "INSERT INTO contact (id, organization_id, name, first_name, email, "
                    "is_decision_maker, suppression, created_at, updated_at) VALUES (:id, 1, "
                    f":name, :first_name, :email, false, 'none', {at}, {at})"),
                    {"id": contact_id, "name": name, "first_name": first_name,
                     "email": f"c{contact_id}@x.example"})
        upgrade(engine)
        with engine.connect() as conn:
            expected = {org_id: after for org_id, _, _, after in organizations}
            for table in ("organization", "sign_on"):
                assert dict(conn.execute(text(f"SELECT id, sort_name FROM {table}")).all()) \
                    == expected, table
            assert dict(conn.execute(text("SELECT id, greeting_name FROM contact")).all()) \
                == {contact_id: after for contact_id, _, _, after in contacts}
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
    finally:
        engine.dispose()
