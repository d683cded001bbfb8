"""Seed step 3: an applicant registers, keeps an archive, the unit reviews it (业绩档案审核).

The applicant works in ``page``, the unit's officer in a browser of their own, both signed in
throughout, as two people at two desks would be.
"""
from playwright.sync_api import expect

from tests import factories
from tests.e2e.flows import (
    ITEM_TITLES,
    add_archive_items,
    approve_profile,
    archive_review_page,
    decide_item,
    fill_form,
    fill_profile,
    menu,
    new_id_number,
    register_person,
    row,
    see_message,
    see_tab,
    shot,
    sign_in,
)

UNIT_NAME = "杭州云栖智能科技有限公司"
RETURN_REASON = "请补充毕业证书上的所学专业全称（与学信网一致）。"


def authorized_unit(live_server, name=UNIT_NAME) -> str:
    """An authorized unit with its employer account; returns the sign-in (统一社会信用代码)."""
    with live_server.database():
        unit = factories.unit(name=name)
        factories.employer(unit)
        return unit.uscc


def test_archive_is_reviewed_returned_fixed_and_approved(page, another_browser, live_server):
    uscc = authorized_unit(live_server)
    person = {"name": "李明", "id_number": new_id_number(), "mobile": "13700001111",
              "password": "Liming2026"}
    applicant = page

    register_person(applicant, live_server, person, screenshots=True)
    fill_profile(applicant, UNIT_NAME, screenshots=True)
    add_archive_items(applicant, screenshots=True)

    # The unit returns the education item with a reason and approves the rest.
    officer = another_browser()
    sign_in(officer, live_server.url, "用人单位登录", uscc)
    expect(officer.get_by_test_id("count-archive_people")).to_have_text("1 人")
    archive_review_page(officer, person["name"], waiting=3, screenshots=True)
    decide_item(officer, ITEM_TITLES["教育经历"], "退回修改", RETURN_REASON)
    expect(row(officer, ITEM_TITLES["教育经历"])).to_contain_text(RETURN_REASON)
    decide_item(officer, ITEM_TITLES["工作经历"], "通过")
    shot(officer, "15-unit-archive-review")
    decide_item(officer, ITEM_TITLES["考核情况"], "通过")

    # The applicant reads the reason, fixes the item and sends it again.
    menu(applicant, "业绩档案")
    returned = row(applicant, ITEM_TITLES["教育经历"])
    expect(returned).to_contain_text("退回修改")
    expect(returned).to_contain_text(RETURN_REASON)
    expect(row(applicant, ITEM_TITLES["工作经历"])).to_contain_text("审核通过")
    shot(applicant, "13-person-archive")
    returned.get_by_role("link", name="修改", exact=True).click()
    see_message(applicant, f"退回原因：{RETURN_REASON}")
    fill_form(applicant, {"所学专业": "计算机科学与技术（软件工程方向）"})
    applicant.get_by_role("button", name="保存并提交审核", exact=True).click()
    see_message(applicant, "已修改并提交单位审核。")
    expect(row(applicant, ITEM_TITLES["教育经历"])).to_contain_text("待审核")

    # The unit approves the fixed item and the basic information: nothing waits any more.
    archive_review_page(officer, person["name"], waiting=1)
    expect(row(officer, ITEM_TITLES["教育经历"])).to_contain_text("软件工程方向")
    decide_item(officer, ITEM_TITLES["教育经历"], "通过")
    approve_profile(officer, person["name"])
    for title in ITEM_TITLES.values():
        expect(row(officer, title)).to_contain_text("审核通过")
    # The queue counts people: nobody waits, one person has approved items.
    menu(officer, "业绩档案审核")
    see_tab(officer, "待审核 (0)")
    see_tab(officer, "审核通过 (1)")
    # 业绩明细 counts items.
    menu(officer, "业绩明细")
    see_tab(officer, "待审核 (0)")
    see_tab(officer, "审核通过 (3)")

    menu(applicant, "基本信息")
    expect(applicant.get_by_role("heading", name="基本信息 审核通过", exact=True)).to_be_visible()
