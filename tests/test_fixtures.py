"""The fixtures of tests/conftest.py keep their word: one app for the run, and every test on an
empty database, with its own files, and with the app's config as it was built.

The first two tests run in this order (pytest keeps a module's order): the first leaves rows and
config behind, the second finds none of it.
"""
from pathlib import Path

from tests import factories
from zcps.extensions import db, limiter

left = {}


def row_counts() -> dict:
    with db.engine.connect() as connection:
        return {table.name: connection.execute(db.select(db.func.count()).select_from(table))
                .scalar_one() for table in db.metadata.sorted_tables}


def test_a_test_leaves_rows_and_settings_behind(app, client, tmp_path):
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert app.config["SMS_FILE"] == str(tmp_path / "sms.jsonl")
    assert app.config["INSTANCE_DIR"] == app.instance_path == str(tmp_path / "instance")
    left.update(app=app, propagate=app.config["PROPAGATE_EXCEPTIONS"],
                upload_max=app.config["UPLOAD_MAX_MB"])
    factories.application(factories.applicant(factories.unit()))
    factories.admin()
    db.session.commit()
    assert client.get("/").status_code in (200, 302)
    assert sum(row_counts().values()) > 3
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["UPLOAD_MAX_MB"] = 1
    app.config["SOMETHING_NEW"] = True


def test_the_next_test_finds_none_of_it(app, tmp_path):
    assert set(row_counts().values()) == {0}
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert "SOMETHING_NEW" not in app.config
    if left:  # the test above ran first
        assert app is left["app"]
        assert app.config["PROPAGATE_EXCEPTIONS"] == left["propagate"]
        assert app.config["UPLOAD_MAX_MB"] == left["upload_max"]


def test_settings_taken_at_build_time_get_an_app_built_with_them(app_factory):
    limited = app_factory(RATELIMIT_ENABLED=True)
    assert limited.config["RATELIMIT_ENABLED"] and limiter.enabled
    assert app_factory(RATELIMIT_ENABLED=True) is limited


def test_the_shared_app_is_not_rate_limited_after_one_that_was(app):
    assert not app.config["RATELIMIT_ENABLED"] and not limiter.enabled


def test_two_configs_in_one_test_are_two_apps(app_factory, tmp_path):
    counting = app_factory(PUBLICITY_COUNT_START_DAY=True)
    plain = app_factory(PUBLICITY_COUNT_START_DAY=False)
    assert counting is not plain
    assert counting.config["PUBLICITY_COUNT_START_DAY"] is True
    assert plain.config["PUBLICITY_COUNT_START_DAY"] is False
    assert Path(plain.config["UPLOAD_DIR"]) == Path(counting.config["UPLOAD_DIR"]) \
        == tmp_path / "uploads"
