"""Excel exports: written with xlsxwriter in constant-memory mode, every user value as a string.

Writing user text with ``write_string`` (and turning off formula and URL detection) means a
value such as ``=HYPERLINK(...)`` stays text: nothing typed into zcps becomes a formula. Every
export handed to a signed-in account is in the audit log (who, which file, from where).

In constant-memory mode xlsxwriter keeps the rows (applicants' names among them) in temporary
files until the workbook is closed. ``ExportWorkbook`` puts them in a folder of their own under
``EXPORT_TEMP_DIR``, removed when the workbook is closed or dropped by an error; a folder left by
a killed worker is removed by ``flask zcps sweep``.
"""
import itertools
import math
import re
import shutil
import tempfile
import unicodedata
import weakref
from datetime import date, datetime, timezone
from io import BytesIO
from pathlib import Path

import xlsxwriter
from flask import current_app, has_app_context, has_request_context, send_file
from flask_babel import gettext as _
from flask_login import current_user

from models import AuditAction, Role

from . import audit, clock
from .extensions import db
from .i18n import LOCAL_TIME

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


EXPORT_TEMP_PREFIX = "export-"


def export_temp_dir() -> Path:
    """Where exports keep their temporary files: ``EXPORT_TEMP_DIR``, by default
    ``INSTANCE_DIR/export-tmp`` (outside the web root, swept by ``flask zcps sweep``); the
    system's temporary folder outside the app (a script)."""
    if not has_app_context():
        return Path(tempfile.gettempdir())
    config = current_app.config
    path = Path(config.get("EXPORT_TEMP_DIR") or Path(config["INSTANCE_DIR"]) / "export-tmp")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class ExportWorkbook(xlsxwriter.Workbook):
    """A constant-memory workbook whose temporary files live in a folder of their own, removed
    when the workbook is closed, or dropped unclosed (an error in the middle of an export)."""

    def __init__(self, output, options: dict | None = None):
        self.scratch = Path(tempfile.mkdtemp(prefix=EXPORT_TEMP_PREFIX, dir=export_temp_dir()))
        self.discard = weakref.finalize(self, shutil.rmtree, self.scratch, ignore_errors=True)
        super().__init__(output, {**WORKBOOK_OPTIONS, **(options or {}),
                                  "tmpdir": str(self.scratch)})

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.discard()
# Arial 10 as the workbook's normal font: Excel's column width unit is the width of a digit of
# that font, 7 px for Arial 10 as for Calibri 11, and LibreOffice measures the same with
# Liberation Sans (metric-compatible; Calibri it replaces by a wider font, which would shrink
# a printed table). Chinese text falls back to the viewer's CJK font either way.
PRINT_WORKBOOK_OPTIONS = {**WORKBOOK_OPTIONS,
                          "default_format_properties": {"font_name": "Arial", "font_size": 10}}

# A page of A4 landscape holds about 138 width units between 0.4" margins, each column taking
# 0.7 more than its width (its cell margins; measured with LibreOffice, which draws a unit
# slightly wider than Excel's 7 px). Columns are fitted into what prints at 90% or more (text
# at 9 pt or more): long text wraps and its row grows; only a list with more columns than
# that holds is shrunk further by fit-to-width.
PAGE_UNITS = 138 / 0.9
COLUMN_MARGIN = 0.72
MAX_COLUMN_WIDTH = 40
MIN_WRAPPED_WIDTH = 14
MIN_COLUMN_WIDTH = 6
SAMPLE_ROWS = 500  # rows read before the widths are set; the rest stream past
LINE_HEIGHT = 14  # points per line of 10 pt text, whatever CJK font the viewer substitutes
ROW_PADDING = 5
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd"  # a time keeps its hour in the cell; the column shows the day
_UNSAFE_IN_SHEET_NAME = re.compile(r"[\\/?*:\[\]\x00-\x1f]+")


def as_text(value) -> str:
    if value is None:
        return ""
    label = getattr(value, "label", None)
    if label is not None:
        return str(label)
    return str(value)


def local_moment(value: datetime | None) -> datetime | None:
    """A stored (UTC) time as Beijing time without a zone, to the second, for a date cell."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TIME).replace(tzinfo=None, microsecond=0)


def display_width(text: str) -> int:
    """Width in Excel's units (digits of the normal font): a hanzi takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pixel_width(text: str) -> float:
    """Printed width in pixels of ``text`` at 10 pt: a hanzi is a full em, Latin about half."""
    return sum(13.4 if unicodedata.east_asian_width(char) in "WF" else 7.4 for char in text)


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` (Excel units) wide."""
    usable = width * 7 + 5 - 8  # pixels, less the cell's inner margins
    return sum(max(1, math.ceil(_pixel_width(line) / usable)) for line in str(text).split("\n"))


def row_height(texts, widths) -> float:
    """The height in points that shows every wrapped cell of a row in full."""
    lines = max((lines_needed(text, width) for text, width in zip(texts, widths)), default=1)
    return lines * LINE_HEIGHT + ROW_PADDING


def _cell_width(value) -> int:
    if isinstance(value, date):
        return 9  # 2026-09-29
    return max((display_width(line) for line in as_text(value).split("\n")), default=0)


def _wraps(value) -> bool:
    """Whether text may wrap: words or hanzi, not a code (an ID number, a date) to keep whole."""
    if isinstance(value, date):
        return False
    text = as_text(value)
    return " " in text.strip() or any(unicodedata.east_asian_width(c) in "WF" for c in text)


def column_widths(headers, rows) -> list[float]:
    """Widths from the content (headers wrap onto two lines), within a page together: the
    widest columns of text give way first, down to ``MIN_WRAPPED_WIDTH``; codes and dates keep
    their width."""
    widths = [max(MIN_COLUMN_WIDTH, min(display_width(str(header)), 6) + 2) for header in headers]
    room = PAGE_UNITS - COLUMN_MARGIN * len(headers)
    wrapping = [False] * len(headers)
    for values in rows:
        for column, value in enumerate(values[:len(widths)]):
            widths[column] = max(widths[column], min(MAX_COLUMN_WIDTH, _cell_width(value) + 2))
            wrapping[column] = wrapping[column] or _wraps(value)
    while sum(widths) > room:
        shrinkable = [column for column, width in enumerate(widths)
                      if wrapping[column] and width > MIN_WRAPPED_WIDTH]
        if not shrinkable:
            break  # so many columns that the page must shrink them
        widths[max(shrinkable, key=widths.__getitem__)] -= 1
    return widths


def sheet_title(name: str) -> str:
    """``name`` as a worksheet's name: no ``[]:*?/\\``, at most 31 characters."""
    return _UNSAFE_IN_SHEET_NAME.sub(" ", name).strip(" '")[:31] or "Sheet1"


def exporter_name(account) -> str:
    """Who the title row says exported the list: the unit or acceptance point acted for."""
    if account is None:
        return ""
    if account.role == Role.PLATFORM_ADMIN:
        return _("平台管理员")
    return account.acting_name


def write_table(rows, headers, title: str | None = None, *, owner: str | None = None,
                exported_at: datetime | None = None) -> bytes:
    """An .xlsx of ``headers`` then ``rows`` (iterables of values) that prints: a sheet named
    after ``title``, its title row and a row with ``owner`` and the export time (Beijing),
    columns as wide as their content (read from the first ``SAMPLE_ROWS`` rows; the rest
    stream), each row as high as its wrapped text, A4 landscape one page wide with the header
    row on every page. A ``date`` or ``datetime`` value (see :func:`local_moment`) is a date
    cell; everything else is a string."""
    rows = iter(rows)
    sample = [list(values) for values in itertools.islice(rows, SAMPLE_ROWS)]
    widths = column_widths(headers, sample)
    output = BytesIO()
    workbook = ExportWorkbook(output, PRINT_WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(sheet_title(title or _("导出")))
    bold = workbook.add_format({"bold": True, "border": 1, "bg_color": "#E9ECEF",
                                "text_wrap": True, "valign": "vcenter", "align": "center"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"border": 1, "valign": "top", "align": "left",
                               "num_format": DATE_FORMAT})
    moment = workbook.add_format({"border": 1, "valign": "top", "align": "left",
                                  "num_format": MOMENT_FORMAT})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    row_number = 0
    if title:
        heading = workbook.add_format({"bold": True, "font_size": 14, "valign": "vcenter"})
        sheet.set_row(0, 24)
        sheet.write_string(0, 0, title, heading)
        when = local_moment(exported_at or clock.now())
        byline = "　".join(part for part in (
            _("导出单位：%(owner)s", owner=owner) if owner else "",
            _("导出时间：%(time)s", time=f"{when:%Y-%m-%d %H:%M}")) if part)
        sheet.write_string(1, 0, byline, workbook.add_format({"valign": "vcenter"}))
        row_number = 2
    header_row = row_number
    sheet.set_row(header_row, row_height([str(header) for header in headers], widths))
    for column, header in enumerate(headers):
        sheet.write_string(header_row, column, header, bold)
    for values in itertools.chain(sample, rows):
        row_number += 1
        texts = ["" if isinstance(value, date) else as_text(value) for value in values]
        sheet.set_row(row_number, row_height(texts, widths))
        for column, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write_datetime(row_number, column, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, value, day)
            else:
                sheet.write_string(row_number, column, texts[column], cell)
    sheet.freeze_panes(header_row + 1, 0)
    set_print_layout(sheet, header_row)
    workbook.close()
    return output.getvalue()


def set_print_layout(sheet, header_row: int, footer: str = "&C&P / &N",
                     centered: bool = False) -> None:
    """How every printable sheet prints: A4 landscape, one page wide (as many pages long as
    needed), the row ``header_row`` repeated at the top of every page, a page-number footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    if centered:
        sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.set_footer(footer)


def attachment_name(name: str) -> str:
    """``name`` as the Content-Disposition header of a download can carry it: a line break or
    other control character (typed into a unit's name) becomes a space, a slash an underscore."""
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                      for char in name)
    return " ".join(cleaned.replace("/", "_").replace("\\", "_").split()) or "download"


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(data: bytes, download_name: str, mimetype: str):
    """An export as a download, recorded in the audit log (who, which file)."""
    if has_request_context() and current_user.is_authenticated:
        audit.record(AuditAction.EXPORT, actor=current_user, target=f"export:{download_name}",
                     size=len(data))
        db.session.commit()
    response = send_file(BytesIO(data), as_attachment=True, max_age=0, mimetype=mimetype,
                         download_name=attachment_name(download_name))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(data: bytes, download_name: str):
    return export_response(data, download_name, XLSX_MIMETYPE)
