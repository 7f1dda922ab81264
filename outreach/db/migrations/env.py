"""Alembic environment: migrations run on the engine Outreach hands in.

On SQLite, foreign keys are switched off while migrations run (they cannot be switched
inside a transaction, so this happens before it begins): a batch migration copies a table
and drops the old one, and with foreign keys on, that drop would delete or refuse every
row that refers to it. The keys are checked once the migration committed, then switched
back on.
"""

from alembic import context
from sqlalchemy import Engine

from outreach.db.base import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations with `outreach db upgrade` (outreach.db.session.upgrade)")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.dbapi_connection if sqlite else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=sqlite)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if raw is not None:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
