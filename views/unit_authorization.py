"""委托证明, 单位信息 and 操作指南: the pages a unit can open before its authorization is approved."""
from io import BytesIO

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import CHANGEABLE, Authorization, AuthorizationStatus, OfficerDuty, Role, UnitChange
from zcps import plans, workflow
from zcps.documents import UnprintableText, entrustment_code, entrustment_pdf
from zcps.exports import attachment_name
from zcps.extensions import db
from zcps.forms import AuthorizationForm, UnitChangeForm
from zcps.storage import send_stored, store_bytes
from zcps.uploads import UploadError, accept_pdf

from .base import AreaPage, get_for_or_404, run_step

# The words for the fields a 单位信息变更 changes.
CHANGE_LABELS = {"name": _l("单位名称"), "address": _l("单位地址"),
                 "legal_representative": _l("法定代表人"), "contact_name": _l("联系人"),
                 "contact_mobile": _l("手机号码")}


def _history(unit):
    return db.session.scalars(
        db.select(Authorization).where(Authorization.scope_clause(current_user))
        .where(Authorization.unit_id == unit.id).order_by(Authorization.id.desc())
    ).all()


def _letter(unit, officer_name, officer_id_number, officer_mobile):
    try:
        pdf = entrustment_pdf(
            unit_name=unit.name, uscc=unit.uscc, legal_representative=unit.legal_representative,
            address=unit.address, officer_name=officer_name,
            officer_id_number=officer_id_number, officer_mobile=officer_mobile,
            verification_code=entrustment_code(unit.uscc, officer_name, officer_id_number,
                                               officer_mobile))
    except UnprintableText as error:
        flash(str(_l("单位信息或经办人信息中的“%(chars)s”是生僻字，委托证明中无法打印。"
                     "请联系平台管理员修改单位信息，或改用通用写法后重新下载。",
                     chars="、".join(str(error)))), "error")
        return redirect(url_for(".index"))
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=attachment_name(f"委托证明_{unit.name}.pdf"), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


class AuthorizationPage(AreaPage):
    role = Role.EMPLOYER
    open_before_authorization = True

    @expose("/", methods=("GET", "POST"))
    def index(self):
        unit = current_user.unit
        history = _history(unit)
        form = AuthorizationForm()
        if request.method == "GET" and history:
            latest = history[0]
            form.officer_name.data = latest.officer_name
            form.officer_id_number.data = latest.officer_id_number
            form.officer_mobile.data = latest.officer_mobile
        waiting_change = (workflow.pending_officer_change(unit)
                          if unit.authorization_status == AuthorizationStatus.APPROVED else None)
        # First (or again after a rejection), or 经办人变更 of an authorized unit.
        can_submit = (unit.authorization_status in (AuthorizationStatus.NONE,
                                                    AuthorizationStatus.REJECTED)
                      or (unit.authorization_status == AuthorizationStatus.APPROVED
                          and waiting_change is None and current_user.may(OfficerDuty.UNIT_ADMIN)))
        if request.method == "POST" and form.validate_on_submit():
            if request.form.get("action") == "download":
                return self._download(unit, form)
            response = self._submit(form, can_submit)
            if response is not None:
                return response
        return self.render("unit/authorization.html", unit=unit, form=form, history=history,
                           can_submit=can_submit, waiting_change=waiting_change,
                           current=workflow.current_officer(unit))

    def _download(self, unit, form):
        return _letter(unit, form.officer_name.data, form.officer_id_number.data,
                       form.officer_mobile.data)

    @expose("/letter/<int:authorization_id>")
    def letter(self, authorization_id):
        """The 委托证明 of a submitted authorization again (same verification code), while the
        platform has not decided on it."""
        authorization = get_for_or_404(Authorization, authorization_id)
        if authorization.status != AuthorizationStatus.PENDING:
            abort(404)  # decided: a new submission starts from a new letter
        return _letter(authorization.unit, authorization.officer_name,
                       authorization.officer_id_number, authorization.officer_mobile)

    def _submit(self, form, can_submit):
        if not can_submit:
            flash(str(_l("当前授权状态下不能提交委托证明。")), "error")
            return redirect(url_for(".index"))
        try:
            data = accept_pdf(request.files.get(form.scan.name), current_user)
        except UploadError as error:
            form.scan.errors = [str(error)]
            return None
        change = current_user.unit.authorization_status == AuthorizationStatus.APPROVED
        run_step(workflow.submit_authorization, form.officer_name.data,
                 form.officer_id_number.data, form.officer_mobile.data,
                 store_bytes(data, "委托证明.pdf", uploaded_by=current_user),
                 success=_l("经办人变更已提交，请等待平台管理员审核；审核期间单位授权保持有效。")
                 if change else
                 _l("委托证明已提交，请等待平台管理员审核，审核结果将以短信通知单位联系人。"))
        return redirect(url_for(".index"))

    @expose("/file/<int:authorization_id>")
    def file(self, authorization_id):
        authorization = get_for_or_404(Authorization, authorization_id)
        if authorization.file is None:
            abort(404)
        return send_stored(authorization.file, download_name="委托证明.pdf")


class UnitProfilePage(AreaPage):
    """单位信息, and 单位信息变更: the unit asks, the platform admin decides."""

    role = Role.EMPLOYER
    open_before_authorization = True

    @expose("/", methods=("GET", "POST"))
    def index(self):
        unit = current_user.unit
        form = UnitChangeForm(obj=unit if request.method == "GET" else None)
        if request.method == "POST" and form.validate_on_submit():
            try:
                data = accept_pdf(request.files.get(form.proof.name), current_user)
            except UploadError as error:
                form.proof.errors = [str(error)]
            else:
                values = {field: form[field].data for field in CHANGEABLE}
                outcome = run_step(
                    workflow.request_unit_change, values, form.reason.data,
                    store_bytes(data, "单位信息变更证明.pdf", uploaded_by=current_user),
                    success=_l("变更申请已提交，请等待平台管理员审核，审核结果将以短信通知单位联系人。"))
                if outcome:
                    return redirect(url_for(".index"))
        changes = db.session.scalars(UnitChange.select_for(current_user).order_by(
            UnitChange.id.desc())).all()
        waiting = any(change.status == AuthorizationStatus.PENDING for change in changes)
        return self.render("unit/profile.html", unit=unit, form=form, changes=changes,
                           waiting=waiting, former_names=workflow.former_names(unit),
                           labels=CHANGE_LABELS)

    @expose("/file/<int:change_id>")
    def change_file(self, change_id):
        change = get_for_or_404(UnitChange, change_id)
        if change.file is None:
            abort(404)
        return send_stored(change.file, download_name="单位信息变更证明.pdf")


class GuidePage(AreaPage):
    """操作指南: the six steps, each with the page where it is done."""

    role = Role.EMPLOYER
    open_before_authorization = True
    unit_duty = None  # every officer reads the guide

    @expose("/")
    def index(self):
        return self.render("unit/guide.html", unit=current_user.unit,
                           shown_plans=plans.shown_plans())


def register(admin):
    admin.add_view(AuthorizationPage(name=_l("委托证明"), category=_l("单位管理"),
                                     endpoint="unit_authorization", url="authorization"))
    admin.add_view(UnitProfilePage(name=_l("单位信息"), category=_l("单位管理"),
                                   endpoint="unit_profile", url="profile"))
    admin.add_view(GuidePage(name=_l("操作指南"), category=_l("单位管理"), endpoint="unit_guide",
                             url="guide"))


