"""超期与待办: per unit, what of a plan's applications waits for it — how many longer than a
number of days, the oldest wait, and how many in each status the unit still has to move before
its deadline.

A province's plan has some 100,000 applications waiting for 5,000 units; counting them for every
page view would grow with the province. So the counts live in ``PlanUnitWork``, a row per plan
and unit, recounted in the transaction of every change to an application: the session collects
the (plan, unit) pairs its flushes touched, and before the commit each pair's row is locked and
recounted from the applications (a statement that, under READ COMMITTED — PostgreSQL's default,
set for MySQL and MariaDB in ``zcps.config`` — sees every commit made before the lock was
granted). The page reads the rows; only the 等待超过N天 count, which depends on N and on today,
is counted live, for the units on the page."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import chain

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Application, ApplicationStatus, PlanStage, PlanUnitWork, ReviewPlan, Unit

from . import clock, plans
from .database import insert_once
from .extensions import db
from .kept_counts import RecountedPairs

# The unit's work left before its deadline, column by column (a column of PlanUnitWork each).
WORK_COLUMNS = (
    ("pending", _l("待审核"), (ApplicationStatus.PENDING,)),
    ("approved", _l("审核通过待公示"), (ApplicationStatus.APPROVED,)),
    ("publicizing", _l("公示中"), (ApplicationStatus.PUBLICIZING,)),
    ("publicized", _l("公示期满待推荐"), (ApplicationStatus.PUBLICIZED,)),
    # Returned by the acceptance point or by a reviewing level of the route.
    ("returned", _l("受理点退回"), (ApplicationStatus.ACCEPTANCE_RETURNED,
                                 ApplicationStatus.ROUTE_RETURNED)),
)
assert {status for _key, _label, statuses in WORK_COLUMNS
        for status in statuses} == set(plans.UNIT_WORK)

# What in an application moves its (plan, unit) pair's counts.
WATCHED = ("status", "status_since", "plan_id", "unit_id")


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


def live_counts(plan_id: int | None = None, unit_id: int | None = None):
    """Per (plan, unit), counted from the applications: each WORK_COLUMNS status, the total
    and the oldest status_since — what the PlanUnitWork rows must hold."""
    status = Application.status
    query = (sa.select(Application.plan_id, Application.unit_id,
                       *[sa.func.sum(sa.case((status.in_(values), 1), else_=0)).label(key)
                         for key, _label, values in WORK_COLUMNS],
                       sa.func.count(Application.id).label("total"),
                       sa.func.min(Application.status_since).label("oldest"))
             .where(status.in_(plans.UNIT_WORK), Application.plan_id.is_not(None),
                    Application.unit_id.is_not(None))
             .group_by(Application.plan_id, Application.unit_id))
    if plan_id is not None:
        query = query.where(Application.plan_id == plan_id)
    if unit_id is not None:
        query = query.where(Application.unit_id == unit_id)
    return query


def _values(row) -> dict:
    mapping = row._mapping if row is not None else {}
    values = {key: int(mapping.get(key) or 0) for key, _label, _value in WORK_COLUMNS}
    values["total"] = int(mapping.get("total") or 0)
    values["oldest"] = mapping.get("oldest")
    return values


def touched(session, plan_id: int | None, unit_id: int | None) -> None:
    """Recount this pair before ``session`` commits (for changes made without the ORM)."""
    _PAIRS.touched(session, plan_id, unit_id)


def recount(session, pairs) -> None:
    """Lock each pair's row (in one order, so two transactions never wait on each other) and
    write its counts as the applications have them now."""
    table = PlanUnitWork.__table__
    for plan_id, unit_id in sorted(pairs):
        where = (table.c.plan_id == plan_id, table.c.unit_id == unit_id)
        locked = sa.select(table.c.plan_id).where(*where).with_for_update()
        if session.execute(locked).first() is None:
            insert_once(session, table, {"plan_id": plan_id, "unit_id": unit_id,
                                         **_values(None)}, ("plan_id", "unit_id"))
            session.execute(locked)
        row = session.execute(live_counts(plan_id, unit_id)).first()
        session.execute(sa.update(table).where(*where).values(**_values(row)))


def rebuild(session) -> int:
    """Recount every pair from the applications (after a bulk load or a repair); returns the
    number of rows written."""
    table = PlanUnitWork.__table__
    session.execute(sa.delete(table))
    rows = [{"plan_id": row.plan_id, "unit_id": row.unit_id, **_values(row)}
            for row in session.execute(live_counts())]
    if rows:
        session.execute(sa.insert(table), rows)
    return len(rows)


def differences(session) -> list[tuple]:
    """(plan, unit, kept, counted) for every pair whose row differs from the applications."""
    kept = {(row.plan_id, row.unit_id): _values(row)
            for row in session.execute(sa.select(PlanUnitWork.__table__))}
    counted = {(row.plan_id, row.unit_id): _values(row) for row in session.execute(live_counts())}
    empty = _values(None)
    return [(plan_id, unit_id, kept.get(pair, empty), counted.get(pair, empty))
            for pair in sorted(set(kept) | set(counted))
            for plan_id, unit_id in [pair]
            if kept.get(pair, empty) != counted.get(pair, empty)]


@sa.event.listens_for(Session, "after_flush")
def _collect(session, _context):
    for record in chain(session.new, session.dirty, session.deleted):
        if not isinstance(record, Application):
            continue
        state = sa.inspect(record)
        if record in session.dirty and not any(
                state.attrs[name].history.has_changes() for name in WATCHED):
            continue
        for plan_id in {record.plan_id, *state.attrs.plan_id.history.deleted}:
            for unit_id in {record.unit_id, *state.attrs.unit_id.history.deleted}:
                touched(session, plan_id, unit_id)


_PAIRS = RecountedPairs("unit_work", recount)


# --- reading ------------------------------------------------------------------------------------

def wait_cutoff(days: int) -> datetime:
    """Waiting longer than ``days`` (Beijing days) means in the status since before this."""
    return plans.from_beijing(datetime.combine(clock.today() - timedelta(days=days), time.min))


def _overdue_counts(plan: ReviewPlan, days: int, unit_ids=None) -> dict:
    """{unit id: applications of ``plan`` waiting longer than ``days``}, for ``unit_ids``
    (every unit when None)."""
    if unit_ids is not None and not unit_ids:
        return {}
    query = (sa.select(Application.unit_id, sa.func.count(Application.id))
             .where(Application.plan_id == plan.id, Application.status.in_(plans.UNIT_WORK),
                    Application.status_since < wait_cutoff(days))
             .group_by(Application.unit_id))
    if unit_ids is not None:
        query = query.where(Application.unit_id.in_(sorted(unit_ids)))
    return dict(db.session.execute(query).all())


def unit_work(plan: ReviewPlan, days: int,
              limit: int | None = None) -> tuple[list[UnitWork], list[UnitWork]]:
    """The units with applications waiting longer than ``days`` (the longest wait first), and
    every unit with work left (the most first); at most ``limit`` of each."""
    work = PlanUnitWork
    base = (sa.select(work, Unit.name, Unit.uscc).join(Unit, Unit.id == work.unit_id)
            .where(work.plan_id == plan.id))
    late = base.where(work.oldest < wait_cutoff(days)).order_by(work.oldest, work.unit_id)
    busy = base.where(work.total > 0).order_by(work.total.desc(), work.unit_id)
    if limit is not None:
        late, busy = late.limit(limit), busy.limit(limit)
    late_rows, busy_rows = db.session.execute(late).all(), db.session.execute(busy).all()
    # Only the first table shows how many wait longer than ``days``: counted for its units.
    overdue = _overdue_counts(plan, days, {row.PlanUnitWork.unit_id for row in late_rows}
                              if limit is not None else None)

    def unit(row) -> UnitWork:
        kept = row.PlanUnitWork
        return UnitWork(name=row.name, uscc=row.uscc, overdue=overdue.get(kept.unit_id, 0),
                        waited=plans.waited_days(kept.oldest) or 0, total=kept.total,
                        counts={key: getattr(kept, key) for key, _label, _value in WORK_COLUMNS},
                        oldest=kept.oldest, unit_id=kept.unit_id)
    return [unit(row) for row in late_rows], [unit(row) for row in busy_rows]


def units_with_work(plan: ReviewPlan, days: int) -> list[UnitWork]:
    """Every unit with applications still to handle before the unit deadline, the most first."""
    return unit_work(plan, days)[1]


def deadline_text(plan: ReviewPlan) -> str:
    """距截止还有N天 / 今天18:00截止 / 已截止 for the unit deadline."""
    if plans.is_past(plan.unit_deadline):
        return _("已截止")
    return plans.Countdown(PlanStage.UNIT, plan.unit_deadline).text

