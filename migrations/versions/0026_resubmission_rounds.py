"""Resubmission rounds: the previous round's items and the applicant's replies

``application.previous_round`` keeps the items as the unit saw them in the round that returned
the application, with that round's remarks; ``application_item.reply`` is the applicant's
answer to a remark on an item resubmitted unchanged.

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-01 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_round', sa.JSON(), nullable=True))
    with op.batch_alter_table('application_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply', sa.String(length=200), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('application_item', schema=None) as batch_op:
        batch_op.drop_column('reply')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('previous_round')
