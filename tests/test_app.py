"""The app as a whole: configuration, pages, language, CLI and demo data."""
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import get_flashed_messages
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from models import (
    Account,
    AdminKind,
    Applicant,
    Application,
    ApplicationStatus,
    Role,
    TitleSeries,
    Unit,
)
from tests import factories
from tests.helpers import login_url, post, sign_in, signed_in
from views.base import ALREADY_HANDLED, SAVE_FAILED
from zcps.config import build_config
from zcps.demo import DEMO_PASSWORD, SIGN_INS, load_demo
from zcps.extensions import db
from zcps.identifiers import clean_id_number, clean_uscc

ROOT = Path(__file__).resolve().parent.parent


# --- configuration ---------------------------------------------------------------------------

def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = build_config(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert build_config(tmp_path)["SECRET_KEY"] == first


def test_environment_overrides_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "mysql+pymysql://root@127.0.0.1/zcps")
    monkeypatch.setenv("UPLOAD_DIR", "/srv/zcps/files")
    monkeypatch.setenv("SMS_BACKEND", "http")
    config = build_config(tmp_path)
    assert config["SECRET_KEY"] == "from-env"
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("/zcps?charset=utf8mb4")
    # A check made after a lock reads the latest rows, as on PostgreSQL (zcps/unit_work.py).
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["isolation_level"] == "READ COMMITTED"
    assert config["UPLOAD_DIR"] == "/srv/zcps/files"
    assert config["SMS_BACKEND"] == "http"
    assert not (tmp_path / "secret_key").exists()


def test_defaults_are_sqlite_under_instance_and_safe_cookies(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "UPLOAD_DIR", "SMS_BACKEND", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    config = build_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'zcps.sqlite3'}"
    assert "isolation_level" not in config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert config["SMS_BACKEND"] == "console"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_is_httponly_and_samesite(client, app):
    account = factories.admin()
    db.session.commit()
    response = sign_in(client, account)
    cookie = next(value for name, value in response.headers.items()
                  if name == "Set-Cookie" and value.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- pages -----------------------------------------------------------------------------------

def test_unit_entry_leads_to_legal_person_sign_in_with_registration_link(client):
    response = client.get("/employer")
    assert response.headers["Location"] == login_url(Role.EMPLOYER)
    page = client.get(login_url(Role.EMPLOYER)).get_data(as_text=True)
    assert "用人单位登录" in page and "法人登录" in page and "注册" in page
    assert '<label for="username">统一社会信用代码</label>' in page
    assert '<label for="password">密码</label>' in page
    assert client.get("/register/unit").status_code == 200


@pytest.mark.parametrize("role,label", [(Role.APPLICANT, "身份证号"),
                                        (Role.ACCEPTANCE, "用户名"),
                                        (Role.PLATFORM_ADMIN, "用户名")])
def test_each_sign_in_page_names_its_account_field(client, role, label):
    page = client.get(login_url(role)).get_data(as_text=True)
    assert f'<label for="username">{label}</label>' in page


def test_missing_page_is_a_chinese_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_admin_ui_is_chinese_by_default_and_switches_to_english(client):
    account = factories.admin()
    db.session.commit()
    signed_in(client, account)
    chinese = client.get("/admin/admin_unit/").get_data(as_text=True)
    search_button = re.compile(r'<button[^>]*type="submit">\s*(\S+?)\s*</button>')
    assert "搜索" in search_button.findall(chinese)  # Flask-Admin's own zh_Hans_CN strings
    response = post(client, "/lang/en", {"next": "/admin/admin_unit/"}, token_from="/admin/")
    assert response.headers["Location"] == "/admin/admin_unit/"
    english = client.get("/admin/admin_unit/").get_data(as_text=True)
    assert "Search" in search_button.findall(english) and "搜索" not in english
    assert "Sign out" in english
    post(client, "/lang/zh_CN", {"next": "/admin/"}, token_from="/admin/")
    assert "搜索" in search_button.findall(client.get("/admin/admin_unit/").get_data(as_text=True))


def test_language_switch_refuses_unknown_languages_and_foreign_targets(client):
    assert post(client, "/lang/xx", {"next": "/"}).status_code == 404
    response = post(client, "/lang/en", {"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_masthead_shows_who_is_signed_in_and_their_unit(client):
    unit = factories.unit("显示单位")
    officer = factories.employer(unit)
    db.session.commit()
    signed_in(client, officer)
    page = client.get("/unit/").get_data(as_text=True)
    assert "用人单位" in page and "显示单位" in page


def test_details_page_shows_full_id_number_and_list_masks_it(client):
    unit = factories.unit()
    officer = factories.employer(unit)
    person = factories.applicant(unit)
    db.session.commit()
    signed_in(client, officer)
    listing = client.get("/unit/unit_applicant/").get_data(as_text=True)
    assert person.id_number not in listing and person.mobile not in listing
    assert person.id_number[:4] + "**********" + person.id_number[-4:] in listing
    details = client.get(f"/unit/unit_applicant/details/?id={person.id}").get_data(as_text=True)
    assert person.id_number in details


def test_a_database_error_is_never_shown_raw(client, app):
    root = factories.admin()
    factories.acceptance_point("已存在的受理点")
    db.session.commit()
    signed_in(client, root)
    response = post(client, "/admin/admin_acceptance_point/new/",
                    {"name": "已存在的受理点", "region": "杭州", "active": "y"},
                    token_from="/admin/admin_acceptance_point/new/", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已经存在" in text  # the form says so beside the field
    assert "IntegrityError" not in text and "constraint" not in text.lower()


@pytest.mark.parametrize("error,message", [
    (IntegrityError("INSERT INTO unit ...", {}, Exception("UNIQUE constraint failed: unit.uscc")),
     SAVE_FAILED),
    (StaleDataError("UPDATE statement on table 'application' expected to update 1 row(s)"),
     ALREADY_HANDLED),
])
def test_view_errors_from_the_database_become_a_plain_chinese_message(app, error, message):
    view = next(view for view in app.extensions["zcps_admins"]["admin"]._views
                if getattr(view, "endpoint", "") == "admin_acceptance_point")
    with app.test_request_context("/admin/admin_acceptance_point/new/"):
        assert view.handle_view_exception(error) is True
        assert get_flashed_messages() == [str(message)]


# --- CLI -------------------------------------------------------------------------------------

def test_create_admin_with_password_and_with_prompt(app, runner):
    result = runner.invoke(args=["zcps", "create-admin", "--username", "ops", "--kind", "system",
                                 "--password", "Ops-pass-1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["zcps", "create-admin", "--username", "ops2", "--kind", "audit"],
                           input="Prompted-1\nPrompted-1\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    prompted = db.session.scalar(db.select(Account).filter_by(username="ops2"))
    assert prompted.role == Role.PLATFORM_ADMIN and prompted.check_password("Prompted-1")
    assert prompted.admin_kind == AdminKind.AUDIT and prompted.display_name == "审计管理员"
    again = runner.invoke(args=["zcps", "create-admin", "--username", "ops", "--kind", "security",
                                "--password", "x" * 9])
    assert again.exit_code != 0 and "已存在" in again.output
    short = runner.invoke(args=["zcps", "create-admin", "--username", "ops3", "--kind", "system",
                                "--password", "short"])
    assert short.exit_code != 0
    assert db.session.scalar(db.select(Account).filter_by(username="ops3")) is None


def test_demo_command_is_idempotent(app, runner):
    first = runner.invoke(args=["zcps", "demo"])
    assert first.exit_code == 0 and "演示数据已载入" in first.output
    counts = (db.session.scalar(db.select(db.func.count(Account.id))),
              db.session.scalar(db.select(db.func.count(Application.id))))
    second = runner.invoke(args=["zcps", "demo"])
    assert second.exit_code == 0 and "未载入" in second.output
    db.session.expire_all()
    assert counts == (db.session.scalar(db.select(db.func.count(Account.id))),
                      db.session.scalar(db.select(db.func.count(Application.id))))
    for _, username, _ in SIGN_INS:
        assert username in second.output


# --- demo data -------------------------------------------------------------------------------

DEMO_HOME = {"admin": "/admin/", "security": "/admin/", "auditor": "/admin/",
             "91330106MA2B3C4D5D": "/unit/", "91330100MA28E7F6G9": "/unit/",
             "91330102MA2C5D6E7F": "/unit/", "330106198804120021": "/unit/",
             "330106199003071236": "/me/", "accept1": "/acceptance/",
             "dept1": "/acceptance/"}
# Units not yet authorized can open only their 委托证明 page.
FIRST_PAGE = {"91330100MA28E7F6G9": "/unit/authorization/",
              "91330102MA2C5D6E7F": "/unit/authorization/"}


def test_demo_sign_ins_reach_their_areas_and_nothing_else(app):
    assert load_demo()
    areas = set(DEMO_HOME.values())
    for _, username, _ in SIGN_INS:
        account = db.session.scalar(db.select(Account).filter_by(username=username))
        client = app.test_client()
        response = sign_in(client, account, password=DEMO_PASSWORD)
        assert response.headers["Location"] == DEMO_HOME[username]
        assert client.get(FIRST_PAGE.get(username, DEMO_HOME[username])).status_code == 200
        for other in areas - {DEMO_HOME[username]}:
            assert client.get(other).status_code == 403


def test_demo_data_matches_the_design(app):
    load_demo()
    first = db.session.scalar(db.select(Unit).filter_by(uscc="91330106MA2B3C4D5D"))
    second = db.session.scalar(db.select(Unit).filter_by(uscc="91330100MA28E7F6G9"))
    assert first.name == "杭州示例科技有限公司" and first.is_authorized
    assert second.name == "杭州样例设计院" and second.authorization_status.value == "pending"
    assert second.authorizations and second.authorizations[0].file is not None
    third = db.session.scalar(db.select(Unit).filter_by(uscc="91330102MA2C5D6E7F"))
    assert third.authorization_status.value == "rejected"
    assert third.authorizations[0].opinion
    zhang = db.session.scalar(db.select(Applicant).filter_by(id_number="330106199003071236"))
    assert zhang.name == "张三" and zhang.unit == first
    states = set(db.session.scalars(
        db.select(Application.status).where(Application.unit_id == first.id)))
    assert states == set(ApplicationStatus)
    assert db.session.scalar(db.select(db.func.count(TitleSeries.id))) >= 8
    for number in db.session.scalars(db.select(Applicant.id_number)):
        assert clean_id_number(number) == number  # every demo ID number passes its check
    for code in db.session.scalars(db.select(Unit.uscc)):
        assert clean_uscc(code) == code


@pytest.mark.slow
def test_python_app_demo_starts_on_an_empty_instance_and_serves_the_home_page(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "TEST_DATABASE_URL")}
    env["INSTANCE_DIR"] = str(tmp_path / "instance")
    process = subprocess.Popen(
        [sys.executable, "app.py", "--demo", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "server did not answer"
        assert "用人单位登录" in body and "个人登录" in body
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    for _, username, _ in SIGN_INS:
        assert username in output
    assert "demo1234" in output
    assert (tmp_path / "instance" / "zcps.sqlite3").exists()
    key = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_flask_admin_messages_it_leaves_in_english_read_in_chinese(client):
    root = factories.admin()
    db.session.commit()
    signed_in(client, root)
    response = post(client, "/admin/admin_acceptance_point/new/", {"name": ""},
                    token_from="/admin/admin_acceptance_point/new/")
    text = response.get_data(as_text=True)
    assert "Failed to create record." not in text
    assert "保存失败，请检查表单中标出的内容。" in text


def test_the_browsers_icon_request_is_answered_without_an_error(client):
    assert client.get("/favicon.ico").status_code == 204
