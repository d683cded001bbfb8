"""The recommendation route in the browser: the platform admin adds a 主管部门 and binds a unit
to it; the unit recommends; the 主管部门 returns it with a reason, the unit recommends again, the
主管部门 passes it on and the acceptance point accepts. Everyone sees who holds it."""
from datetime import date

from playwright.sync_api import expect

from tests import factories
from tests.e2e.flows import (
    accept,
    choose_acceptance_point,
    click_confirmed,
    menu,
    row,
    see_message,
    see_record_page,
    see_tab,
    shot,
    sign_in,
)
from tests.e2e.test_small_screens import assert_laid_out
from tests.e2e.test_step5_6_publicity import PERSON, POSTED, UNIT_NAME, approved_application
from zcps import workflow

DEPARTMENT = "杭州市示例建设局"
LEVEL = f"{DEPARTMENT}（主管部门）"
LEVEL_USERNAME = "jianshe1"
REASON = "推荐意见未写明公示起止日期，考核表缺少单位盖章。"
PASS_OPINION = "经审核，推荐材料齐全，同意报送。"


def publicized_application(live_server, clock) -> tuple[str, str, int]:
    """``approved_application``, publicized from ``POSTED``; the clock on 2026-10-13, the day
    after the period."""
    clock.set(POSTED)
    uscc, id_number = approved_application(live_server)
    with live_server.database() as session:
        from models import Account, Application

        officer = session.scalar(session.query(Account).filter_by(username=uscc).statement)
        application = session.scalar(session.query(Application).statement)
        workflow.start_publicity(officer, [application], POSTED, **factories.OBJECTION)
        unit_id = application.unit_id
    clock.set(date(2026, 10, 13))
    return uscc, id_number, unit_id


def recommend_through_the_level(page, point: str, opinion: str | None = None) -> None:
    page.get_by_role("link", name=PERSON, exact=True).click()
    see_record_page(page, "资格审查推荐", PERSON)
    if opinion is not None:
        page.get_by_label("推荐意见", exact=True).fill(opinion)
    choose_acceptance_point(page, point)
    click_confirmed(page, page.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(page, f"已推荐：{PERSON}，经{LEVEL}审核后报送{point}")
    see_tab(page, "已推荐 (1)")
    expect(row(page, PERSON)).to_contain_text(LEVEL)


def test_a_recommendation_passes_through_its_department(page, another_browser, live_server,
                                                        clock):
    base, point = live_server.url, live_server.acceptance_point
    uscc, id_number, unit_id = publicized_application(live_server, clock)

    # The platform admin adds the 主管部门 and binds the unit to it.
    admin = another_browser()
    sign_in(admin, base, "管理员登录", live_server.admin_username)
    admin.goto(base + "/admin/admin_acceptance_point/new/")
    admin.locator("#name").fill(DEPARTMENT)
    admin.locator("#kind").select_option(label="主管部门", force=True)
    shot(admin, "route-admin-new-level")
    admin.get_by_role("button", name="保存", exact=True).click()
    see_message(admin, "创建记录成功")
    expect(row(admin, DEPARTMENT)).to_contain_text("主管部门")
    admin.goto(base + f"/admin/admin_unit/edit/?id={unit_id}")
    admin.locator("#supervisor").select_option(label=DEPARTMENT, force=True)
    shot(admin, "route-admin-bind-unit")
    admin.get_by_role("button", name="保存", exact=True).click()
    expect(row(admin, UNIT_NAME)).to_contain_text(DEPARTMENT)
    with live_server.database() as session:
        from models import AcceptancePoint

        department = session.scalar(session.query(AcceptancePoint).filter_by(
            name=DEPARTMENT).statement)
        factories.acceptance_account(department, LEVEL_USERNAME)

    # The unit recommends: it goes to the 主管部门 first, and the list says so.
    sign_in(page, base, "用人单位登录", uscc)
    menu(page, "资格审查推荐")
    see_tab(page, "待推荐 (1)")
    recommend_through_the_level(page, point)
    shot(page, "route-unit-at-level")

    # The applicant reads who holds it and what comes next.
    applicant = another_browser()
    sign_in(applicant, base, "个人登录", id_number)
    expect(applicant.get_by_test_id("card-holder")).to_have_text(DEPARTMENT)
    expect(applicant.get_by_test_id("card-next")).to_have_text(f"单位已推荐，等待{LEVEL}审核。")
    shot(applicant, "route-applicant-home")

    # The 主管部门 signs in where acceptance points do, reads it in 待审核 and returns it.
    level = another_browser()
    level.set_viewport_size({"width": 1024, "height": 768})
    sign_in(level, base, "受理点登录", LEVEL_USERNAME)
    menu(level, "推荐受理")
    see_tab(level, "待审核 (1)")
    expect(row(level, PERSON)).to_contain_text(UNIT_NAME)
    assert_laid_out(level)
    shot(level, "route-level-inbox")
    level.get_by_role("link", name=PERSON, exact=True).click()
    see_record_page(level, "推荐受理", PERSON)
    assert_laid_out(level)
    shot(level, "route-level-review")
    level.get_by_label("审核意见 / 退回原因", exact=True).fill(REASON)
    click_confirmed(level, level.get_by_role("button", name="退回", exact=True), "确定退回吗？")
    see_message(level, f"{PERSON}的申报已退回推荐单位，已短信通知推荐单位。")
    see_tab(level, "已退回 (1)")

    # The unit reads 审核机构退回, who returned it and why, and recommends again.
    menu(page, "资格审查推荐")
    page.get_by_role("link", name="已退回 (1)", exact=True).click()
    returned = row(page, PERSON)
    expect(returned).to_contain_text("审核机构退回")
    expect(returned).to_contain_text(f"{LEVEL}：{REASON}")
    shot(page, "route-unit-returned")
    recommend_through_the_level(
        page, point, f"{PERSON}同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，无异议，同意推荐。")

    # The 主管部门 passes it on (通过) with its opinion.
    menu(level, "推荐受理")
    see_tab(level, "待审核 (1)")
    level.get_by_role("link", name=PERSON, exact=True).click()
    level.get_by_label("审核意见 / 退回原因", exact=True).fill(PASS_OPINION)
    click_confirmed(level, level.get_by_role("button", name="通过", exact=True), "确定通过吗？")
    see_message(level, f"{PERSON}的申报已审核通过，已报送下一级。")
    see_tab(level, "已通过 (1)")

    # Now the acceptance point holds it; it reads the level's opinion and accepts.
    menu(page, "资格审查推荐")
    page.get_by_role("link", name="已推荐 (1)", exact=True).click()
    expect(row(page, PERSON)).to_contain_text(point)
    acceptance = another_browser()
    sign_in(acceptance, base, "受理点登录", live_server.acceptance_username)
    menu(acceptance, "推荐受理")
    acceptance.get_by_role("link", name=PERSON, exact=True).click()
    expect(acceptance.get_by_test_id("timeline")).to_contain_text(PASS_OPINION)
    shot(acceptance, "route-acceptance-review")
    accept(acceptance, PERSON, UNIT_NAME)

    menu(page, "资格审查推荐")
    see_tab(page, "已受理 (1)")
