"""Issue 14, findings 2 and 3: sessions that end, passwords that resist guessing, and lockout.

A session carries its account's session generation: sign-out, a password change or reset and a
deactivation raise it, so every copy of an old cookie stops working at once. Sessions also end
after 30 idle minutes and 8 hours after sign-in, however busy. Passwords follow one policy
(zcps/passwords.py) wherever they are set; five wrong passwords in a row lock an account.
"""
from datetime import datetime, timedelta

import pytest

from models import Account, AuditAction, AuditLog, Notification, Role
from tests import factories
from tests.helpers import ON_SERVERS, login_url, post, run_together, shown_text, sign_in, signed_in
from zcps import accounts, auth, passwords
from zcps.auth import BAD_CREDENTIALS
from zcps.extensions import db
from zcps.workflow import WorkflowError

START = datetime(2026, 9, 29, 2, 0)  # 10:00 in Beijing


@pytest.fixture
def wall_clock(monkeypatch):
    """Sessions are timed by the wall clock (moving zcps.clock ends none): set its minute."""
    now = {"minutes": 0}
    base = 1_790_000_000
    monkeypatch.setattr(auth, "_now", lambda: base + int(now["minutes"] * 60))

    def set_minutes(minutes):
        now["minutes"] = minutes

    return set_minutes


def make_account(role: Role) -> Account:
    if role == Role.PLATFORM_ADMIN:
        return factories.admin()
    if role == Role.EMPLOYER:
        return factories.employer(factories.unit())
    if role == Role.APPLICANT:
        return factories.applicant(factories.unit(), with_account=True).account
    return factories.acceptance_account(factories.acceptance_point())


HOME = {Role.PLATFORM_ADMIN: "/admin/", Role.EMPLOYER: "/unit/", Role.APPLICANT: "/me/",
        Role.ACCEPTANCE: "/acceptance/"}
PASSWORD_PAGE = {role: home + "password/" for role, home in HOME.items()}


def copy_cookie(source, target):
    target.set_cookie("session", source.get_cookie("session").value)


def is_signed_in(client, role) -> bool:
    response = client.get(HOME[role])
    return response.status_code == 200


def audits(action) -> list:
    db.session.expire_all()
    return db.session.scalars(db.select(AuditLog).filter_by(action=action)).all()


# --- finding 2: sessions ---------------------------------------------------------------------

def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(client, make_client):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    signed_in(client, account)
    thief = make_client()
    copy_cookie(client, thief)
    assert is_signed_in(thief, Role.APPLICANT)

    post(client, "/logout", token_from="/me/")

    assert not is_signed_in(thief, Role.APPLICANT)
    assert not is_signed_in(client, Role.APPLICANT)


def test_sign_out_ends_every_session_of_the_account(client, make_client):
    account = make_account(Role.EMPLOYER)
    db.session.commit()
    other_browser = signed_in(make_client(), account)
    signed_in(client, account)
    post(client, "/logout", token_from="/unit/")
    assert not is_signed_in(other_browser, Role.EMPLOYER)


def test_a_cookie_copied_before_an_admin_reset_no_longer_works(client, make_client, guard):
    unit = factories.unit()
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    thief = make_client()
    copy_cookie(client, thief)
    admin = signed_in(make_client(), guard)

    url = f"/admin/admin_unit/reset-password/?id={unit.id}"
    assert post(admin, url, {"id": str(unit.id)}, token_from=url).status_code == 200

    assert not is_signed_in(thief, Role.EMPLOYER)
    assert not is_signed_in(client, Role.EMPLOYER)


def test_deactivating_a_unit_ends_its_sessions_for_good(client, make_client, guard):
    unit = factories.unit()
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    accounts.set_unit_active(guard, unit, False)
    db.session.commit()
    accounts.set_unit_active(guard, unit, True)
    db.session.commit()
    # Active again, but the session from before the stop does not come back.
    assert not is_signed_in(client, Role.EMPLOYER)
    assert signed_in(make_client(), account)


def test_a_session_ends_after_30_idle_minutes(client, wall_clock):
    account = make_account(Role.ACCEPTANCE)
    db.session.commit()
    signed_in(client, account)
    wall_clock(29)
    assert is_signed_in(client, Role.ACCEPTANCE)
    wall_clock(29 + 31)
    response = client.get("/acceptance/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(Role.ACCEPTANCE))


def test_the_session_cookie_is_sent_again_only_when_the_idle_timer_moves(client, wall_clock):
    account = make_account(Role.ACCEPTANCE)
    db.session.commit()
    signed_in(client, account)
    client.get("/acceptance/")  # the new session's first form token
    wall_clock(0.5)
    response = client.get("/acceptance/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    wall_clock(1)
    response = client.get("/acceptance/")
    assert response.status_code == 200 and "session=" in response.headers["Set-Cookie"]
    # Idle counted from that request: 30 minutes after it the session still holds, then ends.
    wall_clock(31)
    assert is_signed_in(client, Role.ACCEPTANCE)
    wall_clock(61.5)
    assert not is_signed_in(client, Role.ACCEPTANCE)


def test_the_idle_timeout_is_configurable(app, client, wall_clock):
    app.config["SESSION_IDLE_SECONDS"] = 120
    account = make_account(Role.ACCEPTANCE)
    db.session.commit()
    signed_in(client, account)
    wall_clock(3)
    assert not is_signed_in(client, Role.ACCEPTANCE)


def test_a_busy_session_still_ends_8_hours_after_sign_in(client, wall_clock):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    signed_in(client, account)
    for minutes in range(20, 8 * 60, 20):
        wall_clock(minutes)
        assert is_signed_in(client, Role.APPLICANT), minutes
    wall_clock(8 * 60 + 1)
    assert not is_signed_in(client, Role.APPLICANT)


def test_moving_the_business_clock_ends_no_session(client, clock):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    signed_in(client, account)
    clock(START + timedelta(days=3))
    assert is_signed_in(client, Role.APPLICANT)


def test_sign_in_starts_a_new_session_keeping_only_the_language(client):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "x"
        session["lang"] = "en"
    signed_in(client, account)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"


# --- 修改密码 ------------------------------------------------------------------------------------

NEW_PASSWORD = "Hangzhou#2027"


def change(client, role, old=factories.PASSWORD, new=NEW_PASSWORD, confirm=None):
    url = PASSWORD_PAGE[role]
    return post(client, url, {"old_password": old, "new_password": new,
                              "confirm": new if confirm is None else confirm}, token_from=url)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_role_changes_its_own_password(client, make_client, role):
    account = make_account(role)
    db.session.commit()
    other_browser = signed_in(make_client(), account)
    signed_in(client, account)
    home = client.get(HOME[role]).get_data(as_text=True)
    assert f'href="{PASSWORD_PAGE[role]}"' in home and "修改密码" in home

    response = change(client, role)
    assert response.status_code == 302
    assert is_signed_in(client, role)  # this browser stays signed in …
    assert not is_signed_in(other_browser, role)  # … every other one is signed out
    assert sign_in(make_client(), account, NEW_PASSWORD).status_code == 302
    assert sign_in(make_client(), account).status_code == 200  # the old one no longer works
    assert len(audits(AuditAction.CHANGE_PASSWORD)) == 1


@pytest.mark.parametrize(("old", "new", "confirm", "message"), [
    ("wrong-old-1", NEW_PASSWORD, None, "原密码不正确"),
    (factories.PASSWORD, NEW_PASSWORD, "Other#2027x", "两次输入的新密码不一致"),
    (factories.PASSWORD, "password1", None, "过于常见"),
    (factories.PASSWORD, "abc12345", None, "过于常见"),
    (factories.PASSWORD, "short#1A", None, None),  # 8 characters, 4 classes: accepted
    (factories.PASSWORD, "Aa1#", None, "至少8位"),
    (factories.PASSWORD, "alllowercase", None, "至少包含"),
])
def test_a_password_change_is_refused_with_the_reason(client, old, new, confirm, message):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    signed_in(client, account)
    before = account.password_hash
    response = change(client, Role.APPLICANT, old, new, confirm)
    db.session.refresh(account)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert account.password_hash == before


def test_a_reset_password_must_be_changed_before_anything_else(client, make_client, guard):
    unit = factories.unit()
    account = factories.employer(unit)
    db.session.commit()
    admin = signed_in(make_client(), guard)
    url = f"/admin/admin_unit/reset-password/?id={unit.id}"
    page = post(admin, url, {"id": str(unit.id)}, token_from=url).get_data(as_text=True)
    one_time = page.split('data-testid="one-time-password">')[1].split("<")[0]

    assert sign_in(client, account, one_time).status_code == 302
    for url in ("/unit/", "/unit/unit_application/", "/unit/profile/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == PASSWORD_PAGE[Role.EMPLOYER]
    page = client.get(PASSWORD_PAGE[Role.EMPLOYER]).get_data(as_text=True)
    assert "请先修改密码" in page
    # The one-time password itself is no new password.
    assert change(client, Role.EMPLOYER, one_time, one_time).status_code == 200
    assert change(client, Role.EMPLOYER, one_time).status_code == 302
    assert client.get("/unit/").status_code == 200


# --- finding 3: passwords ----------------------------------------------------------------------

UNIT_FORM = {
    "name": "杭州新注册科技有限公司", "uscc": "91330106MA2B3C4D5D", "legal_representative": "王法人",
    "address": "杭州市西湖区文三路1号", "contact_name": "李联系", "contact_mobile": "13812345678",
}


@pytest.mark.parametrize("password", ["password1", "abc12345", "Password1", "91330106MA2B3C4D5D",
                                      "x91330106ma2b3c4d5d", "Tel13812345678"])
def test_registration_refuses_a_guessable_password(client, password):
    response = post(client, "/register/unit",
                    {**UNIT_FORM, "password": password, "confirm": password},
                    token_from="/register/unit")
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Account.id))) == 0


def test_an_applicant_cannot_use_their_id_number_as_password(client):
    number = factories.make_id_number(5)
    response = post(client, "/register/person",
                    {"name": "王五", "id_number": number, "mobile": "13812345678",
                     "password": "Id#" + number, "confirm": "Id#" + number},
                    token_from="/register/person")
    assert response.status_code == 200
    assert "不能包含" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Account.id))) == 0


def test_the_policy_in_one_place():
    assert passwords.problem("password1") is not None
    assert passwords.problem("abc12345") is not None
    assert passwords.problem("Zj-title-2026") is None
    assert passwords.problem("Zj-title-2026", ["zj-TITLE"]) is not None  # contains an identifier
    assert passwords.problem("Abcdefghij") is not None  # two classes
    assert passwords.problem("abcdefg1!") is None  # three classes
    assert len(passwords.common_passwords()) >= 3000


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["zcps", "create-admin", "--username", "boss", "--kind", "system",
                                 "--password", "abc12345"])
    assert result.exit_code != 0
    assert db.session.scalar(db.select(db.func.count(Account.id))) == 0
    result = runner.invoke(args=["zcps", "create-admin", "--username", "boss", "--kind", "system",
                                 "--password", "Zj-title-2026"])
    assert result.exit_code == 0, result.output


# --- finding 3: lockout ------------------------------------------------------------------------

def guess(client, account, password="wrong-Guess-1"):
    return sign_in(client, account, password)


def test_the_sixth_guess_is_refused_even_with_the_right_password(client, clock):
    clock(START)
    unit = factories.unit()
    unit.contact_mobile = "13911112222"
    account = factories.employer(unit)
    db.session.commit()
    for _ in range(5):
        response = guess(client, account)
        assert str(BAD_CREDENTIALS) in response.get_data(as_text=True)

    response = guess(client, account, factories.PASSWORD)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已被锁定" in text and "10:15" in text  # locked until 15 minutes after, Beijing time
    assert not is_signed_in(client, Role.EMPLOYER)
    assert len(audits(AuditAction.ACCOUNT_LOCKED)) == 1
    messages = db.session.scalars(db.select(Notification).filter_by(template="account_locked")).all()
    assert [message.mobile for message in messages] == ["13911112222"]

    clock(START + timedelta(minutes=16))
    assert guess(client, account, factories.PASSWORD).status_code == 302


def test_a_success_clears_the_count(client):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    for _ in range(4):
        guess(client, account)
    signed_in(client, account)
    post(client, "/logout", token_from="/me/")
    for _ in range(4):
        guess(client, account)
    assert guess(client, account, factories.PASSWORD).status_code == 302


def test_an_unknown_account_reads_like_a_wrong_password_however_often(client):
    for _ in range(7):
        response = post(client, login_url(Role.EMPLOYER),
                        {"username": factories.make_uscc(998), "password": "wrong-Guess-1"},
                        token_from=login_url(Role.EMPLOYER))
        assert str(BAD_CREDENTIALS) in response.get_data(as_text=True)


def test_the_admin_releases_a_lock_early(client, make_client, guard):
    point = factories.acceptance_point()
    account = factories.acceptance_account(point)
    db.session.commit()
    for _ in range(5):
        guess(client, account)
    assert guess(client, account, factories.PASSWORD).status_code == 200
    admin = signed_in(make_client(), guard)
    listing = admin.get("/admin/admin_acceptance_account/").get_data(as_text=True)
    assert "已锁定" in listing
    url = f"/admin/admin_acceptance_account/unlock/?id={account.id}"
    assert admin.get(url).status_code == 405  # a change is a POST, confirmed on the list
    response = post(admin, url, {"id": str(account.id)}, token_from="/admin/admin_acceptance_account/")
    assert response.status_code == 302
    assert len(audits(AuditAction.ACCOUNT_UNLOCKED)) == 1
    assert guess(client, account, factories.PASSWORD).status_code == 302


def test_only_the_security_admin_releases_a_lock(app, admin_client, audit_client):
    account = make_account(Role.ACCEPTANCE)
    other = make_account(Role.ACCEPTANCE)
    db.session.commit()
    with pytest.raises(WorkflowError):
        accounts.unlock(other, account)
    for admin in (factories.admin(), factories.audit_admin()):
        with pytest.raises(WorkflowError, match="安全管理员"):
            accounts.unlock(admin, account)
    url = f"/admin/admin_acceptance_account/unlock/?id={account.id}"
    listing = "/admin/admin_acceptance_account/"
    # The 系统管理员 sees the accounts without the button, and the endpoint refuses them.
    assert "重置密码或解除锁定" not in admin_client.get(listing).get_data(as_text=True)
    assert post(admin_client, url, {"id": str(account.id)}, token_from=listing).status_code == 403
    assert audit_client.get(listing).status_code == 403
    assert audits(AuditAction.ACCOUNT_UNLOCKED) == []


def test_the_security_admin_unlocks_an_applicant(client, security_client):
    person = factories.applicant(factories.unit(), with_account=True)
    db.session.commit()
    for _ in range(5):
        guess(client, person.account)
    listing = "/admin/admin_applicant_account/"
    assert "已锁定" in security_client.get(listing).get_data(as_text=True)
    url = f"{listing}unlock/?id={person.account.id}"
    assert post(security_client, url, {"id": str(person.account.id)},
                token_from=listing).status_code == 302
    assert guess(client, person.account, factories.PASSWORD).status_code == 302


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(3))
def test_wrong_passwords_at_once_are_all_counted(app, attempt):
    account = make_account(Role.APPLICANT)
    db.session.commit()
    username, role = account.username, account.role

    def try_once():
        try:
            accounts.sign_in(role, username, "wrong-Guess-1")
        except accounts.SignInRefused as refusal:
            return refusal.locked  # the counted failure is committed
        return None

    race = run_together(app, [try_once] * 8)
    outcomes = race.results

    assert race.errors == []
    db.session.refresh(account)
    # Five counted failures lock the account once; the three after them find it locked.
    assert outcomes.count(False) == 5 and outcomes.count(True) == 3
    assert account.locked_until is not None
    assert len(audits(AuditAction.ACCOUNT_LOCKED)) == 1


def test_stopping_an_acceptance_account_ends_its_sessions(client, make_client, guard, root):
    point = factories.acceptance_point("西湖区受理点")
    account = factories.acceptance_account(point, "xihu")
    db.session.commit()
    signed_in(client, account)
    listing = "/admin/admin_acceptance_account/"
    # The 系统管理员 may not stop an account: the action is not theirs and changes nothing.
    system = signed_in(make_client(), root)
    assert "停用" not in shown_text(system.get(listing).get_data(as_text=True))
    post(system, f"{listing}action/", {"action": "deactivate", "rowid": str(account.id)},
         token_from=listing)
    db.session.refresh(account)
    assert account.active and is_signed_in(client, Role.ACCEPTANCE)

    security = signed_in(make_client(), guard)
    response = post(security, f"{listing}action/",
                    {"action": "deactivate", "rowid": str(account.id)}, token_from=listing)
    assert response.status_code == 302
    db.session.refresh(account)
    assert not account.active
    assert not is_signed_in(client, Role.ACCEPTANCE)
    post(security, f"{listing}action/", {"action": "activate", "rowid": str(account.id)},
         token_from=listing)
    db.session.refresh(account)
    assert account.active and not is_signed_in(client, Role.ACCEPTANCE)
    assert [entry.actor_id for entry in audits(AuditAction.DEACTIVATE_ACCOUNT)] == [guard.id]
    assert len(audits(AuditAction.ACTIVATE_ACCOUNT)) == 1


def test_the_system_admin_creates_an_acceptance_account_with_a_password_to_change(
        client, make_client, root):
    point = factories.acceptance_point("滨江区受理点")
    db.session.commit()
    system = signed_in(make_client(), root)
    url = "/admin/admin_acceptance_account/new/"
    form = {"username": "binjiang", "display_name": "滨江区受理点",
            "acceptance_point": str(point.id)}
    weak = post(system, url, {**form, "new_password": "abc12345"}, token_from=url)
    assert "过于常见" in weak.get_data(as_text=True)
    missing = post(system, url, form, token_from=url)
    assert "必须设置初始密码" in missing.get_data(as_text=True)
    assert post(system, url, {**form, "new_password": "Bj-accept-2026"},
                token_from=url).status_code == 302
    account = db.session.scalar(db.select(Account).filter_by(username="binjiang"))
    assert account.must_change_password and account.active
    # Editing changes names, never the password (a reset is the 安全管理员's).
    edit = f"/admin/admin_acceptance_account/edit/?id={account.id}"
    assert "new_password" not in system.get(edit).get_data(as_text=True)
    post(system, edit, {**form, "display_name": "滨江受理点", "new_password": "Other-pass-9"},
         token_from=edit)
    db.session.refresh(account)
    assert account.display_name == "滨江受理点" and account.check_password("Bj-accept-2026")
