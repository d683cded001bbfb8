"""短信验证码: proof that whoever fills in a form holds the mobile it names.

A code is six digits sent through the SMS outbox, stored only as an HMAC keyed by the app's
secret, valid ``LIFETIME``, used once, refused after ``MAX_TRIES`` wrong tries, and only the
latest code of a number and purpose counts. A number gets at most one code a minute and
``DAILY_LIMIT`` a day: checked here for a clear message, and held by the database's unique keys
(``sms_code.minute``, ``sms_code.day_number``) when several workers send at once. Per-address
limits are the views' (Flask-Limiter).
"""
import calendar
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import CodePurpose, SmsCode, utcnow

from .extensions import db
from .workflow import sms

LIFETIME = timedelta(minutes=5)
# The 激活码 a unit's roster import sends: the person may not read it the same day.
ACTIVATION_LIFETIME = timedelta(days=7)
MAX_TRIES = 5
INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 10
CODE_RE = re.compile(r"[0-9]{6}")


class CodeRefused(ValueError):
    """A code not sent or not accepted; ``str(error)`` says why, in the reader's language.

    After a refused code the caller commits all the same: the wrong try must count."""


def _digest(mobile: str, purpose: CodePurpose, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{mobile}:{purpose.value}:{code}".encode(), hashlib.sha256).hexdigest()


def _too_often() -> CodeRefused:
    return CodeRefused(_("获取验证码过于频繁，请%(n)s秒后再试。", n=int(INTERVAL.total_seconds())))


def send_code(mobile: str, purpose: CodePurpose, account=None, deliver: bool = True,
              invitation: dict | None = None) -> SmsCode:
    """Queue a new code to ``mobile`` in the caller's transaction, or refuse (CodeRefused).

    ``invitation`` ({name, unit}): the code activates an account a unit registered (激活码,
    valid ``ACTIVATION_LIFETIME``), sent in the roster invitation's words.

    ``deliver=False`` (a password reset for an account and mobile that do not match) keeps the
    row and its limits but sends nothing: asking again is refused alike either way, so the
    answers never tell whether the account has that mobile. No account, no code to accept."""
    now = utcnow().replace(microsecond=0)
    last = db.session.scalar(sa.select(sa.func.max(SmsCode.created_at))
                             .where(SmsCode.mobile == mobile))
    if last is not None and now - last < INTERVAL:
        wait = int((INTERVAL - (now - last)).total_seconds()) or 1
        raise CodeRefused(_("获取验证码过于频繁，请%(n)s秒后再试。", n=wait))
    sent_today = db.session.scalar(sa.select(sa.func.count(SmsCode.id)).where(
        SmsCode.mobile == mobile, SmsCode.day == now.date()))
    if sent_today >= DAILY_LIMIT:
        raise CodeRefused(_("该手机号今日获取验证码次数已达上限，请明天再试。"))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = SmsCode(mobile=mobile, purpose=purpose, account_id=getattr(account, "id", None),
                  code_hash=_digest(mobile, purpose, code),
                  minute=calendar.timegm(now.utctimetuple()) // 60, day=now.date(),
                  day_number=sent_today + 1, attempts=0,
                  ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
                  created_at=now,
                  expires_at=now + (ACTIVATION_LIFETIME if invitation is not None else LIFETIME))
    db.session.add(row)
    try:
        # Another worker sent one to this number a moment ago: its row holds the key.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _too_often() from None
    if deliver and invitation is not None:
        sms.send("roster_invitation", mobile, code=code, days=ACTIVATION_LIFETIME.days,
                 **invitation)
    elif deliver:
        sms.send("verification_code", mobile, code=code, purpose=purpose.zh,
                 minutes=int(LIFETIME.total_seconds() // 60))
    return row


def proven(mobile: str, purpose: CodePurpose, account) -> bool:
    """Whether ``account`` used a code for ``mobile`` and ``purpose`` within ``LIFETIME``."""
    return db.session.scalar(sa.select(sa.func.count(SmsCode.id)).where(
        SmsCode.mobile == mobile, SmsCode.purpose == purpose, SmsCode.account_id == account.id,
        SmsCode.used_at >= utcnow() - LIFETIME)) > 0


def wrong_code() -> CodeRefused:
    return CodeRefused(_("短信验证码错误或已失效，请重新获取。"))


def consume(mobile: str, purpose: CodePurpose, code: str | None, account=None) -> None:
    """Accept ``code`` as the latest one sent to ``mobile`` for ``purpose`` (and ``account``),
    and use it up; else raise CodeRefused. Commit after a refusal too, so the try counts."""
    wrong = wrong_code()
    query = sa.select(SmsCode).where(SmsCode.mobile == mobile, SmsCode.purpose == purpose)
    if account is not None:
        query = query.where(SmsCode.account_id == account.id)
    row = db.session.scalar(query.order_by(SmsCode.id.desc()).limit(1)
                            .execution_options(populate_existing=True))
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise wrong
    # Counted in the database, so that guesses sent at once cannot pass the limit together.
    counted = db.session.execute(
        sa.update(SmsCode).where(SmsCode.id == row.id, SmsCode.attempts < MAX_TRIES)
        .values(attempts=SmsCode.attempts + 1).execution_options(synchronize_session=False))
    if counted.rowcount != 1:
        raise CodeRefused(_("短信验证码错误次数过多，请重新获取。"))
    code = (code or "").strip()
    if not CODE_RE.fullmatch(code) or not hmac.compare_digest(
            row.code_hash, _digest(mobile, purpose, code)):
        raise wrong
    used = db.session.execute(
        sa.update(SmsCode).where(SmsCode.id == row.id, SmsCode.used_at.is_(None))
        .values(used_at=now.replace(microsecond=0)).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise wrong  # the same code used a moment ago by another request
