"""What changes with the reader's language besides the words: dates, lists, and the punctuation
around a label or an aside (Chinese writes 姓名：张三（男）, English Name: 张三 (Male)).

These are for the interface only. What is written down whatever the reader's language — history
opinions, the 公示表, SMS, the 委托证明 — keeps its Chinese dates (``workdays.month_day``).
"""
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
CHINESE = Locale.parse("zh_CN")
# (a date, a day of the year) per language; Chinese as the real platform writes them.
DATE_PATTERNS = {"zh": ("y年M月d日", "M月d日"), "en": ("d MMM y", "d MMM")}


def reader_locale() -> Locale:
    return get_locale() or CHINESE


def _patterns(locale: Locale) -> tuple[str, str]:
    return DATE_PATTERNS.get(locale.language, DATE_PATTERNS["en"])


def local_date(value) -> str:
    """2026年9月29日 / 29 Sep 2026; a time (stored in UTC) in Beijing time, with its minutes:
    2026年9月29日 14:05 / 29 Sep 2026 14:05."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)  # a date kept in a JSON snapshot
        except ValueError:
            return value
    if not isinstance(value, date):
        return str(value)
    locale = reader_locale()
    pattern = _patterns(locale)[0]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(LOCAL_TIME)
        return f"{_format_day(value.date(), pattern, locale)} {value:%H:%M}"
    return _format_day(value, pattern, locale)


@lru_cache(maxsize=8192)
def _format_day(day: date, pattern: str, locale: Locale) -> str:
    # A list shows dozens of dates a page, most of them on a few days; Babel parses the
    # pattern again on every call.
    return format_date(day, pattern, locale=locale)


def local_month_day(value: date) -> str:
    """9月29日 / 29 Sep: a day inside a year everyone knows from the context."""
    locale = reader_locale()
    return format_date(value, _patterns(locale)[1], locale=locale)


def weekday(value: date) -> str:
    """星期二 / Tuesday."""
    return format_date(value, "EEEE", locale=reader_locale())


def colon(label) -> Markup:
    """A label before its value, in a page: 姓名： / Name: ."""
    return Markup(escape(_("%(label)s："))) % {"label": label}


def colon_text(label) -> str:
    """``colon`` in plain text (a cell of an export, a summary escaped later)."""
    return _("%(label)s：", label=label)


def aside(text) -> Markup:
    """Words in brackets after what they qualify: （男） / (Male)."""
    return Markup(escape(_("（%(text)s）"))) % {"text": text}


def join_list(items) -> str:
    """Items of a list in a sentence: 教育经历、工作经历 / Education, Work experience."""
    return _("、").join(str(item) for item in items)


def source_text(label) -> str:
    """The Chinese a label was written in: ``_l("大学本科")`` → 大学本科."""
    return label._args[0] if isinstance(label, LazyString) else str(label)


def stored_choices(*labels) -> tuple:
    """Choices kept in the database as their Chinese words and shown in the reader's language:
    ``stored_choices(_l("优秀"), …)`` → (("优秀", _l("优秀")), …)."""
    return tuple((source_text(label), label) for label in labels)


def choice_label(choices, value) -> str:
    """The label of a stored choice, or the value itself when it is not one of them."""
    for stored, label in choices:
        if stored == value:
            return str(label)
    return "" if value is None else str(value)
