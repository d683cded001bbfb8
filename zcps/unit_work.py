"""超期与待办: per unit, what of a plan's applications waits for it — how many longer than a
number of days, the oldest wait, and how many in each status the unit still has to move before
its deadline. Counted by the database in one grouped query, whatever the number of applications."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Application, ApplicationStatus, PlanStage, ReviewPlan, Unit

from . import clock, plans
from .extensions import db

# The unit's work left before its deadline, column by column.
WORK_COLUMNS = (
    ("pending", _l("待审核"), ApplicationStatus.PENDING),
    ("approved", _l("审核通过待公示"), ApplicationStatus.APPROVED),
    ("publicizing", _l("公示中"), ApplicationStatus.PUBLICIZING),
    ("publicized", _l("公示期满待推荐"), ApplicationStatus.PUBLICIZED),
    ("returned", _l("受理点退回"), ApplicationStatus.ACCEPTANCE_RETURNED),
)


@dataclass
class UnitWork:
    """One unit's applications of a plan that wait for it."""

    name: str
    uscc: str
    overdue: int  # waiting longer than the chosen number of days
    waited: int  # the oldest one's 已等待N天
    total: int
    counts: dict  # {WORK_COLUMNS key: n}
    oldest: datetime | None = None  # since when the oldest one waits
    unit_id: int = 0


def wait_cutoff(days: int) -> datetime:
    """Waiting longer than ``days`` (Beijing days) means in the status since before this."""
    return plans.from_beijing(datetime.combine(clock.today() - timedelta(days=days), time.min))


def unit_work_query(plan: ReviewPlan, days: int):
    """Per unit, from one grouped query: its applications of ``plan`` waiting for it, how many
    of them longer than ``days``, the oldest one's moment, and how many in each status."""
    status = Application.status
    since = Application.status_since
    total = sa.func.count(Application.id)
    overdue = sa.func.sum(sa.case((since < wait_cutoff(days), 1), else_=0))
    counts = [sa.func.sum(sa.case((status == value, 1), else_=0)).label(key)
              for key, _label, value in WORK_COLUMNS]
    return (sa.select(Unit.id.label("unit_id"), Unit.name, Unit.uscc, overdue.label("overdue"),
                      sa.func.min(since).label("oldest"), total.label("total"), *counts)
            .join(Unit, Unit.id == Application.unit_id)
            .where(Application.plan_id == plan.id, status.in_(plans.UNIT_WORK))
            .group_by(Unit.id, Unit.name, Unit.uscc)), overdue, total


def _unit_work(row) -> UnitWork:
    mapping = row._mapping
    return UnitWork(name=row.name, uscc=row.uscc, overdue=int(row.overdue or 0),
                    waited=plans.waited_days(row.oldest) or 0, total=int(row.total),
                    counts={key: int(mapping[key] or 0) for key, _label, _value in WORK_COLUMNS},
                    oldest=row.oldest, unit_id=row.unit_id)


def unit_work(plan: ReviewPlan, days: int) -> tuple[list[UnitWork], list[UnitWork]]:
    """Both lists from one grouped query: the units with applications waiting longer than
    ``days`` (the longest wait first), and every unit with work left (the most first)."""
    query, _overdue, total = unit_work_query(plan, days)
    working = [_unit_work(row) for row in db.session.execute(
        query.order_by(total.desc(), Unit.id))]
    overdue = sorted((unit for unit in working if unit.overdue),
                     key=lambda unit: (unit.oldest, unit.unit_id))
    return overdue, working


def units_with_work(plan: ReviewPlan, days: int) -> list[UnitWork]:
    """Units with applications still to handle before the unit deadline, the most first."""
    return unit_work(plan, days)[1]


def deadline_text(plan: ReviewPlan) -> str:
    """距截止还有N天 / 今天18:00截止 / 已截止 for the unit deadline."""
    if plans.is_past(plan.unit_deadline):
        return _("已截止")
    return plans.Countdown(PlanStage.UNIT, plan.unit_deadline).text

