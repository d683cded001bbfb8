"""Seed step 1: 注册 — a unit opens its account with a checked 统一社会信用代码."""
import pytest

from models import Account, AuthorizationStatus, Role, Unit
from tests import factories
from tests.helpers import page_text, post, sms_code
from zcps.extensions import db

VALID = {
    "name": "杭州新注册科技有限公司",
    "uscc": "91330106MA2B3C4D5D",
    "legal_representative": "王法人",
    "address": "杭州市西湖区文三路1号",
    "contact_name": "李联系",
    "contact_mobile": "13812345678",
    "password": "Passw0rd2026",
    "confirm": "Passw0rd2026",
}


def register(client, code=None, **changes):
    data = {**VALID, **changes}
    if code is None:
        code = sms_code(client, "/register/unit", "contact_mobile", data["contact_mobile"])
    return post(client, "/register/unit", {**data, "code": code}, token_from="/register/unit")


def units():
    return db.session.scalar(db.select(db.func.count(Unit.id)))


def test_registration_page_has_every_labelled_field(client):
    page = client.get("/register/unit").get_data(as_text=True)
    for field, label in (("name", "单位名称"), ("uscc", "统一社会信用代码"),
                         ("legal_representative", "法定代表人"), ("address", "单位地址"),
                         ("contact_name", "联系人"), ("contact_mobile", "手机号码"),
                         ("password", "密码"), ("confirm", "确认密码"), ("code", "短信验证码")):
        assert f'<label for="{field}">{label}</label>' in page
    # 获取验证码 posts the form: the page works without JavaScript.
    assert '<button type="submit" name="send_code"' in page


def test_a_unit_registers_and_lands_on_its_authorization_page(client):
    response = register(client, uscc=" 91330106ma2b3c4d5d ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/unit/authorization/"
    unit = db.session.scalar(db.select(Unit))
    assert unit.uscc == "91330106MA2B3C4D5D" and unit.name == VALID["name"]
    assert unit.authorization_status == AuthorizationStatus.NONE
    account = db.session.scalar(db.select(Account).filter_by(role=Role.EMPLOYER))
    assert account.username == unit.uscc and account.unit_id == unit.id
    assert account.check_password(VALID["password"])
    page = client.get("/unit/authorization/").get_data(as_text=True)
    assert "注册成功" in page


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "请填写单位名称。"),
    ("uscc", "", "请填写统一社会信用代码。"),
    ("uscc", "91330106MA2B3C4D5", "统一社会信用代码应为18位。"),
    ("uscc", "91330106MA2B3C4D5E", "校验位不正确"),
    ("legal_representative", "", "请填写法定代表人。"),
    ("address", " ", "请填写单位地址。"),
    ("contact_name", "", "请填写联系人。"),
    ("address", "浙江省温州市𬌗路1号", "“𬌗”是生僻字，打印的证明材料中无法显示"),
    ("legal_representative", "王𬌗", "“𬌗”是生僻字，打印的证明材料中无法显示"),
    ("name", "𬌗𬌗科技有限公司", "“𬌗”是生僻字，打印的证明材料中无法显示"),
    ("contact_mobile", "2381234567", "手机号码应为以1开头的11位数字。"),
    ("contact_mobile", "1381234567", "手机号码应为以1开头的11位数字。"),
    ("password", "short1", "密码至少8位"),
    ("password", "onlyletters", "至少包含大写字母、小写字母、数字、符号中的三类"),
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
    assert 'is-invalid' in page
    assert units() == 0
    assert VALID["name"] in page or field == "name"  # what was typed is kept


def test_a_credit_code_registers_only_once(client, app):
    existing = factories.unit(uscc="91330106MA2B3C4D5D")
    db.session.commit()
    response = register(client, uscc="91330106ma2b3c4d5d")
    assert "该统一社会信用代码已注册" in response.get_data(as_text=True)
    assert "请联系平台管理员" in response.get_data(as_text=True)
    assert units() == 1
    assert db.session.get(Unit, existing.id).name != VALID["name"]


def test_registration_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [post(client, "/register/unit", {"name": ""}, token_from="/register/unit").status_code
             for _ in range(12)]
    assert codes[0] == 200 and codes[-1] == 429


def test_the_contact_mobile_gets_a_code_and_the_typed_fields_stay(client):
    response = post(client, "/register/unit", {**VALID, "send_code": "1"},
                    token_from="/register/unit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "验证码已发送至138****5678" in page
    assert VALID["name"] in page and VALID["uscc"] in page
    assert units() == 0


def test_a_bad_mobile_gets_no_code(client):
    response = post(client, "/register/unit", {**VALID, "contact_mobile": "2381234567",
                                               "send_code": "1"}, token_from="/register/unit")
    assert "手机号码应为以1开头的11位数字。" in response.get_data(as_text=True)
    assert sms_code(client, "/register/unit", "contact_mobile", "2381234567") == ""


@pytest.mark.parametrize("code,message", [
    ("", "请填写短信验证码。"),
    ("000000", "短信验证码错误或已失效"),
])
def test_no_unit_is_registered_without_the_mobiles_code(client, code, message):
    sms_code(client, "/register/unit", "contact_mobile", VALID["contact_mobile"])
    response = register(client, code=code)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert units() == 0


def test_a_code_sent_to_another_mobile_does_not_register(client):
    code = sms_code(client, "/register/unit", "contact_mobile", "13900000000")
    response = register(client, code=code)
    assert "短信验证码错误或已失效" in response.get_data(as_text=True)
    assert units() == 0


def without_tokens(response) -> str:
    return page_text(response).replace("138****5678", "")


def test_without_the_code_a_taken_credit_code_looks_like_a_free_one(client, make_client):
    """Finding 11: nobody learns that a USCC is registered before proving their mobile."""
    factories.unit(uscc="91330106MA2B3C4D5D")
    db.session.commit()
    taken = register(client, code="123456")
    free = register(make_client(), code="123456", uscc="91330100MA28E7F6G9")
    assert "已注册" not in taken.get_data(as_text=True)
    assert without_tokens(taken).replace("91330106MA2B3C4D5D", "X") == \
        without_tokens(free).replace("91330100MA28E7F6G9", "X")


def test_the_owner_proving_the_mobile_on_record_is_sent_to_sign_in(client):
    factories.unit(uscc="91330106MA2B3C4D5D").contact_mobile = VALID["contact_mobile"]
    db.session.commit()
    page = register(client).get_data(as_text=True)
    assert "该统一社会信用代码已用此手机号注册，请直接登录" in page and "忘记密码" in page
    assert units() == 1


def test_a_code_serves_one_attempt_even_when_the_code_is_taken(client):
    factories.unit(uscc="91330106MA2B3C4D5D")
    db.session.commit()
    code = sms_code(client, "/register/unit", "contact_mobile", VALID["contact_mobile"])
    assert "已注册" in register(client, code=code).get_data(as_text=True)
    # The same code cannot probe a second credit code.
    page = register(client, code=code, uscc="91330100MA28E7F6G9").get_data(as_text=True)
    assert "短信验证码错误或已失效" in page and units() == 1


def test_codes_are_rate_limited_per_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [post(client, "/register/unit", {**VALID, "contact_mobile": f"1380000000{n}",
                                             "send_code": "1"},
                  token_from="/register/unit").status_code for n in range(7)]
    assert codes[0] == 200 and codes[-1] == 429
