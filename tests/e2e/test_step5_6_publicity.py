"""Seed steps 5–6 in the browser: publicity with its computed period, the 公示表, an objection,
recommendation after the period (the test moves the clock), and the acceptance point's inbox."""
import re
from datetime import date, datetime

from playwright.sync_api import expect

from models import ApplicationStatus, ArchiveCategory, ReviewStatus
from tests import factories
from tests.e2e.flows import (
    accept,
    choose_acceptance_point,
    click_confirmed,
    dismiss_objection,
    download_publicity_table,
    menu,
    recommend,
    record_objection,
    refused_before_confirming,
    row,
    see_message,
    see_tab,
    shot,
    sign_in,
    sign_out,
    start_publicity,
    submit_application,
)
from zcps import workflow
from zcps.plans import from_beijing

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
        paper = factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.PAPER,
                                       "面向政务数据的隐私计算方法研究", organisation="计算机工程",
                                       start_date=date(2024, 5, 15),
                                       details={"author_rank": 1, "issn": "1000-3428"})
        factories.application(person, ApplicationStatus.APPROVED, specialty="软件工程",
                              items=[paper])
        return unit.uscc, person.id_number


def recommended_application(live_server, clock) -> tuple[str, str]:
    """``approved_application``, publicized from ``POSTED`` and recommended on 2026-10-13."""
    clock.set(POSTED)
    uscc, id_number = approved_application(live_server)
    with live_server.database() as session:
        from models import AcceptancePoint, Account, Application

        officer = session.scalar(session.query(Account).filter_by(username=uscc).statement)
        application = session.scalar(session.query(Application).statement)
        point = session.scalar(session.query(AcceptancePoint).statement)
        workflow.start_publicity(officer, [application], POSTED, **factories.OBJECTION)
        clock.set(date(2026, 10, 13))
        workflow.recommend_application(officer, application, point, "同意推荐。")
    return uscc, id_number


def test_publicity_objection_recommendation_and_acceptance(page, live_server, clock):
    clock.set(POSTED)
    uscc, _ = approved_application(live_server)

    sign_in(page, live_server.url, "用人单位登录", uscc)
    # The home page's own link (the menu's 单位管理 holds another, which Chromium may count as
    # visible while the dropdown settles).
    page.get_by_test_id("guide-link").click()
    expect(page.get_by_test_id("guide-steps").get_by_role("heading")).to_have_count(6)
    shot(page, "27-unit-guide")
    start_publicity(page, PERSON, "2026-10-12", "2026年10月12日", screenshots=True)
    expect(page.get_by_test_id("period")).to_have_text("2026年9月29日 — 2026年10月12日")

    name, cells = download_publicity_table(page)
    assert name == f"公示表_{UNIT_NAME}_2026-09-29.xlsx"
    assert f"{UNIT_NAME}{factories.USUAL_PLAN}申报人员公示表" in cells
    assert PERSON in cells and "面向政务数据的隐私计算方法研究" in " ".join(cells)

    # An objection arrives during the period; the unit records it, checks it and dismisses it.
    clock.set(date(2026, 10, 8))
    page.reload()
    record_objection(page, PERSON, "2026-10-08", "反映其论文第一作者署名存在争议。")
    shot(page, "23-unit-publicity")
    dismiss_objection(page, PERSON, "经核查期刊署名页，署名无误，异议不属实。")

    # On the end date recommending is refused with the day it becomes possible.
    clock.set(date(2026, 10, 12))
    menu(page, "资格审查推荐")
    page.get_by_role("link", name="公示中 (1)", exact=True).click()
    page.get_by_role("link", name=PERSON, exact=True).click()
    see_message(page, f"{PERSON}的申报公示期至10月12日结束，2026年10月13日起方可推荐。")
    expect(page.get_by_role("button", name="推荐", exact=True)).to_have_count(0)

    # The day after, the period has ended and the recommendation goes through.
    clock.set(date(2026, 10, 13))
    recommend(page, PERSON, live_server.acceptance_point,
              f"{PERSON}同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，无异议，同意推荐。",
              screenshots=True)
    sign_out(page)

    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    accept(page, PERSON, UNIT_NAME, screenshots=True)


def test_a_returned_recommendation_is_fixed_and_recommended_again(page, live_server, clock):
    uscc, _ = recommended_application(live_server, clock)

    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    menu(page, "推荐受理")
    page.get_by_role("link", name=PERSON, exact=True).click()
    # The missing reason is said beside the field before any "are you sure".
    reason = page.get_by_label("受理意见 / 退回原因", exact=True)
    refused_before_confirming(page, page.get_by_role("button", name="退回", exact=True), reason,
                              "请填写退回原因。")
    reason.fill("推荐意见未写明公示日期。")
    click_confirmed(page, page.get_by_role("button", name="退回", exact=True), "确定退回吗？")
    see_message(page, f"{PERSON}的申报已退回，已短信通知推荐单位和申报人。")
    see_tab(page, "已退回 (1)")
    sign_out(page)

    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "资格审查推荐")
    see_tab(page, "已退回 (1)")
    page.get_by_role("link", name="已退回 (1)", exact=True).click()
    page.get_by_role("link", name=PERSON, exact=True).click()
    expect(page.get_by_role("definition").filter(has_text="推荐意见未写明公示日期。")).to_be_visible()
    choose_acceptance_point(page, live_server.acceptance_point)
    click_confirmed(page, page.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(page, f"已推荐至{live_server.acceptance_point}：{PERSON}")
    see_tab(page, "已推荐 (1)")


def test_a_returned_recommendation_goes_back_to_the_applicant(page, another_browser, live_server,
                                                              clock):
    """The acceptance point's reason needs the applicant's own fix: the unit hands the
    application back (退回申报人修改), the applicant reads why and sends it again, and it waits
    for the unit's review once more."""
    clock.set(POSTED)
    uscc, id_number = approved_application(live_server)
    with live_server.database() as session:
        from models import AcceptancePoint, Account, Application

        officer = session.scalar(session.query(Account).filter_by(username=uscc).statement)
        point_account = session.scalar(session.query(Account).filter_by(
            username=live_server.acceptance_username).statement)
        application = session.scalar(session.query(Application).statement)
        point = session.scalar(session.query(AcceptancePoint).statement)
        workflow.start_publicity(officer, [application], POSTED, **factories.OBJECTION)
        clock.set(date(2026, 10, 13))
        workflow.recommend_application(officer, application, point, "同意推荐。")
        workflow.return_to_unit(point_account, application, "论文为第二作者，与申报材料不符。")
        qualification = application.qualification.name

    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "资格审查推荐")
    page.get_by_role("link", name="已退回 (1)", exact=True).click()
    page.get_by_role("link", name=PERSON, exact=True).click()
    returning = page.get_by_test_id("return-to-applicant")
    refused_before_confirming(
        page, returning.get_by_role("button", name="退回申报人修改", exact=True),
        page.get_by_label("退回原因", exact=True), "请填写退回原因。")
    page.get_by_label("退回原因", exact=True).fill("请更正论文作者排序并上传期刊署名页。")
    click_confirmed(page, returning.get_by_role("button", name="退回申报人修改", exact=True))
    see_message(page, f"已将{PERSON}的申报退回申报人修改；已短信通知申报人。")
    see_tab(page, "已退回 (0)")

    applicant = another_browser()
    sign_in(applicant, live_server.url, "个人登录", id_number)
    menu(applicant, "职称申报")
    expect(row(applicant, qualification)).to_contain_text("退回修改")
    applicant.get_by_role("link", name=qualification, exact=True).click()
    expect(applicant.get_by_test_id("application-status")).to_have_text("退回修改")
    expect(applicant.get_by_test_id("timeline")).to_contain_text("请更正论文作者排序并上传期刊署名页。")
    # Who sent it back is named by the acceptance point, not a staff member's user name.
    expect(applicant.get_by_test_id("timeline")).to_contain_text(re.compile(
        rf"· {live_server.acceptance_point}\s*受理点退回\s*（第1轮）\s*论文为第二作者，与申报材料不符。"))
    submit_application(applicant)

    menu(page, "申报资料审核")
    see_tab(page, "待审核 (1)")


def test_a_publicity_that_cannot_make_the_deadline_needs_the_confirmation(page, live_server,
                                                                          clock):
    """The form says, as the start date changes, whether the recommendation can still be made
    before the plan's 单位审核推荐截止; across the National Day holiday a start on 9/30 cannot."""
    clock.set(POSTED)
    with live_server.database():
        plan = factories.plan("2026年度浙江省职称评审",
                              unit_deadline=from_beijing(datetime(2026, 10, 13, 18)))
        unit = factories.unit(name=UNIT_NAME)
        factories.employer(unit)
        factories.application(factories.applicant(unit, name=PERSON),
                              ApplicationStatus.APPROVED, plan=plan)
        uscc = unit.uscc

    sign_in(page, live_server.url, "用人单位登录", uscc)
    page.goto(live_server.url + "/unit/publicity/start/")
    fit = page.get_by_test_id("deadline-fit")
    expect(fit).to_contain_text("可于2026年10月13日推荐")
    confirmation = page.get_by_label("我已知晓公示结束后无法在单位审核推荐截止前推荐", exact=True)
    expect(confirmation).to_be_hidden()

    page.get_by_label("异议受理电话", exact=True).fill("0571-86000000")
    page.get_by_label("异议受理地址", exact=True).fill("杭州市西湖区文三路1号 人事处")
    page.get_by_label("公示开始日期", exact=True).fill("2026-09-30")
    expect(page.get_by_label("公示结束日期", exact=True)).to_have_value("2026-10-13")
    expect(fit).to_contain_text("截止前已没有可以推荐的工作日；最迟应于2026年9月29日开始公示。")
    expect(confirmation).to_be_visible()
    click_confirmed(page, page.get_by_role("button", name="开始公示", exact=True))
    see_message(page, "如仍要公示，请勾选")
    expect(confirmation).to_be_visible()
    confirmation.check()
    click_confirmed(page, page.get_by_role("button", name="开始公示", exact=True))
    see_message(page, "已开始公示：1人")
    expect(page.get_by_test_id("deadline-warning")).to_contain_text(
        "2026年度浙江省职称评审的单位审核推荐截止为2026年10月13日 18:00")


def _downloaded(page, link_name: str, within=None):
    with page.expect_download() as download_info:
        (within or page).get_by_role("link", name=link_name, exact=True).first.click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def test_the_unit_and_the_acceptance_point_download_the_recommendation_roster(
        page, live_server, clock):
    from io import BytesIO

    from openpyxl import load_workbook
    from pypdf import PdfReader

    uscc, id_number = recommended_application(live_server, clock)

    sign_in(page, live_server.url, "用人单位登录", uscc)
    menu(page, "资格审查推荐")
    page.get_by_role("link", name="推荐花名册", exact=True).click()
    days = page.get_by_test_id("roster-days")
    expect(days.get_by_role("row").filter(has_text="2026年10月13日")).to_contain_text(
        live_server.acceptance_point)
    shot(page, "46-unit-recommendation-roster")
    name, data = _downloaded(page, "Excel", days)
    assert name == f"推荐花名册_{UNIT_NAME}_{live_server.acceptance_point}_2026-10-13.xlsx"
    cells = [str(cell.value) for line in load_workbook(BytesIO(data)).active.iter_rows()
             for cell in line if cell.value is not None]
    assert PERSON in cells and not any(id_number in cell for cell in cells)
    name, data = _downloaded(page, "PDF", days)
    assert name.endswith(".pdf") and UNIT_NAME in PdfReader(BytesIO(data)).pages[0].extract_text()
    sign_out(page)

    sign_in(page, live_server.url, "受理点登录", live_server.acceptance_username)
    menu(page, "推荐受理")
    page.get_by_role("link", name="推荐花名册", exact=True).click()
    units = page.get_by_test_id("roster-parties")
    expect(units).to_contain_text(UNIT_NAME)
    name, data = _downloaded(page, "PDF", units)
    assert PERSON in PdfReader(BytesIO(data)).pages[0].extract_text()
