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
