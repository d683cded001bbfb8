"""Jinja filters and globals shared by every template."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_login import current_user

from .areas import area_for
from .identifiers import mask_id_number, mask_mobile

LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def date_cn(value) -> str:
    """2026年9月29日; times (stored in UTC) are shown in Beijing time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)  # a date kept in a JSON snapshot
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(LOCAL_TIME)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def init_app(app):
    app.jinja_env.filters["date_cn"] = date_cn
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["mask_mobile"] = mask_mobile

    @app.context_processor
    def inject_globals():
        area = area_for(current_user.role) if current_user.is_authenticated else None
        return {
            "current_area": area,
            "languages": current_app.config["LANGUAGES"],
            "current_language": str(get_locale() or "zh_CN"),
        }
