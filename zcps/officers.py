"""经办人管理: a unit's officers — added, changed, stopped and restarted by the unit's own account
or an officer holding 单位管理. Each officer signs in under 经办人登录 and may do only its duties
(``Account.may``); nobody decides on their own records (``workflow.common.not_own``)."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import Account, AuditAction, OfficerDuty, Role

from . import audit, passwords
from .accounts import end_sessions, set_account_active
from .extensions import db
from .identifiers import IdentifierError, clean_id_number, clean_mobile
from .workflow.common import WorkflowError, locked, require_duty, text


def _officer_of(actor, officer: Account) -> Account:
    """The officer, re-read under its row lock within the actor's scope (Account's scope)."""
    missing = _("经办人不存在或不属于本单位。")
    officer = locked(officer, actor, missing=missing)
    if not officer.is_officer:
        raise WorkflowError(missing)
    return officer


def _flushed(officer: Account) -> None:
    """Written at once: a 身份证号 or mobile another request took a moment ago is refused by the
    unique keys, and said in words."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise WorkflowError(_("该身份证号或手机号码刚刚已被其他经办人使用，请核对后重试。")) from None


def _cleaned(name, id_number, mobile, department, duties, end_date) -> dict:
    name = text(name)
    if not name:
        raise WorkflowError(_("请填写经办人姓名。"))
    if len(name) > 50:
        raise WorkflowError(_("经办人姓名过长。"))
    try:
        id_number = clean_id_number(id_number)
        mobile = clean_mobile(mobile)
    except IdentifierError as error:
        raise WorkflowError(str(error)) from None
    known = {duty.value for duty in OfficerDuty}
    chosen = [code for code in dict.fromkeys(duties or ()) if code in known]
    if not chosen:
        raise WorkflowError(_("请至少为经办人选择一项权限。"))
    if end_date is not None and not isinstance(end_date, date):
        raise WorkflowError(_("有效期至的日期无效。"))
    return {"display_name": name, "username": id_number, "officer_mobile": mobile,
            "department": text(department)[:100],
            "officer_duties": [duty.value for duty in OfficerDuty if duty.value in chosen],
            "end_date": end_date}


def _check_free(values: dict, officer: Account | None) -> None:
    """One employer account per 身份证号 and per mobile: said in words, not as a key error."""
    others = sa.select(Account.id).where(Account.role == Role.EMPLOYER)
    if officer is not None:
        others = others.where(Account.id != officer.id)
    if db.session.scalar(others.where(Account.username == values["username"])) is not None:
        raise WorkflowError(_("该身份证号已登记为经办人，不能重复添加。"))
    if db.session.scalar(others.where(Account.officer_mobile == values["officer_mobile"])):
        raise WorkflowError(_("该手机号码已被其他经办人使用，请换一个手机号码。"))


def add_officer(actor, *, name, id_number, mobile, department="", duties=(), end_date=None,
                password="") -> Account:
    """A new officer of the actor's unit, with a first password to change at first sign-in."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    values = _cleaned(name, id_number, mobile, department, duties, end_date)
    _check_free(values, None)
    reason = passwords.problem(password or "", [values["username"], values["officer_mobile"]])
    if reason is not None:
        raise WorkflowError(reason)
    officer = Account(role=Role.EMPLOYER, unit_id=actor.unit_id, must_change_password=True,
                      **values)
    officer.set_password(password)
    db.session.add(officer)
    _flushed(officer)
    audit.record(AuditAction.ADD_OFFICER, actor=actor, target=f"employer:{officer.username}",
                 name=officer.display_name, duties=values["officer_duties"])
    return officer


def change_officer(actor, officer: Account, *, name, mobile, department="", duties=(),
                   end_date=None) -> Account:
    """Name, mobile, department, duties and last day of an officer (the 身份证号 stays: another
    person is another officer)."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    officer = _officer_of(actor, officer)
    values = _cleaned(name, officer.username, mobile, department, duties, end_date)
    _check_free(values, officer)
    before = list(officer.officer_duties or ())
    for field, value in values.items():
        setattr(officer, field, value)
    _flushed(officer)
    if set(before) - set(values["officer_duties"]):
        # A duty taken away ends the officer's sessions: pages opened with it are gone too.
        end_sessions(officer)
    audit.record(AuditAction.CHANGE_OFFICER, actor=actor, target=f"employer:{officer.username}",
                 name=officer.display_name, duties=values["officer_duties"])
    return officer


def set_officer_active(actor, officer: Account, active: bool) -> Account:
    """停用 (every session of the officer ends at once) or 启用 an officer."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    officer = _officer_of(actor, officer)
    if officer.id == actor.id:
        raise WorkflowError(_("不能停用或启用自己的账号。"))
    if bool(officer.active) != active:
        set_account_active(officer, active)
        audit.record(AuditAction.ACTIVATE_ACCOUNT if active else AuditAction.DEACTIVATE_ACCOUNT,
                     actor=actor, target=f"employer:{officer.username}")
    return officer
