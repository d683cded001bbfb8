"""One open application per applicant and year as a unique key; an objection form recorded once

``application.open_year`` holds the year while an application is open and NULL once it is
closed (审核未通过, 不予推荐); it is unique with ``applicant_id``, so two requests creating an
applicant's application of one year at once cannot both commit. Filled here from the
applications as they are: where earlier races left several open applications of one applicant
and year, the oldest holds the year and the others keep NULL until they close.

``objection.entry_token`` is the random token of the form an objection was entered with, unique
per unit: the same form posted twice records one objection. Objections entered before have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:35:02.728019

"""
import sqlalchemy as sa
from alembic import op

CLOSED = ("rejected", "not_recommended")


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_year', sa.Integer(), nullable=True))

    application = sa.table('application', sa.column('id', sa.Integer),
                           sa.column('applicant_id', sa.Integer), sa.column('year', sa.Integer),
                           sa.column('status', sa.String), sa.column('open_year', sa.Integer))
    connection = op.get_bind()
    holders, seen = [], set()
    for row in connection.execute(
            sa.select(application.c.id, application.c.applicant_id, application.c.year)
            .where(application.c.status.not_in(CLOSED)).order_by(application.c.id)):
        if (row.applicant_id, row.year) not in seen:
            seen.add((row.applicant_id, row.year))
            holders.append(row.id)
    for start in range(0, len(holders), 500):
        connection.execute(sa.update(application)
                           .where(application.c.id.in_(holders[start:start + 500]))
                           .values(open_year=application.c.year))

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_application_open_year', ['applicant_id', 'open_year'])

    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_token', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_objection_entry_token', ['unit_id', 'entry_token'])


def downgrade():
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint('uq_objection_entry_token', type_='unique')
        batch_op.drop_column('entry_token')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint('uq_application_open_year', type_='unique')
        batch_op.drop_column('open_year')
