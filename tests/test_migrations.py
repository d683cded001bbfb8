"""Migrations are code: upgrading an empty database gives exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import app_config
from tests.databases import create_server_database, drop_server_database, server_url
from zcps import create_app
from zcps.extensions import db


def test_flask_db_upgrade_on_an_empty_database_matches_the_models(tmp_path):
    base = server_url()
    uri = f"sqlite:///{tmp_path / 'empty.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
                tables = set(db.inspect(connection).get_table_names())
            db.engine.dispose()
        assert differences == []
        assert set(db.metadata.tables) <= tables
    finally:
        if base is not None:
            drop_server_database(uri, base)
