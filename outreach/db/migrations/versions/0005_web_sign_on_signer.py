"""who signed on the web form: the signer's name and title

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 04:00:00

A sign-on made on the web form (`outreach.web.signing`) keeps, beside the name listed, the
name and title the person who signed typed. Both are empty for sign-ons made before and
for those made by reply, phone or an organizer's decision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_on", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signer_title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sign_on", schema=None) as batch_op:
        batch_op.drop_column("signer_title")
        batch_op.drop_column("signer_name")
