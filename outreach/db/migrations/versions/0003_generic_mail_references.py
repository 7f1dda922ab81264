"""mail rows point at what they are about generically; the door's route on inbound rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:40:00

The outbox and inbound tables belonged to the campaign (`target_id`, `letter_version_id`,
`intent`). They now name what a message is about as (about_kind, about_id), so other
features (the list, calls) can use the same pipes. Data moves without loss:

- outbox_message.target_id → (about_kind "target", about_id); letter_version_id → the
  campaign's own table mail_letter (outbox message → letter version it linked);
- inbound_message.target_id → (about_kind "target", about_id); intent → outcome;
  new: route (the door's decision) and attempts (failures while acting on it).

Also: public_page, the fingerprint of each campaign's public page as last built.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outreach.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_letter",
        sa.Column("outbox_message_id", sa.Integer(), nullable=False),
        sa.Column("letter_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["letter_version_id"], ["letter_version.id"]),
        sa.ForeignKeyConstraint(["outbox_message_id"], ["outbox_message.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("outbox_message_id"),
    )
    with op.batch_alter_table("mail_letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_letter_letter_version_id"),
                              ["letter_version_id"], unique=False)
    op.create_table(
        "public_page",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("built_at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id"),
    )

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_kind", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
    op.execute("UPDATE outbox_message SET about_kind = 'target', about_id = target_id "
               "WHERE target_id IS NOT NULL")
    op.execute("INSERT INTO mail_letter (outbox_message_id, letter_version_id) "
               "SELECT id, letter_version_id FROM outbox_message "
               "WHERE letter_version_id IS NOT NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_target_id"))
        batch_op.drop_column("target_id")
        batch_op.drop_column("letter_version_id")
        batch_op.create_index("ix_outbox_about", ["about_kind", "about_id"], unique=False)

    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("outcome", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("about_kind", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
    op.execute("UPDATE inbound_message SET about_kind = 'target', about_id = target_id "
               "WHERE target_id IS NOT NULL")
    op.execute("UPDATE inbound_message SET outcome = intent WHERE intent IS NOT NULL")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.alter_column("attempts", server_default=None)
        batch_op.drop_index(batch_op.f("ix_inbound_message_target_id"))
        batch_op.drop_column("target_id")
        batch_op.drop_column("intent")
        batch_op.create_index("ix_inbound_route", ["route", "status"], unique=False)
        batch_op.create_index("ix_inbound_about", ["about_kind", "about_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("0003 moves data between tables; restore a backup to go back")
