"""业绩档案审核 and 申报资料审核: the lists HR officers work through, and their review pages."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from models import (
    MANDATORY_CATEGORIES,
    Applicant,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ArchiveReviewSummary,
    OfficerDuty,
    OpinionKind,
    ReviewStatus,
    Role,
    StoredFile,
    Subject,
    to_id,
)
from zcps import plans, workflow
from zcps.archive_fields import summary
from zcps.exports import local_moment
from zcps.extensions import db
from zcps.i18n import join_list
from zcps.identifiers import mask_id_number
from zcps.redirects import safe_return_path
from zcps.storage import send_stored

from .base import (
    ApplicationFiles,
    ChoiceFilter,
    ScopedModelView,
    application_filters,
    get_for_or_404,
    posted_ids,
    posted_version,
    run_posted_step,
    run_step,
    timeline,
)
from .columns import (
    APPLICATION_LABELS,
    ARCHIVE_ITEM_LABELS,
    STATUS_FORMATTERS,
    WAITED,
    application_waiting_since,
    masked_id,
    person_link,
)

REVIEW_TABS = (
    ("pending", _l("待审核"), [ReviewStatus.PENDING]),
    ("approved", _l("审核通过"), [ReviewStatus.APPROVED]),
    ("rejected", _l("审核未通过"), [ReviewStatus.REJECTED]),
    ("returned", _l("退回修改"), [ReviewStatus.RETURNED]),
    ("all", _l("全部"), None),
)

APPLICATION_TABS = (
    ("pending", _l("待审核"), [ApplicationStatus.PENDING]),
    ("approved", _l("审核通过"), [ApplicationStatus.APPROVED, ApplicationStatus.PUBLICIZING,
                               ApplicationStatus.PUBLICIZED, ApplicationStatus.RECOMMENDED,
                               ApplicationStatus.ACCEPTED,
                               ApplicationStatus.ACCEPTANCE_RETURNED,
                               ApplicationStatus.ROUTE_RETURNED,
                               ApplicationStatus.NOT_RECOMMENDED]),
    ("rejected", _l("审核未通过"), [ApplicationStatus.REJECTED]),
    ("returned", _l("退回修改"), [ApplicationStatus.RETURNED]),
    ("all", _l("全部"), None),
)


# What the unit reads after each decision (whole sentences: each language words them its way).
ITEM_DECIDED = {"approve": _l("%(category)s「%(title)s」已通过。"),
                "return": _l("%(category)s「%(title)s」已退回修改。"),
                "reject": _l("%(category)s「%(title)s」已不通过。")}
APPLICATION_DECIDED = {"approve": _l("%(name)s的申报已通过，已短信通知申报人。"),
                       "return": _l("%(name)s的申报已退回修改，已短信通知申报人。"),
                       "reject": _l("%(name)s的申报已不通过，已短信通知申报人。")}


def bulk_reviewed(done: workflow.BulkReview) -> str:
    """What the unit reads after a 全部通过: the numbers decided (what was left and why is told
    apart, by ``tell_left``)."""
    said = [_("已通过 %(people)s 人的 %(n)s 项待审核材料。", people=len(done.people),
              n=done.approved)]
    if done.returned:
        said.append(_("%(n)s 项已退回修改，已短信通知申报人。", n=done.returned))
    return " ".join(said)


def tell_left(outcome) -> None:
    if outcome and outcome.value.left:
        flash(" ".join(outcome.value.left), "warning")


def _applicant_link(view, context, model, name):
    return person_link(view.get_url(".review_view", applicant_id=model.applicant_id),
                       model.applicant)


class ArchiveReviewView(ScopedModelView):
    """业绩档案审核: every archive item submitted to the unit, by status."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.ARCHIVE
    column_list = ["applicant", "applicant.id_number", "category", "title", "status",
                   "submitted_at", WAITED, "remark"]
    column_details_list = ["applicant", "category", "title", "organisation", "start_date",
                           "end_date", "status", "submitted_at", "reviewed_at", "remark"]
    column_labels = {**ARCHIVE_ITEM_LABELS, "applicant.id_number": _l("身份证号"),
                     "applicant.name": _l("姓名")}
    column_formatters = {
        **STATUS_FORMATTERS, "applicant": _applicant_link,
        "applicant.id_number": lambda v, c, m, n: masked_id(v, c, m.applicant, n)}
    column_searchable_list = ["applicant.name", "applicant.id_number"]
    column_filters = [ChoiceFilter(ArchiveItem.category, _l("类别"),
                                  options=ArchiveCategory.choices())]
    column_sortable_list = ["submitted_at", "category"]
    column_default_sort = ("submitted_at", False)
    status_column = "status"
    status_tabs = REVIEW_TABS
    xlsx_name = _l("业绩档案审核")
    xlsx_columns = (
        (_l("姓名"), lambda item: item.applicant.name),
        (_l("身份证号"), lambda item: mask_id_number(item.applicant.id_number)),
        (_l("类别"), lambda item: item.category),
        (_l("名称"), lambda item: item.title),
        (_l("单位/机构"), lambda item: item.organisation),
        (_l("详情"), lambda item: summary(item.category, item.details)),
        (_l("状态"), lambda item: item.status),
        (_l("提交时间"), lambda item: local_moment(item.submitted_at)),
        (_l("审核意见"), lambda item: item.remark),
    )

    def waiting_since(self):
        return sa.case((ArchiveItem.status == ReviewStatus.PENDING, ArchiveItem.submitted_at))

    @action("approve", _l("通过"), _l("确定通过所选的业绩档案吗？"))
    def action_approve(self, items):
        done = sum(1 for item in items if run_step(workflow.review_item, item, "approve"))
        if done:
            flash(_("已通过 %(n)s 项业绩档案。", n=done), "success")

    @expose("/review/")
    def review_view(self):
        person = get_for_or_404(Applicant, request.args.get("applicant_id"))
        items = self.scoped_query().filter(ArchiveItem.applicant_id == person.id).order_by(
            ArchiveItem.category, ArchiveItem.id).all()
        grouped = {category: [i for i in items if i.category == category]
                   for category in ArchiveCategory}
        return self.render("unit/archive_review.html", person=person, grouped=grouped,
                           return_url=safe_return_path(
                               request.args.get("url"), url_for("unit_archive_people.index_view")))

    @expose("/decide/", methods=("POST",))
    def decide_view(self):
        item = self.get_one_or_404(request.form.get("item_id"))
        decision = request.form.get("decision", "")
        run_posted_step(workflow.review_item, item, decision, request.form.get("reason", ""),
                        seen_version=posted_version(),
                        success=lambda item: ITEM_DECIDED[decision] % {
                            "category": item.category.label, "title": item.title})
        return redirect(self.get_url(".review_view", applicant_id=item.applicant_id))

    @expose("/approve-all/", methods=("POST",))
    def approve_all_view(self):
        """全部通过 on a person's page: what was pending there, as it was seen, except the parts
        ticked 退回, which are returned with their reasons, in the same step."""
        person = get_for_or_404(Applicant, request.form.get("applicant_id"))
        seen, returns = {}, {}
        for part in (workflow.PROFILE_PART, workflow.ITEM_PART):
            for record_id, version in posted_ids(f"seen-{part}-").items():
                if to_id(version) is None:
                    abort(400)
                seen[(part, record_id)] = to_id(version)
            for record_id in posted_ids(f"return-{part}-"):
                returns[(part, record_id)] = request.form.get(f"return-reason-{part}-{record_id}",
                                                              "")
        if not seen and not returns:
            abort(400)
        tell_left(run_posted_step(workflow.review_archives, [person.id], seen=seen,
                                  returns=returns, success=bulk_reviewed))
        return redirect(self.get_url(".review_view", applicant_id=person.id))

    @expose("/profile/", methods=("POST",))
    def profile_view(self):
        person = get_for_or_404(Applicant, request.form.get("applicant_id"))
        run_posted_step(workflow.review_profile, person, request.form.get("decision", ""),
                        request.form.get("reason", ""), seen_version=posted_version(),
                        success=_("%(name)s的基本信息已审核。", name=person.name))
        return redirect(self.get_url(".review_view", applicant_id=person.id))

    @expose("/file/<int:file_id>")
    def file_view(self, file_id):
        # A file is served only through an item of this unit that carries it.
        item = self.scoped_query().filter(
            ArchiveItem.attachments.any(file_id=file_id)).first()
        if item is None:
            abort(404)
        return send_stored(db.session.get(StoredFile, file_id), inline=True)


class ArchiveQueueView(ScopedModelView):
    """业绩档案审核: one row per person who has sent the unit archive items."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.ARCHIVE
    can_view_details = False
    column_list = ["name", "id_number", "waiting", WAITED, "missing", "profile_status"]
    column_details_list = ["name"]
    column_labels = {"name": _l("姓名"), "id_number": _l("身份证号"), "waiting": _l("待审核项"),
                     "missing": _l("缺少的必备业绩"), "profile_status": _l("基本信息")}
    column_searchable_list = ["name", "id_number"]
    column_filters = [ChoiceFilter(ArchiveItem.category, _l("类别"),
                                  options=ArchiveCategory.choices())]
    column_default_sort = ("id", True)
    status_column = "status"
    status_tabs = REVIEW_TABS
    list_template = "unit/archive_queue.html"
    page_by_keys = True
    # The question asks with the numbers of the rows ticked ({rows}) and of their parts
    # waiting ({count}, the data-count of each row).
    action_questions = {"approve_pending": _l(
        "确定通过所选 {rows} 人的全部待审核材料（共 {count} 项，含基本信息）吗？")}

    @action("approve_pending", _l("通过所选人员的待审核材料"))
    def action_approve_pending(self, people):
        tell_left(run_step(workflow.review_archives, [person.id for person in people],
                           success=bulk_reviewed))

    # The people come from the unit's summary rows (zcps/archive_summary.py, kept by the
    # workflow): one row per person with items at the unit, holding the items per status,
    # whether any waits and since when the person waits. The tabs, the pager, the 待审核 list
    # and the 已等待 sort read those rows, never the unit's items.
    def waiting_since(self):
        # The oldest item waiting for this unit, or the basic information when it waits longer.
        return ArchiveReviewSummary.waiting_since

    def _items(self, *conditions):
        """The people (ids) with items in this unit's scope that meet ``conditions`` (the
        filter on 类别, which the summary does not keep)."""
        return (sa.select(ArchiveItem.applicant_id).distinct()
                .where(ArchiveItem.scope_clause(current_user), *conditions)
                .order_by(ArchiveItem.applicant_id.desc()))

    def scoped(self, query):
        # The people with items at this unit: its summary rows, one per person.
        return query.join(ArchiveReviewSummary,
                          ArchiveReviewSummary.applicant_id == Applicant.id).filter(
            ArchiveReviewSummary.scope_clause(current_user))

    @staticmethod
    def _has(statuses):
        if list(statuses) == [ReviewStatus.PENDING]:
            return ArchiveReviewSummary.waiting == sa.true()  # ix_archive_review_summary_waiting
        return sa.or_(*(getattr(ArchiveReviewSummary, status.value) > 0 for status in statuses))

    def tab_clause(self, tab):
        statuses = tab[2]
        return None if statuses is None else self._has(statuses)

    def count_tabs(self):
        # One statement over the unit's summary rows: the people per tab and everyone.
        columns = [sa.func.coalesce(sa.func.sum(sa.case((self._has(statuses), 1), else_=0)), 0)
                   if statuses is not None else sa.func.count()
                   for _key, _label, statuses in self.status_tabs]
        counts = db.session.execute(sa.select(*columns).where(
            ArchiveReviewSummary.scope_clause(current_user))).one()
        return {key: int(number or 0)
                for (key, _label, _statuses), number in zip(self.status_tabs, counts, strict=True)}

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and rows:
            summaries = self._summaries([row.id for row in rows])
            for row in rows:
                row.archive_summary = summaries[row.id]
        return count, rows

    def _apply_filters(self, query, count_query, joins, count_joins, filters):
        # The filter on 类别 applies to the items, not the people.
        for index, _flt_name, value in filters or ():
            flt = self._filters[index]
            if isinstance(flt, ChoiceFilter) and flt.column is ArchiveItem.category:
                wanted = self._items(ArchiveItem.category == value)
                query = query.filter(Applicant.id.in_(wanted))
                if count_query is not None:
                    count_query = count_query.filter(Applicant.id.in_(wanted))
        return query, count_query, joins, count_joins

    def _summaries(self, ids):
        """Per person: items waiting, and mandatory categories without an approved item."""
        rows = db.session.execute(
            sa.select(ArchiveItem.applicant_id, ArchiveItem.category, ArchiveItem.status,
                      sa.func.count(ArchiveItem.id))
            .where(ArchiveItem.scope_clause(current_user), ArchiveItem.applicant_id.in_(ids))
            .group_by(ArchiveItem.applicant_id, ArchiveItem.category, ArchiveItem.status)).all()
        result = {person_id: {"waiting": 0, "approved": set()} for person_id in ids}
        for person_id, category, status, number in rows:
            if status == ReviewStatus.PENDING:
                result[person_id]["waiting"] += number
            if status == ReviewStatus.APPROVED:
                result[person_id]["approved"].add(category)
        return result

    column_formatters = {
        "name": lambda view, context, model, name: person_link(
            url_for("unit_archive.review_view", applicant_id=model.id), model),
        "id_number": masked_id,
        "waiting": lambda view, context, model, name: Markup(
            '<span data-count="{}">{}</span>').format(
                model.archive_summary["waiting"] + (
                    model.profile_status == ReviewStatus.PENDING
                    and model.unit_id == current_user.unit_id),
                model.archive_summary["waiting"]),
        "missing": lambda view, context, model, name: join_list(
            category.label for category in MANDATORY_CATEGORIES
            if category not in model.archive_summary["approved"]) or "—",
        "profile_status": STATUS_FORMATTERS["profile_status"],
    }


class ApplicationReviewView(ApplicationFiles, ScopedModelView):
    """申报资料审核: applications submitted to the unit; the name opens the whole application."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.APPLICATION
    column_list = ["applicant", "applicant.id_number", "series", "qualification",
                   "review_method", "status", "submitted_at", WAITED]
    column_details_list = ["applicant", "year", "series", "specialty", "level", "qualification",
                           "review_method", "current_title", "status", "submitted_at",
                           "decided_at", "opinion"]
    column_labels = {**APPLICATION_LABELS, "applicant.id_number": _l("身份证号"),
                     "applicant.name": _l("姓名")}
    column_formatters = {
        **STATUS_FORMATTERS,
        "applicant": lambda view, context, model, name: person_link(
            view.get_url(".review_view", id=model.id), model.applicant),
        "applicant.id_number": lambda v, c, m, n: masked_id(v, c, m.applicant, n)}
    column_searchable_list = ["applicant.name", "applicant.id_number"]
    column_filters = application_filters()
    column_sortable_list = ["submitted_at"]
    column_default_sort = ("submitted_at", False)
    status_column = "status"
    status_tabs = APPLICATION_TABS
    xlsx_name = _l("申报资料审核")
    xlsx_columns = (
        (_l("姓名"), lambda a: a.applicant.name),
        (_l("身份证号"), lambda a: mask_id_number(a.applicant.id_number)),
        (_l("申报系列"), lambda a: a.series.name),
        (_l("申报专业"), lambda a: a.specialty),
        (_l("申报级别"), lambda a: a.level),
        (_l("资格名称"), lambda a: a.qualification.name),
        (_l("评审方式"), lambda a: a.review_method),
        (_l("状态"), lambda a: a.status),
        (_l("提交时间"), lambda a: local_moment(a.submitted_at)),
        (_l("审核意见"), lambda a: a.opinion),
    )

    def waiting_since(self):
        return application_waiting_since(plans.UNIT_WORK)

    @action("approve", _l("通过"),
            _l("确定通过所选申报吗？每份申报将使用第一条「通过」常用意见（已填入申报人信息）作为审核意见。"))
    def action_approve(self, applications):
        templates = workflow.opinion_templates(current_user, OpinionKind.APPROVE)
        done = 0
        for application in applications:
            opinion = (workflow.fill_template(templates[0].text, application) if templates
                       else _("经审核，申报材料完整无误，同意推荐。"))
            if run_step(workflow.review_application, application, "approve", opinion):
                done += 1
        if done:
            flash(_("已通过 %(n)s 份申报，已短信通知申报人。", n=done), "success")

    @action("publicize", _l("信息公示"))
    def action_publicize(self, applications):
        return redirect(url_for("unit_publicity.new_view",
                                ids=[application.id for application in applications]))

    @expose("/review/", methods=("GET", "POST"))
    def review_view(self):
        application = self.get_one_or_404(request.values.get("id"))
        if request.method == "POST":
            decision = request.form.get("decision", "")
            if run_posted_step(workflow.review_application, application, decision,
                               request.form.get("opinion", ""), posted_ids("remark-"),
                               seen_version=posted_version(),
                               success=lambda done: APPLICATION_DECIDED[decision] % {
                                   "name": done.applicant.name}):
                return redirect(self.get_url(".index_view"))
        history = timeline(Subject.APPLICATION, application.id)
        templates = {kind.value: [workflow.fill_template(t.text, application)
                                  for t in workflow.opinion_templates(current_user, kind)]
                     for kind in (OpinionKind.APPROVE, OpinionKind.RETURN, OpinionKind.REJECT)}
        return self.render("unit/application_review.html", application=application,
                           history=history, templates=templates,
                           changes=workflow.round_changes(application),
                           form_values=request.form)

