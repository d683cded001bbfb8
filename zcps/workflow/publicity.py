"""Step 5 — 信息公示: publicity batches of approved applications, their end by the calendar, and
the objections (异议) received during them."""
import re
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import (
    Action,
    Application,
    ApplicationStatus,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    OfficerDuty,
    Publicity,
    ReviewPlan,
    ReviewRecord,
    Subject,
    utcnow,
)

from .. import plans, unit_work, workdays
from ..extensions import db
from ..i18n import local_date, local_month_day
from . import sms
from .common import (
    AlreadyHandled,
    WorkflowError,
    locked,
    not_own,
    record_history,
    required_text,
    reviewing_unit,
    text,
)

# How far ahead a unit may set a period's end: a typo in the year should not hide an application.
MAX_PUBLICITY_SPAN = timedelta(days=90)
# How far ahead a period may start: enough to prepare one, not a date years away by mistake.
MAX_PUBLICITY_LEAD = timedelta(days=60)
IN_PUBLICITY = (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED)
# What a telephone number for objections may hold: digits, separators, an extension.
OBJECTION_PHONE_CHARS = re.compile(r"[0-9+\-－()（）\s转,，、/]+")
# Who acts when the calendar ends a period.
SYSTEM = "系统"
# What the history of a publicity started past the deadline says (written down: Chinese).
PAST_DEADLINE_NOTE = "已确认知晓公示结束后无法在单位审核推荐截止前推荐"


def unit_application(actor, application: Application) -> Application:
    """The unit's application, locked; anything else is not found."""
    return locked(application, actor, missing=_("申报不存在或不属于本单位。"))


def publicity_period(start: date, end: date | None = None) -> dict:
    """What the publicity form shows for a start date: the earliest end and any warning."""
    if not workdays.within_reach(start):
        raise WorkflowError(_("公示开始日期过晚，无法计算公示期。"))
    if end is not None and end - start > MAX_PUBLICITY_SPAN:
        raise WorkflowError(_("公示期过长，请检查公示结束日期。"))
    count_start_day = workdays.count_start_day_setting()
    earliest = workdays.earliest_end_date(start, count_start_day)
    end = end or earliest
    warnings = [_("%(year)s年的法定节假日安排尚未录入，公示期按周一至周五计算工作日，请核对。", year=year)
                for year in workdays.unofficial_years(start, max(end, earliest))]
    return {"start": start, "earliest_end": earliest, "end": end,
            "count_start_day": count_start_day, "warnings": warnings}


@dataclass
class DeadlineFit:
    """Whether a publicity ending on ``end`` leaves a working day to recommend the applications
    of ``plan`` before its 单位审核推荐截止."""

    plan: ReviewPlan
    end: date
    deadline: datetime
    latest_start: date
    # The first working day after the end, and the last one before the deadline.
    recommend_on: date
    last_day: date
    past: bool

    @property
    def in_time(self) -> bool:
        return not self.past and self.recommend_on <= self.last_day

    @property
    def text(self) -> str:
        values = {"plan": self.plan.name, "deadline": local_date(self.deadline),
                  "end": local_date(self.end), "day": local_date(self.recommend_on),
                  "latest": local_date(self.latest_start)}
        if self.past:
            return _("%(plan)s的单位审核推荐截止（%(deadline)s）已过，本批公示结束后不能在截止前推荐。",
                     **values)
        if self.in_time:
            return _("公示至%(end)s结束，可于%(day)s推荐，在%(plan)s的单位审核推荐截止（%(deadline)s）前；"
                     "最迟可于%(latest)s开始公示。", **values)
        return _("%(plan)s的单位审核推荐截止为%(deadline)s：公示至%(end)s结束后，截止前已没有可以推荐的工作日；"
                 "最迟应于%(latest)s开始公示。", **values)


def deadline_fit(applications, end_date: date) -> list[DeadlineFit]:
    """For each plan of ``applications``: whether a publicity ending on ``end_date`` still
    leaves a working day to recommend before the plan's 单位审核推荐截止, the deadline, and the
    latest start date that does."""
    by_id = {}
    for application in applications:
        by_id.setdefault(application.plan.id, application.plan)
    return plans_deadline_fit(by_id.values(), end_date)


def plans_deadline_fit(review_plans, end_date: date) -> list[DeadlineFit]:
    """``deadline_fit`` for the applications of ``review_plans`` (each plan once)."""
    by_id = {plan.id: plan for plan in review_plans}
    count_start_day = workdays.count_start_day_setting()
    recommend_on = workdays.first_workday_from(end_date + timedelta(days=1))
    return [DeadlineFit(plan=plan, end=end_date, deadline=plan.unit_deadline,
                        latest_start=workdays.latest_start_date(plan.unit_deadline,
                                                                count_start_day),
                        recommend_on=recommend_on,
                        last_day=workdays.last_workday_before(plan.unit_deadline),
                        past=plans.is_past(plan.unit_deadline))
            for plan in sorted(by_id.values(), key=lambda plan: plan.id)]


def late_fits(fits) -> list[DeadlineFit]:
    return [fit for fit in fits if not fit.in_time]


def objection_phone_number(value) -> str:
    """The telephone where objections are received, trimmed; refused when missing or not a
    telephone number (a landline such as 0571-88000001, with an extension, or a mobile)."""
    value = " ".join(text(value).split())
    if not value:
        raise WorkflowError(_("请填写异议受理电话（如0571-88000001）。"))
    digits = sum(char.isdigit() for char in value)
    if (len(value) > 40 or digits < 7
            or not OBJECTION_PHONE_CHARS.fullmatch(value)):
        raise WorkflowError(_("异议受理电话格式不正确，请填写座机号码（如0571-88000001）或手机号码。"))
    return value


def objection_address_text(value) -> str:
    value = " ".join(text(value).split())
    if not value:
        raise WorkflowError(_("请填写异议受理地址（接收书面异议的地址）。"))
    if len(value) > 200:
        raise WorkflowError(_("异议受理地址不超过200字。"))
    return value


def start_publicity(actor, applications, start_date: date, end_date: date | None = None,
                    objection_contact: str = "", past_deadline_confirmed: bool = False, *,
                    objection_phone: str = "", objection_address: str = "") -> Publicity:
    """The unit puts approved applications into a publicity batch (公示中).

    The telephone and the address where objections are received are required: the 公示表
    prints them above the table. ``objection_contact`` (office or person) is optional.

    The period must hold five working days: an end date before the earliest one is refused, a
    later one is allowed. A period after which no working day is left to recommend before a
    plan's 单位审核推荐截止 (or a deadline already past) needs ``past_deadline_confirmed``: the
    unit may still publicize, e.g. for next year.
    """
    unit = reviewing_unit(actor, OfficerDuty.PUBLICITY)
    applications = list(applications)
    if not applications:
        raise WorkflowError(_("请先勾选要公示的申报（审核通过的申报）。"))
    if start_date is None:
        raise WorkflowError(_("请填写公示开始日期。"))
    if start_date < workdays.today():
        raise WorkflowError(_("公示开始日期不能早于今天。"))
    if start_date > workdays.today() + MAX_PUBLICITY_LEAD:
        raise WorkflowError(_("公示开始日期不能晚于%(latest)s（今天起%(days)s天内），请检查公示开始日期。",
                              latest=local_date(workdays.today() + MAX_PUBLICITY_LEAD),
                              days=MAX_PUBLICITY_LEAD.days))
    objection_phone = objection_phone_number(objection_phone)
    objection_address = objection_address_text(objection_address)
    if len(text(objection_contact)) > 200:
        raise WorkflowError(_("异议受理联系人不超过200字。"))
    period = publicity_period(start_date, end_date)
    earliest = period["earliest_end"]
    end_date = end_date or earliest
    if end_date < earliest:
        raise WorkflowError(_("公示结束日期不能早于%(day)s（%(iso)s）：公示期须满%(n)s个工作日。",
                              day=local_month_day(earliest), iso=earliest.isoformat(),
                              n=workdays.PUBLICITY_WORKING_DAYS))
    # In id order, so that two batches over the same applications cannot deadlock.
    locked_ones = [unit_application(actor, application)
                   for application in sorted(applications, key=lambda record: record.id)]
    for application in locked_ones:
        not_own(actor, application.applicant)
        if application.status != ApplicationStatus.APPROVED:
            raise WorkflowError(_("%(name)s的申报当前为「%(status)s」，只有审核通过的申报可以公示，本批未公示。",
                                  name=application.applicant.name,
                                  status=application.status.label))
    late = late_fits(deadline_fit(locked_ones, end_date))
    if late and not past_deadline_confirmed:
        raise WorkflowError(_("%(problems)s如仍要公示，请勾选“我已知晓公示结束后无法在单位审核推荐截止前推荐”。",
                              problems="".join(fit.text for fit in late)))
    plan_names = list(dict.fromkeys(application.plan.name for application in
                                    sorted(locked_ones, key=lambda record: record.plan_id)))
    # The unit's second and later batches of a year are numbered, so each has its own title.
    earlier = db.session.scalar(
        sa.select(sa.func.count(Publicity.id))
        .where(Publicity.unit_id == unit.id,
               Publicity.start_date >= date(start_date.year, 1, 1),
               Publicity.start_date <= date(start_date.year, 12, 31)))
    batch = f"第{earlier + 1}批" if earlier else ""
    publicity = Publicity(
        unit_id=unit.id, start_date=start_date, end_date=end_date, earliest_end_date=earliest,
        count_start_day=period["count_start_day"], objection_contact=text(objection_contact),
        objection_phone=objection_phone, objection_address=objection_address,
        title=f"{unit.name}{'、'.join(plan_names)}{batch}申报人员公示", created_by_id=actor.id)
    db.session.add(publicity)
    db.session.flush()
    period_text = f"{workdays.month_day(start_date)}至{workdays.month_day(end_date)}"
    # The history says the unit knew the recommendation could not make the deadline.
    noted = f"（{PAST_DEADLINE_NOTE}）" if late else ""
    for application in locked_ones:
        application.status = ApplicationStatus.PUBLICIZING
        application.publicity_id = publicity.id
        record_history(Subject.APPLICATION, application, Action.PUBLICIZE,
                       ApplicationStatus.APPROVED, ApplicationStatus.PUBLICIZING, actor,
                       opinion=f"公示期：{period_text}{noted}", unit_id=unit.id,
                       applicant_id=application.applicant_id, round_no=application.round)
        sms.send("publicity_started", application.applicant.mobile,
                 name=application.applicant.name, title=application.qualification.name,
                 unit=unit.name, period=period_text)
    return publicity


# How long a request may trust "nothing to close today" before asking the database again: bounds
# what this process cannot hear of (another process's direct writes, a restored backup).
CLEAN_CHECK_SECONDS = 60
# Per engine: (day, monotonic time) of the last check that found nothing to close.
_found_clean: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def close_ended_publicities_when_due() -> int:
    """close_ended_publicities for a page request, without a query on most requests.

    After a check found no ended batch open on day D, none can be due until D + 1 — a new batch
    starts today or later (start_publicity) and lasts at least five working days — so the next
    requests of that day need not look again, for at most CLEAN_CHECK_SECONDS. A batch written
    through this process's session forgets the check at once (_forget_clean_check)."""
    engine = db.engine
    today = workdays.today()
    seen = _found_clean.get(engine)
    if seen is not None and seen[0] == today and time.monotonic() - seen[1] < CLEAN_CHECK_SECONDS:
        return 0
    closed = close_ended_publicities(today)
    if closed == 0:
        _found_clean[engine] = (today, time.monotonic())
    return closed


@sa.event.listens_for(Publicity, "after_insert")
@sa.event.listens_for(Publicity, "after_update")
def _forget_clean_check(mapper, connection, publicity):
    _found_clean.pop(connection.engine, None)


def close_ended_publicities(on: date | None = None) -> int:
    """Applications whose publicity has ended become 公示期满 (once, whoever gets there first).

    Runs on every request, so it starts from the ended batches not yet closed (an index holds
    them); a batch is closed once its applications have been moved. Returns how many batches
    it closed: the caller commits when that is not 0.
    """
    on = on or workdays.today()
    batches = db.session.execute(
        sa.select(Publicity.id, Publicity.end_date)
        .where(Publicity.closed_at.is_(None), Publicity.end_date < on)
        .order_by(Publicity.id)).all()
    if not batches:
        return 0
    for publicity_id, end_date in batches:
        due = db.session.execute(
            sa.select(Application.id, Application.unit_id, Application.applicant_id,
                      Application.round, Application.plan_id)
            .where(Application.publicity_id == publicity_id,
                   Application.status == ApplicationStatus.PUBLICIZING)
            # In id order, like every step that changes several rows: no two wait on each other.
            .order_by(Application.id)).all()
        for application_id, unit_id, applicant_id, round_no, plan_id in due:
            # A conditional update: of two requests closing the same row, exactly one changes it.
            result = db.session.execute(
                sa.update(Application)
                .where(Application.id == application_id,
                       Application.status == ApplicationStatus.PUBLICIZING)
                .values(status=ApplicationStatus.PUBLICIZED, status_since=utcnow(),
                        version=Application.version + 1)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                continue
            unit_work.touched(db.session, plan_id, unit_id)
            db.session.add(ReviewRecord(
                subject=Subject.APPLICATION, subject_id=application_id,
                action=Action.PUBLICITY_END, from_status=ApplicationStatus.PUBLICIZING.value,
                to_status=ApplicationStatus.PUBLICIZED.value,
                opinion=f"公示期于{workdays.month_day(end_date)}届满", remarks=[],
                round=round_no, actor_name=SYSTEM, unit_id=unit_id, applicant_id=applicant_id))
        db.session.execute(
            sa.update(Publicity).where(Publicity.id == publicity_id,
                                       Publicity.closed_at.is_(None))
            .values(closed_at=utcnow()).execution_options(synchronize_session=False))
    db.session.expire_all()
    return len(batches)


# --- objections (异议) ------------------------------------------------------------------------

# A posted resolution: the objection's state and action, and what becomes of the application.
OBJECTION_RESOLUTIONS = {
    "dismiss": (ObjectionStatus.DISMISSED, Action.DISMISS_OBJECTION, None),
    "not_recommend": (ObjectionStatus.UPHELD, Action.UPHOLD_OBJECTION,
                      ObjectionOutcome.NOT_RECOMMENDED),
    "return": (ObjectionStatus.UPHELD, Action.RETURN, ObjectionOutcome.RETURNED),
}
# What an upheld objection does to the application: its new state, action and SMS.
UPHELD_OUTCOMES = {
    ObjectionOutcome.NOT_RECOMMENDED: (ApplicationStatus.NOT_RECOMMENDED, Action.OBJECTION_UPHELD),
    ObjectionOutcome.RETURNED: (ApplicationStatus.RETURNED, Action.OBJECTION_RETURN),
}


def record_objection(actor, application: Application, content: str, received_on: date,
                     raised_by: str = "", entry_token: str | None = None) -> Objection:
    """The unit records an objection received during the application's publicity.

    ``entry_token`` is the random token of the form it was typed in: the same form posted
    again is refused (checked under the application's row lock, and a unique key).
    """
    unit = reviewing_unit(actor, OfficerDuty.PUBLICITY)
    application = unit_application(actor, application)
    not_own(actor, application.applicant)
    already = AlreadyHandled(_("该异议已登记，未重复登记。"))
    if entry_token is not None and db.session.scalar(sa.select(Objection.id).where(
            Objection.unit_id == unit.id, Objection.entry_token == entry_token)) is not None:
        raise already
    publicity = application.publicity
    if application.status not in IN_PUBLICITY or publicity is None:
        raise WorkflowError(_("%(name)s的申报当前为「%(status)s」，只能对公示中的申报登记异议。",
                              name=application.applicant.name, status=application.status.label))
    content = required_text(content, True, _("请填写异议内容。"))
    if received_on is None:
        raise WorkflowError(_("请填写收到异议的日期。"))
    if received_on < publicity.start_date or received_on > min(publicity.end_date,
                                                                 workdays.today()):
        raise WorkflowError(_("收到异议的日期应在公示期内（%(start)s至%(end)s），且不晚于今天。",
                              start=local_month_day(publicity.start_date),
                              end=local_month_day(publicity.end_date)))
    objection = Objection(application_id=application.id, publicity_id=publicity.id,
                          unit_id=unit.id, content=content, received_on=received_on,
                          raised_by=text(raised_by)[:100], status=ObjectionStatus.OPEN,
                          entry_token=entry_token)
    db.session.add(objection)
    try:
        db.session.flush()
    except IntegrityError as error:
        if "entry_token" in str(error.orig):  # uq_objection_entry_token
            raise already from None
        raise
    # The unit's record alone: who objected is not shown to the applicant.
    record_history(Subject.OBJECTION, objection, Action.RECORD_OBJECTION, None,
                   ObjectionStatus.OPEN, actor, opinion=content, unit_id=unit.id)
    return objection


def resolve_objection(actor, objection: Objection, resolution: str, reason: str) -> Objection:
    """属实 (不予推荐, or 退回修改 to the applicant) or 不属实 (the objection is cleared)."""
    unit = reviewing_unit(actor, OfficerDuty.PUBLICITY)
    objection = locked(objection, actor, missing=_("异议不存在或不属于本单位。"))
    not_own(actor, objection.application.applicant)
    if objection.status != ObjectionStatus.OPEN:
        raise AlreadyHandled(_("该异议已处理（%(status)s），未重复操作。",
                               status=objection.status.label))
    if resolution not in OBJECTION_RESOLUTIONS:
        raise WorkflowError(_("请选择处理结果：不属实、属实（不予推荐）或属实（退回修改）。"))
    reason = required_text(reason, True, _("请填写核查情况（处理意见）。"))
    status, action, outcome = OBJECTION_RESOLUTIONS[resolution]
    objection.status = status
    objection.outcome = outcome
    objection.resolution = reason
    objection.resolved_at = utcnow()
    objection.resolved_by_id = actor.id
    record_history(Subject.OBJECTION, objection, action, ObjectionStatus.OPEN, status, actor,
                   opinion=reason, unit_id=unit.id)
    if outcome is None:
        return objection
    application = unit_application(actor, objection.application)
    if application.status not in IN_PUBLICITY:
        raise AlreadyHandled(_("%(name)s的申报已为「%(status)s」，未重复操作。",
                               name=application.applicant.name, status=application.status.label))
    before = application.status
    after, application_action = UPHELD_OUTCOMES[outcome]
    application.status = after
    application.opinion = reason
    application.decided_at = utcnow()
    record_history(Subject.APPLICATION, application, application_action, before, after, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=application.applicant_id,
                   round_no=application.round)
    applicant = application.applicant
    sms.send(application_action.value, applicant.mobile, name=applicant.name,
             title=application.qualification.name, unit=unit.name, reason=reason)
    return objection
