"""用人单位 (/unit): the unit's people, 业绩档案审核 and 申报资料审核."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import DataRequired

from models import (
    Account,
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveItem,
    ArchiveReviewSummary,
    OfficerDuty,
    OpinionKind,
    OpinionTemplate,
    PlanStage,
    Publicity,
    ReviewStatus,
    Role,
)
from zcps import plans, workdays
from zcps.extensions import db

from . import statistics, unit_authorization, unit_officers, unit_publicity, unit_roster
from .base import ScopedModelView
from .columns import (
    APPLICANT_LABELS,
    STATUS_FORMATTERS,
    education_label,
    masked_id,
    masked_mobile,
    person_link,
)
from .unit_review import (
    REVIEW_TABS,
    ApplicationReviewView,
    ArchiveQueueView,
    ArchiveReviewView,
)


class EmployerView(ScopedModelView):
    role = Role.EMPLOYER


class UnitApplicantView(EmployerView):
    """本单位人员: the people of the unit — who activated their account, who has items waiting,
    who applied this year — and their basic information under review (the archive reviewers'
    list); the unit's administrator imports more from a spreadsheet (导入)."""

    unit_duty = OfficerDuty.ARCHIVE
    list_template = "unit/applicant_list.html"
    column_list = ["name", "id_number", "department", "mobile", "current_title", "activated",
                   "waiting_items", "applied", "profile_status"]
    column_details_list = ["name", "id_number", "sex", "birth_date", "mobile",
                           "highest_education", "current_title", "current_title_date",
                           "profile_status", "profile_remark"]
    column_labels = {**APPLICANT_LABELS, "department": _l("部门"), "activated": _l("已激活"),
                     "waiting_items": _l("待审业绩"), "applied": _l("本年度申报")}
    column_formatters = {
        **STATUS_FORMATTERS, "id_number": masked_id, "mobile": masked_mobile,
        "activated": lambda view, context, model, name: _("是") if model.roster["activated"]
        else _("否"),
        "waiting_items": lambda view, context, model, name: model.roster["waiting"],
        "applied": lambda view, context, model, name: model.roster["applied"] or "—",
    }
    # The record's own details page is the one place the full numbers show (DESIGN §6).
    column_formatters_detail = {**STATUS_FORMATTERS, "highest_education": education_label}
    column_searchable_list = ["name", "id_number"]
    column_default_sort = ("id", True)
    status_column = "profile_status"
    status_tabs = (("all", _l("全部"), None),) + REVIEW_TABS[:-1]
    column_formatters["name"] = lambda view, context, model, name: person_link(
        url_for("unit_archive.review_view", applicant_id=model.id), model)

    def can_import(self) -> bool:
        return current_user.may(OfficerDuty.UNIT_ADMIN)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True) and rows:
            summaries = self._roster([row.id for row in rows])
            for row in rows:
                row.roster = summaries[row.id]
        return count, rows

    def _roster(self, ids) -> dict:
        """Per person of the page, in three grouped queries: an account, items waiting for the
        unit, and this year's application (its status)."""
        activated = set(db.session.scalars(
            sa.select(Account.applicant_id).where(Account.applicant_id.in_(ids))))
        waiting = dict(db.session.execute(
            sa.select(ArchiveItem.applicant_id, sa.func.count(ArchiveItem.id))
            .where(ArchiveItem.scope_clause(current_user), ArchiveItem.applicant_id.in_(ids),
                   ArchiveItem.status == ReviewStatus.PENDING)
            .group_by(ArchiveItem.applicant_id)).all())
        applied = dict(db.session.execute(
            sa.select(Application.applicant_id, Application.status)
            .where(Application.scope_clause(current_user), Application.applicant_id.in_(ids),
                   Application.year == workdays.today().year)).all())
        return {person_id: {"activated": person_id in activated,
                            "waiting": waiting.get(person_id, 0),
                            "applied": applied[person_id].label if person_id in applied else ""}
                for person_id in ids}


class OpinionTemplateView(EmployerView):
    """The unit's own ready sentences (常用意见); the platform's shared ones are not editable here."""

    can_create = True
    can_edit = True
    can_delete = True
    can_view_details = False
    column_list = ["kind", "text", "sort_order"]
    column_details_list = ["kind", "text", "sort_order"]
    form_columns = ["kind", "text", "sort_order"]
    form_choices = {"kind": OpinionKind.choices()}
    column_labels = {"kind": _l("类型"), "text": _l("内容"), "sort_order": _l("排序")}
    column_descriptions = {"text": _l("可使用 {姓名}、{资格名称}、{申报系列}、{单位名称}、{评审计划}，审核时自动填入。")}
    form_args = {"text": {"validators": [DataRequired(message=_l("请填写内容。"))]}}
    column_default_sort = "sort_order"

    def view_clause(self):
        return OpinionTemplate.unit_id == current_user.unit_id


def home_counts():
    """What waits for the unit: each count from the unit's own scope."""
    today = workdays.today()
    # The people with items waiting: the unit's summary rows (zcps/archive_summary.py), as
    # 业绩档案审核's 待审核 tab counts them, not the unit's items.
    pending_people = db.session.scalar(
        sa.select(sa.func.count()).select_from(ArchiveReviewSummary)
        .where(ArchiveReviewSummary.scope_clause(current_user),
               ArchiveReviewSummary.waiting == sa.true()))
    pending_profiles = db.session.scalar(
        sa.select(sa.func.count(Applicant.id))
        .where(Applicant.scope_clause(current_user),
               Applicant.profile_status == ReviewStatus.PENDING))
    by_status = dict(db.session.execute(
        sa.select(Application.status, sa.func.count(Application.id))
        .where(Application.scope_clause(current_user)).group_by(Application.status)).all())
    running = db.session.scalar(
        sa.select(sa.func.count(Publicity.id))
        .where(Publicity.scope_clause(current_user), Publicity.start_date <= today,
               Publicity.end_date >= today))
    return {"shown": {key: current_user.may(duty) for key, duty in CARD_DUTIES.items()},
            "counts": {
        "archive_people": pending_people, "profiles": pending_profiles,
        "applications": by_status.get(ApplicationStatus.PENDING, 0),
        "to_publicize": by_status.get(ApplicationStatus.APPROVED, 0),
        "publicities": running,
        "to_recommend": by_status.get(ApplicationStatus.PUBLICIZED, 0)
        + by_status.get(ApplicationStatus.ACCEPTANCE_RETURNED, 0)
        + by_status.get(ApplicationStatus.ROUTE_RETURNED, 0),
        "objections": unit_publicity.objection_counts(),
    }, "plan_cards": plan_cards()}


# The home's to-do cards and the duty whose lists they lead to (an officer sees their own).
CARD_DUTIES = {"archive_people": OfficerDuty.ARCHIVE, "profiles": OfficerDuty.ARCHIVE,
               "applications": OfficerDuty.APPLICATION, "to_publicize": OfficerDuty.PUBLICITY,
               "publicities": OfficerDuty.PUBLICITY,
               "objections": OfficerDuty.PUBLICITY, "to_recommend": OfficerDuty.PUBLICITY}

# What still waits for the unit in a plan: (status, label, the list that shows it, its duty).
PLAN_WORK = (
    (ApplicationStatus.PENDING, _l("待审核"), ("unit_application.index_view", {"tab": "pending"}),
     OfficerDuty.APPLICATION),
    (ApplicationStatus.APPROVED, _l("审核通过 待公示"), ("unit_publicity.new_view", {}),
     OfficerDuty.PUBLICITY),
    (ApplicationStatus.PUBLICIZING, _l("公示中"),
     ("unit_recommendation.index_view", {"tab": "publicizing"}), OfficerDuty.PUBLICITY),
    (ApplicationStatus.PUBLICIZED, _l("公示期满 待推荐"),
     ("unit_recommendation.index_view", {"tab": "ready"}), OfficerDuty.PUBLICITY),
    (ApplicationStatus.ACCEPTANCE_RETURNED, _l("受理点退回"),
     ("unit_recommendation.index_view", {"tab": "returned"}), OfficerDuty.PUBLICITY),
    (ApplicationStatus.ROUTE_RETURNED, _l("审核机构退回"),
     ("unit_recommendation.index_view", {"tab": "returned"}), OfficerDuty.PUBLICITY),
)
# The deadlines that concern the unit: its own, or the applicants' while that comes first.
UNIT_STAGES = (PlanStage.PERSONAL, PlanStage.UNIT)


def plan_cards():
    """Each current plan with the unit's next deadline in it and what still waits for the
    unit there, counted in one query grouped by plan and status."""
    current = plans.current_plans()
    if not current:
        return []
    counted = {(plan_id, status): number for plan_id, status, number in db.session.execute(
        sa.select(Application.plan_id, Application.status, sa.func.count(Application.id))
        .where(Application.scope_clause(current_user),
               Application.plan_id.in_([plan.id for plan in current]),
               Application.status.in_(plans.UNIT_WORK))
        .group_by(Application.plan_id, Application.status)).all()}
    return [{
        "plan": plan,
        "countdown": plans.next_deadline(plan, UNIT_STAGES),
        "contact": plans.plan_contact(plan),
        "work": [{"status": status, "label": label,
                  "count": counted.get((plan.id, status), 0),
                  "url": url_for(endpoint, **args)}
                 for status, label, (endpoint, args), duty in PLAN_WORK
                 if current_user.may(duty)],
    } for plan in current]


def register(admin):
    unit_authorization.register(admin)
    admin.add_view(ArchiveQueueView(Applicant, name=_l("业绩档案审核"),
                                    endpoint="unit_archive_people", url="archive-review"))
    admin.add_view(ArchiveReviewView(ArchiveItem, name=_l("业绩明细"), endpoint="unit_archive"))
    admin.add_view(ApplicationReviewView(Application, name=_l("申报资料审核"), endpoint="unit_application"))
    unit_publicity.register(admin)
    admin.add_view(UnitApplicantView(Applicant, name=_l("本单位人员"), category=_l("单位管理"),
                                     endpoint="unit_applicant"))
    admin.add_view(OpinionTemplateView(OpinionTemplate, name=_l("常用意见"),
                                       category=_l("单位管理"), endpoint="unit_opinion_template",
                                       url="opinions"))
    unit_officers.register(admin)
    statistics.register_unit(admin)
    unit_roster.register(admin)
