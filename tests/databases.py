"""Throw-away databases for tests: SQLite files, or uniquely named databases on a server."""
import os
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from zcps.config import with_driver_defaults


def server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def create_server_database(base_url: str, prefix: str = "zcps_test") -> str:
    """Create a database with a unique name next to ``base_url``; return its URL."""
    url = make_url(with_driver_defaults(base_url))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if url.get_backend_name() in ("mysql", "mariadb"):
                connection.execute(sa.text(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            else:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_server_database(database_url: str, base_url: str) -> None:
    url = make_url(database_url)
    name = url.database
    engine = sa.create_engine(make_url(with_driver_defaults(base_url)), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if url.get_backend_name() in ("mysql", "mariadb"):
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            else:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
