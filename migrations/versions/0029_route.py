"""The recommendation route as data: reviewing levels between the unit and the acceptance point

``acceptance_point`` becomes the record of every organisation that can receive a recommendation:
its ``kind`` (受理点, 主管部门, 区县人社, 人事代理机构) and ``parent_id`` (the level it passes
recommendations on to). A unit's ``supervisor_id`` names the first level of its route. Each
recommendation writes its route in ``application_route_stop``. Existing data keeps working:
every organisation is an acceptance point and every unit recommends straight to one.

A level's return is the new application status ``route_returned``; its decisions are the
history actions ``level_pass`` and ``level_return``.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 01:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

OLD_STATUSES = ('draft pending returned approved rejected publicizing publicized '
                'recommended accepted acceptance_returned not_recommended')
NEW_STATUSES = OLD_STATUSES + ' route_returned'
OLD_ACTIONS = ('create submit resubmit change_unit approve return reject publicize '
               'publicity_end record dismiss not_recommend objection_upheld '
               'objection_return recommend accept acceptance_return')
NEW_ACTIONS = OLD_ACTIONS + ' level_pass level_return'


def condition(column: str, listed: str) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in listed.split())})"


def replace_check(table: str, column: str, listed: str, sqlite: bool) -> None:
    name = op.f(f"ck_{table}_{column}")
    if sqlite:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, condition(column, listed))
    else:
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, condition(column, listed))


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('acceptance_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='acceptance',
                                      nullable=False))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_acceptance_point_kind'),
            condition('kind', 'acceptance department county_hr agency'))
        batch_op.create_foreign_key(batch_op.f('fk_acceptance_point_parent_id_acceptance_point'),
                                    'acceptance_point', ['parent_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_acceptance_point__parent_id'), ['parent_id'],
                              unique=False)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_unit_supervisor_id_acceptance_point'),
                                    'acceptance_point', ['supervisor_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_unit__supervisor_id'), ['supervisor_id'],
                              unique=False)
    op.create_table(
        'application_route_stop',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('reached_at', sa.DateTime(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(condition('decision', 'passed returned'),
                           name=op.f('ck_application_route_stop_decision')),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_application_route_stop_application_id_application')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['account.id'],
                                name=op.f('fk_application_route_stop_decided_by_id_account')),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['acceptance_point.id'],
            name=op.f('fk_application_route_stop_organisation_id_acceptance_point')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_route_stop')),
        sa.UniqueConstraint('application_id', 'attempt', 'position',
                            name='uq_application_route_stop_position'),
    )
    with op.batch_alter_table('application_route_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_route_stop__decided_by_id'),
                              ['decided_by_id'], unique=False)
        batch_op.create_index('ix_application_route_stop_organisation',
                              ['organisation_id', 'decided_at', 'reached_at', 'application_id'],
                              unique=False)
    replace_check('application', 'status', NEW_STATUSES, sqlite)
    replace_check('review_record', 'action', NEW_ACTIONS, sqlite)


def downgrade():
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    # History is never deleted: a database that used the route cannot go back.
    if connection.execute(sa.text(
            "SELECT COUNT(*) FROM application WHERE status = 'route_returned'")).scalar() or \
            connection.execute(sa.text(
                "SELECT COUNT(*) FROM review_record WHERE action IN ('level_pass', "
                "'level_return')")).scalar():
        raise RuntimeError("Applications went through reviewing levels (route_returned, "
                           "level_pass, level_return): this database cannot be downgraded.")
    replace_check('review_record', 'action', OLD_ACTIONS, sqlite)
    replace_check('application', 'status', OLD_STATUSES, sqlite)
    op.drop_table('application_route_stop')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_supervisor_id_acceptance_point'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit__supervisor_id'))
        batch_op.drop_column('supervisor_id')
    with op.batch_alter_table('acceptance_point', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_acceptance_point_parent_id_acceptance_point'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_acceptance_point__parent_id'))
        batch_op.drop_constraint(batch_op.f('ck_acceptance_point_kind'), type_='check')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('kind')

