"""Plain executemany writes for planning passes: no ORM unit-of-work per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from outreach.db.base import Base


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row; rows with the same keys go in one executemany."""
    table = _table(model)
    for keys, group in _by_keys(rows).items():
        session.execute(insert(table).values({k: bindparam(k) for k in keys}), group)


def update_by_id(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE each row by its "id"; rows setting the same columns go in one executemany."""
    table = _table(model)
    for keys, group in _by_keys(rows).items():
        columns = [k for k in keys if k != "id"]
        statement = (update(table).where(table.c.id == bindparam("_id"))
                     .values({k: bindparam(f"_{k}") for k in columns}))
        session.execute(statement, [{f"_{k}": v for k, v in row.items()} for row in group])


def _by_keys(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return groups
