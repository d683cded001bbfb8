"""Review plans in time: Beijing-time deadlines, which plans are open, countdowns and waiting.

A plan's moments are stored as naive UTC; the admin types them, and everyone reads them, in
Beijing time whatever the server's zone (a deadline of 9月5日18:00 is 18:00:00 China time). A
stage is open while the clock is before its deadline.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask_babel import gettext as _

from models import ApplicationStatus, PlanStage, ReviewPlan, TitleLevel, utcnow

from . import clock
from .extensions import db
from .i18n import local_date

BEIJING = clock.BEIJING
# Days before a deadline at which the countdown turns red.
URGENT_DAYS = 3

# The deadline an application works towards in each status (None: no stage of the plan left).
STAGE_OF_STATUS = {
    ApplicationStatus.DRAFT: PlanStage.PERSONAL,
    ApplicationStatus.RETURNED: PlanStage.UNIT,
    ApplicationStatus.PENDING: PlanStage.UNIT,
    ApplicationStatus.APPROVED: PlanStage.UNIT,
    ApplicationStatus.PUBLICIZING: PlanStage.UNIT,
    ApplicationStatus.PUBLICIZED: PlanStage.UNIT,
    ApplicationStatus.ACCEPTANCE_RETURNED: PlanStage.UNIT,
    ApplicationStatus.ROUTE_RETURNED: PlanStage.UNIT,
    ApplicationStatus.RECOMMENDED: PlanStage.ACCEPTANCE,
}
# What still waits for the unit before its deadline.
UNIT_WORK = (ApplicationStatus.PENDING, ApplicationStatus.APPROVED,
             ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED,
             ApplicationStatus.ACCEPTANCE_RETURNED, ApplicationStatus.ROUTE_RETURNED)


def from_beijing(moment: datetime) -> datetime:
    """A moment typed in Beijing time (naive or aware) as the naive UTC the columns hold."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def in_beijing(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in Beijing time, naive: what a form shows."""
    return moment.replace(tzinfo=timezone.utc).astimezone(BEIJING).replace(tzinfo=None)


def beijing_date(moment: datetime) -> date:
    return in_beijing(moment).date()


def zh_moment(moment: datetime) -> str:
    """9月5日18:00 in Beijing time with its year, as SMS and written opinions say it."""
    local = in_beijing(moment)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def is_past(deadline: datetime, moment: datetime | None = None) -> bool:
    """Whether the deadline has come: at 18:00:00 a deadline of 18:00 is past, at 17:59:59
    it is not."""
    return (moment or utcnow()) >= deadline


def days_left(deadline: datetime, today: date | None = None) -> int:
    """Calendar days from today (Beijing) to the deadline's day: 0 on the day itself."""
    return (beijing_date(deadline) - (today or clock.today())).days


@dataclass
class Countdown:
    """The next deadline of a plan for a reader: 距截止还有N天, red at ≤ 3 days."""

    stage: PlanStage
    deadline: datetime

    @property
    def days(self) -> int:
        return days_left(self.deadline)

    @property
    def urgent(self) -> bool:
        return self.days <= URGENT_DAYS

    @property
    def text(self) -> str:
        if self.days <= 0:
            return _("今天%(time)s截止", time=f"{in_beijing(self.deadline):%H:%M}")
        return _("距截止还有%(n)s天", n=self.days)


def next_deadline(plan: ReviewPlan, stages=tuple(PlanStage)) -> Countdown | None:
    """The first of ``stages``' deadlines still ahead, or None when all have passed."""
    now = utcnow()
    ahead = sorted((plan.deadline(stage), stage) for stage in stages
                   if not is_past(plan.deadline(stage), now))
    return Countdown(ahead[0][1], ahead[0][0]) if ahead else None


def open_plans(series_id: int | None = None, level: TitleLevel | None = None) -> list:
    """Plans taking applications now (申报中), those offering the series and level when given."""
    now = utcnow()
    plans = db.session.scalars(sa.select(ReviewPlan).where(
        ReviewPlan.apply_start <= now, ReviewPlan.personal_deadline > now)
        .order_by(ReviewPlan.personal_deadline, ReviewPlan.id)).all()
    if series_id is not None and level is not None:
        plans = [plan for plan in plans if plan.offers(series_id, level)]
    return plans


def current_plans() -> list:
    """Plans begun and not ended: the ones whose deadlines still govern work."""
    now = utcnow()
    return db.session.scalars(sa.select(ReviewPlan).where(
        ReviewPlan.apply_start <= now, ReviewPlan.acceptance_deadline > now)
        .order_by(ReviewPlan.apply_start, ReviewPlan.id)).all()


def next_opening() -> ReviewPlan | None:
    """The next plan still to open."""
    return db.session.scalars(sa.select(ReviewPlan).where(ReviewPlan.apply_start > utcnow())
                              .order_by(ReviewPlan.apply_start, ReviewPlan.id).limit(1)).first()


def shown_plans() -> list:
    """What the applicant's pages and the guide name: the current plans and the next to open."""
    plans = current_plans()
    coming = next_opening()
    return plans + ([coming] if coming is not None else [])


def deadline_of(application) -> Countdown | None:
    """The deadline of the stage the application is in (None when no stage is left)."""
    stage = STAGE_OF_STATUS.get(application.status)
    if stage is None or application.plan is None:
        return None
    return Countdown(stage, application.plan.deadline(stage))


def waited_days(since: datetime | None, today: date | None = None) -> int | None:
    """Whole days a record has waited since ``since`` (Beijing calendar days)."""
    if since is None:
        return None
    return max(0, ((today or clock.today()) - beijing_date(since)).days)


def plan_contact(plan: ReviewPlan) -> str:
    return plan.contact or _("平台管理员")


def late_refusal(plan: ReviewPlan, stage: PlanStage, what: str) -> str:
    """The refusal of a step after its stage's deadline, in the platform's words."""
    return _("%(plan)s的%(stage)s时间（%(deadline)s）已过，不能%(what)s。如有疑问请联系%(contact)s。",
             plan=plan.name, stage=stage.label, deadline=local_date(plan.deadline(stage)),
             what=what, contact=plan_contact(plan))


def check_before(plan: ReviewPlan, stage: PlanStage, what: str) -> None:
    """Refuse (WorkflowError) a step of ``stage`` once its deadline has come."""
    from .workflow.common import WorkflowError

    if is_past(plan.deadline(stage)):
        raise WorkflowError(late_refusal(plan, stage, what))
