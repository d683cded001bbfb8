"""The main steps with the keyboard alone (GB/T 37668, WCAG 2.1.1 and 2.4.7): the unit's officer
returns and approves archive items, decides an application and starts its publicity (a row
ticked, the 批量操作 dropdown, a confirmation); the applicant ticks the items to extract and
submits; every control the focus passes on the way shows that it has it, clearly. Tab,
Shift+Tab, Enter, Space and typing into the focused field only: no click, no fill()."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.e2e.flows import SIGN_IN_PATHS, row, see_message, see_record_page, see_tab
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
    see_record_page(page, "业绩档案审核", "方一鸣")
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
    see_record_page(page, "申报资料审核", "林若溪")
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
    navigation = page.get_by_role("navigation", name="主菜单")
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


def accepting(page, *, accept: bool = True) -> list:
    """Answer every "确定…吗？" of the page with OK; the questions asked, in order."""
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message),
                                      dialog.accept() if accept else dialog.dismiss()))
    return asked


def test_the_units_officer_records_and_resolves_objections_with_the_keyboard(page, live_server):
    """The batch page: 登记异议 opened with Enter, the person chosen with the arrow keys, the
    objection typed and sent; one objection found 不属实, the other 属实 (不予推荐), each with its
    核查情况 and its question."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        people = [factories.applicant(unit, name, with_account=True,
                                      profile_status=ReviewStatus.APPROVED)
                  for name in ("方一鸣", "林若溪")]
        publicized = factories.applications(people, ApplicationStatus.PUBLICIZED)[0]
        title, qualification = publicized.publicity.title, publicized.qualification.name
    keyboard_sign_in(page, live_server.url, "用人单位登录", "统一社会信用代码", uscc)
    keyboard_menu(page, "信息公示")
    press_on(page, page.get_by_role("link", name="已期满 (1)", exact=True))
    press_on(page, page.get_by_role("link", name=title, exact=True))
    see_record_page(page, "信息公示", title)

    for name, content in (("方一鸣", "反映其考核结果与实际不符。"), ("林若溪", "反映其论文署名有误。")):
        press_on(page, page.get_by_text("登记异议", exact=True).first)  # the <summary>
        choose_with_arrows(page, page.get_by_label("被异议人", exact=True),
                           f"{name}（{qualification}）")
        type_into(page, page.get_by_label("异议人", exact=True), "匿名来信")
        type_into(page, page.get_by_label("异议内容", exact=True), content)
        press_on(page, page.get_by_role("button", name="登记异议", exact=True))
        see_message(page, f"已登记对{name}的异议，请核查后处理；处理前不能推荐。")
        expect(row(page, name)).to_contain_text("1条待处理")

    asked = accepting(page)
    first = page.locator(".card").filter(has_text="反映其考核结果与实际不符。")
    type_into(page, first.get_by_label("核查情况", exact=True), "经核查，考核结果与档案一致。")
    press_on(page, first.get_by_role("button", name="不属实", exact=True))
    see_message(page, "异议已处理：不属实。")
    expect(row(page, "方一鸣")).to_contain_text("无待处理异议")
    second = page.locator(".card").filter(has_text="反映其论文署名有误。")
    type_into(page, second.get_by_label("核查情况", exact=True), "经核查，异议属实。")
    press_on(page, second.get_by_role("button", name="属实，不予推荐", exact=True))
    see_message(page, "异议已处理：属实，不予推荐。")
    expect(row(page, "林若溪")).to_contain_text("不予推荐")
    assert len(asked) == 2 and "不属实" in asked[0] and "不予推荐" in asked[1], asked


def test_the_units_officer_recommends_with_the_keyboard(page, live_server):
    """资格审查推荐 → 待推荐 → the person → a 常用意见 → 推荐, confirmed."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        person = factories.applicant(unit, "方一鸣", with_account=True,
                                     profile_status=ReviewStatus.APPROVED)
        factories.application(person, ApplicationStatus.PUBLICIZED)
    keyboard_sign_in(page, live_server.url, "用人单位登录", "统一社会信用代码", uscc)
    keyboard_menu(page, "资格审查推荐")
    see_tab(page, "待推荐 (1)")
    press_on(page, page.get_by_role("link", name="方一鸣", exact=True))
    see_record_page(page, "资格审查推荐", "方一鸣")
    opinion = page.get_by_label("推荐意见", exact=True)
    press_on(page, page.get_by_role("button", name=re.compile("^经公示")))
    expect(opinion).to_have_value(re.compile("^经公示（"))
    asked = accepting(page)
    press_on(page, page.get_by_role("button", name="推荐", exact=True))
    see_message(page, f"已推荐至{live_server.acceptance_point}：方一鸣")
    assert asked and "确定推荐吗？" in asked[0], asked
    see_tab(page, "已推荐 (1)")


def test_the_acceptance_point_returns_and_accepts_with_the_keyboard(page, live_server):
    """推荐受理 → the person → 退回 with its reason (asked for before the question), and for the
    other person 受理; each confirmed."""
    with live_server.database() as session:
        from models import AcceptancePoint

        point = session.scalar(sa.select(AcceptancePoint).filter_by(
            name=live_server.acceptance_point))
        unit = factories.unit(UNIT_NAME)
        factories.employer(unit)
        people = [factories.applicant(unit, name, with_account=True,
                                      profile_status=ReviewStatus.APPROVED)
                  for name in ("方一鸣", "林若溪")]
        factories.applications(people, ApplicationStatus.RECOMMENDED, acceptance_point=point)
    keyboard_sign_in(page, live_server.url, "受理点登录", "用户名", live_server.acceptance_username)
    keyboard_menu(page, "推荐受理")
    see_tab(page, "待受理 (2)")

    press_on(page, page.get_by_role("link", name="方一鸣", exact=True))
    see_record_page(page, "推荐受理", "方一鸣")
    reason = page.get_by_label("受理意见 / 退回原因", exact=True)
    asked = accepting(page)
    press_on(page, page.get_by_role("button", name="退回", exact=True))
    expect(reason).to_be_focused()  # the reason asked for first, no question
    assert asked == [], asked
    page.keyboard.type("缺少单位推荐意见盖章页。")
    press_on(page, page.get_by_role("button", name="退回", exact=True))
    see_message(page, "方一鸣的申报已退回，已短信通知推荐单位和申报人。")
    assert asked and "确定退回吗？" in asked[0], asked
    see_tab(page, "待受理 (1)")

    press_on(page, page.get_by_role("link", name="林若溪", exact=True))
    see_record_page(page, "推荐受理", "林若溪")
    press_on(page, page.get_by_role("button", name="受理", exact=True))
    see_message(page, "林若溪的申报已受理，已短信通知推荐单位和申报人。")
    assert len(asked) == 2 and "确定受理吗？" in asked[1], asked
    see_tab(page, "待受理 (0)")


def test_the_platform_admin_decides_authorizations_with_the_keyboard(page, live_server):
    """授权审核 → the unit → 通过 (confirmed); another unit's 不通过 asks for its reason first."""
    with live_server.database():
        approved, refused = "杭州键盘授权通过有限公司", "杭州键盘授权退回有限公司"
        for name in (approved, refused):
            factories.authorization(factories.unit(name, authorized=False))
    keyboard_sign_in(page, live_server.url, "管理员登录", "用户名", live_server.admin_username)
    keyboard_menu(page, "授权审核")
    see_tab(page, "待审核 (2)")

    press_on(page, page.get_by_role("link", name=approved, exact=True))
    see_record_page(page, "授权审核", approved)
    asked = accepting(page)
    type_into(page, page.get_by_label("审核意见", exact=True), "委托证明盖章清晰，信息一致。")
    press_on(page, page.get_by_role("button", name="通过", exact=True))
    see_message(page, f"已审核通过：{approved}。已短信通知单位联系人。")
    assert asked and "确定通过该单位的授权申请吗？" in asked[0], asked
    see_tab(page, "待审核 (1)")

    press_on(page, page.get_by_role("link", name=refused, exact=True))
    see_record_page(page, "授权审核", refused)
    opinion = page.get_by_label("审核意见", exact=True)
    press_on(page, page.get_by_role("button", name="不通过", exact=True))
    expect(opinion).to_be_focused()  # the reason asked for first, no question
    assert len(asked) == 1, asked
    page.keyboard.type("委托证明未加盖单位公章。")
    press_on(page, page.get_by_role("button", name="不通过", exact=True))
    see_message(page, f"已审核不通过：{refused}。已短信通知单位联系人。")
    assert len(asked) == 2 and "确定不通过该单位的授权申请吗？" in asked[1], asked
    see_tab(page, "待审核 (0)")
