"""No Chinese outside user data and no raw code on any page of the English interface: the pages
of test_chinese_pages (every page each demo role reaches from its home page, and a signed-out
visitor's) read after switching to English, with what a screen reader, a confirmation or a
list's filter menu says; then error pages, form messages, refusals and flashes, which no link
leads to. What is written down (opinions on record, SMS) stays Chinese."""
import html
import json
import re
from datetime import date

import sqlalchemy as sa

from models import ApplicationStatus, Notification, ReviewRecord, WorkdayOverride
from models.base import LabeledEnum
from tests import factories
from tests.crawl import demo_client, reachable_pages, walked_roles
from tests.helpers import post, shown_text, signed_in
from zcps.extensions import db

# Chinese characters, and the punctuation of Chinese text (、。「」，：（）…), which English text
# does not use either.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]+")
# The language switch names Chinese in Chinese.
ALLOWED = ("中文",)
# Attributes a screen reader speaks or a pointer shows, and confirmations (data-confirm).
SPOKEN = re.compile(r'\s(?:title|aria-label|placeholder|alt|data-confirm)="([^"]*)"')
# The data Flask-Admin's scripts show: the bulk actions' confirmations and the filters' names
# and choices.
SCRIPT_DATA = re.compile(r'<div id="(actions-confirmation|message|filter-groups)-data"'
                         r' class="d-none">(.*?)</div>', re.S)


def strings(value):
    """Every string in a value read from JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def user_data() -> list[str]:
    """Every text the database holds that has Chinese in it (names, titles, opinions, SMS,
    ready sentences…), longest first; enum columns hold codes, not text."""
    texts = set()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns
                       if isinstance(column.type, sa.String | sa.JSON)
                       and not isinstance(column.type, sa.Enum)]
            if columns:
                for row in connection.execute(sa.select(*columns)):
                    texts.update(text for text in strings(list(row)) if CHINESE.search(text))
    return sorted(texts, key=len, reverse=True)


def filled_in(texts) -> re.Pattern:
    """The stored ready sentences ({姓名}同志…) as pages show them: filled in with an
    application's data, whole or cut short (…)."""
    patterns = []
    for text in texts:
        if not re.search(r"\{[^{}]+\}", text):
            continue
        tokens = [r"[^\n]*?" if part.startswith("{") else re.escape(character)
                  for part in re.split(r"(\{[^{}]+\})", text) if part
                  for character in ([part] if part.startswith("{") else part)]
        cut = ""
        for token in reversed(tokens[1:]):
            cut = f"(?:{token}{cut})?"
        patterns.append(f"{''.join(tokens)}|{tokens[0]}{cut}…")
    return re.compile("|".join(patterns) or "(?!)")


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def raw_codes() -> re.Pattern:
    """Every enum code that is not also an English word (``acceptance_returned``)."""
    codes = {member.value for enum in all_subclasses(LabeledEnum) for member in enum
             if "_" in member.value}
    return re.compile(r"(?<![\w-])(" + "|".join(sorted(codes, key=len, reverse=True))
                      + r")(?![\w-])")


def read_and_heard(page: str) -> str:
    """What a person reads on the page, and what a screen reader, a confirmation or a list's
    filter menu says."""
    spoken = [html.unescape(text) for text in SPOKEN.findall(page)]
    for name, data in SCRIPT_DATA.findall(page):
        data = json.loads(data)
        if name != "filter-groups":
            spoken += strings(data)
            continue
        for group, filters in data.items():  # {name: [{operation, options: [[code, label]]}]}
            spoken.append(group)
            for option in filters:
                spoken += [option["operation"], *(label for _code, label in option["options"] or ())]
    return shown_text(page) + "\n" + "\n".join(spoken)


class Reader:
    """Reads pages in English and reports what is not: Chinese that no user typed (the
    database's texts, taken when it is made), and raw codes."""

    def __init__(self):
        self.data = user_data()
        self.sentences = filled_in(self.data)
        self.codes = raw_codes()

    def not_english(self, page: str) -> list[str]:
        text = self.sentences.sub(" ", read_and_heard(page))
        for value in (*self.data, *ALLOWED):
            text = text.replace(value, " ")
        return sorted(set(CHINESE.findall(text)) | set(self.codes.findall(text)))


def words(page: str) -> str:
    """The page's text as one line, as a person reads it."""
    return " ".join(shown_text(page).split())


def in_english(client):
    """The client after the language switch."""
    assert post(client, "/lang/en", {"next": "/"}).status_code == 302
    return client


@walked_roles
def test_every_reachable_page_reads_in_english(app, username):
    client, start = demo_client(app, username, language="en")
    reader = Reader()
    found = {}
    for url, page in reachable_pages(client, start).items():
        problems = reader.not_english(page)
        if problems:
            found[url] = problems
    assert found == {}, "\n".join(f"{url}: {problems}" for url, problems in found.items())


def test_error_pages_read_in_english(client):
    unit_account = factories.employer(factories.unit("甲单位"))
    db.session.commit()
    in_english(client)
    missing = client.get("/no-such-page")
    expired = client.post("/logout")  # no CSRF token
    signed_in(client, unit_account)
    forbidden = client.get("/admin/")
    reader = Reader()
    for response, title in ((missing, "Not found"), (expired, "Page expired"),
                            (forbidden, "Not allowed")):
        page = response.get_data(as_text=True)
        assert title in words(page) and '<html lang="en">' in page
        assert reader.not_english(page) == []


def test_form_messages_read_in_english(client):
    in_english(client)
    page = post(client, "/register/unit",
                {"name": "", "uscc": "91330106MA2B3C4D5X", "legal_representative": "",
                 "address": "", "contact_name": "", "contact_mobile": "2380000000",
                 "password": "short", "confirm": "other"},
                token_from="/register/unit").get_data(as_text=True)
    for message in ("Fill in “Unit name”.", "please check the code",
                    "A mobile number has 11 digits and starts with 1.",
                    "The password needs at least 8 characters.",
                    "The two passwords differ."):
        assert message in page
    assert Reader().not_english(page) == []


def test_refusals_and_flashes_name_days_in_english_and_the_record_stays_chinese(client, clock):
    officer = factories.employer(factories.unit("甲单位"))
    application = factories.application(factories.applicant(officer.unit, "甲员工"),
                                        ApplicationStatus.APPROVED)
    db.session.commit()
    in_english(signed_in(client, officer))
    start = "/unit/publicity/start/"
    form = {"ids": str(application.id), "start_date": "2026-09-29",
            "objection_contact": "HR office", **factories.OBJECTION}
    page = post(client, start, {**form, "end_date": "2026-10-09"},
                token_from=start).get_data(as_text=True)
    assert ("The publicity cannot end before 12 Oct (2026-10-12): it must last 5 working days."
            in words(page))
    assert Reader().not_english(page) == []
    page = post(client, start, {**form, "end_date": ""}, token_from=start,
                follow_redirects=True).get_data(as_text=True)
    assert "Publicity started, 29 Sep 2026 to 12 Oct 2026, people: 1;" in words(page)
    assert "Publicity period: 29 Sep 2026 — 12 Oct 2026 (5 working days)" in words(page)
    assert "Can be recommended: from 13 Oct 2026" in words(page)
    assert Reader().not_english(page) == []
    # Written down in Chinese: the history's opinion and the SMS.
    opinions = db.session.scalars(sa.select(ReviewRecord.opinion)).all()
    assert "公示期：9月29日至10月12日" in opinions
    assert "公示期9月29日至10月12日" in db.session.scalars(
        sa.select(Notification.text).filter_by(template="publicity_started")).one()

    clock(date(2026, 10, 12))
    page = client.get(f"/unit/recommendation/recommend/?ids={application.id}").get_data(
        as_text=True)
    assert ("甲员工's publicity runs until 12 Oct; it can be recommended from 13 Oct 2026."
            in words(page))
    assert Reader().not_english(page) == []


def test_the_sms_outbox_names_its_messages_in_english(client):
    from zcps.notifications import queue_sms

    signed_in(client, factories.admin())
    queue_sms("13800000001", "authorization_approved", "【浙江职称】甲单位：您单位的授权已审核通过。")
    db.session.commit()
    in_english(client)
    page = client.get("/admin/admin_notification/?tab=all").get_data(as_text=True)
    assert "Authorization approved" in words(page) and "Waiting" in words(page)
    assert Reader().not_english(page) == []


def test_the_calendar_takes_its_entries_in_english_words(client):
    signed_in(client, factories.admin())
    in_english(client)
    bulk = "/admin/admin_calendar/bulk/"
    page = post(client, bulk, {"entries": "2027-02-08 off Spring Festival\n2027-02-31 off\n"},
                token_from=bulk).get_data(as_text=True)
    assert "Line 2 “2027-02-31 off”: write the date as 2027-02-08." in words(page)
    assert Reader().not_english(page) == []
    page = post(client, bulk, {"entries": "2027-02-08 off Spring Festival\n2027-02-14 work"},
                token_from=bulk, follow_redirects=True).get_data(as_text=True)
    assert "Dates saved: 2." in words(page) and "8 Feb 2027 (Monday)" in words(page)
    assert Reader().not_english(page) == []
    days = db.session.scalars(sa.select(WorkdayOverride).order_by(WorkdayOverride.day)).all()
    assert [(day.day, day.is_workday, day.note) for day in days] == [
        (date(2027, 2, 8), False, "Spring Festival"), (date(2027, 2, 14), True, "")]
