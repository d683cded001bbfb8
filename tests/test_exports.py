"""List exports that print (zcps/exports.py): the sheet and file named after the list, a title
row with who exported it and when, widths from the content, A4 landscape one page wide with
the header row on every page, real date cells, and the acceptance point's own decisions."""
from datetime import date, datetime
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from models import ApplicationStatus
from tests import factories
from tests.helpers import signed_in
from zcps.exports import column_widths, display_width, local_moment, sheet_title, write_table
from zcps.extensions import db
from zcps.identifiers import mask_id_number

HEADERS = ["姓名", "身份证号", "受理结果", "受理/退回时间", "受理意见/退回原因"]


@pytest.fixture
def decided(app, clock):
    """An acceptance point that accepted one application and returned another."""
    point = factories.acceptance_point("杭州市职称受理点")
    unit = factories.unit("杭州测试研究院")
    accepted = factories.application(factories.applicant(unit, "甲"), ApplicationStatus.ACCEPTED,
                                     acceptance_point=point, acceptance_opinion="材料齐全，予以受理。")
    returned = factories.application(factories.applicant(unit, "乙"),
                                     ApplicationStatus.ACCEPTANCE_RETURNED,
                                     acceptance_point=point, acceptance_opinion="缺少学历证明原件扫描件。")
    account = factories.acceptance_account(point)
    db.session.commit()
    return point, account, accepted, returned


def test_the_acceptance_points_export_carries_its_decision_date_and_reason(app, decided):
    point, account, accepted, returned = decided
    client = signed_in(app.test_client(), account)
    response = client.get("/acceptance/inbox/export.xlsx?tab=all")
    assert response.status_code == 200
    # The file and the sheet are named after the list (and its tab).
    disposition = unquote(response.headers["Content-Disposition"])
    assert "推荐受理_全部_" in disposition
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet.title == "推荐受理（全部）"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "推荐受理（全部）"
    assert rows[1][0].startswith("导出单位：杭州市职称受理点　导出时间：2026-")
    headers = rows[2]
    for header in HEADERS:
        assert header in headers, header
    by_name = {row[0]: dict(zip(headers, row)) for row in rows[3:]}
    assert set(by_name) == {"甲", "乙"}
    assert by_name["甲"]["受理结果"] == "受理"
    assert by_name["甲"]["受理意见/退回原因"] == "材料齐全，予以受理。"
    assert by_name["乙"]["受理结果"] == "退回"
    assert by_name["乙"]["受理意见/退回原因"] == "缺少学历证明原件扫描件。"
    # Dates are date cells, in Beijing time, that sort as dates.
    for person, record in (("甲", accepted), ("乙", returned)):
        db.session.refresh(record)
        decided_at = by_name[person]["受理/退回时间"]
        assert isinstance(decided_at, datetime)
        assert decided_at == local_moment(record.acceptance_decided_at)
        assert isinstance(by_name[person]["推荐时间"], datetime)
    column = headers.index("受理/退回时间") + 1
    assert sheet.cell(row=4, column=column).number_format == "yyyy-mm-dd"
    # The ID number is masked, and its column is as wide as it.
    masked = mask_id_number(accepted.applicant.id_number)
    assert by_name["甲"]["身份证号"] == masked
    id_column = sheet.column_dimensions["B"].width
    assert id_column >= len(masked) + 1


def test_the_export_prints_one_page_wide_with_the_header_on_every_page(app, decided):
    point, account, *_ = decided
    client = signed_in(app.test_client(), account)
    sheet = load_workbook(BytesIO(client.get("/acceptance/inbox/export.xlsx?tab=all").data)).active
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_the_units_review_list_exports_submission_times_as_dates(app, clock):
    unit = factories.unit("杭州测试研究院")
    person = factories.applicant(unit, "丙")
    factories.application(person, ApplicationStatus.PENDING)
    officer = factories.employer(unit)
    db.session.commit()
    client = signed_in(app.test_client(), officer)
    sheet = load_workbook(BytesIO(client.get("/unit/unit_application/export.xlsx").data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "申报资料审核（待审核）"
    assert rows[1][0].startswith("导出单位：杭州测试研究院　导出时间：")
    submitted = rows[3][rows[2].index("提交时间")]
    assert isinstance(submitted, datetime) and submitted.date() == date(2026, 9, 29)


def test_widths_follow_the_content_and_dates_are_date_cells():
    rows = [["张三", "330106********1236", date(2026, 9, 29), "一" * 80],
            ["A", "", datetime(2026, 9, 29, 14, 5), "短"]]
    data = write_table(iter(rows), ["姓名", "身份证号", "日期", "说明"], title="示例/列表:一")
    sheet = load_workbook(BytesIO(data)).active
    assert sheet.title == "示例 列表 一"
    widths = [sheet.column_dimensions[column].width for column in "ABCD"]
    assert 6 <= widths[0] < 10  # the header 姓名 decides
    assert widths[1] >= 20  # a masked ID number fits on one line
    assert widths[3] <= 51  # long text wraps rather than widening the page
    assert sheet["C4"].is_date and sheet["C4"].number_format == "yyyy-mm-dd"
    assert sheet["C5"].value == datetime(2026, 9, 29, 14, 5)  # the time stays in the cell
    assert sheet["D4"].alignment.wrap_text
    # Each row as high as its wrapped text: 80 hanzi in a column of at most 40 units.
    assert sheet.row_dimensions[4].height > 3 * sheet.row_dimensions[5].height


def test_many_columns_share_the_page_and_text_gives_way_first():
    headers = ["姓名", "身份证号", "工作单位", "申报系列", "资格名称", "评审方式", "状态",
               "推荐时间", "推荐意见", "受理结果", "受理/退回时间", "受理意见/退回原因"]
    row = ["王小明", "330106********1236", "杭州市西湖区示例科技有限公司", "工程", "高级工程师",
           "评审", "受理点退回", datetime(2026, 10, 13, 10, 0),
           "该同志申报材料已于9月29日至10月12日在本单位公示，无异议，同意推荐。", "退回",
           datetime(2026, 10, 15, 15, 0), "缺少学历证明原件扫描件，请补充后重新推荐。"]
    widths = column_widths(headers, [row])
    # Codes and dates keep their width; text wraps; together they print at 90% or more.
    assert widths[1] == 20 and widths[7] == widths[10] == 11
    assert all(widths[column] >= 14 for column in (2, 8, 11))
    assert sum(widths) + 0.72 * len(widths) <= 138 / 0.9


def test_sheet_names_and_widths():
    assert sheet_title("a[b]c:d*e?f/g\\h") == "a b c d e f g h"
    assert len(sheet_title("很长" * 40)) == 31
    assert display_width("身份证号 ID") == 11
