"""统计分析, 本单位统计 and 受理统计: numbers counted by hand from the factories, scoped to the
reader, the export equal to the table, and a fixed number of queries."""
import io
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dtime

import openpyxl
import pytest

from models import ApplicationStatus as S
from models import OfficerDuty, Unit
from tests import factories
from tests.helpers import StatementLog, shown_text, signed_in
from views.statistics import chart_of
from zcps import clock, plans, statistics, workflow
from zcps.charts import bar_chart
from zcps.extensions import db


@pytest.fixture
def year(app):
    """Unit A: pending, returned, rejected, two accepted and one returned by point X, a draft,
    and one pending under another plan. Unit B: one recommended to point Y, one pending."""
    plan = factories.usual_plan()
    # Also open, begun earlier: the usual plan is the current one shown first.
    other_plan = factories.plan("往年计划", apply_start=clock.now() - timedelta(days=500))
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    point_x, point_y = factories.acceptance_point("受理点X"), factories.acceptance_point("受理点Y")
    for status in (S.PENDING, S.RETURNED, S.REJECTED, S.DRAFT):
        factories.application(factories.applicant(first), status)
    factories.application(factories.applicant(first), S.PENDING, plan=other_plan)
    factories.applications([factories.applicant(first) for _ in range(2)], S.ACCEPTED,
                           acceptance_point=point_x)
    factories.application(factories.applicant(first), S.ACCEPTANCE_RETURNED,
                          acceptance_point=point_x)
    factories.applications([factories.applicant(second)], S.RECOMMENDED, acceptance_point=point_y)
    factories.application(factories.applicant(second), S.PENDING)
    accounts = {"admin": factories.admin(), "first": factories.employer(first),
                "second": factories.employer(second),
                "x": factories.acceptance_account(point_x),
                "y": factories.acceptance_account(point_y)}
    db.session.commit()
    return {"plan": plan, "other_plan": other_plan, "accounts": accounts,
            "series": factories.qualification().series.name,
            "level": str(factories.qualification().level.label)}


def rows(table):
    return {row[0]: row[1:] for row in table.rows}


def test_the_funnel_counts_each_stage_for_the_admin_and_for_each_unit(year):
    plan, accounts = year["plan"], year["accounts"]
    assert rows(statistics.funnel(accounts["admin"], plan)) == {
        "申报": [8], "单位审核通过": [4], "公示": [4], "推荐": [4], "受理": [2]}
    # A unit never counts another unit's people, nor its own draft or another plan.
    assert rows(statistics.funnel(accounts["first"], plan)) == {
        "申报": [6], "单位审核通过": [3], "公示": [3], "推荐": [3], "受理": [2]}
    assert rows(statistics.funnel(accounts["second"], plan)) == {
        "申报": [2], "单位审核通过": [1], "公示": [1], "推荐": [1], "受理": [0]}
    assert rows(statistics.funnel(accounts["first"], year["other_plan"]))["申报"] == [1]


def test_series_units_points_and_returns(year):
    plan, accounts = year["plan"], year["accounts"]
    series = statistics.by_series(accounts["first"], plan)
    assert series.rows == [[year["series"], year["level"], 6, 3, 3, 2, 1]]
    assert rows(statistics.by_unit(accounts["admin"], plan)) == {
        "甲单位": [6, 3, 3, 2, 1], "乙单位": [2, 1, 1, 0, 0]}
    assert rows(statistics.by_point(accounts["admin"], plan)) == {
        "受理点X": [3, 0, 2, 1], "受理点Y": [1, 1, 0, 0]}
    assert statistics.returns(accounts["first"], plan).rows == [
        ["单位退回修改", 1, "16.7%"], ["审核未通过", 1, "16.7%"], ["受理点退回", 1, "33.3%"]]
    assert statistics.returns(accounts["second"], plan).rows == [
        ["单位退回修改", 0, "0.0%"], ["审核未通过", 0, "0.0%"], ["受理点退回", 0, "0.0%"]]


def test_an_acceptance_point_counts_only_what_was_recommended_to_it(year):
    plan, accounts = year["plan"], year["accounts"]
    assert rows(statistics.received_by_unit(accounts["x"], plan)) == {"甲单位": [3, 0, 2, 1]}
    assert rows(statistics.received_by_unit(accounts["y"], plan)) == {"乙单位": [1, 1, 0, 0]}
    assert statistics.received_by_series(accounts["x"], plan).rows == [[year["series"], 3, 0, 2, 1]]


@pytest.mark.parametrize("who,url,shown", [
    ("admin", "/admin/statistics/", ["统计分析", "甲单位", "乙单位", "受理点X"]),
    ("first", "/unit/statistics/", ["本单位统计", "单位退回修改"]),
    ("x", "/acceptance/statistics/", ["受理统计", "甲单位"]),
])
def test_each_page_shows_its_tables_and_charts_and_exports_them(app, year, who, url, shown):
    client = signed_in(app.test_client(), year["accounts"][who])
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = shown_text(html)
    for word in shown:
        assert word in text
    assert "乙单位" not in text if who in ("first", "x") else True
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    tables = {"admin": statistics.admin_tables, "first": statistics.unit_tables,
              "x": statistics.acceptance_tables}[who](year["accounts"][who], year["plan"])
    for table in tables:
        response = client.get(f"{url}export/{table.name}.xlsx?plan={year['plan'].id}")
        assert response.status_code == 200, table.name
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
        assert values[0] == table.headers
        assert values[1:] == [[str(value) for value in row] for row in table.rows]


def test_the_plan_chooser_picks_a_plan_and_ignores_a_bad_one(app, year):
    client = signed_in(app.test_client(), year["accounts"]["first"])
    other = client.get(f"/unit/statistics/?plan={year['other_plan'].id}").get_data(as_text=True)
    assert f'value="{year["other_plan"].id}" selected' in other
    for bad in ("abc", "-1", "99999999999999999999", "0", "999999"):
        response = client.get(f"/unit/statistics/?plan={bad}")
        assert response.status_code == 200, bad
        assert f'value="{year["plan"].id}" selected' in response.get_data(as_text=True)
        assert client.get(f"/unit/statistics/export/funnel.xlsx?plan={bad}").status_code == 200
    assert client.get("/unit/statistics/export/nothing.xlsx").status_code == 404


def test_other_roles_and_duties_are_refused(app, year):
    person = factories.applicant(factories.unit("丙单位"), with_account=True)
    archive_officer = factories.officer(factories.unit("丁单位"), OfficerDuty.ARCHIVE)
    unit_admin = factories.officer(factories.unit("戊单位"), OfficerDuty.UNIT_ADMIN)
    security, audit = factories.security_admin(), factories.audit_admin()
    db.session.commit()
    accounts = year["accounts"]
    for account, url in [(person.account, "/unit/statistics/"),
                         (accounts["x"], "/unit/statistics/"),
                         (archive_officer, "/unit/statistics/"),
                         (accounts["first"], "/admin/statistics/"),
                         (security, "/admin/statistics/"),
                         (audit, "/admin/statistics/"),
                         (accounts["first"], "/acceptance/statistics/"),
                         (accounts["admin"], "/acceptance/statistics/")]:
        client = signed_in(app.test_client(), account)
        assert client.get(url).status_code == 403, (account.username, url)
        assert client.get(f"{url}export/funnel.xlsx").status_code == 403, (account.username, url)
    client = signed_in(app.test_client(), unit_admin)
    assert client.get("/unit/statistics/").status_code == 200


def test_the_chart_escapes_its_labels_and_shows_each_number():
    svg = str(bar_chart('<b>"标题"</b>', [("<script>alert(1)</script>", 7), ("乙", 0)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    assert ">7</text>" in svg and ">0</text>" in svg


@pytest.mark.parametrize("who,url", [("admin", "/admin/statistics/"),
                                     ("first", "/unit/statistics/"),
                                     ("x", "/acceptance/statistics/")])
def test_the_pages_run_a_fixed_number_of_queries(app, year, who, url):
    client = signed_in(app.test_client(), year["accounts"][who])
    client.get(url)  # warm-up
    with StatementLog(db.engine) as few:
        assert client.get(url).status_code == 200
    unit = db.session.get(type(year["accounts"]["first"].unit), year["accounts"]["first"].unit_id)
    point = year["accounts"]["x"].acceptance_point
    factories.applications([factories.applicant(unit) for _ in range(4)], S.ACCEPTED,
                           acceptance_point=point)
    newcomer = factories.unit()
    factories.applications([factories.applicant(newcomer) for _ in range(3)], S.RECOMMENDED)
    db.session.commit()
    client.get(url)  # warm-up: the new publicity batches made the next request look for ended ones
    with StatementLog(db.engine) as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def test_a_long_table_charts_its_largest_rows_only():
    from views.statistics import CHART_BARS, chart_of

    table = statistics.Table("units", "按用人单位", ["工作单位", "申报"],
                             [[f"单位{n}", n] for n in range(CHART_BARS + 10)])
    svg = str(chart_of(table))
    assert svg.count("<g>") == CHART_BARS
    assert f">单位{CHART_BARS + 9}</text>" in svg and ">单位0</text>" not in svg


# --- reasons, waiting units, the daily line, review times, five years ---------------------------

@contextmanager
def on(moment):
    """Steps taken at ``moment`` (a date is 10:00 Beijing time), their rows flushed there."""
    with clock.travel(moment):
        yield
        db.session.flush()


@pytest.fixture
def reasons_year(app):
    """Unit 甲 returns two with 缺少学历证书。 and one with 请补充证明材料。, rejects one with
    不符合申报条件。; unit 乙 returns one with 缺少学历证书。 and rejects two with 年限不足。.
    Point X returns one of 甲's (缺少盖章页（X）。), point Y two of 乙's with the default reason
    and one with 材料不全。."""
    plan = factories.usual_plan()
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    point_x, point_y = factories.acceptance_point("受理点X"), factories.acceptance_point("受理点Y")
    for unit, status, opinion in [(first, S.RETURNED, "缺少学历证书。"),
                                  (first, S.RETURNED, "缺少学历证书。"),
                                  (first, S.RETURNED, "请补充证明材料。"),
                                  (first, S.REJECTED, "不符合申报条件。"),
                                  (second, S.RETURNED, "缺少学历证书。"),
                                  (second, S.REJECTED, "年限不足。"),
                                  (second, S.REJECTED, "年限不足。")]:
        factories.application(factories.applicant(unit), status, opinion=opinion)
    factories.application(factories.applicant(first), S.ACCEPTANCE_RETURNED,
                          acceptance_point=point_x, acceptance_opinion="缺少盖章页（X）。")
    factories.applications([factories.applicant(second) for _ in range(2)],
                           S.ACCEPTANCE_RETURNED, acceptance_point=point_y)
    factories.application(factories.applicant(second), S.ACCEPTANCE_RETURNED,
                          acceptance_point=point_y, acceptance_opinion="材料不全。")
    accounts = {"admin": factories.admin(), "x": factories.acceptance_account(point_x),
                "y": factories.acceptance_account(point_y)}
    db.session.commit()
    return {"plan": plan, "accounts": accounts}


def by_kind(table):
    found = {}
    for reason, kind, times in table.rows:
        found.setdefault(kind, []).append((reason, times))
    return found


def test_the_commonest_reasons_are_counted_by_their_words_for_each_kind(reasons_year):
    plan, accounts = reasons_year["plan"], reasons_year["accounts"]
    found = by_kind(statistics.reasons(accounts["admin"], plan))
    assert found["单位退回修改"] == [("缺少学历证书。", 3), ("请补充证明材料。", 1)]
    assert found["审核未通过"] == [("年限不足。", 2), ("不符合申报条件。", 1)]
    point_returns = found["受理点退回"]
    assert point_returns[0] == ("缺少单位推荐意见盖章页。", 2)
    assert set(point_returns[1:]) == {("缺少盖章页（X）。", 1), ("材料不全。", 1)}
    # The top N of each kind.
    top = by_kind(statistics.reasons(accounts["admin"], plan, limit=1))
    assert top == {"单位退回修改": [("缺少学历证书。", 3)], "审核未通过": [("年限不足。", 2)],
                   "受理点退回": [("缺少单位推荐意见盖章页。", 2)]}
    # The rates beside them: 甲 and 乙 submitted 4 + 3 + 1 + 3 = 11, four recommended.
    assert statistics.returns(accounts["admin"], plan).rows == [
        ["单位退回修改", 4, "36.4%"], ["审核未通过", 3, "27.3%"], ["受理点退回", 4, "100.0%"]]


def test_an_acceptance_point_sees_its_own_return_reasons_only(app, reasons_year):
    plan, accounts = reasons_year["plan"], reasons_year["accounts"]
    assert statistics.acceptance_tables(accounts["x"], plan)[-1].rows == [
        ["缺少盖章页（X）。", "受理点退回", 1]]
    assert statistics.acceptance_tables(accounts["y"], plan)[-1].rows == [
        ["缺少单位推荐意见盖章页。", "受理点退回", 2], ["材料不全。", "受理点退回", 1]]
    page = signed_in(app.test_client(), accounts["x"]).get("/acceptance/statistics/")
    text = shown_text(page.get_data(as_text=True))
    assert "缺少盖章页（X）。" in text and "材料不全" not in text and "学历证书" not in text


@pytest.fixture
def waiting_year(app):
    """甲: three pending since 10 days ago, one since 3; 乙: pending since 6 and 5 days ago,
    approved since 8, returned since 20 (the applicant's turn), recommended (the point's);
    丙: pending since 30 days under another plan."""
    plan = factories.usual_plan()
    other_plan = factories.plan("往年计划")
    first, second, third = (factories.unit(name) for name in ("甲单位", "乙单位", "丙单位"))
    today = clock.today()
    for unit, status, days, which in [(first, S.PENDING, 10, plan), (first, S.PENDING, 10, plan),
                                      (first, S.PENDING, 10, plan), (first, S.PENDING, 3, plan),
                                      (second, S.PENDING, 6, plan), (second, S.PENDING, 5, plan),
                                      (second, S.APPROVED, 8, plan),
                                      (second, S.RETURNED, 20, plan),
                                      (third, S.PENDING, 30, other_plan)]:
        person = factories.applicant(unit)
        with on(today - timedelta(days=days)):
            factories.application(person, status, plan=which)
    factories.application(factories.applicant(second), S.RECOMMENDED)
    admin = factories.admin()
    db.session.commit()
    return {"plan": plan, "admin": admin}


def test_units_with_records_waiting_past_n_days(app, waiting_year):
    plan, admin = waiting_year["plan"], waiting_year["admin"]
    assert statistics.waiting_units(admin, plan, 5).rows == [["甲单位", 3, 10], ["乙单位", 2, 8]]
    assert statistics.waiting_units(admin, plan, 4).rows == [["甲单位", 3, 10], ["乙单位", 3, 8]]
    assert statistics.waiting_units(admin, plan, 7).rows == [["甲单位", 3, 10], ["乙单位", 1, 8]]
    assert statistics.waiting_units(admin, plan, 10).rows == []
    client = signed_in(app.test_client(), admin)
    text = shown_text(client.get("/admin/statistics/?days=7").get_data(as_text=True))
    assert "待办超过7天的单位" in text and "按自然日计" in text
    response = client.get(f"/admin/statistics/export/waiting.xlsx?plan={plan.id}&days=7")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values[1:] == [["甲单位", "3", "10"], ["乙单位", "1", "8"]]


def test_a_bad_number_of_days_is_refused_in_chinese_and_the_default_used(app, waiting_year):
    client = signed_in(app.test_client(), waiting_year["admin"])
    for bad in ("abc", "0", "-1", "366", "5.5", "１０", "99999999999999999999"):
        response = client.get(f"/admin/statistics/?days={bad}")
        assert response.status_code == 200, bad
        text = shown_text(response.get_data(as_text=True))
        assert "天数须为1至365之间的整数，已按5天统计。" in text, bad
        assert "待办超过5天的单位" in text
        export = client.get(f"/admin/statistics/export/waiting.xlsx?days={bad}")
        assert export.status_code == 200, bad
    good = client.get("/admin/statistics/?days=365").get_data(as_text=True)
    assert "天数须为" not in good and "待办超过365天的单位" in shown_text(good)


@pytest.fixture
def timed_year(app):
    """Day one is 20 days ago. 甲: a submitted on day one, approved on day 3 (2 days); b
    submitted on day one, returned on day 6 (5 days), resubmitted on day 7 and rejected on day 8
    (1 day). 乙: c submitted on day one, approved on day 11 (10 days); d submitted on day 13 at
    23:30 Beijing time, e on day 14 at 00:30 (the same UTC day)."""
    plan = factories.usual_plan()
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    day_one = clock.today() - timedelta(days=20)

    def day(n, hour=10, minute=0):
        return datetime.combine(day_one + timedelta(days=n - 1), dtime(hour, minute),
                                tzinfo=clock.BEIJING)

    a_person, b_person, c_person = (factories.applicant(first), factories.applicant(first),
                                    factories.applicant(second))
    with on(day(1)):
        a, b = factories.application(a_person), factories.application(b_person)
        c = factories.application(c_person)
    with on(day(3)):
        workflow.review_application(factories.employer(first), a, "approve", "同意。")
    with on(day(6)):
        workflow.review_application(factories.employer(first), b, "return", "请补充。")
    with on(day(7)):
        workflow.submit_application(factories.applicant_account(b_person), b, declared=True)
    with on(day(8)):
        workflow.review_application(factories.employer(first), b, "reject", "不符合。")
    with on(day(11)):
        workflow.review_application(factories.employer(second), c, "approve", "同意。")
    d_person, e_person = factories.applicant(second), factories.applicant(second)
    with on(day(13, 23, 30)):
        factories.application(d_person)
    with on(day(14, 0, 30)):
        factories.application(e_person)
    accounts = {"admin": factories.admin(), "first": factories.employer(first),
                "second": factories.employer(second)}
    db.session.commit()
    return {"plan": plan, "accounts": accounts,
            "days": {n: (day_one + timedelta(days=n - 1)).isoformat() for n in range(1, 15)}}


def test_the_daily_line_counts_submissions_and_decisions_by_beijing_day(app, timed_year):
    plan, accounts, days = timed_year["plan"], timed_year["accounts"], timed_year["days"]
    table = statistics.daily(accounts["admin"], plan)
    assert table.rows == [[days[1], 3, 0, 0], [days[3], 0, 1, 0], [days[6], 0, 1, 0],
                          [days[7], 1, 0, 0], [days[8], 0, 1, 0], [days[11], 0, 1, 0],
                          [days[13], 1, 0, 0], [days[14], 1, 0, 0]]
    assert statistics.daily(accounts["second"], plan).rows == [
        [days[1], 1, 0, 0], [days[11], 0, 1, 0], [days[13], 1, 0, 0], [days[14], 1, 0, 0]]
    # The line runs through every day from the plan's opening to its last deadline.
    line = table.line
    assert line["days"][0] == plans.beijing_date(plan.apply_start)
    assert line["days"][-1] == plans.beijing_date(plan.acceptance_deadline)
    assert len(line["days"]) == len(set(line["days"]))
    assert [sum(numbers) for _label, numbers in line["lines"]] == [6, 4, 0]
    svg = str(chart_of(table))
    for words in ("个人申报截止", "单位审核推荐截止", "受理截止", "提交申报", "单位审核决定"):
        assert words in svg
    assert 'stroke-dasharray="8 4"' in svg and "<circle" in svg and "<rect" in svg


def test_the_units_median_review_time(app, timed_year):
    plan, accounts = timed_year["plan"], timed_year["accounts"]
    # 甲: 2, 5 and 1 days: the middle one; 乙: 10 days.
    assert statistics.review_time(accounts["first"], plan).rows == [
        ["审核决定数", 3], ["审核用时中位数（天）", "2.0"]]
    assert statistics.review_time(accounts["second"], plan).rows == [
        ["审核决定数", 1], ["审核用时中位数（天）", "10.0"]]
    # Another of 2 days: 1, 2, 2, 5, an even number, the mean of the middle two.
    person = factories.applicant(db.session.get(Unit, accounts["first"].unit_id))
    with on(clock.today() - timedelta(days=3)):
        record = factories.application(person)
    with on(clock.today() - timedelta(days=1)):
        workflow.review_application(accounts["first"], record, "approve", "同意。")
    db.session.commit()
    assert statistics.review_time(accounts["first"], plan).rows[1] == ["审核用时中位数（天）", "2.0"]
    with on(clock.today()):
        more = factories.application(factories.applicant(record.unit))
    with on(clock.today() + timedelta(days=4)):
        workflow.review_application(accounts["first"], more, "approve", "同意。")
    db.session.commit()
    # 1, 2, 2, 4, 5: the middle one, then a nothing-yet unit shows a dash.
    assert statistics.review_time(accounts["first"], plan).rows == [
        ["审核决定数", 5], ["审核用时中位数（天）", "2.0"]]
    empty = factories.employer(factories.unit("丙单位"))
    db.session.commit()
    assert statistics.review_time(empty, plan).rows == [
        ["审核决定数", 0], ["审核用时中位数（天）", "—"]]


def test_an_even_number_of_review_times_gives_the_mean_of_the_middle_two(app, timed_year):
    plan, accounts = timed_year["plan"], timed_year["accounts"]
    unit = db.session.get(Unit, accounts["first"].unit_id)
    with on(clock.today()):
        record = factories.application(factories.applicant(unit))
    with on(clock.today() + timedelta(days=7)):
        workflow.review_application(accounts["first"], record, "approve", "同意。")
    db.session.commit()
    # 1, 2, 5, 7: (2 + 5) / 2.
    assert statistics.review_time(accounts["first"], plan).rows == [
        ["审核决定数", 4], ["审核用时中位数（天）", "3.5"]]


def test_the_last_five_years_by_plan_year(app):
    this_year = clock.today().year
    first, second = factories.unit("甲单位"), factories.unit("乙单位")
    old = {year: factories.plan(f"{year}年度计划", year=year)
           for year in (this_year - 5, this_year - 4, this_year - 2)}
    plan = factories.usual_plan()
    factories.application(factories.applicant(first), S.PENDING, plan=old[this_year - 4])
    factories.application(factories.applicant(first), S.REJECTED, plan=old[this_year - 4])
    point = factories.acceptance_point("受理点X", plan_record=old[this_year - 2])
    factories.applications([factories.applicant(first) for _ in range(2)], S.ACCEPTED,
                           acceptance_point=point, plan=old[this_year - 2])
    factories.application(factories.applicant(first), S.PENDING, plan=plan)
    factories.application(factories.applicant(first), S.DRAFT, plan=plan)
    factories.application(factories.applicant(first), S.PENDING, plan=old[this_year - 5])
    factories.application(factories.applicant(second), S.NOT_RECOMMENDED, plan=old[this_year - 4])
    employer, other = factories.employer(first), factories.employer(second)
    db.session.commit()
    assert statistics.five_years(employer, plan).rows == [
        [f"{this_year - 4}年", 2, 0, 0, 0, 1, 0],
        [f"{this_year - 3}年", 0, 0, 0, 0, 0, 0],
        [f"{this_year - 2}年", 2, 2, 2, 2, 0, 0],
        [f"{this_year - 1}年", 0, 0, 0, 0, 0, 0],
        [f"{this_year}年", 1, 0, 0, 0, 0, 0]]
    assert statistics.five_years(other, plan).rows[0] == [f"{this_year - 4}年", 1, 1, 0, 0, 0, 1]
    assert sum(row[1] for row in statistics.five_years(other, plan).rows) == 1


def test_the_line_chart_escapes_its_labels_and_tells_its_lines_apart_without_colour(app):
    from datetime import date

    from flask_babel import force_locale

    from zcps.charts import line_chart

    days = [date(2026, 1, 30) + timedelta(days=n) for n in range(40)]
    with app.test_request_context(), force_locale("en"):
        english = str(line_chart("标题", days, [("乙", [1] * 40)], [(date(2026, 2, 10), "截止")]))
    assert ">Jan 2026</text>" in english and ">Mar</text>" in english and "月" not in english
    assert "截止 (10 Feb)" in english
    with app.test_request_context():
        svg = str(line_chart("<b>标题</b>", days,
                             [("<script>x</script>", [0] * 39 + [3]), ("乙", [1] + [0] * 39)],
                             [(date(2026, 2, 10), "个人申报截止"), (date(2027, 1, 1), "受理截止")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    # Solid with circles, dashed with squares; each named in the legend and at its peak.
    assert svg.count('class="zcps-legend"') == 2
    assert 'stroke-dasharray="none"' in svg and 'stroke-dasharray="8 4"' in svg
    assert svg.count("<circle") == 1 + 1 and "&lt;script&gt;x&lt;/script&gt; 3" in svg
    # A deadline inside the days is marked with its date, one outside them is left out.
    assert "个人申报截止（2月10日）" in svg and "受理截止" not in svg
    # The months' first days; 2月 two days after the first label would run into it.
    assert ">2026年1月</text>" in svg and ">3月</text>" in svg and ">2月</text>" not in svg


def month_labels(svg: str) -> list:
    """The month labels along the line chart's axis: (x of the middle, text), left to right."""
    import re

    return [(float(x), text) for x, text in
            re.findall(r'<text class="zcps-month" x="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


@pytest.mark.parametrize("first, length", [
    ("2025-10-20", 580),  # from late October: 11月 and 12月 too close, 2026年1月 next to it
    ("2025-12-28", 40),  # a year change four days after the first label
    ("2026-01-01", 200), ("2024-03-15", 1100), ("2026-02-27", 3)])
def test_the_line_charts_month_labels_never_overlap(app, first, length):
    from datetime import date

    from zcps.charts import CHAR_WIDTH, LABEL_GAP, LEFT, line_chart
    from zcps.exports import display_width

    days = [date.fromisoformat(first) + timedelta(days=n) for n in range(length)]
    with app.test_request_context():
        svg = str(line_chart("每日", days, [("提交", [1] * length)]))
    width = float(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    labels = month_labels(svg)
    assert labels and labels[0][1].startswith(first[:4] + "年")
    edges = [(x - display_width(text) * CHAR_WIDTH / 2, x + display_width(text) * CHAR_WIDTH / 2)
             for x, text in labels]
    assert edges[0][0] >= LEFT and edges[-1][1] <= width
    for (_left, right), (left, _right) in zip(edges, edges[1:]):
        assert left - right >= LABEL_GAP, labels
    # The year on the first label and where it changes, on no other: a label without a year
    # is a later month of the year written last.
    year, month = None, 0
    for _x, text in labels:
        if "年" in text:
            written, text = text.split("年")
            assert int(written) != year, labels
            year = int(written)
        else:
            assert year is not None and int(text.rstrip("月")) > month, labels
        month = int(text.rstrip("月"))
