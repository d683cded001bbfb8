"""The publicity table (公示表): one row per application of a publicity batch, as .xlsx.

Written with xlsxwriter in constant-memory mode (``zcps.exports.WORKBOOK_OPTIONS``): rows go
out in order and each is flushed to a temporary file as soon as the next one starts, so the
memory used does not grow with the number of applications. Every value that comes from a
user is written with ``write_string`` (no formula, number or URL detection), and the table
never shows a 身份证号 or a mobile number: the row is built only from the application's
profile snapshot fields listed below, which hold neither.

Typical use in a view::

    return publicity_table_response(publicity, current_user)
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from datetime import date
from io import BytesIO
from itertools import chain
from types import SimpleNamespace

import sqlalchemy as sa

from models import (
    Application,
    ApplicationItem,
    ArchiveCategory,
    ReviewPlan,
    Sex,
    TitleQualification,
    TitleSeries,
)
from zcps.exports import ExportWorkbook, xlsx_response
from zcps.extensions import db

HEADERS = (
    "序号", "姓名", "性别", "出生年月", "学历", "现专业技术职务及取得时间", "申报系列",
    "申报专业", "申报资格", "评审方式", "主要业绩", "备注",
)
COLUMN_WIDTHS = (6, 10, 6, 10, 12, 20, 12, 14, 18, 9, 60, 10)
LAST_COLUMN = len(HEADERS) - 1
SUMMARY_COLUMN = HEADERS.index("主要业绩")

HEADER_ROWS = 3  # title, period, column headers
BATCH_SIZE = 500

SUMMARY_LIMIT = 300
TITLES_PER_CATEGORY = 3
TITLE_LIMIT = 40
NOTE_LIMIT = 20

# (category, label, unit of count) in the order they appear in the summary.
SUMMARY_CATEGORIES = (
    (ArchiveCategory.PAPER, "论文", "篇"),
    (ArchiveCategory.AWARD, "获奖", "项"),
    (ArchiveCategory.PROJECT, "项目课题", "项"),
    (ArchiveCategory.PATENT, "专利", "项"),
)
_SUMMARY_UNITS = {category: (label, unit) for category, label, unit in SUMMARY_CATEGORIES}
# The ``details`` key shown next to a title, per category (see zcps.archive_fields.SCHEMA).
_DETAIL_KEY = {
    ArchiveCategory.AWARD: "level",
    ArchiveCategory.PROJECT: "role",
    ArchiveCategory.PATENT: "patent_type",
}
_SEX_LABELS = {member.value: member.zh for member in Sex}
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


# --- text of the cells --------------------------------------------------------------------------

def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _year_month(iso: str | None) -> str:
    """``1990-03-07`` → ``1990.03`` (what the real table shows as 出生年月)."""
    if not iso or len(iso) < 7:
        return ""
    return f"{iso[:4]}.{iso[5:7]}"


def _item_text(item) -> str:
    category = item.category
    text = _clip(item.title or "", TITLE_LIMIT)
    if category is ArchiveCategory.PAPER:
        text = f"《{text}》"
        note = item.organisation
    else:
        key = _DETAIL_KEY.get(category)
        note = (item.details or {}).get(key) if key else None
    notes = []
    if note:
        notes.append(_clip(note, NOTE_LIMIT))
    if item.start_date is not None:
        notes.append(f"{item.start_date.year}年")
    return f"{text}（{'，'.join(notes)}）" if notes else text


def _newest_first(item):
    when = item.start_date
    return (when is not None, when or date.min)


def achievement_summary(items) -> str:
    """主要业绩: papers, awards, projects and patents, at most three titles each.

    ``论文2篇：《题目一》（期刊，2023年）、《题目二》（期刊，2022年）；获奖1项：…``; the newest
    items come first, a category with more than three ends with ``等N篇``/``等N项``, and the whole
    text is kept within ``SUMMARY_LIMIT`` characters. Empty when there is nothing to show.
    """
    groups = {}
    for item in items:
        if item.category in _SUMMARY_UNITS:
            groups.setdefault(item.category, []).append(item)
    if not groups:
        return ""
    parts = []
    for category, label, unit in SUMMARY_CATEGORIES:
        group = groups.get(category)
        if not group:
            continue
        count = len(group)
        if count > 1:
            group = sorted(group, key=_newest_first, reverse=True)
        shown = "、".join(_item_text(item) for item in group[:TITLES_PER_CATEGORY])
        if count > TITLES_PER_CATEGORY:
            shown += f"等{count}{unit}"
        parts.append(f"{label}{count}{unit}：{shown}")
    text = "；".join(parts)
    if len(text) > SUMMARY_LIMIT:
        text = text[: SUMMARY_LIMIT - 1] + "…"
    return text


def title_text(publicity, plan_names=()) -> str:
    """「杭州测试研究院2026年度浙江省职称评审申报人员公示表」: the unit and its applications'
    plan(s); a batch without applications is named by its start date's year."""
    if plan_names:
        return f"{publicity.unit.name}{'、'.join(plan_names)}申报人员公示表"
    return f"{publicity.unit.name}{publicity.start_date.year}年度专业技术职务任职资格申报人员公示表"


def period_text(publicity) -> str:
    return (f"公示时间：{_chinese_date(publicity.start_date)}至"
            f"{_chinese_date(publicity.end_date)}")


def objection_text(publicity) -> str:
    contact = (publicity.objection_contact or "").strip()
    return f"公示期间如有异议，请向{contact}反映。" if contact else ""


def row_values(application) -> tuple:
    """The text cells of one application after 序号 (姓名 … 备注), all strings.

    Built from the profile snapshot only: it holds no 身份证号 and no mobile number.
    """
    profile = application.profile_snapshot or {}
    current_title = profile.get("current_title") or application.current_title or ""
    title_month = _year_month(profile.get("current_title_date"))
    if current_title and title_month:
        current_title = f"{current_title}（{title_month}）"
    series = application.series
    qualification = application.qualification
    level = application.level
    qualification_text = qualification.name if qualification is not None else ""
    if level is not None:
        qualification_text = (f"{qualification_text}（{level.zh}）" if qualification_text
                              else level.zh)
    method = application.review_method
    return (
        profile.get("name") or "",
        _SEX_LABELS.get(profile.get("sex"), ""),
        _year_month(profile.get("birth_date")),
        profile.get("highest_education") or "",
        current_title,
        series.name if series is not None else "",
        application.specialty or "",
        qualification_text,
        method.zh if method is not None else "",
        achievement_summary(application.items),
        "",
    )


# --- the workbook ------------------------------------------------------------------------------

def add_formats(workbook) -> dict:
    """The table's formats, made once per workbook."""
    border = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 16, "align": "center",
                                      "valign": "vcenter"}),
        "period": workbook.add_format({"font_size": 11, "align": "center",
                                       "valign": "vcenter"}),
        "header": workbook.add_format({**border, "bold": True, "bg_color": "#D9D9D9",
                                       "align": "center"}),
        "number": workbook.add_format({**border, "align": "center"}),
        "center": workbook.add_format({**border, "align": "center"}),
        "text": workbook.add_format({**border, "align": "left"}),
        "note": workbook.add_format({"font_size": 11, "align": "left", "valign": "vcenter",
                                     "text_wrap": True}),
    }


# Which format each text column (姓名 … 备注) uses: short codes centred, long text left.
_CENTERED_COLUMNS = {"姓名", "性别", "出生年月", "学历", "评审方式", "申报系列"}
COLUMN_FORMATS = tuple("center" if header in _CENTERED_COLUMNS else "text"
                       for header in HEADERS[1:])


def set_up_sheet(sheet) -> None:
    """Column widths, frozen header and print settings (A4 landscape, one page wide)."""
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(HEADER_ROWS, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, HEADER_ROWS - 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def write_merged(sheet, row: int, text: str, cell_format) -> None:
    """A line of text across the whole table, written as a string."""
    sheet.merge_range(row, 0, row, LAST_COLUMN, "", cell_format)
    sheet.write_string(row, 0, text, cell_format)


def write_head(sheet, formats, title: str, period: str) -> None:
    sheet.set_row(0, 32)
    write_merged(sheet, 0, title, formats["title"])
    sheet.set_row(1, 22)
    write_merged(sheet, 1, period, formats["period"])
    header = formats["header"]
    for column, text in enumerate(HEADERS):
        sheet.write_string(2, column, text, header)


def write_foot(sheet, formats, row: int, lines) -> None:
    """Lines of text under the table, leaving one empty row."""
    for text in lines:
        if text:
            row += 1
            write_merged(sheet, row, text, formats["note"])


def write_publicity_table(publicity, applications, plan_names=None) -> bytes:
    """The 公示表 of ``publicity`` as .xlsx bytes.

    ``applications`` is iterated once, in order (e.g. ``publicity_applications(publicity, actor)``).
    The title names ``plan_names`` (``publicity_plan_names``), else the first application's plan.
    """
    applications = iter(applications)
    first = next(applications, None)
    if first is not None:
        applications = chain((first,), applications)
        if plan_names is None:
            plan_names = [first.plan.name]
    period = period_text(publicity)

    output = BytesIO()
    workbook = ExportWorkbook(output)
    sheet = workbook.add_worksheet("公示表")
    formats = add_formats(workbook)
    set_up_sheet(sheet)
    write_head(sheet, formats, title_text(publicity, plan_names), period)

    number_format = formats["number"]
    cell_formats = tuple(enumerate((formats[name] for name in COLUMN_FORMATS), start=1))
    write_number = sheet.write_number
    write_string = sheet.write_string
    row = HEADER_ROWS - 1
    for number, application in enumerate(applications, start=1):
        row += 1
        write_number(row, 0, number, number_format)
        for (column, cell_format), value in zip(cell_formats, row_values(application)):
            write_string(row, column, value, cell_format)

    write_foot(sheet, formats, row + 1, (objection_text(publicity), period))
    workbook.close()
    return output.getvalue()


def download_name(publicity) -> str:
    """``公示表_{单位名称}_{YYYY-MM-DD}.xlsx``; Chinese kept (send_file encodes it per RFC 5987)."""
    unit_name = _UNSAFE_IN_FILE_NAME.sub("_", publicity.unit.name).strip(" ._") or "单位"
    return f"公示表_{unit_name}_{publicity.start_date.isoformat()}.xlsx"


# --- loading -----------------------------------------------------------------------------------

class TableRow:
    """What ``row_values`` reads of one application, read as plain rows (no ORM objects)."""

    __slots__ = ("id", "profile_snapshot", "current_title", "specialty", "level",
                 "review_method", "series", "qualification", "plan", "items")

    def __init__(self, row, items):
        self.id = row.id
        self.profile_snapshot = row.profile_snapshot
        self.current_title = row.current_title
        self.specialty = row.specialty
        self.level = row.level
        self.review_method = row.review_method
        self.series = SimpleNamespace(name=row.series_name)
        self.qualification = SimpleNamespace(name=row.qualification_name)
        self.plan = SimpleNamespace(name=row.plan_name)
        self.items = items


_SUMMARY_CATEGORY_SET = tuple(_SUMMARY_UNITS)


def publicity_applications(publicity, actor, batch_size: int = BATCH_SIZE):
    """The publicity's applications ``actor`` may see, by id, read ``batch_size`` at a time
    (keyset pages) as ``TableRow``s; nothing without an actor.

    Every such application with ``publicity_id == publicity.id`` is listed, whatever its status.
    Series, qualification and plan names are joined into each page's statement; the extracted
    items the 主要业绩 summary shows come with one ``IN`` query per page; the applicant is not
    read (the snapshot has the name). Plain rows, not ORM objects: a batch of thousands is
    read several times faster. Pages by id rather than a server-side cursor, so the item
    queries of a page never run while another result is still streaming on the same
    connection (MySQL cannot).
    """
    scope = Application.scope_clause(actor)
    item = ApplicationItem
    last_id = 0
    while True:
        page = db.session.execute(
            sa.select(Application.id, Application.profile_snapshot, Application.current_title,
                      Application.specialty, Application.level, Application.review_method,
                      TitleSeries.name.label("series_name"),
                      TitleQualification.name.label("qualification_name"),
                      ReviewPlan.name.label("plan_name"))
            .join(TitleSeries, TitleSeries.id == Application.series_id)
            .join(TitleQualification, TitleQualification.id == Application.qualification_id)
            .join(ReviewPlan, ReviewPlan.id == Application.plan_id)
            .where(Application.publicity_id == publicity.id, Application.id > last_id, scope)
            .order_by(Application.id)
            .limit(batch_size)
        ).all()
        if not page:
            return
        items = {row.id: [] for row in page}
        for found in db.session.execute(
                sa.select(item.application_id, item.category, item.title, item.organisation,
                          item.start_date, item.details)
                .where(item.application_id.in_(list(items)),
                       item.category.in_(_SUMMARY_CATEGORY_SET))
                .order_by(item.application_id, item.id)):
            items[found.application_id].append(found)
        for row in page:
            yield TableRow(row, items[row.id])
        if len(page) < batch_size:
            return
        last_id = page[-1].id


@contextmanager
def collection_paused():
    """The cyclic garbage collector off while a table is written: the export allocates many
    short-lived objects and no cycles, and collections took about a third of its time. Turned
    back on (if it was) when the table is done, whatever happens."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def publicity_plan_names(publicity, actor) -> list[str]:
    """The plans of the publicity's applications ``actor`` may see, in one query."""
    return list(db.session.scalars(
        sa.select(ReviewPlan.name)
        .join(Application, Application.plan_id == ReviewPlan.id)
        .where(Application.publicity_id == publicity.id, Application.scope_clause(actor))
        .group_by(ReviewPlan.id, ReviewPlan.name)
        .order_by(ReviewPlan.id)))


def publicity_table_response(publicity, actor):
    """The 导出公示表 download of a publicity, listing what ``actor`` may see of it."""
    with collection_paused():
        data = write_publicity_table(publicity, publicity_applications(publicity, actor),
                                     publicity_plan_names(publicity, actor))
    return xlsx_response(data, download_name(publicity))
