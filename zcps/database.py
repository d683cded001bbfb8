"""Bringing a database to the current schema; inserting a row once whatever the database."""
import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError


def upgrade_to_head() -> None:
    """Apply every Alembic migration (``flask db upgrade``) inside the current app context."""
    upgrade(directory=current_app.extensions["migrate"].directory)


def schema_filter(dialect_name: str):
    """Alembic's ``include_object`` for comparing the models with a database of
    ``dialect_name``: an index the models create only on another database (``ddl_if``, such as
    PostgreSQL's search indexes) is not expected there."""

    def include(obj, name, type_, reflected, compare_to):
        condition = getattr(obj, "_ddl_if", None)
        if type_ != "index" or reflected or condition is None or condition.dialect is None:
            return True
        wanted = condition.dialect
        return dialect_name in ((wanted,) if isinstance(wanted, str) else tuple(wanted))

    return include


def insert_once(session, table, row: dict, key) -> bool:
    """Insert ``row`` unless a row with the same ``key`` columns (a unique key) is there;
    True when this call inserted it. Two transactions inserting the same key at once: on
    PostgreSQL the second waits for the first's commit and then inserts nothing; on MySQL and
    MariaDB its duplicate key error rolls back a savepoint. Any other error is raised."""
    dialect = session.get_bind().dialect.name
    # ON CONFLICT DO NOTHING where there is one; on SQLite a savepoint would not do: pysqlite
    # opens no transaction before SAVEPOINT, so its release would commit.
    if dialect in ("postgresql", "sqlite"):
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        inserted = session.execute(insert.values(row).on_conflict_do_nothing(
            index_elements=list(key)).returning(table.c[key[0]])).first()
        return inserted is not None
    # MySQL and MariaDB have no ON CONFLICT DO NOTHING (INSERT IGNORE would also swallow other
    # errors than the duplicate key).
    try:
        with session.begin_nested():
            session.execute(sa.insert(table).values(row))
    except IntegrityError:
        return False
    return True
