"""统计分析, 本单位统计 and 受理统计: numbers counted by hand from the factories, scoped to the
reader, the export equal to the table, and a fixed number of queries."""
import io
from datetime import timedelta

import openpyxl
import pytest

from models import ApplicationStatus as S
from models import OfficerDuty
from tests import factories
from tests.helpers import StatementLog, shown_text, signed_in
from zcps import clock, statistics
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
