"""Seed steps 3–4 on the applicant's side: archive items, basic information, applications."""
import pytest

from models import (
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ReviewMethod,
    ReviewRecord,
    ReviewStatus,
    Subject,
    TitleLevel,
    TitleQualification,
)
from tests import factories
from zcps import workflow
from zcps.extensions import db


@pytest.fixture
def person(app):
    unit = factories.unit("甲单位")
    applicant = factories.applicant(unit, "申报人甲", with_account=True,
                                    profile_status=ReviewStatus.APPROVED)
    db.session.commit()
    return applicant


def approved_archive(applicant, categories=(ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                                            ArchiveCategory.ASSESSMENT)):
    return [factories.archive_item(applicant, ReviewStatus.APPROVED, category, title=category.label)
            for category in categories]


def new_application(applicant):
    title = factories.qualification()
    return workflow.create_application(
        applicant.account, series=title.series, specialty="计算机应用", level=title.level,
        qualification=title, review_method=ReviewMethod.REVIEW, plan=factories.usual_plan())


# --- items -----------------------------------------------------------------------------------

def test_a_draft_is_submitted_to_the_unit(person):
    item = workflow.create_item(person.account, ArchiveCategory.EDUCATION, title="浙江大学")
    assert item.status == ReviewStatus.DRAFT and item.unit_id is None
    workflow.submit_item(person.account, item)
    db.session.commit()
    assert item.status == ReviewStatus.PENDING and item.unit_id == person.unit_id
    history = db.session.scalar(db.select(ReviewRecord).filter_by(
        subject=Subject.ARCHIVE_ITEM, subject_id=item.id))
    assert (history.action, history.from_status, history.to_status) == ("submit", "draft",
                                                                        "pending")
    with pytest.raises(workflow.AlreadyHandled):
        workflow.submit_item(person.account, item)


def test_submitting_needs_an_authorized_employing_unit(app):
    lonely = factories.applicant(None, with_account=True)
    item = workflow.create_item(lonely.account, ArchiveCategory.WORK, title="某单位")
    with pytest.raises(workflow.WorkflowError, match="选择工作单位"):
        workflow.submit_item(lonely.account, item)
    pending_unit = factories.unit("未授权", authorized=False)
    lonely.unit = pending_unit
    with pytest.raises(workflow.WorkflowError, match="尚未通过平台授权"):
        workflow.submit_item(lonely.account, item)


def test_a_returned_item_edited_goes_back_to_the_unit(person):
    item = factories.archive_item(person, ReviewStatus.RETURNED)
    item.remark = "请补充证书"
    workflow.save_item(person.account, item, title="补充后的名称")
    assert item.status == ReviewStatus.PENDING and item.title == "补充后的名称"


def test_editing_an_approved_item_sends_it_back_to_review(person):
    item = factories.archive_item(person, ReviewStatus.APPROVED)
    workflow.save_item(person.account, item, organisation="新机构")
    assert item.status == ReviewStatus.PENDING
    assert db.session.scalar(db.select(ReviewRecord).filter_by(
        subject_id=item.id, action="resubmit")).from_status == "approved"


def test_a_draft_stays_a_draft_when_edited_and_a_rejected_item_is_final(person):
    draft = factories.archive_item(person, ReviewStatus.DRAFT)
    workflow.save_item(person.account, draft, title="改名")
    assert draft.status == ReviewStatus.DRAFT
    rejected = factories.archive_item(person, ReviewStatus.REJECTED)
    with pytest.raises(workflow.WorkflowError):
        workflow.save_item(person.account, rejected, title="想改")


def test_only_never_submitted_drafts_can_be_deleted(person):
    draft = workflow.create_item(person.account, ArchiveCategory.OTHER, title="草稿")
    workflow.delete_item(person.account, draft)
    db.session.flush()
    assert db.session.get(ArchiveItem, draft.id) is None
    submitted = factories.archive_item(person, ReviewStatus.PENDING)
    with pytest.raises(workflow.WorkflowError):
        workflow.delete_item(person.account, submitted)


def test_nobody_else_can_touch_an_applicants_item(person):
    item = factories.archive_item(person, ReviewStatus.DRAFT)
    other = factories.applicant(person.unit, with_account=True)
    officer = factories.employer(person.unit)
    for actor in (other.account, officer):
        with pytest.raises(workflow.WorkflowError):
            workflow.save_item(actor, item, title="篡改")
        with pytest.raises(workflow.WorkflowError):
            workflow.submit_item(actor, item)


def test_changing_unit_keeps_what_the_old_unit_approved(person):
    old_unit = person.unit
    approved = factories.archive_item(person, ReviewStatus.APPROVED)
    new_unit = factories.unit("乙单位")
    workflow.choose_unit(person.account, new_unit)
    assert approved.unit_id == old_unit.id and approved.status == ReviewStatus.APPROVED
    assert person.profile_status == ReviewStatus.PENDING  # the new unit reviews it
    item = workflow.create_item(person.account, ArchiveCategory.AWARD, title="新奖项")
    workflow.submit_item(person.account, item)
    assert item.unit_id == new_unit.id


def test_only_authorized_units_can_be_chosen(person):
    with pytest.raises(workflow.WorkflowError):
        workflow.choose_unit(person.account, factories.unit("未授权", authorized=False))


# --- applications ----------------------------------------------------------------------------

def test_only_approved_items_can_be_extracted(person):
    approved = approved_archive(person)
    application = new_application(person)
    for status in (ReviewStatus.DRAFT, ReviewStatus.PENDING, ReviewStatus.RETURNED,
                   ReviewStatus.REJECTED):
        unapproved = factories.archive_item(person, status)
        with pytest.raises(workflow.WorkflowError, match="不能提取"):
            workflow.extract_items(person.account, application, [approved[0].id, unapproved.id])
    other = factories.applicant(person.unit)
    foreign = factories.archive_item(other, ReviewStatus.APPROVED)
    with pytest.raises(workflow.WorkflowError, match="不属于您"):
        workflow.extract_items(person.account, application, [foreign.id])
    assert application.items == []


def test_the_extraction_is_a_snapshot(person):
    items = approved_archive(person)
    application = new_application(person)
    workflow.extract_items(person.account, application, [item.id for item in items])
    db.session.commit()
    workflow.save_item(person.account, items[0], title="后来改的名称")
    db.session.commit()
    db.session.expire_all()
    snapshot = next(entry for entry in application.items if entry.archive_item_id == items[0].id)
    assert snapshot.title == ArchiveCategory.EDUCATION.label
    assert items[0].title == "后来改的名称"


@pytest.mark.parametrize("missing", [ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                                     ArchiveCategory.ASSESSMENT])
def test_submission_names_the_missing_mandatory_category(person, missing):
    categories = [c for c in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                              ArchiveCategory.ASSESSMENT, ArchiveCategory.PAPER) if c != missing]
    items = approved_archive(person, categories)
    application = new_application(person)
    workflow.extract_items(person.account, application, [item.id for item in items])
    with pytest.raises(workflow.WorkflowError, match=f"缺少必备业绩：{missing.label}"):
        workflow.submit_application(person.account, application, declared=True)
    assert application.status == ApplicationStatus.DRAFT


def test_a_complete_application_is_submitted_and_held_by_the_unit(person):
    items = approved_archive(person)
    application = new_application(person)
    workflow.extract_items(person.account, application, [item.id for item in items])
    workflow.submit_application(person.account, application, declared=True)
    db.session.commit()
    assert application.status == ApplicationStatus.PENDING and application.round == 1
    assert application.holder.label == "单位"
    assert application.profile_snapshot["name"] == person.name


def test_basic_information_must_be_approved_before_submitting(person):
    items = approved_archive(person)
    workflow.save_profile(person.account, current_title="高级工程师")  # an edit: back to the unit
    assert person.profile_status == ReviewStatus.PENDING
    application = new_application(person)
    workflow.extract_items(person.account, application, [item.id for item in items])
    with pytest.raises(workflow.WorkflowError, match="基本信息"):
        workflow.submit_application(person.account, application, declared=True)


def test_one_open_application_per_year(person):
    first = new_application(person)
    with pytest.raises(workflow.WorkflowError, match="每年度只能有一份"):
        new_application(person)
    # A closed one (here: not approved by the unit) frees the year.
    workflow.extract_items(person.account, first, [item.id for item in approved_archive(person)])
    workflow.submit_application(person.account, first, declared=True)
    workflow.review_application(factories.employer(person.unit), first, "reject", "不符合条件。")
    assert first.status == ApplicationStatus.REJECTED
    assert new_application(person).status == ApplicationStatus.DRAFT


def test_a_returned_application_is_edited_and_resubmitted(person):
    items = approved_archive(person)
    application = factories.application(person, ApplicationStatus.RETURNED)
    workflow.extract_items(person.account, application, [item.id for item in items])
    workflow.submit_application(person.account, application, declared=True)
    assert application.status == ApplicationStatus.PENDING and application.round == 2
    history = db.session.scalar(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id, action="resubmit"))
    assert history.round == 2


def test_a_pending_application_cannot_be_changed_by_the_applicant(person):
    items = approved_archive(person)
    application = factories.application(person, ApplicationStatus.PENDING)
    with pytest.raises(workflow.WorkflowError):
        workflow.extract_items(person.account, application, [items[0].id])
    with pytest.raises(workflow.AlreadyHandled):
        workflow.submit_application(person.account, application, declared=True)


def test_the_qualification_must_match_series_and_level(person):
    title = factories.qualification()
    other_level = TitleQualification(series=title.series, level=TitleLevel.SENIOR,
                                     name="正高级工程师")
    db.session.add(other_level)
    db.session.flush()
    with pytest.raises(workflow.WorkflowError, match="不属于"):
        workflow.create_application(person.account, series=title.series, specialty="x",
                                    level=title.level, qualification=other_level,
                                    review_method=ReviewMethod.REVIEW, plan=factories.usual_plan())
