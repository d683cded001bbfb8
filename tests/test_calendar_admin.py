"""工作日历 in the platform area: single days, a whole year at once, and who may touch it."""
from datetime import date

import pytest

from models import AuditLog, Role, WorkdayOverride
from tests import factories
from tests.helpers import login_url, post, signed_in
from zcps import workdays
from zcps.extensions import db

BASE = "/admin/admin_calendar/"
BULK = BASE + "bulk/"
WARNING_2027 = "2027年的法定节假日安排尚未录入，公示期将按周一至周五计算工作日"


@pytest.fixture(autouse=True)
def late_2026(monkeypatch):
    """Today is 2026-11-28 and chinesecalendar knows 2004–2026, whatever the clock or version."""
    monkeypatch.setattr(workdays, "today", lambda: date(2026, 11, 28))
    monkeypatch.setattr(workdays, "official_year", lambda year: 2004 <= year <= 2026)


def add_day(day: date, is_workday: bool = False, note: str = "") -> WorkdayOverride:
    record = WorkdayOverride(day=day, is_workday=is_workday, note=note)
    db.session.add(record)
    db.session.commit()
    return record


def rows() -> list[WorkdayOverride]:
    db.session.expire_all()
    return db.session.scalars(db.select(WorkdayOverride).order_by(WorkdayOverride.day)).all()


# --- the list ----------------------------------------------------------------------------------

def test_list_shows_days_newest_first_with_their_kind(app, admin_client):
    add_day(date(2026, 10, 1), note="国庆节")
    add_day(date(2026, 10, 10), True, "国庆节调休")
    add_day(date(2027, 2, 8), note="春节")
    response = admin_client.get(BASE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("工作日历", "日期", "类型", "说明", "修改时间", "休息日", "工作日（调休上班）",
                 "国庆节调休", "录入全年安排", f'href="{BULK}"'):
        assert text in page, text
    newest, middle, oldest = (page.index(text) for text in (
        "2027年2月8日", "2026年10月10日", "2026年10月1日（"))
    assert newest < middle < oldest
    assert "2027年 (1)" in page and "2026年 (2)" in page and "全部 (3)" in page

    view = next(view for view in app.extensions["zcps_admins"]["admin"]._views
                if view.endpoint == "admin_calendar")
    assert view.page_size == 50
    assert str(view.category) == "系统"


def test_list_filters_by_year_and_searches_the_note(admin_client):
    add_day(date(2026, 10, 1), note="国庆节")
    add_day(date(2027, 2, 8), note="春节")
    page = admin_client.get(BASE + "?flt0_0=2027").get_data(as_text=True)
    assert "2027年2月8日" in page and "2026年10月1日" not in page
    searched = admin_client.get(BASE + "?search=国庆").get_data(as_text=True)
    assert "2026年10月1日" in searched and "2027年2月8日" not in searched


def test_home_menu_links_to_the_calendar(admin_client):
    assert BASE in admin_client.get("/admin/").get_data(as_text=True)


# --- single days -------------------------------------------------------------------------------

def test_admin_creates_a_day_off_and_a_worked_weekend(admin_client, root):
    form_page = admin_client.get(BASE + "new/").get_data(as_text=True)
    assert "休息日" in form_page and "工作日（调休上班）" in form_page
    for day, kind, note in (("2027-02-08", "0", " 春节 "), ("2027-02-14", "1", "")):
        response = post(admin_client, BASE + "new/", {"day": day, "is_workday": kind, "note": note},
                        token_from=BASE + "new/")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    day_off, worked = rows()
    assert (day_off.day, day_off.is_workday, day_off.note) == (date(2027, 2, 8), False, "春节")
    assert (worked.day, worked.is_workday, worked.note) == (date(2027, 2, 14), True, "")
    assert day_off.updated_by_id == root.id and worked.updated_by_id == root.id
    assert db.session.scalar(db.select(db.func.count(AuditLog.id))
                             .filter_by(action="workday_create")) == 2


def test_a_day_is_required_and_the_note_is_limited(admin_client):
    response = post(admin_client, BASE + "new/", {"day": "", "is_workday": "0"},
                    token_from=BASE + "new/")
    assert response.status_code == 200
    assert "请填写日期" in response.get_data(as_text=True)
    response = post(admin_client, BASE + "new/",
                    {"day": "2027-02-08", "is_workday": "0", "note": "长" * 101},
                    token_from=BASE + "new/")
    assert "说明最多100个字" in response.get_data(as_text=True)
    response = post(admin_client, BASE + "new/", {"day": "2027-02-08", "is_workday": "x"},
                    token_from=BASE + "new/")
    assert response.status_code == 200
    assert rows() == []


def test_admin_edits_a_day(admin_client, root):
    record = add_day(date(2027, 2, 14), note="待定")
    url = f"{BASE}edit/?id={record.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "2027-02-14" in page and "待定" in page
    response = post(admin_client, url, {"day": "2027-02-14", "is_workday": "1", "note": "春节调休"},
                    token_from=url)
    assert response.status_code == 302
    (edited,) = rows()
    assert (edited.is_workday, edited.note, edited.updated_by_id) == (True, "春节调休", root.id)


def test_admin_deletes_a_day_after_confirmation(admin_client):
    record = add_day(date(2027, 2, 8), note="春节")
    listing = admin_client.get(BASE).get_data(as_text=True)
    assert f'action="{BASE}delete/"' in listing and "data-confirm=" in listing
    response = post(admin_client, BASE + "delete/", {"id": str(record.id)}, token_from=BASE)
    assert response.status_code == 302
    assert rows() == []


def test_a_day_entered_twice_is_refused_with_a_message(admin_client):
    add_day(date(2027, 2, 8), note="春节")
    response = post(admin_client, BASE + "new/", {"day": "2027-02-08", "is_workday": "1"},
                    token_from=BASE + "new/")
    assert response.status_code == 200
    assert "2027年2月8日已经录入过（休息日）" in response.get_data(as_text=True)
    (only,) = rows()
    assert (only.is_workday, only.note) == (False, "春节")

    # Editing another day onto it is refused the same way.
    other = add_day(date(2027, 2, 9))
    url = f"{BASE}edit/?id={other.id}"
    response = post(admin_client, url, {"day": "2027-02-08", "is_workday": "0"}, token_from=url)
    assert response.status_code == 200
    assert "已经录入过" in response.get_data(as_text=True)
    assert [row.day for row in rows()] == [date(2027, 2, 8), date(2027, 2, 9)]


# --- a whole year at once ----------------------------------------------------------------------

def test_bulk_page_explains_the_format(admin_client):
    page = admin_client.get(BULK).get_data(as_text=True)
    assert "录入全年安排" in page
    assert "2027-02-14 班 春节调休" in page
    assert "2004年至2026年" in page
    assert WARNING_2027 in page
    assert 'name="csrf_token"' in page


def test_bulk_entry_saves_every_line_and_replaces_an_entered_day(admin_client, root):
    add_day(date(2027, 2, 8), True, "旧的")
    text = "2027-02-08 休 春节\n\n2027-02-14　班　春节调休\n2027-10-01 休\n"
    response = post(admin_client, BULK, {"entries": text}, token_from=BULK)
    assert response.status_code == 302
    assert response.headers["Location"] == BASE
    assert "已保存3个日期" in admin_client.get(BASE).get_data(as_text=True)
    saved = {row.day: (row.is_workday, row.note, row.updated_by_id) for row in rows()}
    assert saved == {date(2027, 2, 8): (False, "春节", root.id),
                     date(2027, 2, 14): (True, "春节调休", root.id),
                     date(2027, 10, 1): (False, "", root.id)}
    assert workdays.is_workday(date(2027, 2, 14))  # a Sunday, worked


def test_a_bad_line_saves_nothing_and_keeps_the_text(admin_client):
    add_day(date(2027, 2, 8), True, "旧的")
    text = "2027-02-08 休 春节\n2027-13-01 休\n2027-02-14 上班"
    response = post(admin_client, BULK, {"entries": text}, token_from=BULK)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "所有日期均未保存" in page
    assert "第2行「2027-13-01 休」：日期应写作 2027-02-08。" in page
    assert "第3行「2027-02-14 上班」" in page
    assert f">{text}</textarea>" in page
    (unchanged,) = rows()
    assert (unchanged.is_workday, unchanged.note) == (True, "旧的")


def test_a_bulk_entry_too_long_or_with_a_long_note_saves_nothing(admin_client):
    from views.platform import BULK_MAX_CHARS

    add_day(date(2027, 2, 8), True, "旧的")
    too_long = "2027-02-08 休 春节\n" + "\n" * BULK_MAX_CHARS
    page = post(admin_client, BULK, {"entries": too_long}, token_from=BULK).get_data(as_text=True)
    assert f"内容过长：一次最多{BULK_MAX_CHARS}个字符" in page
    long_note = "2027-02-08 休 春节\n2027-02-09 休 " + "春" * 101
    page = post(admin_client, BULK, {"entries": long_note}, token_from=BULK).get_data(as_text=True)
    assert "2027-02-09：说明最多100个字。" in page and "所有日期均未保存" in page
    (unchanged,) = rows()
    assert (unchanged.day, unchanged.is_workday, unchanged.note) == (date(2027, 2, 8), True, "旧的")


def test_an_empty_bulk_entry_is_refused(admin_client):
    response = post(admin_client, BULK, {"entries": "  \n"}, token_from=BULK)
    assert response.status_code == 200
    assert "请至少填写一行" in response.get_data(as_text=True)


def test_the_2027_warning_goes_once_the_year_is_entered(admin_client):
    assert WARNING_2027 in admin_client.get(BASE).get_data(as_text=True)
    assert workdays.unofficial_years(date(2027, 1, 1), date(2027, 12, 31)) == [2027]
    text = "\n".join(["2027-01-01 休 元旦", "2027-02-06 休 春节", "2027-02-07 休 春节",
                      "2027-02-08 休 春节", "2027-02-14 班 春节调休"])
    assert post(admin_client, BULK, {"entries": text}, token_from=BULK).status_code == 302
    assert WARNING_2027 not in admin_client.get(BASE).get_data(as_text=True)
    assert WARNING_2027 not in admin_client.get(BULK).get_data(as_text=True)
    assert workdays.unofficial_years(date(2027, 1, 1), date(2027, 12, 31)) == []


# --- CSRF and other roles ----------------------------------------------------------------------

def test_posts_without_a_csrf_token_are_refused(admin_client):
    record = add_day(date(2027, 2, 8), note="春节")
    for data in ({}, {"csrf_token": "forged"}):
        assert admin_client.post(BULK, data={**data, "entries": "2027-02-09 休"}).status_code == 400
        assert admin_client.post(BASE + "new/", data={
            **data, "day": "2027-02-10", "is_workday": "0"}).status_code == 400
        assert admin_client.post(BASE + "delete/", data={
            **data, "id": str(record.id)}).status_code == 400
    assert [row.day for row in rows()] == [date(2027, 2, 8)]


def other_account(role: Role):
    if role == Role.EMPLOYER:
        return factories.employer(factories.unit()), "/unit/"
    if role == Role.APPLICANT:
        return factories.applicant(factories.unit(), with_account=True).account, "/me/"
    return factories.acceptance_account(factories.acceptance_point()), "/acceptance/"


def calendar_urls(record_id: int) -> list[str]:
    return [BASE, BASE + "new/", f"{BASE}edit/?id={record_id}", f"{BASE}details/?id={record_id}",
            BULK, BASE + "export.xlsx"]


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.APPLICANT, Role.ACCEPTANCE],
                         ids=lambda role: role.value)
def test_other_roles_are_refused_everywhere(client, role):
    record = add_day(date(2027, 2, 8), note="春节")
    account, home = other_account(role)
    db.session.commit()
    signed_in(client, account)
    for url in calendar_urls(record.id):
        assert client.get(url).status_code == 403, url
    assert post(client, BULK, {"entries": "2027-02-08 班"}, token_from=home).status_code == 403
    assert post(client, BASE + "new/", {"day": "2027-02-09", "is_workday": "0"},
                token_from=home).status_code == 403
    assert post(client, BASE + "delete/", {"id": str(record.id)},
                token_from=home).status_code == 403
    (unchanged,) = rows()
    assert (unchanged.is_workday, unchanged.note) == (False, "春节")


def test_anonymous_visitor_is_sent_to_the_admin_sign_in(client):
    record = add_day(date(2027, 2, 8), note="春节")
    for url in calendar_urls(record.id):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith(login_url(Role.PLATFORM_ADMIN) + "?next="), url
    response = post(client, BULK, {"entries": "2027-02-08 班"},
                    token_from=login_url(Role.PLATFORM_ADMIN))
    assert response.status_code == 302
    (unchanged,) = rows()
    assert unchanged.is_workday is False
