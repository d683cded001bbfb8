"""Seed step 1: 注册 — a unit opens its account with a checked 统一社会信用代码."""
import pytest

from models import Account, AuthorizationStatus, Role, Unit
from tests import factories
from tests.helpers import post
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


def register(client, **changes):
    return post(client, "/register/unit", {**VALID, **changes}, token_from="/register/unit")


def units():
    return db.session.scalar(db.select(db.func.count(Unit.id)))


def test_registration_page_has_every_labelled_field(client):
    page = client.get("/register/unit").get_data(as_text=True)
    for field, label in (("name", "单位名称"), ("uscc", "统一社会信用代码"),
                         ("legal_representative", "法定代表人"), ("address", "单位地址"),
                         ("contact_name", "联系人"), ("contact_mobile", "手机号码"),
                         ("password", "密码"), ("confirm", "确认密码")):
        assert f'<label for="{field}">{label}</label>' in page


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
    assert units() == 1
    assert db.session.get(Unit, existing.id).name != VALID["name"]


def test_registration_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [post(client, "/register/unit", {"name": ""}, token_from="/register/unit").status_code
             for _ in range(12)]
    assert codes[0] == 200 and codes[-1] == 429
