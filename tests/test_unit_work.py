"""超期与待办's kept counts (``plan_unit_work``): after every kind of change to an application —
each step, a resubmission to another unit, a publicity ended by a bulk update, a rollback, two
units' officers deciding at the same moment — the row of each plan and unit equals what the
applications say, and the repair command finds and mends any difference."""
from datetime import date

import pytest
import sqlalchemy as sa

from models import Application, ApplicationStatus, PlanUnitWork, ReviewStatus
from tests import factories
from tests.helpers import ON_SERVERS, Step, run_together
from zcps import unit_work, workflow
from zcps.extensions import db

POSTED = date(2026, 10, 8)


def kept(plan, unit) -> dict | None:
    row = db.session.get(PlanUnitWork, (plan.id, unit.id), populate_existing=True)
    if row is None:
        return None
    return {"pending": row.pending, "approved": row.approved, "publicizing": row.publicizing,
            "publicized": row.publicized, "returned": row.returned, "total": row.total}


def counts(pending=0, approved=0, publicizing=0, publicized=0, returned=0) -> dict:
    return {"pending": pending, "approved": approved, "publicizing": publicizing,
            "publicized": publicized, "returned": returned,
            "total": pending + approved + publicizing + publicized + returned}


@pytest.fixture
def world(app, clock):
    """甲单位 with an application in every status of this year's plan; 乙单位 with one pending
    under another plan."""
    clock(POSTED)
    plan = factories.usual_plan()
    other = factories.plan("另一评审计划")
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    point = factories.acceptance_point("杭州市受理点", plan_record=plan)
    made = {status: factories.application(factories.applicant(a), status, plan=plan,
                                          acceptance_point=point)
            for status in ApplicationStatus}
    factories.application(factories.applicant(b), plan=other)
    db.session.commit()
    return {"plan": plan, "other": other, "a": a, "b": b, "made": made}


def test_every_status_is_counted_in_its_column_and_nothing_else(world):
    plan, other, a, b = world["plan"], world["other"], world["a"], world["b"]
    # 退回: by the acceptance point and by a reviewing level of the route.
    assert kept(plan, a) == counts(pending=1, approved=1, publicizing=1, publicized=1,
                                   returned=2)
    assert kept(other, b) == counts(pending=1)
    assert kept(plan, b) is None
    assert unit_work.differences(db.session) == []
    oldest = db.session.get(PlanUnitWork, (plan.id, a.id)).oldest
    assert oldest == db.session.scalar(
        sa.select(sa.func.min(Application.status_since))
        .where(Application.unit_id == a.id, Application.plan_id == plan.id,
               Application.status.in_(list(unit_work.plans.UNIT_WORK))))


def test_a_decision_moves_the_count_in_the_same_commit(world):
    plan, a = world["plan"], world["a"]
    officer = factories.employer(a)
    pending = world["made"][ApplicationStatus.PENDING]
    workflow.review_application(officer, pending, "approve", "同意。")
    db.session.commit()
    assert kept(plan, a) == counts(approved=2, publicizing=1, publicized=1, returned=2)
    assert unit_work.differences(db.session) == []


def test_a_rolled_back_change_leaves_the_counts_as_they_were(world):
    plan, a = world["plan"], world["a"]
    pending = world["made"][ApplicationStatus.PENDING]
    pending.status = ApplicationStatus.REJECTED
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing left to recount from the rolled-back flush
    assert kept(plan, a) == counts(pending=1, approved=1, publicizing=1, publicized=1,
                                   returned=2)
    assert unit_work.differences(db.session) == []


def test_an_ended_publicity_closed_by_a_bulk_update_is_recounted(world, clock):
    plan, a = world["plan"], world["a"]
    officer = factories.employer(a)
    workflow.start_publicity(officer, [world["made"][ApplicationStatus.APPROVED]], POSTED, None,
                             "人事处 0571-88000001", **factories.OBJECTION)
    db.session.commit()
    assert kept(plan, a) == counts(pending=1, publicizing=2, publicized=1, returned=2)
    clock(date(2026, 11, 30))
    assert workflow.close_ended_publicities() >= 1
    db.session.commit()
    assert kept(plan, a)["publicizing"] == 0
    assert unit_work.differences(db.session) == []


def test_a_resubmission_to_another_unit_moves_the_count_between_the_units(world):
    plan, a, b = world["plan"], world["a"], world["b"]
    application = world["made"][ApplicationStatus.RETURNED]
    person = application.applicant
    account = factories.applicant_account(person)
    workflow.choose_unit(account, b)
    factories.decide_profile(person, ReviewStatus.APPROVED)
    # What 甲单位 approved goes to 乙单位 for review before it can go with the application.
    items = [extracted.archive_item for extracted in application.items]
    for item in items:
        workflow.save_item(account, item, title=item.title)
        workflow.review_item(factories.employer(b), item, "approve")
    workflow.extract_items(account, application, [item.id for item in items])
    db.session.commit()
    workflow.submit_application(account, application, declared=True)
    db.session.commit()
    assert application.unit_id == b.id
    assert kept(plan, b) == counts(pending=1)
    assert kept(plan, a) == counts(pending=1, approved=1, publicizing=1, publicized=1,
                                   returned=2)
    assert unit_work.differences(db.session) == []


def test_the_command_finds_a_difference_and_the_rebuild_mends_it(world, runner):
    plan, a = world["plan"], world["a"]
    db.session.execute(sa.update(PlanUnitWork).where(PlanUnitWork.unit_id == a.id)
                       .values(pending=7, total=11))
    db.session.commit()

    result = runner.invoke(args=["zcps", "unit-work"])
    assert result.exit_code == 1
    assert f"计划 {plan.id} 单位 {a.id}：统计 11，实际 6" in result.output
    assert "1 处不一致。" in result.output

    result = runner.invoke(args=["zcps", "unit-work", "--rebuild"])
    assert result.exit_code == 0 and "已重新统计 2 个单位的待办。" in result.output
    result = runner.invoke(args=["zcps", "unit-work"])
    assert result.exit_code == 0 and "单位待办统计与申报记录一致。" in result.output
    db.session.rollback()
    assert kept(plan, a)["total"] == 6


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_deciding_at_once_leave_the_counts_right(app, world, attempt):
    plan, a = world["plan"], world["a"]
    people = [factories.applicant(a) for _ in range(4)]
    applications = [factories.application(person, plan=plan) for person in people]
    officer = factories.employer(a)
    db.session.commit()
    ids, officer_id = [application.id for application in applications], officer.id
    def decide(application_id):
        return Step(lambda: (db.session.get(type(officer), officer_id),
                             db.session.get(Application, application_id)),
                    lambda prepared: workflow.review_application(*prepared, "approve", "同意。"))

    race = run_together(app, [decide(each) for each in ids])

    assert race.errors == []
    assert kept(plan, a) == counts(pending=1, approved=5, publicizing=1, publicized=1,
                                   returned=2)
    assert unit_work.differences(db.session) == []
