"""Separation of admin duties (三员分立)

``account.admin_kind`` says which of the three duties a platform admin holds: ``system``
(系统管理员: accounts, catalogue, calendar, plans), ``security`` (安全管理员: unlock, password
resets, account status) or ``audit`` (审计管理员: the audit log only). Every platform admin holds
exactly one and no other account any (CHECK ``admin_kind_for_admins``). Existing platform admins
become 系统管理员; the security and audit admins are created with
``flask --app app zcps create-admin --kind security|audit``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_kind', sa.String(length=20), nullable=True))
    op.execute("UPDATE account SET admin_kind = 'system' WHERE role = 'platform_admin'")
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'admin_kind_for_admins',
            "(role = 'platform_admin' AND admin_kind IS NOT NULL)"
            " OR (role <> 'platform_admin' AND admin_kind IS NULL)")


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_admin_kind_for_admins'), type_='check')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('admin_kind')
