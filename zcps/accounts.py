"""Accounts: registration, sign-in and lockout, passwords, sessions, deactivation (each audited).

Every place that sets a password chosen by a person goes through ``set_password``: it applies the
policy (zcps/passwords.py) and ends every session of the account.
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from models import (
    Account,
    Applicant,
    AuditAction,
    AuthorizationStatus,
    Role,
    Unit,
    dummy_password_hash,
    utcnow,
)

from . import audit, plans
from .extensions import db
from .identifiers import id_birth_date, id_sex
from .passwords import WeakPassword, require_acceptable

__all__ = ["WeakPassword"]


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
    if not active:
        # Active again later, the unit's old sessions stay ended.
        for account in unit.accounts:
            end_sessions(account)
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
    """Give ``account`` a new one-time password and return it (shown once, never stored); it
    must be changed at the next sign-in, and every session of the account ends now."""
    if not actor.is_platform_admin:
        raise PermissionError
    password = one_time_password()
    account.set_password(password)
    account.must_change_password = True
    account.failed_sign_ins = 0
    account.locked_until = None
    end_sessions(account)
    audit.record(AuditAction.RESET_PASSWORD, actor=actor, target=target_of(account))
    return password


def target_of(account: Account) -> str:
    return f"{account.role.value}:{account.username}"


# --- sessions -----------------------------------------------------------------------------------

def end_sessions(account: Account) -> None:
    """Every session of ``account`` ends at its next request (the generation kept in each
    session no longer matches)."""
    account.session_generation = (account.session_generation or 0) + 1


def set_account_active(account: Account, active: bool) -> None:
    """An account stopped (受理点账号 edited by the admin): its sessions end at once."""
    account.active = active
    if not active:
        end_sessions(account)


# --- passwords ----------------------------------------------------------------------------------

class WrongPassword(ValueError):
    pass


def set_password(account: Account, new: str, actor) -> None:
    """``account`` takes the password its person chose: the policy applies, a password reset
    by the admin is no longer pending, and every session of the account ends. ``actor`` is who
    changed it (the account itself; None for a change confirmed by SMS)."""
    require_acceptable(new, account.identifiers)
    if account.check_password(new):
        raise WeakPassword(_("新密码不能与原密码相同。"))
    account.set_password(new)
    account.must_change_password = False
    end_sessions(account)
    audit.record(AuditAction.CHANGE_PASSWORD, actor=actor, target=target_of(account))


def change_password(account: Account, old: str, new: str) -> None:
    """修改密码: the account's own current password first."""
    if not account.check_password(old or ""):
        raise WrongPassword(_("原密码不正确。"))
    set_password(account, new, account)


# --- sign-in and lockout ------------------------------------------------------------------------

BAD_CREDENTIALS = _l("账号或密码错误，请重新输入。")
LOCK_AFTER = 5
LOCK_MINUTES = 15


class SignInRefused(ValueError):
    """A refused sign-in; ``locked`` when the account is locked (the password was not tried)."""

    def __init__(self, message, locked: bool = False):
        super().__init__(str(message))
        self.locked = locked


def locked_message(account: Account) -> str:
    until = plans.in_beijing(account.locked_until)
    return _("该账号因连续%(n)s次密码错误已被锁定，请于%(time)s（北京时间）后再试，或联系平台管理员解除锁定。",
             n=LOCK_AFTER, time=f"{until:%Y-%m-%d %H:%M}")


def sign_in(role: Role, username: str, password: str) -> Account:
    """The account of ``role`` named ``username`` if ``password`` is its password and it may
    sign in now; otherwise SignInRefused. The caller commits either way (the count and the audit
    of a refusal are kept)."""
    account = db.session.execute(
        sa.select(Account).filter_by(role=role, username=username)).scalar_one_or_none()
    now = utcnow()
    # Same work whether the account is unknown, locked or the password wrong.
    password_ok = check_password_hash(account.password_hash if account else dummy_password_hash(),
                                      password)
    target = f"{role.value}:{username}"
    if account is not None and account.locked_at(now):
        audit.record(AuditAction.SIGN_IN_FAILED, actor=None, target=target, reason="locked")
        raise SignInRefused(locked_message(account), locked=True)
    if account is None or not password_ok:
        audit.record(AuditAction.SIGN_IN_FAILED, actor=None, target=target)
        if account is not None:
            _count_failure(account, now)
        raise SignInRefused(BAD_CREDENTIALS)
    if not account.is_active:
        raise SignInRefused(_("该账号已停用，请联系平台管理员。"))
    account.failed_sign_ins = 0
    account.last_login_at = now
    audit.record(AuditAction.SIGN_IN, actor=account, target=target)
    return account


def _count_failure(account: Account, now) -> None:
    """One more failure, counted in the database (failures at the same moment all count); the
    one that makes five locks the account, once."""
    counted = db.session.execute(
        sa.update(Account)
        .where(Account.id == account.id,
               sa.or_(Account.locked_until.is_(None), Account.locked_until <= now))
        .values(failed_sign_ins=Account.failed_sign_ins + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(account, ["failed_sign_ins", "locked_until"])
    if not counted:  # locked by a failure that committed while this one waited
        raise SignInRefused(locked_message(account), locked=True)
    if account.failed_sign_ins < LOCK_AFTER:
        return
    account.failed_sign_ins = 0
    account.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    audit.record(AuditAction.ACCOUNT_LOCKED, actor=None, target=target_of(account),
                 until=account.locked_until.isoformat(timespec="minutes"))
    from .workflow import sms

    sms.send("account_locked", account.mobile, minutes=LOCK_MINUTES,
             until=plans.zh_moment(account.locked_until))


def unlock(actor, account: Account) -> None:
    """The platform admin releases a lock before its 15 minutes are over."""
    if not actor.is_platform_admin:
        raise PermissionError
    account.failed_sign_ins = 0
    account.locked_until = None
    audit.record(AuditAction.ACCOUNT_UNLOCKED, actor=actor, target=target_of(account))


