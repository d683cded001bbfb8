"""评审计划 in the platform area (/admin/plans/): the admin keeps the year's plans, typed and read
in Beijing time, and sees per plan which units have records waiting too long and what each unit
still has to do before its deadline (超期与待办, counted in zcps/unit_work.py; with an Excel
export)."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, flash, request
from flask_admin import expose
from flask_admin.form import BaseForm
from flask_admin.form.widgets import Select2Widget
from flask_admin.helpers import get_form_data
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import DateTimeLocalInput, NumberInput

from models import (
    AcceptancePoint,
    PlanSeries,
    PlanState,
    ReviewPlan,
    TitleLevel,
    TitleSeries,
    to_id,
)
from zcps import clock, plans, workflow
from zcps.exports import exporter_name, local_moment, write_table, xlsx_response
from zcps.extensions import db
from zcps.i18n import aside, join_list
from zcps.unit_work import WORK_COLUMNS, deadline_text, unit_work, units_with_work
from zcps.workflow.plan import MOMENTS

from .base import SAVE_FAILED
from .platform import PlatformView

# What the form shows and reads a moment as (a browser's datetime-local sends the first).
MOMENT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
# Moments outside these years are typos (and far enough from datetime's limits to convert).
MOMENT_YEARS = (2000, 2999)
DEFAULT_WAIT_DAYS = 7
MAX_WAIT_DAYS = 3650
# Rows each list of the 超期与待办 page shows; the export has them all.
SHOWN_UNITS = 50

STATE_COLOURS = {PlanState.NOT_STARTED: "secondary", PlanState.OPEN: "success",
                 PlanState.CLOSED: "warning", PlanState.ENDED: "light border"}


# --- the form ------------------------------------------------------------------------------------

class YearField(Field):
    """年度 as typed; what is not a whole number is a form error (the plausible range is the
    workflow's rule)."""

    widget = NumberInput()

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            if not (text.isascii() and text.isdigit() and len(text) <= 4):
                raise ValueError(_("年度应为四位数字，例如 2026。"))
            self.data = int(text)


class BeijingMomentField(Field):
    """A moment typed and shown in Beijing time (naive); the view converts it to UTC."""

    widget = DateTimeLocalInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:{MOMENT_FORMATS[0]}}" if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return  # the workflow says which moment is missing
        for pattern in MOMENT_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
            except ValueError:
                continue
            if MOMENT_YEARS[0] <= moment.year <= MOMENT_YEARS[1]:
                self.data = moment
                return
        raise ValueError(_("请按“年-月-日 时:分”填写%(field)s，例如 2026-09-05 18:00。",
                           field=self.label.text))


class ChoicesField(SelectMultipleField):
    """Several of the offered choices; anything else posted is a form error in the reader's
    language, never a server error."""

    widget = Select2Widget(multiple=True)

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            try:
                self.data.append(self.coerce(value))
            except (TypeError, ValueError):
                self.data.append(None)

    def pre_validate(self, form):
        offered = {self.coerce(value) for value, _label in self.choices or ()}
        if any(value not in offered for value in self.data or ()):
            raise ValidationError(_("所选%(field)s无效，请重新选择。", field=self.label.text))


def _id(value):
    number = to_id(value)
    if number is None:
        raise ValueError(value)
    return number


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PlanForm(BaseForm):
    year = YearField(_l("年度"), description=_l("例如 2026"))
    name = StringField(_l("计划名称"), filters=[_strip],
                       validators=[Length(max=200, message=_l("%(field)s过长。", field=_l("计划名称")))],
                       description=_l("例如 2026年度浙江省工程系列高级职称评审"))
    series = ChoicesField(_l("申报系列"), coerce=_id, description=_l("可选择多个系列。"))
    levels = ChoicesField(_l("申报级别"), coerce=str, choices=TitleLevel.choices(),
                          description=_l("不选表示所选系列的全部级别；选择后对每个所选系列均适用。"))
    acceptance_points = ChoicesField(_l("受理点"), coerce=_id,
                                     description=_l("接收本计划推荐材料的受理点，可选择多个。"))
    apply_start = BeijingMomentField(_l("申报开始"), description=_l("北京时间"))
    personal_deadline = BeijingMomentField(_l("个人申报截止"), description=_l("北京时间"))
    unit_deadline = BeijingMomentField(_l("单位审核推荐截止"), description=_l("北京时间"))
    acceptance_deadline = BeijingMomentField(_l("受理截止"), description=_l("北京时间"))
    contact = StringField(_l("联系方式"), filters=[_strip],
                          validators=[Length(max=200, message=_l("%(field)s过长。", field=_l("联系方式")))],
                          description=_l("单位和申报人有疑问时的联系人和电话，例如 省职改办 0571-87000000"))
    notes = TextAreaField(_l("说明"), filters=[_strip],
                          validators=[Length(max=2000, message=_l("%(field)s过长。", field=_l("说明")))])
    # The plan's version when the page was opened: a save over someone else's is refused.
    version = HiddenField()


class PlanValues:
    """What the form shows of a stored plan: its moments in Beijing time, its coverage as the
    chosen series and levels."""

    def __init__(self, plan: ReviewPlan):
        self.year, self.name = plan.year, plan.name
        self.contact, self.notes = plan.contact, plan.notes
        for name in MOMENTS:
            setattr(self, name, plans.in_beijing(getattr(plan, name)))
        self.series = list(dict.fromkeys(row.series_id for row in plan.coverage))
        levels = [row.level for row in plan.coverage]
        self.levels = [] if None in levels else [level.value for level in TitleLevel
                                                 if level in levels]
        self.acceptance_points = [point.id for point in plan.acceptance_points]
        self.version = plan.version


# --- list formatters -----------------------------------------------------------------------------

def state_badge(plan: ReviewPlan) -> Markup:
    return Markup('<span class="badge badge-{}">{}</span>').format(
        STATE_COLOURS[plan.state], plan.state.label)


def coverage_text(plan: ReviewPlan) -> Markup:
    """工程、卫生（全部级别）；经济（副高级、正高级）: the series that share their levels named
    together, so that a plan of every series stays one short line."""
    levels_of = {}
    for row in plan.coverage:
        levels_of.setdefault(row.series, set()).add(row.level)
    series_of = {}
    for series, levels in levels_of.items():
        words = (_("全部级别") if None in levels else
                 join_list(level.label for level in TitleLevel if level in levels))
        series_of.setdefault(words, []).append(series.name)
    return Markup(escape(_("；"))).join(
        escape(join_list(names)) + aside(words) for words, names in series_of.items())


def points_text(plan: ReviewPlan) -> Markup:
    return Markup(escape(_("、"))).join(escape(point.name) for point in plan.acceptance_points)


# --- the view ------------------------------------------------------------------------------------

class ReviewPlanView(PlatformView):
    """评审计划: list, create and edit (saved through ``workflow.save_plan``); never deleted,
    since applications belong to a plan."""

    can_create = True
    can_edit = True
    can_delete = False
    list_template = "admin/plan_list.html"
    form = PlanForm
    form_columns = ["year", "name", "series", "levels", "acceptance_points", "apply_start",
                    "personal_deadline", "unit_deadline", "acceptance_deadline", "contact",
                    "notes"]
    column_list = ["year", "name", "state", "apply_start", "personal_deadline", "unit_deadline",
                   "acceptance_deadline", "coverage"]
    column_details_list = ["year", "name", "state", "apply_start", "personal_deadline",
                           "unit_deadline", "acceptance_deadline", "coverage",
                           "acceptance_points", "contact", "notes", "created_at", "updated_at"]
    column_labels = {
        "year": _l("年度"), "name": _l("计划名称"), "state": _l("状态"),
        "apply_start": _l("申报开始"), "personal_deadline": _l("个人申报截止"),
        "unit_deadline": _l("单位审核推荐截止"), "acceptance_deadline": _l("受理截止"),
        "coverage": _l("申报系列"), "acceptance_points": _l("受理点"),
        "contact": _l("联系方式"), "notes": _l("说明"), "created_at": _l("创建时间"),
        "updated_at": _l("修改时间"),
    }
    column_formatters = {
        "state": lambda view, context, model, name: state_badge(model),
        "coverage": lambda view, context, model, name: coverage_text(model),
        "acceptance_points": lambda view, context, model, name: points_text(model),
    }
    column_formatters_detail = column_formatters
    column_sortable_list = ["year", "name", "apply_start", "personal_deadline", "unit_deadline",
                            "acceptance_deadline"]
    column_default_sort = [("year", True), ("apply_start", True)]
    column_searchable_list = ["name"]
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-clock-o", ".overdue_view", title=_l("超期与待办"),
                              id_arg="plan"),
    ]

    def get_query(self):
        # The series column reads each plan's coverage: loaded for the page at once.
        return super().get_query().options(
            selectinload(ReviewPlan.coverage).selectinload(PlanSeries.series))

    # --- the form ------------------------------------------------------------------------------
    def _offer_choices(self, form, plan: ReviewPlan | None = None):
        """Active series and acceptance points, and those the plan already has."""
        series_ids = {row.series_id for row in plan.coverage} if plan else set()
        point_ids = {point.id for point in plan.acceptance_points} if plan else set()
        form.series.choices = [(record.id, record.name) for record in db.session.scalars(
            sa.select(TitleSeries).where(sa.or_(TitleSeries.active, TitleSeries.id.in_(series_ids)))
            .order_by(TitleSeries.sort_order, TitleSeries.id))]
        form.acceptance_points.choices = [(record.id, record.name) for record in db.session.scalars(
            sa.select(AcceptancePoint).where(sa.or_(AcceptancePoint.active,
                                                    AcceptancePoint.id.in_(point_ids)))
            .order_by(AcceptancePoint.id))]
        return form

    def create_form(self, obj=None):
        return self._offer_choices(self._create_form_class(get_form_data(), obj=obj))

    def edit_form(self, obj=None):
        return self._offer_choices(self._edit_form_class(get_form_data(), obj=PlanValues(obj)),
                                   obj)

    def _fill(self, plan: ReviewPlan, form) -> None:
        """The form's values into the plan (moments from Beijing time to UTC)."""
        with db.session.no_autoflush:
            series = db.session.scalars(sa.select(TitleSeries).where(
                TitleSeries.id.in_(form.series.data or [])).order_by(TitleSeries.id)).all()
            points = db.session.scalars(sa.select(AcceptancePoint).where(
                AcceptancePoint.id.in_(form.acceptance_points.data or []))
                .order_by(AcceptancePoint.id)).all()
            plan.year = form.year.data
            plan.name = form.name.data or ""
            for name in MOMENTS:
                moment = getattr(form, name).data
                setattr(plan, name, plans.from_beijing(moment) if moment else None)
            workflow.cover(plan, series, [TitleLevel(code) for code in form.levels.data or []])
            plan.acceptance_points = points
            plan.contact = form.contact.data or ""
            plan.notes = form.notes.data or ""

    def _save(self, form, plan: ReviewPlan, before: dict | None):
        seen = None
        if before is not None:
            text = str(form.version.data or "").strip()
            seen = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
        try:
            saved = workflow.save_plan(current_user, plan, before, seen_version=seen)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(str(workflow.PLAN_CHANGED), "error")
            return False
        except workflow.WorkflowError as refusal:
            db.session.rollback()
            field = getattr(form, getattr(refusal, "field", None) or "", None)
            if field is not None:
                field.errors = [*field.errors, str(refusal)]
            flash(str(refusal), "error")
            return False
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("Saving a review plan failed")
            flash(str(SAVE_FAILED), "error")
            return False
        if saved.moved:
            flash(_("已调整%(stages)s，已短信通知%(units)s个单位、%(people)s名申报人。",
                    stages=join_list(stage.label for stage in saved.moved),
                    units=saved.units, people=saved.applicants), "success")
        return plan

    def create_model(self, form):
        plan = ReviewPlan()
        self._fill(plan, form)
        return self._save(form, plan, None)

    def update_model(self, form, model):
        before = workflow.plan_moments(model)
        self._fill(model, form)
        return self._save(form, model, before)

    # --- 超期与待办 ----------------------------------------------------------------------------
    def chosen_plan(self) -> ReviewPlan | None:
        """The plan asked for, else the first current plan, else the latest."""
        plan = ReviewPlan.get_for(current_user, request.args.get("plan"))
        if plan is None:
            current = plans.current_plans()
            plan = current[0] if current else db.session.scalars(
                sa.select(ReviewPlan).order_by(ReviewPlan.apply_start.desc(), ReviewPlan.id.desc())
                .limit(1)).first()
        return plan

    @staticmethod
    def chosen_days() -> int:
        text = (request.args.get("days") or "").strip()
        if text.isascii() and text.isdigit() and int(text) <= MAX_WAIT_DAYS:
            return int(text)
        return DEFAULT_WAIT_DAYS

    @expose("/overdue/")
    def overdue_view(self):
        plan, days = self.chosen_plan(), self.chosen_days()
        every_plan = db.session.scalars(sa.select(ReviewPlan).order_by(
            ReviewPlan.year.desc(), ReviewPlan.apply_start.desc(), ReviewPlan.id.desc())).all()
        overdue = working = []
        if plan is not None:
            overdue, working = unit_work(plan, days, limit=SHOWN_UNITS + 1)
        return self.render(
            "admin/plan_overdue.html", plan=plan, days=days, every_plan=every_plan,
            overdue=overdue[:SHOWN_UNITS], working=working[:SHOWN_UNITS],
            more=len(overdue) > SHOWN_UNITS or len(working) > SHOWN_UNITS,
            shown=SHOWN_UNITS, work_columns=WORK_COLUMNS,
            deadline=deadline_text(plan) if plan else "",
            deadline_urgent=plan is not None and plans.days_left(plan.unit_deadline) <= plans.URGENT_DAYS,
            state_badge=state_badge)

    @expose("/overdue/export.xlsx")
    def overdue_export_view(self):
        plan, days = self.chosen_plan(), self.chosen_days()
        headers = [_("单位名称"), _("统一社会信用代码"),
                   *[str(label) for _key, label, _value in WORK_COLUMNS], _("合计"),
                   _("等待超过%(n)s天", n=days), _("最长已等待（天）"), _("单位审核推荐截止"),
                   _("距截止")]
        rows = []
        title = _("超期与待办")
        if plan is not None:
            deadline, left = local_moment(plan.unit_deadline), deadline_text(plan)
            rows = ([unit.name, unit.uscc, *[unit.counts[key] for key, _label, _value in WORK_COLUMNS],
                     unit.total, unit.overdue, unit.waited, deadline, left]
                    for unit in units_with_work(plan, days))
            title = f"{plan.name} {title}"
        data = write_table(rows, headers, title=title, owner=exporter_name(current_user))
        return xlsx_response(data, f"{_('超期与待办')}_{clock.today():%Y%m%d}.xlsx")
