"""Seed steps 1–2: a unit registers, sends its stamped 委托证明, the platform admin approves."""
from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader

from models import Notification
from tests.e2e.flows import (
    approve_authorization,
    new_id_number,
    new_uscc,
    register_unit,
    see_message,
    shot,
    sign_in,
    sign_out,
    submit_authorization,
)
from zcps.extensions import db

UNIT_NAME = "杭州云栖智能科技有限公司"


def test_unit_registers_and_gets_authorized(page, live_server, problems, tmp_path):
    unit = {"name": UNIT_NAME, "uscc": new_uscc(), "contact": "王丽", "mobile": "13912345678",
            "password": "Yunqi2026ok"}
    officer = {"name": "王丽", "id_number": new_id_number(), "mobile": "13912345678"}

    register_unit(page, live_server, unit, screenshots=True)
    # Registration signs the unit in; sign out and in again with its 统一社会信用代码.
    sign_out(page)
    sign_in(page, live_server.url, "用人单位登录", unit["uscc"], unit["password"])
    # Nothing but 委托证明 until the authorization is approved.
    expect(page).to_have_url(f"{live_server.url}/unit/authorization/")
    expect(page.get_by_test_id("authorization-status")).to_contain_text("授权状态：未提交")
    see_message(page, "请按以下步骤完成单位授权")
    # The menu offers only what opens before the authorization.
    expect(page.get_by_role("link", name="申报资料审核")).to_have_count(0)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(UNIT_NAME)

    certificate = submit_authorization(page, tmp_path, officer, screenshots=True)
    # The certificate is filled in with the unit's and the officer's data.
    text = "".join(PdfReader(BytesIO(certificate)).pages[0].extract_text().split())
    for value in (UNIT_NAME, unit["uscc"], "陈立新", officer["name"], officer["id_number"],
                  officer["mobile"]):
        assert value in text, (value, text[:300])
    # Still waiting: the unit's other pages send it back here.
    page.goto(live_server.url + "/unit/unit_application/")
    see_message(page, "「申报资料审核」需单位授权通过后才能使用。")
    expect(page.get_by_test_id("authorization-status")).to_contain_text("授权状态：待审核")
    sign_out(page)

    sign_in(page, live_server.url, "管理员登录", live_server.admin_username)
    approve_authorization(page, live_server.url, UNIT_NAME, problems, screenshots=True)
    sign_out(page)

    sign_in(page, live_server.url, "用人单位登录", unit["uscc"], unit["password"])
    expect(page).to_have_url(f"{live_server.url}/unit/")
    expect(page.get_by_test_id("authorization-status")).to_have_text("审核通过")
    expect(page.get_by_text("授权状态：审核通过")).to_be_visible()
    for waiting in ("业绩档案待审核", "申报资料待审核", "待资格审查推荐"):
        expect(page.get_by_text(waiting, exact=True)).to_be_visible()
    shot(page, "08-unit-home")

    with live_server.database():
        texts = db.session.scalars(db.select(Notification.text).filter_by(
            mobile=unit["mobile"])).all()
    assert any(UNIT_NAME in text for text in texts), texts
