"""Excel exports: written with xlsxwriter in constant-memory mode, every user value as a string.

Writing user text with ``write_string`` (and turning off formula and URL detection) means a
value such as ``=HYPERLINK(...)`` stays text: nothing typed into zcps becomes a formula. Every
export handed to a signed-in account is in the audit log (who, which file, from where).

In constant-memory mode xlsxwriter keeps the rows (applicants' names among them) in temporary
files until the workbook is closed. ``ExportWorkbook`` puts them in a folder of their own under
``EXPORT_TEMP_DIR``, removed when the workbook is closed or dropped by an error; a folder left by
a killed worker is removed by ``flask zcps sweep``.
"""
import shutil
import tempfile
import unicodedata
import weakref
from io import BytesIO
from pathlib import Path

import xlsxwriter
from flask import current_app, has_app_context, has_request_context, send_file
from flask_login import current_user

from models import AuditAction

from . import audit
from .extensions import db

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


def as_text(value) -> str:
    if value is None:
        return ""
    label = getattr(value, "label", None)
    if label is not None:
        return str(label)
    return str(value)


def write_table(rows, headers, title: str | None = None) -> bytes:
    """An .xlsx of ``headers`` then ``rows`` (iterables of values), streamed row by row."""
    output = BytesIO()
    workbook = ExportWorkbook(output)
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True, "border": 1, "bg_color": "#E9ECEF",
                                "text_wrap": True, "valign": "vcenter"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    row_number = 0
    if title:
        sheet.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 14}))
        row_number = 1
    for column, header in enumerate(headers):
        sheet.write_string(row_number, column, header, bold)
        sheet.set_column(column, column, max(10, min(40, len(header) * 3)))
    sheet.freeze_panes(row_number + 1, 0)
    for values in rows:
        row_number += 1
        for column, value in enumerate(values):
            sheet.write_string(row_number, column, as_text(value), cell)
    workbook.close()
    return output.getvalue()


def attachment_name(name: str) -> str:
    """``name`` as the Content-Disposition header of a download can carry it: a line break or
    other control character (typed into a unit's name) becomes a space, a slash an underscore."""
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                      for char in name)
    return " ".join(cleaned.replace("/", "_").replace("\\", "_").split()) or "download"


def xlsx_response(data: bytes, download_name: str):
    if has_request_context() and current_user.is_authenticated:
        audit.record(AuditAction.EXPORT, actor=current_user, target=f"export:{download_name}",
                     size=len(data))
        db.session.commit()
    response = send_file(
        BytesIO(data), as_attachment=True, download_name=attachment_name(download_name), max_age=0,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Cache-Control"] = "private, no-store"
    return response
