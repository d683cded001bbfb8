"""Statistics of a plan's applications (统计分析, 本单位统计, 受理统计): aggregates computed in the
database, each scoped to the reader by ``Application.scope_clause`` (a unit counts its own
people, an acceptance point what was recommended to it, the platform admin everything).

Stages of the funnel are read from the status an application holds now; an application counts
in a stage when it is there or has gone past it:

- 申报: submitted at least once (every status but 草稿);
- 单位审核通过: the unit approved it (审核通过 and everything after it);
- 公示: publicized (公示中, 公示期满, and what follows: 已推荐, 已受理, 受理点退回, 不予推荐);
- 推荐: recommended to an acceptance point (已推荐, 已受理, 受理点退回);
- 受理: accepted (已受理).

An application sent back to its applicant (退回修改) counts as 申报 only, whatever it had
reached before, so that each stage matches what the lists show now. Returns are counted from
the history (applications sent back at least once), rejections from the status.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import (
    AcceptancePoint,
    Action,
    Application,
    ApplicationStatus,
    ReviewPlan,
    ReviewRecord,
    Subject,
    TitleSeries,
    Unit,
)
from models.base import to_id

from . import plans
from .extensions import db

S = ApplicationStatus
SUBMITTED = tuple(status for status in S if status != S.DRAFT)
RECOMMENDED = (S.RECOMMENDED, S.ACCEPTED, S.ACCEPTANCE_RETURNED)
PUBLICIZED = (S.PUBLICIZING, S.PUBLICIZED, S.NOT_RECOMMENDED, *RECOMMENDED)
UNIT_APPROVED = (S.APPROVED, *PUBLICIZED)
ACCEPTED = (S.ACCEPTED,)

FUNNEL = (
    ("submitted", _l("申报"), SUBMITTED),
    ("unit_approved", _l("单位审核通过"), UNIT_APPROVED),
    ("publicized", _l("公示"), PUBLICIZED),
    ("recommended", _l("推荐"), RECOMMENDED),
    ("accepted", _l("受理"), ACCEPTED),
)
# The columns of the tables by series and level, by unit and by acceptance point.
PROGRESS = (
    ("submitted", _l("申报"), SUBMITTED),
    ("unit_approved", _l("单位审核通过"), UNIT_APPROVED),
    ("recommended", _l("推荐"), RECOMMENDED),
    ("accepted", _l("受理"), ACCEPTED),
    ("rejected", _l("审核未通过"), (S.REJECTED,)),
)
# What an acceptance point received, by the tabs of its inbox.
RECEIVED = (
    ("received", _l("收到推荐"), RECOMMENDED),
    ("waiting", _l("待受理"), (S.RECOMMENDED,)),
    ("accepted", _l("已受理"), (S.ACCEPTED,)),
    ("returned", _l("已退回"), (S.ACCEPTANCE_RETURNED,)),
)
UNIT_RETURNS = (Action.RETURN, Action.OBJECTION_RETURN)


@dataclass
class Table:
    """One table of a statistics page: its name (the export's address), headers and rows; the
    chart draws ``chart_column`` against the first column."""

    name: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    chart_column: int | None = 1


def plan_choices(actor) -> list:
    """Every plan the reader may choose, newest first."""
    return db.session.scalars(ReviewPlan.select_for(actor).order_by(
        ReviewPlan.year.desc(), ReviewPlan.apply_start.desc(), ReviewPlan.id.desc())).all()


def chosen_plan(choices: list, value) -> ReviewPlan | None:
    """The plan ``value`` names among ``choices``; anything else (missing, not a number, not a
    plan) gives the current plan, else the newest begun, else the newest."""
    wanted = to_id(value)
    for plan in choices:
        if plan.id == wanted:
            return plan
    current = plans.current_plans()
    if current:
        return current[-1]
    begun = [plan for plan in choices if plan.apply_start <= plans.utcnow()]
    return (begun or choices or [None])[0]


def _count_of(statuses, label: str):
    return sa.func.coalesce(sa.func.sum(sa.case((Application.status.in_(statuses), 1),
                                                else_=0)), 0).label(label)


def _scoped(actor, plan):
    return sa.and_(Application.scope_clause(actor), Application.plan_id == plan.id,
                   Application.status != S.DRAFT)


def funnel(actor, plan) -> Table:
    row = db.session.execute(sa.select(*(_count_of(statuses, key) for key, _label, statuses
                                         in FUNNEL)).where(_scoped(actor, plan))).one()
    return Table("funnel", str(_l("各阶段人数")), [str(_l("阶段")), str(_l("人数"))],
                 [[str(label), int(count)] for (_key, label, _s), count in zip(FUNNEL, row)])


def _grouped(actor, plan, keys, group_by, order_by, columns, where=None):
    query = (sa.select(*keys, *(_count_of(statuses, key) for key, _label, statuses in columns))
             .where(_scoped(actor, plan)))
    if where is not None:
        query = query.where(where)
    return db.session.execute(query.group_by(*group_by).order_by(*order_by)).all()


def by_series(actor, plan) -> Table:
    rows = _grouped(actor, plan, (TitleSeries.name, Application.level),
                    (TitleSeries.sort_order, TitleSeries.id, TitleSeries.name, Application.level),
                    (TitleSeries.sort_order, TitleSeries.id, Application.level), PROGRESS,
                    where=TitleSeries.id == Application.series_id)
    return Table("series", str(_l("按申报系列和级别")),
                 [str(_l("申报系列")), str(_l("申报级别"))] + [str(label) for _k, label, _s in PROGRESS],
                 [[name, str(level.label),
                   *(int(count) for count in counts)] for name, level, *counts in rows],
                 chart_column=2)


def by_unit(actor, plan, columns=PROGRESS, name="units", title=_l("按用人单位")) -> Table:
    rows = _grouped(actor, plan, (Unit.name,), (Unit.id, Unit.name),
                    (sa.func.count().desc(), Unit.name, Unit.id), columns,
                    where=Unit.id == Application.unit_id)
    return Table(name, str(title), [str(_l("工作单位"))] + [str(label) for _k, label, _s in columns],
                 [[unit, *(int(count) for count in counts)] for unit, *counts in rows])


def by_point(actor, plan) -> Table:
    rows = _grouped(actor, plan, (AcceptancePoint.name,),
                    (AcceptancePoint.id, AcceptancePoint.name),
                    (sa.func.count().desc(), AcceptancePoint.name, AcceptancePoint.id), RECEIVED,
                    where=AcceptancePoint.id == Application.acceptance_point_id)
    return Table("points", str(_l("按受理点")),
                 [str(_l("受理点"))] + [str(label) for _k, label, _s in RECEIVED],
                 [[point, *(int(count) for count in counts)] for point, *counts in rows])


def received_by_unit(actor, plan) -> Table:
    return by_unit(actor, plan, RECEIVED, "received_units", _l("按推荐单位"))


def received_by_series(actor, plan) -> Table:
    rows = _grouped(actor, plan, (TitleSeries.name,), (TitleSeries.sort_order, TitleSeries.id,
                                                        TitleSeries.name),
                    (TitleSeries.sort_order, TitleSeries.id), RECEIVED,
                    where=TitleSeries.id == Application.series_id)
    return Table("received_series", str(_l("按申报系列")),
                 [str(_l("申报系列"))] + [str(label) for _k, label, _s in RECEIVED],
                 [[series, *(int(count) for count in counts)] for series, *counts in rows])


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def returns(actor, plan) -> Table:
    """Returned to the applicant at least once (by the unit, or after an objection), rejected
    by the unit, returned by an acceptance point at least once; each with its rate."""
    returned = sa.select(ReviewRecord.subject_id).where(
        ReviewRecord.subject == Subject.APPLICATION, ReviewRecord.scope_clause(actor))
    unit_returned = Application.id.in_(returned.where(ReviewRecord.action.in_(UNIT_RETURNS)))
    point_returned = Application.id.in_(returned.where(
        ReviewRecord.action == Action.ACCEPTANCE_RETURN))
    count = sa.func.count
    submitted, recommended, unit_count, rejected, point_count = db.session.execute(
        sa.select(count(), _count_of(RECOMMENDED, "recommended"),
                  count(sa.case((unit_returned, 1))), _count_of((S.REJECTED,), "rejected"),
                  count(sa.case((point_returned, 1))))
        .where(_scoped(actor, plan))).one()
    rows = [
        [str(_l("单位退回修改")), int(unit_count), _rate(unit_count, submitted)],
        [str(_l("审核未通过")), int(rejected), _rate(rejected, submitted)],
        [str(_l("受理点退回")), int(point_count), _rate(point_count, int(recommended))],
    ]
    return Table("returns", str(_l("退回与未通过")),
                 [str(_l("情形")), str(_l("申报数")), str(_l("比例"))], rows)


def admin_tables(actor, plan) -> list:
    return [funnel(actor, plan), by_series(actor, plan), by_point(actor, plan),
            by_unit(actor, plan), returns(actor, plan)]


def unit_tables(actor, plan) -> list:
    return [funnel(actor, plan), by_series(actor, plan), returns(actor, plan)]


def acceptance_tables(actor, plan) -> list:
    return [received_by_unit(actor, plan), received_by_series(actor, plan)]
