"""注册 on 个人登录: a professional opens an account with a checked 身份证号."""
from datetime import date

import pytest

from models import Account, Applicant, AuditLog, Role, Sex
from tests import factories
from tests.helpers import page_text, post, sms_code
from zcps import accounts
from zcps.extensions import db

ID_NUMBER = "33010619850612004X"  # a woman born on 12 June 1985
VALID = {
    "name": "张新人",
    "id_number": ID_NUMBER,
    "mobile": "13912345678",
    "password": "Passw0rd2026",
    "confirm": "Passw0rd2026",
}


def register(client, code=None, **changes):
    data = {**VALID, **changes}
    if code is None:
        code = sms_code(client, "/register/person", "mobile", data["mobile"])
    return post(client, "/register/person", {**data, "code": code}, token_from="/register/person")


def applicants():
    return db.session.scalar(db.select(db.func.count(Applicant.id)))


def applicant_accounts():
    return db.session.scalar(
        db.select(db.func.count(Account.id)).where(Account.role == Role.APPLICANT))


def test_registration_page_has_every_labelled_field(client):
    page = client.get("/register/person").get_data(as_text=True)
    for field, label in (("name", "姓名"), ("id_number", "身份证号"), ("mobile", "手机号码"),
                         ("password", "密码"), ("confirm", "确认密码"), ("code", "短信验证码")):
        assert f'<label for="{field}">{label}</label>' in page
    assert '<button type="submit" name="send_code"' in page


def test_the_personal_sign_in_page_links_to_registration(client):
    page = client.get("/login/person").get_data(as_text=True)
    assert "还没有账号？" in page
    assert 'href="/register/person"' in page


def test_a_person_registers_and_lands_in_their_area(client):
    response = register(client, id_number=" 33010619850612004x ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/"
    person = db.session.scalar(db.select(Applicant))
    assert person.id_number == ID_NUMBER and person.name == VALID["name"]
    assert person.sex == Sex.FEMALE and person.birth_date == date(1985, 6, 12)
    assert person.mobile == VALID["mobile"] and person.unit_id is None
    account = db.session.scalar(db.select(Account).filter_by(role=Role.APPLICANT))
    assert account.username == ID_NUMBER and account.applicant_id == person.id
    assert account.display_name == VALID["name"]
    assert account.check_password(VALID["password"])
    audit = db.session.scalar(db.select(AuditLog).filter_by(action="register_applicant"))
    assert audit.actor_id == account.id
    page = client.get("/me/")
    assert page.status_code == 200
    assert "注册成功。请完善基本信息并选择工作单位。" in page.get_data(as_text=True)


def test_a_man_is_recognised_from_the_17th_digit(client):
    assert register(client, id_number="33010619850612039X").status_code == 302
    assert db.session.scalar(db.select(Applicant)).sex == Sex.MALE


@pytest.mark.parametrize("field,value,message", [
    ("name", " ", "请填写姓名。"),
    ("name", "张" * 51, "姓名过长。"),
    ("id_number", "", "请填写身份证号。"),
    ("id_number", "330106198506120041", "身份证号校验不正确"),
    ("id_number", "330106850612080", "不支持15位旧身份证号，请填写18位身份证号。"),
    ("id_number", "3301061985061208", "身份证号应为18位。"),
    ("mobile", "", "手机号码应为以1开头的11位数字。"),
    ("mobile", "2391234567", "手机号码应为以1开头的11位数字。"),
    ("password", "short1", "密码至少8位"),
    ("password", "onlyletters", "至少包含大写字母、小写字母、数字、符号中的三类"),
    ("password", "1234567890", "过于常见"),
    ("confirm", "Different2026", "两次输入的密码不一致。"),
])
def test_each_invalid_field_is_refused_beside_it_and_nothing_is_saved(client, field, value,
                                                                        message):
    changes = {field: value}
    if field == "password":
        changes["confirm"] = value
    response = register(client, **changes)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}"' in page and "is-invalid" in page
    assert applicants() == 0 and applicant_accounts() == 0
    assert VALID["mobile"] in page or field == "mobile"  # what was typed is kept


def test_an_id_number_registers_only_once(client):
    existing = factories.applicant(None, name="原有人", id_number=ID_NUMBER, with_account=True)
    db.session.commit()
    response = register(client, id_number=" 33010619850612004x ")
    assert response.status_code == 200
    assert "该身份证号已被注册" in response.get_data(as_text=True)
    assert applicants() == 1 and applicant_accounts() == 1
    assert db.session.get(Applicant, existing.id).name == "原有人"
    assert client.get("/me/").status_code == 302  # not signed in


def test_a_person_without_an_account_cannot_be_taken_over(client):
    factories.applicant(factories.unit(), id_number=ID_NUMBER)
    db.session.commit()
    response = register(client)
    assert "该身份证号已被注册" in response.get_data(as_text=True)
    assert applicant_accounts() == 0


def test_two_registrations_at_once_leave_one_account(app, monkeypatch):
    factories.applicant(None, id_number=ID_NUMBER, with_account=True)
    db.session.commit()
    checks = []

    def nothing_found_yet(*args, **kwargs):
        # The other registration commits between this one's check and its insert.
        checks.append(args)

    monkeypatch.setattr(db.session, "scalar", nothing_found_yet)
    with pytest.raises(accounts.AlreadyRegistered, match="该身份证号已注册"):
        accounts.register_applicant(name="后来者", id_number=ID_NUMBER, mobile="13900000000",
                                    password="Passw0rd2026")
    monkeypatch.undo()
    assert checks  # refused by the unique index, not by the check
    db.session.rollback()
    assert applicants() == 1 and applicant_accounts() == 1


def test_the_new_account_signs_in_with_its_id_number(client, make_client):
    register(client)
    other = make_client()
    response = post(other, "/login/person",
                    {"username": "33010619850612004x", "password": VALID["password"]},
                    token_from="/login/person")
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/"
    assert other.get("/me/").status_code == 200


def test_registration_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [post(client, "/register/person", {"name": ""},
                  token_from="/register/person").status_code for _ in range(12)]
    assert codes[0] == 200 and codes[-1] == 429


def test_no_person_is_registered_without_the_mobiles_code(client):
    sms_code(client, "/register/person", "mobile", VALID["mobile"])
    response = register(client, code="000000")
    assert "短信验证码错误或已失效" in response.get_data(as_text=True)
    assert applicants() == 0 and applicant_accounts() == 0


def test_without_the_code_a_taken_id_number_looks_like_a_free_one(client, make_client):
    """Finding 11: nobody learns that a 身份证号 is registered before proving their mobile."""
    factories.applicant(None, id_number=ID_NUMBER, with_account=True)
    db.session.commit()
    free_number = "33010619850612039X"
    taken = page_text(register(client, code="123456"))
    free = page_text(register(make_client(), code="123456", id_number=free_number))
    assert "已注册" not in taken
    assert taken.replace(ID_NUMBER, "X") == free.replace(free_number, "X")


def test_the_owner_proving_the_mobile_on_record_is_sent_to_sign_in(client):
    person = factories.applicant(None, id_number=ID_NUMBER, with_account=True)
    person.mobile = VALID["mobile"]
    db.session.commit()
    page = register(client).get_data(as_text=True)
    assert "该身份证号已用此手机号注册，请直接登录" in page and "忘记密码" in page


def test_someone_else_holding_the_number_is_told_how_to_get_it_released(client):
    factories.applicant(None, id_number=ID_NUMBER, with_account=True)
    db.session.commit()
    page = register(client).get_data(as_text=True)
    assert "该身份证号已被注册" in page and "联系平台管理员" in page and "释放" in page
    assert applicant_accounts() == 1
