"""单位信息变更 (unit_change)

A unit's request to change its name, address, legal representative or contact: the new values
(``after``) and those it replaces (``before``), a reason, a PDF proof and the platform admin's
decision. Requests are kept for good; the ``before`` names of approved ones are the unit's
earlier names (曾用名).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 15:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('none', 'pending', 'approved', 'rejected',
                                    name='authorizationstatus', native_enum=False,
                                    create_constraint=False, length=20), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('none', 'pending', 'approved', 'rejected')",
                           name=op.f('ck_unit_change_status')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_change_unit_id_unit')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'],
                                name=op.f('fk_unit_change_file_id_stored_file')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['account.id'],
                                name=op.f('fk_unit_change_submitted_by_id_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['account.id'],
                                name=op.f('fk_unit_change_decided_by_id_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_change')),
    )
    with op.batch_alter_table('unit_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_change__unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_change__file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_change__status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_change__submitted_by_id'), ['submitted_by_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_unit_change__decided_by_id'), ['decided_by_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_unit_change__submitted_at'), ['submitted_at'],
                              unique=False)


def downgrade():
    # The table takes its indexes with it (MariaDB refuses to drop one a foreign key uses).
    op.drop_table('unit_change')
