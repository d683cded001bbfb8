"""What time it is: the one place zcps reads the clock, so the demo and the tests can move it.

``now()`` is naive UTC (what the database stores), ``today()`` the date in Beijing (the day a
period is counted from and ends on). ``travel(moment)`` moves both, and every timestamp the
models write, for the code inside it: the demo builds last month's history by running the
workflow on last month's days.

Column defaults (``created_at``) are evaluated when the session flushes: flush before leaving a
travel, or the rows written in it take the time of the later flush.

The offset is process-wide, not per thread or context: a test's live server answers from other
threads and must see the moved clock too. Production code never moves it; only the demo loader
(before the server starts, or in its own CLI process) and the tests do.
"""
import threading
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
# Where a date alone puts the clock: the middle of a Beijing office morning, far from midnight.
TRAVEL_HOUR = time(10, 0)

_offset = timedelta(0)
# One mover at a time; the same thread may nest travels.
_moving = threading.RLock()


def _real_now() -> datetime:
    return datetime.now(timezone.utc)


def _aware_now() -> datetime:
    return _real_now() + _offset


def now() -> datetime:
    """The current moment as naive UTC, as the database columns hold it."""
    return _aware_now().replace(tzinfo=None)


def now_beijing() -> datetime:
    """The current moment in Beijing time (aware)."""
    return _aware_now().astimezone(BEIJING)


def today() -> date:
    """Today's date in Beijing."""
    return now_beijing().date()


def moment_of(moment: date | datetime) -> datetime:
    """``moment`` as an aware datetime: a date is that day at 10:00 Beijing time; a naive
    datetime is UTC, like the database's."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment
    if isinstance(moment, date):
        return datetime.combine(moment, TRAVEL_HOUR, tzinfo=BEIJING)
    raise TypeError(f"a date or a datetime, not {type(moment).__name__}")


def set(moment: date | datetime) -> datetime:
    """Move the clock to ``moment`` until moved again or :func:`reset`; it keeps running."""
    global _offset
    target = moment_of(moment)
    with _moving:
        _offset = target - _real_now()
    return target


def reset() -> None:
    """Back to the real time."""
    global _offset
    with _moving:
        _offset = timedelta(0)


@contextmanager
def travel(moment: date | datetime):
    """Run the block at ``moment`` (the clock keeps running from there), then come back to
    where the clock was before, also when the block raises. Travels nest."""
    global _offset
    with _moving:
        before = _offset
        try:
            yield set(moment)
        finally:
            _offset = before
