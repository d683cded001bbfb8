"""业绩档案审核 summary (archive_review_summary); the inbox's 已等待 order indexed on PostgreSQL

Per unit and person with items there: the items in each status, whether any waits, whether
the person's basic information waits for the unit and since when the person waits; filled here
from the items as they are, from then on kept by the workflow in the transaction of every
change (zcps/archive_summary.py).

On PostgreSQL, ``ix_application_point_waited`` serves the acceptance point's inbox sorted by
已等待 on 全部 (the waiting rows first, the longest first, then the rest): its expressions are
the list's ORDER BY (models/application.py INBOX_WAITED_ORDER).

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-01 22:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0026'
branch_labels = None
depends_on = None

STATUSES = ("draft", "pending", "approved", "returned", "rejected")


def upgrade():
    op.create_table(
        'archive_review_summary',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        *[sa.Column(status, sa.Integer(), nullable=False) for status in STATUSES],
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('waiting', sa.Boolean(), nullable=False),
        sa.Column('profile_pending', sa.Boolean(), nullable=False),
        sa.Column('waiting_since', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'],
                                name=op.f('fk_archive_review_summary_applicant_id_applicant'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_archive_review_summary_unit_id_unit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', 'applicant_id', name=op.f('pk_archive_review_summary')),
    )
    with op.batch_alter_table('archive_review_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_review_summary__applicant_id'),
                              ['applicant_id'], unique=False)
        batch_op.create_index('ix_archive_review_summary_waiting',
                              ['unit_id', 'waiting', 'applicant_id', 'approved', 'returned',
                               'rejected'], unique=False)
        batch_op.create_index('ix_archive_review_summary_since',
                              ['unit_id', 'waiting_since'], unique=False)

    # The rows as the items and people are now, in one INSERT … SELECT.
    item = sa.table('archive_item', sa.column('applicant_id'), sa.column('unit_id'),
                    sa.column('status'), sa.column('submitted_at'), sa.column('id'))
    person = sa.table('applicant', sa.column('id'), sa.column('unit_id'),
                      sa.column('profile_status'), sa.column('profile_submitted_at'))
    summary = sa.table('archive_review_summary', sa.column('unit_id'), sa.column('applicant_id'),
                       *[sa.column(status) for status in STATUSES], sa.column('total'),
                       sa.column('waiting'), sa.column('profile_pending'),
                       sa.column('waiting_since'))
    counted = (sa.select(item.c.applicant_id, item.c.unit_id,
                         *[sa.func.sum(sa.case((item.c.status == status, 1), else_=0))
                           .label(status) for status in STATUSES],
                         sa.func.count(item.c.id).label('total'),
                         sa.func.min(sa.case((item.c.status == 'pending', item.c.submitted_at)))
                         .label('oldest'))
               .where(item.c.unit_id.is_not(None))
               .group_by(item.c.applicant_id, item.c.unit_id)).subquery()
    profile = sa.and_(person.c.profile_status == 'pending',
                      sa.func.coalesce(person.c.unit_id, 0) == counted.c.unit_id)
    since = sa.case((sa.and_(profile, person.c.profile_submitted_at.is_not(None),
                             sa.or_(counted.c.oldest.is_(None),
                                    person.c.profile_submitted_at < counted.c.oldest)),
                     person.c.profile_submitted_at), else_=counted.c.oldest)
    rows = (sa.select(counted.c.unit_id, counted.c.applicant_id,
                      *[counted.c[status] for status in STATUSES], counted.c.total,
                      sa.case((counted.c.pending > 0, sa.true()), else_=sa.false()),
                      sa.case((profile, sa.true()), else_=sa.false()), since)
            .join_from(counted, person, person.c.id == counted.c.applicant_id))
    op.execute(summary.insert().from_select(
        ['unit_id', 'applicant_id', *STATUSES, 'total', 'waiting', 'profile_pending',
         'waiting_since'], rows))


    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_application_point_waited ON application (acceptance_point_id,"
                   " (CASE WHEN (status = 'recommended') THEN 0 ELSE 1 END),"
                   " (CASE WHEN (status = 'recommended') THEN status_since END), id, status)")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_application_point_waited")
    # The table's indexes go with it (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table('archive_review_summary')
