"""统计分析, 本单位统计 and 受理统计 in the browser, with a year's data: every table that has a chart
shows it (server-drawn SVG, no console error), each page passes the accessibility check, and at
1024 px no header or name breaks one character a line and the page does not scroll sideways."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models import AcceptancePoint
from models import ApplicationStatus as S
from tests import factories
from tests.e2e.flows import shot, sign_in
from tests.e2e.test_small_screens import assert_laid_out
from zcps import clock
from zcps.extensions import db

UNIT_NAME = "杭州市西湖区城市建设与综合交通规划设计研究院有限公司"
# The tables each page shows, and those drawn as a chart (the others are a table only).
PAGES = {
    "admin": ("/admin/statistics/", "统计分析",
              ["funnel", "series", "points", "units", "returns", "reasons", "waiting", "daily"], []),
    "unit": ("/unit/statistics/", "本单位统计",
             ["funnel", "series", "returns", "years"], ["review_time"]),
    "acceptance": ("/acceptance/statistics/", "受理统计",
                   ["received_units", "received_series", "reasons"], []),
}


def a_year(live_server) -> str:
    """Two units with applications at every stage, returns and rejections with reasons, some
    waiting for ten days, and the live server's acceptance point receiving, accepting and
    returning; gives the long-named unit's username."""
    with live_server.database():
        plan = factories.usual_plan()
        point = db.session.scalar(db.select(AcceptancePoint).filter_by(
            name=live_server.acceptance_point))
        first, second = factories.unit(UNIT_NAME), factories.unit("乙单位")
        uscc = factories.employer(first).username
        for unit in (first, second):
            with clock.travel(clock.today() - timedelta(days=10)):
                factories.application(factories.applicant(unit), S.PENDING)
                db.session.flush()
            factories.application(factories.applicant(unit), S.RETURNED, opinion="缺少学历证书。")
            factories.application(factories.applicant(unit), S.REJECTED)
        factories.applications([factories.applicant(first) for _ in range(2)], S.ACCEPTED,
                               acceptance_point=point)
        factories.application(factories.applicant(first), S.ACCEPTANCE_RETURNED,
                              acceptance_point=point)
        factories.applications([factories.applicant(second)], S.RECOMMENDED, acceptance_point=point)
        assert plan is not None
        return uscc


def open_statistics(page, base: str, which: str) -> None:
    url, heading, charted, table_only = PAGES[which]
    page.goto(base + url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    for name in charted:
        section = page.get_by_test_id(f"stats-{name}")
        expect(section.locator("table")).to_have_count(1)
        expect(section.locator("svg.zcps-chart")).to_have_count(1)
        box = section.locator("svg.zcps-chart").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 20, (name, box)
    for name in table_only:
        section = page.get_by_test_id(f"stats-{name}")
        expect(section.locator("table")).to_have_count(1)
        expect(section.locator("svg")).to_have_count(0)


def sign_in_as(page, live_server, which: str, uscc: str) -> None:
    entry, username = {"admin": ("管理员登录", live_server.admin_username),
                       "unit": ("用人单位登录", uscc),
                       "acceptance": ("受理点登录", live_server.acceptance_username)}[which]
    sign_in(page, live_server.url, entry, username)


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_statistics_pages_draw_their_charts(page, another_browser, live_server, width):
    uscc = a_year(live_server)
    for which in PAGES:
        each = page if which == "admin" else another_browser()
        each.set_viewport_size({"width": width, "height": 768})
        sign_in_as(each, live_server, which, uscc)
        open_statistics(each, live_server.url, which)
        if width == 1024:
            # The menu collapses behind its toggle; no header or name breaks over lines.
            assert_laid_out(each)
        else:
            shot(each, f"statistics-{which}")


# Every page of the 系统管理员's menu, by its address: none may be lost when the menu is grouped.
ADMIN_PAGES = ["/admin/admin_authorization/", "/admin/admin_unit/", "/admin/unit-changes/",
               "/admin/admin_acceptance_point/", "/admin/admin_acceptance_account/",
               "/admin/admin_applicant_account/", "/admin/plans/", "/admin/statistics/",
               "/admin/admin_title_series/", "/admin/admin_title_specialty/",
               "/admin/admin_title_qualification/", "/admin/admin_notification/",
               "/admin/admin_calendar/"]


@pytest.mark.parametrize("width", [1366, 1200, 1024])
@pytest.mark.parametrize("language", ["中文", "English"])
def test_the_platform_admins_menu_fits_one_row(page, live_server, width, language):
    """From 1200 px on the 系统管理员's menu stands in one row, in Chinese and in English; at
    1024 it folds behind its toggle; every page stays reachable from it, the units' rarely used
    pages under 用人单位."""
    page.set_viewport_size({"width": width, "height": 768})
    sign_in_as(page, live_server, "admin", "")
    if language == "English":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server.url + "/admin/statistics/")
    rows = page.evaluate(MENU_ROWS)
    assert rows["collapsed"] == (width < 1200), rows
    assert rows["rows"] == 1, rows
    page.screenshot(path=f"/tmp/admin-menu-{width}-{language}.png")
    menu = page.get_by_role("navigation", name="主菜单" if language == "中文" else "Main menu")
    links = menu.locator("a[href]").evaluate_all("(all) => all.map((a) => a.pathname)")
    assert sorted(set(ADMIN_PAGES) - set(links)) == [], links
    if rows["collapsed"]:
        page.locator("nav.navbar .navbar-toggler").click()
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
    units, changes = ("用人单位", "单位信息变更") if language == "中文" else (
        "Employers", "Unit details changes")
    menu.locator("a.dropdown-toggle", has_text=units).click()
    menu.get_by_role("link", name=changes, exact=True).click()
    expect(page).to_have_url(live_server.url + "/admin/unit-changes/")


# Whether the menu is folded behind its toggle, and how many rows its items take when it is not.
MENU_ROWS = """
() => {
  const nav = document.querySelector('nav.navbar');
  const toggle = nav.querySelector('.navbar-toggler');
  const collapsed = !!(toggle && toggle.offsetParent);
  const tops = [...nav.querySelectorAll('.navbar-nav > li')].filter((item) => item.offsetParent)
    .map((item) => Math.round(item.getBoundingClientRect().top));
  return {collapsed, rows: collapsed ? 1 : new Set(tops).size,
          items: [...nav.querySelectorAll('.navbar-nav > li')].map((item) => item.innerText.trim())};
}
"""
