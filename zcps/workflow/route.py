"""The recommendation's route: the reviewing levels between a unit and the acceptance point
(主管部门, 区县人社, 人事代理机构), each passing a recommendation on (通过) or returning it to the
unit (退回, every problem in one reason: 一次性告知). The route is data: a unit's ``supervisor``
and each level's ``parent``, kept by the platform admin; each recommendation keeps the route as
it was then (ApplicationRouteStop)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    MAX_ROUTE_LEVELS,
    AcceptancePoint,
    Action,
    Application,
    ApplicationRouteStop,
    ApplicationStatus,
    PlanStage,
    Role,
    RouteDecision,
    Subject,
    Unit,
    utcnow,
)

from .. import plans
from ..extensions import db
from . import sms
from .common import (
    AlreadyHandled,
    WorkflowError,
    locked,
    record_history,
    require_role,
    required_text,
)


def route_levels(unit: Unit) -> list[AcceptancePoint]:
    """The reviewing levels a recommendation of ``unit`` passes now, in order (maybe none)."""
    if unit.supervisor is None:
        return []
    levels = unit.supervisor.levels()
    problem = chain_problem(levels)
    if problem:
        raise WorkflowError(problem)
    return levels


def chain_problem(levels) -> str | None:
    """Why a chain of levels (``AcceptancePoint.levels``) cannot be a route; None when it can."""
    if not levels:
        return None
    last = levels[-1]
    if last.parent_id is not None:  # levels() stopped at one it had seen: a cycle
        return _("审核机构「%(name)s」的上级机构形成循环，请修改。", name=last.name)
    for level in levels:
        if not level.reviews:
            return _("「%(name)s」是受理点，不能作为推荐路线上的审核机构。", name=level.name)
    if len(levels) > MAX_ROUTE_LEVELS:
        return _("推荐路线最多经过%(n)s级审核机构（%(names)s），请修改上级机构。",
                 n=MAX_ROUTE_LEVELS, names="→".join(level.name for level in levels))
    return None


def routes_problem() -> str | None:
    """Why the organisations' bindings, as they are in the session now, do not each give a
    route of at most ``MAX_ROUTE_LEVELS`` levels; None when they do (the admin's edits)."""
    db.session.flush()
    organisations = list(db.session.scalars(sa.select(AcceptancePoint)))
    for organisation in organisations:  # the parents as the ids now say
        db.session.expire(organisation, ["parent"])
    for organisation in organisations:
        if organisation.reviews:
            problem = chain_problem(organisation.levels())
        elif organisation.parent_id is not None:
            problem = _("受理点「%(name)s」不能设置上级机构。", name=organisation.name)
        else:
            problem = None
        if problem:
            return problem
    return None


def write_route(application: Application, levels, acceptance_point: AcceptancePoint) -> None:
    """The stops of a new recommendation of ``application``: ``levels`` then the point; the
    first is reached now."""
    attempt = (db.session.scalar(sa.select(sa.func.max(ApplicationRouteStop.attempt)).where(
        ApplicationRouteStop.application_id == application.id)) or 0) + 1
    now = utcnow()
    for position, organisation in enumerate([*levels, acceptance_point]):
        db.session.add(ApplicationRouteStop(
            application_id=application.id, attempt=attempt, position=position,
            organisation_id=organisation.id, round=application.round,
            reached_at=now if position == 0 else None, opinion=""))
    db.session.expire(application, ["route_stops"])  # a loaded list of its stops lacks these


def route_of(application: Application, attempt: int | None = None) -> list[ApplicationRouteStop]:
    """The stops of the application's latest recommendation (or of ``attempt``), in order."""
    if attempt is None:
        attempt = db.session.scalar(sa.select(sa.func.max(ApplicationRouteStop.attempt)).where(
            ApplicationRouteStop.application_id == application.id))
    return list(db.session.scalars(sa.select(ApplicationRouteStop).where(
        ApplicationRouteStop.application_id == application.id,
        ApplicationRouteStop.attempt == attempt).order_by(ApplicationRouteStop.position)))


def decide_stop(stop: ApplicationRouteStop | None, actor, decision: RouteDecision,
                opinion: str) -> None:
    if stop is None:
        return
    stop.decided_at = utcnow()
    stop.decision = decision
    stop.opinion = opinion
    stop.decided_by_id = actor.id


def _level_stop(actor, application: Application):
    """The application, locked, and its current stop, which must be the actor's level."""
    require_role(actor, Role.ACCEPTANCE)
    application = locked(application, actor, missing=_("申报不存在或未送至本机构。"))
    stop = application.current_stop
    name = application.applicant.name
    if (application.status != ApplicationStatus.RECOMMENDED or stop is None
            or stop.organisation_id != actor.acceptance_point_id):
        raise AlreadyHandled(_("%(name)s的申报已被处理或不在本机构待审核（%(status)s），未重复操作。",
                               name=name, status=application.status.label))
    stops = route_of(application, stop.attempt)
    if stop.position >= len(stops) - 1:  # the acceptance point itself: 受理/退回
        raise WorkflowError(_("%(name)s的申报已到受理点，请办理受理或退回。", name=name))
    return application, stop, stops


def pass_on(actor, application: Application, opinion: str = "") -> Application:
    """A reviewing level passes the recommendation on (通过) to the next stop of its route."""
    application, stop, stops = _level_stop(actor, application)
    plans.check_before(application.plan, PlanStage.ACCEPTANCE, _("通过"))
    opinion = required_text(opinion, False, "")
    decide_stop(stop, actor, RouteDecision.PASSED, opinion)
    following = stops[stop.position + 1]
    following.reached_at = utcnow()
    application.status_since = following.reached_at  # it waits for the next one from now
    if following.position == len(stops) - 1:
        application.acceptance_point_id = following.organisation_id
    record_history(Subject.APPLICATION, application, Action.LEVEL_PASS,
                   ApplicationStatus.RECOMMENDED, ApplicationStatus.RECOMMENDED, actor,
                   opinion=opinion, unit_id=application.unit_id,
                   applicant_id=application.applicant_id,
                   acceptance_point_id=stop.organisation_id, round_no=application.round)
    return application


def return_from_level(actor, application: Application, reason: str) -> Application:
    """A reviewing level returns the recommendation to the unit (退回), with every problem in
    one reason (一次性告知); the unit fixes it and recommends again, or hands it to the
    applicant."""
    application, stop, _stops = _level_stop(actor, application)
    plans.check_before(application.plan, PlanStage.ACCEPTANCE, _("退回"))
    reason = required_text(reason, True, _("退回时必须填写退回原因，并一次性列明全部问题。"))
    decide_stop(stop, actor, RouteDecision.RETURNED, reason)
    application.status = ApplicationStatus.ROUTE_RETURNED
    application.acceptance_point_id = None
    application.acceptance_opinion = reason
    application.acceptance_decided_at = utcnow()
    record_history(Subject.APPLICATION, application, Action.LEVEL_RETURN,
                   ApplicationStatus.RECOMMENDED, ApplicationStatus.ROUTE_RETURNED, actor,
                   opinion=reason, unit_id=application.unit_id,
                   applicant_id=application.applicant_id,
                   acceptance_point_id=stop.organisation_id, round_no=application.round)
    applicant, unit = application.applicant, application.unit
    sms.send("acceptance_returned_unit", unit.contact_mobile, name=applicant.name,
             title=application.qualification.name, unit=unit.name,
             point=stop.organisation.name, reason=reason)
    return application
