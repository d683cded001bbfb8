"""The inbox's 已等待 order indexed on SQLite too

``ix_application_point_waited`` (revision 0028, PostgreSQL) also on SQLite, which indexes
expressions as well: the acceptance point's inbox sorted by 已等待 on 全部 is read in the index's
order instead of sorting the point's applications. The index now ends with ``status_since``
itself, so that SQLite reads a page from the index alone (without it SQLite's planner prefers
sorting a busy point's rows); on PostgreSQL it is made again with that column. MariaDB would
need a generated column: its inbox still sorts.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 01:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

WAITED = ("CREATE INDEX ix_application_point_waited ON application (acceptance_point_id,"
          " (CASE WHEN (status = 'recommended') THEN 0 ELSE 1 END),"
          " (CASE WHEN (status = 'recommended') THEN status_since END), id, status{more})")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("DROP INDEX ix_application_point_waited")
    if dialect in ('postgresql', 'sqlite'):
        op.execute(WAITED.format(more=", status_since"))


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect in ('postgresql', 'sqlite'):
        op.execute("DROP INDEX ix_application_point_waited")
    if dialect == 'postgresql':
        op.execute(WAITED.format(more=""))
