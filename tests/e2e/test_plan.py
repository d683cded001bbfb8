"""评审计划 in the browser: the platform admin publishes a plan with its deadlines in Beijing
time; the unit's home counts down to its deadline (red from 3 days) and shows what waits for it
in that plan; the admin's 超期与待办 lists the unit."""
from datetime import date, datetime

from playwright.sync_api import expect

from models import ApplicationStatus, ReviewPlan, TitleSeries
from tests import factories
from tests.e2e.flows import see_message, shot, sign_in
from zcps.extensions import db

PLAN = "2026年度杭州市职称评审"
UNIT_NAME = "杭州湾测试研究院"


def test_admin_publishes_a_plan_and_the_unit_sees_its_countdown(page, another_browser,
                                                                 live_server, problems, clock):
    clock.set(date(2026, 9, 29))  # Tuesday; the unit deadline below is Thursday 10-01
    base = live_server.url
    with live_server.database():
        unit = factories.unit(UNIT_NAME)
        officer = factories.employer(unit).username
        people = [factories.applicant(unit, name, with_account=True)
                  for name in ("沈一鸣", "陆雨桐")]

    admin = another_browser()
    sign_in(admin, base, "管理员登录", live_server.admin_username)
    admin.goto(base + "/admin/plans/new/")
    admin.get_by_label("年度").fill("2026")
    admin.get_by_label("计划名称").fill(PLAN)
    admin.locator("#series").select_option(label="工程", force=True)
    admin.locator("#acceptance_points").select_option(label=live_server.acceptance_point,
                                                      force=True)
    admin.get_by_label("申报开始").fill("2026-09-01T09:00")
    admin.get_by_label("个人申报截止").fill("2026-09-30T18:00")
    admin.get_by_label("单位审核推荐截止").fill("2026-10-01T18:00")
    admin.get_by_label("受理截止").fill("2026-10-30T18:00")
    admin.get_by_label("联系方式").fill("杭州市人社局职称处 0571-85000000")
    shot(admin, "28-admin-plan-new")
    admin.get_by_role("button", name="保存", exact=True).click()
    see_message(admin, "创建记录成功")
    expect(admin.get_by_role("row").filter(has_text=PLAN)).to_contain_text("申报中")
    shot(admin, "29-admin-plans")

    with live_server.database():
        plan = db.session.scalar(db.select(ReviewPlan).filter_by(name=PLAN))
        # What the admin typed is Beijing time: 18:00 there is 10:00 UTC.
        assert plan.unit_deadline == datetime(2026, 10, 1, 10, 0)
        plan_id = plan.id
        assert [row.series.name for row in plan.coverage] == ["工程"]
        assert db.session.get(TitleSeries, plan.coverage[0].series_id).name == "工程"
        for person in people:
            factories.application(db.session.merge(person), ApplicationStatus.PENDING,
                                  plan=plan)

    sign_in(page, base, "用人单位登录", officer)
    card = page.get_by_test_id("plan-card").filter(has_text=PLAN)
    # The next deadline first: the applicants' tomorrow, then the unit's own.
    expect(card).to_contain_text("个人申报截止")
    expect(card).to_contain_text("2026年9月30日 18:00")
    countdown = card.get_by_test_id("countdown")
    expect(countdown).to_have_text("距截止还有1天")
    expect(countdown).to_have_class("badge badge-danger")  # red: ≤ 3 days
    expect(card.get_by_test_id("plan-work")).to_contain_text("2")
    shot(page, "30-unit-home-countdown")
    clock.set(date(2026, 10, 1))  # the personal deadline has passed: the unit's is today
    page.reload()
    expect(card).to_contain_text("单位审核推荐截止")
    expect(card).to_contain_text("2026年10月1日 18:00")
    expect(countdown).to_have_text("今天18:00截止")
    # The count leads to the applications waiting, each with how long it has waited.
    card.get_by_test_id("plan-work").get_by_role("link").first.click()
    expect(page.get_by_role("row").filter(has_text="沈一鸣")).to_contain_text("2天")


    # The admin's 超期与待办 of the plan names the unit with its work left.
    admin.goto(f"{base}/admin/plans/overdue/?plan={plan_id}")
    expect(admin.get_by_role("row").filter(has_text=UNIT_NAME).first).to_contain_text("2")
    shot(admin, "31-admin-plan-overdue")
