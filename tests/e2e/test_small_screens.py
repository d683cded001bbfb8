"""The unit's main screens at 1024×768 (and 1200) and the applicant's at 390 px (a phone): the top menu
fits one row or collapses behind its toggle, tables scroll sideways instead of breaking a name,
a date or a header one character a line, and the applicant reaches 职称申报 and submits."""
from datetime import date

import pytest
from playwright.sync_api import expect

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.e2e.flows import (
    check_accessibility,
    click_confirmed,
    menu,
    row,
    see_message,
    shot,
    sign_in,
)

UNIT_NAME = "杭州市西湖区城市建设与综合交通规划设计研究院有限公司"
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
    expect(page.get_by_role("link", name="返回申报资料审核")).to_be_visible()
    assert_laid_out(page)

    menu(page, "信息公示")
    expect(page.get_by_text("公示中").first).to_be_visible()
    assert_laid_out(page)

    menu(page, "资格审查推荐")
    expect(row(page, "诸葛文博")).to_contain_text("公示期满")
    assert_laid_out(page)


def test_the_applicant_submits_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
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
