"""Step 6 — 资格审查推荐: the unit recommends a publicized application to an acceptance point,
which accepts it (已受理) or returns it to the unit; the unit may hand a return to the applicant."""
from datetime import date, timedelta

from flask_babel import gettext as _

from models import (
    AcceptancePoint,
    Action,
    Application,
    ApplicationStatus,
    ObjectionStatus,
    OfficerDuty,
    PlanStage,
    Role,
    RouteDecision,
    Subject,
    utcnow,
)

from .. import plans, workdays
from ..i18n import join_list, local_date, local_month_day
from . import sms
from .common import (
    AlreadyHandled,
    WorkflowError,
    locked,
    not_own,
    record_history,
    require_role,
    required_text,
    reviewing_unit,
)
from .publicity import close_ended_publicities, unit_application
from .route import decide_stop, route_levels, write_route

# Returned by the acceptance point or by a reviewing level of the route: the unit recommends
# again after fixing, or hands it to the applicant.
SENT_BACK = (ApplicationStatus.ACCEPTANCE_RETURNED, ApplicationStatus.ROUTE_RETURNED)
RECOMMENDABLE = (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED, *SENT_BACK)


def recommendable_from(application: Application) -> date | None:
    """The first day the application may be recommended: the day after its publicity ends."""
    if application.publicity is None:
        return None
    return application.publicity.end_date + timedelta(days=1)


def recommendation_blocker(application: Application, on: date | None = None) -> str | None:
    """Why the unit cannot recommend ``application`` now; ``None`` when it can."""
    on = on or workdays.today()
    name = application.applicant.name
    if application.status not in RECOMMENDABLE or application.publicity is None:
        return _("%(name)s的申报当前为「%(status)s」，只有公示期满且无异议的申报可以推荐。",
                 name=name, status=application.status.label)
    ready = recommendable_from(application)
    if on < ready:
        return _("%(name)s的申报公示期至%(end)s结束，%(day)s起方可推荐。", name=name,
                 end=local_month_day(application.publicity.end_date), day=local_date(ready))
    for objection in application.objections:
        if objection.publicity_id != application.publicity_id:
            continue
        if objection.status == ObjectionStatus.OPEN:
            return _("%(name)s的申报有未处理的异议，请先核查处理后再推荐。", name=name)
        if objection.status == ObjectionStatus.UPHELD:
            return _("%(name)s的申报有经核查属实的异议，不能推荐。", name=name)
    return None


def recommend_application(actor, application: Application, acceptance_point: AcceptancePoint,
                          opinion: str) -> Application:
    """The unit recommends a publicized application to an acceptance point (已推荐)."""
    unit = reviewing_unit(actor, OfficerDuty.PUBLICITY)
    close_ended_publicities()
    application = unit_application(actor, application)
    not_own(actor, application.applicant)
    blocker = recommendation_blocker(application)
    if blocker:
        raise WorkflowError(blocker)
    plans.check_before(application.plan, PlanStage.UNIT, _("推荐"))
    if acceptance_point is None or AcceptancePoint.get_for(actor, acceptance_point.id) is None:
        raise WorkflowError(_("请选择受理点。"))
    if acceptance_point not in application.plan.acceptance_points:
        raise WorkflowError(_("%(point)s不受理%(plan)s的推荐，请选择：%(points)s。",
                              point=acceptance_point.name, plan=application.plan.name,
                              points=join_list(point.name for point in
                                               application.plan.acceptance_points)))
    opinion = required_text(opinion, True, _("请填写推荐意见。"))
    # The route as the unit is bound now: what is in flight keeps it whatever changes later.
    levels = route_levels(unit)
    write_route(application, levels, acceptance_point)
    first = levels[0] if levels else acceptance_point
    before = application.status
    application.status = ApplicationStatus.RECOMMENDED
    # Set when it reaches the acceptance point (at once when no level reviews it first).
    application.acceptance_point_id = None if levels else acceptance_point.id
    application.recommendation_opinion = opinion
    application.recommended_at = utcnow()
    application.acceptance_opinion = ""
    application.acceptance_decided_at = None
    record_history(Subject.APPLICATION, application, Action.RECOMMEND, before,
                   ApplicationStatus.RECOMMENDED, actor, opinion=opinion, unit_id=unit.id,
                   applicant_id=application.applicant_id, acceptance_point_id=first.id,
                   round_no=application.round)
    applicant = application.applicant
    sms.send("recommended", applicant.mobile, name=applicant.name,
             title=application.qualification.name, unit=unit.name, point=first.name)
    return application


def _decide_acceptance(actor, application: Application, accept: bool, opinion: str):
    require_role(actor, Role.ACCEPTANCE)
    application = locked(application, actor, missing=_("申报不存在或未推荐至本受理点。"))
    if application.status != ApplicationStatus.RECOMMENDED:
        raise AlreadyHandled(_("%(name)s的申报已被处理（%(status)s），未重复操作。",
                               name=application.applicant.name, status=application.status.label))
    # Passed through or returned earlier, an application is in a level's or point's scope:
    # only the point it waits at decides.
    if application.acceptance_point_id != actor.acceptance_point_id:
        raise AlreadyHandled(_("%(name)s的申报不在本受理点待受理，未办理。",
                               name=application.applicant.name))
    plans.check_before(application.plan, PlanStage.ACCEPTANCE, _("受理") if accept else _("退回"))
    opinion = required_text(opinion, not accept, _("退回时必须填写退回原因。"))
    after = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.ACCEPTANCE_RETURNED
    decide_stop(application.current_stop, actor,
                RouteDecision.PASSED if accept else RouteDecision.RETURNED, opinion)
    application.status = after
    application.acceptance_opinion = opinion
    application.acceptance_decided_at = utcnow()
    record_history(Subject.APPLICATION, application,
                   Action.ACCEPT if accept else Action.ACCEPTANCE_RETURN,
                   ApplicationStatus.RECOMMENDED, after, actor, opinion=opinion,
                   unit_id=application.unit_id, applicant_id=application.applicant_id,
                   acceptance_point_id=application.acceptance_point_id,
                   round_no=application.round)
    applicant, unit = application.applicant, application.unit
    values = {"name": applicant.name, "title": application.qualification.name, "unit": unit.name,
              "point": application.acceptance_point.name, "reason": opinion}
    event = "accepted" if accept else "acceptance_returned"
    sms.send(f"{event}_unit", unit.contact_mobile, **values)
    sms.send(event, applicant.mobile, **values)
    return application


def accept_application(actor, application: Application, opinion: str = "") -> Application:
    return _decide_acceptance(actor, application, True, opinion)


def return_to_unit(actor, application: Application, reason: str) -> Application:
    return _decide_acceptance(actor, application, False, reason)


def return_to_applicant(actor, application: Application, reason: str) -> Application:
    """After the acceptance point or a reviewing level sent it back, the unit may hand it to
    the applicant to fix."""
    unit = reviewing_unit(actor, OfficerDuty.PUBLICITY)
    application = unit_application(actor, application)
    not_own(actor, application.applicant)
    if application.status not in SENT_BACK:
        raise AlreadyHandled(_("%(name)s的申报当前为「%(status)s」，只有受理点或审核机构退回的申报可以退回申报人修改。",
                               name=application.applicant.name, status=application.status.label))
    before = application.status
    plans.check_before(application.plan, PlanStage.UNIT, _("退回申报人修改"))
    reason = required_text(reason, True, _("退回修改时必须填写退回原因。"))
    application.status = ApplicationStatus.RETURNED
    application.opinion = reason
    application.decided_at = utcnow()
    record_history(Subject.APPLICATION, application, Action.RETURN,
                   before, ApplicationStatus.RETURNED, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=application.applicant_id,
                   round_no=application.round)
    applicant = application.applicant
    sms.send("application_return", applicant.mobile, name=applicant.name,
             title=application.qualification.name, unit=unit.name)
    return application
