"""Indexes for the big lists: the busiest point's inbox, a big unit's lists, the audit log's 对象

The audit log's 对象 ("kind:what") gets a b-tree (varchar_pattern_ops on PostgreSQL) for
searches by its beginning.

The inbox's (acceptance_point_id, recommended_at) becomes (acceptance_point_id, recommended_at,
status, status_since, id): a page of ids, however deep or sorted by 已等待, is read from the
index alone.

A unit's applications are indexed by (unit_id, id, status) for 资格审查推荐 in id order and by
(unit_id, submitted_at, status) for 申报资料审核 by 提交时间, over several statuses.

A unit's archive items are indexed by (unit_id, applicant_id, status): 业绩档案审核's people in
id order and counted each once, from the index.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 17:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_log_target", "audit_log", ["target"],
                    postgresql_ops={"target": "varchar_pattern_ops"})
    op.create_index("ix_application_point_inbox", "application",
                    ["acceptance_point_id", "recommended_at", "status", "status_since", "id"])
    op.drop_index("ix_application_point_recommended", table_name="application")
    op.create_index("ix_application_unit_id_status", "application", ["unit_id", "id", "status"])
    op.create_index("ix_application_unit_submitted", "application",
                    ["unit_id", "submitted_at", "status"])
    op.create_index("ix_archive_item_unit_person_status", "archive_item",
                    ["unit_id", "applicant_id", "status"])


def downgrade():
    op.drop_index("ix_archive_item_unit_person_status", table_name="archive_item")
    op.drop_index("ix_application_unit_submitted", table_name="application")
    op.drop_index("ix_application_unit_id_status", table_name="application")
    op.create_index("ix_application_point_recommended", "application",
                    ["acceptance_point_id", "recommended_at"])
    op.drop_index("ix_application_point_inbox", table_name="application")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
