"""The four role areas: where each role signs in and where it works."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models.enums import Role


@dataclass(frozen=True)
class Area:
    role: Role
    endpoint: str  # Flask-Admin endpoint of the area (its index is "<endpoint>.index")
    url: str
    name: object  # lazy strings: shown in the language of the request
    login_slug: str
    login_title: object
    username_label: object
    username_placeholder: object


AREAS = (
    Area(Role.APPLICANT, "me", "/me", _l("个人中心"), "person", _l("个人登录"), _l("身份证号"),
         _l("18位身份证号")),
    Area(Role.EMPLOYER, "unit", "/unit", _l("用人单位"), "unit", _l("法人登录"),
         _l("统一社会信用代码"), _l("18位统一社会信用代码")),
    Area(Role.ACCEPTANCE, "acceptance", "/acceptance", _l("受理点"), "acceptance",
         _l("受理点登录"), _l("用户名"), ""),
    Area(Role.PLATFORM_ADMIN, "admin", "/admin", _l("平台管理"), "admin", _l("管理员登录"),
         _l("用户名"), ""),
)

# 用人单位登录 → 经办人登录: the unit's officers sign in to the unit's area by 手机号码 or 身份证号.
OFFICER_SIGN_IN = Area(Role.EMPLOYER, "unit", "/unit", _l("用人单位"), "officer", _l("经办人登录"),
                       _l("手机号码或身份证号"), _l("11位手机号码或18位身份证号"))

_BY_ROLE = {area.role: area for area in AREAS}
_BY_SLUG = {area.login_slug: area for area in (*AREAS, OFFICER_SIGN_IN)}


def area_for(role: Role) -> Area:
    return _BY_ROLE[role]


def area_by_slug(slug: str) -> Area | None:
    return _BY_SLUG.get(slug)
