"""A transaction the database rolled back to end a deadlock runs again (a bounded number of
times); the last one gives the 系统繁忙 page, never a 500."""
import threading

import psycopg.errors
import pymysql
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from models import Action, ReviewRecord, ReviewStatus, Subject, Unit
from tests import factories
from tests.helpers import ON_SERVERS, page_text, post, signed_in
from zcps import workflow
from zcps.database import is_conflict, retrying
from zcps.extensions import db


def deadlock(kind: str = "postgresql") -> OperationalError:
    """What SQLAlchemy raises when the server chose this transaction to end a deadlock."""
    original = psycopg.errors.DeadlockDetected("deadlock detected") if kind == "postgresql" \
        else pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")
    return OperationalError("UPDATE applicant SET ...", {}, original)


def test_deadlocks_and_serialization_failures_are_conflicts():
    assert is_conflict(deadlock("postgresql")) and is_conflict(deadlock("mysql"))
    assert is_conflict(OperationalError("", {}, psycopg.errors.SerializationFailure("x")))
    # A lost connection, a lock wait that ran out, a duplicate key: not run again.
    assert not is_conflict(OperationalError("", {}, pymysql.err.OperationalError(2013, "lost")))
    assert not is_conflict(OperationalError("", {}, pymysql.err.OperationalError(1205, "wait")))
    assert not is_conflict(IntegrityError("", {}, psycopg.errors.UniqueViolation("dup")))
    assert not is_conflict(ValueError("deadlock"))


@pytest.fixture
def pending_profile(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.PENDING)
    db.session.commit()
    signed_in(client, officer)
    return dict(person=person, page=f"/unit/unit_archive/review/?applicant_id={person.id}")


def deadlocking(monkeypatch, times: int) -> list:
    """The profile decision does its work, then its transaction is chosen as a deadlock's
    victim the first ``times`` times; returns the list of calls."""
    real, calls = workflow.review_profile, []

    def step(*args, **kwargs):
        calls.append(1)
        result = real(*args, **kwargs)
        db.session.flush()
        if len(calls) <= times:
            raise deadlock()
        return result

    monkeypatch.setattr(workflow, "review_profile", step)
    return calls


def approvals(person) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRecord).where(
        ReviewRecord.subject == Subject.PROFILE, ReviewRecord.subject_id == person.id,
        ReviewRecord.action == Action.APPROVE))


def test_a_deadlocked_decision_is_run_again_and_done_once(client, pending_profile, monkeypatch):
    person = pending_profile["person"]
    calls = deadlocking(monkeypatch, times=2)
    response = post(client, "/unit/unit_archive/profile/",
                    {"applicant_id": person.id, "decision": "approve"},
                    token_from=pending_profile["page"], follow_redirects=True)
    assert response.status_code == 200 and len(calls) == 3
    db.session.expire_all()
    assert person.profile_status == ReviewStatus.APPROVED and approvals(person) == 1
    # The message of the attempt that went through, once.
    assert page_text(response).count("申报人甲的基本信息已审核。") == 1
    assert "系统繁忙" not in page_text(response)


def test_a_decision_deadlocked_every_time_gives_the_busy_page(client, pending_profile,
                                                               monkeypatch, app):
    person = pending_profile["person"]
    app.config["DB_CONFLICT_ATTEMPTS"] = 4
    calls = deadlocking(monkeypatch, times=99)
    response = post(client, "/unit/unit_archive/profile/",
                    {"applicant_id": person.id, "decision": "approve"},
                    token_from=pending_profile["page"])
    assert response.status_code == 503 and len(calls) == 4
    assert "系统繁忙" in page_text(response)
    db.session.expire_all()
    assert person.profile_status == ReviewStatus.PENDING and approvals(person) == 0


def test_one_attempt_configured_means_no_retry(client, pending_profile, monkeypatch, app):
    app.config["DB_CONFLICT_ATTEMPTS"] = 1
    calls = deadlocking(monkeypatch, times=1)
    response = post(client, "/unit/unit_archive/profile/",
                    {"applicant_id": pending_profile["person"].id, "decision": "approve"},
                    token_from=pending_profile["page"])
    assert response.status_code == 503 and len(calls) == 1


def test_work_that_committed_before_the_conflict_is_not_run_again(app):
    calls = []

    def work():
        calls.append(1)
        db.session.add(factories.unit(f"单位{len(calls)}"))
        db.session.commit()
        raise deadlock("mysql")

    with pytest.raises(OperationalError):
        retrying(work, db.session, attempts=3)
    assert len(calls) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 1


def test_other_errors_are_not_run_again(app):
    calls = []

    def work():
        calls.append(1)
        raise OperationalError("", {}, pymysql.err.OperationalError(2013, "lost"))

    with pytest.raises(OperationalError):
        retrying(work, db.session, attempts=3)
    assert len(calls) == 1


@ON_SERVERS
def test_a_real_deadlock_is_resolved_by_running_the_loser_again(app):
    """Two transactions lock two rows in opposite orders: the server ends the cycle by rolling
    one back; run again, it goes through."""
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    db.session.commit()
    order = [first.id, second.id]
    barrier = threading.Barrier(2)
    attempts, errors = [], []

    def lock_both(ids):
        attempts.append(tuple(ids))
        for position, unit_id in enumerate(ids):
            db.session.execute(sa.select(Unit.id).where(Unit.id == unit_id).with_for_update())
            if position == 0 and attempts.count(tuple(ids)) == 1:
                barrier.wait(10)  # both hold their first row before asking for the second
        db.session.execute(sa.update(Unit).where(Unit.id.in_(ids)).values(
            contact_name=Unit.contact_name + "x"))
        db.session.commit()

    def run(ids):
        with app.app_context():
            try:
                retrying(lambda: lock_both(ids), db.session, attempts=3)
            except Exception as error:  # noqa: BLE001  reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(ids,)) for ids in (order, order[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(attempts) == 3  # one of the two ran twice
    db.session.rollback()
    assert {unit.contact_name.count("x") for unit in db.session.scalars(sa.select(Unit))} == {2}
