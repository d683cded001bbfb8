"""The working-day calendar: statutory holidays and adjusted working days (调休).

``chinesecalendar`` knows the official schedule of the years it was released for; the platform
admin's entries (:class:`models.WorkdayOverride`) win over it, and for a year neither knows the
calendar counts Monday to Friday and says so (:func:`unofficial_years`), so that the publicity
form can warn that the year's schedule has not been entered.
"""
from datetime import date, datetime, time, timedelta

import chinese_calendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from models import WorkdayOverride

from . import clock
from .extensions import db

BEIJING = clock.BEIJING
# DESIGN.md §2: a publicity runs at least five working days.
PUBLICITY_WORKING_DAYS = 5
# Longest stretch without five working days (Spring Festival plus weekends) is under a month.
_SEARCH_SPAN = timedelta(days=60)
# The last day a period can be counted from: date arithmetic ends at 9999-12-31.
LAST_COUNTED_DAY = date.max - 3 * _SEARCH_SPAN
# When the office opens (Beijing time): a deadline at or before it leaves nothing of its own day.
OFFICE_OPENS = time(9, 0)


def today() -> date:
    """Today's date in Beijing: the day a period is counted from and ends on."""
    return clock.today()


def official_year(year: int) -> bool:
    """Whether ``chinesecalendar`` holds the official schedule of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def entered_years(years) -> set[int]:
    """Which of ``years`` have at least one admin entry."""
    years = sorted(set(years))
    if not years:
        return set()
    rows = db.session.scalars(sa.select(WorkdayOverride.day).where(
        WorkdayOverride.day >= date(years[0], 1, 1),
        WorkdayOverride.day <= date(years[-1], 12, 31)))
    return {day.year for day in rows} & set(years)


def unofficial_years(start: date, end: date) -> list[int]:
    """Years between ``start`` and ``end`` counted Monday–Friday for want of a schedule."""
    years = [year for year in range(start.year, end.year + 1) if not official_year(year)]
    entered = entered_years(years)
    return [year for year in years if year not in entered]


class Calendar:
    """Working days over a span, with the admin's entries for that span read once."""

    def __init__(self, start: date, end: date):
        rows = db.session.execute(sa.select(WorkdayOverride.day, WorkdayOverride.is_workday)
                                  .where(WorkdayOverride.day >= start,
                                         WorkdayOverride.day <= end))
        self.overrides = {day: is_workday for day, is_workday in rows}

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5


def within_reach(day: date) -> bool:
    """Whether a period can be counted from ``day`` (see LAST_COUNTED_DAY)."""
    return day <= LAST_COUNTED_DAY


def is_workday(day: date) -> bool:
    return Calendar(day, day).is_workday(day)


def count_start_day_setting() -> bool:
    return bool(current_app.config.get("PUBLICITY_COUNT_START_DAY", False))


def earliest_end_date(start: date, count_start_day: bool | None = None,
                      working_days: int = PUBLICITY_WORKING_DAYS,
                      calendar: Calendar | None = None) -> date:
    """The first day on which a period begun on ``start`` holds ``working_days`` working days.

    By default the start day is not counted (posting on Tue 2026-09-29 ends on 2026-10-12); with
    ``count_start_day`` it is, when it is itself a working day. ``calendar`` must cover the
    period when given.
    """
    if count_start_day is None:
        count_start_day = count_start_day_setting()
    calendar = calendar or Calendar(start, start + _SEARCH_SPAN)
    day = start if count_start_day else start + timedelta(days=1)
    counted = 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def first_workday_from(day: date, calendar: Calendar | None = None) -> date:
    """The first working day on or after ``day``."""
    calendar = calendar or Calendar(day, day + _SEARCH_SPAN)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def last_workday_before(deadline: date | datetime, calendar: Calendar | None = None) -> date:
    """The last working day on which something can still be done before ``deadline``.

    ``deadline`` is a moment (naive UTC, as stored) or a day (the whole of it usable). A working
    day on the deadline's own date counts only when the deadline is after the office opens.
    """
    if isinstance(deadline, datetime):
        local = clock.moment_of(deadline).astimezone(BEIJING)
        day = local.date() if local.time() > OFFICE_OPENS else local.date() - timedelta(days=1)
    else:
        day = deadline
    calendar = calendar or Calendar(day - _SEARCH_SPAN, day)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


def latest_start_date(deadline: date | datetime, count_start_day: bool | None = None) -> date:
    """The latest start date of a publicity whose earliest end still leaves a working day to
    act on before ``deadline`` (see :func:`last_workday_before`)."""
    if count_start_day is None:
        count_start_day = count_start_day_setting()
    last = last_workday_before(deadline)
    # One calendar over the span: the search goes back at most a holiday's stretch.
    calendar = Calendar(last - 2 * _SEARCH_SPAN, last + _SEARCH_SPAN)
    start = last - timedelta(days=1)
    while earliest_end_date(start, count_start_day, calendar=calendar) >= last:
        start -= timedelta(days=1)
    return start


def working_days_between(start: date, end: date, count_start_day: bool | None = None) -> int:
    """Working days in the period from ``start`` to ``end`` inclusive (start day per setting)."""
    if count_start_day is None:
        count_start_day = count_start_day_setting()
    calendar = Calendar(start, end)
    day = start if count_start_day else start + timedelta(days=1)
    counted = 0
    while day <= end:
        counted += calendar.is_workday(day)
        day += timedelta(days=1)
    return counted


def days_left(end: date, on: date | None = None) -> int:
    """Calendar days until the period is over, the end date included (0 once it has ended)."""
    on = on or today()
    return max(0, (end - on).days + 1)


def month_day(value: date) -> str:
    """9月29日, as the opinions, the 公示表 and SMS write a date inside a year: text that is
    written down stays Chinese whatever the reader's language (the interface uses
    ``i18n.local_month_day``)."""
    return f"{value.month}月{value.day}日"


# A day's type as the admin types it, in either language of the interface: whether it is a
# working day.
DAY_TYPES = {"休": False, "off": False, "班": True, "work": True}


def parse_entries(text: str) -> tuple[list[tuple[date, bool, str]], list[str]]:
    """Read the admin's entries, one per line: ``2027-02-08 休 春节`` or ``2027-02-14 班``
    (``off`` and ``work`` in English).

    Returns the entries and, for each line that cannot be read, a message naming it.
    """
    entries, errors = [], []
    seen = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("\u3000", " ").split(maxsplit=2)
        if not parts:
            continue
        kind = parts[1].lower() if len(parts) > 1 else None
        if kind not in DAY_TYPES:
            errors.append(_("第%(n)s行「%(line)s」：应为“日期 休”或“日期 班”，例如 2027-02-08 休。",
                            n=number, line=line.strip()))
            continue
        try:
            day = date.fromisoformat(parts[0].replace("/", "-").replace(".", "-"))
        except ValueError:
            errors.append(_("第%(n)s行「%(line)s」：日期应写作 2027-02-08。", n=number, line=line.strip()))
            continue
        if day in seen:
            errors.append(_("第%(n)s行：%(day)s 重复填写。", n=number, day=day.isoformat()))
            continue
        seen.add(day)
        entries.append((day, DAY_TYPES[kind], parts[2].strip() if len(parts) > 2 else ""))
    return entries, errors


def save_entries(entries, actor) -> int:
    """Write entries, replacing any existing entry for the same day; the caller commits."""
    if not entries:
        return 0
    days = [day for day, _, _ in entries]
    existing = {row.day: row for row in db.session.scalars(
        sa.select(WorkdayOverride).where(WorkdayOverride.day.in_(days)))}
    for day, workday, note in entries:
        row = existing.get(day) or WorkdayOverride(day=day)
        row.is_workday = workday
        row.note = note[:100]
        row.updated_by_id = getattr(actor, "id", None)
        db.session.add(row)
    return len(entries)
