"""Publicity against the plan's 单位审核推荐截止, the acceptance point of the recommendation page,
and the plan in the 公示表's title.

The clock is on Tue 2026-09-29 10:00 (Beijing). By the calendar, 9/30 is a working day, 10/1–10/7
the National Day holiday, 10/8–10/10 working days (10/10 a Saturday made one), 10/11 a Sunday: a
publicity posted on 9/29 ends on 10/12, one posted on 9/30 on 10/13.
"""
import json
import re
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models import (
    Action,
    Application,
    ApplicationStatus,
    Publicity,
    ReviewRecord,
    Subject,
)
from tests import factories
from tests.helpers import page_text, post, signed_in
from zcps import workdays, workflow
from zcps.extensions import db
from zcps.plans import from_beijing
from zcps.publicity_table import publicity_applications, write_publicity_table
from zcps.workflow import WorkflowError

PLAN_NAME = "2026年度浙江省职称评审"
# Recommending on 10/13 is still before it: a start on 9/29 makes it, one on 9/30 does not.
DEADLINE = datetime(2026, 10, 13, 18, 0)
CONFIRMATION = "我已知晓公示结束后无法在单位审核推荐截止前推荐"
LATE_MESSAGE = (
    f"{PLAN_NAME}的单位审核推荐截止为2026年10月13日 18:00：公示至2026年10月13日结束后，"
    "截止前已没有可以推荐的工作日；最迟应于2026年9月29日开始公示。"
    f"如仍要公示，请勾选“{CONFIRMATION}”。")


def deadline_plan(deadline=DEADLINE, name=PLAN_NAME, **fields):
    return factories.plan(name, unit_deadline=from_beijing(deadline), **fields)


@pytest.fixture
def world(app, clock):
    unit = factories.unit("杭州测试研究院")
    officer = factories.employer(unit)
    plan = deadline_plan()
    person = factories.applicant(unit, "王小明")
    application = factories.application(person, ApplicationStatus.APPROVED, plan=plan)
    db.session.commit()
    return dict(unit=unit, officer=officer, plan=plan, person=person, application=application)


# --- the calendar -------------------------------------------------------------------------------

def test_first_working_day_on_or_after_a_day(app):
    assert workdays.first_workday_from(date(2026, 9, 30)) == date(2026, 9, 30)
    assert workdays.first_workday_from(date(2026, 10, 1)) == date(2026, 10, 8)
    assert workdays.first_workday_from(date(2026, 10, 11)) == date(2026, 10, 12)


def test_a_working_day_on_the_deadline_date_counts_only_after_nine(app):
    def last(hour, minute=0):
        return workdays.last_workday_before(from_beijing(datetime(2026, 10, 13, hour, minute)))

    assert workdays.OFFICE_OPENS.hour == 9
    assert last(9) == date(2026, 10, 12)
    assert last(8, 30) == date(2026, 10, 12)
    assert last(9, 1) == date(2026, 10, 13)
    assert last(18) == date(2026, 10, 13)
    # A deadline on Sunday 10/11 leaves Saturday 10/10, a working day by the holiday schedule;
    # one on Thursday 10/8 at 09:00 leaves 9/30, before the holiday.
    assert workdays.last_workday_before(from_beijing(datetime(2026, 10, 11, 18))) == date(2026, 10, 10)
    assert workdays.last_workday_before(from_beijing(datetime(2026, 10, 8, 9))) == date(2026, 9, 30)
    # A day alone: the whole of it.
    assert workdays.last_workday_before(date(2026, 10, 13)) == date(2026, 10, 13)


def test_latest_start_date_across_the_national_day_holiday(app):
    deadline = from_beijing(DEADLINE)
    # Recommending on 10/13 needs an end by 10/12: five working days back from it are 10/12,
    # 10/10, 10/9, 10/8 and 9/30, so the latest start (not counted) is 9/29.
    assert workdays.latest_start_date(deadline, False) == date(2026, 9, 29)
    assert workdays.earliest_end_date(date(2026, 9, 29), False) == date(2026, 10, 12)
    assert workdays.earliest_end_date(date(2026, 9, 30), False) == date(2026, 10, 13)
    # When the start day counts, 9/30 itself is the first of the five.
    assert workdays.latest_start_date(deadline, True) == date(2026, 9, 30)
    # A deadline on 10/13 before the office opens leaves 10/12 to recommend: an end by 10/10.
    assert workdays.latest_start_date(from_beijing(datetime(2026, 10, 13, 9)), False) \
        == date(2026, 9, 28)
    assert workdays.latest_start_date(date(2026, 10, 13), False) == date(2026, 9, 29)
    # After the holiday, with no holiday in the way.
    assert workdays.latest_start_date(from_beijing(datetime(2026, 10, 16, 18)), False) \
        == date(2026, 10, 9)


# --- the workflow -------------------------------------------------------------------------------

def test_deadline_fit_per_plan(world):
    other = deadline_plan(datetime(2026, 10, 20, 18), name="2026年度浙江省卫生系列职称评审")
    second = factories.application(factories.applicant(world["unit"]),
                                   ApplicationStatus.APPROVED, plan=other)
    fits = workflow.deadline_fit([world["application"], second, world["application"]],
                                 date(2026, 10, 13))
    assert [fit.plan.name for fit in fits] == [PLAN_NAME, "2026年度浙江省卫生系列职称评审"]
    assert [fit.in_time for fit in fits] == [False, True]
    assert fits[0].deadline == from_beijing(DEADLINE)
    assert fits[0].latest_start == date(2026, 9, 29)
    assert fits[1].recommend_on == date(2026, 10, 14)
    assert workflow.late_fits(fits) == [fits[0]]


def test_a_start_that_can_make_the_deadline_starts(world):
    publicity = workflow.start_publicity(world["officer"], [world["application"]],
                                         date(2026, 9, 29), **factories.OBJECTION)
    assert publicity.end_date == date(2026, 10, 12)
    assert world["application"].status == ApplicationStatus.PUBLICIZING
    [fit] = workflow.deadline_fit([world["application"]], publicity.end_date)
    assert fit.in_time and fit.recommend_on == date(2026, 10, 13)


def test_a_start_that_cannot_across_the_holiday_is_refused_with_the_deadline(world):
    with pytest.raises(WorkflowError) as refused:
        workflow.start_publicity(world["officer"], [world["application"]], date(2026, 9, 30), **factories.OBJECTION)
    assert str(refused.value) == LATE_MESSAGE
    # A later end than the earliest cannot make it either.
    with pytest.raises(WorkflowError):
        workflow.start_publicity(world["officer"], [world["application"]], date(2026, 9, 29),
                                 date(2026, 10, 13), **factories.OBJECTION)
    assert world["application"].status == ApplicationStatus.APPROVED
    assert db.session.scalar(db.select(db.func.count(Publicity.id))) == 0


def test_with_the_confirmation_it_starts_and_the_history_says_so(world):
    publicity = workflow.start_publicity(world["officer"], [world["application"]],
                                         date(2026, 9, 30), past_deadline_confirmed=True, **factories.OBJECTION)
    assert publicity.end_date == date(2026, 10, 13)
    assert world["application"].status == ApplicationStatus.PUBLICIZING
    record = db.session.scalars(db.select(ReviewRecord).where(
        ReviewRecord.subject == Subject.APPLICATION, ReviewRecord.action == Action.PUBLICIZE)
    ).one()
    assert record.opinion == ("公示期：9月30日至10月13日"
                              "（已确认知晓公示结束后无法在单位审核推荐截止前推荐）")


@pytest.mark.parametrize("minute, refused", [(0, True), (30, False)])
def test_the_deadline_day_counts_only_after_nine(app, clock, minute, refused):
    unit = factories.unit()
    plan = deadline_plan(datetime(2026, 10, 13, 9, minute))
    application = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED,
                                        plan=plan)
    # Posted on 9/29 the period ends on 10/12: only 10/13 is left to recommend on.
    if refused:
        with pytest.raises(WorkflowError, match="单位审核推荐截止为2026年10月13日 09:00"):
            workflow.start_publicity(factories.employer(unit), [application], date(2026, 9, 29), **factories.OBJECTION)
    else:
        workflow.start_publicity(factories.employer(unit), [application], date(2026, 9, 29), **factories.OBJECTION)
        assert application.status == ApplicationStatus.PUBLICIZING


def test_after_the_deadline_a_publicity_needs_the_confirmation(app, clock):
    unit = factories.unit()
    plan = deadline_plan(datetime(2026, 9, 28, 18), name="2026年度上半年职称评审",
                         personal_deadline=from_beijing(datetime(2026, 9, 25, 18)))
    clock(date(2026, 9, 21))
    application = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED,
                                        plan=plan)
    clock(date(2026, 9, 29))
    officer = factories.employer(unit)
    with pytest.raises(WorkflowError) as refused:
        workflow.start_publicity(officer, [application], date(2026, 9, 29), **factories.OBJECTION)
    assert str(refused.value) == (
        "2026年度上半年职称评审的单位审核推荐截止（2026年9月28日 18:00）已过，本批公示结束后不能在截止前推荐。"
        f"如仍要公示，请勾选“{CONFIRMATION}”。")
    workflow.start_publicity(officer, [application], date(2026, 9, 29),
                             past_deadline_confirmed=True, **factories.OBJECTION)
    assert application.status == ApplicationStatus.PUBLICIZING


# --- the pages ----------------------------------------------------------------------------------

def start(client, application, start_day, confirmed=False):
    data = {"ids": str(application.id), "start_date": start_day, "end_date": "",
            "objection_contact": "人事处 0571-88000001", **factories.OBJECTION}
    if confirmed:
        data["past_deadline"] = "1"
    return post(client, "/unit/publicity/start/", data, token_from="/unit/publicity/start/",
                follow_redirects=True)


def html(response):
    return response.get_data(as_text=True)


def confirmation_box(page):
    return re.search(r'<div id="past-deadline-box" class="([^"]*)">\s*<input([^>]*)>', page)


def test_the_form_shows_a_start_that_makes_it(client, world):
    signed_in(client, world["officer"])
    page = html(client.get(f"/unit/publicity/start/?ids={world['application'].id}"))
    assert (f"公示至2026年10月12日结束，可于2026年10月13日推荐，在{PLAN_NAME}的单位审核推荐截止"
            "（2026年10月13日 18:00）前；最迟可于2026年9月29日开始公示。") in page
    box = confirmation_box(page)
    assert "d-none" in box.group(1) and "required" not in box.group(2)
    response = start(client, world["application"], "2026-09-29")
    assert "已开始公示：1人" in page_text(response)
    assert 'data-testid="deadline-warning"' not in html(response)


def test_the_form_warns_and_needs_the_confirmation_when_it_cannot(client, world):
    signed_in(client, world["officer"])
    response = start(client, world["application"], "2026-09-30")
    page = html(response)
    assert LATE_MESSAGE in page_text(response)  # the refusal
    assert 'class="alert alert-warning py-2">' + LATE_MESSAGE.split("如仍要")[0] in page
    box = confirmation_box(page)
    assert "d-none" not in box.group(1) and "required" in box.group(2)
    assert CONFIRMATION in page
    assert db.session.get(Application, world["application"].id).status \
        == ApplicationStatus.APPROVED

    response = start(client, world["application"], "2026-09-30", confirmed=True)
    page = html(response)
    assert "已开始公示：1人，公示期2026年9月30日至2026年10月13日" in page
    # The batch page keeps the warning while the recommendation cannot make the deadline.
    publicity = db.session.scalars(db.select(Publicity)).one()
    assert re.search(r'data-testid="deadline-warning">' + re.escape(
        f"{PLAN_NAME}的单位审核推荐截止为2026年10月13日 18:00"), page)
    # It goes when the deadline is extended.
    world["plan"].unit_deadline = from_beijing(datetime(2026, 10, 20, 18))
    db.session.commit()
    page = html(client.get(f"/unit/publicity/details/?id={publicity.id}"))
    assert "已开始公示" not in page and "王小明" in page
    assert 'data-testid="deadline-warning"' not in page


def test_the_period_refresh_says_whether_the_start_makes_it(client, world):
    signed_in(client, world["officer"])
    application_id = world["application"].id
    late = json.loads(client.get(
        f"/unit/publicity/period/?start=2026-09-30&ids={application_id}").data)
    assert late["earliest_end"] == "2026-10-13" and late["confirm"] is True
    assert late["deadline"] == [{"text": LATE_MESSAGE.split("如仍要")[0], "in_time": False}]
    timely = json.loads(client.get(
        f"/unit/publicity/period/?start=2026-09-29&ids={application_id}").data)
    assert timely["confirm"] is False and timely["deadline"][0]["in_time"] is True
    # A later end typed in the form is what counts.
    later = json.loads(client.get(
        f"/unit/publicity/period/?start=2026-09-29&end=2026-10-13&ids={application_id}").data)
    assert later["confirm"] is True
    # Another unit's application is not found.
    stranger = factories.application(factories.applicant(factories.unit()),
                                     ApplicationStatus.APPROVED, plan=world["plan"])
    db.session.commit()
    assert client.get(f"/unit/publicity/period/?start=2026-09-29&ids={stranger.id}"
                      ).status_code == 404


# --- the recommendation page: the plan's acceptance points ----------------------------------------

def publicized(unit, plan):
    application = factories.application(factories.applicant(unit), ApplicationStatus.PUBLICIZED,
                                        plan=plan)
    db.session.commit()
    return application


def test_one_acceptance_point_is_shown_not_chosen(client, app, clock):
    unit = factories.unit()
    officer = factories.employer(unit)
    point = factories.acceptance_point("省人社厅受理点", plan_record=factories.plan())
    plan = factories.plan(points=[point])
    factories.acceptance_point("别的受理点")  # another plan's
    application = publicized(unit, plan)
    signed_in(client, officer)
    url = f"/unit/recommendation/recommend/?ids={application.id}"
    page = html(client.get(url))
    assert re.search(r'data-testid="acceptance-point">省人社厅受理点<', page)
    assert 'id="acceptance_point_id"' not in page and "别的受理点" not in page
    response = post(client, url, {"ids": str(application.id),
                                  "acceptance_point_id": str(point.id),
                                  f"opinion-{application.id}": "同意推荐。"},
                    token_from=url, follow_redirects=True)
    assert "已推荐至省人社厅受理点" in page_text(response)
    assert db.session.get(Application, application.id).acceptance_point_id == point.id


def test_two_acceptance_points_are_a_choice_and_several_plans_share_theirs(client, app, clock):
    unit = factories.unit()
    officer = factories.employer(unit)
    first, second, third = (factories.acceptance_point(name) for name in ("甲受理点", "乙受理点",
                                                                          "丙受理点"))
    one = publicized(unit, factories.plan(points=[first, second]))
    signed_in(client, officer)
    page = html(client.get(f"/unit/recommendation/recommend/?ids={one.id}"))
    select = re.search(r'<select id="acceptance_point_id".*?</select>', page, re.S).group(0)
    assert set(re.findall(r'<option value="\d+">([^<]+)</option>', select)) == {"甲受理点",
                                                                                 "乙受理点"}
    # Two plans: only the point both take.
    other = publicized(unit, factories.plan(points=[second, third]))
    page = html(client.get(f"/unit/recommendation/recommend/?ids={one.id}&ids={other.id}"))
    assert re.search(r'data-testid="acceptance-point">乙受理点<', page)
    assert 'id="acceptance_point_id"' not in page
    # None in common: no button, and why.
    apart = publicized(unit, factories.plan(name="2026年度卫生系列职称评审", points=[third]))
    page = html(client.get(f"/unit/recommendation/recommend/?ids={one.id}&ids={apart.id}"))
    assert "没有共同的受理点，请按评审计划分别推荐。" in page
    assert "推荐后申报将提交受理点" not in page


# --- the 公示表 ------------------------------------------------------------------------------------

def test_the_publicity_table_is_named_after_the_plan(client, world):
    publicity = workflow.start_publicity(world["officer"], [world["application"]],
                                         date(2026, 9, 29), **factories.OBJECTION)
    db.session.commit()
    title = "杭州测试研究院2026年度浙江省职称评审申报人员公示表"
    rows = load_workbook(BytesIO(write_publicity_table(
        publicity, publicity_applications(publicity, world["officer"])))).active
    assert rows["A1"].value == title
    signed_in(client, world["officer"])
    response = client.get(f"/unit/publicity/export/{publicity.id}")
    assert load_workbook(BytesIO(response.data)).active["A1"].value == title
