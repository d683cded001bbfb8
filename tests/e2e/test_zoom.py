"""200% zoom (GB/T 37668, WCAG 1.4.4 and 1.4.10): a 1366×768 window zoomed to 200% lays pages
out in 683×384 CSS pixels. The main pages of the unit's officer and of the applicant, and the
sign-in pages, then work: the page never scrolls sideways (a wide table scrolls inside its own
box), the menu is reached behind its toggle, and what the person does next is still done."""
import pytest
from playwright.sync_api import expect

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.e2e.conftest import new_context
from tests.e2e.flows import (
    SIGN_IN_PATHS,
    click_confirmed,
    menu,
    open_menu,
    row,
    see_message,
    sign_in,
)
from tests.e2e.layout import assert_reflows

ZOOMED = {"width": 683, "height": 384}  # 1366×768 at 200%
UNIT_NAME = "杭州市西湖区城市建设与综合交通规划设计研究院有限公司"

def open_zoomed(page, name: str) -> None:
    """The menu, behind its toggle at this width: the toggle is on screen, then the link."""
    toggle = page.get_by_role("button", name="菜单", exact=True)
    expect(toggle).to_be_in_viewport()
    menu(page, name)
    assert_reflows(page)


@pytest.fixture
def zoomed(browser, problems):
    """A 1366×768 window at 200% zoom, laid out as Chromium zooms: 683×384 CSS pixels of two
    device pixels each (``devicePixelRatio`` 2)."""
    browser_context = new_context(browser, problems, viewport=ZOOMED, device_scale_factor=2)
    zoomed_page = browser_context.new_page()
    yield zoomed_page
    assert zoomed_page.evaluate("window.devicePixelRatio") == 2
    browser_context.close()
    unexpected = problems.unexpected()
    assert not unexpected, "problems on the pages:\n" + "\n".join(unexpected)


@pytest.mark.parametrize("width", [ZOOMED["width"], 390])
def test_the_public_pages_at_200_percent_and_on_a_phone(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 768})
    page.goto(live_server.url + "/")
    assert_reflows(page)
    for entry, path in SIGN_IN_PATHS.items():
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=entry, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_in_viewport()
        assert_reflows(page)
    page.goto(live_server.url + "/register/person")
    assert_reflows(page)


def test_the_units_officer_at_200_percent(zoomed, live_server):
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        uscc = factories.employer(unit).username
        waiting = factories.applicant(unit, "欧阳明月", profile_status=ReviewStatus.APPROVED)
        factories.archive_item(waiting, ReviewStatus.PENDING, title="浙江大学建筑学院城乡规划专业")
        person = factories.applicant(unit, "司马长风", with_account=True,
                                     profile_status=ReviewStatus.APPROVED)
        factories.application(person, ApplicationStatus.PENDING,
                              specialty="城乡规划与综合交通工程")
    page = zoomed
    sign_in(page, live_server.url, "用人单位登录", uscc)
    assert_reflows(page)

    open_zoomed(page, "业绩档案审核")
    with page.expect_navigation():
        page.get_by_role("link", name="欧阳明月", exact=True).click()
    assert_reflows(page)
    item = row(page, "浙江大学建筑学院城乡规划专业")
    item.get_by_role("button", name="通过", exact=True).click()
    see_message(page, "「浙江大学建筑学院城乡规划专业」已通过。")
    assert_reflows(page)

    open_zoomed(page, "申报资料审核")
    with page.expect_navigation():
        page.get_by_role("link", name="司马长风", exact=True).click()
    assert_reflows(page)
    page.get_by_role("button", name="经审核，司马长风同志符合", exact=False).click()
    click_confirmed(page, page.get_by_role("button", name="通过", exact=True), "确定通过吗？")
    see_message(page, "司马长风的申报已通过，已短信通知申报人。")
    assert_reflows(page)

    for name in ("信息公示", "资格审查推荐", "业绩明细"):
        open_zoomed(page, name)
    for name in ("本单位人员", "本单位统计"):  # in the menu's 单位管理 dropdown
        open_menu(page)
        page.get_by_role("navigation").get_by_role("link", name="单位管理", exact=True).click()
        link = page.get_by_role("navigation").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        with page.expect_navigation():
            link.click()
        assert_reflows(page)


def test_the_applicant_at_200_percent(zoomed, live_server):
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(unit, "欧阳明月", with_account=True,
                                     profile_status=ReviewStatus.APPROVED,
                                     highest_education="大学本科", current_title="工程师")
        factories.application(person, ApplicationStatus.DRAFT,
                              items=factories.mandatory_items(person))
        id_number = person.id_number
    page = zoomed
    sign_in(page, live_server.url, "个人登录", id_number)
    assert_reflows(page)
    for name in ("基本信息", "业绩档案"):
        open_zoomed(page, name)
    open_zoomed(page, "职称申报")
    with page.expect_navigation():
        page.get_by_role("table").get_by_role("link").first.click()
    assert_reflows(page)
    page.get_by_label("诚信承诺", exact=False).check()
    click_confirmed(page, page.get_by_role("button", name="提交单位审核", exact=True),
                    "确定提交吗？")
    see_message(page, "申报已提交单位审核。")
    assert_reflows(page)
