"""Bringing a database to the current schema."""
from flask import current_app
from flask_migrate import upgrade


def upgrade_to_head() -> None:
    """Apply every Alembic migration (``flask db upgrade``) inside the current app context."""
    upgrade(directory=current_app.extensions["migrate"].directory)
