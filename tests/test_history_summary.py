"""统计分析's summaries of the history (``plan_history_day``, ``plan_history_reason``,
``plan_unit_returns``): after every kind of step on an application — submitted, returned,
resubmitted, rejected, approved, publicized, objection upheld with a return, recommended,
accepted, returned by an acceptance point; a rollback; steps taken at once on PostgreSQL and
MariaDB — they equal what the history says, the platform admin's tables read from them equal
those counted from the history, and the repair command finds and mends any difference."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    Action,
    Application,
    ApplicationStatus,
    PlanHistoryDay,
    PlanHistoryReason,
    PlanUnitReturns,
)
from tests import factories
from tests.helpers import ON_SERVERS, Step, run_together
from zcps import clock, history_summary, statistics, workflow
from zcps.extensions import db

S = ApplicationStatus


def agrees():
    db.session.commit()
    assert history_summary.differences(db.session) == []


def from_history(monkeypatch, table, admin, plan):
    with monkeypatch.context() as patched:
        patched.setattr(statistics, "_whole_history", lambda actor: False)
        return table(admin, plan)


@pytest.fixture
def world(app):
    plan = factories.usual_plan()
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    db.session.commit()
    return {"plan": plan, "first": first, "second": second, "admin": factories.admin()}


def test_every_kind_of_step_is_counted(app, world, monkeypatch):
    plan, first, second, admin = world["plan"], world["first"], world["second"], world["admin"]
    pending = factories.application(factories.applicant(first))
    agrees()
    returned = factories.application(factories.applicant(first), S.RETURNED, opinion="缺少学历证书。")
    agrees()
    workflow.submit_application(factories.applicant_account(returned.applicant), returned,
                                declared=True)
    agrees()
    workflow.review_application(factories.employer(first), returned, "reject", "年限不足。")
    agrees()
    workflow.review_application(factories.employer(first), pending, "approve", "同意。")
    agrees()
    factories.application(factories.applicant(second), S.REJECTED, opinion="年限不足。")
    agrees()
    factories.application(factories.applicant(second), S.PUBLICIZED)
    agrees()
    factories.application(factories.applicant(second), S.RECOMMENDED)
    agrees()
    factories.applications([factories.applicant(second) for _ in range(2)], S.ACCEPTED)
    agrees()
    factories.application(factories.applicant(first), S.ACCEPTANCE_RETURNED,
                          acceptance_opinion="缺少盖章页。")
    agrees()
    factories.application(factories.applicant(second), S.NOT_RECOMMENDED)
    agrees()
    objected = factories.application(factories.applicant(second), S.PUBLICIZING)
    officer = factories.employer(second)
    objection = workflow.record_objection(officer, objected, "材料不实。", clock.today(),
                                          raised_by="实名来信")
    workflow.resolve_objection(officer, objection, "return", "请核实后重新申报。")
    agrees()

    assert db.session.get(PlanUnitReturns, (plan.id, first.id)).unit_returned == 1
    assert db.session.get(PlanUnitReturns, (plan.id, first.id)).point_returned == 1
    assert db.session.get(PlanUnitReturns, (plan.id, second.id)).unit_returned == 1
    reasons = {(row.action, row.reason): row.times
               for row in db.session.scalars(sa.select(PlanHistoryReason))}
    assert reasons[("reject", "年限不足。")] == 2
    assert reasons[("return", "缺少学历证书。")] == 1
    assert reasons[("objection_return", "请核实后重新申报。")] == 1
    # The admin's tables read from the summaries say what the history says.
    for table in (statistics.returns, statistics.reasons, statistics.daily):
        kept = table(admin, plan)
        counted = from_history(monkeypatch, table, admin, plan)
        assert kept.rows == counted.rows and kept.line == counted.line, table.__name__
    assert statistics.returns(admin, plan).rows[0][1] == 2


def test_the_summaries_are_read_for_the_admin_only(app, world):
    plan, first, admin = world["plan"], world["first"], world["admin"]
    factories.application(factories.applicant(first), S.RETURNED, opinion="缺少学历证书。")
    db.session.commit()
    # A planted difference shows on the admin's page only: the unit still counts its history.
    db.session.execute(sa.update(PlanUnitReturns).values(unit_returned=5))
    db.session.execute(sa.update(PlanHistoryReason).values(times=7))
    db.session.execute(sa.update(PlanHistoryDay)
                       .where(PlanHistoryDay.action == Action.RETURN.value).values(times=9))
    db.session.commit()
    assert statistics.returns(admin, plan).rows[0][1] == 5
    assert statistics.reasons(admin, plan).rows[0][2] == 7
    assert [row[2] for row in statistics.daily(admin, plan).rows] == [9]
    unit = factories.employer(first)
    assert statistics.returns(unit, plan).rows[0][1] == 1


def test_a_rolled_back_step_is_not_counted(app, world):
    person = factories.applicant(world["first"])
    record = factories.application(person)
    db.session.commit()
    workflow.review_application(factories.employer(world["first"]), record, "return", "请补充。")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanUnitReturns)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanHistoryReason)) == 0
    agrees()


def test_a_step_is_counted_on_its_beijing_day(app, world):
    """A step flushed at 23:30 Beijing time and committed later counts on the day it was taken."""
    person = factories.applicant(world["first"])
    taken = clock.now().astimezone(clock.BEIJING).replace(hour=23, minute=30) - timedelta(days=3)
    with clock.travel(taken):
        factories.application(person)
        db.session.flush()
    db.session.commit()
    days = {row.day for row in db.session.scalars(
        sa.select(PlanHistoryDay).where(PlanHistoryDay.action == Action.SUBMIT.value))}
    assert statistics.as_date(list(days)[0]) == taken.date()
    agrees()


def test_the_command_finds_a_difference_and_the_rebuild_mends_it(app, world, runner):
    factories.application(factories.applicant(world["first"]), S.RETURNED, opinion="请补充。")
    db.session.commit()
    db.session.execute(sa.update(PlanUnitReturns).values(unit_returned=3))
    db.session.commit()

    result = runner.invoke(args=["zcps", "history-summary"])
    assert result.exit_code == 1
    assert "plan_unit_returns" in result.output and "统计 (3, 0)，实际 (1, 0)" in result.output
    assert "1 处不一致。" in result.output

    result = runner.invoke(args=["zcps", "history-summary", "--rebuild"])
    assert result.exit_code == 0 and "已重新统计" in result.output
    result = runner.invoke(args=["zcps", "history-summary"])
    assert result.exit_code == 0 and "审核记录统计与审核记录一致。" in result.output


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(2))
def test_steps_taken_at_once_are_all_counted(app, world, attempt):
    first, second = world["first"], world["second"]
    records = [factories.application(factories.applicant(unit))
               for unit in (first, first, first, second, second)]
    db.session.commit()
    officers = {first.id: factories.employer(first).id, second.id: factories.employer(second).id}
    db.session.commit()

    def decide(record_id, unit_id, decision):
        return Step(lambda: (db.session.get(type(world["admin"]), officers[unit_id]),
                             db.session.get(Application, record_id)),
                    lambda prepared: workflow.review_application(*prepared, decision, "请补充。"))

    race = run_together(app, [decide(record.id, record.unit_id, decision)
                              for record, decision in zip(records, ("return", "return", "reject",
                                                                    "return", "approve"))])
    assert race.errors == []
    assert db.session.get(PlanUnitReturns, (world["plan"].id, first.id)).unit_returned == 2
    reasons = {(row.action, row.reason): row.times
               for row in db.session.scalars(sa.select(PlanHistoryReason))}
    assert reasons == {("return", "请补充。"): 3, ("reject", "请补充。"): 1}
    assert history_summary.differences(db.session) == []
