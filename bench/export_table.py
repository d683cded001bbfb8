"""Publicity-table export budget (DESIGN §9): zcps vs. xlsxwriter alone, time and memory.

    python bench/export_table.py [--rows 10000] [--repeat 3] [--no-verify]

Builds ``--rows`` fake application-like objects in memory (plain objects with the attributes
``zcps.publicity_table`` reads, and their review plan with its name; no database), each with
2–9 extracted items. Then, best of
``--repeat`` runs each (interleaved):

- ``zcps``: ``write_publicity_table(publicity, rows)`` — builds every cell (sex label, birth
  month, 主要业绩 summary …) and writes the workbook;
- ``xlsxwriter``: the same cells, computed beforehand (not timed), written with plain
  xlsxwriter in constant_memory mode: the same workbook options, formats, merged title,
  page set-up and footer, ``write_number`` for 序号 and ``write_string`` for the rest.

Ratio = zcps / xlsxwriter (budget ≤ 1.5). Peak memory is measured in separate runs with
tracemalloc (the input rows are built before tracing starts, so they are not counted), for
``--rows`` and for a tenth of it, to show that it does not grow with the rows. Unless
``--no-verify``, both files are read back with openpyxl and must hold the same cell values.
"""
import argparse
import gc
import sys
import time
import tracemalloc
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from models import ApplicationStatus, ArchiveCategory, ReviewMethod, TitleLevel  # noqa: E402
from zcps import publicity_table  # noqa: E402
from zcps.exports import PRINT_WORKBOOK_OPTIONS  # noqa: E402
from zcps.publicity_table import (  # noqa: E402
    COLUMN_WIDTHS,
    HEADER_ROWS,
    HEADERS,
    LAST_COLUMN,
    objection_text,
    period_text,
    row_values,
    title_text,
    write_publicity_table,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明")
EDUCATION = ("大学本科", "硕士研究生", "博士研究生", "大学专科")
JOURNALS = ("土木工程学报", "计算机学报", "中国公路学报", "电子学报", "建筑结构")
SPECIALTIES = ("计算机应用", "土木工程", "电气工程", "机械设计", "给排水工程")


class FakeApplication:
    __slots__ = ("id", "status", "year", "plan", "profile_snapshot", "current_title", "series",
                 "qualification", "level", "review_method", "specialty", "items")


def fake_item(category, title, organisation="", start=None, **details):
    return SimpleNamespace(category=category, title=title, organisation=organisation,
                           start_date=start, details=details)


def fake_rows(count: int) -> list:
    series = [SimpleNamespace(name=name) for name in ("工程", "卫生", "教育", "经济")]
    qualifications = [SimpleNamespace(name=name)
                      for name in ("高级工程师", "副主任医师", "高级教师", "高级经济师")]
    # Every application belongs to a review plan (the table may name it).
    plan = SimpleNamespace(year=2026, name="2026年度职称评审")
    rows = []
    for n in range(count):
        birth = date(1970, 1, 1) + timedelta(days=(n * 37) % 9000)
        items = [fake_item(ArchiveCategory.EDUCATION, "浙江大学", start=date(2005, 9, 1)),
                 fake_item(ArchiveCategory.WORK, "杭州某研究院", start=date(2009, 7, 1))]
        for p in range(n % 6):
            items.append(fake_item(
                ArchiveCategory.PAPER, f"面向复杂场景的结构健康监测方法研究（第{p + 1}部分）",
                JOURNALS[(n + p) % len(JOURNALS)], date(2015 + p, 3, 1), author_rank=1))
        if n % 3 == 0:
            items.append(fake_item(ArchiveCategory.AWARD, "浙江省科学技术进步奖", "浙江省人民政府",
                                   date(2022, 12, 1), level="省部级", rank=2))
        if n % 4 == 0:
            items.append(fake_item(ArchiveCategory.PROJECT, "省重点研发计划项目", "浙江省科技厅",
                                   date(2021, 1, 1), role="负责人"))
        if n % 5 == 0:
            items.append(fake_item(ArchiveCategory.PATENT, "一种桥梁裂缝自动检测装置",
                                   start=date(2023, 6, 1), patent_no=f"ZL2023{n:08d}.1",
                                   patent_type="发明"))
        row = FakeApplication()
        row.id = n + 1
        row.status = ApplicationStatus.PUBLICIZING
        row.year = plan.year
        row.plan = plan
        row.profile_snapshot = {
            "name": SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[n // 7 % 15],
            "sex": "male" if n % 2 else "female",
            "birth_date": birth.isoformat(),
            "highest_education": EDUCATION[n % len(EDUCATION)],
            "current_title": "工程师",
            "current_title_date": date(2015 + n % 8, 1 + n % 12, 1).isoformat(),
            "unit": "杭州测试研究院",
        }
        row.current_title = "工程师"
        row.series = series[n % len(series)]
        row.qualification = qualifications[n % len(qualifications)]
        row.level = TitleLevel.SUB_SENIOR
        row.review_method = ReviewMethod.REVIEW if n % 5 else ReviewMethod.RECOGNITION
        row.specialty = SPECIALTIES[n % len(SPECIALTIES)]
        row.items = items
        rows.append(row)
    return rows


def fake_publicity():
    # No database: no upheld objections are looked up (id None), and the period's working days
    # are given (publicity_table.working_days is replaced in main()).
    return SimpleNamespace(id=None, title="杭州测试研究院2026年度职称评审申报人员公示",
                           unit=SimpleNamespace(name="杭州测试研究院"),
                           start_date=date(2026, 9, 29), end_date=date(2026, 10, 12),
                           count_start_day=False, objection_contact="本单位人事科",
                           objection_phone="0571-87654321",
                           objection_address="杭州市西湖区文三路100号")


# --- the baseline: xlsxwriter alone, same cells, same formats ---------------------------------

def baseline_cells(publicity, rows) -> dict:
    """Every cell's text, computed before the baseline is timed."""
    return {
        "title": title_text(publicity, [rows[0].plan.name]),
        "period": period_text(publicity),
        "objection": objection_text(publicity),
        "body": [row_values(row) for row in rows],
        "unit": f"{publicity.unit.name}（盖章）",
        "date": "2026年9月29日",
    }


def write_baseline(cells) -> bytes:
    output = BytesIO()
    workbook = xlsxwriter.Workbook(output, PRINT_WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("公示表")
    border = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center",
                                 "valign": "vcenter", "text_wrap": True})
    period = workbook.add_format({"font_size": 11, "align": "center", "valign": "vcenter"})
    objection = workbook.add_format({"font_size": 10, "align": "left", "valign": "vcenter",
                                     "text_wrap": True})
    header = workbook.add_format({**border, "bold": True, "bg_color": "#D9D9D9",
                                  "align": "center"})
    number = workbook.add_format({**border, "align": "center"})
    center = workbook.add_format({**border, "align": "center"})
    text = workbook.add_format({**border, "align": "left"})
    sign = workbook.add_format({"font_size": 11, "align": "right", "valign": "vcenter"})
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(HEADER_ROWS, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROWS - 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.set_footer("&C第 &P 页，共 &N 页")

    for row, key, cell_format in ((0, "title", title), (1, "period", period),
                                  (2, "objection", objection)):
        sheet.set_row(row, 30)
        sheet.merge_range(row, 0, row, LAST_COLUMN, "", cell_format)
        sheet.write_string(row, 0, cells[key], cell_format)
    sheet.set_row(3, 30)
    for column, value in enumerate(HEADERS):
        sheet.write_string(3, column, value, header)

    formats = (center, center, center, center, text, center, text, text, center, text, center)
    row = HEADER_ROWS - 1
    for n, values in enumerate(cells["body"], start=1):
        row += 1
        sheet.set_row(row, 60)
        sheet.write_number(row, 0, n, number)
        for column, value in enumerate(values):
            sheet.write_string(row, column + 1, value, formats[column])
    row += 1  # one empty row under the table
    for value in (cells["unit"], cells["date"]):
        row += 1
        sheet.set_row(row, 22)
        sheet.merge_range(row, 0, row, LAST_COLUMN, "", sign)
        sheet.write_string(row, 0, value, sign)
    workbook.close()
    return output.getvalue()


# --- measuring ------------------------------------------------------------------------------

def timed(function, *args):
    gc.collect()
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def peak_memory(function, *args) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def read_back(data: bytes) -> list:
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-verify", action="store_true")
    args = parser.parse_args()

    publicity_table.working_days = lambda publicity: 5  # the calendar lives in the database
    publicity = fake_publicity()
    rows = fake_rows(args.rows)
    cells = baseline_cells(publicity, rows)
    print(f"{args.rows:,} rows, {sum(len(r.items) for r in rows):,} items; "
          f"xlsxwriter {xlsxwriter.__version__}; Python {sys.version.split()[0]}")

    times = {"zcps": [], "xlsxwriter": []}
    outputs = {}
    for _ in range(args.repeat):
        seconds, outputs["zcps"] = timed(write_publicity_table, publicity, rows)
        times["zcps"].append(seconds)
        seconds, outputs["xlsxwriter"] = timed(write_baseline, cells)
        times["xlsxwriter"].append(seconds)
    best = {name: min(values) for name, values in times.items()}
    ratio = best["zcps"] / best["xlsxwriter"]
    for name in ("xlsxwriter", "zcps"):
        runs = ", ".join(f"{value:.3f}" for value in times[name])
        print(f"{name:>10}: best {best[name]:.3f} s  (runs: {runs})  "
              f"file {len(outputs[name]) / 1024:.0f} KiB")
    verdict = "ok" if ratio <= 1.5 else "EXCEEDS 1.5x"
    print(f"     ratio: {ratio:.2f} (budget ≤ 1.5: {verdict})")

    small = max(1, args.rows // 10)
    small_rows, small_cells = rows[:small], baseline_cells(publicity, rows[:small])
    print("peak memory (tracemalloc, input rows excluded):")
    for name, function, full, part in (
            ("xlsxwriter", write_baseline, (cells,), (small_cells,)),
            ("zcps", write_publicity_table, (publicity, rows), (publicity, small_rows))):
        at_small = peak_memory(function, *part)
        at_full = peak_memory(function, *full)
        print(f"{name:>10}: {at_small / 2**20:.2f} MiB at {small:,} rows, "
              f"{at_full / 2**20:.2f} MiB at {args.rows:,} rows")

    if not args.no_verify:
        same = read_back(outputs["zcps"]) == read_back(outputs["xlsxwriter"])
        print(f"same cell values in both files: {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
