"""Indexes for searching and for the big lists

Search matches codes (身份证号, 统一社会信用代码, 手机号码, user names, IP addresses) whole or by
their beginning, and text by the words it contains (views/base.py, ``search_clause``). On
PostgreSQL the words are served by pg_trgm GIN indexes (the extension is created here; it is a
trusted extension, so the database owner may create it) and the beginnings by
varchar_pattern_ops b-trees; MariaDB and SQLite use their plain b-trees for codes and scan the
column for words.

The SMS outbox gets indexes for its tabs (status, id), its 创建时间 sort and its mobile search;
the audit log one for its IP address search. A unit's applications are indexed by (unit_id,
status, id), which replaces (unit_id, status): a tab's first page is read from the index; a
unit's archive items by (unit_id, status, applicant_id), which replaces (unit_id, status): the
people per status of 业绩档案审核 are counted from the index.
On PostgreSQL, extended statistics on application (acceptance_point_id, status) tell the planner
that a point's applications are not spread over the statuses like all others.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 14:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# (index, table, columns) of the PostgreSQL-only indexes.
WORD_INDEXES = [
    ("ix_applicant_name_words", "applicant", "name"),
    ("ix_unit_name_words", "unit", "name"),
    ("ix_account_display_name_words", "account", "display_name"),
    ("ix_audit_log_target_words", "audit_log", "target"),
    ("ix_notification_text_words", "notification", "text"),
]
PREFIX_INDEXES = [
    ("ix_applicant_id_number_prefix", "applicant", ["id_number"]),
    ("ix_unit_uscc_prefix", "unit", ["uscc"]),
    ("ix_account_role_username_prefix", "account", ["role", "username"]),
]
# (index, table, column) on every database; varchar_pattern_ops on PostgreSQL.
CODE_INDEXES = [
    ("ix_audit_log_ip_address", "audit_log", "ip_address"),
    ("ix_notification_mobile", "notification", "mobile"),
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, column in CODE_INDEXES:
        op.create_index(name, table, [column],
                        postgresql_ops={column: "varchar_pattern_ops"})
    op.create_index("ix_notification_status_id", "notification", ["status", "id"])
    op.create_index("ix_notification_created_at", "notification", ["created_at"])
    op.create_index("ix_application_unit_status_id", "application", ["unit_id", "status", "id"])
    op.drop_index("ix_application_unit_status", table_name="application")
    op.create_index("ix_archive_item_unit_status_person", "archive_item",
                    ["unit_id", "status", "applicant_id"])
    op.drop_index("ix_archive_item_unit_status", table_name="archive_item")
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in WORD_INDEXES:
            op.create_index(name, table, [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})
        for name, table, columns in PREFIX_INDEXES:
            op.create_index(name, table, columns,
                            postgresql_ops={columns[-1]: "varchar_pattern_ops"})
        op.execute("CREATE STATISTICS IF NOT EXISTS application_point_status "
                   "(dependencies, mcv) ON acceptance_point_id, status FROM application")
        op.execute("ANALYZE application")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP STATISTICS IF EXISTS application_point_status")
        for name, table, _columns in PREFIX_INDEXES:
            op.drop_index(name, table_name=table)
        for name, table, _column in WORD_INDEXES:
            op.drop_index(name, table_name=table)
        # The extension stays: other databases objects may use it, and it holds no data.
    op.create_index("ix_archive_item_unit_status", "archive_item", ["unit_id", "status"])
    op.drop_index("ix_archive_item_unit_status_person", table_name="archive_item")
    op.create_index("ix_application_unit_status", "application", ["unit_id", "status"])
    op.drop_index("ix_application_unit_status_id", table_name="application")
    op.drop_index("ix_notification_created_at", table_name="notification")
    op.drop_index("ix_notification_status_id", table_name="notification")
    for name, table, _column in CODE_INDEXES:
        op.drop_index(name, table_name=table)
