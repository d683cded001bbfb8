"""Bad input never makes a server error: every URL of the app, as each role of the demo data and
signed out, with ids that are not numbers or out of any integer's range, dates that do not
exist, unknown tabs, sorts, filters and actions, and forms full of such values.

Each answer must be below 500; what is refused is refused with a 4xx, a redirect or a form error,
and no row of any table has changed afterwards.
"""
from urllib.parse import urlencode

import pytest

from tests.crawl import DEMO_ROLES, demo_client, role_id, url_rules
from tests.helpers import CSRF_RE, every_row
from zcps import workflow
from zcps.extensions import db

HUGE = "99999999999999999999"  # beyond BIGINT
# What any page may read, all bad at once: ids, dates, choices, where to go next.
BAD_QUERIES = [
    "id=abc&ids=abc&applicant_id=abc&start=abc&year=abc&category=zzz&tab=zzz&name=zzz"
    "&query=abc&url=javascript:alert(1)&next=//evil.example/",
    f"id={HUGE}&ids={HUGE}&applicant_id={HUGE}&start={HUGE}&year={HUGE}&offset={HUGE}",
    "id=-1&ids=-1,abc&applicant_id=-1&start=2026-02-30&year=-1&id=%00",
]
# What a list reads, one bad value at a time (one could hide another).
BAD_LIST_QUERIES = [
    "page=abc", "page=-3", f"page={HUGE}", "page_size=abc", "page_size=-1", f"page_size={HUGE}",
    "sort=abc", "sort=99", "sort=-1", "desc=abc", "tab=zzz", "search=%27%20OR%201%3D1--",
    "search=%00", "flt0_0=abc", "flt0_0=2026-02-30", f"flt0_0={HUGE}", "flt99_99=x",
    "flt0_zz=x",
]
FORM = "application/x-www-form-urlencoded"
LISTS = ("index_view", "xlsx_export_view", "export", "index")
BAD_FORM_VALUE_SETS = [
    {"id": "abc", "ids": "abc", "rowid": "abc", "item_id": "abc", "applicant_id": "abc",
     "application_id": "abc", "objection_id": "abc", "acceptance_point_id": "abc",
     "list_form_pk": "abc", "unit_id": "abc", "qualification": "abc", "series": "abc",
     "action": "zzz", "decision": "zzz", "resolution": "zzz", "kind": "zzz", "level": "zzz",
     "start_date": "2026-02-30", "end_date": "abc", "received_on": "2026-13-01",
     "day": "abc", "date": "abc", "year": "abc", "sort_order": "abc",
     "opinion": "意" * 20000, "return_reason": "x" * 20000, "content": "x" * 20000,
     "id_number": "abc", "uscc": "abc", "mobile": "abc", "username": "x" * 500,
     "password": "x", "url": "javascript:alert(1)"},
    {"id": HUGE, "ids": HUGE, "rowid": HUGE, "item_id": HUGE, "applicant_id": HUGE,
     "application_id": HUGE, "objection_id": HUGE, "acceptance_point_id": HUGE,
     "list_form_pk": HUGE, "unit_id": HUGE, "qualification": HUGE, "series": HUGE,
     "action": "approve", "decision": "approve", "resolution": "dismiss", "sort_order": HUGE,
     "start_date": f"{HUGE}-01-01", "end_date": "0000-00-00", "received_on": "",
     "year": HUGE, "day": "9999-99-99"},
    {"opinion": "同意\x00", "return_reason": "\x00", "content": "\x00", "name": "\x00",
     "text": "\x00", "title": "\x00", "username": "\x00", "search": "\x00", "id": "1\x00"},
]
# Leaving the session or the language would end the run's sign-in; they are tested elsewhere.
SKIP_POST = {"auth.logout", "auth.set_language"}


def build(rule, value) -> str | None:
    values = {}
    for argument in rule.arguments:
        converter = type(rule._converters[argument]).__name__
        values[argument] = value if converter == "IntegerConverter" else "zzz"
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - a value the converter does not take
        return None


def urls(app):
    for rule in url_rules(app):
        for value in ((1, int(HUGE)) if rule.arguments else (None,)):
            url = build(rule, value)
            if url:
                yield rule, url


@pytest.mark.parametrize("username", DEMO_ROLES, ids=role_id)
def test_no_bad_input_makes_a_server_error(app, username):
    client, _ = demo_client(app, username)
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error answers 500: list them all
    page = client.get("/").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    # The first page a unit opens closes the publicities that ended; that is not bad input.
    if workflow.close_ended_publicities():
        db.session.commit()
    before = every_row()
    problems = []
    tried = 0
    # Each form encoded once, as a browser sends it, and posted to every URL.
    bodies = [urlencode({"csrf_token": token, **values}) for values in BAD_FORM_VALUE_SETS]
    for rule, url in urls(app):
        if "GET" in rule.methods:
            is_list = rule.endpoint.rsplit(".", 1)[-1] in LISTS
            for query in BAD_QUERIES + (BAD_LIST_QUERIES if is_list else []):
                response = client.get(f"{url}?{query}")
                tried += 1
                if response.status_code >= 500:
                    problems.append(f"GET {url}?{query}: {response.status_code}")
        if "POST" in rule.methods and rule.endpoint not in SKIP_POST:
            for values, body in zip(BAD_FORM_VALUE_SETS, bodies, strict=True):
                response = client.post(url, data=body, content_type=FORM)
                tried += 1
                if response.status_code >= 500:
                    problems.append(f"POST {url} {sorted(values)[:3]}…: {response.status_code}")
        db.session.rollback()
    assert tried > 1000
    assert not problems, "\n".join(problems)
    after = every_row()
    assert [name for name in before if before[name] != after[name]] == []


def test_what_bad_input_gets_instead(app):
    """A list ignores a page or filter value it does not have, an id no table can hold is not
    found, and a NUL character is a bad request, each on a Chinese page."""
    client, _ = demo_client(app, "91330106MA2B3C4D5D")
    listing = client.get("/unit/unit_archive/?tab=all").get_data(as_text=True)
    # A page below zero or beyond any list is the first page; an unknown 类别 is dropped: the
    # same rows as without them.
    for query in ("page=-3", f"page={HUGE}", "flt0_0=abc"):
        response = client.get(f"/unit/unit_archive/?tab=all&{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert page.count('name="rowid"') == listing.count('name="rowid"') > 0, query
    for url in (f"/unit/unit_application/file/{HUGE}/1", f"/unit/publicity/export/{HUGE}",
                f"/unit/unit_application/details/?id={HUGE}"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 404), url
        assert response.status_code == 404 or "记录不存在" in response.get_data(as_text=True)
    response = client.get("/unit/unit_archive/?search=%00")
    assert response.status_code == 400
    assert "提交的内容无法处理" in response.get_data(as_text=True)
    # In a form too: refused, nothing saved.
    before = every_row()
    token = CSRF_RE.search(client.get("/unit/opinions/new/").get_data(as_text=True)).group(1)
    response = client.post("/unit/opinions/new/", data={
        "csrf_token": token, "kind": "approve", "text": "同意\x00", "sort_order": "1"})
    assert response.status_code == 400
    assert every_row() == before


# Every form field a page takes, each with a value it cannot take.
BAD_FIELDS = {
    "start_date": "2026-02-30", "end_date": "2026-13-01", "received_on": "9999-99-99",
    "day": "2026-02-30", "date": "abc", "year": "abc", "sort_order": "abc", "decision": "zzz",
    "resolution": "zzz", "action": "zzz", "kind": "zzz", "level": "zzz", "review_method": "zzz",
    "series": "abc", "qualification": "abc", "acceptance_point_id": "abc", "mobile": "abc",
    "id_number": "abc", "officer_id_number": "abc", "officer_mobile": "abc", "officer_name": "",
    "birth_date": "2026-02-30", "current_title_date": "abc", "start": "abc", "end": "abc",
    "title": "", "author_rank": "abc", "item_id": "abc", "is_workday": "zz",
    "text": "x" * 5000, "note": "x" * 5000, "opinion": "x" * 5000,
}


@pytest.mark.parametrize("username", DEMO_ROLES[1:])
def test_forms_about_records_that_exist_refuse_bad_fields_without_a_server_error(app, username):
    """The same posts with ids of records that exist, so that the forms get as far as their
    fields: dates that do not exist, choices not offered, numbers that are not, texts too long."""
    client, _ = demo_client(app, username)
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
    problems = []
    for rule, url in urls(app):
        if "POST" not in rule.methods or rule.endpoint in SKIP_POST or HUGE in url:
            continue
        for n in ("1", "2"):
            ids = dict.fromkeys(("id", "ids", "rowid", "applicant_id", "objection_id",
                                 "application_id", "list_form_pk"), n)
            target = url + (f"?id={n}" if url.endswith("/") else "")
            response = client.post(target, data={"csrf_token": token, **BAD_FIELDS, **ids})
            if response.status_code >= 500:
                problems.append(f"POST {target}: {response.status_code}")
        db.session.rollback()
    assert not problems, "\n".join(problems)
