"""the coalition mailing list: members, confirmations, posts, moderators' acts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:00:00

Tables of `outreach.lists`: `list_member` (who is on which list, and who once was),
`list_request` (join and leave requests waiting for the address to confirm), `list_post`
(what became of each message sent to a list) and `list_moderation_action` (the log of
every moderator's act).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outreach.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "list_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("join", "leave", name="requestkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.Column("done_at", outreach.db.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "list_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=60), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("poster", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "accepted",
                "rejected",
                "discarded",
                "dropped",
                name="poststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", outreach.db.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", outreach.db.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.Column("distributed_at", outreach.db.types.UTCDateTime(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_name", "inbound_message_id"),
        sa.UniqueConstraint("token_digest"),
    )
    op.create_index("ix_list_post_status", "list_post", ["list_name", "status"], unique=False)
    op.create_table(
        "list_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "subscribed", "unsubscribed", name="memberstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "delivery",
            sa.Enum("all", "none", name="delivery", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("moderated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("subscribed_at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.Column("unsubscribed_at", outreach.db.types.UTCDateTime(), nullable=True),
        sa.Column("unsubscribed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_name", "address"),
    )
    op.create_index(op.f("ix_list_member_contact_id"), "list_member", ["contact_id"], unique=False)
    op.create_index(
        "ix_list_member_delivery", "list_member", ["list_name", "status", "delivery"], unique=False
    )
    op.create_table(
        "list_moderation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("list_name", sa.String(length=60), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("at", outreach.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["list_post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_list_moderation_action_post_id"),
        "list_moderation_action",
        ["post_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_list_moderation_action_post_id"), table_name="list_moderation_action")
    op.drop_table("list_moderation_action")
    op.drop_index("ix_list_member_delivery", table_name="list_member")
    op.drop_index(op.f("ix_list_member_contact_id"), table_name="list_member")
    op.drop_table("list_member")
    op.drop_index("ix_list_post_status", table_name="list_post")
    op.drop_table("list_post")
    op.drop_table("list_request")
