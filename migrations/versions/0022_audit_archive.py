"""Audit log archives: an audit log entry leaves the database only once archived

``audit_archive`` records each archive ``flask zcps archive-audit`` wrote (the instance folder's
``archive/``): the entries created before its cut-off with ids ``first_id``…``last_id``, their
count, the file's size and SHA-256. The audit log's delete trigger (revision 0009) now refuses,
besides an entry younger than 180 days, any entry no archive row covers, so an ordinary DELETE
removes nothing; the archive rows themselves are never changed or deleted. The audit log's CHECK
constraint gains 审计日志归档, 下载审计日志归档 and 清理短信发件箱. On SQLite the audit log is rebuilt
(batch mode) and its triggers are created again.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 17:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    'sign_in sign_in_failed register_unit register_applicant activate_unit '
    'deactivate_unit reset_password change_password account_locked '
    'account_unlocked create_admin workday_create workday_update '
    'workday_delete workday_bulk plan_create plan_update reminder export '
    'reset_password_by_sms release_id_number decision activate_account '
    'deactivate_account file_integrity add_officer change_officer '
    'unit_change_request unit_change_decision roster_import activate_applicant'
)
NEW_ACTIONS = OLD_ACTIONS + ' archive_audit download_audit_archive prune_outbox'

CHANGED = "audit_log is append-only: an entry cannot be changed"
YOUNG = "audit_log keeps every entry at least 180 days"
UNARCHIVED = "audit_log: an entry is deleted only once archived (flask zcps archive-audit)"
ARCHIVE_KEPT = "audit_archive is append-only: an archive record cannot be changed or deleted"
# An archive row covering the entry being deleted.
COVERED = ("EXISTS (SELECT 1 FROM audit_archive a WHERE OLD.id BETWEEN a.first_id AND a.last_id "
           "AND OLD.created_at < a.cut_off)")

POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{changed}';
        END IF;
        IF OLD.created_at > (now() AT TIME ZONE 'UTC') - interval '180 days' THEN
            RAISE EXCEPTION '{young}';
        END IF;{archived}
        RETURN OLD;
    END $$"""
POSTGRESQL = [
    POSTGRESQL_FUNCTION.format(changed=CHANGED, young=YOUNG, archived=f"""
        IF NOT {COVERED} THEN
            RAISE EXCEPTION '{UNARCHIVED}';
        END IF;"""),
    f"""CREATE FUNCTION audit_archive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{ARCHIVE_KEPT}';
    END $$""",
    "CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON audit_archive "
    "FOR EACH ROW EXECUTE FUNCTION audit_archive_append_only()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER audit_archive_append_only ON audit_archive",
    "DROP FUNCTION audit_archive_append_only()",
    POSTGRESQL_FUNCTION.format(changed=CHANGED, young=YOUNG, archived=""),
]

MYSQL = [
    "DROP TRIGGER audit_log_keep",
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log FOR EACH ROW "
    "BEGIN IF OLD.created_at > UTC_TIMESTAMP() - INTERVAL 180 DAY THEN "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{YOUNG}'; "
    f"ELSEIF NOT {COVERED} THEN "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{UNARCHIVED}'; END IF; END",
    "CREATE TRIGGER audit_archive_no_update BEFORE UPDATE ON audit_archive FOR EACH ROW "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{ARCHIVE_KEPT}'",
    "CREATE TRIGGER audit_archive_no_delete BEFORE DELETE ON audit_archive FOR EACH ROW "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{ARCHIVE_KEPT}'",
]
MYSQL_DOWN = [
    "DROP TRIGGER audit_archive_no_update",
    "DROP TRIGGER audit_archive_no_delete",
    "DROP TRIGGER audit_log_keep",
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log FOR EACH ROW "
    "BEGIN IF OLD.created_at > UTC_TIMESTAMP() - INTERVAL 180 DAY THEN "
    f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{YOUNG}'; END IF; END",
]

SQLITE_NO_UPDATE = ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                    f"BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END")
SQLITE_TOO_YOUNG = "OLD.created_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days')"
SQLITE = [
    SQLITE_NO_UPDATE,
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log BEGIN SELECT CASE "
    f"WHEN {SQLITE_TOO_YOUNG} THEN RAISE(ABORT, '{YOUNG}') "
    f"WHEN NOT {COVERED} THEN RAISE(ABORT, '{UNARCHIVED}') END; END",
]
SQLITE_ARCHIVE = [
    "CREATE TRIGGER audit_archive_no_update BEFORE UPDATE ON audit_archive "
    f"BEGIN SELECT RAISE(ABORT, '{ARCHIVE_KEPT}'); END",
    "CREATE TRIGGER audit_archive_no_delete BEFORE DELETE ON audit_archive "
    f"BEGIN SELECT RAISE(ABORT, '{ARCHIVE_KEPT}'); END",
]
SQLITE_DOWN = [
    SQLITE_NO_UPDATE,
    f"CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log WHEN {SQLITE_TOO_YOUNG} "
    f"BEGIN SELECT RAISE(ABORT, '{YOUNG}'); END",
]


def condition(listed: str) -> str:
    return f"action IN ({', '.join(repr(code) for code in listed.split())})"


def replace_action_check(listed: str, sqlite: bool) -> None:
    name = op.f("ck_audit_log_action")
    if sqlite:
        with op.batch_alter_table('audit_log', schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, condition(listed))
    else:
        op.drop_constraint(name, 'audit_log', type_="check")
        op.create_check_constraint(name, 'audit_log', condition(listed))


def upgrade():
    name = op.get_bind().dialect.name
    op.create_table(
        'audit_archive',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=120), nullable=False),
        sa.Column('period_start', sa.DateTime(), nullable=False),
        sa.Column('cut_off', sa.DateTime(), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('first_id', sa.Integer(), nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('verified_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_archive')),
        sa.UniqueConstraint('file_name', name=op.f('uq_audit_archive_file_name')),
    )
    if name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_keep")
        replace_action_check(NEW_ACTIONS, sqlite=True)
        statements = SQLITE + SQLITE_ARCHIVE
    else:
        replace_action_check(NEW_ACTIONS, sqlite=False)
        statements = POSTGRESQL if name == "postgresql" else MYSQL
    for statement in statements:
        op.execute(statement)


def downgrade():
    connection = op.get_bind()
    name = connection.dialect.name
    newer = connection.execute(sa.text(
        "SELECT COUNT(*) FROM audit_log WHERE action IN "
        "('archive_audit', 'download_audit_archive', 'prune_outbox')")).scalar()
    if newer:
        raise RuntimeError(f"The audit log holds {newer} entries of archiving, archive downloads "
                           "or outbox pruning, which revision 0020 cannot hold (entries cannot "
                           "be deleted): stay at revision 0022.")
    if name == "sqlite":
        for trigger in ("audit_archive_no_update", "audit_archive_no_delete",
                        "audit_log_no_update", "audit_log_keep"):
            op.execute(f"DROP TRIGGER {trigger}")
        replace_action_check(OLD_ACTIONS, sqlite=True)
        statements = SQLITE_DOWN
    else:
        replace_action_check(OLD_ACTIONS, sqlite=False)
        statements = POSTGRESQL_DOWN if name == "postgresql" else MYSQL_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_table('audit_archive')
