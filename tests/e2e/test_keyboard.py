"""The main steps with the keyboard alone (GB/T 37668, WCAG 2.1.1 and 2.4.7): the unit's officer
returns and approves archive items, decides an application and starts its publicity (a row
ticked, the 批量操作 dropdown, a confirmation); the applicant ticks the items to extract and
submits; every control the focus passes on the way shows that it has it, clearly. Tab,
Shift+Tab, Enter, Space and typing into the focused field only: no click, no fill()."""
import re

import pytest
from playwright.sync_api import expect

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.e2e.flows import SIGN_IN_PATHS, row, see_message, see_tab
from tests.e2e.keyboard import (
    assert_focus_shows,
    choose_with_arrows,
    keyboard_menu,
    keyboard_sign_in,
    press_on,
    type_date,
    type_into,
)

UNIT_NAME = "杭州键盘无障碍测试有限公司"

def unit_with_work(live_server) -> str:
    """A unit with a person's archive item waiting and an application waiting."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        waiting = factories.applicant(unit, "方一鸣", profile_status=ReviewStatus.APPROVED)
        factories.archive_item(waiting, ReviewStatus.PENDING, title="浙江工业大学土木工程专业")
        factories.archive_item(waiting, ReviewStatus.PENDING, title="2025年度考核 优秀")
        person = factories.applicant(unit, "林若溪", with_account=True,
                                     profile_status=ReviewStatus.APPROVED)
        factories.application(person, ApplicationStatus.PENDING)
        return uscc

def test_the_units_officer_reviews_with_the_keyboard(page, live_server):
    uscc = unit_with_work(live_server)
    keyboard_sign_in(page, live_server.url, "用人单位登录", "统一社会信用代码", uscc)

    # 业绩档案审核 → the person → one item returned with its reason, the other approved.
    keyboard_menu(page, "业绩档案审核")
    expect(row(page, "方一鸣")).to_be_visible()
    press_on(page, page.get_by_role("link", name="方一鸣", exact=True))
    expect(page.get_by_role("link", name="返回业绩档案审核")).to_be_visible()
    education = row(page, "浙江工业大学土木工程专业")
    type_into(page, education.get_by_label("退回原因", exact=True), "请上传毕业证书扫描件。")
    press_on(page, education.get_by_role("button", name="退回修改", exact=True))
    see_message(page, "「浙江工业大学土木工程专业」已退回修改。")
    press_on(page, row(page, "2025年度考核 优秀").get_by_role("button", name="通过", exact=True),
             key="Space")
    see_message(page, "「2025年度考核 优秀」已通过。")

    # 申报资料审核 → the person → a 常用意见 → 通过, confirmed.
    keyboard_menu(page, "申报资料审核")
    see_tab(page, "待审核 (1)")
    press_on(page, page.get_by_role("link", name="林若溪", exact=True))
    expect(page.get_by_role("link", name="返回申报资料审核")).to_be_visible()
    opinion = page.get_by_label("审核意见 / 退回原因", exact=True)
    press_on(page, page.get_by_role("button", name=re.compile("^经审核，林若溪同志符合")))
    expect(opinion).to_have_value(re.compile("^经审核，林若溪同志符合"))
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    press_on(page, page.get_by_role("button", name="通过", exact=True))
    see_message(page, "林若溪的申报已通过，已短信通知申报人。")
    assert asked and "确定通过吗？" in asked[0], asked
    see_tab(page, "审核通过 (1)")

    # 审核通过 → the row ticked with Space → 批量操作 (a dropdown) → 信息公示 → 开始公示.
    press_on(page, page.get_by_role("link", name="审核通过 (1)", exact=True))
    tick = row(page, "林若溪").get_by_role("checkbox")
    press_on(page, tick, key="Space")
    expect(tick).to_be_checked()
    press_on(page, page.get_by_role("button", name="批量操作", exact=True))
    press_on(page, page.locator(".dropdown-menu").get_by_role("link", name="信息公示", exact=True))
    expect(page.get_by_label("公示结束日期", exact=True)).to_be_visible()
    type_into(page, page.get_by_label("异议受理电话", exact=True), "0571-86000000")
    type_into(page, page.get_by_label("异议受理地址", exact=True), "杭州市西湖区文三路1号 人事处")
    type_into(page, page.get_by_label("异议受理联系人", exact=True), "人事处 刘洋")
    asked.clear()
    press_on(page, page.get_by_role("button", name="开始公示", exact=True))
    see_message(page, "已开始公示：1人")
    assert asked and "确定开始公示吗？" in asked[0], asked
    expect(page.get_by_test_id("publicity-state")).to_have_text("公示中")

    # The menu's 单位管理 dropdown: Enter opens it, Tab goes on to its links.
    navigation = page.get_by_role("navigation")
    press_on(page, navigation.get_by_role("link", name="单位管理", exact=True))
    press_on(page, navigation.get_by_role("link", name="本单位人员", exact=True))
    expect(row(page, "方一鸣")).to_be_visible()

def test_the_units_officer_approves_in_bulk_with_the_keyboard(page, live_server):
    """业绩档案审核: every person ticked with Space on the list's own box, the bulk 通过 pressed
    with Enter and its question answered."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        for name in ("方一鸣", "林若溪"):
            person = factories.applicant(unit, name, profile_status=ReviewStatus.PENDING)
            factories.archive_item(person, ReviewStatus.PENDING, title=f"{name}的教育经历")
    keyboard_sign_in(page, live_server.url, "用人单位登录", "统一社会信用代码", uscc)
    keyboard_menu(page, "业绩档案审核")
    see_tab(page, "待审核 (2)")
    every = page.locator("input.action-rowtoggle")
    press_on(page, every, key="Space")
    expect(page.locator("input.action-checkbox:checked")).to_have_count(2)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    press_on(page, page.get_by_role("button", name="通过所选人员的待审核材料", exact=True))
    see_message(page, "已通过 2 人的 4 项待审核材料。")
    assert asked and "确定通过所选 2 人" in asked[0], asked
    see_tab(page, "待审核 (0)")


def test_the_applicant_extracts_and_submits_with_the_keyboard(page, live_server):
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(unit, "林若溪", with_account=True,
                                     profile_status=ReviewStatus.APPROVED,
                                     highest_education="大学本科", current_title="工程师")
        items = factories.mandatory_items(person)
        labels = [f"{item.category.label}：{item.title}" for item in items]
        factories.application(person, ApplicationStatus.DRAFT)
        id_number = person.id_number
    keyboard_sign_in(page, live_server.url, "个人登录", "身份证号", id_number)

    keyboard_menu(page, "职称申报")
    press_on(page, page.get_by_role("table").get_by_role("link").first)
    expect(page.get_by_test_id("application-status")).to_have_text("草稿")
    for label in labels:  # each approved item ticked with Space
        box = page.get_by_label(label, exact=True)
        press_on(page, box, key="Space")
        expect(box).to_be_checked()
    press_on(page, page.get_by_role("button", name="保存提取", exact=True))
    see_message(page, "已保存提取的业绩。")
    expect(page.get_by_text("还缺少必备业绩")).to_have_count(0)

    press_on(page, page.get_by_label("诚信承诺", exact=False), key="Space")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    press_on(page, page.get_by_role("button", name="提交单位审核", exact=True))
    see_message(page, "申报已提交单位审核。")
    assert asked and "确定提交吗？" in asked[0], asked
    expect(page.get_by_test_id("application-status")).to_have_text("待审核")

def test_the_applicant_adds_an_archive_item_with_the_keyboard(page, live_server):
    """A form with a list and date fields: typed, chosen with the arrow keys, sent with Enter."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(unit, "林若溪", with_account=True,
                                     profile_status=ReviewStatus.APPROVED)
        id_number = person.id_number
    keyboard_sign_in(page, live_server.url, "个人登录", "身份证号", id_number)
    keyboard_menu(page, "业绩档案")
    press_on(page, page.get_by_role("link", name="新增教育经历", exact=True))
    expect(page.get_by_role("heading", name="新增教育经历")).to_be_visible()
    type_into(page, page.get_by_label("毕业学校", exact=True), "浙江工业大学")
    type_into(page, page.get_by_label("所学专业", exact=True), "土木工程")
    choose_with_arrows(page, page.get_by_label("学历", exact=True), "大学本科")
    type_date(page, page.get_by_label("入学时间", exact=True), "2006-09-01")
    expect(page.get_by_label("入学时间", exact=True)).to_have_value("2006-09-01")
    type_date(page, page.get_by_label("毕业时间", exact=True), "2010-06-30")
    expect(page.get_by_label("毕业时间", exact=True)).to_have_value("2010-06-30")
    press_on(page, page.get_by_role("button", name="保存并提交审核", exact=True))
    see_message(page, "已提交单位审核。")
    expect(row(page, "浙江工业大学")).to_contain_text("待审核")


@pytest.mark.parametrize("entry, label", [("用人单位登录", "统一社会信用代码"),
                                          ("个人登录", "身份证号")])
def test_the_sign_in_pages_show_the_focus_on_every_control(page, live_server, entry, label):
    """From the page's top to its end: every control the Tab key reaches shows its focus."""
    page.goto(live_server.url + SIGN_IN_PATHS[entry])
    seen = []
    for _press in range(60):
        page.keyboard.press("Tab")
        focused = assert_focus_shows(page)
        if focused is None:  # past the page's end, in the browser's own bar
            continue
        if seen and (focused["tag"], focused["describe"]) == seen[0]:
            break  # round the whole page
        seen.append((focused["tag"], focused["describe"]))
    else:
        raise AssertionError(f"the Tab key does not come round on {page.url}: {seen}")
    names = [describe for _tag, describe in seen]
    for control in (label, "密码", "登录", "忘记密码", "注册"):
        assert any(control in name for name in names), (control, names)
