"""本单位人员 导入: a unit registers its staff from a spreadsheet.

The unit downloads the template (姓名, 身份证号, 手机号码, 部门, 现专业技术资格, 取得时间), fills it
in and uploads it; every row is checked and shown with its problems (preview); the valid rows are
then registered in one transaction, each new person invited by SMS to activate their account
with a 激活码 (7 days, single use). The file is read in openpyxl's read-only mode, so memory stays
flat whatever its size."""
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.exc import IntegrityError

from models import Account, Applicant, AuditAction, CodePurpose, OfficerDuty, ReviewStatus, Role

from . import audit, verification
from .exports import ExportWorkbook
from .extensions import db
from .identifiers import IdentifierError, clean_id_number, clean_mobile, id_birth_date, id_sex
from .passwords import require_acceptable
from .workflow.common import WorkflowError, require_duty

HEADERS = ("姓名", "身份证号", "手机号码", "部门", "现专业技术资格", "取得时间")
MAX_ROWS = 5000
SHEET = "本单位人员"


class ImportRefused(ValueError):
    """The file as a whole cannot be read as the roster template; ``str`` says why."""


@dataclass
class Row:
    number: int  # the row in the sheet (the header is row 1)
    name: str = ""
    id_number: str = ""
    mobile: str = ""
    department: str = ""
    current_title: str = ""
    title_date: date | None = None
    errors: list = field(default_factory=list)

    @property
    def values(self) -> dict:
        return {"number": self.number, "name": self.name, "id_number": self.id_number,
                "mobile": self.mobile, "department": self.department,
                "current_title": self.current_title,
                "title_date": self.title_date.isoformat() if self.title_date else ""}


def template_xlsx() -> bytes:
    """The empty roster with its headers and one example row, codes kept as text."""
    output = io.BytesIO()
    workbook = ExportWorkbook(output)
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for column, (header, width) in enumerate(zip(HEADERS, (10, 22, 15, 16, 20, 12),
                                                 strict=True)):
        sheet.write_string(0, column, header, bold)
        sheet.set_column(column, column, width, text)
    for column, value in enumerate(("张三", "330106199003071236", "13800000000", "人事处",
                                    "工程师", "2019-12-31")):
        sheet.write_string(1, column, value, text)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a cell Excel thought numeric
    return " ".join(str(value).split())


def _title_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y年%m月%d日", "%Y年%m月"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def read(data: bytes) -> tuple[list[Row], list[str]]:
    """The rows of an uploaded roster and notes on what was left out (other sheets, columns);
    ImportRefused when the file is not the template."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportRefused(_("文件不是Excel工作簿，请下载模板填写后上传。")) from None
    notes = []
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        if len(workbook.sheetnames) > 1:
            notes.append(_("只读取了工作表「%(sheet)s」，其他工作表已忽略。", sheet=sheet.title))
        rows = sheet.iter_rows(values_only=True)
        header = tuple(_cell(value) for value in next(rows, ()))
        if header[:len(HEADERS)] != HEADERS:
            raise ImportRefused(_("第一行应为模板的列名：%(headers)s。请下载模板填写后上传。",
                                  headers="、".join(HEADERS)))
        if any(header[len(HEADERS):]):
            notes.append(_("模板以外的列已忽略。"))
        found = []
        for number, values in enumerate(rows, start=2):
            values = tuple(values[:len(HEADERS)]) + (None,) * (len(HEADERS) - len(values))
            if all(_cell(value) == "" for value in values):
                continue
            if len(found) >= MAX_ROWS:
                raise ImportRefused(_("一次最多导入%(n)s人，请分批导入。", n=MAX_ROWS))
            found.append(_row(number, values))
    finally:
        workbook.close()
    if not found:
        raise ImportRefused(_("文件中没有人员信息。"))
    return found, notes


def _row(number: int, values) -> Row:
    name, id_number, mobile, department, title, title_date = values
    row = Row(number, name=_cell(name)[:50], department=_cell(department)[:100],
              current_title=_cell(title)[:100])
    if not row.name:
        row.errors.append(_("姓名未填写"))
    try:
        row.id_number = clean_id_number(_cell(id_number))
    except IdentifierError as error:
        row.id_number = _cell(id_number)[:18]
        row.errors.append(str(error))
    try:
        row.mobile = clean_mobile(_cell(mobile))
    except IdentifierError as error:
        row.mobile = _cell(mobile)[:11]
        row.errors.append(str(error))
    try:
        row.title_date = _title_date(title_date)
    except ValueError:
        row.errors.append(_("取得时间应为日期，如 2019-12-31"))
    return row


def check(actor, rows: list[Row]) -> list[Row]:
    """Mark duplicates within the file and people already on the platform (without saying
    which unit holds someone registered elsewhere)."""
    seen = {}
    for row in rows:
        if row.id_number and not row.errors:
            if row.id_number in seen:
                row.errors.append(_("与第%(n)s行身份证号重复", n=seen[row.id_number]))
            else:
                seen[row.id_number] = row.number
    numbers = list(seen)
    found = {}
    for start in range(0, len(numbers), 500):
        found.update(db.session.execute(
            sa.select(Applicant.id_number, Applicant.unit_id)
            .where(Applicant.id_number.in_(numbers[start:start + 500]))).all())
    for row in rows:
        if row.errors or row.id_number not in found:
            continue
        if found[row.id_number] == actor.unit_id:
            row.errors.append(_("已是本单位人员"))
        else:
            row.errors.append(_("该身份证号已在平台注册，请本人登录后在「基本信息」中选择本单位"))
    return rows


def _serializer():
    from flask import current_app

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="zcps-roster")


def sealed(rows: list[Row]) -> str:
    """The valid rows of a preview, signed, for the page's 确认导入 to post back."""
    return _serializer().dumps([row.values for row in rows if not row.errors])


def unsealed(token: str) -> list[Row]:
    try:
        values = _serializer().loads(token or "")
    except BadSignature:
        raise ImportRefused(_("导入数据已失效，请重新上传文件。")) from None
    rows = []
    for item in values:
        title_date = date.fromisoformat(item["title_date"]) if item["title_date"] else None
        rows.append(Row(item["number"], item["name"], item["id_number"], item["mobile"],
                        item["department"], item["current_title"], title_date))
    return rows


def import_rows(actor, rows: list[Row]) -> dict:
    """Register the rows still valid now, in one transaction, and invite each by SMS. Returns
    {"imported": n, "skipped": [rows no longer valid], "not_invited": n}. The caller commits."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    rows = check(actor, [_row(row.number, (row.name, row.id_number, row.mobile, row.department,
                                           row.current_title, row.title_date))
                         for row in rows])
    valid = [row for row in rows if not row.errors]
    if not valid:
        raise WorkflowError(_("没有可导入的人员：请修正文件中的问题后重新上传。"))
    unit = actor.unit
    people = [Applicant(name=row.name, id_number=row.id_number, sex=id_sex(row.id_number),
                        birth_date=id_birth_date(row.id_number), mobile=row.mobile,
                        unit_id=unit.id, department=row.department,
                        current_title=row.current_title, current_title_date=row.title_date,
                        profile_status=ReviewStatus.DRAFT)
              for row in valid]
    db.session.add_all(people)
    try:
        # Someone registered or imported a moment ago: the unique 身份证号 decides.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise WorkflowError(_("有人员刚刚已在平台登记，请重新上传文件核对后导入。")) from None
    not_invited = 0
    for person in people:
        try:
            verification.send_code(person.mobile, CodePurpose.ACTIVATE,
                                   invitation={"name": person.name, "unit": unit.name})
        except verification.CodeRefused:
            not_invited += 1  # the number had a code a moment ago: invite again later
    audit.record(AuditAction.ROSTER_IMPORT, actor=actor, target=f"unit:{unit.id}",
                 count=len(people), skipped=len(rows) - len(valid))
    return {"imported": len(people), "skipped": [row for row in rows if row.errors],
            "not_invited": not_invited}


def invite_again(id_number: str) -> None:
    """获取激活码 on the activation page: a new code to the mobile the unit registered, when
    the person exists and has no account; silent otherwise (the page says the same)."""
    person = db.session.scalar(sa.select(Applicant).where(Applicant.id_number == id_number))
    if person is None or person.account is not None or not person.mobile or person.unit is None:
        return
    try:
        verification.send_code(person.mobile, CodePurpose.ACTIVATE,
                               invitation={"name": person.name, "unit": person.unit.name})
    except verification.CodeRefused:
        pass  # sent a moment ago: the earlier code is on its way


def activate(id_number: str, code: str, password: str) -> Account:
    """激活账号: someone a unit registered sets a password with the 激活码 sent to them.
    verification.CodeRefused for anything that does not match (one answer for all)."""
    refused = verification.wrong_code()
    person = db.session.scalar(sa.select(Applicant).where(Applicant.id_number == id_number))
    if person is None or person.account is not None or not person.mobile:
        raise refused
    require_acceptable(password, [person.id_number, person.mobile])  # before the code is spent
    verification.consume(person.mobile, CodePurpose.ACTIVATE, code)
    account = Account(role=Role.APPLICANT, username=person.id_number, display_name=person.name,
                      applicant=person)
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    audit.record(AuditAction.ACTIVATE_APPLICANT, actor=account, target=f"applicant:{person.id}")
    return account
