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
    AdminKind,
    Applicant,
    AuditAction,
    AuthorizationStatus,
    CodePurpose,
    Role,
    Unit,
    dummy_password_hash,
    utcnow,
)

from . import audit, plans, verification
from .extensions import db
from .identifiers import id_birth_date, id_sex, mask_id_number, normalize
from .passwords import WeakPassword, require_acceptable
from .workflow.common import WorkflowError, require_admin

__all__ = ["WeakPassword"]


class AlreadyRegistered(ValueError):
    pass


USCC_TAKEN = _l("该统一社会信用代码已注册，请直接登录；忘记密码请联系平台管理员。")
# Told only once the mobile typed is proven by its code: the owner, whose mobile is on record,
# is sent to sign in; anyone else is sent to the platform (the code is used up either way).
USCC_TAKEN_BY_OWNER = _l("该统一社会信用代码已用此手机号注册，请直接登录；忘记密码可在登录页点击「忘记密码」找回。")
USCC_HELD = _l("该统一社会信用代码已注册，但登记的联系人手机号不是此号码。如需找回账号，请联系平台管理员核实。")


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
ID_NUMBER_TAKEN_BY_OWNER = _l("该身份证号已用此手机号注册，请直接登录；忘记密码可在登录页点击「忘记密码」找回。")
ID_NUMBER_HELD = _l("该身份证号已被注册，登记的手机号不是此号码。如非本人注册，请携带身份证件联系平台管理员核实，"
                    "核实后可释放该身份证号再注册。")


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


def _register_verified(purpose, mobile, code, register, holder_mobile, owner_message,
                       held_message) -> Account:
    # The code is used up before anything is looked up: whether the number is taken is told
    # only to someone holding the mobile typed, and one code answers one attempt.
    verification.consume(mobile, purpose, code)
    try:
        with db.session.begin_nested():
            return register()
    except AlreadyRegistered:
        raise AlreadyRegistered(owner_message if db.session.scalar(holder_mobile) == mobile
                                else held_message) from None


def register_unit_verified(*, code, **fields) -> Account:
    """注册 of a unit whose contact mobile is proven by its 短信验证码. Raises
    verification.CodeRefused or AlreadyRegistered; the caller commits either way (the code)."""
    return _register_verified(
        CodePurpose.REGISTER_UNIT, fields["contact_mobile"], code,
        lambda: register_unit(**fields),
        sa.select(Unit.contact_mobile).where(Unit.uscc == fields["uscc"]),
        USCC_TAKEN_BY_OWNER, USCC_HELD)


def register_applicant_verified(*, code, **fields) -> Account:
    """注册 of an applicant whose mobile is proven by its 短信验证码 (as register_unit_verified)."""
    return _register_verified(
        CodePurpose.REGISTER_APPLICANT, fields["mobile"], code,
        lambda: register_applicant(**fields),
        sa.select(Applicant.mobile).where(Applicant.id_number == fields["id_number"]),
        ID_NUMBER_TAKEN_BY_OWNER, ID_NUMBER_HELD)


def set_unit_active(actor, unit: Unit, active: bool) -> None:
    require_admin(actor, AdminKind.SECURITY)
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
    require_admin(actor, AdminKind.SECURITY)
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
    """An account stopped: its sessions end at once (active again later, they stay ended)."""
    account.active = active
    if not active:
        end_sessions(account)


def change_account_active(actor, account: Account, active: bool) -> None:
    """The 安全管理员 stops or restarts a sign-in account (受理点, 申报人), audited."""
    require_admin(actor, AdminKind.SECURITY)
    if account.role not in (Role.ACCEPTANCE, Role.APPLICANT):
        raise WorkflowError(_("只能在此停用或启用受理点和申报人账号。"))
    if bool(account.active) == active:
        return
    set_account_active(account, active)
    audit.record(AuditAction.ACTIVATE_ACCOUNT if active else AuditAction.DEACTIVATE_ACCOUNT,
                 actor=actor, target=target_of(account))


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


def sign_in(role: Role, username: str, password: str, *, officer: bool = False) -> Account:
    """The account of ``role`` named ``username`` if ``password`` is its password and it may
    sign in now; otherwise SignInRefused. The caller commits either way (the count and the audit
    of a refusal are kept). ``officer``: 经办人登录, where a unit's officer is named by 身份证号 or
    手机号码; 法人登录 (not ``officer``) takes only the unit's own account."""
    account = db.session.execute(
        sa.select(Account).where(*_sign_in_names(role, username, officer))).scalar_one_or_none()
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
        if account.is_officer:
            raise SignInRefused(_("该经办人账号已停用或已过有效期，请联系本单位管理员。"))
        raise SignInRefused(_("该账号已停用，请联系平台管理员。"))
    account.failed_sign_ins = 0
    account.last_login_at = now
    audit.record(AuditAction.SIGN_IN, actor=account, target=target)
    return account


def _sign_in_names(role: Role, username: str, officer: bool) -> list:
    if role != Role.EMPLOYER:
        return [Account.role == role, Account.username == username]
    if not officer:
        return [Account.role == role, Account.username == username,
                Account.officer_duties.is_(None)]
    return [Account.role == role, Account.officer_duties.is_not(None),
            sa.or_(Account.username == username, Account.officer_mobile == username)]


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
    require_admin(actor, AdminKind.SECURITY)
    account.failed_sign_ins = 0
    account.locked_until = None
    audit.record(AuditAction.ACCOUNT_UNLOCKED, actor=actor, target=target_of(account))




# The roles whose accounts have a mobile on record, and where it is kept.
MOBILE_ON_RECORD = {Role.EMPLOYER: lambda account: account.unit.contact_mobile,
                    Role.APPLICANT: lambda account: account.applicant.mobile}


def account_with_mobile(role: Role, username: str, mobile: str) -> Account | None:
    """The active account signing in as ``username`` on ``role``'s page whose mobile on record
    is ``mobile``, else None (whichever of the three did not match)."""
    if role not in MOBILE_ON_RECORD:
        return None
    account = db.session.scalar(sa.select(Account).filter_by(role=role,
                                                            username=normalize(username)))
    if account is None or not account.is_active or MOBILE_ON_RECORD[role](account) != mobile:
        return None
    return account


def reset_password_by_code(*, role: Role, username: str, mobile: str, code: str,
                           password: str) -> Account:
    """忘记密码: the holder of the mobile on record sets a new password with the code sent for
    this account. Raises verification.CodeRefused (the same whatever did not match); the caller
    commits either way (the try counts)."""
    account = account_with_mobile(role, username, mobile)
    if account is None:
        raise verification.wrong_code()
    verification.consume(mobile, CodePurpose.RESET_PASSWORD, code, account=account)
    set_password(account, password, actor=account)
    audit.record(AuditAction.RESET_PASSWORD_BY_SMS, actor=account,
                 target=f"{role.value}:{account.username}")
    return account


RELEASED_USERNAME = "released-{id}"


def is_released(account: Account) -> bool:
    return account.username == RELEASED_USERNAME.format(id=account.id)


def release_id_number(actor, account: Account, reason: str) -> Applicant:
    """注销/释放: an applicant account registered with someone else's 身份证号 is stopped and the
    number freed, so that its real holder can register it. What the account holds (archive,
    applications, the unit's decisions) stays with the stopped account: nothing goes to the
    new one."""
    require_admin(actor, AdminKind.SECURITY)
    if account.role != Role.APPLICANT:
        raise WorkflowError(_("只能释放申报人账号的身份证号。"))
    if is_released(account):
        raise WorkflowError(_("该账号的身份证号已释放，未重复操作。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写释放原因。"))
    person = account.applicant
    number = person.id_number
    # No 身份证号 starts with a letter, so the placeholder frees the unique key for good.
    person.id_number = f"R{person.id:017d}"
    account.username = RELEASED_USERNAME.format(id=account.id)
    set_account_active(account, False)
    audit.record(AuditAction.RELEASE_ID_NUMBER, actor=actor, target=f"applicant:{person.id}",
                 id_number=mask_id_number(number), name=person.name, reason=reason[:500],
                 applications=len(person.applications))
    return person
