"""统计分析's three tables from the history, kept per plan so that a province's page reads a few
hundred rows instead of its applications' ~800,000 history rows:

- ``PlanHistoryDay``: per plan, Beijing day and action, the steps taken (the daily line);
- ``PlanHistoryReason``: per plan, action and reason word for word, the steps that gave it
  (the commonest reasons);
- ``PlanUnitReturns``: per plan and unit, the applications returned at least once by the unit
  and by an acceptance point (退回与未通过).

The history is only ever appended to, and an application never changes plan: the first two are
kept by adding each transaction's new history rows just before its commit (an UPDATE … + n,
each row locked in one order, so that two transactions never wait on each other); recounting a
day would read the whole day's history. The returns are recounted from the unit's applications
of the plan for each (plan, unit) a transaction touched (``zcps.kept_counts``). ``rebuild``
recounts all three after a bulk load; ``differences`` compares them with the history."""
import hashlib
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Action,
    Application,
    PlanHistoryDay,
    PlanHistoryReason,
    PlanUnitReturns,
    ReviewRecord,
    Subject,
)

from . import plans
from .database import insert_once
from .kept_counts import RecountedPairs
from .statistics import as_date, beijing_date

UNIT_RETURNS = (Action.RETURN, Action.OBJECTION_RETURN)
POINT_RETURNS = (Action.ACCEPTANCE_RETURN,)
# The actions whose written reason 常见退回与未通过原因 counts.
REASON_ACTIONS = (*UNIT_RETURNS, Action.REJECT, *POINT_RETURNS)
# The summaries hold the actions' codes.
REASON_CODES = {action.value for action in REASON_ACTIONS}
RETURN_CODES = {action.value for action in (*UNIT_RETURNS, *POINT_RETURNS)}
NEW_KEY = "zcps.history_summary.new"


def reason_key(reason: str) -> str:
    return hashlib.sha256(reason.encode("utf-8")).hexdigest()


# --- what the history says ----------------------------------------------------------------

def _plan_records():
    return sa.and_(ReviewRecord.subject == Subject.APPLICATION,
                   ReviewRecord.subject_id == Application.id)


def live_days(session) -> Counter:
    day = beijing_date(ReviewRecord.created_at)
    rows = session.execute(
        sa.select(Application.plan_id, day, ReviewRecord.action, sa.func.count())
        .where(_plan_records()).group_by(Application.plan_id, day, ReviewRecord.action))
    return Counter({(plan_id, as_date(each), action.value): int(times)
                    for plan_id, each, action, times in rows})


def live_reasons(session) -> dict:
    """{(plan, action, reason key): [reason, times]}"""
    counted = {}
    for plan_id, action, reason, times in session.execute(
            sa.select(Application.plan_id, ReviewRecord.action, ReviewRecord.opinion,
                      sa.func.count())
            .where(_plan_records(), ReviewRecord.action.in_(REASON_ACTIONS),
                   ReviewRecord.opinion != "")
            .group_by(Application.plan_id, ReviewRecord.action, ReviewRecord.opinion)):
        kept = counted.setdefault((plan_id, action.value, reason_key(reason)), [reason, 0])
        kept[1] += int(times)
    return counted


def live_returns(plan_id=None, unit_id=None):
    """Per (plan, unit): the applications returned at least once by the unit, by a point."""
    def distinct(actions):
        return sa.func.count(sa.distinct(sa.case(
            (ReviewRecord.action.in_(actions), ReviewRecord.subject_id))))
    query = (sa.select(Application.plan_id, Application.unit_id,
                       distinct(UNIT_RETURNS).label("unit_returned"),
                       distinct(POINT_RETURNS).label("point_returned"))
             .where(_plan_records(), ReviewRecord.action.in_((*UNIT_RETURNS, *POINT_RETURNS)))
             .group_by(Application.plan_id, Application.unit_id))
    if plan_id is not None:
        query = query.where(Application.plan_id == plan_id, Application.unit_id == unit_id)
    return query


# --- kept at commit -------------------------------------------------------------------------

def _add(session, table, key: dict, times: int, extra=None) -> None:
    """Add ``times`` to the row of ``key``, making it first if there is none."""
    where = [table.c[name] == value for name, value in key.items()]
    add = sa.update(table).where(*where).values(times=table.c.times + times)
    if session.execute(add).rowcount:
        return
    insert_once(session, table, {**key, **(extra or {}), "times": 0}, tuple(key))
    session.execute(add)


def _recount_returns(session, pairs) -> None:
    table = PlanUnitReturns.__table__
    for plan_id, unit_id in sorted(pairs):
        where = (table.c.plan_id == plan_id, table.c.unit_id == unit_id)
        locked = sa.select(table.c.plan_id).where(*where).with_for_update()
        if session.execute(locked).first() is None:
            if session.execute(live_returns(plan_id, unit_id)).first() is None:
                continue
            insert_once(session, table, {"plan_id": plan_id, "unit_id": unit_id,
                                         "unit_returned": 0, "point_returned": 0},
                        ("plan_id", "unit_id"))
            session.execute(locked)
        row = session.execute(live_returns(plan_id, unit_id)).first()
        if row is None:
            session.execute(sa.delete(table).where(*where))
        else:
            session.execute(sa.update(table).where(*where).values(
                unit_returned=row.unit_returned, point_returned=row.point_returned))


def _add_new_rows(session) -> None:
    session.flush()
    new = session.info.pop(NEW_KEY, None)
    if not new:
        return
    ids = sorted({subject_id for subject_id, *_rest in new})
    owners = {}
    for start in range(0, len(ids), 1000):
        owners.update((row.id, (row.plan_id, row.unit_id)) for row in session.execute(
            sa.select(Application.id, Application.plan_id, Application.unit_id)
            .where(Application.id.in_(ids[start:start + 1000]))))
    days, reasons, texts = Counter(), Counter(), {}
    for subject_id, action, opinion, created_at in new:
        if subject_id not in owners:
            continue
        plan_id, unit_id = owners[subject_id]
        days[(plan_id, plans.beijing_date(created_at), action)] += 1
        if action in REASON_CODES and opinion:
            key = (plan_id, action, reason_key(opinion))
            reasons[key] += 1
            texts[key] = opinion
        if action in RETURN_CODES:
            _RETURNS.touched(session, plan_id, unit_id)
    for (plan_id, day, action), times in sorted(days.items()):
        _add(session, PlanHistoryDay.__table__,
             {"plan_id": plan_id, "day": day, "action": action}, times)
    for key, times in sorted(reasons.items()):
        plan_id, action, hashed = key
        _add(session, PlanHistoryReason.__table__,
             {"plan_id": plan_id, "action": action, "reason_key": hashed}, times,
             {"reason": texts[key]})


@sa.event.listens_for(Session, "after_flush")
def _collect(session, _context):
    for record in session.new:
        if isinstance(record, ReviewRecord) and record.subject == Subject.APPLICATION:
            session.info.setdefault(NEW_KEY, []).append(
                (record.subject_id, getattr(record.action, "value", record.action), record.opinion or "",
                 record.created_at))
    for record in (*session.dirty, *session.deleted):
        if not isinstance(record, Application):
            continue
        state = sa.inspect(record)
        if record in session.dirty and not any(
                state.attrs[name].history.has_changes() for name in ("plan_id", "unit_id")):
            continue
        for plan_id in {record.plan_id, *state.attrs.plan_id.history.deleted}:
            for unit_id in {record.unit_id, *state.attrs.unit_id.history.deleted}:
                _RETURNS.touched(session, plan_id, unit_id)


def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(NEW_KEY, None)


# Registered before the returns' recount, which runs after it at the same commit.
sa.event.listen(Session, "before_commit", _add_new_rows)
sa.event.listen(Session, "after_transaction_end", _forget)
_RETURNS = RecountedPairs("history_returns", _recount_returns)


# --- rebuilt and checked ------------------------------------------------------------------

def _kept_days(session) -> Counter:
    return Counter({(row.plan_id, as_date(row.day), row.action): row.times
                    for row in session.execute(sa.select(PlanHistoryDay.__table__))
                    if row.times})


def _kept_reasons(session) -> dict:
    return {(row.plan_id, row.action, row.reason_key): [row.reason, row.times]
            for row in session.execute(sa.select(PlanHistoryReason.__table__)) if row.times}


def _kept_returns(session) -> dict:
    return {(row.plan_id, row.unit_id): (row.unit_returned, row.point_returned)
            for row in session.execute(sa.select(PlanUnitReturns.__table__))
            if row.unit_returned or row.point_returned}


def _counted_returns(session) -> dict:
    return {(row.plan_id, row.unit_id): (row.unit_returned, row.point_returned)
            for row in session.execute(live_returns())
            if row.unit_returned or row.point_returned}


def _insert(session, table, rows) -> None:
    for start in range(0, len(rows), 10_000):
        session.execute(sa.insert(table), rows[start:start + 10_000])


def rebuild(session) -> int:
    """Recount the three from the history (after a bulk load or a repair); the rows written."""
    for model in (PlanHistoryDay, PlanHistoryReason, PlanUnitReturns):
        session.execute(sa.delete(model.__table__))
    days = [{"plan_id": plan_id, "day": day, "action": action, "times": times}
            for (plan_id, day, action), times in live_days(session).items()]
    reasons = [{"plan_id": plan_id, "action": action, "reason_key": key, "reason": reason,
                "times": times}
               for (plan_id, action, key), (reason, times) in live_reasons(session).items()]
    returns = [{"plan_id": plan_id, "unit_id": unit_id, "unit_returned": unit_returned,
                "point_returned": point_returned}
               for (plan_id, unit_id), (unit_returned, point_returned)
               in _counted_returns(session).items()]
    _insert(session, PlanHistoryDay.__table__, days)
    _insert(session, PlanHistoryReason.__table__, reasons)
    _insert(session, PlanUnitReturns.__table__, returns)
    return len(days) + len(reasons) + len(returns)


def differences(session) -> list[tuple]:
    """(table, key, kept, counted) for every row that differs from the history."""
    found = []
    for name, kept, counted in (
            ("plan_history_day", _kept_days(session), live_days(session)),
            ("plan_history_reason", _kept_reasons(session), live_reasons(session)),
            ("plan_unit_returns", _kept_returns(session), _counted_returns(session))):
        for key in sorted(set(kept) | set(counted), key=repr):
            if kept.get(key) != counted.get(key):
                found.append((name, key, kept.get(key), counted.get(key)))
    return found
