"""Seed steps 3–4 on the unit's side: deciding on items, basic information and applications."""

import pytest

from models import (
    ApplicationStatus,
    ArchiveCategory,
    AuthorizationStatus,
    Notification,
    OpinionKind,
    OpinionTemplate,
    ReviewMethod,
    ReviewRecord,
    ReviewStatus,
    Subject,
)
from tests import factories
from tests.helpers import ON_SERVERS, Step, run_together
from zcps import workflow
from zcps.extensions import db


@pytest.fixture
def world(app):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "申报人甲", with_account=True)
    other_unit = factories.unit("乙单位")
    other_officer = factories.employer(other_unit)
    db.session.commit()
    return {"unit": unit, "officer": officer, "person": person, "other": other_officer}


def history(subject, record_id):
    return db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=subject, subject_id=record_id).order_by(ReviewRecord.id)).all()


@pytest.mark.parametrize("decision,status", [("approve", ReviewStatus.APPROVED),
                                             ("return", ReviewStatus.RETURNED),
                                             ("reject", ReviewStatus.REJECTED)])
def test_each_item_decision_in_its_state(world, decision, status):
    item = factories.archive_item(world["person"], ReviewStatus.PENDING)
    workflow.review_item(world["officer"], item, decision, "" if decision == "approve" else "原因")
    db.session.commit()
    assert item.status == status and item.reviewed_by_id == world["officer"].id
    assert [h.action for h in history(Subject.ARCHIVE_ITEM, item.id)] == ["submit", decision]
    texts = db.session.scalars(db.select(Notification.text).where(
        Notification.template.startswith("archive_item"))).all()
    if decision == "approve":
        assert texts == []
    else:
        assert len(texts) == 1 and item.title in texts[0] and "登录平台查看原因" in texts[0]


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.APPROVED,
                                    ReviewStatus.RETURNED, ReviewStatus.REJECTED])
@pytest.mark.parametrize("decision", ["approve", "return", "reject"])
def test_item_decisions_are_refused_outside_pending(world, status, decision):
    item = factories.archive_item(world["person"], status)
    with pytest.raises(workflow.WorkflowError):
        workflow.review_item(world["officer"], item, decision, "原因")
    assert item.status == status


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_and_reject_need_a_reason(world, decision):
    item = factories.archive_item(world["person"], ReviewStatus.PENDING)
    with pytest.raises(workflow.WorkflowError, match="原因"):
        workflow.review_item(world["officer"], item, decision, "  ")
    assert item.status == ReviewStatus.PENDING


def test_another_unit_and_other_roles_cannot_decide(world):
    item = factories.archive_item(world["person"], ReviewStatus.PENDING)
    application = factories.application(world["person"], ApplicationStatus.PENDING)
    workflow.save_profile(world["person"].account, current_title="高级工程师")  # back to the unit
    assert world["person"].profile_status == ReviewStatus.PENDING
    for actor in (world["other"], world["person"].account, factories.admin()):
        with pytest.raises(workflow.WorkflowError):
            workflow.review_item(actor, item, "approve")
        with pytest.raises(workflow.WorkflowError):
            workflow.review_profile(actor, world["person"], "approve")
        with pytest.raises(workflow.WorkflowError):
            workflow.review_application(actor, application, "approve", "同意")
    assert item.status == ReviewStatus.PENDING
    assert application.status == ApplicationStatus.PENDING


def test_an_unauthorized_unit_cannot_review(world):
    # Nothing can be sent to a unit before its authorization; its officer is refused first.
    waiting = factories.unit("待授权单位", authorized=False)
    factories.authorization(waiting, AuthorizationStatus.PENDING)
    item = factories.archive_item(world["person"], ReviewStatus.PENDING)
    with pytest.raises(workflow.WorkflowError, match="授权"):
        workflow.review_item(factories.employer(waiting), item, "approve")
    assert item.status == ReviewStatus.PENDING


def test_basic_information_review(world):
    person = world["person"]
    workflow.submit_profile(person.account)
    workflow.review_profile(world["officer"], person, "return", "请补充职称取得时间")
    assert person.profile_status == ReviewStatus.RETURNED
    assert person.profile_remark == "请补充职称取得时间"
    with pytest.raises(workflow.AlreadyHandled):
        workflow.review_profile(world["officer"], person, "approve")


def test_approving_the_basic_information_and_items_unlocks_submission(world):
    person = world["person"]
    workflow.submit_profile(person.account)
    items = [factories.archive_item(person, ReviewStatus.PENDING, category, category.label)
             for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                              ArchiveCategory.ASSESSMENT)]
    title = factories.qualification()
    application = workflow.create_application(
        person.account, series=title.series, specialty="x", level=title.level,
        qualification=title, review_method=ReviewMethod.REVIEW, plan=factories.usual_plan())
    with pytest.raises(workflow.WorkflowError):
        workflow.extract_items(person.account, application, [items[0].id])
    for item in items:
        workflow.review_item(world["officer"], item, "approve")
    workflow.review_profile(world["officer"], person, "approve")
    workflow.extract_items(person.account, application, [item.id for item in items])
    workflow.submit_application(person.account, application, declared=True)
    assert application.status == ApplicationStatus.PENDING


def pending_application(world):
    person = world["person"]
    items = [factories.archive_item(person, ReviewStatus.APPROVED, category, category.label)
             for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                              ArchiveCategory.ASSESSMENT)]
    application = factories.application(person, ApplicationStatus.PENDING, items=items)
    db.session.commit()
    return application


def sms(*templates):
    return db.session.scalars(db.select(Notification).where(
        Notification.template.in_(templates)).order_by(Notification.id)).all()


def test_approving_an_application_needs_an_opinion(world):
    application = pending_application(world)
    with pytest.raises(workflow.WorkflowError, match="审核意见"):
        workflow.review_application(world["officer"], application, "approve", "")
    workflow.review_application(world["officer"], application, "approve", "同意推荐。")
    assert application.status == ApplicationStatus.APPROVED
    assert application.opinion == "同意推荐。"
    [message] = sms("application_approve")
    assert "通过" in message.text and application.qualification.name in message.text


def test_a_return_carries_every_item_remark_to_the_applicant(world):
    application = pending_application(world)
    first, second, _ = application.items
    workflow.review_application(world["officer"], application, "return", "请按意见修改",
                                {first.id: "毕业证不清晰", second.id: ""})
    db.session.commit()
    assert application.status == ApplicationStatus.RETURNED
    assert application.holder.label == "本人"
    record = history(Subject.APPLICATION, application.id)[-1]
    assert record.opinion == "请按意见修改" and record.round == 1
    assert record.remarks == [{"item_id": first.id, "title": "教育经历：教育经历",
                               "remark": "毕业证不清晰"}]
    assert first.remark == "毕业证不清晰"
    # The applicant sees it through their own scope.
    seen = ReviewRecord.query_for(world["person"].account).filter_by(
        subject=Subject.APPLICATION).all()
    assert record in seen
    [message] = sms("application_return")
    assert "退回修改" in message.text


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_application_return_and_reject_need_a_reason(world, decision):
    application = pending_application(world)
    with pytest.raises(workflow.WorkflowError, match="原因"):
        workflow.review_application(world["officer"], application, decision, "")
    assert application.status == ApplicationStatus.PENDING


@pytest.mark.parametrize("status", [s for s in ApplicationStatus if s != ApplicationStatus.PENDING])
def test_application_decisions_are_refused_outside_pending(world, status):
    application = factories.application(world["person"], status)
    with pytest.raises(workflow.WorkflowError):
        workflow.review_application(world["officer"], application, "approve", "同意")
    assert application.status == status


def test_opinion_templates_are_filled_with_the_applicants_data(world):
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    application = pending_application(world)
    own = OpinionTemplate(unit_id=world["unit"].id, kind=OpinionKind.APPROVE,
                                    text="本单位：{姓名}申报{资格名称}，同意。")
    english = OpinionTemplate(unit_id=world["unit"].id, kind=OpinionKind.APPROVE,
                              text="{name} ({qualification}, {series}, {unit}): approved.")
    foreign = OpinionTemplate(unit_id=world["other"].unit_id,
                                        kind=OpinionKind.APPROVE, text="乙单位模板")
    db.session.add_all([own, english, foreign])
    db.session.flush()
    texts = [workflow.fill_template(t.text, application)
             for t in workflow.opinion_templates(world["officer"], OpinionKind.APPROVE)]
    name, title = application.applicant.name, application.qualification.name
    assert f"经审核，{name}同志符合{title}任职资格申报条件，申报材料完整无误，同意推荐。" in texts
    assert f"本单位：{name}申报{title}，同意。" in texts
    series, unit = application.series.name, application.unit.name
    assert f"{name} ({title}, {series}, {unit}): approved." in texts
    assert "乙单位模板" not in texts


@ON_SERVERS
def test_two_reviewers_deciding_at_once_one_wins(app, world):
    from models import Account, Application

    application = pending_application(world)
    officer_id, application_id = world["officer"].id, application.id

    def decide(decision):
        return Step(lambda: (db.session.get(Account, officer_id),
                             db.session.get(Application, application_id)),
                    lambda prepared: workflow.review_application(
                        *prepared, decision, "同意" if decision == "approve" else "退回")
                    and decision)

    race = run_together(app, [decide("approve"), decide("return")],
                        expected=workflow.AlreadyHandled)
    assert race.errors == [] and len(race.results) == 1 and len(race.refused) == 1
    decisions = [h for h in history(Subject.APPLICATION, application_id)
                 if h.action in ("approve", "return")]
    assert len(decisions) == 1
    assert len(sms("application_approve", "application_return")) == 1
