"""Seed steps 5–6: publicity, objections, recommendation and the acceptance point's decision."""
from datetime import date, timedelta

import pytest

from models import (
    Account,
    ApplicationStatus,
    Notification,
    ObjectionOutcome,
    ObjectionStatus,
    Publicity,
    ReviewRecord,
    Subject,
)
from tests import factories
from tests.helpers import StatementLog
from zcps import workflow
from zcps.extensions import db

POSTED = date(2026, 9, 29)  # a Tuesday; the earliest end is 2026-10-12


@pytest.fixture
def world(app, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "申报人甲", with_account=True)
    application = factories.application(person, ApplicationStatus.APPROVED)
    other_unit = factories.unit("乙单位")
    other_officer = factories.employer(other_unit)
    other_person = factories.applicant(other_unit, "申报人乙")
    other_application = factories.application(other_person, ApplicationStatus.APPROVED)
    point = factories.acceptance_point("杭州市受理点")
    point_account = factories.acceptance_account(point)
    other_point = factories.acceptance_point("宁波市受理点")
    other_point_account = factories.acceptance_account(other_point)
    db.session.commit()
    return dict(unit=unit, officer=officer, person=person, application=application,
                other_officer=other_officer, other_application=other_application, point=point,
                point_account=point_account, other_point_account=other_point_account)


def history_actions(application):
    return [row.action for row in db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).order_by(ReviewRecord.id))]


def publicize(world, end=None):
    publicity = workflow.start_publicity(world["officer"], [world["application"]], POSTED, end,
                                         "人事处 0571-88000001", **factories.OBJECTION)
    db.session.commit()
    return publicity


def recommend(world, clock, day=date(2026, 10, 13)):
    clock(day)
    workflow.recommend_application(world["officer"], world["application"], world["point"],
                                   "公示无异议，同意推荐。")
    db.session.commit()


# --- 信息公示 ---------------------------------------------------------------------------------

def test_publicity_gets_the_earliest_end_and_moves_applications_to_publicizing(world):
    publicity = publicize(world)
    assert (publicity.start_date, publicity.end_date) == (POSTED, date(2026, 10, 12))
    assert publicity.earliest_end_date == date(2026, 10, 12)
    assert world["application"].status == ApplicationStatus.PUBLICIZING
    assert world["application"].publicity_id == publicity.id
    assert history_actions(world["application"])[-1] == "publicize"
    sms = db.session.scalars(db.select(Notification).filter_by(template="publicity_started")).all()
    assert [message.mobile for message in sms] == [world["person"].mobile]
    assert "9月29日至10月12日" in sms[0].text


def test_a_later_end_is_allowed(world):
    assert publicize(world, date(2026, 10, 20)).end_date == date(2026, 10, 20)


def test_an_end_before_the_earliest_is_refused_and_nothing_changes(world):
    with pytest.raises(workflow.WorkflowError, match="不能早于10月12日"):
        workflow.start_publicity(world["officer"], [world["application"]], POSTED,
                                 date(2026, 10, 11), **factories.OBJECTION)
    db.session.rollback()
    assert world["application"].status == ApplicationStatus.APPROVED
    assert db.session.scalar(db.select(db.func.count()).select_from(
        db.metadata.tables["publicity"])) == 0


def test_a_period_longer_than_ninety_days_is_refused_and_nothing_changes(world):
    with pytest.raises(workflow.WorkflowError, match="公示期过长"):
        workflow.start_publicity(world["officer"], [world["application"]], POSTED,
                                 date(2026, 12, 29), **factories.OBJECTION)
    db.session.rollback()
    assert world["application"].status == ApplicationStatus.APPROVED
    assert db.session.scalar(db.select(db.func.count()).select_from(
        db.metadata.tables["publicity"])) == 0
    assert publicize(world, date(2026, 12, 28)).end_date == date(2026, 12, 28)  # 90 days


def test_a_start_in_the_past_is_refused(world):
    with pytest.raises(workflow.WorkflowError, match="不能早于今天"):
        workflow.start_publicity(world["officer"], [world["application"]], date(2026, 9, 28), **factories.OBJECTION)


def test_only_approved_applications_can_be_publicized(world):
    pending = factories.application(factories.applicant(world["unit"]), ApplicationStatus.PENDING)
    with pytest.raises(workflow.WorkflowError, match="只有审核通过的申报可以公示"):
        workflow.start_publicity(world["officer"], [world["application"], pending], POSTED, **factories.OBJECTION)
    db.session.rollback()
    assert world["application"].status == ApplicationStatus.APPROVED


def test_another_units_application_cannot_be_publicized(world):
    with pytest.raises(workflow.WorkflowError, match="不属于本单位"):
        workflow.start_publicity(world["officer"], [world["other_application"]], POSTED, **factories.OBJECTION)


def test_an_applicant_cannot_start_a_publicity(world):
    account = db.session.scalar(db.select(Account).filter_by(applicant_id=world["person"].id))
    with pytest.raises(workflow.WorkflowError, match="无权"):
        workflow.start_publicity(account, [world["application"]], POSTED, **factories.OBJECTION)


def test_the_period_ends_the_day_after_the_end_date(world, clock):
    publicize(world)
    clock(date(2026, 10, 12))
    assert workflow.close_ended_publicities() == 0
    clock(date(2026, 10, 13))
    assert workflow.close_ended_publicities() == 1
    db.session.commit()
    db.session.refresh(world["application"])
    assert world["application"].status == ApplicationStatus.PUBLICIZED
    assert history_actions(world["application"])[-1] == "publicity_end"
    assert workflow.close_ended_publicities() == 0


def test_a_2027_period_warns_that_the_schedule_is_missing(world):
    period = workflow.publicity_period(date(2027, 3, 1))
    assert period["earliest_end"] == date(2027, 3, 8)
    assert any("2027年" in warning for warning in period["warnings"])
    assert workflow.publicity_period(POSTED)["warnings"] == []


# --- 资格审查推荐 ------------------------------------------------------------------------------

def test_recommending_after_the_period_sends_it_to_the_acceptance_point(world, clock):
    publicize(world)
    recommend(world, clock)
    application = world["application"]
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.acceptance_point_id == world["point"].id
    assert application.recommendation_opinion == "公示无异议，同意推荐。"
    assert history_actions(application)[-2:] == ["publicity_end", "recommend"]


def test_recommending_on_the_end_date_is_refused_with_the_day_it_becomes_possible(world, clock):
    publicize(world)
    clock(date(2026, 10, 12))
    with pytest.raises(workflow.WorkflowError, match="2026年10月13日起方可推荐"):
        workflow.recommend_application(world["officer"], world["application"], world["point"],
                                       "同意推荐。")
    db.session.rollback()
    assert world["application"].status == ApplicationStatus.PUBLICIZING


def test_recommending_with_an_open_objection_is_refused(world, clock):
    publicize(world)
    clock(date(2026, 10, 9))
    workflow.record_objection(world["officer"], world["application"], "论文存疑",
                              date(2026, 10, 8), "匿名")
    db.session.commit()
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="未处理的异议"):
        workflow.recommend_application(world["officer"], world["application"], world["point"],
                                       "同意推荐。")


def test_recommending_another_units_application_is_refused(world, clock):
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="不属于本单位"):
        workflow.recommend_application(world["officer"], world["other_application"],
                                       world["point"], "同意推荐。")


def test_recommending_a_non_publicized_application_is_refused(world, clock):
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="只有公示期满且无异议的申报可以推荐"):
        workflow.recommend_application(world["officer"], world["application"], world["point"],
                                       "同意推荐。")


def test_recommending_needs_an_opinion_and_an_acceptance_point(world, clock):
    publicize(world)
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="请填写推荐意见"):
        workflow.recommend_application(world["officer"], world["application"], world["point"], " ")
    with pytest.raises(workflow.WorkflowError, match="请选择受理点"):
        workflow.recommend_application(world["officer"], world["application"], None, "同意推荐。")


def test_recommending_to_an_acceptance_point_that_is_closed_is_refused(world, clock):
    publicize(world)
    world["point"].active = False
    db.session.commit()
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="请选择受理点"):
        workflow.recommend_application(world["officer"], world["application"], world["point"],
                                       "同意推荐。")
    db.session.rollback()
    assert world["application"].status in (ApplicationStatus.PUBLICIZING,
                                           ApplicationStatus.PUBLICIZED)
    assert world["application"].acceptance_point_id is None


def test_the_recommendation_template_states_the_publicity_dates(world, clock):
    from models import OpinionKind
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    publicize(world)
    texts = [workflow.fill_template(template.text, world["application"]) for template in
             workflow.opinion_templates(world["officer"], OpinionKind.RECOMMEND)]
    assert "申报人甲同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，无异议，同意推荐。" in texts


# --- 异议 -------------------------------------------------------------------------------------

def test_a_dismissed_objection_clears_the_way(world, clock):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "论文存疑",
                                          POSTED, "匿名来信")
    db.session.commit()
    workflow.resolve_objection(world["officer"], objection, "dismiss", "经核实，论文真实。")
    db.session.commit()
    assert objection.status == ObjectionStatus.DISMISSED
    recommend(world, clock)
    assert world["application"].status == ApplicationStatus.RECOMMENDED


def test_an_upheld_objection_makes_the_application_not_recommended(world, clock):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "业绩造假",
                                          POSTED)
    workflow.resolve_objection(world["officer"], objection, "not_recommend", "经核实，业绩不实。")
    db.session.commit()
    assert objection.outcome == ObjectionOutcome.NOT_RECOMMENDED
    assert world["application"].status == ApplicationStatus.NOT_RECOMMENDED
    assert world["application"].opinion == "经核实，业绩不实。"
    clock(date(2026, 10, 13))
    with pytest.raises(workflow.WorkflowError, match="只有公示期满且无异议"):
        workflow.recommend_application(world["officer"], world["application"], world["point"],
                                       "同意推荐。")


def test_an_upheld_objection_can_return_the_application_to_the_applicant(world):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "材料缺页",
                                          POSTED)
    workflow.resolve_objection(world["officer"], objection, "return", "请补充完整材料。")
    db.session.commit()
    assert world["application"].status == ApplicationStatus.RETURNED
    assert world["application"].holder.value == "applicant"


def test_an_objection_of_an_earlier_publicity_does_not_block_the_next_one(world, clock):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "材料缺页",
                                          POSTED)
    workflow.resolve_objection(world["officer"], objection, "return", "请补充完整材料。")
    db.session.commit()
    # Fixed, resubmitted and approved again, then a new publicity: the upheld objection
    # belongs to the first one.
    workflow.submit_application(world["person"].account, world["application"], declared=True)
    workflow.review_application(world["officer"], world["application"], "approve", "同意推荐。")
    db.session.commit()
    clock(date(2026, 10, 14))
    second = workflow.start_publicity(world["officer"], [world["application"]],
                                      date(2026, 10, 14), **factories.OBJECTION)
    db.session.commit()
    assert workflow.recommendation_blocker(world["application"],
                                           second.end_date) is not None  # still running
    recommend(world, clock, second.end_date + timedelta(days=1))
    assert world["application"].status == ApplicationStatus.RECOMMENDED
    assert objection.status == ObjectionStatus.UPHELD


def test_an_objection_needs_content_a_date_in_the_period_and_a_reason(world, clock):
    publicize(world)
    with pytest.raises(workflow.WorkflowError, match="请填写异议内容"):
        workflow.record_objection(world["officer"], world["application"], "", POSTED)
    with pytest.raises(workflow.WorkflowError, match="应在公示期内"):
        workflow.record_objection(world["officer"], world["application"], "存疑",
                                  date(2026, 9, 28))
    objection = workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    with pytest.raises(workflow.WorkflowError, match="核查情况"):
        workflow.resolve_objection(world["officer"], objection, "dismiss", "")
    db.session.commit()
    workflow.resolve_objection(world["officer"], objection, "dismiss", "不属实")
    with pytest.raises(workflow.AlreadyHandled):
        workflow.resolve_objection(world["officer"], objection, "dismiss", "不属实")


def test_an_objection_dated_after_the_period_or_after_today_is_refused(world, clock):
    publicize(world)
    clock(date(2026, 10, 8))
    for received in (date(2026, 10, 9), date(2026, 10, 13)):  # tomorrow; after the end date
        with pytest.raises(workflow.WorkflowError, match="应在公示期内.*不晚于今天"):
            workflow.record_objection(world["officer"], world["application"], "存疑", received)
    clock(date(2026, 10, 20))
    with pytest.raises(workflow.WorkflowError, match="应在公示期内"):
        workflow.record_objection(world["officer"], world["application"], "存疑",
                                  date(2026, 10, 13))
    # The last day of the period is still in it, even when recorded after the period.
    workflow.record_objection(world["officer"], world["application"], "存疑", date(2026, 10, 12))
    db.session.commit()
    assert [objection.received_on for objection in world["application"].objections] == \
        [date(2026, 10, 12)]


def test_only_the_units_officer_records_or_resolves_an_objection(world):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    db.session.commit()
    applicant = db.session.scalar(db.select(Account).filter_by(applicant_id=world["person"].id))
    for actor in (applicant, world["point_account"]):
        with pytest.raises(workflow.WorkflowError, match="无权"):
            workflow.record_objection(actor, world["application"], "存疑", POSTED)
        with pytest.raises(workflow.WorkflowError, match="无权"):
            workflow.resolve_objection(actor, objection, "dismiss", "不属实")
    db.session.rollback()
    assert objection.status == ObjectionStatus.OPEN
    assert len(world["application"].objections) == 1


def test_an_unknown_resolution_is_refused_and_the_objection_stays_open(world):
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    db.session.commit()
    for resolution in ("", "approve", None):
        with pytest.raises(workflow.WorkflowError, match="请选择处理结果"):
            workflow.resolve_objection(world["officer"], objection, resolution, "经核实。")
    db.session.rollback()
    assert objection.status == ObjectionStatus.OPEN and objection.resolution in (None, "")
    assert world["application"].status == ApplicationStatus.PUBLICIZING


def test_objections_only_during_a_publicity_and_only_in_ones_own_unit(world):
    with pytest.raises(workflow.WorkflowError, match="只能对公示中的申报登记异议"):
        workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    publicize(world)
    objection = workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    db.session.commit()
    with pytest.raises(workflow.WorkflowError, match="不属于本单位"):
        workflow.record_objection(world["other_officer"], world["application"], "存疑", POSTED)
    with pytest.raises(workflow.WorkflowError, match="不属于本单位"):
        workflow.resolve_objection(world["other_officer"], objection, "dismiss", "不属实")


# --- 受理点 -----------------------------------------------------------------------------------

def test_the_acceptance_point_accepts_and_the_unit_and_applicant_are_told(world, clock):
    publicize(world)
    recommend(world, clock)
    workflow.accept_application(world["point_account"], world["application"])
    db.session.commit()
    assert world["application"].status == ApplicationStatus.ACCEPTED
    texts = [message.text for message in db.session.scalars(
        db.select(Notification).filter_by(template="accepted"))]
    assert len(texts) == 2 and all("杭州市受理点受理" in text for text in texts)


def test_a_returned_application_can_be_recommended_again(world, clock):
    publicize(world)
    recommend(world, clock)
    with pytest.raises(workflow.WorkflowError, match="退回原因"):
        workflow.return_to_unit(world["point_account"], world["application"], "")
    workflow.return_to_unit(world["point_account"], world["application"], "推荐意见不完整")
    db.session.commit()
    assert world["application"].status == ApplicationStatus.ACCEPTANCE_RETURNED
    recommend(world, clock, date(2026, 10, 15))
    assert world["application"].status == ApplicationStatus.RECOMMENDED
    assert world["application"].acceptance_opinion == ""


def test_the_history_names_the_unit_and_the_acceptance_point_not_their_staff(world, clock):
    publicize(world)
    recommend(world, clock)
    workflow.return_to_unit(world["point_account"], world["application"], "推荐意见不完整")
    db.session.commit()
    assert world["point_account"].username not in ("", "杭州市受理点")
    names = [(row.action, row.actor_name) for row in db.session.scalars(
        db.select(ReviewRecord).filter_by(subject=Subject.APPLICATION,
                                          subject_id=world["application"].id)
        .order_by(ReviewRecord.id))][-2:]
    assert names == [("recommend", world["application"].unit.name),
                     ("acceptance_return", "杭州市受理点")]


def test_another_acceptance_point_cannot_act_on_the_application(world, clock):
    publicize(world)
    recommend(world, clock)
    with pytest.raises(workflow.WorkflowError, match="未推荐至本受理点"):
        workflow.accept_application(world["other_point_account"], world["application"])
    with pytest.raises(workflow.WorkflowError, match="无权"):
        workflow.accept_application(world["officer"], world["application"])


def test_accepting_twice_is_already_handled(world, clock):
    publicize(world)
    recommend(world, clock)
    workflow.accept_application(world["point_account"], world["application"])
    db.session.commit()
    with pytest.raises(workflow.AlreadyHandled):
        workflow.return_to_unit(world["point_account"], world["application"], "迟到的退回")


def test_the_unit_can_hand_an_acceptance_return_to_the_applicant(world, clock):
    publicize(world)
    recommend(world, clock)
    workflow.return_to_unit(world["point_account"], world["application"], "缺少学历证明")
    workflow.return_to_applicant(world["officer"], world["application"], "请补充学历证明")
    db.session.commit()
    application = world["application"]
    assert application.status == ApplicationStatus.RETURNED
    assert application.holder.value == "applicant" and application.opinion == "请补充学历证明"
    assert history_actions(application)[-2:] == ["acceptance_return", "return"]
    sms = db.session.scalars(db.select(Notification).filter_by(
        template="application_return")).all()
    assert [message.mobile for message in sms] == [world["person"].mobile]


def test_returning_to_the_applicant_is_refused_out_of_order_without_a_reason_or_unit(
        world, clock):
    publicize(world)
    recommend(world, clock)
    with pytest.raises(workflow.AlreadyHandled, match="只有受理点或审核机构退回的申报"):
        workflow.return_to_applicant(world["officer"], world["application"], "请补充")
    workflow.return_to_unit(world["point_account"], world["application"], "缺少学历证明")
    db.session.commit()
    for actor, reason, message in (
            (world["officer"], "  ", "退回修改时必须填写退回原因"),
            (world["other_officer"], "请补充", "不属于本单位"),
            (world["point_account"], "请补充", "无权")):
        with pytest.raises(workflow.WorkflowError, match=message):
            workflow.return_to_applicant(actor, world["application"], reason)
        db.session.rollback()
        assert world["application"].status == ApplicationStatus.ACCEPTANCE_RETURNED
    assert history_actions(world["application"])[-1] == "acceptance_return"


# --- the check every page request makes --------------------------------------------------------

def publicity_statements(log) -> list[str]:
    return [sql for sql in log.statements if "from publicity" in sql]


def test_the_request_check_looks_again_on_the_next_day(world, clock):
    publicize(world)
    clock(date(2026, 10, 12))
    assert workflow.close_ended_publicities_when_due() == 0
    clock(date(2026, 10, 13))
    assert workflow.close_ended_publicities_when_due() == 1
    db.session.commit()
    db.session.refresh(world["application"])
    assert world["application"].status == ApplicationStatus.PUBLICIZED


def test_a_clean_check_is_trusted_for_a_minute_only(world, clock, monkeypatch):
    from zcps.workflow import publicity as module

    publicity = publicize(world)
    clock(date(2026, 10, 12))
    assert workflow.close_ended_publicities_when_due() == 0
    # Another process shortens the period behind this one's back (no ORM event here).
    db.session.execute(db.update(Publicity).where(Publicity.id == publicity.id)
                       .values(end_date=date(2026, 10, 9)))
    db.session.commit()
    with StatementLog(db.engine) as log:
        assert workflow.close_ended_publicities_when_due() == 0
    assert publicity_statements(log) == []
    later = module.time.monotonic() + module.CLEAN_CHECK_SECONDS
    monkeypatch.setattr(module.time, "monotonic", lambda: later)
    assert workflow.close_ended_publicities_when_due() == 1


def test_a_batch_written_through_the_session_is_checked_at_once(world, clock):
    publicity = publicize(world)
    clock(date(2026, 10, 12))
    assert workflow.close_ended_publicities_when_due() == 0
    publicity.end_date = date(2026, 10, 9)
    db.session.commit()
    assert workflow.close_ended_publicities_when_due() == 1
