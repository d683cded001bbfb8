"""统计分析's tables from the history, kept per plan: plan_history_day, plan_history_reason,
plan_unit_returns

Per plan, Beijing day and action the steps taken; per plan, action and reason (word for word,
keyed by its SHA-256) the steps that gave it; per plan and unit the applications returned at
least once by the unit and by an acceptance point. Filled here from the history as it is, from
then on kept by the workflow at every commit (zcps/history_summary.py).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 01:40:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

UNIT_RETURNS = ('return', 'objection_return')
POINT_RETURNS = ('acceptance_return',)
REASON_ACTIONS = (*UNIT_RETURNS, 'reject', *POINT_RETURNS)

record = sa.table('review_record', sa.column('subject'), sa.column('subject_id'),
                  sa.column('action'), sa.column('opinion'), sa.column('created_at'))
application = sa.table('application', sa.column('id'), sa.column('plan_id'),
                       sa.column('unit_id'))
day_table = sa.table('plan_history_day', sa.column('plan_id'), sa.column('day'),
                     sa.column('action'), sa.column('times'))
reason_table = sa.table('plan_history_reason', sa.column('plan_id'), sa.column('action'),
                        sa.column('reason_key'), sa.column('reason'), sa.column('times'))
returns_table = sa.table('plan_unit_returns', sa.column('plan_id'), sa.column('unit_id'),
                         sa.column('unit_returned'), sa.column('point_returned'))


def _beijing_day(dialect: str):
    if dialect == 'postgresql':
        return sa.text("CAST((review_record.created_at + INTERVAL '8 hours') AS DATE)")
    if dialect in ('mysql', 'mariadb'):
        return sa.text("DATE(DATE_ADD(review_record.created_at, INTERVAL 8 HOUR))")
    return sa.text("date(review_record.created_at, '+8 hours')")


def upgrade():
    op.create_table(
        'plan_history_day',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['review_plan.id'],
                                name=op.f('fk_plan_history_day_plan_id_review_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'day', 'action', name=op.f('pk_plan_history_day')),
    )
    op.create_table(
        'plan_history_reason',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('reason_key', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['review_plan.id'],
                                name=op.f('fk_plan_history_reason_plan_id_review_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'action', 'reason_key',
                                name=op.f('pk_plan_history_reason')),
    )
    op.create_table(
        'plan_unit_returns',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('unit_returned', sa.Integer(), nullable=False),
        sa.Column('point_returned', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['review_plan.id'],
                                name=op.f('fk_plan_unit_returns_plan_id_review_plan'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_plan_unit_returns_unit_id_unit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'unit_id', name=op.f('pk_plan_unit_returns')),
    )
    with op.batch_alter_table('plan_unit_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_unit_returns__unit_id'), ['unit_id'],
                              unique=False)

    # Filled from the history as it is.
    bind = op.get_bind()
    of_plan = sa.and_(record.c.subject == 'application', record.c.subject_id == application.c.id)
    day = _beijing_day(bind.dialect.name)
    op.execute(day_table.insert().from_select(
        ['plan_id', 'day', 'action', 'times'],
        sa.select(application.c.plan_id, day, record.c.action, sa.func.count())
        .where(of_plan).group_by(application.c.plan_id, day, record.c.action)))

    counted = {}
    for plan_id, action, reason, times in bind.execute(
            sa.select(application.c.plan_id, record.c.action, record.c.opinion, sa.func.count())
            .where(of_plan, record.c.action.in_(REASON_ACTIONS), record.c.opinion != '')
            .group_by(application.c.plan_id, record.c.action, record.c.opinion)):
        key = (plan_id, action, hashlib.sha256(reason.encode('utf-8')).hexdigest())
        counted.setdefault(key, [reason, 0])[1] += int(times)
    rows = [{'plan_id': plan_id, 'action': action, 'reason_key': key, 'reason': reason,
             'times': times} for (plan_id, action, key), (reason, times) in counted.items()]
    for start in range(0, len(rows), 10_000):
        op.bulk_insert(reason_table, rows[start:start + 10_000])

    def distinct(actions):
        return sa.func.count(sa.distinct(sa.case(
            (record.c.action.in_(actions), record.c.subject_id))))
    op.execute(returns_table.insert().from_select(
        ['plan_id', 'unit_id', 'unit_returned', 'point_returned'],
        sa.select(application.c.plan_id, application.c.unit_id, distinct(UNIT_RETURNS),
                  distinct(POINT_RETURNS))
        .where(of_plan, record.c.action.in_((*UNIT_RETURNS, *POINT_RETURNS)))
        .group_by(application.c.plan_id, application.c.unit_id)))


def downgrade():
    # The tables' indexes go with them (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table('plan_unit_returns')
    op.drop_table('plan_history_reason')
    op.drop_table('plan_history_day')
