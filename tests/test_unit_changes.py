"""单位信息变更: the unit asks with a reason and a PDF proof, the 系统管理员 approves or rejects;
the USCC never changes; earlier names are kept; old documents keep the name they were made with."""
import io

import pytest
import sqlalchemy as sa

from models import (
    ApplicationStatus,
    AuditAction,
    AuditLog,
    AuthorizationStatus,
    Notification,
    OfficerDuty,
    Unit,
    UnitChange,
)
from tests import factories
from tests.helpers import csrf_token, every_row, shown_text, signed_in
from zcps import clock, workflow
from zcps.extensions import db
from zcps.storage import store_bytes
from zcps.workflow import WorkflowError

PAGE = "/unit/profile/"
QUEUE = "/admin/unit-changes/"


def ask(client, unit, **changed):
    values = {"name": unit.name, "address": unit.address or "杭州市",
              "legal_representative": unit.legal_representative or "王建国",
              "contact_name": unit.contact_name or "刘洋",
              "contact_mobile": unit.contact_mobile or "13800000001",
              "reason": "经市场监管部门核准更名", **changed}
    proof = changed.pop("proof", (io.BytesIO(factories.pdf_bytes()), "变更通知书.pdf"))
    values.pop("proof", None)
    data = {**values, "csrf_token": csrf_token(client, PAGE)}
    if proof is not None:
        data["proof"] = proof
    return client.post(PAGE, data=data, content_type="multipart/form-data")


@pytest.fixture
def unit(app):
    record = factories.unit("杭州旧名科技有限公司", address="杭州市西湖区", contact_name="刘洋",
                            contact_mobile="13800000001", legal_representative="王建国")
    factories.employer(record)
    db.session.commit()
    return record


def test_the_unit_asks_and_nothing_changes_until_the_admin_approves(app, unit, admin_client):
    client = signed_in(app.test_client(), factories.employer(unit))
    response = ask(client, unit, name="杭州新名科技有限公司", uscc="91330106MA2B3C4D5D")
    assert response.status_code == 302
    db.session.expire_all()
    change = db.session.scalars(sa.select(UnitChange)).one()
    assert change.after == {"name": "杭州新名科技有限公司"}
    assert change.before == {"name": "杭州旧名科技有限公司"}
    assert unit.name == "杭州旧名科技有限公司" and unit.uscc != "91330106MA2B3C4D5D"
    page = shown_text(client.get(PAGE).get_data(as_text=True))
    assert "正在等待平台管理员审核" in page
    again = shown_text(ask(client, unit, address="杭州市滨江区").get_data(as_text=True))
    assert "已有一份单位信息变更申请正在等待审核" in again
    assert db.session.scalar(sa.select(sa.func.count(UnitChange.id))) == 1

    queue = shown_text(admin_client.get(QUEUE).get_data(as_text=True))
    assert "待审核 (1)" in queue and "杭州旧名科技有限公司 → 杭州新名科技有限公司" in queue
    url = f"{QUEUE}decide/?id={change.id}"
    token = csrf_token(admin_client, url)
    response = admin_client.post(url, data={"decision": "approve", "opinion": "",
                                            "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert unit.name == "杭州新名科技有限公司" and change.status == AuthorizationStatus.APPROVED
    assert "曾用名：杭州旧名科技有限公司" in shown_text(client.get(PAGE).get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).filter_by(
        template="unit_change_approved")) == 1
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert AuditAction.UNIT_CHANGE_REQUEST in actions and AuditAction.UNIT_CHANGE_DECISION in actions


def test_refused_requests_say_why_and_change_nothing(app, unit):
    client = signed_in(app.test_client(), factories.employer(unit))
    before = every_row()
    same = shown_text(ask(client, unit).get_data(as_text=True))
    assert "没有需要变更的信息" in same
    no_reason = shown_text(ask(client, unit, name="新名", reason="").get_data(as_text=True))
    assert "请填写变更原因" in no_reason
    no_proof = shown_text(ask(client, unit, name="新名", proof=None).get_data(as_text=True))
    assert "证明材料" in no_proof
    bad_mobile = shown_text(ask(client, unit, contact_mobile="12345").get_data(as_text=True))
    assert "手机号码应为以1开头的11位数字" in bad_mobile
    not_pdf = ask(client, unit, name="新名", proof=(io.BytesIO(b"hello"), "x.pdf"))
    assert not_pdf.status_code == 200
    assert every_row() == before


def test_a_rejection_needs_a_reason_and_keeps_the_record(app, unit, admin_client):
    change = workflow.request_unit_change(
        factories.employer(unit), {"contact_name": "何敏", "contact_mobile": "13900000009"},
        "联系人调岗", store_bytes(factories.pdf_bytes(), "说明.pdf"))
    db.session.commit()
    with pytest.raises(WorkflowError, match="必须填写原因"):
        workflow.decide_unit_change(factories.admin(), change, False, " ")
    db.session.rollback()
    workflow.decide_unit_change(factories.admin(), change, False, "证明材料未盖章")
    db.session.commit()
    assert unit.contact_name == "刘洋" and change.status == AuthorizationStatus.REJECTED
    with pytest.raises(WorkflowError, match="已被处理"):
        workflow.decide_unit_change(factories.admin(), change, True, "")
    db.session.rollback()


def test_only_the_system_admin_decides_and_only_unit_management_asks(app, unit, security_client,
                                                                    audit_client):
    officer = factories.officer(unit, OfficerDuty.ARCHIVE)
    db.session.commit()
    assert signed_in(app.test_client(), officer).get(PAGE).status_code == 403
    with pytest.raises(WorkflowError):
        workflow.request_unit_change(officer, {"name": "新名"}, "更名", None)
    db.session.rollback()
    change = workflow.request_unit_change(factories.employer(unit), {"name": "新名"}, "更名",
                                          store_bytes(factories.pdf_bytes(), "说明.pdf"))
    db.session.commit()
    for client in (security_client, audit_client):
        assert client.get(QUEUE).status_code == 403
    with pytest.raises(WorkflowError, match="系统管理员"):
        workflow.decide_unit_change(factories.security_admin(), change, True, "")
    db.session.rollback()
    assert db.session.get(Unit, unit.id).name == "杭州旧名科技有限公司"


def test_another_unit_cannot_read_the_proof(app, unit):
    change = workflow.request_unit_change(factories.employer(unit), {"name": "新名"}, "更名",
                                          store_bytes(factories.pdf_bytes(), "说明.pdf"))
    other = factories.unit("别的单位")
    db.session.commit()
    mine = signed_in(app.test_client(), factories.employer(unit))
    assert mine.get(f"{PAGE}file/{change.id}").status_code == 200
    theirs = signed_in(app.test_client(), factories.employer(other))
    assert theirs.get(f"{PAGE}file/{change.id}").status_code == 404


def test_a_publicity_made_before_a_rename_keeps_the_old_name(app, unit):
    person = factories.applicant(unit)
    application = factories.application(person, ApplicationStatus.APPROVED)
    publicity = workflow.start_publicity(factories.employer(unit), [application], clock.today(),
                                         objection_contact="人事处", **factories.OBJECTION)
    change = workflow.request_unit_change(factories.employer(unit), {"name": "杭州新名科技有限公司"},
                                          "更名", store_bytes(factories.pdf_bytes(), "说明.pdf"))
    workflow.decide_unit_change(factories.admin(), change, True, "")
    db.session.commit()
    assert "杭州旧名科技有限公司" in publicity.title
