"""The audit log is append-only: the database refuses to change an entry, and to delete one
younger than 180 days (triggers on PostgreSQL, MariaDB/MySQL and SQLite)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CHANGED = "audit_log is append-only: an entry cannot be changed"
YOUNG = "audit_log keeps every entry at least 180 days"

POSTGRESQL = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{CHANGED}';
        END IF;
        IF OLD.created_at > (now() AT TIME ZONE 'UTC') - interval '180 days' THEN
            RAISE EXCEPTION '{YOUNG}';
        END IF;
        RETURN OLD;
    END $$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]
MYSQL = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{CHANGED}'",
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log FOR EACH ROW "
    "BEGIN IF OLD.created_at > UTC_TIMESTAMP() - INTERVAL 180 DAY THEN "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{YOUNG}'; END IF; END",
]
SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END",
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log "
    "WHEN OLD.created_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days') "
    f"BEGIN SELECT RAISE(ABORT, '{YOUNG}'); END",
]


def upgrade():
    name = op.get_bind().dialect.name
    statements = {"postgresql": POSTGRESQL, "mysql": MYSQL, "mariadb": MYSQL}.get(name, SQLITE)
    for statement in statements:
        op.execute(statement)


def downgrade():
    name = op.get_bind().dialect.name
    if name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_keep")
