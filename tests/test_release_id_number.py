"""Finding 6: the platform admin releases a 身份证号 someone registered first."""
import pytest

from models import (
    Account,
    Applicant,
    ApplicationStatus,
    ArchiveItem,
    AuditAction,
    AuditLog,
    ReviewStatus,
    Role,
)
from tests import factories
from tests.helpers import csrf_token, post, sign_in, signed_in, sms_code
from zcps import accounts
from zcps.extensions import db
from zcps.workflow import WorkflowError

ID_NUMBER = "33010619850612004X"
LIST = "/admin/admin_applicant_account/"


@pytest.fixture
def squatter(app):
    unit = factories.unit("被占用单位")
    person = factories.applicant(unit, name="冒用者", id_number=ID_NUMBER, with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    factories.application(person, ApplicationStatus.APPROVED)
    db.session.commit()
    return person.account


def release(client, account, reason="本人持身份证到窗口核实，原账号系他人冒用注册。"):
    url = f"{LIST}release/?id={account.id}"
    return post(client, url, {"id": account.id, "reason": reason}, token_from=url)


def test_the_admin_lists_applicant_accounts_masked_with_a_release_button(security_client, squatter):
    page = security_client.get(LIST).get_data(as_text=True)
    assert "冒用者" in page and "3301**********004X" in page and ID_NUMBER not in page
    assert f"release/?id={squatter.id}" in page and "释放身份证号" in page


def test_the_release_page_asks_for_a_reason_and_confirmation(security_client, squatter):
    page = security_client.get(f"{LIST}release/?id={squatter.id}").get_data(as_text=True)
    assert "释放原因" in page and "confirm(" in page and "冒用者" in page
    assert "停用" in page  # says what will happen


def test_without_a_reason_nothing_changes(security_client, squatter):
    response = release(security_client, squatter, reason=" ")
    assert response.status_code == 200 and "请填写释放原因。" in response.get_data(as_text=True)
    db.session.refresh(squatter)
    assert squatter.active and squatter.username == ID_NUMBER


def test_release_stops_the_account_frees_the_number_and_is_audited(security_client, squatter,
                                                                   make_client):
    person_id = squatter.applicant_id
    items = db.session.scalar(db.select(db.func.count(ArchiveItem.id))
                              .where(ArchiveItem.applicant_id == person_id))
    response = release(security_client, squatter)
    assert response.status_code == 302
    db.session.expire_all()
    assert "身份证号已释放" in security_client.get(LIST).get_data(as_text=True)
    squatter = db.session.get(Account, squatter.id)
    assert not squatter.active and squatter.username != ID_NUMBER
    old = db.session.get(Applicant, person_id)
    assert old.id_number != ID_NUMBER and old.name == "冒用者"
    entry = db.session.scalar(db.select(AuditLog).filter_by(action=AuditAction.RELEASE_ID_NUMBER))
    assert entry.target == f"applicant:{person_id}"
    assert entry.detail["id_number"] == "3301**********004X" and "冒用" in entry.detail["reason"]
    assert sign_in(make_client(), squatter).status_code == 200  # the old account is stopped

    # The real person registers with the number; nothing of the old account comes with it.
    person = make_client()
    code = sms_code(person, "/register/person", "mobile", "13912345678")
    response = post(person, "/register/person", {
        "name": "真本人", "id_number": ID_NUMBER, "mobile": "13912345678", "code": code,
        "password": "Passw0rd2026", "confirm": "Passw0rd2026"}, token_from="/register/person")
    assert response.status_code == 302
    real = db.session.scalar(db.select(Applicant).filter_by(id_number=ID_NUMBER))
    assert real.id != person_id and real.unit_id is None and real.applications == []
    assert db.session.scalar(db.select(db.func.count(ArchiveItem.id))
                             .where(ArchiveItem.applicant_id == real.id)) == 0
    assert db.session.scalar(db.select(db.func.count(ArchiveItem.id))
                             .where(ArchiveItem.applicant_id == person_id)) == items


def test_a_number_is_released_once(security_client, squatter):
    assert release(security_client, squatter).status_code == 302
    again = release(security_client, squatter)
    assert "该账号的身份证号已释放" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).where(
        AuditLog.action == AuditAction.RELEASE_ID_NUMBER)) == 1


def test_only_the_security_admin_releases(app, squatter, admin_client, audit_client):
    unit_account = factories.employer(squatter.applicant.unit)
    db.session.commit()
    client = signed_in(app.test_client(), unit_account)
    assert client.get(f"{LIST}release/?id={squatter.id}").status_code in (302, 403)
    with pytest.raises(WorkflowError):
        accounts.release_id_number(unit_account, squatter, "理由")
    # 三员分立: the 系统管理员 lists applicant accounts but neither sees the button nor may
    # release; the 审计管理员 does not even see the list.
    assert "释放身份证号" not in admin_client.get(LIST).get_data(as_text=True)
    assert admin_client.get(f"{LIST}release/?id={squatter.id}").status_code == 403
    refused = admin_client.post(f"{LIST}release/?id={squatter.id}",
                                data={"reason": "冒用", "csrf_token": csrf_token(admin_client, LIST)})
    assert refused.status_code == 403
    assert audit_client.get(LIST).status_code == 403
    with pytest.raises(WorkflowError, match="安全管理员"):
        accounts.release_id_number(factories.admin(), squatter, "理由")
    assert db.session.get(Account, squatter.id).active


def test_other_accounts_are_not_released_here(security_client, app):
    unit_account = factories.employer(factories.unit())
    db.session.commit()
    assert security_client.get(f"{LIST}release/?id={unit_account.id}").status_code == 404
    assert security_client.get(f"{LIST}release/?id=abc").status_code == 404
    assert db.session.get(Account, unit_account.id).role == Role.EMPLOYER
