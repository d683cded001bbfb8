"""本单位人员 imported from a spreadsheet: the applicant's 部门

``applicant.department`` keeps the 部门 a unit's roster import gave (empty for everyone else).
The people a unit imports have no account until they activate it with the code sent to them
(短信验证码 of purpose ``activate``, valid 7 days).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=100), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.drop_column('department')
