"""推荐花名册 (zcps/recommendation_roster.py): what a unit recommended to an acceptance point, as
.xlsx and PDF, read as a user's software reads them, and given only to those who may see it."""
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from models import ApplicationStatus, ReviewMethod, TitleLevel
from tests import factories
from tests.helpers import csrf_token, page_text, signed_in
from tests.printing import needs_soffice, printed_people, to_pdf
from zcps import clock as system_clock
from zcps import exports, workflow
from zcps.extensions import db
from zcps.recommendation_roster import HEADERS, Roster, write_pdf, write_xlsx

UNIT, POINT = "杭州测试研究院", "杭州市职称受理点"


@pytest.fixture
def sent(app, clock):
    """Three people of one unit recommended together to one point; another unit's person
    recommended there too; and one of the unit's sent to another point."""
    unit = factories.unit(UNIT)
    point = factories.acceptance_point(POINT)
    people = [
        factories.applicant(unit, "王小明", id_number=factories.make_id_number(11, "19900307"),
                            highest_education="大学本科", current_title="工程师"),
        factories.applicant(unit, "李红", id_number=factories.make_id_number(12, "19851120"),
                            highest_education="硕士研究生", current_title="助理工程师"),
        factories.applicant(unit, "张伟", id_number=factories.make_id_number(13, "19921201")),
    ]
    applications = factories.applications(people, ApplicationStatus.RECOMMENDED,
                                          acceptance_point=point)
    other_unit = factories.unit("别的单位")
    elsewhere = factories.application(factories.applicant(other_unit, "赵外单位"),
                                      ApplicationStatus.RECOMMENDED, acceptance_point=point)
    other_point = factories.acceptance_point("别的受理点")
    third = factories.application(factories.applicant(unit, "钱别处"),
                                  ApplicationStatus.RECOMMENDED, acceptance_point=other_point)
    db.session.commit()
    day = exports.local_moment(applications[0].recommended_at).date()
    return SimpleNamespace(unit=unit, point=point, people=people, applications=applications,
                           other_unit=other_unit, elsewhere=elsewhere, other_point=other_point,
                           third=third, day=day)


def rows_of(data: bytes):
    sheet = load_workbook(BytesIO(data)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf), strict=True)
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def secrets_of(sent):
    people = [*sent.people, sent.elsewhere.applicant, sent.third.applicant]
    return [person.id_number for person in people] + [person.mobile for person in people]


def day_url(sent, fmt, area="/unit/recommendation"):
    party = f"point={sent.point.id}" if area.startswith("/unit") else f"unit={sent.unit.id}"
    return f"{area}/roster.{fmt}?{party}&day={sent.day.isoformat()}"


# --- the workbook ------------------------------------------------------------------------------

def test_the_workbook_has_its_title_columns_row_heights_and_print_set_up(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    response = client.get(day_url(sent, "xlsx"))
    assert response.status_code == 200
    assert f"推荐花名册_{UNIT}_{POINT}_{sent.day.isoformat()}.xlsx" in unquote(
        response.headers["Content-Disposition"])
    sheet, rows = rows_of(response.data)
    assert sheet.title == "推荐花名册"
    assert rows[0][0] == "测试年度职称评审推荐花名册"
    assert rows[1][0] == (f"推荐单位：{UNIT}　　受理点：{POINT}　　"
                          f"推荐日期：{sent.day.year}年{sent.day.month}月{sent.day.day}日　　共3人")
    assert tuple(rows[2]) == HEADERS
    body = {row[1]: dict(zip(HEADERS, row)) for row in rows[3:6]}
    assert list(body) == ["王小明", "李红", "张伟"]
    assert [row[0] for row in rows[3:6]] == [1, 2, 3]
    wang, li = body["王小明"], body["李红"]
    assert (wang["性别"], wang["出生年月"], wang["学历"], wang["现职称"]) == (
        "男", "1990.03", "大学本科", "工程师")
    assert (li["性别"], li["出生年月"], li["学历"]) == ("女", "1985.11", "硕士研究生")
    assert wang["申报资格"] == "高级工程师（副高级）" and wang["评审方式"] == "评审"
    publicity = sent.applications[0].publicity
    assert wang["公示期"] == f"{publicity.start_date:%Y.%m.%d}-{publicity.end_date:%Y.%m.%d}"
    assert not wang["备注"]  # waiting at the point: nothing to remark
    # Nobody else's people, and no ID number or mobile anywhere.
    everything = "".join(str(cell) for row in rows for cell in row if cell is not None)
    assert "赵外单位" not in everything and "钱别处" not in everything
    for secret in secrets_of(sent):
        assert secret not in everything
    # The stamp, the officer's signature and the date left to write, under the table.
    foot = [row[0] for row in rows[6:] if row[0]]
    assert foot == [f"推荐单位（盖章）：{UNIT}", "经办人（签字）：＿＿＿＿＿＿＿＿", "　　　　年　　月　　日"]
    # Every row has its height; the body is 10 pt, nothing under 9.
    for number in range(1, len(rows) + 1):
        if any(rows[number - 1]):
            assert sheet.row_dimensions[number].height, number
    assert sheet.row_dimensions[4].height >= exports.LINE_HEIGHT + exports.ROW_PADDING - 0.5
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if cell.value is not None:
                assert cell.font.sz >= 9, cell.coordinate
    # A4 landscape, one page wide, the column headers repeated on every page.
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    # Columns fit a page at full size: nothing shrinks the 10 pt text.
    widths = [sheet.column_dimensions[chr(ord("A") + n)].width for n in range(len(HEADERS))]
    assert sum(widths) <= 138  # each as stored: its width and its cell margins


# --- the PDF -----------------------------------------------------------------------------------

def test_the_pdf_embeds_every_font_and_names_the_unit_and_everyone_exactly(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    response = client.get(day_url(sent, "pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(response.data), strict=True)
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 842  # A4 landscape
        fonts = page["/Resources"]["/Font"].values()
        assert fonts
        for font in fonts:  # every font embedded (FontFile2), none left to the viewer
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            font = descendants[0].get_object() if descendants else font
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font
    text = text_of(response.data)
    assert UNIT in text and POINT in text
    for name in ("王小明", "李红", "张伟"):
        assert text.count(name) == 1, name
    assert "赵外单位" not in text and "钱别处" not in text
    for header in HEADERS:
        assert header in text
    for expected in (f"推荐单位（盖章）：{UNIT}", "经办人（签字）", "年月日", "第1页，共1页"):
        assert expected in text, expected
    for secret in secrets_of(sent):
        assert secret not in text


def test_two_hundred_people_fill_pages_with_the_header_on_each(app):
    roster = Roster(UNIT, POINT, [person(n) for n in range(200)], ["测试年度职称评审"])
    reader = PdfReader(BytesIO(write_pdf(roster)))
    pages = ["".join(page.extract_text().split()) for page in reader.pages]
    total = len(pages)
    assert 200 / 30 <= total <= 200 / 12, total
    assert all("序号姓名性别出生年月" in page for page in pages)  # headers on every page
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页，共{total}页" in page
    text = "".join(pages)
    for n in range(1, 201):
        assert text.count(f"申报人{n:03d}") == 1, n


# --- choosing what is listed ----------------------------------------------------------------

def test_a_selection_ticked_in_the_list_makes_its_roster(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    first, _second, third = sent.applications
    response = client.post("/unit/recommendation/action/", data={
        "csrf_token": csrf_token(client, "/unit/recommendation/"), "action": "roster_xlsx",
        "rowid": [str(first.id), str(third.id)]})
    assert response.status_code == 302
    _sheet, rows = rows_of(client.get(response.headers["Location"]).data)
    assert [row[1] for row in rows[3:5]] == ["王小明", "张伟"] and rows[5][0] is None
    assert rows[1][0].endswith("共2人")
    pdf = client.get(f"/unit/recommendation/roster.pdf?ids={first.id}")
    assert pdf.status_code == 200 and "王小明" in text_of(pdf.data)


def test_the_list_page_offers_each_day_and_point(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    assert "推荐花名册" in page_text(client.get("/unit/recommendation/?tab=recommended"))
    page = client.get("/unit/recommendation/roster/")
    assert page.status_code == 200
    links = re.findall(r'href="([^"]*roster\.(?:xlsx|pdf)[^"]*)"', page.get_data(as_text=True))
    assert any(f"day={sent.day.isoformat()}" in link and f"point={sent.point.id}" in link
               for link in links)
    assert any(f"point={sent.third.acceptance_point_id}" in link for link in links)
    text = page_text(page)
    assert POINT in text and "别的受理点" in text and "赵外单位" not in text
    point_page = signed_in(app.test_client(), factories.acceptance_account(sent.point))
    text = page_text(point_page.get("/acceptance/inbox/roster/"))
    assert UNIT in text and "别的单位" in text and "别的受理点" not in text


def test_the_acceptance_point_downloads_each_units_roster_per_day_or_all(app, sent):
    client = signed_in(app.test_client(), factories.acceptance_account(sent.point))
    for url in (day_url(sent, "xlsx", "/acceptance/inbox"),
                f"/acceptance/inbox/roster.xlsx?unit={sent.unit.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _sheet, rows = rows_of(response.data)
        assert [row[1] for row in rows[3:6]] == ["王小明", "李红", "张伟"] and rows[6][0] is None
        assert f"推荐单位：{UNIT}　　受理点：{POINT}" in rows[1][0]
    text = text_of(client.get(f"/acceptance/inbox/roster.pdf?unit={sent.other_unit.id}").data)
    assert "别的单位" in text and "赵外单位" in text and "王小明" not in text
    # Accepted and returned ones stay on the roster, with what the point did.
    point_account = factories.acceptance_account(sent.point)
    workflow.accept_application(point_account, sent.applications[0], "")
    workflow.return_to_unit(point_account, sent.applications[1], "缺少盖章页。")
    db.session.commit()
    _sheet, rows = rows_of(client.get(day_url(sent, "xlsx", "/acceptance/inbox")).data)
    assert [row[9] or None for row in rows[3:6]] == ["已受理", "受理点退回", None]


def test_a_day_is_a_beijing_day_in_the_list_and_in_the_download(app, sent):
    """Recommended at 00:30 Beijing time (16:30 UTC the day before): on the Beijing day."""
    late = factories.application(factories.applicant(sent.unit, "夜推荐"),
                                 ApplicationStatus.PUBLICIZED)
    officer = factories.employer(sent.unit)
    with system_clock.travel(datetime(2026, 9, 29, 16, 30)):
        workflow.recommend_application(officer, late, sent.point, "同意推荐。")
        db.session.commit()
    client = signed_in(app.test_client(), officer)
    page = client.get("/unit/recommendation/roster/").get_data(as_text=True)
    links = re.findall(r'href="([^"]*roster\.xlsx[^"]*)"', page)
    assert any("day=2026-09-30" in link and f"point={sent.point.id}" in link for link in links)
    names = {}
    for day in ("2026-09-29", "2026-09-30"):
        response = client.get(f"/unit/recommendation/roster.xlsx?point={sent.point.id}&day={day}")
        if response.status_code == 200:
            names[day] = [row[1] for row in rows_of(response.data)[1][3:] if row[1]]
    assert names.get("2026-09-30") == ["夜推荐"]
    assert "夜推荐" not in names.get("2026-09-29", [])


# --- refused ---------------------------------------------------------------------------------

def test_a_unit_gets_nothing_of_another_units_applications(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.other_unit))
    for fmt in ("xlsx", "pdf"):
        assert client.get(f"/unit/recommendation/roster.{fmt}?ids={sent.applications[0].id}"
                          ).status_code == 404
        # One of its own and one of the other unit's: the whole request is refused.
        response = client.get(f"/unit/recommendation/roster.{fmt}?ids={sent.elsewhere.id}"
                              f"&ids={sent.applications[0].id}")
        assert response.status_code == 404
    # The other unit's day at the same point lists only its own person.
    _sheet, rows = rows_of(client.get(f"/unit/recommendation/roster.xlsx?point={sent.point.id}"
                                      ).data)
    assert [row[1] for row in rows[3:] if row[1]] == ["赵外单位"]
    response = client.post("/unit/recommendation/action/", data={
        "csrf_token": csrf_token(client, "/unit/recommendation/"), "action": "roster_pdf",
        "rowid": str(sent.applications[0].id)})
    assert response.status_code == 404


def test_an_acceptance_point_gets_only_what_was_recommended_to_it(app, sent):
    client = signed_in(app.test_client(), factories.acceptance_account(sent.other_point))
    assert client.get(f"/acceptance/inbox/roster.xlsx?ids={sent.applications[0].id}"
                      ).status_code == 404
    response = client.get(f"/acceptance/inbox/roster.pdf?unit={sent.other_unit.id}",
                          follow_redirects=True)
    assert "没有可列入推荐花名册的申报" in page_text(response)
    _sheet, rows = rows_of(client.get(f"/acceptance/inbox/roster.xlsx?unit={sent.unit.id}").data)
    assert [row[1] for row in rows[3:] if row[1]] == ["钱别处"]
    # A unit's account is not an acceptance point's, nor the other way round.
    unit_client = signed_in(app.test_client(), factories.employer(sent.unit))
    assert unit_client.get(day_url(sent, "xlsx", "/acceptance/inbox")).status_code == 403
    assert client.get(day_url(sent, "xlsx")).status_code == 403


@pytest.mark.parametrize("query, message", [
    ("", "请选择推荐日期下载推荐花名册，或在列表中勾选已推荐的申报。"),
    ("point={point}&day=2026-13-45", "请选择推荐日期下载推荐花名册，或在列表中勾选已推荐的申报。"),
    ("point=abc", "请选择推荐日期下载推荐花名册，或在列表中勾选已推荐的申报。"),
    ("point={point}&day=2001-01-01", "没有可列入推荐花名册的申报"),
    ("point=999999", "没有可列入推荐花名册的申报"),
    ("ids={publicized}", "的申报尚未推荐至受理点（公示期满），不能列入推荐花名册。"),
    ("ids={first}&ids={third}", "所选申报推荐至不同的受理点，请按受理点分别下载推荐花名册。"),
])
def test_what_cannot_make_a_roster_is_said_in_words(app, sent, query, message):
    publicized = factories.application(factories.applicant(sent.unit, "孙期满"),
                                       ApplicationStatus.PUBLICIZED)
    db.session.commit()
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    url = "/unit/recommendation/roster.pdf?" + query.format(
        point=sent.point.id, publicized=publicized.id, first=sent.applications[0].id,
        third=sent.third.id)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/unit/recommendation/roster/")
    assert message in page_text(client.get(response.headers["Location"]))


def test_bad_ids_and_formats_are_refused(app, sent):
    client = signed_in(app.test_client(), factories.employer(sent.unit))
    response = client.post("/unit/recommendation/action/", data={
        "csrf_token": csrf_token(client, "/unit/recommendation/"), "action": "roster_xlsx"},
        follow_redirects=True)
    assert "请先勾选要列入推荐花名册的申报。" in page_text(response)
    assert client.get("/unit/recommendation/roster.xlsx?ids=abc").status_code == 400
    assert client.get("/unit/recommendation/roster.xlsx?ids=999999").status_code == 404
    assert client.get(f"/unit/recommendation/roster.doc?point={sent.point.id}").status_code == 404
    assert client.get("/unit/recommendation/roster/?page=abc").status_code == 200
    # A pending application of its own is not in this list at all.
    pending = factories.application(factories.applicant(sent.unit, "周待审"))
    db.session.commit()
    assert client.get(f"/unit/recommendation/roster.xlsx?ids={pending.id}").status_code == 404


# --- printed by LibreOffice --------------------------------------------------------------------

def person(n: int):
    """An application as the roster reads it."""
    recommended = datetime(2026, 10, 14, 2, 0) + timedelta(minutes=n)
    return SimpleNamespace(
        id=n + 1, status=ApplicationStatus.RECOMMENDED, recommended_at=recommended,
        profile_snapshot={"name": f"申报人{n + 1:03d}", "sex": "male" if n % 2 else "female",
                          "birth_date": "1988-03-07", "current_title": "工程师",
                          "highest_education": ("大学本科", "硕士研究生")[n % 2]},
        applicant=None, current_title="工程师",
        qualification=SimpleNamespace(name=("高级工程师", "正高级工程师（教授级）")[n % 2]),
        level=TitleLevel.SUB_SENIOR, review_method=ReviewMethod.REVIEW,
        publicity=SimpleNamespace(start_date=date(2026, 9, 29), end_date=date(2026, 10, 12)))


def test_libreoffice_prints_200_people_on_a4_landscape_at_10_pt(app, tmp_path):
    needs_soffice()
    roster = Roster(UNIT, POINT, [person(n) for n in range(200)], ["测试年度职称评审"])
    pdf = to_pdf(write_xlsx(roster), tmp_path)
    # One or two lines a person (a long 申报资格 wraps): 15 to 30 people a page.
    texts = printed_people(pdf, 200, per_page=(15, 30))
    assert "测试年度职称评审推荐花名册" in texts[0] and f"推荐单位：{UNIT}" in texts[0]
    assert f"推荐单位（盖章）：{UNIT}" in texts[-1] and "经办人（签字）" in texts[-1]
