"""The movable clock: Beijing's date, travel in time, and the timestamps the steps write."""
from datetime import date, datetime, timedelta, timezone

import pytest

from models import ReviewRecord, Subject, utcnow
from tests import factories
from zcps import clock, workdays, workflow
from zcps.extensions import db
from zcps.storage import store_bytes


@pytest.fixture(autouse=True)
def real_time_afterwards():
    yield
    clock.reset()


def test_beijing_is_already_on_the_next_day_from_16_00_utc():
    clock.set(datetime(2026, 9, 28, 16, 30, tzinfo=timezone.utc))
    assert clock.today() == date(2026, 9, 29)
    assert clock.now_beijing().hour == 0 and clock.now_beijing().minute == 30
    assert clock.now().date() == date(2026, 9, 28)  # the database's UTC
    assert clock.now().tzinfo is None
    clock.set(datetime(2026, 9, 28, 15, 30, tzinfo=timezone.utc))
    assert clock.today() == date(2026, 9, 28)


def test_a_date_is_that_day_at_ten_in_beijing_and_a_naive_time_is_utc():
    clock.set(date(2026, 9, 29))
    assert clock.now_beijing().replace(second=0, microsecond=0) == datetime(
        2026, 9, 29, 10, 0, tzinfo=clock.BEIJING)
    assert abs(clock.now() - datetime(2026, 9, 29, 2, 0)) < timedelta(seconds=5)
    clock.set(datetime(2026, 9, 28, 23, 0))  # naive: UTC
    assert clock.today() == date(2026, 9, 29)


def test_the_moved_clock_keeps_running():
    clock.set(date(2026, 9, 29))
    first = clock.now()
    while clock.now() == first:
        pass
    assert clock.now() > first


def test_the_product_reads_the_one_clock():
    clock.set(date(2030, 1, 2))
    assert workdays.today() == date(2030, 1, 2)
    assert utcnow().date() == date(2030, 1, 2)


def test_travels_nest_and_come_back_where_they_started():
    clock.set(date(2026, 9, 29))
    with clock.travel(date(2026, 8, 1)):
        assert clock.today() == date(2026, 8, 1)
        with clock.travel(datetime(2026, 7, 1, 3, 0, tzinfo=timezone.utc)):
            assert clock.today() == date(2026, 7, 1)
            assert clock.now_beijing().hour == 11
        assert clock.today() == date(2026, 8, 1)
    assert clock.today() == date(2026, 9, 29)
    with pytest.raises(RuntimeError), clock.travel(date(2020, 1, 1)):
        raise RuntimeError
    assert clock.today() == date(2026, 9, 29)
    clock.reset()
    assert abs(clock.now() - datetime.now(timezone.utc).replace(tzinfo=None)) < timedelta(seconds=5)


def test_the_clock_fixture_starts_on_a_tuesday_and_moves(clock):
    from zcps import clock as system_clock

    assert system_clock.today() == date(2026, 9, 29)
    clock(date(2026, 10, 13))
    assert workdays.today() == date(2026, 10, 13)
    assert utcnow().date() == date(2026, 10, 13)


def test_a_step_inside_a_travel_writes_the_moved_time(app):
    unit = factories.unit("时间单位", authorized=False)
    officer = factories.employer(unit)
    # Column defaults (created_at) are taken when the session flushes: flush before coming back.
    with clock.travel(date(2026, 8, 3)):
        scan = store_bytes(factories.pdf_bytes(), "委托证明.pdf", uploaded_by=officer)
        authorization = workflow.submit_authorization(officer, "经办人", "330106199003071236",
                                                      "13900000001", scan)
        db.session.flush()
    with clock.travel(datetime(2026, 8, 5, 1, 30, tzinfo=timezone.utc)):
        workflow.approve_authorization(factories.admin(), authorization)
        db.session.flush()
    db.session.commit()
    assert authorization.submitted_at.date() == date(2026, 8, 3)
    assert authorization.decided_at.replace(second=0, microsecond=0) == datetime(2026, 8, 5, 1, 30)
    history = db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.AUTHORIZATION, subject_id=authorization.id).order_by(ReviewRecord.id)).all()
    assert [(record.action, record.created_at.date()) for record in history] == [
        ("submit", date(2026, 8, 3)), ("approve", date(2026, 8, 5))]
    assert authorization.created_at.date() == date(2026, 8, 3)
    assert officer.created_at.date() != date(2026, 8, 3)  # made before the travel, at real time
