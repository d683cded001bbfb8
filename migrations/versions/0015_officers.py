"""Officers (经办人) of a unit

An employer account that is not the unit's own (USCC) account is an officer: ``officer_duties``
lists what it may do (业绩档案审核, 申报资料审核, 信息公示与推荐, 单位管理), its user name is the
officer's 身份证号, ``officer_mobile`` (unique among employer accounts) is the other sign-in name,
``department`` and ``end_date`` (the last day it may sign in) describe it. The unit's own account
keeps ``officer_duties`` NULL and may do everything. Existing accounts are unchanged.
``review_record.officer_name`` keeps the officer who took a step, which the unit reads as 审核人.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 14:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_duties', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('officer_mobile', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('department', sa.String(length=100), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('end_date', sa.Date(), nullable=True))
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_account_role_officer_mobile'),
                                          ['role', 'officer_mobile'])
        batch_op.create_check_constraint(
            'officers_are_units', "officer_duties IS NULL OR role = 'employer'")
    with op.batch_alter_table('review_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_name', sa.String(length=100), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('review_record', schema=None) as batch_op:
        batch_op.drop_column('officer_name')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_officers_are_units'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_account_role_officer_mobile'), type_='unique')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('end_date')
        batch_op.drop_column('department')
        batch_op.drop_column('officer_mobile')
        batch_op.drop_column('officer_duties')
