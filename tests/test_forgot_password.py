"""忘记密码: whoever holds the mobile on record sets a new password with a 短信验证码."""
import pytest

from models import AuditAction, AuditLog, Notification, SmsCode
from tests import factories
from tests.helpers import post, sign_in, sms_code
from zcps.extensions import db

NEW = "Newpass2026"


@pytest.fixture
def unit_account(app):
    unit = factories.unit("忘记密码单位", authorized=False)
    unit.contact_mobile = "13811112222"
    account = factories.employer(unit)
    db.session.commit()
    return account


@pytest.fixture
def person_account(app):
    person = factories.applicant(None, name="忘记密码人", with_account=True)
    person.mobile = "13933334444"
    db.session.commit()
    return person.account


def reset(client, slug, username, mobile, code=None, password=NEW, confirm=None):
    url = f"/forgot/{slug}"
    if code is None:
        code = sms_code(client, url, "mobile", mobile, username=username)
    return post(client, url, {"username": username, "mobile": mobile, "code": code,
                              "password": password, "confirm": confirm or password},
                token_from=url)


def messages() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Notification))


@pytest.mark.parametrize("slug", ["unit", "person"])
def test_the_sign_in_pages_with_a_mobile_on_record_link_to_it(client, slug):
    page = client.get(f"/login/{slug}").get_data(as_text=True)
    assert f'href="/forgot/{slug}"' in page and "忘记密码" in page
    form = client.get(f"/forgot/{slug}").get_data(as_text=True)
    for field, label in (("username", None), ("mobile", "手机号码"), ("code", "短信验证码"),
                         ("password", "新密码"), ("confirm", "确认密码")):
        assert f'<label for="{field}">' in form and (label is None or label in form)
    assert '<button type="submit" name="send_code"' in form


@pytest.mark.parametrize("slug", ["admin", "acceptance", "nobody"])
def test_accounts_without_a_mobile_have_no_such_page(client, slug):
    assert client.get(f"/forgot/{slug}").status_code == 404


@pytest.mark.parametrize("which", ["unit", "person"])
def test_the_holder_of_the_mobile_sets_a_new_password(client, make_client, which, request):
    account = request.getfixturevalue(f"{which}_account")
    mobile = "13811112222" if which == "unit" else "13933334444"
    response = reset(client, which, account.username.lower(), mobile)
    assert response.status_code == 302 and response.headers["Location"] == f"/login/{which}"
    db.session.refresh(account)
    assert account.check_password(NEW) and not account.check_password(factories.PASSWORD)
    entry = db.session.scalar(db.select(AuditLog).filter_by(
        action=AuditAction.RESET_PASSWORD_BY_SMS))
    assert entry.actor_id == account.id
    assert sign_in(make_client(), account, NEW).status_code == 302
    assert sign_in(make_client(), account, factories.PASSWORD).status_code == 200


def test_a_wrong_mobile_gets_the_same_answer_and_no_message(client, unit_account):
    right = post(client, "/forgot/unit", {"username": unit_account.username,
                                           "mobile": "13811112222", "send_code": "1"},
                 token_from="/forgot/unit").get_data(as_text=True)
    sent = messages()
    wrong = post(client, "/forgot/unit", {"username": unit_account.username,
                                           "mobile": "13800009999", "send_code": "1"},
                 token_from="/forgot/unit").get_data(as_text=True)
    unknown = post(client, "/forgot/unit", {"username": "91330100MA28E7F6G9",
                                             "mobile": "13800009998", "send_code": "1"},
                   token_from="/forgot/unit").get_data(as_text=True)
    assert messages() == sent == 1
    assert "如账号与手机号匹配，验证码已发送" in right
    assert "如账号与手机号匹配，验证码已发送" in wrong and "如账号与手机号匹配，验证码已发送" in unknown
    response = reset(client, "unit", unit_account.username, "13800009999", code="123456")
    assert "短信验证码错误或已失效" in response.get_data(as_text=True)
    db.session.refresh(unit_account)
    assert unit_account.check_password(factories.PASSWORD)


def test_a_code_for_one_account_does_not_reset_another_with_the_same_mobile(
        client, unit_account, person_account):
    person_account.applicant.mobile = "13811112222"
    db.session.commit()
    code = sms_code(client, "/forgot/unit", "mobile", "13811112222",
                    username=unit_account.username)
    response = reset(client, "person", person_account.username, "13811112222", code=code)
    assert "短信验证码错误或已失效" in response.get_data(as_text=True)
    db.session.refresh(person_account)
    assert person_account.check_password(factories.PASSWORD)


def test_a_code_resets_once(client, unit_account):
    code = sms_code(client, "/forgot/unit", "mobile", "13811112222",
                    username=unit_account.username)
    assert reset(client, "unit", unit_account.username, "13811112222", code=code).status_code == 302
    again = reset(client, "unit", unit_account.username, "13811112222", code=code,
                  password="Another2026")
    assert "短信验证码错误或已失效" in again.get_data(as_text=True)
    db.session.refresh(unit_account)
    assert unit_account.check_password(NEW)


def test_a_weak_password_is_refused_and_the_code_kept(client, unit_account):
    code = sms_code(client, "/forgot/unit", "mobile", "13811112222",
                    username=unit_account.username)
    response = reset(client, "unit", unit_account.username, "13811112222", code=code,
                     password="short")
    assert response.status_code == 200 and "密码至少8位" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(SmsCode)).used_at is None
    assert reset(client, "unit", unit_account.username, "13811112222",
                 code=code).status_code == 302


def test_a_stopped_account_gets_no_code(client, person_account):
    person_account.active = False
    db.session.commit()
    assert sms_code(client, "/forgot/person", "mobile", "13933334444",
                    username=person_account.username) == ""


def test_codes_for_a_reset_are_rate_limited_per_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [post(client, "/forgot/person", {"username": "x", "mobile": f"1390000000{n}",
                                             "send_code": "1"},
                  token_from="/forgot/person").status_code for n in range(7)]
    assert codes[0] == 200 and codes[-1] == 429


def ask_for_code(client, username, mobile) -> str:
    return post(client, "/forgot/unit", {"username": username, "mobile": mobile,
                                          "send_code": "1"},
                token_from="/forgot/unit").get_data(as_text=True)


def test_asking_again_answers_alike_whether_or_not_the_account_matches(client, unit_account):
    matched = [ask_for_code(client, unit_account.username, "13811112222") for _ in range(2)]
    unmatched = [ask_for_code(client, "91330100MA28E7F6G9", "13800007777") for _ in range(2)]
    for first, second in (matched, unmatched):
        assert "如账号与手机号匹配，验证码已发送" in first
        assert "获取验证码过于频繁" in second
    assert messages() == 1
