"""个人中心 (/me): basic information, the archive (业绩档案) and title applications (职称申报).

Every record is fetched through ``Model.get_for(current_user, id)``; every change goes through
zcps.workflow.
"""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from models import (
    MANDATORY_CATEGORIES,
    Application,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ArchiveItemAttachment,
    CodePurpose,
    ReviewMethod,
    ReviewPlan,
    ReviewStatus,
    Role,
    Subject,
    TitleLevel,
    TitleQualification,
    TitleSeries,
    TitleSpecialty,
    Unit,
    category_order,
    to_id,
)
from zcps import plans, verification, workdays, workflow
from zcps.archive_fields import DEGREES, form_values, item_fields, item_form_class
from zcps.auth import send_code, send_code_pressed
from zcps.extensions import db
from zcps.forms import cleaned_by
from zcps.i18n import aside, local_date
from zcps.identifiers import clean_mobile
from zcps.storage import send_stored, store_bytes
from zcps.uploads import UploadError, accept_pdf

from .base import (
    AreaPage,
    get_for_or_404,
    posted_ids,
    review_form_response,
    run_step,
    timeline,
)


class ApplicantPage(AreaPage):
    role = Role.APPLICANT

    @property
    def applicant(self):
        return current_user.applicant

    def run(self, step, success, *args, **kwargs):
        return run_step(step, *args, success=success, **kwargs)


# --- 基本信息 ------------------------------------------------------------------------------------

class ProfileForm(FlaskForm):
    mobile = StringField(_l("手机号码"), validators=[cleaned_by(clean_mobile)])
    # Only for a new mobile: the code sent to it (获取验证码).
    code = StringField(_l("短信验证码"), validators=[Length(max=6)])
    highest_education = SelectField(_l("最高学历"), choices=[("", _l("请选择")), *DEGREES],
                                    validators=[Optional()])
    current_title = StringField(_l("现专业技术职务"), validators=[Length(max=100)])
    current_title_date = DateField(_l("取得时间"), validators=[Optional()])


class ProfilePage(ApplicantPage):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        person = self.applicant
        form = ProfileForm(obj=person if request.method == "GET" else None)
        action = request.form.get("action")
        if send_code_pressed():
            send_code(form, form.mobile, CodePurpose.CHANGE_MOBILE, account=current_user)
        elif request.method == "POST" and action in ("save", "submit") and form.validate_on_submit() \
                and not self.new_mobile_refused(form, person):
            step, success = ((workflow.save_profile, _("基本信息已保存。")) if action == "save" else
                             (workflow.save_and_submit_profile, _("基本信息已提交单位审核。")))
            # Submitting saves what was typed first: nothing on the form is lost.
            if self.run(
                    step, success, mobile=form.mobile.data,
                    highest_education=form.highest_education.data or "",
                    current_title=form.current_title.data or "",
                    current_title_date=form.current_title_date.data):
                return redirect(url_for(".index"))
        query = (request.args.get("q") or "").strip()
        units = []
        if query:
            units = Unit.query_for(current_user).filter(
                db.or_(Unit.name.contains(query), Unit.uscc == query.upper())
            ).order_by(Unit.name).limit(20).all()
        return self.render("me/profile.html", person=person, form=form, query=query,
                           units=units)

    @staticmethod
    def new_mobile_refused(form, person) -> bool:
        """A new mobile's code, used up before the step (which checks it was): a wrong code
        counts as a try even though nothing is saved."""
        if form.mobile.data == person.mobile or not form.code.data:
            return False  # unchanged, or the step refuses it with its own message
        try:
            verification.consume(form.mobile.data, CodePurpose.CHANGE_MOBILE, form.code.data,
                                 account=current_user)
        except verification.CodeRefused as refused:
            db.session.commit()
            form.code.errors = [str(refused)]
            return True
        return False

    @expose("/unit", methods=("POST",))
    def choose_unit(self):
        if not FlaskForm().validate_on_submit():
            abort(400)
        unit = Unit.get_for(current_user, request.form.get("unit_id"))
        if unit is None:
            flash(_("请选择已通过平台授权的工作单位。"), "error")
        else:
            self.run(workflow.choose_unit, _("工作单位已设为「%(unit)s」。", unit=unit.name), unit)
        return redirect(url_for(".index"))


# --- 业绩档案 ------------------------------------------------------------------------------------

class ArchivePage(ApplicantPage):
    @expose("/")
    def index(self):
        items = ArchiveItem.query_for(current_user).order_by(ArchiveItem.id).all()
        grouped = {category: [] for category in ArchiveCategory}
        for item in items:
            grouped[item.category].append(item)
        # A table per category that is required or has entries; the rest are one row of
        # buttons, so a new archive is not a page of empty tables.
        shown = {category: entries for category, entries in grouped.items()
                 if entries or category in MANDATORY_CATEGORIES}
        addable = [category for category in grouped if category not in shown]
        return self.render("me/archive.html", grouped=shown, addable=addable,
                           mandatory=MANDATORY_CATEGORIES, person=self.applicant)

    def _category(self, code):
        try:
            return ArchiveCategory(code)
        except ValueError:
            abort(404)

    def _attachment(self, form):
        """The uploaded PDF, stored (kept only if the step commits); ``False`` when refused."""
        upload = request.files.get(form.attachment.name)
        if upload is None or not upload.filename:
            return None
        try:
            data = accept_pdf(upload, current_user)
        except UploadError as error:
            form.attachment.errors = [str(error)]
            return False
        return store_bytes(data, upload.filename or "附件.pdf", uploaded_by=current_user)

    @expose("/new/<code>", methods=("GET", "POST"))
    def create(self, code):
        category = self._category(code)
        form = item_form_class(category)()
        if form.validate_on_submit():
            attachment = self._attachment(form)
            if attachment is not False and self.run(
                    workflow.create_item,
                    lambda item: _("已提交单位审核。") if item.status == ReviewStatus.PENDING
                    else _("已保存为草稿。"),
                    category, attachment=attachment,
                    submit=request.form.get("action") == "submit",
                    **item_fields(category, form)):
                return redirect(url_for(".index"))
        return self.render("me/archive_form.html", form=form, category=category, item=None)

    @expose("/<int:item_id>/edit", methods=("GET", "POST"))
    def edit(self, item_id):
        item = get_for_or_404(ArchiveItem, item_id)
        form_class = item_form_class(item.category)
        form = form_class(data=form_values(item)) if request.method == "GET" else form_class()
        if form.validate_on_submit():
            was = item.status
            attachment = self._attachment(form)
            if attachment is not False and self.run(
                    workflow.save_item,
                    lambda item: _("已修改并提交单位审核。")
                    if item.status == ReviewStatus.PENDING and was != ReviewStatus.PENDING
                    else _("已保存。"),
                    item, attachment=attachment, submit=request.form.get("action") == "submit",
                    **item_fields(item.category, form)):
                return redirect(url_for(".index"))
        return self.render("me/archive_form.html", form=form, category=item.category, item=item)

    @expose("/<int:item_id>/submit", methods=("POST",))
    def submit(self, item_id):
        item = get_for_or_404(ArchiveItem, item_id)
        self.run(workflow.submit_item, _("已提交单位审核。"), item)
        return redirect(url_for(".index"))

    @expose("/<int:item_id>/delete", methods=("POST",))
    def delete(self, item_id):
        item = get_for_or_404(ArchiveItem, item_id)
        self.run(workflow.delete_item, _("草稿已删除。"), item)
        return redirect(url_for(".index"))

    @expose("/file/<int:attachment_id>")
    def file(self, attachment_id):
        return send_stored(get_for_or_404(ArchiveItemAttachment, attachment_id).file, inline=True)


# --- 职称申报 ------------------------------------------------------------------------------------

class ApplicationForm(FlaskForm):
    plan = SelectField(_l("评审计划"), coerce=int,
                       validators=[DataRequired(message=_l("请选择评审计划。"))])
    series = SelectField(_l("申报系列"), coerce=int,
                         validators=[DataRequired(message=_l("请选择申报系列。"))])
    specialty = StringField(_l("申报专业"), validators=[
        DataRequired(message=_l("请填写申报专业。")), Length(max=100)])
    level = SelectField(_l("申报级别"), choices=[("", _l("请选择"))] + TitleLevel.choices(),
                        validators=[DataRequired(message=_l("请选择申报级别。"))])
    qualification = SelectField(_l("资格名称"), coerce=int,
                                validators=[DataRequired(message=_l("请选择资格名称。"))])
    review_method = SelectField(_l("评审方式"), choices=ReviewMethod.choices(),
                                default=ReviewMethod.REVIEW.value)

    def fill_choices(self, application=None):
        if application is not None:
            # An application stays under the plan it was created in.
            del self.plan
        else:
            self.plan.choices = [(0, _("请选择"))] + [
                (plan.id, plan.name + aside(_("个人申报截止%(deadline)s",
                                              deadline=local_date(plan.personal_deadline))))
                for plan in plans.open_plans()]
        series = TitleSeries.query_for(current_user).filter_by(active=True).order_by(
            TitleSeries.sort_order).all()
        self.series.choices = [(0, _("请选择"))] + [(s.id, s.name) for s in series]
        qualifications = TitleQualification.query_for(current_user).filter_by(
            active=True).order_by(TitleQualification.series_id,
                                  TitleQualification.sort_order).all()
        # Each names its series and level, so the page offers only those of the chosen ones.
        self.qualification.choices = [(0, _("请选择"), {})] + [
            (q.id, q.name + aside(f"{q.series.name}·{q.level.label}"),
             {"data-series": q.series_id, "data-level": q.level.value}) for q in qualifications]
        return self

    def chosen(self):
        chosen = {} if self.plan is None else {
            "plan": ReviewPlan.get_for(current_user, self.plan.data)}
        return chosen | {
            "series": TitleSeries.get_for(current_user, self.series.data),
            "specialty": self.specialty.data.strip(),
            "level": TitleLevel(self.level.data),
            "qualification": TitleQualification.get_for(current_user, self.qualification.data),
            "review_method": ReviewMethod(self.review_method.data),
        }


class ApplicationsPage(ApplicantPage):
    @expose("/")
    def index(self):
        applications = Application.query_for(current_user).order_by(Application.id.desc()).all()
        year = workdays.today().year
        open_one = workflow.open_application(self.applicant.id, year)
        return self.render("me/applications.html", applications=applications, open_one=open_one,
                           year=year, open_plans=plans.open_plans(),
                           shown_plans=plans.shown_plans(), next_opening=plans.next_opening())

    def _specialties(self):
        return [name for (name,) in db.session.query(TitleSpecialty.name).filter(
            TitleSpecialty.scope_clause(current_user)).distinct().order_by(TitleSpecialty.name)]

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        form = ApplicationForm().fill_choices()
        if request.method == "GET" and len(form.plan.choices) == 2:
            form.plan.data = form.plan.choices[1][0]
        if form.validate_on_submit():
            created = self.run(workflow.create_application, _("申报已创建，请提取业绩档案后提交。"),
                               **form.chosen())
            if created:
                return redirect(url_for(".details", application_id=created.value.id))
        return self.render("me/application_form.html", form=form, application=None,
                           specialties=self._specialties())

    @expose("/<int:application_id>/edit", methods=("GET", "POST"))
    def edit(self, application_id):
        application = get_for_or_404(Application, application_id)
        if request.method == "GET":
            form = ApplicationForm(data={
                "series": application.series_id, "specialty": application.specialty,
                "level": application.level.value, "qualification": application.qualification_id,
                "review_method": application.review_method.value}).fill_choices(application)
        else:
            form = ApplicationForm().fill_choices(application)
            if form.validate_on_submit() and self.run(
                    workflow.update_application, _("申报信息已保存。"), application, **form.chosen()):
                return redirect(url_for(".details", application_id=application.id))
        return self.render("me/application_form.html", form=form, application=application,
                           specialties=self._specialties())

    @expose("/<int:application_id>")
    def details(self, application_id):
        return self._details(get_for_or_404(Application, application_id))

    def _details(self, application, posted=None, errors=None):
        """The application's page; ``posted`` the ticks and replies of a refused form, kept."""
        history = timeline(Subject.APPLICATION, application.id)
        extracted = {item.archive_item_id for item in application.items
                     if item.archive_item_id is not None}
        # Approved items, and those extracted whose edit waits for the unit's review (their
        # extracted version is kept while ticked).
        approved = ArchiveItem.query_for(current_user).filter(sa.or_(
            ArchiveItem.status == ReviewStatus.APPROVED, ArchiveItem.id.in_(extracted))).order_by(
                category_order(ArchiveItem.category), ArchiveItem.id).all()
        editable = application.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
        remarked = workflow.remarked_items(application)
        if posted is not None:
            ticked = {to_id(item_id) for item_id in posted.getlist("item_id")}
            replies = posted_ids("reply-", posted)
        else:
            ticked = extracted
            replies = {found["extracted"].id: found["extracted"].reply for found in remarked
                       if found["extracted"] is not None}
        return self.render(
            "me/application.html", application=application, history=history,
            approved=approved, extracted=extracted, ticked=ticked, editable=editable,
            remarked=remarked, replies=replies, errors=errors or {},
            reply_max=workflow.REPLY_MAX,
            missing=workflow.missing_mandatory_categories(application),
            countdown=plans.deadline_of(application))

    def _save_extraction(self, application):
        """Save the ticked items and the replies of the posted form; a refusal re-renders the
        page with what was typed (a response), a success returns None."""
        if not FlaskForm().validate_on_submit():
            abort(400)
        replies = posted_ids("reply-")
        errors = workflow.reply_errors(replies)
        if errors:
            flash(_("请按提示修改后再保存。"), "error")
            return self._details(application, request.form, errors)
        if not run_step(workflow.extract_items, application, request.form.getlist("item_id"),
                        replies=replies):
            return self._details(application, request.form)
        return None

    @expose("/<int:application_id>/items", methods=("POST",))
    def extract(self, application_id):
        application = get_for_or_404(Application, application_id)
        refused = self._save_extraction(application)
        if refused is not None:
            return refused
        flash(_("已保存提取的业绩。"), "success")
        return redirect(url_for(".details", application_id=application.id))

    @expose("/<int:application_id>/review-form")
    def review_form(self, application_id):
        """申报评审表 of one's own application, to check and, once decided, to print."""
        application = get_for_or_404(Application, application_id)
        return review_form_response(application,
                                    url_for(".details", application_id=application.id))

    @expose("/<int:application_id>/submit", methods=("POST",))
    def submit(self, application_id):
        """提交单位审核: the ticks and replies on the page are saved first, then submitted."""
        application = get_for_or_404(Application, application_id)
        if "extraction" in request.form:
            refused = self._save_extraction(application)
            if refused is not None:
                return refused
        elif not FlaskForm().validate_on_submit():
            abort(400)
        self.run(workflow.submit_application, _("申报已提交单位审核。"), application,
                 declared=request.form.get("declared") == "1")
        return redirect(url_for(".details", application_id=application.id))


# What the applicant does next, or waits for, in each state of their application.
NEXT_STEP = {
    ApplicationStatus.DRAFT: _l("提取单位已审核通过的业绩档案，勾选诚信承诺后提交单位审核。"),
    ApplicationStatus.PENDING: _l("等待单位审核，审核期间不能修改。"),
    ApplicationStatus.RETURNED: _l("按退回原因和各项业绩的审核意见修改后，重新提交单位审核。"),
    ApplicationStatus.APPROVED: _l("单位审核已通过，等待单位安排公示。"),
    ApplicationStatus.PUBLICIZING: _l("正在公示，公示期满无异议后由单位推荐至受理点。"),
    ApplicationStatus.PUBLICIZED: _l("公示期满，等待单位推荐至受理点。"),
    ApplicationStatus.RECOMMENDED: _l("单位已推荐，等待受理点受理。"),
    ApplicationStatus.ACCEPTED: _l("受理点已受理，请等待评审结果。"),
    ApplicationStatus.ACCEPTANCE_RETURNED: _l("受理点已退回单位，等待单位处理。"),
    ApplicationStatus.ROUTE_RETURNED: _l("审核机构已退回单位，等待单位处理。"),
    ApplicationStatus.REJECTED: _l("本年度申报已结束；如有疑问请联系单位。"),
    ApplicationStatus.NOT_RECOMMENDED: _l("单位不予推荐，本年度申报已结束；如有疑问请联系单位。"),
}


def next_step(application) -> str:
    """What comes next, naming the reviewing level when one holds the recommendation."""
    if application.status == ApplicationStatus.RECOMMENDED:
        stop = application.current_stop
        if stop is not None and stop.organisation.reviews:
            return _("单位已推荐，等待%(holder)s（%(kind)s）审核。", holder=stop.organisation.name,
                     kind=stop.organisation.kind.label)
    return NEXT_STEP.get(application.status, "")


def last_reason(application) -> str:
    """Why it was last sent back or stopped, in the words of whoever did it ('' if not)."""
    if application.status in (ApplicationStatus.ACCEPTANCE_RETURNED,
                              ApplicationStatus.ROUTE_RETURNED):
        return application.acceptance_opinion
    if application.status in (ApplicationStatus.RETURNED, ApplicationStatus.REJECTED,
                              ApplicationStatus.NOT_RECOMMENDED):
        return application.opinion
    return ""


def home_context():
    """The applicant's home: their latest application as a card (its state, who holds it by
    name and since when, the last reason it was sent back, what comes next) and the current
    plans and the next to open, with their dates."""
    current = Application.query_for(current_user).order_by(Application.id.desc()).first()
    card = None
    if current is not None:
        card = {"application": current, "since": current.status_since,
                "days": plans.waited_days(current.status_since), "reason": last_reason(current),
                "next_step": next_step(current)}
    return {"shown_plans": plans.shown_plans(), "card": card}


def register(admin):
    admin.add_view(ProfilePage(name=_l("基本信息"), endpoint="me_profile", url="profile"))
    admin.add_view(ArchivePage(name=_l("业绩档案"), endpoint="me_archive", url="archive"))
    admin.add_view(ApplicationsPage(name=_l("职称申报"), endpoint="me_application",
                                    url="applications"))


