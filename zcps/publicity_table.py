"""The publicity table (公示表): one row per application of a publicity batch, as .xlsx.

Written with xlsxwriter in constant-memory mode (``zcps.exports.PRINT_WORKBOOK_OPTIONS``): rows go
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
    ApplicationStatus,
    ArchiveCategory,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    ReviewPlan,
    Sex,
    TitleQualification,
    TitleSeries,
)
from zcps import exports, workdays
from zcps.exports import (
    LINE_HEIGHT,
    PRINT_WORKBOOK_OPTIONS,
    ROW_PADDING,
    ExportWorkbook,
    xlsx_response,
)
from zcps.extensions import db

HEADERS = (
    "序号", "姓名", "性别", "出生年月", "学历", "现专业技术职务及取得时间", "申报系列",
    "申报专业", "申报资格", "评审方式", "主要业绩", "备注",
)
# Widths in Excel's units (the width of a digit of the default 11 pt font, 7 px at 96 dpi, plus
# 5 px of margins per column). They come to about 270 mm; an A4 landscape page holds 277 mm
# between its margins, so the table prints at full size, its 10 pt body text at 10 pt, in
# Excel, WPS and LibreOffice alike.
COLUMN_WIDTHS = (5, 8, 4.5, 8.5, 9.5, 12.5, 7, 10, 13, 7, 37, 8.5)
LAST_COLUMN = len(HEADERS) - 1
SUMMARY_COLUMN = HEADERS.index("主要业绩")

HEADER_ROWS = 4  # title, period, where to object, column headers
BATCH_SIZE = 500

BODY_FONT_SIZE = 10
SUMMARY_LIMIT = 100  # about five lines of the 主要业绩 column
TITLE_LIMIT = 20
NOTE_LIMIT = 12

# (category, label, unit of count) in the order they appear in the summary: every category of
# achievement (not the mandatory education, work and assessment records, nor 继续教育).
SUMMARY_CATEGORIES = (
    (ArchiveCategory.PAPER, "论文", "篇"),
    (ArchiveCategory.AWARD, "获奖", "项"),
    (ArchiveCategory.PROJECT, "项目课题", "项"),
    (ArchiveCategory.PATENT, "专利", "项"),
    (ArchiveCategory.CERTIFICATE, "资格证书", "项"),
    (ArchiveCategory.OTHER, "其他", "项"),
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


def _summary(groups, shown: dict) -> str:
    parts = []
    for category, label, unit in SUMMARY_CATEGORIES:
        group = groups.get(category)
        if not group:
            continue
        count, titles = len(group), shown.get(category, 0)
        part = f"{label}{count}{unit}"
        if titles:
            part += "：" + "、".join(_item_text(item) for item in group[:titles])
            if count > titles:
                part += f"等{count}{unit}"
        parts.append(part)
    return "；".join(parts)


def achievement_summary(items) -> str:
    """主要业绩: every category of achievement counted, with the most recent titles that fit.

    ``论文2篇：《题目二》（期刊乙，2024年）、《题目一》（期刊甲，2023年）；获奖1项：…``. Each
    category is counted; titles are added newest first, one per category in turn, while the
    text stays within ``SUMMARY_LIMIT`` characters (about five printed lines); a category with
    titles left out ends with ``等N篇``/``等N项``. Empty when there is nothing to show.
    """
    groups = {}
    for item in items:
        if item.category in _SUMMARY_UNITS:
            groups.setdefault(item.category, []).append(item)
    if not groups:
        return ""
    for group in groups.values():
        group.sort(key=_newest_first, reverse=True)
    shown = {category: 0 for category in groups}
    text = _summary(groups, shown)
    if len(text) > SUMMARY_LIMIT:  # only counts, still too long: cannot happen with 6 kinds
        return text[: SUMMARY_LIMIT - 1] + "…"
    added = True
    while added:
        added = False
        for category, _label, _unit in SUMMARY_CATEGORIES:
            if category not in groups or shown[category] >= len(groups[category]):
                continue
            shown[category] += 1
            longer = _summary(groups, shown)
            if len(longer) <= SUMMARY_LIMIT:
                text, added = longer, True
            else:
                shown[category] -= 1
    return text


def title_text(publicity, plan_names=()) -> str:
    """The batch's own title as a table: 「杭州测试研究院2026年度浙江省职称评审申报人员公示表」.

    A batch without a title (none is made so) is named by its unit, plans or start year."""
    title = (publicity.title or "").strip()
    if title:
        return f"{title}表" if title.endswith("公示") else title
    if plan_names:
        return f"{publicity.unit.name}{'、'.join(plan_names)}申报人员公示表"
    return f"{publicity.unit.name}{publicity.start_date.year}年度专业技术职务任职资格申报人员公示表"


def working_days(publicity) -> int:
    return workdays.working_days_between(publicity.start_date, publicity.end_date,
                                         publicity.count_start_day)


def period_text(publicity) -> str:
    return (f"公示时间：{_chinese_date(publicity.start_date)}至"
            f"{_chinese_date(publicity.end_date)}（{working_days(publicity)}个工作日）")


def objection_text(publicity) -> str:
    """Where objections are received, printed above the table."""
    phone = (publicity.objection_phone or "").strip()
    address = (publicity.objection_address or "").strip()
    contact = (publicity.objection_contact or "").strip()
    if not (phone or address or contact):
        return ""
    parts = [f"电话：{phone}" if phone else "", f"地址：{address}" if address else "",
             f"联系人：{contact}" if contact else ""]
    return ("公示期间如有异议，请以书面或电话形式向本单位反映（" + "；".join(p for p in parts if p)
            + "）。反映情况须实事求是，以单位名义反映的须加盖公章，以个人名义反映的须署真实姓名。")


def remark_text(application, upheld: dict) -> str:
    """备注: what happened to the application in this publicity."""
    outcome = upheld.get(application.id)
    if outcome is ObjectionOutcome.NOT_RECOMMENDED:
        return "异议属实，不予推荐"
    if outcome is ObjectionOutcome.RETURNED:
        return "异议属实，退回修改"
    if outcome is not None:
        return "异议属实"
    if application.status is ApplicationStatus.NOT_RECOMMENDED:
        return "不予推荐"
    return ""


def row_values(application, upheld: dict | None = None) -> tuple:
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
        remark_text(application, upheld or {}),
    )


# --- row heights -------------------------------------------------------------------------------

def row_height(values) -> float:
    """The height in points that shows every wrapped cell of a row in full."""
    return exports.row_height(values, COLUMN_WIDTHS)


# --- the workbook ------------------------------------------------------------------------------

def add_formats(workbook) -> dict:
    """The table's formats, made once per workbook."""
    border = {"border": 1, "valign": "vcenter", "text_wrap": True,
              "font_size": BODY_FONT_SIZE}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 16, "align": "center",
                                      "valign": "vcenter", "text_wrap": True}),
        "period": workbook.add_format({"font_size": 11, "align": "center",
                                       "valign": "vcenter"}),
        "objection": workbook.add_format({"font_size": 10, "align": "left",
                                          "valign": "vcenter", "text_wrap": True}),
        "header": workbook.add_format({**border, "bold": True, "bg_color": "#D9D9D9",
                                       "align": "center"}),
        "number": workbook.add_format({**border, "align": "center"}),
        "center": workbook.add_format({**border, "align": "center"}),
        "text": workbook.add_format({**border, "align": "left"}),
        "sign": workbook.add_format({"font_size": 11, "align": "right", "valign": "vcenter"}),
    }


# Which format each text column (姓名 … 备注) uses: short codes centred, long text left.
_CENTERED_COLUMNS = {"姓名", "性别", "出生年月", "学历", "评审方式", "申报系列", "备注"}
COLUMN_FORMATS = tuple("center" if header in _CENTERED_COLUMNS else "text"
                       for header in HEADERS[1:])


def set_up_sheet(sheet) -> None:
    """Column widths, frozen header and print settings (A4 landscape, one page wide, the
    column headers repeated on every page)."""
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(HEADER_ROWS, 0)
    exports.set_print_layout(sheet, HEADER_ROWS - 1, "&C第 &P 页，共 &N 页", centered=True)


def write_merged(sheet, row: int, text: str, cell_format, height: float | None = None) -> None:
    """A line of text across the whole table, written as a string."""
    if height is not None:
        sheet.set_row(row, height)
    sheet.merge_range(row, 0, row, LAST_COLUMN, "", cell_format)
    sheet.write_string(row, 0, text, cell_format)


def _merged_height(text: str, line_height: float) -> float:
    return exports.lines_needed(text, sum(COLUMN_WIDTHS)) * line_height + ROW_PADDING


def write_head(sheet, formats, title: str, period: str, objection: str) -> None:
    write_merged(sheet, 0, title, formats["title"], _merged_height(title, 24) + 6)
    write_merged(sheet, 1, period, formats["period"], 20)
    write_merged(sheet, 2, objection, formats["objection"], _merged_height(objection, LINE_HEIGHT))
    header = formats["header"]
    sheet.set_row(3, row_height(HEADERS))
    for column, text in enumerate(HEADERS):
        sheet.write_string(3, column, text, header)


def write_foot(sheet, formats, row: int, publicity) -> None:
    """The unit's name and the date under the table, leaving one empty row: where the unit
    signs and stamps the printed table."""
    for text in (f"{publicity.unit.name}（盖章）", _chinese_date(publicity.start_date)):
        row += 1
        sheet.set_row(row, 22)
        sheet.merge_range(row, 0, row, LAST_COLUMN, "", formats["sign"])
        sheet.write_string(row, 0, text, formats["sign"])


def upheld_objections(publicity) -> dict:
    """{application id: outcome} of the objections found true in this publicity (one query)."""
    rows = db.session.execute(
        sa.select(Objection.application_id, Objection.outcome)
        .where(Objection.publicity_id == publicity.id,
               Objection.status == ObjectionStatus.UPHELD)
        .order_by(Objection.id)).all()
    return {application_id: outcome for application_id, outcome in rows}


def write_publicity_table(publicity, applications, plan_names=None) -> bytes:
    """The 公示表 of ``publicity`` as .xlsx bytes.

    ``applications`` is iterated once, in order (e.g. ``publicity_applications(publicity, actor)``).
    The title is the batch's own (``plan_names`` serve a batch without one).
    """
    applications = iter(applications)
    first = next(applications, None)
    if first is not None:
        applications = chain((first,), applications)
        if plan_names is None:
            plan_names = [first.plan.name]
    upheld = upheld_objections(publicity) if publicity.id is not None else {}

    output = BytesIO()
    workbook = ExportWorkbook(output, PRINT_WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("公示表")
    formats = add_formats(workbook)
    set_up_sheet(sheet)
    write_head(sheet, formats, title_text(publicity, plan_names or ()), period_text(publicity),
               objection_text(publicity))

    number_format = formats["number"]
    cell_formats = tuple(enumerate((formats[name] for name in COLUMN_FORMATS), start=1))
    write_number = sheet.write_number
    write_string = sheet.write_string
    row = HEADER_ROWS - 1
    for number, application in enumerate(applications, start=1):
        row += 1
        values = row_values(application, upheld)
        sheet.set_row(row, row_height((str(number), *values)))
        write_number(row, 0, number, number_format)
        for (column, cell_format), value in zip(cell_formats, values):
            write_string(row, column, value, cell_format)

    write_foot(sheet, formats, row + 1, publicity)
    workbook.close()
    return output.getvalue()


def download_name(publicity) -> str:
    """``公示表_{单位名称}_{YYYY-MM-DD}.xlsx``; Chinese kept (send_file encodes it per RFC 5987)."""
    unit_name = _UNSAFE_IN_FILE_NAME.sub("_", publicity.unit.name).strip(" ._") or "单位"
    return f"公示表_{unit_name}_{publicity.start_date.isoformat()}.xlsx"


# --- loading -----------------------------------------------------------------------------------

class TableRow:
    """What ``row_values`` reads of one application, read as plain rows (no ORM objects)."""

    __slots__ = ("id", "status", "profile_snapshot", "current_title", "specialty", "level",
                 "review_method", "series", "qualification", "plan", "items")

    def __init__(self, row, items):
        self.id = row.id
        self.status = row.status
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
            sa.select(Application.id, Application.status, Application.profile_snapshot,
                      Application.current_title,
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
