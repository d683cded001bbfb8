"""业绩档案审核: per unit and person, what of the person's archive waits for the unit.

A unit of 8,000 people has some 40,000 items; counting them for every page view (the tabs, the
待审核 list, the 已等待 sort) grows with the unit. So the counts live in
``ArchiveReviewSummary``, a row per unit and person with items there, recounted in the
transaction of every change to an item (submitted, decided, returned, withdrawn, deleted) or to
a person's basic information or unit — as ``zcps.unit_work`` keeps ``plan_unit_work``: the
session collects the (person, unit) pairs its flushes touched, and before the commit each
pair's row is locked and recounted from the items (a statement that, under READ COMMITTED,
sees every commit made before the lock was granted)."""
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Applicant, ArchiveItem, ArchiveReviewSummary, ReviewStatus

from .database import insert_once
from .kept_counts import RecountedPairs

STATUSES = tuple(status.value for status in ReviewStatus)  # a column of the summary each
KEPT = (*STATUSES, "total", "waiting", "profile_pending", "waiting_since")

# What in an item or a person moves its pairs' rows.
ITEM_WATCHED = ("status", "unit_id", "applicant_id", "submitted_at")
PERSON_WATCHED = ("profile_status", "profile_submitted_at", "unit_id")


def live_counts(applicant_id: int | None = None, unit_id: int | None = None):
    """Per (person, unit), counted from the items and the person: what the rows must hold."""
    item = ArchiveItem
    counted = (sa.select(item.applicant_id, item.unit_id,
                         *[sa.func.sum(sa.case((item.status == status, 1), else_=0)).label(status)
                           for status in STATUSES],
                         sa.func.count(item.id).label("total"),
                         sa.func.min(sa.case((item.status == ReviewStatus.PENDING,
                                              item.submitted_at))).label("oldest"))
               .where(item.unit_id.is_not(None))
               .group_by(item.applicant_id, item.unit_id))
    if applicant_id is not None:
        counted = counted.where(item.applicant_id == applicant_id)
    if unit_id is not None:
        counted = counted.where(item.unit_id == unit_id)
    counted = counted.subquery()
    return (sa.select(counted, Applicant.profile_status, Applicant.profile_submitted_at,
                      Applicant.unit_id.label("person_unit_id"))
            .join(Applicant, Applicant.id == counted.c.applicant_id))


def _values(row) -> dict:
    """The summary's columns from a row of ``live_counts`` (or a kept row; None: no items)."""
    mapping = row._mapping if row is not None else {}
    values = {status: int(mapping.get(status) or 0) for status in STATUSES}
    values["total"] = int(mapping.get("total") or 0)
    values["waiting"] = values[ReviewStatus.PENDING.value] > 0
    if "oldest" not in mapping:  # a kept row
        values["waiting"] = bool(mapping.get("waiting"))
        values["profile_pending"] = bool(mapping.get("profile_pending"))
        values["waiting_since"] = mapping.get("waiting_since")
        return values
    profile = (mapping["profile_status"] == ReviewStatus.PENDING
               and mapping["person_unit_id"] == mapping["unit_id"])
    values["profile_pending"] = profile
    oldest, since = mapping["oldest"], mapping["profile_submitted_at"] if profile else None
    values["waiting_since"] = since if since is not None and (
        oldest is None or since < oldest) else oldest
    return values


def touched(session, applicant_id: int | None, unit_id: int | None) -> None:
    """Recount this pair before ``session`` commits (for changes made without the ORM)."""
    _PAIRS.touched(session, applicant_id, unit_id)


def recount(session, pairs) -> None:
    """Lock each pair's row (in one order, so two transactions never wait on each other) and
    write what the items say now; a person with no item left at the unit loses the row."""
    table = ArchiveReviewSummary.__table__
    for applicant_id, unit_id in sorted(pairs):
        where = (table.c.unit_id == unit_id, table.c.applicant_id == applicant_id)
        locked = sa.select(table.c.unit_id).where(*where).with_for_update()
        if session.execute(locked).first() is None:
            if session.execute(live_counts(applicant_id, unit_id)).first() is None:
                continue  # no items there, no row: nothing to keep
            insert_once(session, table, {"unit_id": unit_id, "applicant_id": applicant_id,
                                         **_values(None)}, ("unit_id", "applicant_id"))
            session.execute(locked)
        row = session.execute(live_counts(applicant_id, unit_id)).first()
        if row is None:
            session.execute(sa.delete(table).where(*where))
        else:
            session.execute(sa.update(table).where(*where).values(**_values(row)))


def rebuild(session) -> int:
    """Recount every pair from the items (after a bulk load or a repair); returns the number
    of rows written."""
    table = ArchiveReviewSummary.__table__
    session.execute(sa.delete(table))
    rows = [{"unit_id": row.unit_id, "applicant_id": row.applicant_id, **_values(row)}
            for row in session.execute(live_counts())]
    for start in range(0, len(rows), 10_000):
        session.execute(sa.insert(table), rows[start:start + 10_000])
    return len(rows)


def differences(session) -> list[tuple]:
    """(person, unit, kept, counted) for every pair whose row differs from the items."""
    kept = {(row.applicant_id, row.unit_id): _values(row)
            for row in session.execute(sa.select(ArchiveReviewSummary.__table__))}
    counted = {(row.applicant_id, row.unit_id): _values(row)
               for row in session.execute(live_counts())}
    return [(applicant_id, unit_id, kept.get(pair), counted.get(pair))
            for pair in sorted(set(kept) | set(counted))
            for applicant_id, unit_id in [pair]
            if kept.get(pair) != counted.get(pair)]


def _history(state, name) -> set:
    return set(state.attrs[name].history.deleted) - {None}


@sa.event.listens_for(Session, "after_flush")
def _collect(session, _context):
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, ArchiveItem):
            watched = ITEM_WATCHED
        elif isinstance(record, Applicant):
            watched = PERSON_WATCHED
        else:
            continue
        state = sa.inspect(record)
        if record in session.dirty and not any(
                state.attrs[name].history.has_changes() for name in watched):
            continue
        if isinstance(record, ArchiveItem):
            for applicant_id in {record.applicant_id, *_history(state, "applicant_id")}:
                for unit_id in {record.unit_id, *_history(state, "unit_id")}:
                    touched(session, applicant_id, unit_id)
        else:
            # The basic information waits for the person's unit only: the old and new unit.
            for unit_id in {record.unit_id, *_history(state, "unit_id")}:
                touched(session, record.id, unit_id)


_PAIRS = RecountedPairs("archive_summary", recount)
