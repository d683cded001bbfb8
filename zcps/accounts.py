"""Accounts: unit and applicant registration, deactivation and password resets (each audited)."""
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import Account, Applicant, AuditAction, AuthorizationStatus, Role, Unit

from . import audit
from .extensions import db
from .identifiers import id_birth_date, id_sex


class AlreadyRegistered(ValueError):
    pass


USCC_TAKEN = _l("该统一社会信用代码已注册，请直接登录；忘记密码请联系平台管理员。")


def register_unit(*, name, uscc, address, legal_representative, contact_name, contact_mobile,
                  password) -> Account:
    """A new unit and its legal-person account; the unit starts unauthorized."""
    taken = db.session.scalar(sa.select(Unit.id).where(Unit.uscc == uscc)) or db.session.scalar(
        sa.select(Account.id).where(Account.role == Role.EMPLOYER, Account.username == uscc))
    if taken:
        raise AlreadyRegistered(USCC_TAKEN)
    unit = Unit(name=name, uscc=uscc, address=address, legal_representative=legal_representative,
                contact_name=contact_name, contact_mobile=contact_mobile,
                authorization_status=AuthorizationStatus.NONE)
    account = Account(role=Role.EMPLOYER, username=uscc, display_name=name, unit=unit)
    account.set_password(password)
    db.session.add_all([unit, account])
    try:
        # Two registrations of one code at once: the unique index decides, not the check above.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AlreadyRegistered(USCC_TAKEN) from None
    audit.record(AuditAction.REGISTER_UNIT, actor=account, target=f"unit:{unit.id}", uscc=uscc)
    return account


ID_NUMBER_TAKEN = _l("该身份证号已注册，请直接登录；忘记密码请联系平台管理员。")


def register_applicant(*, name, id_number, mobile, password) -> Account:
    """A new applicant and their account; the employing unit is chosen later, on 基本信息."""
    taken = db.session.scalar(
        sa.select(Applicant.id).where(Applicant.id_number == id_number)) or db.session.scalar(
        sa.select(Account.id).where(Account.role == Role.APPLICANT, Account.username == id_number))
    if taken:
        raise AlreadyRegistered(ID_NUMBER_TAKEN)
    applicant = Applicant(name=name, id_number=id_number, sex=id_sex(id_number),
                          birth_date=id_birth_date(id_number), mobile=mobile)
    account = Account(role=Role.APPLICANT, username=id_number, display_name=name,
                      applicant=applicant)
    account.set_password(password)
    db.session.add_all([applicant, account])
    try:
        # Two registrations of one number at once: the unique index decides.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AlreadyRegistered(ID_NUMBER_TAKEN) from None
    audit.record(AuditAction.REGISTER_APPLICANT, actor=account, target=f"applicant:{applicant.id}")
    return account


def set_unit_active(actor, unit: Unit, active: bool) -> None:
    if not actor.is_platform_admin:
        raise PermissionError
    unit.active = active
    audit.record(AuditAction.ACTIVATE_UNIT if active else AuditAction.DEACTIVATE_UNIT, actor=actor,
                 target=f"unit:{unit.id}", name=unit.name)


def one_time_password() -> str:
    """Easy to read out over the phone: no 0/O or 1/l; always letters and digits."""
    letters = "abcdefghjkmnpqrstuvwxyz"
    digits = "23456789"
    chosen = [secrets.choice(letters), secrets.choice(digits)]
    chosen += [secrets.choice(letters + digits) for _ in range(8)]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def reset_password(actor, account: Account) -> str:
    """Give ``account`` a new one-time password and return it (shown once, never stored)."""
    if not actor.is_platform_admin:
        raise PermissionError
    password = one_time_password()
    account.set_password(password)
    audit.record(AuditAction.RESET_PASSWORD, actor=actor, target=f"{account.role.value}:{account.username}")
    return password


