"""评审计划: every late step is refused in the workflow with its deadline, at the boundary of
18:00:00 Beijing time whatever the server's zone; an extension reopens the stage."""
import time as system_time
from datetime import datetime

import pytest

from models import ApplicationStatus, PlanState, ReviewStatus, TitleLevel
from tests import factories
from zcps import clock as system_clock
from zcps import plans, workflow
from zcps.extensions import db


def beijing(text: str) -> datetime:
    """A Beijing-time moment as the columns store it (naive UTC)."""
    return plans.from_beijing(datetime.fromisoformat(text))


def at(text: str):
    """Travel to a Beijing-time moment (the clock keeps running: within a second of it)."""
    return system_clock.travel(datetime.fromisoformat(text).replace(tzinfo=system_clock.BEIJING))


@pytest.fixture
def server_in_utc(monkeypatch):
    """The server's own zone is UTC, as on most hosts: nothing may read local time."""
    monkeypatch.setenv("TZ", "UTC")
    system_time.tzset()
    yield
    monkeypatch.undo()
    system_time.tzset()


@pytest.fixture
def world(app, clock, server_in_utc):
    """A unit with one approved-profile applicant, and a plan whose deadlines are days ahead
    of the fixture clock's 2026-09-29: 个人 10月9日, 单位 10月16日, 受理 10月23日, all 18:00."""
    unit = factories.unit()
    plan = factories.plan(
        "2026年度测试评审", apply_start=beijing("2026-09-01 09:00:00"),
        personal_deadline=beijing("2026-10-09 18:00:00"),
        unit_deadline=beijing("2026-10-16 18:00:00"),
        acceptance_deadline=beijing("2026-10-23 18:00:00"), contact="省职改办 0571-87000000")
    point = factories.acceptance_point(plan_record=plan)
    person = factories.applicant(unit, with_account=True)
    return {"unit": unit, "plan": plan, "point": point, "person": person,
            "officer": factories.employer(unit)}


def new_person(world):
    return factories.applicant(world["unit"], with_account=True)


def test_the_utc_columns_hold_beijing_moments_8_hours_earlier():
    assert beijing("2026-09-05 18:00:00") == datetime(2026, 9, 5, 10, 0, 0)
    assert plans.in_beijing(datetime(2026, 9, 5, 10, 0)) == datetime(2026, 9, 5, 18, 0)
    assert plans.zh_moment(datetime(2026, 9, 5, 10, 0)) == "2026年9月5日18:00"


def test_the_state_follows_the_dates(world):
    plan = world["plan"]
    assert plan.state_at(beijing("2026-09-01 08:59:59")) == PlanState.NOT_STARTED
    assert plan.state_at(beijing("2026-09-01 09:00:00")) == PlanState.OPEN
    assert plan.state_at(beijing("2026-10-09 17:59:59")) == PlanState.OPEN
    assert plan.state_at(beijing("2026-10-09 18:00:00")) == PlanState.CLOSED
    assert plan.state_at(beijing("2026-10-23 17:59:59")) == PlanState.CLOSED
    assert plan.state_at(beijing("2026-10-23 18:00:00")) == PlanState.ENDED


LATE_APPROVAL = ("2026年度测试评审的单位审核推荐截止时间（2026年10月16日 18:00）已过，不能通过。"
                 "如有疑问请联系省职改办 0571-87000000。")


def test_the_unit_approves_at_17_59_59_and_is_refused_at_18_00_00(world):
    first = factories.application(world["person"], ApplicationStatus.PENDING, plan=world["plan"])
    second = factories.application(new_person(world), ApplicationStatus.PENDING,
                                   plan=world["plan"])
    with system_clock.travel(beijing("2026-10-16 17:59:59").replace(tzinfo=None)):
        # Within the second before the deadline (the clock keeps running from there).
        workflow.review_application(world["officer"], first, "approve", "同意。")
    assert first.status == ApplicationStatus.APPROVED
    with system_clock.travel(beijing("2026-10-16 18:00:00")):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.review_application(world["officer"], second, "approve", "同意。")
    assert str(refused.value) == LATE_APPROVAL
    db.session.refresh(second)
    assert second.status == ApplicationStatus.PENDING


def test_the_server_zone_does_not_move_a_deadline(world, monkeypatch):
    """With the process in New York time the boundary is still 18:00 Beijing."""
    monkeypatch.setenv("TZ", "America/New_York")
    system_time.tzset()
    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    with system_clock.travel(beijing("2026-10-16 18:00:00")):
        with pytest.raises(workflow.WorkflowError, match="2026年10月16日 18:00"):
            workflow.review_application(world["officer"], application, "approve", "同意。")


def test_a_return_or_rejection_after_the_unit_deadline_is_still_possible(world):
    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    with at("2026-10-20 10:00:00"):
        workflow.review_application(world["officer"], application, "reject", "不符合条件。")
    assert application.status == ApplicationStatus.REJECTED


def _ready_draft(world):
    person = world["person"]
    person_account = person.account
    workflow.submit_profile(person_account)
    workflow.review_profile(world["officer"], person, "approve")
    items = factories.mandatory_items(person)
    application = factories.application(person, ApplicationStatus.DRAFT, items=items,
                                        plan=world["plan"])
    return application


def test_the_applicant_submits_until_the_personal_deadline(world):
    application = _ready_draft(world)
    with system_clock.travel(beijing("2026-10-09 18:00:00")):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.submit_application(world["person"].account, application, declared=True)
    assert str(refused.value) == (
        "2026年度测试评审的个人申报截止时间（2026年10月9日 18:00）已过，不能提交申报。"
        "如有疑问请联系省职改办 0571-87000000。")
    with system_clock.travel(beijing("2026-10-09 17:59:59")):
        workflow.submit_application(world["person"].account, application, declared=True)
    assert application.status == ApplicationStatus.PENDING


def test_a_returned_application_is_resubmitted_until_the_unit_deadline(world):
    application = factories.application(world["person"], ApplicationStatus.RETURNED,
                                        plan=world["plan"])
    owner = world["person"].account
    with at("2026-10-12 10:00:00"):  # after the personal deadline, before the unit's
        workflow.submit_application(owner, application, declared=True)
    assert application.status == ApplicationStatus.PENDING
    other = factories.application(new_person(world), ApplicationStatus.RETURNED,
                                  plan=world["plan"])
    with system_clock.travel(beijing("2026-10-16 18:00:00")):
        with pytest.raises(workflow.WorkflowError, match="单位审核推荐截止时间（2026年10月16日 18:00）已过，不能重新提交"):
            workflow.submit_application(other.applicant.account, other, declared=True)
    assert other.status == ApplicationStatus.RETURNED


def test_an_application_is_created_only_under_an_open_plan_that_offers_its_title(world):
    person, plan = world["person"], world["plan"]
    title = factories.qualification()

    def create(chosen_plan, level=title.level):
        return workflow.create_application(
            person.account, plan=chosen_plan, series=title.series, specialty="x", level=level,
            qualification=title, review_method=factories.ReviewMethod.REVIEW)

    with at("2026-08-31 10:00:00"):
        with pytest.raises(workflow.WorkflowError,
                           match="2026年度测试评审尚未开始申报，申报开始时间为2026年9月1日 09:00"):
            create(plan)
    with system_clock.travel(beijing("2026-10-09 18:00:00")):
        with pytest.raises(workflow.WorkflowError, match="个人申报截止时间.*已过，不能创建申报"):
            create(plan)
    senior_only = factories.plan("正高级评审", series=title.series, level=TitleLevel.SENIOR)
    with pytest.raises(workflow.WorkflowError, match="正高级评审不受理工程系列副高级的申报"):
        create(senior_only)
    with pytest.raises(workflow.WorkflowError, match="请选择评审计划"):
        create(None)
    assert create(plan).plan_id == plan.id


def test_the_unit_recommends_until_its_deadline_and_only_to_the_plans_points(world):
    late, wrong_point, fine = factories.applications(
        [world["person"], new_person(world), new_person(world)], ApplicationStatus.PUBLICIZED,
        plan=world["plan"])
    other_point = factories.acceptance_point("别的受理点", plan_record=factories.plan())
    with pytest.raises(workflow.WorkflowError,
                       match="别的受理点不受理2026年度测试评审的推荐，请选择："):
        workflow.recommend_application(world["officer"], wrong_point, other_point, "同意推荐。")
    workflow.recommend_application(world["officer"], fine, world["point"], "同意推荐。")
    assert fine.status == ApplicationStatus.RECOMMENDED
    with system_clock.travel(beijing("2026-10-16 18:00:00")):
        with pytest.raises(workflow.WorkflowError, match="已过，不能推荐。如有疑问请联系省职改办"):
            workflow.recommend_application(world["officer"], late, world["point"], "同意推荐。")
    assert late.status == ApplicationStatus.PUBLICIZED


def test_the_acceptance_point_decides_until_the_acceptance_deadline(world):
    accepted, returned, late = factories.applications(
        [world["person"], new_person(world), new_person(world)], ApplicationStatus.RECOMMENDED,
        acceptance_point=world["point"], plan=world["plan"])
    point_account = factories.acceptance_account(world["point"])
    with system_clock.travel(beijing("2026-10-23 17:59:59")):
        workflow.accept_application(point_account, accepted, "")
        workflow.return_to_unit(point_account, returned, "缺盖章页。")
    with system_clock.travel(beijing("2026-10-23 18:00:00")):
        for decide in (workflow.accept_application, workflow.return_to_unit):
            with pytest.raises(workflow.WorkflowError, match="受理截止时间（2026年10月23日 18:00）已过"):
                decide(point_account, late, "缺盖章页。")
    assert (accepted.status, returned.status, late.status) == (
        ApplicationStatus.ACCEPTED, ApplicationStatus.ACCEPTANCE_RETURNED,
        ApplicationStatus.RECOMMENDED)
    # After the acceptance point's return, handing it to the applicant follows the unit deadline.
    with system_clock.travel(beijing("2026-10-16 18:00:00")):
        with pytest.raises(workflow.WorkflowError, match="不能退回申报人修改"):
            workflow.return_to_applicant(world["officer"], returned, "请补充。")


def test_an_extension_reopens_the_stage(world):
    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    with at("2026-10-19 10:00:00"):
        with pytest.raises(workflow.WorkflowError, match="已过"):
            workflow.review_application(world["officer"], application, "approve", "同意。")
        world["plan"].unit_deadline = beijing("2026-10-21 18:00:00")
        workflow.review_application(world["officer"], application, "approve", "同意。")
    assert application.status == ApplicationStatus.APPROVED


def test_countdowns_and_waiting_days_count_beijing_calendar_days(world):
    plan = world["plan"]
    with at("2026-10-13 23:30:00"):  # 15:30 UTC: still the 13th in Beijing
        countdown = plans.next_deadline(plan)
        assert countdown.stage.value == "unit" and countdown.days == 3 and countdown.urgent
        assert countdown.text == "距截止还有3天"
        assert plans.waited_days(beijing("2026-10-12 00:10:00")) == 1
    with at("2026-10-16 09:00:00"):
        assert plans.next_deadline(plan).text == "今天18:00截止"
    with at("2026-10-10 09:00:00"):
        assert not plans.next_deadline(plan).urgent


def test_the_applicant_page_shows_the_stage_deadline(world, client):
    from tests.helpers import signed_in

    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    db.session.commit()
    signed_in(client, world["person"].account)
    page = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert "2026年度测试评审" in page
    assert "单位审核推荐截止" in page and "2026年10月16日 18:00" in page
    assert "距截止还有17天" in page


def test_without_an_open_plan_the_applicant_is_told_which_opens_when(app, client, clock):
    from tests.helpers import page_text, signed_in

    unit = factories.unit()
    person = factories.applicant(unit, with_account=True, profile_status=ReviewStatus.APPROVED)
    factories.plan("2027年度职称评审", apply_start=beijing("2027-03-01 09:00:00"),
                   personal_deadline=beijing("2027-06-30 18:00:00"),
                   unit_deadline=beijing("2027-08-31 18:00:00"),
                   acceptance_deadline=beijing("2027-09-30 18:00:00"))
    db.session.commit()
    signed_in(client, person.account)
    page = client.get("/me/applications/").get_data(as_text=True)
    assert ("目前没有正在申报的评审计划。2027年度职称评审将于2027年3月1日 09:00开始申报。"
            in page_text(page))
    assert 'href="/me/applications/new"' not in page
    form = client.get("/me/applications/new").get_data(as_text=True)
    assert "2027年度职称评审" not in form


def test_units_see_refusals_in_their_own_words_on_the_page(world, client):
    from tests.helpers import post, signed_in

    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    db.session.commit()
    signed_in(client, world["officer"])
    url = f"/unit/unit_application/review/?id={application.id}"
    with system_clock.travel(beijing("2026-10-16 18:00:01")):
        response = post(client, url, {"decision": "approve", "opinion": "同意。"},
                        token_from=url, follow_redirects=True)
    assert LATE_APPROVAL in response.get_data(as_text=True).replace("&lt;", "<")
    db.session.refresh(application)
    assert application.status == ApplicationStatus.PENDING




def test_a_ready_sentence_names_the_plan(world):
    application = factories.application(world["person"], ApplicationStatus.PENDING,
                                        plan=world["plan"])
    name = world["person"].name
    assert workflow.fill_template("{评审计划}：{姓名}同意推荐。", application) == \
        f"2026年度测试评审：{name}同意推荐。"
    assert workflow.fill_template("{plan}", application) == "2026年度测试评审"


def test_a_publicity_batch_is_titled_by_its_plan(world):
    application = factories.application(world["person"], ApplicationStatus.APPROVED,
                                        plan=world["plan"])
    publicity = workflow.start_publicity(world["officer"], [application],
                                         system_clock.today(), **factories.OBJECTION)
    assert publicity.title == f"{world['unit'].name}2026年度测试评审申报人员公示"
