"""A fresh app and database for every test.

Without ``TEST_DATABASE_URL`` each test gets its own SQLite file, copied from one migrated once
per run. With it, the run creates a uniquely named database on that server, migrates it with
Alembic, empties every table after each test, and drops the database at the end.
"""
import shutil
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from tests.databases import create_server_database, drop_server_database, server_url
from zcps import create_app
from zcps.database import upgrade_to_head
from zcps.extensions import db

TEST_SECRET = "test-secret-key"


def app_config(tmp_path: Path, database_uri: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SMS_BACKEND": "file",
        "SMS_FILE": str(tmp_path / "sms.jsonl"),
        "SECRET_KEY": TEST_SECRET,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # Cheap hashes keep the suite fast; production keeps Werkzeug's scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """One database at the head revision for the whole run (a template file for SQLite)."""
    base = server_url()
    workdir = tmp_path_factory.mktemp("template")
    if base is None:
        uri = f"sqlite:///{workdir / 'template.sqlite3'}"
    else:
        uri = create_server_database(base)
    app = create_app(app_config(workdir, uri))
    with app.app_context():
        upgrade_to_head()
        db.engine.dispose()
    yield uri
    if base is not None:
        drop_server_database(uri, base)


@pytest.fixture
def app_factory(tmp_path, migrated_database):
    """Build an app on the test's clean database; extra config may be given per test."""
    apps = []
    if server_url() is None:
        template = Path(migrated_database.removeprefix("sqlite:///"))
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(template, target)
        uri = f"sqlite:///{target}"
    else:
        uri = migrated_database

    def build(**extra):
        app = create_app(app_config(tmp_path, uri, **extra))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield build

    for position, app in enumerate(apps):
        with app.app_context():
            db.session.remove()
            if position == 0 and server_url() is not None:
                # The run's one server database: leave it empty for the next test.
                with db.engine.begin() as connection:
                    for table in reversed(db.metadata.sorted_tables):
                        connection.execute(table.delete())
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, like a real server.

    The test body keeps an app context (and a database session) of its own. Around each
    request that session is committed, so what the test made is visible to the request and
    what the request changed is visible to the test afterwards (a new transaction).
    """

    def open(self, *args, **kwargs):
        outer = has_app_context()
        if outer:
            db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer:
            db.session.commit()
        return response


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_client(app):
    """A further independent browser (its own cookies), e.g. a second unit's officer."""
    return app.test_client


@pytest.fixture
def clock():
    """Move the system's clock (``zcps.clock``): today's date and every timestamp follow;
    the calendar stays as it is.

    Starts on Tuesday 2026-09-29 (10:00 Beijing time); call it with a date to move it.
    """
    from datetime import date

    from zcps import clock as system_clock

    system_clock.set(date(2026, 9, 29))
    yield system_clock.set
    system_clock.reset()
