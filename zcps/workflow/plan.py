"""评审计划 — the platform admin keeps the year's plans: what they cover, where recommendations
go, and the stage deadlines. Moving a deadline (延期, or earlier) is audited and tells by SMS
whoever that deadline binds now, in the same transaction as the change."""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    AdminKind,
    Applicant,
    Application,
    ApplicationStatus,
    AuditAction,
    PlanSeries,
    PlanStage,
    ReviewPlan,
    Unit,
)
from models.base import utcnow

from .. import audit, clock, plans
from ..extensions import db
from . import sms
from .common import WorkflowError, require_admin

# The plan's moments, in their order: 申报开始 < 个人申报截止 ≤ 单位审核推荐截止 ≤ 受理截止.
MOMENTS = ("apply_start", "personal_deadline", "unit_deadline", "acceptance_deadline")
STAGE_OF_MOMENT = {"personal_deadline": PlanStage.PERSONAL, "unit_deadline": PlanStage.UNIT,
                   "acceptance_deadline": PlanStage.ACCEPTANCE}
# A plan's year is near the present: a typo (206, 20266) is refused, not published.
EARLIEST_YEAR = 2000
YEARS_AHEAD = 2


# The plan changed (another admin saved it) since the page was opened.
PLAN_CHANGED = _l("该评审计划已被他人修改，您的修改未保存。请重新打开该计划，核对后再修改。")


class PlanRefused(WorkflowError):
    """A plan that cannot be saved; ``field`` names the form field the message is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class PlanSaved:
    """What ``save_plan`` did: the deadlines it moved ({stage: (before, after)}) and whom it
    told by SMS."""

    plan: ReviewPlan
    moved: dict = field(default_factory=dict)
    units: int = 0
    applicants: int = 0


def plan_moments(plan: ReviewPlan) -> dict:
    """The plan's four moments as they are now: what ``save_plan`` compares with (``before``)."""
    return {name: getattr(plan, name) for name in MOMENTS}


def moment_label(name: str) -> str:
    if name == "apply_start":
        return _("申报开始")
    return STAGE_OF_MOMENT[name].label


def cover(plan: ReviewPlan, series, levels=()) -> None:
    """Make the plan cover each of ``series`` at each of ``levels`` (every level when none).
    Rows it already has are kept, so saving the same coverage again changes nothing."""
    wanted = {(item.id, level) for item in series for level in (list(levels) or [None])}
    for row in list(plan.coverage):
        if (row.series_id, row.level) in wanted:
            wanted.discard((row.series_id, row.level))
        else:
            plan.coverage.remove(row)
    by_id = {item.id: item for item in series}
    for series_id, level in sorted(wanted, key=lambda pair: (pair[0], pair[1] or "")):
        plan.coverage.append(PlanSeries(series=by_id[series_id], series_id=series_id,
                                        level=level))


def check_plan(plan: ReviewPlan) -> None:
    """Refuse (PlanRefused) a plan that cannot be published as it is."""
    plan.name = (plan.name or "").strip()
    if not plan.name:
        raise PlanRefused(_("请填写计划名称。"), "name")
    last_year = clock.today().year + YEARS_AHEAD
    if plan.year is None or not EARLIEST_YEAR <= plan.year <= last_year:
        raise PlanRefused(_("年度应为%(first)s年至%(last)s年之间的年份。", first=EARLIEST_YEAR,
                            last=last_year), "year")
    for name in MOMENTS:
        if getattr(plan, name) is None:
            raise PlanRefused(_("请填写%(field)s。", field=moment_label(name)), name)
    if not plan.apply_start < plan.personal_deadline:
        raise PlanRefused(_("个人申报截止时间必须晚于申报开始时间。"), "personal_deadline")
    if not plan.personal_deadline <= plan.unit_deadline:
        raise PlanRefused(_("单位审核推荐截止时间不能早于个人申报截止时间。"), "unit_deadline")
    if not plan.unit_deadline <= plan.acceptance_deadline:
        raise PlanRefused(_("受理截止时间不能早于单位审核推荐截止时间。"), "acceptance_deadline")
    if not plan.coverage:
        raise PlanRefused(_("请至少选择一个申报系列。"), "series")
    if not plan.acceptance_points:
        raise PlanRefused(_("请至少选择一个受理点。"), "acceptance_points")
    # The plan being edited is in the session: its half-made changes must not flush here.
    with db.session.no_autoflush:
        same_name = sa.select(ReviewPlan.id).where(ReviewPlan.name == plan.name)
        if plan.id is not None:
            same_name = same_name.where(ReviewPlan.id != plan.id)
        if db.session.scalar(same_name.limit(1)) is not None:
            raise PlanRefused(_("已有名为「%(name)s」的评审计划，请换一个计划名称。", name=plan.name),
                              "name")


def save_plan(actor, plan: ReviewPlan, before: dict | None = None,
              seen_version: int | None = None) -> PlanSaved:
    """Publish a new plan (``before`` None) or the admin's changes to one; ``before`` is
    ``plan_moments(plan)`` taken before the form changed it, ``seen_version`` the plan's
    version on the page the changes were made on: an older one is refused, and a save racing
    another one fails at the version check of its UPDATE (StaleDataError). A deadline that
    moved is told to those it binds now (see ``_tell_moved``). The caller commits."""
    require_admin(actor, AdminKind.SYSTEM)
    is_new = plan.id is None
    if not is_new and seen_version is not None and seen_version != plan.version:
        raise PlanRefused(str(PLAN_CHANGED))
    if not is_new:
        # Every save is an UPDATE of the plan row (also a change of coverage or points only),
        # so that its version moves and a concurrent save is caught.
        plan.updated_at = utcnow()
    if before is None and not is_new:
        before = _loaded_moments(plan)
    check_plan(plan)
    db.session.add(plan)
    db.session.flush()
    saved = PlanSaved(plan)
    if is_new:
        audit.record(AuditAction.PLAN_CREATE, actor=actor, target=f"plan:{plan.id}",
                     name=plan.name, year=plan.year,
                     **{name: _beijing_text(getattr(plan, name)) for name in MOMENTS})
        return saved
    changed = {name: {"from": _beijing_text(before.get(name)),
                      "to": _beijing_text(getattr(plan, name))}
               for name in MOMENTS if before.get(name) != getattr(plan, name)}
    saved.moved = {STAGE_OF_MOMENT[name]: (before.get(name), getattr(plan, name))
                   for name in changed if name in STAGE_OF_MOMENT}
    audit.record(AuditAction.PLAN_UPDATE, actor=actor, target=f"plan:{plan.id}",
                 name=plan.name, changed=changed)
    for stage in saved.moved:
        units, applicants = _tell_moved(plan, stage)
        saved.units += units
        saved.applicants += applicants
    return saved


def _loaded_moments(plan: ReviewPlan) -> dict:
    """The moments as the plan was loaded, before this transaction changed them."""
    state = sa.inspect(plan)
    moments = {}
    for name in MOMENTS:
        history = state.attrs[name].history
        moments[name] = history.deleted[0] if history.deleted else getattr(plan, name)
    return moments


def _beijing_text(moment: datetime | None) -> str:
    return f"{plans.in_beijing(moment):%Y-%m-%d %H:%M}" if moment is not None else ""


# Whom a moved deadline binds now: (statuses whose units are told, statuses whose applicants are).
TOLD = {
    PlanStage.PERSONAL: ((), (ApplicationStatus.DRAFT,)),
    PlanStage.UNIT: (plans.UNIT_WORK + (ApplicationStatus.RETURNED,),
                     (ApplicationStatus.RETURNED,)),
    PlanStage.ACCEPTANCE: ((ApplicationStatus.RECOMMENDED,), ()),
}


def _owners(owner, key, mobile, plan: ReviewPlan, statuses) -> list:
    """(name, mobile) of each unit or applicant owning an application of ``plan`` in one of
    ``statuses``, once each."""
    if not statuses:
        return []
    return db.session.execute(
        sa.select(owner.name, mobile)
        .where(owner.id.in_(sa.select(key).where(Application.plan_id == plan.id,
                                                 Application.status.in_(statuses))))
        .order_by(owner.id)).all()


def _tell_moved(plan: ReviewPlan, stage: PlanStage) -> tuple[int, int]:
    """Queue the SMS for one moved deadline: one per unit, one per applicant. Returns how many
    units and applicants were told."""
    unit_statuses, applicant_statuses = TOLD[stage]
    values = {"plan": plan.name, "stage": stage.zh, "deadline": plans.zh_moment(plan.deadline(stage))}
    units = _owners(Unit, Application.unit_id, Unit.contact_mobile, plan, unit_statuses)
    for name, mobile in units:
        sms.send("plan_deadline_changed_unit", mobile, unit=name, **values)
    applicants = _owners(Applicant, Application.applicant_id, Applicant.mobile, plan,
                         applicant_statuses)
    for name, mobile in applicants:
        sms.send("plan_deadline_changed", mobile, name=name, **values)
    return len(units), len(applicants)
