"""Where time shows: the unit's home counts down to each current plan's next deadline and says
what still waits for the unit in it; every queue says how long each record has waited
(已等待N天) and sorts by it in the database; the guide and the applicant's home name the plans.

The ``clock`` fixture puts today on Tuesday 2026-09-29, 10:00 Beijing time.
"""
import html
import re
from contextlib import contextmanager
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from models import Application, ApplicationStatus, ArchiveCategory, ReviewStatus
from tests import factories
from tests.helpers import signed_in
from zcps import clock as system_clock
from zcps import plans, workflow
from zcps.extensions import db


def beijing(text: str) -> datetime:
    return plans.from_beijing(datetime.fromisoformat(text))


@contextmanager
def on(day: date):
    """Take the steps inside on ``day`` (10:00 Beijing time): their timestamps say so."""
    with system_clock.travel(day):
        yield
        db.session.flush()


def a_plan(name, personal, unit_deadline, acceptance="2026-10-30 18:00:00"):
    return factories.plan(name, apply_start=beijing("2026-08-01 09:00:00"),
                          personal_deadline=beijing(personal),
                          unit_deadline=beijing(unit_deadline),
                          acceptance_deadline=beijing(acceptance))


def plan_card(page: str, name: str) -> str:
    cards = re.findall(r'data-testid="plan-card">.*?以上时间均为北京时间。', page, re.S)
    found = [card for card in cards if name in card]
    assert len(found) == 1, (name, cards)
    return found[0]


def shown(card: str, plan, status: ApplicationStatus) -> int:
    match = re.search(rf'data-testid="plan-{plan.id}-{status.value}">(\d+)</a>', card)
    return int(match.group(1))


# --- the unit's home ---------------------------------------------------------------------------

@pytest.fixture
def two_plans(app, clock):
    """甲: personal deadline past, the unit's in 2 days; 乙: personal deadline in 10 days."""
    return {
        "甲": a_plan("2026年度甲评审", "2026-09-20 18:00:00", "2026-10-01 18:00:00"),
        "乙": a_plan("2026年度乙评审", "2026-10-09 18:00:00", "2026-10-16 18:00:00"),
    }


def test_the_unit_home_counts_down_to_each_current_plans_next_deadline(two_plans, client):
    a_plan("2025年度已结束评审", "2025-09-20 18:00:00", "2025-10-01 18:00:00",
           acceptance="2025-10-30 18:00:00")
    factories.plan("2027年度评审", apply_start=beijing("2027-03-01 09:00:00"))
    unit = factories.unit()
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/").get_data(as_text=True)
    assert page.count('data-testid="plan-card"') == 2  # neither the ended nor the coming one
    late = plan_card(page, "2026年度甲评审")
    # Its applicants' deadline has passed: the unit's own is next, in 2 days, red.
    assert "单位审核推荐截止：2026年10月1日" in re.sub(r"<[^>]+>|\s", "", late)
    assert 'badge-danger" data-testid="countdown">距截止还有2天' in late
    ahead = plan_card(page, "2026年度乙评审")
    # The applicants' deadline comes first: 10 days, not red.
    assert "个人申报截止：2026年10月9日" in re.sub(r"<[^>]+>|\s", "", ahead)
    assert 'badge-light border" data-testid="countdown">距截止还有10天' in ahead
    assert "badge-danger" not in ahead
    assert "省职改办 0571-87000000" in ahead


@pytest.mark.parametrize("today,days,urgent", [
    (date(2026, 10, 12), 4, False), (date(2026, 10, 13), 3, True), (date(2026, 10, 16), 0, True),
])
def test_the_countdown_turns_red_at_three_days(two_plans, client, clock, today, days, urgent):
    unit = factories.unit()
    db.session.commit()
    signed_in(client, factories.employer(unit))
    clock(today)
    card = plan_card(client.get("/unit/").get_data(as_text=True), "2026年度乙评审")
    text = "今天18:00截止" if days == 0 else f"距截止还有{days}天"
    assert f'data-testid="countdown">{text}' in card
    assert ("badge-danger" in card) == urgent


def test_the_unit_home_counts_what_waits_in_each_plan_and_only_its_own(two_plans, client):
    late, ahead = two_plans["甲"], two_plans["乙"]
    unit, other = factories.unit("本单位"), factories.unit("另一单位")
    people = [factories.applicant(unit) for _ in range(6)]
    with on(date(2026, 9, 15)):  # before 甲's personal deadline
        factories.application(people[0], ApplicationStatus.PENDING, plan=late)
        factories.application(people[1], ApplicationStatus.APPROVED, plan=late)
        factories.application(people[2], ApplicationStatus.RETURNED, plan=late)
    factories.application(people[3], ApplicationStatus.PENDING, plan=ahead)
    factories.application(people[4], ApplicationStatus.PENDING, plan=ahead)
    factories.application(people[5], ApplicationStatus.PUBLICIZING, plan=ahead)
    for _ in range(3):
        factories.application(factories.applicant(other), ApplicationStatus.PENDING, plan=ahead)
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/").get_data(as_text=True)
    expected = {(plan_id, status): number for plan_id, status, number in db.session.execute(
        sa.select(Application.plan_id, Application.status, sa.func.count())
        .where(Application.unit_id == unit.id).group_by(Application.plan_id, Application.status))}
    for plan in (late, ahead):
        card = plan_card(page, plan.name)
        for status in plans.UNIT_WORK:
            assert shown(card, plan, status) == expected.get((plan.id, status), 0), (plan, status)
    assert shown(plan_card(page, late.name), late, ApplicationStatus.PENDING) == 1
    assert shown(plan_card(page, late.name), late, ApplicationStatus.APPROVED) == 1
    assert shown(plan_card(page, ahead.name), ahead, ApplicationStatus.PENDING) == 2  # not 5
    assert shown(plan_card(page, ahead.name), ahead, ApplicationStatus.PUBLICIZING) == 1
    # Each count opens the list that shows those applications.
    card = plan_card(page, ahead.name)
    assert html.unescape(card).count('href="/unit/unit_application/?tab=pending"') == 1
    assert 'href="/unit/recommendation/?tab=publicizing"' in html.unescape(card)


def test_the_unit_home_counts_with_one_grouped_query(two_plans, client):
    from tests.helpers import StatementLog

    unit = factories.unit()
    for plan in two_plans.values():
        with on(date(2026, 9, 15)):
            factories.application(factories.applicant(unit), ApplicationStatus.PENDING, plan=plan)
    db.session.commit()
    signed_in(client, factories.employer(unit))
    client.get("/unit/")
    with StatementLog(db.engine) as log:
        client.get("/unit/")
    by_plan = [s for s in log.statements if "group by application.plan_id" in s]
    assert len(by_plan) == 1


def test_without_a_current_plan_the_unit_home_says_so(app, client, clock):
    unit = factories.unit()
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/").get_data(as_text=True)
    assert 'data-testid="no-current-plan"' in page
    assert "目前没有进行中的评审计划。" in page


# --- 已等待N天 in the queues -------------------------------------------------------------------

def column_cells(page: str, column: str) -> list[str]:
    """The text of ``column``'s cells, row by row."""
    cells = re.findall(rf'<td class="col-{re.escape(column)}">(.*?)</td>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def sorted_by_waited(client, url: str) -> tuple[list[str], list[str], list[str]]:
    """The list sorted by 已等待 through its header's link, then again (the other way):
    (names ascending, waited ascending, names descending)."""
    page = client.get(url).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" title="[^"]*">已等待</a>', page)
    assert link, "已等待 is not sortable"
    ascending = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    again = re.search(r'<a href="([^"]+)" title="[^"]*">\s*已等待', ascending)
    descending = client.get(html.unescape(again.group(1))).get_data(as_text=True)
    assert "desc=1" in html.unescape(again.group(1))
    name_column = "name" if 'class="col-name"' in ascending else "applicant"
    return (column_cells(ascending, name_column), column_cells(ascending, "waited"),
            column_cells(descending, name_column))


@pytest.fixture
def unit_world(app, clock):
    unit = factories.unit()
    return {"unit": unit, "officer": factories.employer(unit)}


def test_application_review_shows_and_sorts_by_days_waited(unit_world, client):
    unit = unit_world["unit"]
    for name, day in (("甲九天", date(2026, 9, 20)), ("乙一天", date(2026, 9, 28)),
                      ("丙四天", date(2026, 9, 25))):
        with on(day):
            factories.application(factories.applicant(unit, name), ApplicationStatus.PENDING)
    with on(date(2026, 9, 10)):
        factories.application(factories.applicant(unit, "丁已退回"), ApplicationStatus.RETURNED)
    db.session.commit()
    signed_in(client, unit_world["officer"])
    page = client.get("/unit/unit_application/").get_data(as_text=True)
    # The default order stays: oldest submission first.
    assert column_cells(page, "applicant") == ["甲九天", "丙四天", "乙一天"]
    assert column_cells(page, "waited") == ["9天", "4天", "1天"]
    names, waited, descending = sorted_by_waited(client, "/unit/unit_application/?tab=all")
    assert names == ["乙一天", "丙四天", "甲九天", "丁已退回"]
    assert waited == ["1天", "4天", "9天", "—"]  # a returned application waits for the applicant
    assert descending == ["甲九天", "丙四天", "乙一天", "丁已退回"]


def test_archive_people_wait_since_their_oldest_item_or_basic_information(unit_world, client):
    unit = unit_world["unit"]
    items_only = factories.applicant(unit, "甲")
    with on(date(2026, 9, 20)):
        factories.archive_item(items_only)
    with on(date(2026, 9, 27)):
        factories.archive_item(items_only, category=ArchiveCategory.WORK, title="研发工程师")
    profile_first = factories.applicant(unit, "乙")
    with on(date(2026, 9, 22)):
        workflow.submit_profile(factories.applicant_account(profile_first))
    with on(date(2026, 9, 26)):
        factories.archive_item(profile_first)
    item_first = factories.applicant(unit, "丙", profile_status=ReviewStatus.APPROVED)
    with on(date(2026, 9, 28)):
        factories.archive_item(item_first)
    done = factories.applicant(unit, "丁")
    factories.archive_item(done, ReviewStatus.APPROVED)
    db.session.commit()
    signed_in(client, unit_world["officer"])
    names, waited, descending = sorted_by_waited(client, "/unit/archive-review/?tab=all")
    assert names == ["丙", "乙", "甲", "丁"]
    assert waited == ["1天", "7天", "9天", "—"]
    assert descending == ["甲", "乙", "丙", "丁"]
    # The default order stays: newest person first.
    page = client.get("/unit/archive-review/?tab=all").get_data(as_text=True)
    assert column_cells(page, "name") == ["丁", "丙", "乙", "甲"]


def test_archive_items_wait_since_submitted_and_sort_across_pages(unit_world, client):
    unit = unit_world["unit"]
    person = factories.applicant(unit, "甲")
    for day in range(1, 23):  # 22 pending items, submitted 2026-09-01 … 09-22
        with on(date(2026, 9, day)):
            factories.archive_item(person, title=f"业绩{day:02d}")
    factories.archive_item(person, ReviewStatus.APPROVED, title="已通过")
    db.session.commit()
    signed_in(client, unit_world["officer"])
    page = client.get("/unit/unit_archive/?tab=all").get_data(as_text=True)
    link = html.unescape(re.search(r'<a href="([^"]+)" title="[^"]*">已等待</a>', page).group(1))
    first = client.get(link).get_data(as_text=True)
    assert column_cells(first, "title")[:3] == ["业绩22", "业绩21", "业绩20"]
    assert column_cells(first, "waited")[:3] == ["7天", "8天", "9天"]
    second = client.get(link + "&page=1").get_data(as_text=True)
    assert column_cells(second, "title") == ["业绩02", "业绩01", "已通过"]
    assert column_cells(second, "waited") == ["27天", "28天", "—"]
    descending = client.get(link + "&desc=1").get_data(as_text=True)
    assert column_cells(descending, "title")[:2] == ["业绩01", "业绩02"]


def test_the_acceptance_inbox_shows_and_sorts_by_days_waited(app, client, clock):
    unit = factories.unit()
    point = factories.acceptance_point()
    for name, day in (("甲", date(2026, 9, 8)), ("乙", date(2026, 9, 22)),
                      ("丙", date(2026, 9, 15))):
        with on(day):
            factories.application(factories.applicant(unit, name), ApplicationStatus.RECOMMENDED,
                                  acceptance_point=point)
    factories.application(factories.applicant(unit, "丁"), ApplicationStatus.ACCEPTED,
                          acceptance_point=point)
    db.session.commit()
    waited = {record.applicant.name: plans.waited_days(record.status_since)
              for record in db.session.scalars(sa.select(Application))}
    assert waited["乙"] < waited["丙"] < waited["甲"]
    signed_in(client, factories.acceptance_account(point))
    names, shown_days, descending = sorted_by_waited(client, "/acceptance/inbox/?tab=all")
    assert names == ["乙", "丙", "甲", "丁"]
    assert shown_days == [f"{waited[name]}天" for name in ("乙", "丙", "甲")] + ["—"]
    assert descending == ["甲", "丙", "乙", "丁"]


# --- the guide and the applicant's home ---------------------------------------------------------

def test_the_guide_and_the_applicants_home_name_the_plans_and_their_dates(two_plans, client,
                                                                          make_client):
    unit = factories.unit()
    person = factories.applicant(unit, with_account=True)
    db.session.commit()
    signed_in(client, factories.employer(unit))
    guide = client.get("/unit/guide/").get_data(as_text=True)
    applicant = signed_in(make_client(), person.account)
    home = applicant.get("/me/").get_data(as_text=True)
    for page in (guide, home):
        assert "2026年度甲评审" in page and "2026年度乙评审" in page
        assert "2026年10月9日" in page and "2026年10月16日" in page
