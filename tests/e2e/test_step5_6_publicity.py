"""Seed steps 5–6 in the browser: publicity with its computed period, the 公示表, an objection,
recommendation after the period (the test moves the clock), and the acceptance point's inbox."""
from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from playwright.sync_api import expect

from models import ApplicationStatus, ArchiveCategory, ReviewStatus
from tests import factories
from tests.e2e.flows import (
    click_confirmed,
    menu,
    row,
    see_message,
    see_tab,
    shot,
    sign_in,
    sign_out,
)
from zcps import workflow

UNIT_NAME = "杭州湖畔软件有限公司"
PERSON = "王芳"
POSTED = date(2026, 9, 29)  # a Tuesday; five working days end on Monday 2026-10-12


def approved_application(live_server) -> tuple[str, str]:
    """An authorized unit whose applicant's application it has approved."""
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(unit, name=PERSON, with_account=True,
                                     profile_status=ReviewStatus.APPROVED,
                                     highest_education="硕士研究生", current_title="工程师",
                                     current_title_date=date(2019, 12, 20))
        application = factories.application(person, ApplicationStatus.APPROVED,
                                            specialty="软件工程",
                                            profile_snapshot=workflow.profile_snapshot(person))
        item = factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.PAPER,
                                      "面向政务数据的隐私计算方法研究")
        application.items.append(workflow_item(item))
        return unit.uscc, person.id_number


def workflow_item(item):
    from models import ApplicationItem

    return ApplicationItem(archive_item_id=item.id, category=item.category, title=item.title,
                           organisation="计算机工程", details={})


def test_publicity_objection_recommendation_and_acceptance(page, live_server, clock):
    clock.set(POSTED)
    uscc, _ = approved_application(live_server)

    # 信息公示 from the approved tab of 申报资料审核, with the earliest end computed.
    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "申报资料审核")
    page.get_by_role("link", name="审核通过 (1)", exact=True).click()
    row(page, PERSON).get_by_role("checkbox").check()
    page.get_by_role("button", name="选中的").click()
    page.locator(".dropdown-menu").get_by_role("link", name="信息公示", exact=True).click()
    expect(page.get_by_test_id("earliest-end")).to_contain_text("2026年10月12日")
    expect(page.get_by_label("公示结束日期", exact=True)).to_have_value("2026-10-12")
    page.get_by_label("异议受理联系方式", exact=True).fill("人事处 陈老师 0571-86000000")
    shot(page, "22-unit-publicity-new")
    click_confirmed(page, page.get_by_role("button", name="开始公示", exact=True),
                    "确定开始公示吗？")
    see_message(page, "已开始公示：1人，公示期2026年9月29日至2026年10月12日")
    expect(page.get_by_test_id("period")).to_have_text("2026年9月29日 — 2026年10月12日")
    expect(page.get_by_test_id("publicity-state")).to_have_text("公示中")

    # 导出公示表: a Chinese file name, the title, the person, no ID number.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出公示表", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"公示表_{UNIT_NAME}_2026-09-29.xlsx"
    sheet = load_workbook(BytesIO(open(download.path(), "rb").read())).active
    cells = [str(cell.value) for line in sheet.iter_rows() for cell in line if cell.value]
    assert f"{UNIT_NAME}2026年度专业技术职务任职资格申报人员公示表" in cells
    assert PERSON in cells and "面向政务数据的隐私计算方法研究" in " ".join(cells)

    # An objection arrives on the third day; the unit records it, checks it and dismisses it.
    clock.set(date(2026, 10, 8))
    page.reload()
    page.get_by_text("登记异议", exact=True).first.click()
    page.get_by_label("收到日期", exact=True).fill("2026-10-08")
    page.get_by_label("异议人", exact=True).fill("匿名来信")
    page.get_by_label("异议内容", exact=True).fill("反映其论文第一作者署名存在争议。")
    page.get_by_role("button", name="登记异议", exact=True).click()
    see_message(page, f"已登记对{PERSON}的异议，请核查后处理；处理前不能推荐。")
    expect(row(page, PERSON)).to_contain_text("1条待处理")
    shot(page, "23-unit-publicity")
    page.get_by_label("核查情况", exact=True).fill("经核查期刊署名页，署名无误，异议不属实。")
    page.get_by_role("button", name="不属实", exact=True).click()
    see_message(page, "异议已处理：不属实。")
    expect(row(page, PERSON)).to_contain_text("无待处理异议")

    # On the end date recommending is refused with the day it becomes possible.
    clock.set(date(2026, 10, 12))
    menu(page, "资格审查推荐")
    see_tab(page, "公示中 (1)")
    page.get_by_role("link", name="公示中 (1)", exact=True).click()
    page.get_by_role("link", name=PERSON, exact=True).click()
    see_message(page, f"{PERSON}的申报公示期至10月12日结束，2026年10月13日起方可推荐。")
    expect(page.get_by_role("button", name="推荐", exact=True)).to_have_count(0)

    # The day after, the period has ended: 公示期满, and the recommendation goes through.
    clock.set(date(2026, 10, 13))
    menu(page, "资格审查推荐")
    see_tab(page, "待推荐 (1)")
    expect(row(page, PERSON)).to_contain_text("公示期满")
    page.get_by_role("link", name=PERSON, exact=True).click()
    opinion = page.get_by_label("推荐意见", exact=True)
    expect(opinion).to_have_value(
        f"{PERSON}同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，无异议，同意推荐。")
    page.get_by_label("受理点", exact=True).select_option(label=live_server.acceptance_point)
    shot(page, "24-unit-recommend")
    click_confirmed(page, page.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(page, f"已推荐至{live_server.acceptance_point}：{PERSON}")
    see_tab(page, "已推荐 (1)")
    sign_out(page)

    # The acceptance point finds it in 待受理 and accepts it.
    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    menu(page, "推荐受理")
    see_tab(page, "待受理 (1)")
    expect(row(page, PERSON)).to_contain_text(UNIT_NAME)
    shot(page, "25-acceptance-inbox")
    page.get_by_role("link", name=PERSON, exact=True).click()
    expect(page.get_by_test_id("publicity-period")).to_have_text(
        "2026年9月29日 — 2026年10月12日")
    expect(page.get_by_role("definition").filter(has_text="在本单位公示5个工作日")).to_be_visible()
    shot(page, "26-acceptance-review")
    page.get_by_role("button", name="受理", exact=True).click()
    see_message(page, f"{PERSON}的申报已受理，已短信通知推荐单位和申报人。")
    see_tab(page, "待受理 (0)")
    see_tab(page, "已受理 (1)")


def test_a_returned_recommendation_is_fixed_and_recommended_again(page, live_server, clock):
    clock.set(POSTED)
    uscc, _ = approved_application(live_server)
    with live_server.database() as session:
        from models import AcceptancePoint, Account, Application

        officer = session.scalar(session.query(Account).filter_by(username=uscc).statement)
        application = session.scalar(session.query(Application).statement)
        point = session.scalar(session.query(AcceptancePoint).statement)
        workflow.start_publicity(officer, [application], POSTED)
        clock.set(date(2026, 10, 13))
        workflow.recommend_application(officer, application, point, "同意推荐。")

    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    menu(page, "推荐受理")
    page.get_by_role("link", name=PERSON, exact=True).click()
    click_confirmed(page, page.get_by_role("button", name="退回", exact=True), "确定退回吗？")
    see_message(page, "退回时必须填写退回原因。")
    page.get_by_label("退回原因", exact=True).fill("推荐意见未写明公示日期。")
    click_confirmed(page, page.get_by_role("button", name="退回", exact=True), "确定退回吗？")
    see_message(page, f"{PERSON}的申报已退回，已短信通知推荐单位和申报人。")
    see_tab(page, "已退回 (1)")
    sign_out(page)

    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "资格审查推荐")
    see_tab(page, "受理点退回 (1)")
    page.get_by_role("link", name="受理点退回 (1)", exact=True).click()
    page.get_by_role("link", name=PERSON, exact=True).click()
    expect(page.get_by_role("definition").filter(has_text="推荐意见未写明公示日期。")).to_be_visible()
    page.get_by_label("受理点", exact=True).select_option(label=live_server.acceptance_point)
    click_confirmed(page, page.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(page, f"已推荐至{live_server.acceptance_point}：{PERSON}")
    see_tab(page, "已推荐 (1)")
