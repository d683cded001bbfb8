"""One app for the whole run, and an empty migrated database for every test.

What each test gets (``app``, ``client``, ``app_factory``):

- **An empty database at the head revision.** The run migrates one database with Alembic: without
  ``TEST_DATABASE_URL`` a SQLite file (kept as a template beside the working file), with it a
  uniquely named database created on that server and dropped at the end. After every test that
  used it, every session is closed and the database is made empty again: on SQLite the working
  file is restored page by page from the template (SQLite's backup API), on a server every table
  is emptied (``DELETE``, children before parents). The next test starts on it empty.
- **Its own files.** ``INSTANCE_DIR``, ``UPLOAD_DIR`` and ``SMS_FILE`` point into the test's own
  ``tmp_path`` for the length of the test.
- **A shared app.** ``create_app`` runs once per run (not once per test), so the URL map, the
  admin views, the compiled templates and the connection pool are built once. The app's config is
  put back as it was after every test, so what a test sets in ``app.config`` goes no further.
  Flask-Limiter is one object for all apps: it is switched on or off for the test's app, and its
  counts are cleared when on.

Per-test config: ``app_factory(**extra)`` returns the app with ``extra`` applied. Settings read
while a request is handled (``RUNTIME_KEYS``) are set on the shared app for that test only. Any
other setting (e.g. ``RATELIMIT_ENABLED=True``, which Flask-Limiter takes in when the app is
built) gets an app built with it, kept for the rest of the run and shared by the tests asking for
the same settings; it runs on the same database, emptied the same way. A test that asks for two
different configs at once gets a second app of its own for the second.

``app_factory(setup=function)`` is for a test that adds to the app itself (more admin views):
``function(app)`` runs once on an app built for it, which the tests passing the same function
share.
"""
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import close_all_sessions

from tests.databases import create_server_database, drop_server_database, server_url
from zcps import create_app
from zcps.database import upgrade_to_head
from zcps.extensions import db, limiter

TEST_SECRET = "test-secret-key"

# Settings the app reads while it handles a request (``current_app.config[...]``, Flask's and
# Flask-WTF's own), so a test may set them on the shared app. Any other setting given to
# ``app_factory`` gets an app built with it.
RUNTIME_KEYS = frozenset({
    "INSTANCE_DIR", "UPLOAD_DIR", "UPLOAD_MAX_MB", "UPLOAD_MAX_PAGES", "UPLOAD_QUOTA_MB",
    "SMS_BACKEND", "SMS_FILE", "SMS_HTTP_URL",
    "SMS_HTTP_TOKEN", "SMS_MAX_ATTEMPTS", "PUBLICITY_COUNT_START_DAY", "WTF_CSRF_ENABLED",
    "PROPAGATE_EXCEPTIONS", "SEND_FILE_MAX_AGE_DEFAULT", "SMS_HTTP_TIMEOUT", "SMS_BREAKER_FAILURES",
    "SESSION_IDLE_SECONDS", "EXPORT_TEMP_DIR", "ARCHIVE_DIR", "AUDIT_RETENTION_DAYS",
    "OUTBOX_RETENTION_DAYS",
})


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


class RunDatabase:
    """The run's database, migrated once, and the way back to empty after a test."""

    def __init__(self, workdir: Path):
        self.base = server_url()
        self.template = None
        if self.base is None:
            template_path = workdir / "template.sqlite3"
            self.path = workdir / "test.sqlite3"
            self.uri = f"sqlite:///{self.path}"
            migrate_uri = f"sqlite:///{template_path}"
        else:
            self.uri = migrate_uri = create_server_database(self.base)
        app = create_app(app_config(workdir, migrate_uri))
        with app.app_context():
            upgrade_to_head()
            self.tables = list(reversed(db.metadata.sorted_tables))  # children before parents
            db.engine.dispose()
        if self.base is None:
            # The migrated file, held in memory: making the working file empty is a page copy.
            self.template = sqlite3.connect(":memory:")
            source = sqlite3.connect(template_path)
            try:
                source.backup(self.template)
            finally:
                source.close()
            self._restore_template()

    def _restore_template(self) -> None:
        target = sqlite3.connect(self.path)
        try:
            self.template.backup(target)
        finally:
            target.close()

    def empty(self, app) -> None:
        """Back to the migrated, empty state. Every session must have been closed."""
        if self.template is not None:
            self._restore_template()
            return
        with app.app_context():
            with db.engine.begin() as connection:
                for table in self.tables:
                    if table.name in ("audit_log", "audit_archive"):
                        # The database refuses to DELETE audit entries not archived and archive
                        # records (migrations 0009, 0022); emptying a test database truncates,
                        # and only a table that holds rows (TRUNCATE is DDL: slow on MariaDB).
                        if connection.execute(sa.select(sa.literal(1)).select_from(table)
                                              .limit(1)).first() is not None:
                            connection.exec_driver_sql(f"TRUNCATE TABLE {table.name}")
                    else:
                        # A row's parent in its own table (an organisation's 上级机构): MariaDB
                        # checks the key row by row, so the references go first.
                        own = {key.parent.name: None for key in table.foreign_keys
                               if key.column.table is table}
                        if own:
                            connection.execute(table.update().values(own))
                        connection.execute(table.delete())

    def drop(self) -> None:
        if self.template is not None:
            self.template.close()
        if self.base is not None:
            drop_server_database(self.uri, self.base)


def new_app(config: dict):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        with app.app_context():
            event.listen(db.engine, "connect", _no_disk_sync)
    return app


def _no_disk_sync(connection, record):
    # A throw-away test file need not survive a power cut: commits skip the fsync.
    connection.execute("PRAGMA synchronous = OFF")


class SharedApps:
    """The run's apps, one per set of build-time settings, each built when first asked for.

    Their own files point into the run's directory between tests; a test points them at its own.
    """

    def __init__(self, workdir: Path, database: RunDatabase):
        self.workdir = workdir
        self.database = database
        self.built = {}

    def get(self, extra: dict, setup=None):
        config = app_config(self.workdir, self.database.uri,
                            **{key: value for key, value in extra.items() if key not in RUNTIME_KEYS})
        # Apps differ by what they were built with, whatever was said explicitly.
        key = (tuple(sorted((name, repr(value)) for name, value in config.items()
                            if name not in RUNTIME_KEYS)), setup)
        if key not in self.built:
            app = new_app(config)
            if setup is not None:
                setup(app)
            self.built[key] = app
        return self.built[key]

    def dispose(self) -> None:
        for app in self.built.values():
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def run_database(tmp_path_factory):
    """The run's database at the head revision (for SQLite, with its template)."""
    database = RunDatabase(tmp_path_factory.mktemp("database"))
    yield database
    database.drop()


@pytest.fixture(scope="session")
def migrated_database(run_database):
    """The URI of the run's migrated database."""
    return run_database.uri


@pytest.fixture(scope="session")
def shared_apps(tmp_path_factory, run_database):
    apps = SharedApps(tmp_path_factory.mktemp("app"), run_database)
    yield apps
    apps.dispose()


@pytest.fixture
def app_factory(tmp_path, run_database, shared_apps):
    """The app on the test's empty database, with the test's own files; ``extra`` config may be
    given per test (see the module's docstring)."""
    handed = []  # (shared app, its config before the test, its instance_path, the test's settings)
    own = []  # apps built for this test alone

    def build(*, setup=None, **extra):
        config = app_config(tmp_path, run_database.uri, **extra)
        runtime = {key: value for key, value in config.items() if key in RUNTIME_KEYS}
        app = shared_apps.get(extra, setup)
        earlier = next((entry for entry in handed if entry[0] is app), None)
        if earlier is None:
            handed.append((app, dict(app.config), app.instance_path, runtime))
            app.config.update(runtime)
            app.instance_path = runtime["INSTANCE_DIR"]
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        elif earlier[3] != runtime:
            # The shared app already serves this test with other settings: one of its own.
            app = new_app(config)
            if setup is not None:
                setup(app)
            own.append(app)
        # Flask-Limiter is one object for every app: it follows the app the test asked for last.
        limiter.enabled = bool(app.config["RATELIMIT_ENABLED"])
        if limiter.enabled:
            limiter.reset()
        return app

    yield build

    try:
        close_all_sessions()
        for app in own:
            with app.app_context():
                db.engine.dispose()
        if handed:
            run_database.empty(handed[0][0])
    finally:
        for app, config, instance_path, _ in handed:
            app.config.clear()
            app.config.update(config)
            app.instance_path = instance_path


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
def root(app):
    """The platform admin (系统管理员) account."""
    from tests import factories

    account = factories.admin()
    db.session.commit()
    return account


@pytest.fixture
def admin_client(client, root):
    """A browser signed in as the platform admin."""
    from tests.helpers import signed_in

    return signed_in(client, root)


@pytest.fixture
def guard(app):
    """The 安全管理员 account."""
    from tests import factories

    account = factories.security_admin()
    db.session.commit()
    return account


@pytest.fixture
def security_client(app):
    """A browser signed in as the 安全管理员 (unlock, resets, account status)."""
    from tests import factories
    from tests.helpers import signed_in

    account = factories.security_admin()
    db.session.commit()
    return signed_in(app.test_client(), account)


@pytest.fixture
def audit_client(app):
    """A browser signed in as the 审计管理员 (the audit log only)."""
    from tests import factories
    from tests.helpers import signed_in

    account = factories.audit_admin()
    db.session.commit()
    return signed_in(app.test_client(), account)


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
