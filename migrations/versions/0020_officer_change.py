"""经办人变更: a new 委托证明 from an authorized unit

``unit_authorization.officer_change`` marks a submission made while the unit is authorized, to
name a new handling officer: the unit stays authorized while it waits and whatever the platform
admin decides. Earlier submissions are first authorizations (false).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_authorization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_change', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('unit_authorization', schema=None) as batch_op:
        batch_op.drop_column('officer_change')
