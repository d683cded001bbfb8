"""统一社会信用代码 (GB 32100), 居民身份证号码 (GB 11643) and mobile numbers.

Check digits come from python-stdnum; this module only adds the platform's rules around them:
trim and upper-case first, refuse 15-digit legacy ID numbers, and give Chinese messages.
"""
import re
from datetime import date

from flask_babel import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from models.enums import Sex

MOBILE_RE = re.compile(r"^1\d{10}$")


class IdentifierError(ValueError):
    """A refused identifier; ``str(error)`` is the message to show beside the field."""


def normalize(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def clean_uscc(value: str | None) -> str:
    code = normalize(value)
    if not code:
        raise IdentifierError(_("请填写统一社会信用代码。"))
    if len(code) != 18:
        raise IdentifierError(_("统一社会信用代码应为18位。"))
    try:
        return uscc.validate(code)
    except ValidationError:
        raise IdentifierError(_("统一社会信用代码校验位不正确，请核对。")) from None


def clean_id_number(value: str | None) -> str:
    number = normalize(value)
    if not number:
        raise IdentifierError(_("请填写身份证号。"))
    if len(number) == 15:
        raise IdentifierError(_("不支持15位旧身份证号，请填写18位身份证号。"))
    if len(number) != 18:
        raise IdentifierError(_("身份证号应为18位。"))
    try:
        return ric.validate(number)
    except ValidationError:
        raise IdentifierError(_("身份证号校验不正确（校验位或出生日期有误），请核对。")) from None


def id_birth_date(number: str) -> date:
    return ric.get_birth_date(number)


def id_sex(number: str) -> Sex:
    # The 17th digit: odd for men, even for women (GB 11643).
    return Sex.MALE if int(number[16]) % 2 else Sex.FEMALE


def clean_mobile(value: str | None) -> str:
    mobile = re.sub(r"[\s-]+", "", value or "")
    if not MOBILE_RE.match(mobile):
        raise IdentifierError(_("手机号码应为以1开头的11位数字。"))
    return mobile


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    if len(mobile) != 11:
        return "*" * len(mobile)
    return mobile[:3] + "****" + mobile[-4:]
