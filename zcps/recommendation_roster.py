"""推荐花名册: the roster of the applications a unit recommended to an acceptance point, which
the unit stamps, signs and hands over with them — as .xlsx and as PDF.

One roster is one unit and one acceptance point: the applications recommended on one day, all
of them, or a selection. The unit downloads it from 资格审查推荐, the acceptance point from its
inbox, each through its own scoped query (``roster_clause`` only narrows it to what was
recommended). Always in Chinese (a document, whatever the reader's language).

The workbook prints as the 公示表 does (``zcps.exports.PRINT_WORKBOOK_OPTIONS`` and
``set_print_layout``): columns that fit an A4 landscape page at full size, 10 pt body text, an
explicit height for every row, the column headers on every page. The PDF uses the documents'
embedded font (``zcps.documents``). Neither shows a 身份证号 or a mobile number: sex and birth
month are those the ID number gave (the profile snapshot), the rest the application's own.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from models import Application, ApplicationStatus, Sex
from zcps import exports
from zcps.documents import (
    FONT,
    UnprintableText,
    _prepare_reportlab,
    chinese_date,
    unprintable_characters,
)
from zcps.exports import LINE_HEIGHT, PRINT_WORKBOOK_OPTIONS, ROW_PADDING, ExportWorkbook
from zcps.i18n import LOCAL_TIME

HEADERS = ("序号", "姓名", "性别", "出生年月", "学历", "现职称", "申报资格", "评审方式", "公示期",
           "备注")
# Excel's units (see zcps.publicity_table.COLUMN_WIDTHS): 125 in all, within the 130 an A4
# landscape page holds at full size, so the 10 pt body prints at 10 pt; 公示期 on one line.
COLUMN_WIDTHS = (5, 10, 5, 9, 11, 16, 26, 8, 23, 12)
# The same columns in the PDF, in millimetres of the 267 mm between its margins.
PDF_COLUMN_WIDTHS = (12, 24, 12, 20, 26, 34, 53, 20, 44, 22)
LAST_COLUMN = len(HEADERS) - 1
HEADER_ROWS = 3  # title, who/where/when, column headers
BODY_FONT_SIZE = 10
PDF_MARGIN = 15 * mm

# What was recommended to an acceptance point: waiting there, accepted, or returned by it.
ROSTER_STATES = (ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
                 ApplicationStatus.ACCEPTANCE_RETURNED)
REMARKS = {ApplicationStatus.ACCEPTED: "已受理", ApplicationStatus.ACCEPTANCE_RETURNED: "受理点退回"}
_SEX_LABELS = {member.value: member.zh for member in Sex}


class RosterError(ValueError):
    """No roster can be made of what was asked; ``str(error)`` says why, in Chinese."""


# --- which applications -------------------------------------------------------------------------

def roster_clause():
    """What a roster lists, within the reader's own scope: the applications recommended to an
    acceptance point (and not since taken back by the unit)."""
    return sa.and_(Application.status.in_(ROSTER_STATES),
                   Application.acceptance_point_id.is_not(None),
                   Application.recommended_at.is_not(None))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Beijing day ``day`` as the stored (naive UTC) times it runs between."""
    start = datetime.combine(day, time(), tzinfo=LOCAL_TIME).astimezone(timezone.utc)
    start = start.replace(tzinfo=None)
    return start, start + timedelta(days=1)


def recommended_on(day: date):
    start, end = day_bounds(day)
    return sa.and_(Application.recommended_at >= start, Application.recommended_at < end)


class local_day(FunctionElement):
    """The Beijing date of a stored UTC time, in SQL (China keeps no summer time: +8 hours)."""

    type = sa.Date()
    inherit_cache = True


@compiles(local_day)
def _local_day(element, compiler, **kw):
    return "date(%s + interval '8 hours')" % compiler.process(element.clauses, **kw)


@compiles(local_day, "mysql")
def _local_day_mysql(element, compiler, **kw):
    return "date(date_add(%s, interval 8 hour))" % compiler.process(element.clauses, **kw)


@compiles(local_day, "mariadb")
def _local_day_mariadb(element, compiler, **kw):
    return _local_day_mysql(element, compiler, **kw)


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return "date(%s, '+8 hours')" % compiler.process(element.clauses, **kw)


def as_day(value) -> date:
    """A ``local_day`` as the database returns it (SQLite: text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- one roster -----------------------------------------------------------------------------

@dataclass
class Roster:
    unit_name: str
    point_name: str
    applications: list
    plan_names: list

    @property
    def days(self) -> tuple[date, date]:
        moments = [exports.local_moment(a.recommended_at).date() for a in self.applications]
        return min(moments), max(moments)

    @property
    def title(self) -> str:
        prefix = self.plan_names[0] if len(self.plan_names) == 1 else "专业技术职务任职资格"
        return f"{prefix}推荐花名册"

    @property
    def day_text(self) -> str:
        first, last = self.days
        if first == last:
            return chinese_date(first)
        return f"{chinese_date(first)}至{chinese_date(last)}"

    @property
    def byline_parts(self) -> list[str]:
        return [f"推荐单位：{self.unit_name}", f"受理点：{self.point_name}",
                f"推荐日期：{self.day_text}", f"共{len(self.applications)}人"]

    @property
    def byline(self) -> str:
        return "　　".join(self.byline_parts)

    def download_name(self, extension: str) -> str:
        first, last = self.days
        when = first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"
        return f"推荐花名册_{self.unit_name}_{self.point_name}_{when}.{extension}"


def make_roster(applications) -> Roster:
    """The roster of ``applications`` (already in the reader's scope, in their order): all
    recommended, by one unit to one acceptance point; otherwise ``RosterError`` says why."""
    applications = list(applications)
    if not applications:
        raise RosterError(_("没有可列入推荐花名册的申报：请勾选已推荐的申报，或选择推荐日期。"))
    for application in applications:
        if application.status not in ROSTER_STATES or application.acceptance_point is None:
            raise RosterError(_("%(name)s的申报尚未推荐至受理点（%(status)s），不能列入推荐花名册。",
                                name=_name(application), status=application.status.label))
    if len({application.unit_id for application in applications}) > 1:
        raise RosterError(_("所选申报来自不同的推荐单位，请按单位分别下载推荐花名册。"))
    if len({application.acceptance_point_id for application in applications}) > 1:
        raise RosterError(_("所选申报推荐至不同的受理点，请按受理点分别下载推荐花名册。"))
    first = applications[0]
    plan_names = list(dict.fromkeys(application.plan.name for application in applications))
    return Roster(first.unit.name, first.acceptance_point.name, applications, plan_names)


def _name(application) -> str:
    return (application.profile_snapshot or {}).get("name") or application.applicant.name


def _month(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) >= 10 else None
    return f"{value:%Y.%m}" if value else ""


def row_values(application) -> tuple[str, ...]:
    """The cells of one application after 序号 (姓名 … 备注), all strings; no ID, no mobile."""
    profile = application.profile_snapshot or {}
    applicant = application.applicant
    sex = _SEX_LABELS.get(profile.get("sex")) or applicant.sex.zh
    birth = _month(profile.get("birth_date")) or _month(applicant.birth_date)
    qualification = application.qualification.name if application.qualification else ""
    level = application.level
    if level is not None:
        qualification = f"{qualification}（{level.zh}）" if qualification else level.zh
    publicity = application.publicity
    period = (f"{publicity.start_date:%Y.%m.%d}-{publicity.end_date:%Y.%m.%d}"
              if publicity is not None else "")
    return (
        _name(application),
        sex,
        birth,
        profile.get("highest_education") or "",
        profile.get("current_title") or application.current_title or "",
        qualification,
        application.review_method.zh if application.review_method else "",
        period,
        REMARKS.get(application.status, ""),
    )


SIGNATURE_LINES = ("推荐单位（盖章）：{unit}", "经办人（签字）：＿＿＿＿＿＿＿＿",
                   "　　　　年　　月　　日")


# --- the workbook ----------------------------------------------------------------------------

def write_xlsx(roster: Roster) -> bytes:
    output = io.BytesIO()
    workbook = ExportWorkbook(output, PRINT_WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("推荐花名册")
    border = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": BODY_FONT_SIZE}
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center",
                                 "valign": "vcenter", "text_wrap": True})
    byline = workbook.add_format({"font_size": 11, "align": "center", "valign": "vcenter",
                                  "text_wrap": True})
    header = workbook.add_format({**border, "bold": True, "bg_color": "#D9D9D9",
                                  "align": "center"})
    center = workbook.add_format({**border, "align": "center"})
    text = workbook.add_format({**border, "align": "left"})
    sign = workbook.add_format({"font_size": 11, "align": "right", "valign": "vcenter"})
    # Short values centred, the names of titles and qualifications from the left.
    cell_formats = [text if name in ("现职称", "申报资格", "备注") else center
                    for name in HEADERS[1:]]

    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    line_width = sum(COLUMN_WIDTHS)
    for row, (value, cell_format, line_height) in enumerate(
            ((roster.title, title, 24), (roster.byline, byline, 16))):
        sheet.set_row(row, exports.lines_needed(value, line_width) * line_height + ROW_PADDING + 4)
        sheet.merge_range(row, 0, row, LAST_COLUMN, "", cell_format)
        sheet.write_string(row, 0, value, cell_format)
    header_row = HEADER_ROWS - 1
    sheet.set_row(header_row, exports.row_height(HEADERS, COLUMN_WIDTHS))
    for column, name in enumerate(HEADERS):
        sheet.write_string(header_row, column, name, header)

    row = header_row
    for number, application in enumerate(roster.applications, start=1):
        row += 1
        values = row_values(application)
        sheet.set_row(row, exports.row_height((str(number), *values), COLUMN_WIDTHS))
        sheet.write_number(row, 0, number, center)
        for column, (value, cell_format) in enumerate(zip(values, cell_formats), start=1):
            sheet.write_string(row, column, value, cell_format)

    # Under the table, leaving room for the seal over the unit's name: where the unit stamps
    # and dates the printed roster and its officer signs.
    row += 1
    for line, height in zip(SIGNATURE_LINES, (LINE_HEIGHT * 3, LINE_HEIGHT * 3, LINE_HEIGHT * 2)):
        row += 1
        sheet.set_row(row, height)
        sheet.merge_range(row, 0, row, LAST_COLUMN, "", sign)
        sheet.write_string(row, 0, line.format(unit=roster.unit_name), sign)

    sheet.freeze_panes(HEADER_ROWS, 0)
    exports.set_print_layout(sheet, header_row, "&C第 &P 页，共 &N 页", centered=True)
    workbook.close()
    return output.getvalue()


# --- the PDF ------------------------------------------------------------------------------------

def _text_of(roster: Roster) -> str:
    """Everything the PDF prints that came from people, to check against the font."""
    return "".join([roster.unit_name, roster.point_name, *roster.plan_names,
                    *("".join(row_values(application)) for application in roster.applications)])


class _NumberedCanvas(Canvas):
    """Pages numbered 第 N 页，共 M 页: each page is kept until the last one is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            self.setFont(FONT, 9)
            self.drawCentredString(self._pagesize[0] / 2, 8 * mm,
                                   f"第 {self._pageNumber} 页，共 {total} 页")
            super().showPage()
        super().save()


def write_pdf(roster: Roster) -> bytes:
    """The roster as A4 landscape PDF bytes, the column headers on every page. Raises
    ``UnprintableText`` when its data holds a character the font cannot print."""
    _prepare_reportlab()
    bad = unprintable_characters(_text_of(roster))
    if bad:
        raise UnprintableText(bad)
    base = ParagraphStyle("base", fontName=FONT, fontSize=BODY_FONT_SIZE, leading=13,
                          wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER,
                           spaceAfter=4)
    byline = ParagraphStyle("byline", parent=base, fontSize=11, leading=15, alignment=TA_CENTER,
                            spaceAfter=8)
    centered = ParagraphStyle("centered", parent=base, alignment=TA_CENTER)
    sign = ParagraphStyle("sign", parent=base, fontSize=12, leading=16)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=PDF_MARGIN,
                            rightMargin=PDF_MARGIN, topMargin=PDF_MARGIN,
                            bottomMargin=PDF_MARGIN, initialFontName=FONT,
                            title=roster.title, author=roster.unit_name, creator="zcps",
                            subject=roster.byline)
    wide = {"现职称", "申报资格", "备注"}
    rows = [[Paragraph(name, centered) for name in HEADERS]]
    for number, application in enumerate(roster.applications, start=1):
        values = (str(number), *row_values(application))
        rows.append([Paragraph(escape(value), base if name in wide else centered)
                     for name, value in zip(HEADERS, values)])
    table = Table(rows, colWidths=[width * mm for width in PDF_COLUMN_WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # empty cells too: reportlab's default is Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e5e5")),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    # Right-hand block: the unit's name to stamp over, the officer's signature, and the date
    # left blank to write (spaces as &nbsp;: reportlab folds white space).
    stamp, signature, _date = SIGNATURE_LINES
    blank_date = "&nbsp;" * 12 + "年" + "&nbsp;" * 8 + "月" + "&nbsp;" * 8 + "日"
    closing = Table([["", [Paragraph(escape(stamp.format(unit=roster.unit_name)), sign),
                           Spacer(1, 16 * mm), Paragraph(signature, sign), Spacer(1, 8 * mm),
                           Paragraph(blank_date, sign)]]],
                    colWidths=[doc.width - 110 * mm, 110 * mm])
    closing.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    # reportlab folds runs of white space, full-width ones too: the parts are kept apart so.
    spaced = ("&nbsp;" * 6).join(escape(part) for part in roster.byline_parts)
    doc.build([Paragraph(escape(roster.title), title), Paragraph(spaced, byline), table,
               KeepTogether([Spacer(1, 10 * mm), closing])], canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
