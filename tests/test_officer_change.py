"""经办人变更: an authorized unit names a new handling officer with a new 委托证明; the platform
admin decides it in the same queue; the unit stays authorized meanwhile and whatever the
decision; every submission is kept."""
from io import BytesIO

import pytest
import sqlalchemy as sa

from models import (
    ApplicationStatus,
    Authorization,
    AuthorizationStatus,
    Notification,
    OfficerDuty,
    ReviewStatus,
)
from tests import factories
from tests.helpers import csrf_token, shown_text, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.storage import store_bytes
from zcps.workflow import WorkflowError

NEW_OFFICER = {"officer_name": "何敏", "officer_id_number": "330105198511030042",
               "officer_mobile": "13800000002"}
PAGE = "/unit/authorization/"


def scan():
    return store_bytes(factories.pdf_bytes(), "委托证明.pdf")


@pytest.fixture
def unit(app):
    record = factories.unit("已授权单位")
    factories.employer(record)
    db.session.commit()
    return record


def change(unit, **officer):
    return workflow.submit_authorization(factories.employer(unit),
                                         **{**NEW_OFFICER, **officer}, stored_file=scan())


def test_the_unit_submits_a_change_and_stays_authorized_while_it_waits(app, unit):
    first = workflow.current_officer(unit)
    submitted = change(unit)
    db.session.commit()
    assert submitted.officer_change and submitted.status == AuthorizationStatus.PENDING
    assert unit.is_authorized and workflow.current_officer(unit).id == first.id
    # The unit keeps working: a decision on an archive item goes through.
    person = factories.applicant(unit, profile_status=ReviewStatus.APPROVED)
    item = factories.archive_item(person)
    workflow.review_item(factories.employer(unit), item, "approve")
    db.session.commit()
    with pytest.raises(WorkflowError, match="经办人变更已提交"):
        change(unit, officer_name="另一人")
    db.session.rollback()
    client = signed_in(app.test_client(), factories.employer(unit))
    page = shown_text(client.get(PAGE).get_data(as_text=True))
    assert "经办人变更已提交（新经办人：何敏）" in page and "授权状态：审核通过" in page


def test_the_admin_approves_a_change_and_the_new_officer_is_current(app, unit, admin_client):
    submitted = change(unit)
    db.session.commit()
    queue = shown_text(admin_client.get("/admin/admin_authorization/").get_data(as_text=True))
    assert "待审核 (1)" in queue and "经办人变更" in queue
    decide = f"/admin/admin_authorization/decide/?id={submitted.id}"
    assert "单位授权不受影响" in shown_text(admin_client.get(decide).get_data(as_text=True))
    admin_client.post(decide, data={"decision": "approve", "opinion": "",
                                    "csrf_token": csrf_token(admin_client, decide)})
    db.session.expire_all()
    assert submitted.status == AuthorizationStatus.APPROVED and unit.is_authorized
    assert workflow.current_officer(unit).officer_name == "何敏"
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).filter_by(
        template="officer_change_approved")) == 1
    assert db.session.scalar(sa.select(sa.func.count(Authorization.id)).filter_by(
        unit_id=unit.id)) == 2  # every submission is kept


def test_a_rejected_change_keeps_the_unit_authorized_and_the_old_officer(app, unit):
    first = workflow.current_officer(unit)
    submitted = change(unit)
    db.session.commit()
    with pytest.raises(WorkflowError, match="必须填写原因"):
        workflow.reject_authorization(factories.admin(), submitted, "")
    db.session.rollback()
    workflow.reject_authorization(factories.admin(), submitted, "委托证明未盖章")
    db.session.commit()
    assert submitted.status == AuthorizationStatus.REJECTED
    assert unit.is_authorized and workflow.current_officer(unit).id == first.id
    text = db.session.scalars(sa.select(Notification.text).filter_by(
        template="officer_change_rejected")).one()
    assert "单位授权不受影响" in text
    # Another change can follow.
    change(unit, officer_name="第三人")
    db.session.commit()


def test_a_change_naming_the_current_officer_is_refused(app, unit):
    first = workflow.current_officer(unit)
    with pytest.raises(WorkflowError, match="无需变更"):
        change(unit, officer_name=first.officer_name, officer_id_number=first.officer_id_number,
               officer_mobile=first.officer_mobile)


def test_only_unit_management_submits_a_change(app, unit):
    officer = factories.officer(unit, OfficerDuty.APPLICATION)
    db.session.commit()
    with pytest.raises(WorkflowError):
        workflow.submit_authorization(officer, **NEW_OFFICER, stored_file=scan())
    db.session.rollback()
    assert signed_in(app.test_client(), officer).get(PAGE).status_code == 403


def test_the_change_form_uploads_a_new_letter_from_the_page(app, unit):
    client = signed_in(app.test_client(), factories.employer(unit))
    page = shown_text(client.get(PAGE).get_data(as_text=True))
    assert "经办人变更" in page and "当前经办人" in page
    response = client.post(PAGE, data={**NEW_OFFICER, "action": "submit",
                                       "csrf_token": csrf_token(client, PAGE),
                                       "scan": (BytesIO(factories.pdf_bytes()), "scan.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    waiting = workflow.pending_officer_change(unit)
    assert waiting is not None and waiting.officer_name == "何敏"
    assert client.get(f"{PAGE}letter/{waiting.id}").status_code == 200
    # The applications of the unit go on as before.
    assert factories.application(factories.applicant(unit), ApplicationStatus.APPROVED)
