"""Sign-in by role: each role lands in its own area and is refused everywhere else."""
import pytest

from models import AuditLog, Role, dummy_password_hash
from tests import factories
from tests.helpers import login_url, post, shown_text, sign_in, signed_in
from zcps.auth import BAD_CREDENTIALS
from zcps.extensions import db

AREA_HOME = {
    Role.PLATFORM_ADMIN: "/admin/",
    Role.EMPLOYER: "/unit/",
    Role.APPLICANT: "/me/",
    Role.ACCEPTANCE: "/acceptance/",
}

# One page of each area besides its home, to show refusal is not only on the index.
AREA_PAGES = {
    Role.PLATFORM_ADMIN: ["/admin/", "/admin/admin_unit/", "/admin/admin_authorization/",
                          "/admin/admin_acceptance_point/new/"],
    Role.EMPLOYER: ["/unit/", "/unit/unit_application/", "/unit/unit_archive/",
                    "/unit/unit_applicant/"],
    Role.APPLICANT: ["/me/", "/me/profile/", "/me/archive/", "/me/applications/"],
    Role.ACCEPTANCE: ["/acceptance/", "/acceptance/inbox/"],
}


def make_account(role: Role):
    if role == Role.PLATFORM_ADMIN:
        return factories.admin()
    if role == Role.EMPLOYER:
        return factories.employer(factories.unit())
    if role == Role.APPLICANT:
        person = factories.applicant(factories.unit(), with_account=True)
        return person.account
    return factories.acceptance_account(factories.acceptance_point())


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_signs_in_to_its_own_area(client, role):
    account = make_account(role)
    db.session.commit()
    response = sign_in(client, account)
    assert response.status_code == 302
    assert response.headers["Location"] == AREA_HOME[role]
    page = client.get(AREA_HOME[role])
    assert page.status_code == 200
    assert account.display_name in page.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_is_refused_in_every_other_area(client, role):
    account = make_account(role)
    db.session.commit()
    signed_in(client, account)
    for other, pages in AREA_PAGES.items():
        for url in pages:
            response = client.get(url)
            if other == role:
                assert response.status_code == 200, url
            else:
                assert response.status_code == 403, url
                assert "无权访问" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_anonymous_visitor_is_sent_to_the_areas_sign_in_page(client, role):
    for url in AREA_PAGES[role]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(login_url(role) + "?next=")


def test_sign_in_returns_to_the_page_asked_for(client):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    response = sign_in(client, account, next_url="/unit/unit_application/")
    assert response.headers["Location"] == "/unit/unit_application/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/admin/",
                                    "/me/"])
def test_sign_in_ignores_a_next_page_outside_the_area(client, target):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    response = sign_in(client, account, next_url=target)
    assert response.headers["Location"] == "/unit/"


def test_wrong_password_and_unknown_account_read_the_same(client):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    wrong = sign_in(client, account, password="not-the-password")
    unknown = post(client, login_url(Role.EMPLOYER),
                   {"username": factories.make_uscc(999), "password": factories.PASSWORD},
                   token_from=login_url(Role.EMPLOYER))
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert str(BAD_CREDENTIALS) in response.get_data(as_text=True)
    assert client.get("/unit/").status_code == 302  # still signed out
    failures = db.session.scalars(db.select(AuditLog).filter_by(action="sign_in_failed")).all()
    assert len(failures) == 2


def test_the_audit_log_reads_in_chinese(client):
    admin = factories.audit_admin()
    db.session.commit()
    post(client, login_url(Role.EMPLOYER), {"username": "91330106MA2B3C4D5D", "password": "x"},
         token_from=login_url(Role.EMPLOYER))
    signed_in(client, admin)
    page = client.get("/admin/admin_audit/").get_data(as_text=True)
    assert "登录失败" in page and "用人单位 91330106MA2B3C4D5D" in page
    assert f"平台管理员 {admin.username}" in page
    for code in ("sign_in", "employer:", "platform_admin"):
        assert code not in shown_text(page), code
    # The 操作 filter shows one kind of event; a value it does not offer is ignored.
    failures = client.get("/admin/admin_audit/?flt0_0=sign_in_failed").get_data(as_text=True)
    assert "登录失败" in failures and f"平台管理员 {admin.username}" not in failures
    unknown = client.get("/admin/admin_audit/?flt0_0=zzz")
    assert unknown.status_code == 200 and f"平台管理员 {admin.username}" in unknown.get_data(
        as_text=True)


def test_an_account_signs_in_only_on_its_own_roles_page(client):
    account = make_account(Role.PLATFORM_ADMIN)
    db.session.commit()
    response = post(client, login_url(Role.ACCEPTANCE),
                    {"username": account.username, "password": factories.PASSWORD},
                    token_from=login_url(Role.ACCEPTANCE))
    assert str(BAD_CREDENTIALS) in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_unit_signs_in_with_its_credit_code_in_any_case_and_spacing(client):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    response = post(client, login_url(Role.EMPLOYER),
                    {"username": f"  {account.username.lower()} ", "password": factories.PASSWORD},
                    token_from=login_url(Role.EMPLOYER))
    assert response.status_code == 302


def test_empty_fields_are_refused_in_chinese(client):
    response = post(client, login_url(Role.APPLICANT), {"username": "", "password": ""},
                    token_from=login_url(Role.APPLICANT))
    text = response.get_data(as_text=True)
    assert "请填写账号。" in text and "请填写密码。" in text


def test_a_deactivated_account_cannot_sign_in(client):
    account = make_account(Role.EMPLOYER)
    account.active = False
    db.session.commit()
    response = sign_in(client, account)
    assert "已停用" in response.get_data(as_text=True)
    assert client.get("/unit/").status_code == 302


def test_a_deactivated_account_is_signed_out_on_its_next_request(client):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    signed_in(client, account)
    account.active = False
    db.session.commit()
    assert client.get("/unit/").status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    signed_in(client, account)
    assert client.get("/logout").status_code == 405
    assert client.get("/me/").status_code == 200
    response = post(client, "/logout", token_from="/me/")
    assert response.status_code == 302
    assert response.headers["Location"] == login_url(Role.APPLICANT)
    assert client.get("/me/").status_code == 302


def test_passwords_are_stored_hashed(app):
    account = make_account(Role.PLATFORM_ADMIN)
    assert factories.PASSWORD not in account.password_hash
    assert account.check_password(factories.PASSWORD)
    assert not account.check_password("other")


def test_an_unknown_account_is_refused_with_a_hash_made_like_the_accounts_own(app):
    """Refusing an unknown name costs what refusing a wrong password costs: the same method."""
    account = make_account(Role.PLATFORM_ADMIN)
    method = account.password_hash.split("$", 1)[0]
    assert method == app.config["PASSWORD_HASH_METHOD"]
    assert dummy_password_hash().split("$", 1)[0] == method
    assert dummy_password_hash() == dummy_password_hash()  # made once per method


def test_unknown_sign_in_page_is_404(client):
    assert client.get("/login/nobody").status_code == 404


def test_sign_in_is_rate_limited_per_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = []
    for _ in range(25):
        statuses.append(post(client, "/login/admin", {"username": "x", "password": "y"},
                             token_from="/login/admin").status_code)
    assert statuses[0] == 200
    assert statuses[-1] == 429


def _with_wrong_check_digit(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize("role, slug, expected", [
    (Role.EMPLOYER, "unit", "统一社会信用代码校验位不正确"),
    (Role.APPLICANT, "person", "身份证号校验不正确"),
    (Role.EMPLOYER, "officer", "身份证号校验不正确"),
], ids=["unit", "person", "officer"])
def test_a_code_with_a_wrong_check_digit_is_said_so_at_sign_in(client, role, slug, expected):
    if slug == "unit":
        account = make_account(Role.EMPLOYER)
    elif slug == "person":
        account = make_account(Role.APPLICANT)
    else:
        account = factories.officer(factories.unit())
    db.session.commit()
    response = post(client, f"/login/{slug}",
                    {"username": _with_wrong_check_digit(account.username),
                     "password": factories.PASSWORD}, token_from=f"/login/{slug}")
    text = shown_text(response.get_data(as_text=True))
    assert response.status_code == 200
    assert expected in text and str(BAD_CREDENTIALS) not in text
    db.session.refresh(account)
    assert account.failed_sign_ins == 0  # no account was tried
    # The right code still signs in.
    assert post(client, f"/login/{slug}",
                {"username": account.username, "password": factories.PASSWORD},
                token_from=f"/login/{slug}").status_code == 302


def test_an_acceptance_username_of_eighteen_characters_is_not_checked_as_a_code(client):
    point = factories.acceptance_point()
    account = factories.acceptance_account(point, username="acceptance-account")
    db.session.commit()
    response = post(client, login_url(Role.ACCEPTANCE),
                    {"username": "acceptance-accounx", "password": factories.PASSWORD},
                    token_from=login_url(Role.ACCEPTANCE))
    assert str(BAD_CREDENTIALS) in response.get_data(as_text=True)
    assert account.id


@pytest.mark.parametrize("slug, typed, expected", [
    ("unit", "id_number", "经办人请使用“经办人登录”"),
    ("officer", "uscc", "单位账号请使用“法人登录”"),
    ("person", "uscc", "单位请使用“法人登录”"),
])
def test_a_valid_code_of_the_wrong_kind_points_to_the_right_sign_in(client, slug, typed, expected):
    unit = factories.unit()
    person = factories.applicant(unit, with_account=True)
    db.session.commit()
    code = {"id_number": person.id_number, "uscc": unit.uscc}[typed]
    response = post(client, f"/login/{slug}", {"username": code, "password": factories.PASSWORD},
                    token_from=f"/login/{slug}")
    assert expected in response.get_data(as_text=True)
    assert client.get("/me/").status_code == 302 and client.get("/unit/").status_code == 302
