"""Bringing a database to the current schema; inserting a row once whatever the database;
running a transaction again when the database rolled it back because of another one."""
import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def upgrade_to_head() -> None:
    """Apply every Alembic migration (``flask db upgrade``) inside the current app context."""
    upgrade(directory=current_app.extensions["migrate"].directory)


# Indexes on expressions (models/application.py ix_application_point_waited), left out of the
# comparison of the models with a database.
EXPRESSION_INDEXES = frozenset({"ix_application_point_waited"})


def schema_filter(dialect_name: str):
    """Alembic's ``include_object`` for comparing the models with a database of
    ``dialect_name``: an index the models create only on another database (``ddl_if``, such as
    PostgreSQL's search indexes) is not expected there."""

    def include(obj, name, type_, reflected, compare_to):
        # An index on expressions comes back from PostgreSQL in its own words (casts added) and
        # would always look changed: the migration creates it, a test checks the plan uses it.
        if type_ == "index" and name in EXPRESSION_INDEXES:
            return False
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


# --- transactions that lost a race for locks ------------------------------------------------

# PostgreSQL's SQLSTATEs for a transaction the server rolled back to end a lock cycle or a
# serialization conflict; MySQL's and MariaDB's error number for a deadlock. (A lock wait that
# ran out is not retried: waiting again would outlast the statement timeout.)
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_MYSQL_ERRORS = frozenset({1213})
COMMITTED = "zcps.database.committed"


def is_conflict(error: BaseException) -> bool:
    """Whether ``error`` is a transaction the database gave up on because of another one (a
    deadlock, a serialization failure): run again, it may well succeed."""
    if not isinstance(error, sa.exc.DBAPIError) or error.orig is None:
        return False
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate in CONFLICT_SQLSTATES:
        return True
    arguments = getattr(original, "args", ())
    return bool(arguments) and arguments[0] in CONFLICT_MYSQL_ERRORS


def retrying(work, session, *, attempts: int = 3, before_retry=None, pause: float = 0.05):
    """``work()``, run again (after a rollback, up to ``attempts`` times in all) while its
    transaction fails with a conflict (``is_conflict``). Not retried once something was
    committed during ``work`` before the failure: running it again would repeat that. The last
    conflict is raised. ``before_retry()`` puts back what the failed attempt used up."""
    import random
    import time

    for attempt in range(1, attempts + 1):
        session.info.pop(COMMITTED, None)
        try:
            return work()
        except sa.exc.DBAPIError as error:
            if not is_conflict(error) or attempt == attempts or session.info.get(COMMITTED):
                raise
            current_app.logger.warning("Transaction conflict (attempt %s of %s), retrying: %s",
                                       attempt, attempts, error.orig)
            session.rollback()
            if before_retry is not None:
                before_retry()
            # A short random pause, so the transactions that collided do not collide again.
            time.sleep(pause * attempt * (1 + random.random()))  # noqa: S311
    raise AssertionError("unreachable")


@sa.event.listens_for(Session, "after_commit")
def _note_commit(session):
    session.info[COMMITTED] = True
