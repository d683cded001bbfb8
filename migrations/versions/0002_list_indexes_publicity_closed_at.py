"""Indexes for the busiest lists; publicity.closed_at

- unit_authorization.submitted_at: the admin's 授权审核 list is ordered by it; without an index
  every page was a sequential scan and top-N sort of all submissions (bench/RESULTS.md).
- application (acceptance_point_id, recommended_at) and (acceptance_point_id, status): the
  acceptance point's inbox and its tab counts.
- publicity.closed_at with (closed_at, end_date): every request looks for ended batches not yet
  closed, which is then a short index range instead of every application under publicity.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:53:21.946880

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_authorization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_authorization__submitted_at'), ['submitted_at'],
                              unique=False)
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_point_recommended',
                              ['acceptance_point_id', 'recommended_at'], unique=False)
        batch_op.create_index('ix_application_point_status', ['acceptance_point_id', 'status'],
                              unique=False)
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_publicity_open', ['closed_at', 'end_date'], unique=False)
    # Batches whose applications were all moved on already are closed.
    op.execute(
        "UPDATE publicity SET closed_at = CURRENT_TIMESTAMP WHERE NOT EXISTS ("
        "SELECT 1 FROM application WHERE application.publicity_id = publicity.id"
        " AND application.status = 'publicizing')")


def downgrade():
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.drop_index('ix_publicity_open')
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_point_status')
        batch_op.drop_index('ix_application_point_recommended')
    with op.batch_alter_table('unit_authorization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_authorization__submitted_at'))
