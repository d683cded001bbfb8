"""受理点 (/acceptance): the inbox of applications recommended to this acceptance point, or,
for a reviewing level of a route (主管部门, 区县人社, 人事代理机构), of those sent to it."""
import sqlalchemy as sa
from flask import abort, flash, has_request_context, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from models import Application, ApplicationStatus, Role, RouteDecision, Subject
from models.application import INBOX_WAITED_ORDER, at_stop
from zcps import workflow
from zcps.exports import local_moment
from zcps.extensions import db
from zcps.identifiers import mask_id_number

from .base import (
    ApplicationFiles,
    ScopedModelView,
    application_filters,
    run_posted_step,
    run_step,
    timeline,
)
from .columns import APPLICATION_LABELS, STATUS_FORMATTERS, WAITED, application_waiting_since
from .rosters import RecommendationRosters
from .statistics import register_acceptance as register_statistics

# What the export's 受理结果 column says of a decided application.
ACCEPTANCE_DECISIONS = {ApplicationStatus.ACCEPTED: _l("受理"),
                        ApplicationStatus.ACCEPTANCE_RETURNED: _l("退回")}

INBOX_TABS = (
    ("waiting", _l("待受理"), [ApplicationStatus.RECOMMENDED]),
    ("accepted", _l("已受理"), [ApplicationStatus.ACCEPTED]),
    ("returned", _l("已退回"), [ApplicationStatus.ACCEPTANCE_RETURNED]),
    ("all", _l("全部"), None),
)
# A reviewing level's tabs: what waits at it, what it passed on, what it returned (the third
# element is the stop's decision, read by tab_clause: "" for what waits).
LEVEL_TABS = (
    ("waiting", _l("待审核"), ""),
    ("passed", _l("已通过"), RouteDecision.PASSED),
    ("returned", _l("已退回"), RouteDecision.RETURNED),
    ("all", _l("全部"), None),
)


def signed_in_level() -> bool:
    """The signed-in organisation is a reviewing level of a route, not an acceptance point."""
    return (has_request_context() and current_user.is_authenticated
            and current_user.role == Role.ACCEPTANCE
            and current_user.acceptance_point is not None
            and current_user.acceptance_point.reviews)


def level_clause(tab):
    key = current_user.acceptance_point_id
    return None if tab[2] is None else at_stop(key, tab[2] or None)


def level_counts(tabs):
    """Each tab's count as a column of one pass over the level's scope (a CASE a tab): the
    scope's rows are read once, not once a tab."""
    return [sa.func.count() if level_clause(tab) is None
            else sa.func.count(sa.case((level_clause(tab), sa.literal_column("1"))))
            for tab in tabs]


class InboxView(ApplicationFiles, RecommendationRosters, ScopedModelView):
    """推荐受理: what units recommended here; the name opens the whole application. The
    推荐花名册 of each unit's recommendations, per day or all, as the unit printed it."""

    role = Role.ACCEPTANCE
    roster_party = "unit"
    list_template = "zcps/recommendation_list.html"
    column_list = ["applicant", "applicant.id_number", "unit", "series", "qualification",
                   "status", "recommended_at", WAITED]
    column_details_list = ["applicant", "unit", "year", "series", "specialty", "level",
                           "qualification", "review_method", "status", "opinion",
                           "recommendation_opinion", "recommended_at"]
    column_labels = {**APPLICATION_LABELS, "applicant.id_number": _l("身份证号")}
    column_formatters = {
        **STATUS_FORMATTERS,
        "applicant": lambda view, context, model, name: Markup('<a href="{}">{}</a>').format(
            view.get_url(".review_view", id=model.id), model.applicant.name),
        "applicant.id_number": lambda view, context, model, name: mask_id_number(
            model.applicant.id_number),
    }
    column_searchable_list = ["applicant.name", "applicant.id_number", "unit.name"]
    column_filters = application_filters(Application.recommended_at, _l("推荐时间"))
    column_sortable_list = ["recommended_at"]
    column_default_sort = ("recommended_at", False)
    column_select_related_list = [Application.applicant, Application.unit, Application.series,
                                  Application.qualification]
    can_view_details = False
    status_column = "status"
    # The busiest point holds thousands: a page, however deep or however sorted, is chosen
    # from ix_application_point_inbox alone.
    page_by_keys = True
    xlsx_name = _l("推荐受理")
    xlsx_columns = (
        (_l("姓名"), lambda a: a.applicant.name),
        (_l("身份证号"), lambda a: mask_id_number(a.applicant.id_number)),
        (_l("工作单位"), lambda a: a.unit.name),
        (_l("申报系列"), lambda a: a.series.name),
        (_l("资格名称"), lambda a: a.qualification.name),
        (_l("评审方式"), lambda a: a.review_method),
        (_l("状态"), lambda a: a.status),
        (_l("推荐时间"), lambda a: local_moment(a.recommended_at)),
        (_l("推荐意见"), lambda a: a.recommendation_opinion),
        (_l("受理结果"), lambda a: ACCEPTANCE_DECISIONS.get(a.status, "")),
        (_l("受理/退回时间"), lambda a: local_moment(a.acceptance_decided_at)),
        (_l("受理意见/退回原因"), lambda a: a.acceptance_opinion),
    )

    # --- one inbox, two kinds: the acceptance point's (受理/退回), a level's (通过/退回) ---
    @property
    def reviews(self) -> bool:
        return signed_in_level()

    @property
    def status_tabs(self):
        return LEVEL_TABS if self.reviews else INBOX_TABS

    def tab_clause(self, tab):
        return level_clause(tab) if self.reviews else super().tab_clause(tab)

    def count_tabs(self) -> dict:
        if not self.reviews:
            return super().count_tabs()
        values = self.scoped(db.session.query(*level_counts(LEVEL_TABS))
                             .select_from(Application)).one()
        return {tab[0]: value for tab, value in zip(LEVEL_TABS, values, strict=True)}

    def is_action_allowed(self, name):
        # 受理 and the 推荐花名册 (a unit's roster to a point) are the acceptance point's.
        if name in ("accept", "roster_xlsx", "roster_pdf") and self.reviews:
            return False
        return super().is_action_allowed(name)

    def may_decide(self, application) -> bool:
        """Whether the signed-in organisation holds ``application`` now (its buttons show)."""
        if application.status != ApplicationStatus.RECOMMENDED:
            return False
        if not self.reviews:
            return application.acceptance_point_id == current_user.acceptance_point_id
        stop = application.current_stop
        return stop is not None and stop.organisation_id == current_user.acceptance_point_id

    def waiting_since(self):
        if self.reviews:
            return sa.case((at_stop(current_user.acceptance_point_id),
                            Application.status_since))
        return application_waiting_since([ApplicationStatus.RECOMMENDED])

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        if sort_column != WAITED or self.reviews:
            return super()._apply_sorting(query, joins, sort_column, sort_desc)
        # The base's order (the waiting rows first, by since when, then the id), written as the
        # expressions of ix_application_point_waited: longest first is read in its order.
        waiting_last, since = INBOX_WAITED_ORDER
        if sort_desc:  # the longest wait first
            return query.order_by(waiting_last, since.asc(), Application.id.asc()), joins
        return query.order_by(waiting_last, since.desc(), Application.id.desc()), joins

    def view_clause(self):
        if self.reviews:
            return None  # everything that reached the level: its scope
        # What the point returned and the unit then handed back to the applicant stays out, and
        # what it saw before but now waits at a level of its route.
        return sa.and_(Application.acceptance_point_id == current_user.acceptance_point_id,
                       Application.status.in_([ApplicationStatus.RECOMMENDED,
                                               ApplicationStatus.ACCEPTED,
                                               ApplicationStatus.ACCEPTANCE_RETURNED]))

    @action("accept", _l("受理"), _l("确定受理所选申报吗？将短信通知推荐单位和申报人。"))
    def action_accept(self, applications):
        done = sum(1 for application in applications
                   if run_step(workflow.accept_application, application))
        if done:
            flash(_("已受理 %(n)s 份申报，已短信通知推荐单位和申报人。", n=done), "success")

    @expose("/review/", methods=("GET", "POST"))
    def review_view(self):
        application = self.get_one_or_404(request.values.get("id"))
        name = application.applicant.name
        if self.reviews:
            steps = {"pass": (workflow.pass_on, _("%(name)s的申报已审核通过，已报送下一级。",
                                                  name=name)),
                     "return": (workflow.return_from_level,
                                _("%(name)s的申报已退回推荐单位，已短信通知推荐单位。", name=name))}
        else:
            steps = {"accept": (workflow.accept_application,
                                _("%(name)s的申报已受理，已短信通知推荐单位和申报人。", name=name)),
                     "return": (workflow.return_to_unit,
                                _("%(name)s的申报已退回，已短信通知推荐单位和申报人。", name=name))}
        if request.method == "POST":
            decision = request.form.get("decision", "")
            if decision not in steps:
                abort(400)
            step, success = steps[decision]
            if run_posted_step(step, application, request.form.get("opinion", ""),
                               success=success):
                return redirect(self.get_url(".index_view"))
        return self.render("acceptance/review.html", application=application,
                           history=timeline(Subject.APPLICATION, application.id),
                           reviews=self.reviews, may_decide=self.may_decide(application),
                           route=workflow.route_of(application),
                           form_values=request.form,
                           file_url=lambda file_id: self.get_url(
                               ".file_view", application_id=application.id, file_id=file_id))


def home_counts():
    if signed_in_level():
        values = db.session.execute(
            sa.select(*level_counts([tab for tab in LEVEL_TABS if tab[2] is not None]))
            .select_from(Application).where(Application.scope_clause(current_user))).one()
        return {"cards": [(label, value, key) for (key, label, _decision), value
                          in zip(LEVEL_TABS, values, strict=False)]}
    by_status = dict(db.session.execute(
        sa.select(Application.status, sa.func.count())
        .where(Application.scope_clause(current_user),
               Application.acceptance_point_id == current_user.acceptance_point_id)
        .group_by(Application.status)).all())
    return {"cards": [(label, by_status.get(statuses[0], 0), key)
                      for key, label, statuses in INBOX_TABS if statuses]}


def register(admin):
    admin.add_view(InboxView(Application, name=_l("推荐受理"), endpoint="acceptance_inbox",
                             url="inbox"))
    register_statistics(admin)
