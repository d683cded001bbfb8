"""The home page and its four sign-in entries, each page with its own labels."""
from playwright.sync_api import expect

from tests.e2e.flows import USERNAME_LABELS, open_sign_in, see_message, shot, sign_in, sign_out

SIGN_IN_SHOTS = {"用人单位登录": "02-login-unit", "管理员登录": "05-login-admin",
                 "个人登录": "09-login-person", "受理点登录": "20-login-acceptance"}


def test_home_page_offers_the_four_sign_ins(page, live_server):
    page.goto(live_server.url + "/")
    expect(page).to_have_title("浙江省职称申报评审管理服务平台")
    expect(page.get_by_role("heading", name="欢迎使用职称申报评审管理服务平台")).to_be_visible()
    for entry in USERNAME_LABELS:
        expect(page.get_by_role("heading", name=entry, exact=True)).to_be_visible()
        expect(page.get_by_role("link", name=entry, exact=True)).to_be_visible()
    shot(page, "01-home")

    for entry, label in USERNAME_LABELS.items():
        open_sign_in(page, live_server.url, entry)
        expect(page.get_by_label(label, exact=True)).to_be_focused()
        expect(page.get_by_label("密码", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
        registration = page.get_by_role("link", name="注册", exact=True)
        expect(registration).to_have_count(1 if entry in ("个人登录", "用人单位登录") else 0)
        shot(page, SIGN_IN_SHOTS[entry])


def test_wrong_password_is_refused_and_the_acceptance_point_signs_in(page, live_server):
    open_sign_in(page, live_server.url, "受理点登录")
    page.get_by_label("用户名", exact=True).fill(live_server.acceptance_username)
    page.get_by_label("密码", exact=True).fill("not-the-password-1")
    page.get_by_role("button", name="登录", exact=True).click()
    see_message(page, "账号或密码错误，请重新输入。")
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()

    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("受理点")
    sign_out(page)
    expect(page.get_by_role("heading", name="受理点登录")).to_be_visible()
