"""Sessions that can be ended, reset passwords that must be changed, and sign-in lockout

Four columns on ``account``: ``session_generation`` (kept in the session at sign-in and checked on
every request; raised by sign-out, a password change or reset and deactivation, which ends every
session of the account at once), ``must_change_password`` (set by an admin's reset: every page
leads to 修改密码 until a new password is chosen), ``failed_sign_ins`` and ``locked_until`` (five
consecutive failures lock the account for 15 minutes). Existing accounts start at 0, not forced
to change and unlocked; their password hashes stay as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:19:33.304080

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_generation')
