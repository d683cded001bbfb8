"""The phone and address where a publicity's objections are received; when an applicant
confirmed the declaration of truthfulness

A publicity names, above its 公示表, the telephone and the address where objections are taken;
both are required of a new batch (``workflow.start_publicity``). ``objection_contact`` stays
as the office or person to ask for. Batches made before keep empty values.

``application.declared_at`` is when the applicant confirmed, on submitting, that what the
application holds is true (printed on the 申报评审表); NULL for submissions made before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 14:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_phone', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('objection_address', sa.String(length=200),
                                      server_default='', nullable=False))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declared_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('declared_at')
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.drop_column('objection_address')
        batch_op.drop_column('objection_phone')
