"""a row in flight after a crash was resent: a third encounter goes to a person

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:00:00

`outbox_message.resent_at`: when a sender that took a row again after its lease ran out
handed it to SMTP. A row found in flight once more after that may have gone out twice or
not at all, so it fails as uncertain (its kind's failure hook asks a person) instead of
being sent a third time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import outreach.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("resent_at", outreach.db.types.UTCDateTime(),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("resent_at")
