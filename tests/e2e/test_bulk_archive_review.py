"""业绩档案审核 in bulk, in the browser: 50 archive items of 10 people approved from the unit's
home page in at most 5 clicks (the confirmation's OK counted as one), and 全部通过 on a person's
page with one item returned in the same submit."""
import sqlalchemy as sa
from playwright.sync_api import expect

from models import Applicant, ArchiveCategory, ArchiveItem, ReviewStatus
from tests import factories
from tests.e2e.flows import click_confirmed, menu, row, see_message, shot, sign_in

UNIT_NAME = "杭州西溪批量审核测试有限公司"
PEOPLE, ITEMS_EACH = 10, 5
CLICK_GOAL = 5
CATEGORIES = (ArchiveCategory.EDUCATION, ArchiveCategory.WORK, ArchiveCategory.ASSESSMENT,
              ArchiveCategory.PAPER, ArchiveCategory.AWARD)

# Every click the person makes that the page receives (trusted events only), kept across the
# pages of the tab in its session storage.
COUNT_CLICKS = """
document.addEventListener('click', function (event) {
  if (event.isTrusted) {
    sessionStorage.setItem('zcpsClicks', String(Number(sessionStorage.getItem('zcpsClicks') || 0) + 1));
  }
}, true);
"""


def unit_with_waiting_archives(live_server) -> str:
    """An authorized unit whose 10 people each sent their basic information and 5 items."""
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        uscc = factories.employer(unit).username
        for n in range(PEOPLE):
            person = factories.applicant(unit, f"批量{n:02d}", profile_status=ReviewStatus.PENDING)
            for category in CATEGORIES:
                factories.archive_item(person, ReviewStatus.PENDING, category,
                                       title=f"批量{n:02d}的{category.label}")
        return uscc


def waiting(live_server) -> tuple[int, int]:
    """(archive items, basic informations) of the unit still waiting."""
    with live_server.database() as session:
        items = session.scalar(sa.select(sa.func.count()).select_from(ArchiveItem).where(
            ArchiveItem.status == ReviewStatus.PENDING))
        profiles = session.scalar(sa.select(sa.func.count()).select_from(Applicant).where(
            Applicant.profile_status == ReviewStatus.PENDING))
        return items, profiles


def test_fifty_items_of_ten_people_are_approved_in_at_most_five_clicks(page, live_server):
    uscc = unit_with_waiting_archives(live_server)
    assert waiting(live_server) == (PEOPLE * ITEMS_EACH, PEOPLE)
    sign_in(page, live_server.url, "用人单位登录", uscc)
    page.context.add_init_script(COUNT_CLICKS)
    page.goto(live_server.url + "/unit/")  # the unit's home page: counting starts here
    expect(page.get_by_test_id("count-archive_people")).to_have_text(f"{PEOPLE} 人")
    dialogs_accepted = 0

    menu(page, "业绩档案审核")  # 1
    expect(page.get_by_role("link", name=f"待审核 ({PEOPLE})", exact=True)).to_be_visible()
    page.locator("input.action-rowtoggle").check()  # 2: every person on the page
    expect(page.locator("input.action-checkbox:checked")).to_have_count(PEOPLE)
    shot(page, "43-unit-archive-bulk-selected")
    question = click_confirmed(  # 3, and its OK: 4
        page, page.get_by_role("button", name="通过所选人员的待审核材料", exact=True))
    dialogs_accepted += 1
    assert question == (f"确定通过所选 {PEOPLE} 人的全部待审核材料"
                        f"（共 {PEOPLE * ITEMS_EACH + PEOPLE} 项，含基本信息）吗？"), question
    see_message(page, f"已通过 {PEOPLE} 人的 {PEOPLE * ITEMS_EACH + PEOPLE} 项待审核材料。")
    expect(page.get_by_role("link", name="待审核 (0)", exact=True)).to_be_visible()
    shot(page, "44-unit-archive-bulk-approved")

    clicks = int(page.evaluate("sessionStorage.getItem('zcpsClicks') || 0")) + dialogs_accepted
    print(f"\n50 archive items of 10 people approved from the unit's home page: {clicks} clicks")
    assert clicks <= CLICK_GOAL, clicks
    assert waiting(live_server) == (0, 0)


def test_approve_all_on_a_persons_page_with_one_item_returned(page, live_server):
    uscc = unit_with_waiting_archives(live_server)
    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "业绩档案审核")
    page.get_by_role("link", name="批量00", exact=True).click()
    education = row(page, "批量00的教育经历")
    education.get_by_label("全部通过时退回", exact=True).check()
    education.get_by_label("全部通过时的退回原因", exact=True).fill("请上传学位证书扫描件。")
    shot(page, "45-unit-archive-approve-all")
    click_confirmed(page, page.get_by_role("button", name="全部通过", exact=True),
                    "确定通过批量00的全部 6 项待审核材料吗？")
    see_message(page, "已通过 1 人的 5 项待审核材料。 1 项已退回修改，已短信通知申报人。")
    expect(row(page, "批量00的教育经历")).to_contain_text("请上传学位证书扫描件。")
    expect(row(page, "批量00的工作经历")).to_contain_text("审核通过")
    expect(page.get_by_role("heading", name="基本信息 审核通过", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="全部通过", exact=True)).to_have_count(0)
    assert waiting(live_server) == ((PEOPLE - 1) * ITEMS_EACH, PEOPLE - 1)
