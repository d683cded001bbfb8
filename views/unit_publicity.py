"""信息公示, 异议 and 资格审查推荐: the unit's last two steps, from approved to recommended."""
import re
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from models import (
    AcceptancePoint,
    Application,
    ApplicationRouteStop,
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    OfficerDuty,
    OpinionKind,
    Publicity,
    ReviewPlan,
    Role,
    Subject,
    to_id,
)
from zcps import plans, publicity_table, workdays, workflow
from zcps.extensions import db
from zcps.i18n import join_list, local_date
from zcps.plans import plan_contact

from .base import (
    ApplicationFiles,
    ScopedModelView,
    application_filters,
    get_for_or_404,
    run_posted_step,
    timeline,
)
from .columns import APPLICATION_LABELS, STATUS_FORMATTERS, WAITED, application_waiting_since
from .rosters import RecommendationRosters

# The batch page shows its people this many at a time (a batch may hold thousands).
PEOPLE_PER_PAGE = 50

RESOLUTION_LABELS = {"dismiss": _l("不属实"), "not_recommend": _l("属实，不予推荐"),
                     "return": _l("属实，退回申报人修改")}


def _parse_date(value):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


ENTRY_TOKEN = re.compile(r"[0-9a-f]{32}")


def _posted_entry_token() -> str | None:
    """The objection form's token, when one was posted (anything else is no token)."""
    token = request.form.get("entry_token", "")
    return token if ENTRY_TOKEN.fullmatch(token) else None


def _period_end(period, typed):
    """The end date the form holds: the one typed when it is not before the earliest (nor so
    late that no period is counted to it)."""
    end = _parse_date(typed)
    earliest = period["earliest_end"]
    return end if end is not None and earliest <= end <= earliest + workflow.MAX_PUBLICITY_SPAN \
        else earliest


def _publicity_state(publicity, today=None):
    today = today or workdays.today()
    if today < publicity.start_date:
        return _("未开始")
    if today > publicity.end_date:
        return _("已期满")
    return _("公示中")


class PublicityView(ScopedModelView):
    """信息公示: the unit's publicity batches, each with its period, people and objections."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.PUBLICITY
    column_list = ["title", "start_date", "end_date", "state", "people"]
    column_details_list = ["title", "start_date", "end_date"]
    column_labels = {"title": _l("公示名称"), "start_date": _l("公示开始日期"),
                     "end_date": _l("公示结束日期"), "state": _l("状态"), "people": _l("公示人数")}
    column_sortable_list = ["start_date", "end_date"]
    column_default_sort = ("start_date", True)
    details_template = "unit/publicity.html"
    list_template = "unit/publicity_list.html"
    status_tabs = (("running", _l("公示中"), None), ("ended", _l("已期满"), None),
                   ("objections", _l("有待处理异议"), None), ("all", _l("全部"), None))
    column_formatters = {
        "title": lambda view, context, model, name: Markup('<a href="{}">{}</a>').format(
            view.get_url(".details_view", id=model.id), model.title),
        "state": lambda view, context, model, name: _publicity_state(model),
        "people": lambda view, context, model, name: model.people,
    }

    @staticmethod
    def _open_objection():
        return sa.exists().where(Objection.publicity_id == Publicity.id,
                                 Objection.status == ObjectionStatus.OPEN)

    def tab_clause(self, tab):
        today = workdays.today()
        return {"running": Publicity.end_date >= today,
                "ended": Publicity.end_date < today,
                "objections": self._open_objection()}.get(tab[0])

    def count_tabs(self):
        running, objected, everyone = self.scoped(db.session.query(
            sa.func.count(sa.case((Publicity.end_date >= workdays.today(), 1))),
            sa.func.count(sa.case((self._open_objection(), 1))),
            sa.func.count(Publicity.id))).one()
        return {"running": running, "ended": everyone - running, "objections": objected,
                "all": everyone}

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and rows:
            people = dict(db.session.execute(
                sa.select(Application.publicity_id, sa.func.count(Application.id))
                .where(Application.scope_clause(current_user),
                       Application.publicity_id.in_([row.id for row in rows]))
                .group_by(Application.publicity_id)).all())
            for row in rows:
                row.people = people.get(row.id, 0)
        return count, rows

    # --- one batch ------------------------------------------------------------------------
    def page_context(self, publicity):
        """What the batch page shows: the period, one page of its people (``people_page``,
        PEOPLE_PER_PAGE a page) and the batch's objections."""
        batch = Application.select_for(current_user).where(
            Application.publicity_id == publicity.id)
        people = db.session.scalar(batch.with_only_columns(sa.func.count(Application.id)))
        pages = max(1, -(-people // PEOPLE_PER_PAGE))
        page = min(max((to_id(request.values.get("people_page")) or 1), 1), pages)
        applications = db.session.scalars(
            batch.options(selectinload(Application.applicant),
                          selectinload(Application.qualification),
                          selectinload(Application.objections))
            .order_by(Application.id)
            .limit(PEOPLE_PER_PAGE).offset((page - 1) * PEOPLE_PER_PAGE)).all()
        objections = db.session.scalars(
            Objection.select_for(current_user).where(Objection.publicity_id == publicity.id)
            .options(selectinload(Objection.application).selectinload(Application.applicant))
            .order_by(Objection.id)).all()
        # The plans of the people still to recommend: once they are recommended, the warning
        # goes.
        waiting_plans = db.session.scalars(sa.select(ReviewPlan).where(ReviewPlan.id.in_(
            batch.with_only_columns(Application.plan_id)
            .where(Application.status.in_(workflow.RECOMMENDABLE))))).all()
        today = workdays.today()
        return {
            "applications": applications,
            "people": people,
            "people_page": page,
            "people_pages": pages,
            "first_number": (page - 1) * PEOPLE_PER_PAGE + 1,
            "objections": objections,
            "state": _publicity_state(publicity, today),
            "days_left": workdays.days_left(publicity.end_date, today),
            "working_days": workdays.working_days_between(
                publicity.start_date, publicity.end_date, publicity.count_start_day),
            "ready_on": publicity.end_date + timedelta(days=1),
            "today": today,
            "resolutions": RESOLUTION_LABELS,
            # Identifies this objection form: the same form posted twice records one objection
            # (a form shown again after a refusal keeps its token: nothing was recorded).
            "entry_token": _posted_entry_token() or secrets.token_hex(16),
            "warnings": workflow.publicity_period(publicity.start_date,
                                                  publicity.end_date)["warnings"],
            "late": workflow.late_fits(workflow.plans_deadline_fit(waiting_plans,
                                                                   publicity.end_date)),
        }

    @expose("/start/", methods=("GET", "POST"))
    def new_view(self):
        """Start a batch from approved applications (ticked here or in 申报资料审核)."""
        candidates = db.session.scalars(
            Application.select_for(current_user)
            .where(Application.status == ApplicationStatus.APPROVED)
            .options(selectinload(Application.applicant), selectinload(Application.qualification),
                     selectinload(Application.plan))
            .order_by(Application.id)).all()
        chosen = {value for value in request.values.getlist("ids") if value.isdigit()}
        form = request.form
        if request.method == "POST":
            start = _parse_date(form.get("start_date"))
            end = _parse_date(form.get("end_date")) if form.get("end_date", "").strip() else None
            if start is None:
                flash(_("请填写公示开始日期（格式：2026-09-29）。"), "error")
            elif form.get("end_date", "").strip() and end is None:
                flash(_("公示结束日期格式不正确（格式：2026-10-12）。"), "error")
            elif not chosen:
                flash(_("请勾选要公示的申报。"), "error")
            else:
                records = self.scoped_records(chosen, Application)
                started = run_posted_step(
                    workflow.start_publicity, records, start, end,
                    form.get("objection_contact", ""),
                    past_deadline_confirmed=bool(form.get("past_deadline")),
                    objection_phone=form.get("objection_phone", ""),
                    objection_address=form.get("objection_address", ""),
                    success=lambda publicity: _(
                        "已开始公示：%(n)s人，公示期%(start)s至%(end)s；已短信通知申报人。",
                        n=len(records), start=local_date(publicity.start_date),
                        end=local_date(publicity.end_date)))
                if started:
                    return redirect(self.get_url(".details_view", id=started.value.id))
        start = _parse_date(form.get("start_date"))
        if start is None or not workdays.within_reach(start):
            start = workdays.today()
        period = workflow.publicity_period(start)
        selected = [application for application in candidates
                    if not chosen or str(application.id) in chosen]
        fits = workflow.deadline_fit(selected, _period_end(period, form.get("end_date")))
        return self.render("unit/publicity_new.html", candidates=candidates, chosen=chosen,
                           period=period, fits=fits, late=workflow.late_fits(fits),
                           form_values=form, today=workdays.today())

    @expose("/period/")
    def period_view(self):
        """The earliest end date for a start date, and whether the end still leaves a working
        day to recommend before each plan's deadline, for the form to show as it is typed."""
        start = _parse_date(request.args.get("start"))
        if start is None:
            return jsonify({"error": _("日期格式不正确。")}), 400
        try:
            period = workflow.publicity_period(start)
        except workflow.WorkflowError as error:
            return jsonify({"error": str(error)}), 400
        ids = [value for value in request.args.getlist("ids") if value.isdigit()]
        applications = self.scoped_records(ids, Application) if ids else []
        fits = workflow.deadline_fit(
            [application for application in applications
             if application.status == ApplicationStatus.APPROVED],
            _period_end(period, request.args.get("end")))
        return jsonify({"earliest_end": period["earliest_end"].isoformat(),
                        "earliest_end_text": local_date(period["earliest_end"]),
                        "warnings": period["warnings"],
                        "deadline": [{"text": fit.text, "in_time": fit.in_time} for fit in fits],
                        "confirm": bool(workflow.late_fits(fits))})

    @expose("/export/<int:publicity_id>")
    def export_view(self, publicity_id):
        publicity = self.get_one_or_404(publicity_id)
        return publicity_table.publicity_table_response(publicity, current_user)

    @expose("/objection/", methods=("POST",))
    def objection_view(self):
        application = get_for_or_404(Application, request.form.get("application_id"))
        if application.publicity_id is None:
            abort(404)
        received = _parse_date(request.form.get("received_on"))
        if run_posted_step(workflow.record_objection, application,
                           request.form.get("content", ""), received,
                           request.form.get("raised_by", ""),
                           entry_token=_posted_entry_token(),
                           success=_("已登记对%(name)s的异议，请核查后处理；处理前不能推荐。",
                                     name=application.applicant.name)):
            return redirect(self.get_url(".details_view", id=application.publicity_id)
                            + "#objections")
        return self._batch_page(application.publicity)

    @expose("/objection/resolve/", methods=("POST",))
    def resolve_view(self):
        objection = get_for_or_404(Objection, request.form.get("objection_id"))
        resolution = request.form.get("resolution", "")
        if run_posted_step(workflow.resolve_objection, objection, resolution,
                           request.form.get("resolution_text", ""),
                           success=lambda done: _("异议已处理：%(result)s。",
                                                  result=RESOLUTION_LABELS[resolution])):
            return redirect(self.get_url(".details_view", id=objection.publicity_id)
                            + "#objections")
        return self._batch_page(objection.publicity)

    def _batch_page(self, publicity):
        """The batch page again after a refusal, keeping what was typed in the form."""
        return self.render(self.details_template, model=publicity, form_values=request.form)


RECOMMENDATION_TABS = (
    ("ready", _l("待推荐"), [ApplicationStatus.PUBLICIZED, *workflow.SENT_BACK]),
    ("publicizing", _l("公示中"), [ApplicationStatus.PUBLICIZING]),
    ("recommended", _l("已推荐"), [ApplicationStatus.RECOMMENDED]),
    ("accepted", _l("已受理"), [ApplicationStatus.ACCEPTED]),
    # Sent back by the acceptance point or by a reviewing level of the route.
    ("returned", _l("已退回"), list(workflow.SENT_BACK)),
    ("all", _l("全部"), None),
)
RECOMMENDATION_STATES = (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED,
                         ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
                         *workflow.SENT_BACK, ApplicationStatus.NOT_RECOMMENDED)


class RecommendationView(ApplicationFiles, RecommendationRosters, ScopedModelView):
    """资格审查推荐: publicized applications, recommended one by one or together, and the
    推荐花名册 of what was recommended."""

    role = Role.EMPLOYER
    roster_party = "point"
    list_template = "zcps/recommendation_list.html"
    unit_duty = OfficerDuty.PUBLICITY
    column_list = ["applicant", "qualification", "publicity", "status", WAITED,
                   "acceptance_point", "acceptance_opinion", "recommended_at"]
    column_details_list = ["applicant", "qualification", "status"]
    column_labels = {**APPLICATION_LABELS, "publicity": _l("公示期"),
                     "acceptance_point": _l("待审机构"), "acceptance_opinion": _l("审核意见")}
    column_formatters = {
        **STATUS_FORMATTERS,
        "acceptance_point": lambda view, context, model, name: recommendation_holder(model),
        # What the point or a level returned it for, with who did (or what the point accepted
        # it with), in a column of its own: the state stays on one line.
        "acceptance_opinion": lambda view, context, model, name: return_reason(model)
        if model.status in workflow.SENT_BACK and model.acceptance_opinion
        else (model.acceptance_opinion or "")
        if model.status == ApplicationStatus.ACCEPTED else "",
        "applicant": lambda view, context, model, name: Markup('<a href="{}">{}</a>').format(
            view.get_url(".recommend_view", ids=model.id), model.applicant.name),
        "publicity": lambda view, context, model, name: (
            f"{local_date(model.publicity.start_date)} — {local_date(model.publicity.end_date)}"
            if model.publicity else ""),
    }
    column_searchable_list = ["applicant.name", "applicant.id_number"]
    column_filters = application_filters(Application.recommended_at, _l("推荐时间"))
    column_sortable_list = ["recommended_at"]
    column_default_sort = ("id", False)
    column_select_related_list = [Application.applicant, Application.qualification,
                                  Application.publicity, Application.acceptance_point]
    can_view_details = False
    status_column = "status"
    status_tabs = RECOMMENDATION_TABS
    # 全部 spans six statuses in id order: the page's ids come from ix_application_unit_id_status
    # alone (PostgreSQL otherwise walks the primary key, expecting the unit's rows anywhere).
    page_by_keys = True

    def view_clause(self):
        return Application.status.in_(RECOMMENDATION_STATES)

    def get_query(self):
        # Who holds each row and who returned it, read from the route loaded with the page.
        return super().get_query().options(
            selectinload(Application.route_stops).joinedload(ApplicationRouteStop.organisation))

    def waiting_since(self):
        return application_waiting_since(plans.UNIT_WORK)

    @action("recommend", _l("资格审查推荐"))
    def action_recommend(self, applications):
        return redirect(self.get_url(".recommend_view",
                                     ids=[application.id for application in applications]))

    @expose("/recommend/", methods=("GET", "POST"))
    def recommend_view(self):
        ids = [value for value in request.values.getlist("ids") if value.isdigit()]
        applications = self.scoped_records(ids)
        if not applications:
            flash(_("请先勾选要推荐的申报。"), "error")
            return redirect(self.get_url(".index_view"))
        form = request.form
        if request.method == "POST":
            point = AcceptancePoint.get_for(current_user, form.get("acceptance_point_id"))
            done = []
            for application in applications:
                if application.status == ApplicationStatus.RECOMMENDED:
                    continue
                if run_posted_step(workflow.recommend_application, application, point,
                                   form.get(f"opinion-{application.id}", "")):
                    done.append(application)
            if done:
                names = join_list(application.applicant.name for application in done)
                first = done[0].current_stop  # one unit: one route for all
                if first is not None and first.organisation.reviews:
                    flash(_("已推荐：%(names)s，经%(level)s审核后报送%(point)s；已短信通知申报人。",
                            names=names, level=organisation_name(first.organisation),
                            point=point.name), "success")
                else:
                    flash(_("已推荐至%(point)s：%(names)s；已短信通知申报人。",
                            point=point.name, names=names), "success")
            if len(done) == len(applications):
                return redirect(self.get_url(".index_view", tab="recommended"))
        return self._recommend_page(applications)

    @expose("/return/", methods=("POST",))
    def return_view(self):
        """退回申报人修改: what the acceptance point sent back needs the applicant's own fix."""
        # Found in the unit's scope, not only this list's: a second click after the return
        # reads why nothing happened instead of a 404.
        application = get_for_or_404(Application, request.form.get("id"))
        if run_posted_step(workflow.return_to_applicant, application,
                           request.form.get("return_reason", ""),
                           success=_("已将%(name)s的申报退回申报人修改；已短信通知申报人。",
                                     name=application.applicant.name)):
            return redirect(self.get_url(".index_view"))
        if application.status not in workflow.SENT_BACK:
            return redirect(self.get_url(".index_view"))
        return self._recommend_page([application])

    def _recommend_page(self, applications):
        """The recommendation page of ``applications``, keeping what was typed in its forms."""
        form = request.form
        points, no_point = _plan_points(applications)
        templates = workflow.opinion_templates(current_user, OpinionKind.RECOMMEND)
        rows = []
        for application in applications:
            rows.append({
                "application": application,
                "blocker": workflow.recommendation_blocker(application),
                "opinion": form.get(f"opinion-{application.id}") or (
                    workflow.fill_template(templates[0].text, application) if templates else ""),
                "templates": [workflow.fill_template(t.text, application) for t in templates],
                "history": timeline(Subject.APPLICATION, application.id),
            })
        # Recommending again what a point returned offers that point first.
        earlier = {application.acceptance_point_id for application in applications}
        chosen_point = form.get("acceptance_point_id") or (
            str(earlier.pop()) if len(earlier) == 1 and None not in earlier else "")
        return self.render("unit/recommend.html", rows=rows, points=points, no_point=no_point,
                           chosen_point=chosen_point,
                           return_reason=form.get("return_reason", ""),
                           file_url=lambda file_id: self.get_url(
                               ".file_view", application_id=applications[0].id, file_id=file_id))


def organisation_name(organisation) -> str:
    """An organisation by name, a reviewing level with its kind: 某主管局（主管部门）."""
    if organisation.reviews:
        return _("%(name)s（%(kind)s）", name=organisation.name, kind=organisation.kind.label)
    return organisation.name


def recommendation_holder(application) -> str:
    """Who holds a recommended application now (a level of its route or the acceptance point),
    the point that accepted it, or 本单位 when it came back."""
    if application.status == ApplicationStatus.RECOMMENDED:
        stop = application.current_stop
        if stop is not None:
            return organisation_name(stop.organisation)
    if application.status in workflow.SENT_BACK:
        return _("本单位")
    if application.status in (ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED) \
            and application.acceptance_point is not None:
        return application.acceptance_point.name
    return ""


def return_reason(application) -> Markup:
    """The reason it came back, after who returned it (受理点 or a reviewing level)."""
    returned_by = application.returned_by
    by = Markup('<span class="text-body">{}</span>').format(
        _("%(name)s：", name=organisation_name(returned_by))) if returned_by else ""
    return Markup('<div class="small text-danger">{}<span data-testid="acceptance-reason">{}'
                  '</span></div>').format(by, application.acceptance_opinion)


def _plan_points(applications):
    """The acceptance points the applications can be recommended to together: those of their
    plan (of every plan, when they belong to several), and why there is none when so."""
    chosen_plans = sorted({application.plan for application in applications},
                          key=lambda plan: plan.id)
    common = set(chosen_plans[0].acceptance_points)
    for plan in chosen_plans[1:]:
        common &= set(plan.acceptance_points)
    visible = db.session.scalars(AcceptancePoint.select_for(current_user)
                                 .order_by(AcceptancePoint.name)).all()
    points = [point for point in visible if point in common]
    if points:
        return points, None
    if len(chosen_plans) == 1:
        return points, _("%(plan)s尚未设置受理点，请联系%(contact)s。",
                         plan=chosen_plans[0].name, contact=plan_contact(chosen_plans[0]))
    return points, _("所选申报分属%(plans)s，没有共同的受理点，请按评审计划分别推荐。",
                     plans=join_list(plan.name for plan in chosen_plans))


def objection_counts():
    """Open objections of the unit, for the home page."""
    return db.session.scalar(sa.select(sa.func.count(Objection.id)).where(
        Objection.scope_clause(current_user), Objection.status == ObjectionStatus.OPEN))


def register(admin):
    admin.add_view(PublicityView(Publicity, name=_l("信息公示"), endpoint="unit_publicity",
                                 url="publicity"))
    admin.add_view(RecommendationView(Application, name=_l("资格审查推荐"),
                                      endpoint="unit_recommendation", url="recommendation"))
