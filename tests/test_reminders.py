"""截止提醒: units with records still waiting are reminded 7, 3 and 1 day(s) before the unit
deadline, applicants with a returned application 3 days before it; each reminder once (the
database's unique key), also when run twice or by two processes at the same moment."""
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from models import (
    Application,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    Notification,
    NotificationStatus,
    ReminderSent,
)
from tests import factories
from tests.helpers import ON_SERVERS, run_together
from zcps import cli, plans, workflow
from zcps import clock as system_clock
from zcps.extensions import db

REMINDERS = ("reminder_unit", "reminder_applicant")
UNIT_TEXT = ("【浙江职称】甲单位：2026年度测试评审的单位审核推荐截止时间为2026年10月16日18:00，还有{days}天，"
             "贵单位尚有{count}份申报待审核、公示或推荐，请抓紧办理，逾期将不能推荐。")


def beijing(text: str) -> datetime:
    """A Beijing-time moment as the columns store it (naive UTC)."""
    return plans.from_beijing(datetime.fromisoformat(text))


def october(day: int) -> date:
    return date(2026, 10, day)


@pytest.fixture
def world(app, clock):
    """On 2026-09-29, a plan whose unit deadline is 2026-10-16 18:00 Beijing time: 甲单位 with
    three records waiting for it (待审核, 审核通过, 公示中), 乙单位 with nothing waiting (a draft
    and a rejected application)."""
    plan = factories.plan(
        "2026年度测试评审", apply_start=beijing("2026-09-01 09:00:00"),
        personal_deadline=beijing("2026-10-09 18:00:00"),
        unit_deadline=beijing("2026-10-16 18:00:00"),
        acceptance_deadline=beijing("2026-10-23 18:00:00"))
    factories.acceptance_point(plan_record=plan)
    busy = factories.unit("甲单位")
    busy.contact_mobile = "13800000001"
    for status in (ApplicationStatus.PENDING, ApplicationStatus.APPROVED,
                   ApplicationStatus.PUBLICIZING):
        factories.application(factories.applicant(busy), status, plan=plan)
    idle = factories.unit("乙单位")
    idle.contact_mobile = "13800000002"
    factories.application(factories.applicant(idle), ApplicationStatus.DRAFT, plan=plan)
    factories.application(factories.applicant(idle), ApplicationStatus.REJECTED, plan=plan)
    db.session.commit()
    return {"plan": plan, "busy": busy, "idle": idle, "clock": clock}


def reminders_sent() -> list[Notification]:
    return db.session.scalars(db.select(Notification).where(Notification.template.in_(REMINDERS))
                              .order_by(Notification.id)).all()


def remind_on(day: date) -> int:
    system_clock.set(day)
    queued = workflow.send_reminders()
    db.session.commit()
    return queued


def reminded_days(first: date, last: date) -> dict:
    """Run the reminders every day from ``first`` to ``last``: {day: sorted mobiles} of the days
    something was queued."""
    days = {}
    day = first
    while day <= last:
        before = len(reminders_sent())
        queued = remind_on(day)
        mobiles = [message.mobile for message in reminders_sent()[before:]]
        assert queued == len(mobiles)
        if mobiles:
            days[day] = sorted(mobiles)
        day += timedelta(days=1)
    return days


def returned_application(unit, plan, name=None):
    person = factories.applicant(unit, name, with_account=True)
    return factories.application(person, ApplicationStatus.RETURNED, plan=plan)


def test_a_unit_with_records_waiting_is_reminded_7_3_and_1_days_before_its_deadline(world):
    days = reminded_days(date(2026, 9, 29), october(25))

    busy = world["busy"].contact_mobile
    assert days == {october(9): [busy], october(13): [busy], october(15): [busy]}


def test_the_unit_reminder_says_how_many_wait_and_the_deadline(world):
    assert remind_on(october(9)) == 1
    assert remind_on(october(13)) == 1
    assert remind_on(october(15)) == 1

    assert [(message.mobile, message.text) for message in reminders_sent()] == [
        ("13800000001", UNIT_TEXT.format(days=7, count=3)),
        ("13800000001", UNIT_TEXT.format(days=3, count=3)),
        ("13800000001", UNIT_TEXT.format(days=1, count=3)),
    ]


def test_the_count_follows_what_still_waits_that_day(world):
    pending = db.session.scalars(db.select(Application).filter_by(
        unit_id=world["busy"].id, status=ApplicationStatus.PENDING)).one()
    workflow.review_application(factories.employer(world["busy"]), pending, "reject",
                                factories.REASONS["reject"])
    db.session.commit()

    assert remind_on(october(9)) == 1
    assert reminders_sent()[0].text == UNIT_TEXT.format(days=7, count=2)


def test_no_reminder_on_the_deadline_day_or_after_it(world):
    system_clock.set(beijing("2026-10-16 17:59:59"))
    assert workflow.send_reminders() == 0
    system_clock.set(beijing("2026-10-16 18:00:00"))
    # Even asked about a reminder day, a deadline that has come reminds nobody.
    assert workflow.send_reminders(today=october(15)) == 0
    assert workflow.send_reminders(today=october(9)) == 0
    db.session.commit()
    assert reminders_sent() == []


def test_applicants_with_a_returned_application_are_reminded_3_days_before(world):
    plan = world["plan"]
    returned = returned_application(world["idle"], plan, "退回者")
    resubmitted = returned_application(world["idle"], plan, "已重新提交者")
    workflow.submit_application(factories.applicant_account(resubmitted.applicant), resubmitted, declared=True)
    factories.application(factories.applicant(world["idle"]), ApplicationStatus.APPROVED,
                          plan=plan)
    db.session.commit()

    days = reminded_days(date(2026, 9, 29), october(20))

    person = returned.applicant
    busy, idle = world["busy"].contact_mobile, world["idle"].contact_mobile
    # 乙单位 now has the resubmitted and the approved application waiting for it.
    assert days == {october(9): sorted([busy, idle]),
                    october(13): sorted([busy, idle, person.mobile]),
                    october(15): sorted([busy, idle])}
    [message] = [m for m in reminders_sent() if m.template == "reminder_applicant"]
    assert message.mobile == person.mobile
    assert message.text == (f"【浙江职称】退回者：您申报的{returned.qualification.name}已退回修改，"
                            "请在2026年10月16日18:00前修改后重新提交（2026年度测试评审单位审核推荐截止），"
                            "逾期将不能参加本次评审。")


def test_running_twice_queues_nothing_more(world):
    returned_application(world["idle"], world["plan"])
    db.session.commit()

    assert remind_on(october(13)) == 2
    assert remind_on(october(13)) == 0
    system_clock.set(datetime(2026, 10, 13, 17, 0, tzinfo=system_clock.BEIJING))
    assert workflow.send_reminders() == 0
    db.session.commit()

    assert len(reminders_sent()) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(ReminderSent)) == 2


def test_an_extended_deadline_makes_the_reminders_before_it_due_again(world):
    plan = world["plan"]
    assert remind_on(october(9)) == 1
    assert remind_on(october(13)) == 1

    # 延期 by a week: 7 days before the new deadline is 10月16日.
    plan.unit_deadline = beijing("2026-10-23 18:00:00")
    plan.acceptance_deadline = beijing("2026-10-30 18:00:00")
    db.session.commit()
    days = reminded_days(october(14), october(30))

    busy = world["busy"].contact_mobile
    assert days == {october(16): [busy], october(20): [busy], october(22): [busy]}
    assert "2026年10月23日18:00，还有7天" in reminders_sent()[2].text
    assert db.session.execute(db.select(ReminderSent.deadline, ReminderSent.days_before)
                              .order_by(ReminderSent.id)).all() == [
        (beijing("2026-10-16 18:00:00"), 7), (beijing("2026-10-16 18:00:00"), 3),
        (beijing("2026-10-23 18:00:00"), 7), (beijing("2026-10-23 18:00:00"), 3),
        (beijing("2026-10-23 18:00:00"), 1)]


def test_each_reminder_is_in_the_outbox_and_the_audit_log(world):
    returned = returned_application(world["idle"], world["plan"])
    db.session.commit()

    assert remind_on(october(13)) == 2

    messages = reminders_sent()
    assert [(m.template, m.status) for m in messages] == [
        ("reminder_applicant", NotificationStatus.PENDING),
        ("reminder_unit", NotificationStatus.PENDING)]
    entries = db.session.scalars(db.select(AuditLog).filter_by(action=AuditAction.REMINDER)
                                 .order_by(AuditLog.id)).all()
    plan = world["plan"]
    assert [(entry.actor_id, entry.target, entry.detail) for entry in entries] == [
        (None, f"applicant:{returned.applicant_id}",
         {"plan": plan.name, "plan_id": plan.id, "stage": "unit", "days": 3,
          "deadline": "2026年10月16日18:00", "count": 1}),
        (None, f"unit:{world['busy'].id}",
         {"plan": plan.name, "plan_id": plan.id, "stage": "unit", "days": 3,
          "deadline": "2026年10月16日18:00", "count": 3}),
    ]


def test_a_unit_without_a_mobile_gets_no_reminder(world):
    world["busy"].contact_mobile = ""
    db.session.commit()

    assert remind_on(october(9)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ReminderSent)) == 0


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_reminding_at_once_queue_each_reminder_once(app, world, attempt):
    plan = world["plan"]
    for n in range(3):
        unit = factories.unit(f"丙单位{n}")
        unit.contact_mobile = f"1380000010{n}"
        factories.application(factories.applicant(unit), ApplicationStatus.PENDING, plan=plan)
        returned_application(unit, plan)
    db.session.commit()
    system_clock.set(october(13))
    race = run_together(app, [workflow.send_reminders] * 2)
    results = race.results

    assert race.errors == []
    mobiles = [message.mobile for message in reminders_sent()]
    # 甲单位 and the three 丙单位, each with its returned applicant.
    assert len(mobiles) == 7 and len(set(mobiles)) == 7
    assert sum(results) == 7
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == AuditAction.REMINDER)) == 7


def test_the_remind_command_queues_and_says_how_many(world, runner):
    system_clock.set(october(9))

    result = runner.invoke(args=["zcps", "remind"])
    assert result.exit_code == 0, result.output
    assert "已加入发送队列的截止提醒短信 1 条" in result.output

    result = runner.invoke(args=["zcps", "remind"])
    assert "已加入发送队列的截止提醒短信 0 条" in result.output
    db.session.rollback()
    assert [message.mobile for message in reminders_sent()] == ["13800000001"]


def test_the_sending_loop_reminds_on_the_first_pass_of_each_day(world, runner, monkeypatch,
                                                                 app):
    system_clock.set(october(9))
    runs = []
    real = workflow.send_reminders

    def counted(today=None):
        runs.append(system_clock.today())
        return real(today)

    later = [datetime(2026, 10, 9, 23, 59, tzinfo=system_clock.BEIJING), october(10),
             october(13)]

    def fake_sleep(seconds):
        if not later:
            raise KeyboardInterrupt
        system_clock.set(later.pop(0))

    monkeypatch.setattr(workflow, "send_reminders", counted)
    monkeypatch.setattr(cli.time, "sleep", fake_sleep)
    result = runner.invoke(args=["zcps", "send-notifications", "--loop", "--interval", "1"])

    assert result.exit_code == 0, result.output
    assert runs == [october(9), october(10), october(13)]
    assert result.output.count("已加入发送队列的截止提醒短信 1 条") == 2
    lines = Path(app.config["SMS_FILE"]).read_text(encoding="utf-8").splitlines()
    sent = [json.loads(line) for line in lines]
    assert [line["text"] for line in sent if line["template"] == "reminder_unit"] == [
        UNIT_TEXT.format(days=7, count=3), UNIT_TEXT.format(days=3, count=3)]


def test_a_failed_reminder_pass_is_tried_again_on_the_next_pass(world, monkeypatch):
    system_clock.set(october(9))
    daily = cli.DailyReminders()
    calls = []

    def failing(today=None):
        calls.append(today)
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(workflow, "send_reminders", failing)
    with pytest.raises(RuntimeError):
        daily.run()
    monkeypatch.undo()
    db.session.rollback()

    assert daily.run() == 1
    assert daily.run() is None
