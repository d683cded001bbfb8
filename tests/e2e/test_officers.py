"""经办人 in the browser: the unit's own account adds an officer with one duty; the officer signs
in under 经办人登录 by mobile, sets a password, sees only the menus of that duty and approves an
archive item; the unit stops the officer, whose next click leads to the sign-in page."""
import re

from playwright.sync_api import expect

from models import ReviewStatus
from tests import factories
from tests.e2e.flows import (
    archive_review_page,
    click_confirmed,
    decide_item,
    fill_form,
    menu,
    new_id_number,
    row,
    see_message,
    shot,
    sign_in,
)

UNIT_NAME = "杭州钱塘经办测试有限公司"
OFFICER = {"姓名": "王丽", "身份证号": new_id_number("19900115"), "手机号码": "13955550001",
           "部门": "人事处", "初始密码": "Wang-li-2026"}


def test_the_unit_adds_an_officer_who_reviews_and_is_stopped(page, another_browser,
                                                            live_server, problems):
    base = live_server.url
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        person = factories.applicant(unit, "周思远", profile_status=ReviewStatus.APPROVED)
        factories.archive_item(person, title="浙江大学 计算机科学与技术 本科")

    sign_in(page, base, "用人单位登录", uscc)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="单位管理").click()
    page.get_by_role("link", name="经办人管理", exact=True).click()
    page.get_by_role("link", name="创建", exact=True).click()
    for label, value in OFFICER.items():  # a required one's label ends in *
        page.get_by_label(re.compile(f"^{label}\\W*$")).fill(value)
    page.get_by_label("业绩档案审核", exact=True).check()
    shot(page, "40-unit-officer-new")
    page.get_by_role("button", name="保存", exact=True).click()
    see_message(page, "创建记录成功")
    expect(row(page, "王丽")).to_contain_text("业绩档案审核")
    shot(page, "41-unit-officers")

    officer = another_browser()
    sign_in(officer, base, "经办人登录", OFFICER["手机号码"], OFFICER["初始密码"])
    expect(officer.get_by_text("初始密码")).to_be_visible()  # 修改密码 first
    fill_form(officer, {"原密码": OFFICER["初始密码"], "新密码": "Wang-li-2027",
                        "确认新密码": "Wang-li-2027"})
    officer.get_by_role("button", name="修改密码", exact=True).click()
    navigation = officer.get_by_role("navigation", name="主菜单")
    expect(navigation.get_by_role("link", name="业绩档案审核", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="申报资料审核", exact=True)).to_have_count(0)
    expect(officer.locator('a[href="/unit/officers/"]')).to_have_count(0)  # 经办人管理
    expect(officer.get_by_test_id("signed-in-as")).to_contain_text("经办人")
    archive_review_page(officer, "周思远", 1)
    decide_item(officer, "浙江大学 计算机科学与技术 本科", "通过")
    shot(officer, "42-officer-archive-review")

    page.reload()
    row(page, "王丽").get_by_role("checkbox").check()
    page.get_by_role("button", name="批量操作").click()
    click_confirmed(page, page.locator(".dropdown-menu").get_by_role(
        "link", name="停用", exact=True), "确定停用所选经办人吗")
    see_message(page, "已停用 1 个账号")

    menu(officer, "业绩档案审核")
    expect(officer.get_by_role("heading", name="用人单位登录", exact=True)).to_be_visible()
