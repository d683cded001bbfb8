"""CHECK constraints on the enum columns: every status, role, level or kind column holds one of
its enum's codes (``ck_<table>_<column>``)

The lists are the enums' codes as of this revision (models/enums.py; the models generate the same
constraints from the enums, and ``tests/test_enum_codes.py`` compares what the database holds
with them: a code added to an enum needs a migration replacing its constraint). The audit log's
list already holds the codes of revisions 0015 (新增经办人, 修改经办人), 0018 (单位信息变更) and
0019 (导入本单位人员, 激活账号), and the purposes of 短信验证码 the activation code of 0019. A database
holding a code outside them stops the upgrade, naming the table, column and codes to correct.
On SQLite the tables are rebuilt (batch mode), and the audit log's append-only triggers
(revision 0009) are created again on the rebuilt table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CODES = {
    'notification': {
        'status': 'pending sending sent failed',
    },
    'unit': {
        'authorization_status': 'none pending approved rejected',
    },
    'applicant': {
        'profile_status': 'draft pending approved returned rejected',
        'sex': 'male female',
    },
    'opinion_template': {
        'kind': 'approve return reject recommend',
    },
    'plan_series': {
        'level': 'junior intermediate sub_senior senior',
    },
    'reminder_sent': {
        'stage': 'personal unit acceptance',
    },
    'title_qualification': {
        'level': 'junior intermediate sub_senior senior',
    },
    'account': {
        'role': 'platform_admin employer applicant acceptance',
        'admin_kind': 'system security audit',
    },
    'archive_item': {
        'category': (
            'education work assessment continuing_education paper award project '
            'patent certificate other'
        ),
        'status': 'draft pending approved returned rejected',
    },
    'audit_log': {
        'action': (
            'sign_in sign_in_failed register_unit register_applicant activate_unit '
            'deactivate_unit reset_password change_password account_locked '
            'account_unlocked create_admin workday_create workday_update '
            'workday_delete workday_bulk plan_create plan_update reminder export '
            'reset_password_by_sms release_id_number decision activate_account '
            'deactivate_account file_integrity add_officer change_officer '
            'unit_change_request unit_change_decision roster_import activate_applicant'
        ),
    },
    'review_record': {
        'action': (
            'create submit resubmit change_unit approve return reject publicize '
            'publicity_end record dismiss not_recommend objection_upheld '
            'objection_return recommend accept acceptance_return'
        ),
        'actor_role': 'platform_admin employer applicant acceptance',
        'subject': 'authorization profile archive_item application objection',
    },
    'sms_code': {
        'purpose': 'register_unit register_applicant reset_password change_mobile activate',
    },
    'application': {
        'level': 'junior intermediate sub_senior senior',
        'review_method': 'review recognition',
        'status': (
            'draft pending returned approved rejected publicizing publicized '
            'recommended accepted acceptance_returned not_recommended'
        ),
    },
    'unit_authorization': {
        'status': 'none pending approved rejected',
    },
    'application_item': {
        'category': (
            'education work assessment continuing_education paper award project '
            'patent certificate other'
        ),
    },
    'objection': {
        'outcome': 'not_recommended returned',
        'status': 'open upheld dismissed',
    },
}

# Revision 0009's triggers on SQLite, which go with the table a batch rebuilds.
CHANGED = "audit_log is append-only: an entry cannot be changed"
YOUNG = "audit_log keeps every entry at least 180 days"
SQLITE_AUDIT_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END",
    "CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log "
    "WHEN OLD.created_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days') "
    f"BEGIN SELECT RAISE(ABORT, '{YOUNG}'); END",
]


def codes(listed) -> list[str]:
    return (listed if isinstance(listed, str) else "".join(listed)).split()


def condition(column: str, listed) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in codes(listed))})"


def check_existing_rows(connection) -> None:
    """Refuse to go on while a row holds a code outside its column's list."""
    problems = []
    for table, columns in CODES.items():
        for column, listed in columns.items():
            found = connection.execute(sa.text(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL "
                f"AND {column} NOT IN ({', '.join(repr(code) for code in codes(listed))})"
            )).scalars().all()
            if found:
                problems.append(f"{table}.{column}: {', '.join(sorted(map(str, found)))}")
    if problems:
        raise RuntimeError("Rows hold codes that are not among their column's values; correct "
                           "them, then upgrade again: " + "; ".join(problems))


def upgrade():
    connection = op.get_bind()
    check_existing_rows(connection)
    sqlite = connection.dialect.name == "sqlite"
    for table, columns in CODES.items():
        if sqlite:
            if table == "audit_log":
                op.execute("DROP TRIGGER audit_log_no_update")
                op.execute("DROP TRIGGER audit_log_keep")
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column, listed in columns.items():
                    batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"),
                                                     condition(column, listed))
            if table == "audit_log":
                for statement in SQLITE_AUDIT_TRIGGERS:
                    op.execute(statement)
        else:
            for column, listed in columns.items():
                op.create_check_constraint(op.f(f"ck_{table}_{column}"), table,
                                           condition(column, listed))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in reversed(list(CODES.items())):
        if sqlite:
            if table == "audit_log":
                op.execute("DROP TRIGGER audit_log_no_update")
                op.execute("DROP TRIGGER audit_log_keep")
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
            if table == "audit_log":
                for statement in SQLITE_AUDIT_TRIGGERS:
                    op.execute(statement)
        else:
            for column in columns:
                op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
