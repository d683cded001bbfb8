"""The four role areas: where each role signs in and where it works."""
from dataclasses import dataclass

from models.enums import Role


@dataclass(frozen=True)
class Area:
    role: Role
    endpoint: str  # Flask-Admin endpoint of the area (its index is "<endpoint>.index")
    url: str
    name: str
    login_slug: str
    login_title: str
    username_label: str
    username_placeholder: str


AREAS = (
    Area(Role.APPLICANT, "me", "/me", "个人中心", "person", "个人登录", "身份证号",
         "18位身份证号"),
    Area(Role.EMPLOYER, "unit", "/unit", "用人单位", "unit", "法人登录", "统一社会信用代码",
         "18位统一社会信用代码"),
    Area(Role.ACCEPTANCE, "acceptance", "/acceptance", "受理点", "acceptance", "受理点登录",
         "用户名", ""),
    Area(Role.PLATFORM_ADMIN, "admin", "/admin", "平台管理", "admin", "管理员登录", "用户名", ""),
)

_BY_ROLE = {area.role: area for area in AREAS}
_BY_SLUG = {area.login_slug: area for area in AREAS}


def area_for(role: Role) -> Area:
    return _BY_ROLE[role]


def area_by_slug(slug: str) -> Area | None:
    return _BY_SLUG.get(slug)
