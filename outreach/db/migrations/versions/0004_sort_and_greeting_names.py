"""sort names by whole-word articles; a contact's greeting name

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10 09:00:00

- `organization.sort_name` and `sign_on.sort_name`: the old rule stripped a leading "the",
  "la", "le", "les", "el", "los", "las" or "l'" with no word boundary, so "Leadership
  Counsel" sorted as "adership Counsel" and "Les Amis de la Terre" as "s Amis de la
  Terre". A sort name that is what the old rule made of the name gets the one today's
  rule makes (`outreach.people.organizations.default_sort_name`); a sort name an organizer
  chose stays as it is.
- `contact.first_name` becomes `contact.greeting_name`. A greeting the old import took
  from the first word of the contact's name ("Dr." for "Dr. Priya Raman") is found again
  past honorifics ("Priya", `outreach.people.names.greeting_name`); one given in the CSV
  stays.
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from outreach.people.names import greeting_name
from outreach.people.organizations import default_sort_name

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rule before this revision, kept here to recognise the sort names it made.
_OLD_LEADING_ARTICLE = re.compile(r"^(the|la|le|les|el|los|las|l')\s*", re.IGNORECASE)


def _old_sort_name(name: str) -> str:
    stripped = _OLD_LEADING_ARTICLE.sub("", name.strip(), count=1)
    return stripped or name.strip()


def _old_greeting(name: str) -> str:
    words = name.split()
    return words[0] if words else ""


def _recompute(table: str, column: str, source: str, old: Callable[[str], str],
               new: Callable[[str], str]) -> None:
    """Set `column` to `new(source)` in every row where it holds `old(source)`."""
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.String),
                    sa.column(source, sa.String))
    conn = op.get_bind()
    changed = [{"row_id": row_id, "value": new(name)}
               for row_id, value, name in conn.execute(
                   sa.select(rows.c.id, rows.c[column], rows.c[source]))
               if value == old(name) and new(name) != value]
    if changed:
        conn.execute(rows.update().where(rows.c.id == sa.bindparam("row_id"))
                     .values({column: sa.bindparam("value")}), changed)


def upgrade() -> None:
    _recompute("organization", "sort_name", "name", _old_sort_name, default_sort_name)
    _recompute("sign_on", "sort_name", "name_as_listed", _old_sort_name, default_sort_name)
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("first_name", new_column_name="greeting_name",
                              existing_type=sa.String(length=200), existing_nullable=False)
    _recompute("contact", "greeting_name", "name", _old_greeting, greeting_name)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("greeting_name", new_column_name="first_name",
                              existing_type=sa.String(length=200), existing_nullable=False)
