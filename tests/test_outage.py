"""A database that is down, or that stops answering, gives the Chinese 系统繁忙 page quickly —
rendered without the database — never a bare "Internal Server Error" or a hung worker."""
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests import factories
from tests.conftest import app_config
from tests.helpers import signed_in
from zcps import create_app
from zcps.config import engine_options
from zcps.extensions import db

BUSY = "系统暂时无法完成此操作，请稍后再试。"


def database_down(engine):
    """Every statement from now on fails as on a dead server; returns how to undo it."""
    def refuse(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("server closed"))
    event.listen(engine, "before_cursor_execute", refuse)
    return lambda: event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("url", ["/unit/", "/unit/unit_application/", "/unit/guide/"])
def test_a_signed_in_officer_gets_the_busy_page_when_the_database_is_down(app, client, url):
    unit = factories.unit("甲单位")
    signed_in(client, factories.employer(unit))
    db.session.remove()
    restore = database_down(db.engine)
    try:
        response = client.get(url)
    finally:
        restore()
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert BUSY in page and "<title>系统繁忙" in page
    assert response.headers["Retry-After"] == "30"


def with_a_broken_page(app):
    @app.route("/__broken")
    def broken():
        db.session.execute(sa.text("SELECT 1"))
        raise RuntimeError("a bug")


def test_an_unexpected_error_is_the_busy_page_without_touching_the_database(app_factory):
    app = app_factory(setup=with_a_broken_page, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        unit = factories.unit("甲单位")
        client = signed_in(app.test_client(), factories.employer(unit))
        db.session.remove()
        statements = []

        def seen(_conn, _cursor, statement, *_args):
            statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            response = client.get("/__broken")
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 500
    assert BUSY in response.get_data(as_text=True)
    # The page's own statement is the last: the busy page asked the database nothing (the
    # account the request loaded before it is not loaded again for a menu).
    assert statements[-1] == "SELECT 1"
    assert statements.count("SELECT 1") == 1


@pytest.fixture
def black_hole():
    """A TCP port that accepts connections and never says a word (a database behind a cut
    network, or a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "mysql+pymysql"])
def test_a_database_that_never_answers_fails_fast_with_the_busy_page(tmp_path, black_hole,
                                                                      scheme):
    app = create_app(app_config(tmp_path, f"{scheme}://zcps@127.0.0.1:{black_hole}/zcps",
                                DB_CONNECT_TIMEOUT=1, DB_STATEMENT_TIMEOUT=1))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    started = time.monotonic()
    response = client.get("/unit/")
    took = time.monotonic() - started
    assert response.status_code == 503
    assert BUSY in response.get_data(as_text=True)
    # Within the connect and the socket timeouts (MySQL's handshake is read under the latter):
    # seconds, well before gunicorn's 30 s.
    assert took < 12


def test_timeouts_are_set_for_each_server():
    postgres = engine_options("postgresql+psycopg://u@h/db", {"pool_pre_ping": True}, 5, 30)
    assert postgres["connect_args"]["tcp_user_timeout"] == 35000
    assert postgres["pool_pre_ping"] is True
    assert postgres["connect_args"]["connect_timeout"] == 5
    assert postgres["connect_args"]["options"] == "-c statement_timeout=30000"
    assert postgres["connect_args"]["keepalives"] == 1
    mariadb = engine_options("mysql+pymysql://u@h/db?charset=utf8mb4", {}, 5, 30)
    assert mariadb["isolation_level"] == "READ COMMITTED"
    assert mariadb["connect_args"] == {"connect_timeout": 5,
                                       "init_command": "SET SESSION max_statement_time=30",
                                       "read_timeout": 35, "write_timeout": 35}
    unlimited = engine_options("postgresql+psycopg://u@h/db", {}, 5, 0)
    assert "options" not in unlimited["connect_args"]
    assert engine_options("sqlite:///x.db", {"pool_pre_ping": True}, 5, 30) == {
        "pool_pre_ping": True}


def test_a_statement_past_the_limit_is_stopped_by_the_server(app_factory, tmp_path):
    from tests.databases import server_url

    if server_url() is None:
        pytest.skip("SQLite has no statement time limit; the limit is checked on PostgreSQL "
                    "and MariaDB")
    app = app_factory(DB_STATEMENT_TIMEOUT=1)
    with app.app_context():
        sleep = ("SELECT pg_sleep(3)" if db.engine.dialect.name == "postgresql"
                 else "SELECT SLEEP(3)")
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError) if db.engine.dialect.name == "postgresql" \
                else _mariadb_interrupted():
            db.session.execute(sa.text(sleep))
        db.session.rollback()
        assert time.monotonic() - started < 2.5


class _mariadb_interrupted:
    """MariaDB stops SLEEP() at max_statement_time by returning 1 instead of raising."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, sa.exc.OperationalError)
