"""截止提醒: SMS reminders before a plan's unit deadline, each sent exactly once.

A unit with records still waiting for it (``plans.UNIT_WORK``) is reminded 7, 3 and 1 day(s)
before 单位审核推荐截止; an applicant whose returned application is not resubmitted, 3 days
before it. "Once" is the database's unique key ``uq_reminder_sent_once``: a reminder is
queued only by the transaction whose ``ReminderSent`` row went in, so running the reminders
twice, or in two processes at the same moment, never queues one twice. The caller commits.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from models import (
    Applicant,
    Application,
    ApplicationStatus,
    AuditAction,
    PlanStage,
    ReminderSent,
    ReviewPlan,
    Unit,
    utcnow,
)

from .. import audit, clock, plans
from ..database import insert_once
from ..extensions import db
from . import sms

# Days before the unit deadline (Beijing calendar days) on which each is reminded.
UNIT_REMINDER_DAYS = (7, 3, 1)
APPLICANT_REMINDER_DAYS = (3,)
ONCE_KEY = ("plan_id", "stage", "recipient", "deadline", "days_before")


@dataclass
class Reminder:
    """One reminder due today: whom (``recipient`` as the audit log names it), and its SMS."""

    plan: ReviewPlan
    deadline: datetime
    days: int
    recipient: str
    waiting: int
    template: str
    mobile: str
    values: dict = field(default_factory=dict)

    @property
    def order(self) -> tuple:
        # The unique index's order (one stage and deadline a plan per run; ASCII recipients
        # sort alike in Python and the index): every run claims its keys ascending, so two
        # runs at once wait on each other's first key instead of deadlocking over the gaps
        # InnoDB locks on a duplicate key.
        return self.plan.id, self.recipient


def send_reminders(today: date | None = None) -> int:
    """Queue today's reminders of every current plan; return how many were queued."""
    today = today or clock.today()
    now = utcnow()
    due = []
    for plan in plans.current_plans():
        deadline = plan.deadline(PlanStage.UNIT)
        if plans.is_past(deadline, now):
            continue
        days = plans.days_left(deadline, today)
        if days in UNIT_REMINDER_DAYS:
            due += unit_reminders(plan, days)
        if days in APPLICANT_REMINDER_DAYS:
            due += applicant_reminders(plan, days)
    queued = 0
    for reminder in sorted(due, key=lambda reminder: reminder.order):
        if _claim(reminder):
            sms.send(reminder.template, reminder.mobile, **reminder.values)
            _audit(reminder)
            queued += 1
    return queued


def unit_reminders(plan: ReviewPlan, days: int) -> list[Reminder]:
    """A reminder to each unit with records of ``plan`` still waiting for it."""
    waiting = (sa.select(Application.unit_id, sa.func.count().label("waiting"))
               .where(Application.plan_id == plan.id, Application.status.in_(plans.UNIT_WORK))
               .group_by(Application.unit_id).subquery())
    rows = db.session.execute(sa.select(Unit, waiting.c.waiting)
                              .join(waiting, waiting.c.unit_id == Unit.id).order_by(Unit.id))
    deadline = plan.deadline(PlanStage.UNIT)
    return [Reminder(plan, deadline, days, f"unit:{unit.id}", count, "reminder_unit",
                     unit.contact_mobile,
                     {"unit": unit.name, "plan": plan.name, "deadline": plans.zh_moment(deadline),
                      "days": days, "count": count})
            for unit, count in rows if (unit.contact_mobile or "").strip()]


def applicant_reminders(plan: ReviewPlan, days: int) -> list[Reminder]:
    """A reminder to each applicant whose application of ``plan`` was returned and is not
    resubmitted (one application per applicant and year is in progress)."""
    returned = db.session.scalars(
        sa.select(Application)
        .where(Application.plan_id == plan.id, Application.status == ApplicationStatus.RETURNED)
        .options(selectinload(Application.applicant), selectinload(Application.qualification))
        .order_by(Application.id)).all()
    deadline = plan.deadline(PlanStage.UNIT)
    reminders = {}
    for application in returned:
        person: Applicant = application.applicant
        if (person.mobile or "").strip():
            reminders.setdefault(person.id, Reminder(
                plan, deadline, days, f"applicant:{person.id}", 1, "reminder_applicant",
                person.mobile,
                {"name": person.name, "title": application.qualification.name,
                 "deadline": plans.zh_moment(deadline), "plan": plan.name}))
    return list(reminders.values())


def _claim(reminder: Reminder) -> bool:
    """Insert the reminder's ``ReminderSent`` row; False when it is already there (sent before,
    or by another process at this moment: the unique key makes the loser wait for the winner's
    commit and then find its row)."""
    row = {"plan_id": reminder.plan.id, "stage": PlanStage.UNIT, "recipient": reminder.recipient,
           "deadline": reminder.deadline, "days_before": reminder.days,
           "waiting": reminder.waiting, "created_at": utcnow()}
    return insert_once(db.session, ReminderSent.__table__, row, ONCE_KEY)


def _audit(reminder: Reminder) -> None:
    plan = reminder.plan
    audit.record(AuditAction.REMINDER, actor=None, target=reminder.recipient, plan=plan.name,
                 plan_id=plan.id, stage=PlanStage.UNIT.value, days=reminder.days,
                 deadline=plans.zh_moment(reminder.deadline), count=reminder.waiting)
