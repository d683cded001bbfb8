"""The unit's main screens at 1024×768 (and 1200) and the applicant's at 390 px (a phone): the top menu
fits one row or collapses behind its toggle, tables scroll sideways instead of breaking a name,
a date or a header one character a line, and the applicant reaches 职称申报 and submits; at
390 px the main scenario, the applicant's steps and the unit's officer's, is done from start
to recommendation."""
from datetime import date

import pytest
from playwright.sync_api import expect

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.e2e.flows import (
    ITEM_TITLES,
    add_archive_items,
    approve_application_with_template,
    approve_profile,
    archive_review_page,
    check_accessibility,
    choose_acceptance_point,
    click_confirmed,
    create_application,
    decide_item,
    dismiss_objection,
    fill_form,
    fill_profile,
    menu,
    new_id_number,
    open_application_review,
    recommend,
    record_objection,
    register_person,
    row,
    see_message,
    see_record_page,
    see_tab,
    shot,
    sign_in,
    start_publicity,
)
from tests.e2e.layout import assert_reflows

UNIT_NAME = "杭州市西湖区城市建设与综合交通规划设计研究院有限公司"
PHONE = {"width": 390, "height": 844}
# Columns whose cells must stay on one line: names, dates, states.
ONE_LINE_COLUMNS = r"姓名|申报人|单位|日期|时间|状态|系列|级别"

# Each cell (header, or cell of a one-line column) whose text runs over more than one line, and
# whether the menu's items sit on more than one row while it is not collapsed.
LAYOUT_PROBLEMS = """
(oneLine) => {
  const pattern = new RegExp(oneLine);
  const lines = (cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set();
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && rect.height > 0) { tops.add(Math.round(rect.top)); }
    }
    // Lines a few pixels apart are one line (inline boxes of different heights).
    return [...tops].sort((a, b) => a - b).filter((top, i, all) => i === 0 || top - all[i - 1] > 4).length;
  };
  const wrapped = [];
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) { continue; }
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim());
    for (const th of table.querySelectorAll('thead th')) {
      if (th.innerText.trim() && lines(th) > 1) { wrapped.push('header ' + th.innerText.trim()); }
    }
    for (const tr of table.querySelectorAll('tbody tr')) {
      [...tr.children].forEach((cell, index) => {
        const header = headers[index] || '';
        if (pattern.test(header) && cell.innerText.trim() && !cell.querySelector('textarea, select')
            && lines(cell) > 1) {
          wrapped.push(header + ': ' + cell.innerText.trim());
        }
      });
    }
  }
  const nav = document.querySelector('nav.navbar');
  const toggle = nav && nav.querySelector('.navbar-toggler');
  let menuRows = 1;
  if (nav && !(toggle && toggle.offsetParent)) {
    const tops = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > li')]
      .filter((item) => item.offsetParent).map((item) => item.getBoundingClientRect().top);
    menuRows = Math.max(...tops) - Math.min(...tops) > 20 ? 2 : 1;
  }
  return {wrapped, menuRows, scrollWidth: document.documentElement.scrollWidth,
          width: window.innerWidth};
}
"""


def assert_laid_out(page) -> None:
    found = page.evaluate(LAYOUT_PROBLEMS, ONE_LINE_COLUMNS)
    assert found["menuRows"] == 1, f"the top menu wraps to two rows on {page.url}"
    assert not found["wrapped"], f"cells broken over lines on {page.url}: {found['wrapped']}"
    # Wide tables scroll inside their own box; the page itself does not scroll sideways.
    assert found["scrollWidth"] <= found["width"], (page.url, found)
    check_accessibility(page)


def unit_with_work(live_server) -> str:
    """A unit with a long name and something waiting on each of its main screens."""
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        uscc = factories.employer(unit).username
        waiting = factories.applicant(unit, "欧阳明月", profile_status=ReviewStatus.PENDING)
        factories.archive_item(waiting, ReviewStatus.PENDING, title="浙江大学建筑学院城乡规划专业")
        for name, status in (("司马长风", ApplicationStatus.PENDING),
                             ("上官婉清", ApplicationStatus.PUBLICIZING),
                             ("诸葛文博", ApplicationStatus.PUBLICIZED)):
            person = factories.applicant(unit, name, with_account=True,
                                         profile_status=ReviewStatus.APPROVED)
            factories.application(person, status, specialty="城乡规划与综合交通工程")
        return uscc


# 1024: the menu collapses; 1200: the narrowest width where it is shown in full.
@pytest.mark.parametrize("width", [1024, 1200])
def test_the_units_main_screens_at_1024_px(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 768})
    sign_in(page, live_server.url, "用人单位登录", unit_with_work(live_server))
    assert_laid_out(page)

    menu(page, "业绩档案审核")
    expect(row(page, "欧阳明月")).to_be_visible()
    assert_laid_out(page)

    menu(page, "申报资料审核")
    expect(row(page, "司马长风")).to_contain_text("待审核")
    assert_laid_out(page)
    shot(page, f"{width}-unit-application-queue")
    page.get_by_role("link", name="司马长风", exact=True).click()
    see_record_page(page, "申报资料审核", "司马长风")
    assert_laid_out(page)

    menu(page, "信息公示")
    expect(page.get_by_text("公示中").first).to_be_visible()
    assert_laid_out(page)

    menu(page, "资格审查推荐")
    expect(row(page, "诸葛文博")).to_contain_text("公示期满")
    assert_laid_out(page)


def test_the_applicant_submits_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(unit, "欧阳明月", with_account=True,
                                     profile_status=ReviewStatus.APPROVED,
                                     highest_education="大学本科", current_title="工程师",
                                     current_title_date=date(2018, 12, 20))
        factories.application(person, ApplicationStatus.DRAFT,
                              items=factories.mandatory_items(person))
        id_number = person.id_number
    sign_in(page, live_server.url, "个人登录", id_number)
    menu(page, "职称申报")
    assert_laid_out(page)
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_test_id("application-status")).to_have_text("草稿")
    page.get_by_label("诚信承诺", exact=False).check()
    submit = page.get_by_role("button", name="提交单位审核", exact=True)
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_visible()
    assert_laid_out(page)
    shot(page, "390-person-application")
    click_confirmed(page, submit, "确定提交吗？")
    see_message(page, "申报已提交单位审核。")
    expect(page.get_by_test_id("application-status")).to_have_text("待审核")


def test_the_main_scenario_on_a_phone(page, another_browser, live_server, clock):
    """Both people at 390 px all the way: the applicant registers, sends basic information and
    archive, applies and submits; the unit's officer reviews the archive (one item returned and
    corrected), approves the application, starts the publicity and recommends after it. Every
    screen reached keeps the page from scrolling sideways."""
    clock.set(date(2026, 9, 29))  # a Tuesday: the publicity's five working days end on 10/12
    unit_name = "宁波市鄞州区手机端测试设计院有限公司"
    with live_server.database():
        uscc = factories.employer(factories.unit(name=unit_name)).username
    person = {"name": "沈思齐", "id_number": new_id_number("19910214"), "mobile": "13600003333",
              "password": "Shensq2026ok"}
    officer, applicant = page, another_browser()
    for phone in (officer, applicant):
        phone.set_viewport_size(PHONE)

    register_person(applicant, live_server, person)
    assert_reflows(applicant)
    fill_profile(applicant, unit_name)
    assert_reflows(applicant)
    add_archive_items(applicant)
    assert_reflows(applicant)

    sign_in(officer, live_server.url, "用人单位登录", uscc)
    assert_reflows(officer)
    archive_review_page(officer, person["name"], waiting=3)
    assert_reflows(officer)
    decide_item(officer, ITEM_TITLES["工作经历"], "退回修改", "请写明岗位全称。")
    decide_item(officer, ITEM_TITLES["教育经历"], "通过")
    decide_item(officer, ITEM_TITLES["考核情况"], "通过")
    approve_profile(officer, person["name"])
    assert_reflows(officer)

    menu(applicant, "业绩档案")
    returned = row(applicant, ITEM_TITLES["工作经历"])
    expect(returned).to_contain_text("请写明岗位全称。")
    assert_reflows(applicant)
    returned.get_by_role("link", name="修改", exact=True).click()
    fill_form(applicant, {"岗位/职务": "建筑设计所 主任工程师"})
    applicant.get_by_role("button", name="保存并提交审核", exact=True).click()
    see_message(applicant, "已修改并提交单位审核。")
    archive_review_page(officer, person["name"], waiting=1)
    decide_item(officer, ITEM_TITLES["工作经历"], "通过")

    create_application(applicant, ITEM_TITLES)
    assert_reflows(applicant)

    open_application_review(officer, person["name"])
    assert_reflows(officer)
    approve_application_with_template(officer, person["name"], "高级工程师")
    assert_reflows(officer)
    start_publicity(officer, person["name"], "2026-10-12", "2026年10月12日")
    assert_reflows(officer)

    clock.set(date(2026, 10, 13))
    recommend(officer, person["name"], live_server.acceptance_point,
              f"{person['name']}同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，"
              "无异议，同意推荐。")
    assert_reflows(officer)
    menu(applicant, "职称申报")
    expect(row(applicant, "高级工程师")).to_contain_text("已推荐")
    assert_reflows(applicant)


def laid_out_at(width: int):
    """What a screen is checked for at ``width``: at 390 px that the page reflows (names may
    wrap on a phone), at 1024 px that no name, date or header breaks over lines either."""
    return assert_reflows if width == PHONE["width"] else assert_laid_out


@pytest.mark.parametrize("width", [PHONE["width"], 1024])
def test_the_later_steps_and_a_re_recommendation(page, another_browser, live_server, width):
    """At 390 px and at 1024 px: the unit's officer records two objections and resolves them
    (不属实, 属实), recommends; the acceptance point returns the recommendation, the unit
    recommends again, and the acceptance point, shown the last return beside this
    recommendation (再次推荐：与上次退回对照), accepts; the platform admin decides a unit's
    授权审核. Every step is done and no screen scrolls sideways."""
    laid_out = laid_out_at(width)
    size = {"width": width, "height": PHONE["height"] if width == PHONE["width"] else 768}
    other_unit = "宁波市鄞州区手机端授权审核测试有限公司"
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        uscc = factories.employer(unit).username
        people = [factories.applicant(unit, name, with_account=True,
                                      profile_status=ReviewStatus.APPROVED)
                  for name in ("欧阳明月", "司马长风")]
        publicized = factories.applications(people, ApplicationStatus.PUBLICIZED,
                                            specialty="城乡规划与综合交通工程")
        title = publicized[0].publicity.title
        received_on = publicized[0].publicity.end_date.isoformat()
        factories.authorization(factories.unit(other_unit, authorized=False))
    officer, point, admin = page, another_browser(), another_browser()
    for screen in (officer, point, admin):
        screen.set_viewport_size(size)

    # The unit: the batch, an objection found 不属实 and one found 属实 (不予推荐).
    sign_in(officer, live_server.url, "用人单位登录", uscc)
    menu(officer, "信息公示")
    officer.get_by_role("link", name="已期满 (1)", exact=True).click()
    officer.get_by_role("link", name=title, exact=True).click()
    see_record_page(officer, "信息公示", title)
    laid_out(officer)
    record_objection(officer, "欧阳明月", received_on, "反映其考核结果与实际不符。")
    laid_out(officer)
    dismiss_objection(officer, "欧阳明月", "经核查，考核结果与档案一致。")
    record_objection(officer, "司马长风", received_on, "反映其论文署名有误。")
    officer.get_by_label("核查情况", exact=True).fill("经核查，异议属实。")
    click_confirmed(officer, officer.get_by_role("button", name="属实，不予推荐", exact=True),
                    "不予推荐")
    see_message(officer, "异议已处理：属实，不予推荐。")
    expect(row(officer, "司马长风")).to_contain_text("不予推荐")
    laid_out(officer)

    # 资格审查推荐 → the person → 推荐.
    menu(officer, "资格审查推荐")
    see_tab(officer, "待推荐 (1)")
    laid_out(officer)
    officer.get_by_role("link", name="欧阳明月", exact=True).click()
    see_record_page(officer, "资格审查推荐", "欧阳明月")
    laid_out(officer)
    click_confirmed(officer, officer.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(officer, f"已推荐至{live_server.acceptance_point}：欧阳明月")
    see_tab(officer, "已推荐 (1)")

    # The acceptance point returns it.
    sign_in(point, live_server.url, "受理点登录", live_server.acceptance_username)
    menu(point, "推荐受理")
    see_tab(point, "待受理 (1)")
    laid_out(point)
    point.get_by_role("link", name="欧阳明月", exact=True).click()
    see_record_page(point, "推荐受理", "欧阳明月")
    expect(point.get_by_test_id("recommended-again")).to_have_count(0)
    laid_out(point)
    point.get_by_label("受理意见 / 退回原因", exact=True).fill("推荐意见未写明公示日期。")
    click_confirmed(point, point.get_by_role("button", name="退回", exact=True), "确定退回吗？")
    see_message(point, "欧阳明月的申报已退回，已短信通知推荐单位和申报人。")

    # The unit recommends again, from 受理点退回, with the reason before it.
    menu(officer, "资格审查推荐")
    officer.get_by_role("link", name="已退回 (1)", exact=True).click()
    laid_out(officer)
    officer.get_by_role("link", name="欧阳明月", exact=True).click()
    see_record_page(officer, "资格审查推荐", "欧阳明月")
    expect(officer.get_by_role("definition").filter(has_text="推荐意见未写明公示日期。")
           ).to_be_visible()
    expect(officer.get_by_label("退回原因", exact=True)).to_have_attribute("aria-required", "true")
    laid_out(officer)
    opinion = officer.get_by_label("推荐意见", exact=True)
    opinion.fill("欧阳明月同志的申报材料已于公示期内在本单位公示5个工作日，无异议，同意推荐。")
    choose_acceptance_point(officer, live_server.acceptance_point)
    click_confirmed(officer, officer.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(officer, f"已推荐至{live_server.acceptance_point}：欧阳明月")

    # The acceptance point sees the last return beside this recommendation, and accepts.
    menu(point, "推荐受理")
    point.get_by_role("link", name="欧阳明月", exact=True).click()
    again = point.get_by_test_id("recommended-again")
    expect(again).to_contain_text("推荐意见未写明公示日期。")
    expect(again).to_contain_text("已于公示期内在本单位公示5个工作日")
    laid_out(point)
    if width == 1024:
        shot(point, "acceptance-rerecommended-1024")
    click_confirmed(point, point.get_by_role("button", name="受理", exact=True), "确定受理吗？")
    see_message(point, "欧阳明月的申报已受理，已短信通知推荐单位和申报人。")

    # The platform admin: 授权审核 → the unit → 通过.
    sign_in(admin, live_server.url, "管理员登录", live_server.admin_username)
    menu(admin, "授权审核")
    see_tab(admin, "待审核 (1)")
    laid_out(admin)
    admin.get_by_role("link", name=other_unit, exact=True).click()
    see_record_page(admin, "授权审核", other_unit)
    laid_out(admin)
    admin.get_by_label("审核意见", exact=True).fill("委托证明盖章清晰，信息一致。")
    click_confirmed(admin, admin.get_by_role("button", name="通过", exact=True),
                    "确定通过该单位的授权申请吗？")
    see_message(admin, f"已审核通过：{other_unit}。已短信通知单位联系人。")
