"""What every step shares: the scope checked under the row lock, the timeline each party reads,
the step runner's refusals (no orphan file, no server error), and labels instead of codes."""
import re
from datetime import date
from io import BytesIO

import pytest

from models import (
    Action,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ReviewRecord,
    ReviewStatus,
    Subject,
)
from models.base import LabeledEnum
from tests import factories
from tests.helpers import csrf_token, post, shown_text, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.workflow import sms


@pytest.fixture
def world(app, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "申报人甲", with_account=True)
    application = factories.application(person, ApplicationStatus.APPROVED)
    point = factories.acceptance_point("杭州市受理点")
    point_account = factories.acceptance_account(point)
    other_point = factories.acceptance_point("宁波市受理点")
    other_point_account = factories.acceptance_account(other_point)
    db.session.commit()
    return dict(unit=unit, officer=officer, person=person, application=application,
                point=point, point_account=point_account, other_point_account=other_point_account)


def recommended(world, clock):
    """The world's application publicized from 2026-09-29 and recommended on 10-13."""
    workflow.start_publicity(world["officer"], [world["application"]], date(2026, 9, 29), **factories.OBJECTION)
    db.session.commit()
    clock(date(2026, 10, 13))
    workflow.recommend_application(world["officer"], world["application"], world["point"],
                                   "公示无异议，同意推荐。")
    db.session.commit()
    return world["application"]


# --- the scope, checked under the row lock ---------------------------------------------------

def test_a_decision_on_an_item_that_moved_to_another_unit_is_refused(world):
    item = factories.archive_item(world["person"], ReviewStatus.PENDING)
    db.session.commit()
    # The page was opened; meanwhile the item went to another unit (a resubmission there).
    other = factories.unit("乙单位")
    db.session.execute(db.update(ArchiveItem).where(ArchiveItem.id == item.id)
                       .values(unit_id=other.id))
    db.session.commit()
    stale = item  # what the officer's page loaded
    with pytest.raises(workflow.WorkflowError, match="不存在或不属于本单位"):
        workflow.review_item(world["officer"], stale, "approve")
    db.session.rollback()
    assert db.session.get(ArchiveItem, item.id).status == ReviewStatus.PENDING


def test_a_decision_on_an_application_that_moved_to_another_unit_is_refused(world):
    application = factories.application(
        factories.applicant(world["unit"], "申报人乙"), ApplicationStatus.PENDING)
    db.session.commit()
    other = factories.unit("乙单位")
    application.unit_id = other.id
    db.session.commit()
    with pytest.raises(workflow.WorkflowError, match="不存在或不属于本单位"):
        workflow.review_application(world["officer"], application, "approve", "同意推荐。")
    db.session.rollback()
    assert application.status == ApplicationStatus.PENDING


# --- the acceptance point's timeline ---------------------------------------------------------

def test_the_acceptance_point_reads_the_whole_timeline_of_what_it_received(world, clock):
    application = recommended(world, clock)
    seen = ReviewRecord.query_for(world["point_account"]).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).order_by(ReviewRecord.id).all()
    # Every row of its timeline, though those before the recommendation name no point.
    every_row = db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).order_by(ReviewRecord.id)).all()
    assert seen == every_row
    assert [row.action for row in seen][-3:] == [Action.PUBLICIZE, Action.PUBLICITY_END,
                                                 Action.RECOMMEND]
    assert seen[0].acceptance_point_id is None
    # Another point reads none of it; nor anything about the unit's other records.
    assert ReviewRecord.query_for(world["other_point_account"]).count() == 0
    factories.archive_item(world["person"], ReviewStatus.PENDING)
    workflow.review_item(world["officer"], db.session.scalars(
        db.select(ArchiveItem).order_by(ArchiveItem.id.desc())).first(), "approve")
    db.session.commit()
    subjects = {row.subject for row in ReviewRecord.query_for(world["point_account"])}
    assert subjects == {Subject.APPLICATION}


# --- the step runner -------------------------------------------------------------------------

def uploaded_files(app):
    folder = app.config["UPLOAD_DIR"]
    from pathlib import Path

    folder = Path(folder)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_refused_step_leaves_no_uploaded_file(app, client, world):
    person = world["person"]
    person.profile_status = ReviewStatus.APPROVED
    item = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.AWARD, "某奖")
    db.session.commit()
    workflow.review_item(world["officer"], item, "reject", "证书不符")
    db.session.commit()
    before = uploaded_files(app)
    signed_in(client, person.account)
    url = f"/me/archive/{item.id}/edit"
    # The form is fine and the PDF is real; the step refuses (审核未通过 items are closed).
    response = client.post(url, data={
        "csrf_token": csrf_token(client, "/me/archive/"), "title": "某奖", "level": "省部级",
        "organisation": "浙江省人民政府", "start_date": "2025-12-01", "rank": "1", "action": "save",
        "attachment": (BytesIO(factories.pdf_bytes()), "证书.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "不能修改" in shown_text(response.get_data(as_text=True))
    assert uploaded_files(app) == before
    assert db.session.get(ArchiveItem, item.id).attachments == []


def test_the_same_upload_is_kept_when_the_step_commits(app, client, world):
    person = world["person"]
    item = factories.archive_item(person, ReviewStatus.DRAFT, ArchiveCategory.AWARD, "某奖")
    db.session.commit()
    before = uploaded_files(app)
    signed_in(client, person.account)
    response = client.post(f"/me/archive/{item.id}/edit", data={
        "csrf_token": csrf_token(client, "/me/archive/"), "title": "某奖", "level": "省部级",
        "organisation": "浙江省人民政府", "start_date": "2025-12-01", "rank": "1", "action": "save",
        "attachment": (BytesIO(factories.pdf_bytes()), "证书.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(uploaded_files(app)) == len(before) + 1
    assert len(db.session.get(ArchiveItem, item.id).attachments) == 1


@pytest.mark.parametrize("field", ["remark-abc", "remark-", "remark-0", "remark-99999999999"])
def test_a_remark_field_without_an_item_id_is_a_bad_request(client, world, field):
    application = factories.application(
        factories.applicant(world["unit"], "申报人乙"), ApplicationStatus.PENDING)
    db.session.commit()
    signed_in(client, world["officer"])
    url = f"/unit/unit_application/review/?id={application.id}"
    response = post(client, url, {"id": application.id, "decision": "return",
                                  "opinion": "请修改", field: "看不清"}, token_from=url)
    assert response.status_code == 400
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING


# --- labels, never codes ---------------------------------------------------------------------

ENUMS = LabeledEnum.__subclasses__()


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_code_has_a_chinese_label_and_an_english_one(app, enum):
    from flask_babel import force_locale

    for member in enum:
        assert member.label and member.label != member.value
        assert not re.search(r"[A-Za-z]", member.zh), member
        with app.test_request_context(), force_locale("en"):
            english = member.label
        assert english != member.zh or member.zh == "—", member


def test_every_sms_text_is_chinese_whatever_the_readers_language(app, world, client):
    for template, text in sms.TEXTS.items():
        assert text and not re.search(r"[A-Za-z]", text.format_map(_Blank())), template
    # A unit officer reading English still sends Chinese: the label filled in is the Chinese.
    with client.session_transaction() as session:
        session["lang"] = "en"
    item = factories.archive_item(world["person"], ReviewStatus.PENDING, ArchiveCategory.PAPER,
                                  "一篇论文")
    db.session.commit()
    signed_in(client, world["officer"])
    post(client, "/unit/unit_archive/decide/", {"item_id": item.id, "decision": "return",
                                                "reason": "请补充"},
         token_from="/unit/unit_archive/")
    from models import Notification

    message = db.session.scalars(db.select(Notification).order_by(Notification.id.desc())).first()
    assert message.template == "archive_item_return"
    assert "「论文论著：一篇论文」" in message.text and "Papers" not in message.text


class _Blank(dict):
    def __missing__(self, key):
        return "某"


def test_every_step_of_a_timeline_reads_as_its_label_for_every_party(app, world, clock):
    application = recommended(world, clock)
    # One history row of every kind on the application, seen by the unit, the applicant and
    # the acceptance point.
    for action in Action:
        workflow.record_history(Subject.APPLICATION, application, action, None, None,
                                world["officer"], unit_id=world["unit"].id,
                                applicant_id=world["person"].id,
                                acceptance_point_id=world["point"].id)
    db.session.commit()
    pages = {
        world["officer"]: f"/unit/unit_application/review/?id={application.id}",
        world["person"].account: f"/me/applications/{application.id}",
        world["point_account"]: f"/acceptance/inbox/review/?id={application.id}",
    }
    codes = {member.value for enum in ENUMS for member in enum}
    for account, url in pages.items():
        client = app.test_client()
        signed_in(client, account)
        response = client.get(url)
        assert response.status_code == 200, url
        text = shown_text(response.get_data(as_text=True))
        for action in Action:
            assert action.label in text, (url, action)
        words = set(re.findall(r"(?<![A-Za-z0-9_])[a-z_]+(?![A-Za-z0-9_])", text))
        assert not words & codes, (url, words & codes)
