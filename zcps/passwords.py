"""The password policy, the one rule for every place a password is chosen (等保2.0 level 3).

At least 8 characters of at least three of four kinds (upper case, lower case, digits, symbols),
not containing the account's own identifiers (统一社会信用代码, 身份证号, mobile) and not among the
common passwords of ``common_passwords.txt``. Hashes made before the policy stay as they are.
"""
import functools
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_CLASSES = 3
COMMON_FILE = Path(__file__).resolve().parent / "common_passwords.txt"


@functools.cache
def common_passwords() -> frozenset:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def character_classes(password: str) -> int:
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


def problem(password: str, identifiers=()) -> str | None:
    """Why ``password`` may not be chosen (a sentence to show), or None when it may.

    ``identifiers``: what identifies the account (its user name, USCC, 身份证号, mobile)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("密码至少8位。")
    if len(password) > MAX_LENGTH:
        return _("密码最多128位。")
    lowered = password.lower()
    for identifier in identifiers:
        identifier = (identifier or "").strip().lower()
        if len(identifier) >= 4 and identifier in lowered:
            return _("密码不能包含本账号的统一社会信用代码、身份证号、手机号码或用户名。")
    if lowered in common_passwords():
        return _("该密码过于常见，容易被猜中，请换一个。")
    if character_classes(password) < MIN_CLASSES:
        return _("密码须至少包含大写字母、小写字母、数字、符号中的三类。")
    return None


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why."""


def require_acceptable(password: str, identifiers=()) -> None:
    reason = problem(password, identifiers)
    if reason is not None:
        raise WeakPassword(reason)
