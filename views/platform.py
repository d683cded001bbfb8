"""平台管理 (/admin): units, authorizations, acceptance points, the catalogue, outbox, audit,
the working-day calendar; the review plans are in views/platform_plans.py."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, has_request_context, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.form import BaseForm
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from models import (
    AcceptancePoint,
    Account,
    AdminKind,
    AuditAction,
    AuditArchive,
    AuditLog,
    Authorization,
    AuthorizationStatus,
    Notification,
    NotificationStatus,
    OrganisationKind,
    ReviewPlan,
    Role,
    TitleLevel,
    TitleQualification,
    TitleSeries,
    TitleSpecialty,
    Unit,
    UnitChange,
    WorkdayOverride,
    utcnow,
)
from zcps import (
    accounts,
    audit,
    catalogue,
    passwords,
    plans,
    retention,
    storage,
    workdays,
    workflow,
)
from zcps.documents import authorization_code, same_code
from zcps.extensions import db
from zcps.forms import DecisionForm
from zcps.i18n import aside, colon_text, join_list, local_date, weekday
from zcps.identifiers import mask_id_number
from zcps.security_headers import framed_by_this_site
from zcps.storage import send_checked, send_stored
from zcps.workflow import sms

from .base import SAVE_FAILED, ChoiceFilter, ScopedModelView, like_escaped, run_step, search_clause
from .columns import status_formatter
from .unit_authorization import CHANGE_LABELS


class PlatformView(ScopedModelView):
    """A page of 平台管理. 三员分立: each view names the admin duties that may open it (most are
    the 系统管理员's), and each action or button held by another duty says so in
    ``security_only``/``security_actions``, so that the menu, the buttons and the endpoints
    follow one table."""

    role = Role.PLATFORM_ADMIN
    admin_kinds: tuple = (AdminKind.SYSTEM,)
    # Bulk actions and row buttons only the 安全管理员 has (account status, resets, release).
    security_actions: tuple = ()
    security_row_actions: tuple = ()

    def is_accessible(self):
        return super().is_accessible() and current_user.admin_kind in self.admin_kinds

    def get_list_row_actions(self):
        actions = super().get_list_row_actions()
        if self.security_row_actions and current_user.is_admin(AdminKind.SECURITY):
            actions = [*actions, *self.security_row_actions]
        return actions

    def is_action_allowed(self, name):
        if name in self.security_actions and not current_user.is_admin(AdminKind.SECURITY):
            return False
        return super().is_action_allowed(name)


def security_only():
    """The 安全管理员's own buttons and pages: a 403 for the other duties."""
    if not current_user.is_admin(AdminKind.SECURITY):
        abort(403)


def lock_label(account) -> str:
    """已锁定至 2026-09-29 10:15 (Beijing time) while a lockout lasts, else nothing."""
    if account is None or not account.locked_at(utcnow()):
        return ""
    return _("已锁定至%(time)s", time=f"{plans.in_beijing(account.locked_until):%Y-%m-%d %H:%M}")


RESET_ROW_ACTION = EndpointLinkRowAction("fa fa-key", ".reset_password_view",
                                         title=_l("重置密码或解除锁定"))


class PasswordResetMixin:
    """A row button to an account's page: a new one-time password (shown once), and the early
    release of a sign-in lockout — the 安全管理员's, whose list alone shows the button."""

    security_row_actions = (RESET_ROW_ACTION,)

    def account_for(self, record):
        raise NotImplementedError

    def _record_and_account(self):
        security_only()
        record = self.get_one_or_404(request.values.get("id"))
        account = self.account_for(record)
        if account is None:
            abort(404)
        return record, account

    @expose("/reset-password/", methods=("GET", "POST"))
    def reset_password_view(self):
        record, account = self._record_and_account()
        password = None
        if request.method == "POST":
            password = accounts.reset_password(current_user, account)
            db.session.commit()
        return self.render("admin/reset_password.html", record=record, account=account,
                           password=password, locked=lock_label(account))

    @expose("/unlock/", methods=("POST",))
    def unlock_view(self):
        record, account = self._record_and_account()
        if not FlaskForm().validate_on_submit():
            abort(400)
        accounts.unlock(current_user, account)
        db.session.commit()
        flash(_("已解除锁定：%(name)s。", name=account.display_name or account.username), "success")
        return redirect(self.get_url(".reset_password_view", id=record.id))


class AccountStatusActions:
    """停用/启用 of the accounts a list shows, the 安全管理员's (their sessions end at once)."""

    security_actions = ("deactivate", "activate")

    def account_for(self, record):
        raise NotImplementedError

    def _set_active(self, records, active):
        def step(actor):
            for record in records:
                accounts.change_account_active(actor, self.account_for(record), active)

        run_step(step, success=_("已启用 %(n)s 个账号。", n=len(records)) if active
                 else _("已停用 %(n)s 个账号，其已登录的会话同时结束。", n=len(records)))

    @action("deactivate", _l("停用"), _l("确定停用所选账号吗？停用后不能登录。"))
    def action_deactivate(self, records):
        self._set_active(records, False)

    @action("activate", _l("启用"), _l("确定启用所选账号吗？"))
    def action_activate(self, records):
        self._set_active(records, True)


def reviewing_levels():
    """The organisations that may be a level of a route (a unit's 主管部门, a level's 上级机构)."""
    return AcceptancePoint.query.filter(
        AcceptancePoint.kind != OrganisationKind.ACCEPTANCE).order_by(AcceptancePoint.name)


def check_routes():
    """Refuse an edit that leaves a route of more than two levels, or a cycle."""
    problem = workflow.routes_problem()
    if problem:
        raise ValidationError(problem)


class UnitView(PasswordResetMixin, PlatformView):
    column_list = ["name", "uscc", "legal_representative", "contact_name",
                   "authorization_status", "supervisor", "active", "created_at"]
    column_details_list = ["name", "uscc", "address", "legal_representative", "contact_name",
                           "contact_mobile", "authorization_status", "supervisor", "active",
                           "created_at"]
    # The unit's own data is its to change (单位信息变更); the admin binds it to its route.
    form_columns = ["supervisor"]
    form_args = {"supervisor": {"query_factory": reviewing_levels, "allow_blank": True,
                                "blank_text": _l("无（直接推荐至受理点）")}}
    column_descriptions = {"supervisor": _l("单位的推荐先经主管部门（或区县人社、人事代理机构）审核，"
                                            "再报送受理点；不设置则直接推荐至受理点。")}
    column_labels = {
        "name": _l("单位名称"), "uscc": _l("统一社会信用代码"), "address": _l("单位地址"),
        "legal_representative": _l("法定代表人"), "contact_name": _l("联系人"),
        "contact_mobile": _l("手机号码"), "authorization_status": _l("授权状态"),
        "active": _l("启用"), "created_at": _l("注册时间"), "supervisor": _l("主管部门"),
    }

    @property
    def can_edit(self):
        return not has_request_context() or current_user.is_admin(AdminKind.SYSTEM)

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if model.supervisor is not None and not model.supervisor.reviews:
            raise ValidationError(_("主管部门须为主管部门、区县人社或人事代理机构，不能是受理点。"))
        check_routes()
    column_searchable_list = ["name", "uscc"]
    column_formatters = {"authorization_status": status_formatter("authorization_status")}
    column_default_sort = ("id", True)
    admin_kinds = (AdminKind.SYSTEM, AdminKind.SECURITY)
    security_actions = ("deactivate", "activate")

    def account_for(self, unit):
        return db.session.scalar(db.select(Account).where(
            Account.role == Role.EMPLOYER, Account.unit_id == unit.id,
            Account.officer_duties.is_(None)))

    def _set_active(self, units, active):
        for unit in units:
            accounts.set_unit_active(current_user, unit, active)
        db.session.commit()
        if active:
            flash(_("已启用 %(n)s 个单位。", n=len(units)), "success")
        else:
            flash(_("已停用 %(n)s 个单位，其账号已不能登录。", n=len(units)), "success")

    @action("deactivate", _l("停用"), _l("确定停用所选单位吗？停用后该单位账号不能登录。"))
    def action_deactivate(self, units):
        self._set_active(units, False)

    @action("activate", _l("启用"), _l("确定启用所选单位吗？"))
    def action_activate(self, units):
        self._set_active(units, True)


def submission_kind(authorization) -> str:
    """单位授权 (the first, or again after a rejection) or 经办人变更 (a unit already authorized)."""
    return _("经办人变更") if authorization.officer_change else _("单位授权")


def unit_link(view, context, record, name):
    """The unit's name, opening the record's 审核 page."""
    return Markup('<a href="{}">{}</a>').format(view.get_url(".decide_view", id=record.id),
                                                 record.unit.name)


class DecisionPage:
    """A queue of units' submissions (授权审核, 单位信息变更): tabs by status with counts, search by
    the unit, and the 审核 page — the record, an opinion, and 通过 or 不通过 (with the reason),
    taken once by the workflow step ``decide``."""

    column_searchable_list = ["unit.name", "unit.uscc"]
    column_sortable_list = ["submitted_at", "decided_at"]
    column_default_sort = ("submitted_at", False)
    status_column = "status"
    status_tabs = (
        ("pending", _l("待审核"), [AuthorizationStatus.PENDING]),
        ("approved", _l("审核通过"), [AuthorizationStatus.APPROVED]),
        ("rejected", _l("审核未通过"), [AuthorizationStatus.REJECTED]),
        ("all", _l("全部"), None),
    )
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-gavel", ".decide_view", title=_l("审核")),
    ]
    decide_template: str = ""

    def waiting_count(self) -> int:
        """How many submissions wait for a decision (the admin's home shows it)."""
        return self.scoped(db.session.query(sa.func.count(self.model.id))).filter(
            self.model.status == AuthorizationStatus.PENDING).scalar()

    def decide(self, actor, record, approve: bool, opinion: str):
        raise NotImplementedError

    def decided(self, record, approve: bool) -> str:
        """The message after the decision."""
        raise NotImplementedError

    def decide_context(self, record) -> dict:
        """What the page's template shows besides the form."""
        raise NotImplementedError

    @expose("/decide/", methods=("GET", "POST"))
    def decide_view(self):
        record = self.get_one_or_404(request.args.get("id"))
        form = DecisionForm()
        if form.validate_on_submit():
            decision = request.form.get("decision")
            if decision not in ("approve", "reject"):
                abort(400)
            approve = decision == "approve"
            outcome = run_step(self.decide, record, approve, form.opinion.data,
                               flash_error=False, success=self.decided(record, approve))
            if outcome:
                return redirect(self.get_url(".index_view"))
            if outcome.already_handled:
                flash(outcome.error, "error")
                return redirect(self.get_url(".decide_view", id=record.id))
            form.opinion.errors = [outcome.error]
        return self.render(self.decide_template, form=form, **self.decide_context(record))


class AuthorizationView(DecisionPage, PlatformView):
    """授权审核: the queue of units' 委托证明 submissions."""

    column_list = ["unit", "unit.uscc", "officer_change", "officer_name", "status",
                   "submitted_at", "decided_at", "opinion"]
    column_details_list = ["unit", "officer_change", "officer_name", "officer_id_number",
                           "officer_mobile", "status", "submitted_at", "decided_at",
                           "decided_by", "opinion"]
    column_labels = {
        "unit": _l("单位名称"), "unit.name": _l("单位名称"), "unit.uscc": _l("统一社会信用代码"),
        "officer_name": _l("经办人姓名"), "officer_id_number": _l("经办人身份证号"),
        "officer_mobile": _l("经办人手机号码"), "status": _l("状态"),
        "submitted_at": _l("提交时间"), "decided_at": _l("审核时间"), "decided_by": _l("审核人"),
        "opinion": _l("审核意见"), "officer_change": _l("类型"),
    }
    column_select_related_list = [Authorization.unit]
    column_formatters = {
        "status": status_formatter("status"),
        "unit": unit_link,
        "officer_change": lambda view, context, model, name: submission_kind(model),
    }
    column_formatters_detail = column_formatters

    decide_template = "admin/authorization_decide.html"

    def decide(self, actor, authorization, approve: bool, opinion: str):
        step = workflow.approve_authorization if approve else workflow.reject_authorization
        return step(actor, authorization, opinion)

    def decided(self, authorization, approve: bool) -> str:
        if approve:
            return _("已审核通过：%(unit)s。已短信通知单位联系人。", unit=authorization.unit.name)
        return _("已审核不通过：%(unit)s。已短信通知单位联系人。", unit=authorization.unit.name)

    def decide_context(self, authorization) -> dict:
        earlier = db.session.scalars(
            Authorization.select_for(current_user)
            .where(Authorization.unit_id == authorization.unit_id,
                   Authorization.id != authorization.id)
            .order_by(Authorization.id.desc())).all()
        expected = authorization_code(authorization)
        entered = (request.args.get("code") or "")[:40]
        matches = None
        if entered.strip():
            matches = same_code(entered, expected)
        return {"authorization": authorization, "earlier": earlier,
                "verification_code": expected, "entered_code": entered, "code_matches": matches}

    @expose("/file/<int:authorization_id>")
    def file_view(self, authorization_id):
        authorization = self.get_one_or_404(authorization_id)
        if authorization.file is None:
            abort(404)
        return framed_by_this_site(send_stored(authorization.file, inline=True))

    @action("approve", _l("通过"), _l("确定通过所选单位的授权申请吗？通过后将短信通知各单位。"))
    def action_approve(self, authorizations):
        approved = sum(1 for authorization in authorizations
                       if run_step(workflow.approve_authorization, authorization))
        if approved:
            flash(_("已通过 %(n)s 个单位的授权申请。", n=approved), "success")


def _change_summary(view, context, change, name):
    return Markup("<br>").join(
        Markup("{}{} → {}").format(colon_text(CHANGE_LABELS.get(key, key)),
                                   change.before.get(key, ""), value)
        for key, value in change.after.items())


class UnitChangeView(DecisionPage, PlatformView):
    """单位信息变更: the units' requests to change their name, address, legal representative or
    contact, each with a reason and a PDF proof."""

    column_list = ["unit", "unit.uscc", "after", "reason", "status", "submitted_at",
                   "decided_at"]
    column_details_list = column_list
    column_labels = {"unit": _l("单位名称"), "unit.uscc": _l("统一社会信用代码"),
                     "after": _l("变更事项"), "reason": _l("变更原因"), "status": _l("状态"),
                     "submitted_at": _l("提交时间"), "decided_at": _l("审核时间")}
    column_select_related_list = [UnitChange.unit]
    column_formatters = {
        "status": status_formatter("status"),
        "after": _change_summary,
        "unit": unit_link,
    }
    column_formatters_detail = column_formatters

    decide_template = "admin/unit_change_decide.html"

    def decide(self, actor, change, approve: bool, opinion: str):
        return workflow.decide_unit_change(actor, change, approve, opinion)

    def decided(self, change, approve: bool) -> str:
        if approve:
            return _("已审核通过：%(unit)s 的单位信息已更新，已短信通知单位联系人。",
                     unit=change.unit.name)
        return _("已审核不通过：%(unit)s。已短信通知单位联系人。", unit=change.unit.name)

    def decide_context(self, change) -> dict:
        return {"change": change, "labels": CHANGE_LABELS,
                "former_names": workflow.former_names(change.unit)}

    @expose("/file/<int:change_id>")
    def file_view(self, change_id):
        change = self.get_one_or_404(change_id)
        if change.file is None:
            abort(404)
        return send_stored(change.file, inline=True)


class AcceptancePointView(PlatformView):
    """Every organisation that receives recommendations: the acceptance points (受理点) and the
    reviewing levels of the routes (主管部门, 区县人社, 人事代理机构). Adding a level is adding one
    here, with its 上级机构, and binding units to it."""

    can_create = True
    can_edit = True
    column_list = ["name", "kind", "parent", "region", "contact_phone", "active"]
    column_details_list = ["name", "kind", "parent", "region", "address", "contact_phone",
                           "active", "created_at"]
    form_columns = ["name", "kind", "parent", "region", "address", "contact_phone", "active"]
    form_choices = {"kind": OrganisationKind.choices()}
    form_args = {"parent": {"query_factory": reviewing_levels, "allow_blank": True,
                            "blank_text": _l("无（报送单位选择的受理点）")}}
    column_descriptions = {"parent": _l("审核机构通过后报送的上级审核机构；不设置则报送单位选择的受理点。"
                                        "推荐路线最多经过两级审核机构。受理点不设置上级机构。")}
    column_labels = {"name": _l("名称"), "kind": _l("机构类型"), "parent": _l("上级机构"),
                     "region": _l("地区"), "address": _l("地址"), "contact_phone": _l("联系电话"),
                     "active": _l("启用"), "created_at": _l("创建时间")}
    column_formatters = {"kind": lambda view, context, model, name: model.kind.label}
    column_searchable_list = ["name"]

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        check_routes()


class SystemEdits:
    """Records the 系统管理员 creates and edits in a list the 安全管理员 also reads."""

    @property
    def can_create(self):
        return not has_request_context() or current_user.is_admin(AdminKind.SYSTEM)

    @property
    def can_edit(self):
        return not has_request_context() or current_user.is_admin(AdminKind.SYSTEM)


class AcceptanceAccountView(SystemEdits, AccountStatusActions, PasswordResetMixin, PlatformView):
    """The sign-in accounts of acceptance points (受理点登录): the 系统管理员 creates them; the
    安全管理员 resets, unlocks, stops and restarts them."""

    admin_kinds = (AdminKind.SYSTEM, AdminKind.SECURITY)
    column_list = ["username", "display_name", "acceptance_point", "acceptance_point.kind",
                   "active", "last_login_at", "locked_until"]
    column_details_list = ["username", "display_name", "acceptance_point",
                           "acceptance_point.kind", "active", "last_login_at", "created_at"]
    form_columns = ["username", "display_name", "acceptance_point", "new_password"]
    form_extra_fields = {
        "new_password": PasswordField(_l("初始密码"), description=_l("首次登录后须修改"))}
    column_labels = {"username": _l("用户名"), "display_name": _l("显示名称"),
                     "acceptance_point": _l("所属机构"), "acceptance_point.kind": _l("机构类型"),
                     "active": _l("启用"),
                     "last_login_at": _l("最近登录"), "created_at": _l("创建时间"),
                     "locked_until": _l("登录锁定")}
    column_formatters = {"locked_until": lambda view, context, model, name: lock_label(model)}
    column_searchable_list = ["username", "display_name"]
    form_args = {"username": {"validators": [DataRequired(message=_l("请填写用户名。")),
                                             Length(max=64)]},
                 "acceptance_point": {"validators": [DataRequired(message=_l("请选择所属机构。"))],
                                      "blank_text": _l("请选择受理点或审核机构")}}

    def view_clause(self):
        return Account.role == Role.ACCEPTANCE

    def account_for(self, account):
        return account

    def edit_form(self, obj=None):
        # A password is set once, at creation; later ones are the 安全管理员's resets.
        form = super().edit_form(obj)
        del form.new_password
        return form

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.role = Role.ACCEPTANCE
        model.username = (model.username or "").strip()
        if is_created:
            password = form.new_password.data
            if not password:
                raise ValidationError(_("新建账号时必须设置初始密码。"))
            reason = passwords.problem(password, model.identifiers)
            if reason is not None:
                raise ValidationError(reason)
            model.set_password(password)
            model.must_change_password = True


def applicant_username(view, context, account, name):
    if accounts.is_released(account):
        return _("身份证号已释放")
    return mask_id_number(account.username)


class ApplicantAccountView(AccountStatusActions, PasswordResetMixin, PlatformView):
    """The sign-in accounts of applicants (个人登录). The 安全管理员 resets, unlocks, stops and
    restarts them, and releases a 身份证号 one of them holds without being its owner (注销/释放)."""

    admin_kinds = (AdminKind.SYSTEM, AdminKind.SECURITY)
    column_list = ["username", "display_name", "active", "last_login_at", "locked_until",
                   "created_at"]
    column_details_list = column_list
    column_labels = {"username": _l("身份证号"), "display_name": _l("姓名"), "active": _l("启用"),
                     "last_login_at": _l("最近登录"), "locked_until": _l("登录锁定"),
                     "created_at": _l("注册时间")}
    column_formatters = {"username": applicant_username,
                         "locked_until": lambda view, context, model, name: lock_label(model)}
    column_searchable_list = ["username", "display_name"]
    column_default_sort = ("id", True)
    security_row_actions = (
        RESET_ROW_ACTION,
        EndpointLinkRowAction("fa fa-unlock", ".release_view", title=_l("释放身份证号")),
    )

    def view_clause(self):
        return Account.role == Role.APPLICANT

    def account_for(self, account):
        return account

    @expose("/release/", methods=("GET", "POST"))
    def release_view(self):
        security_only()
        account = self.get_one_or_404(request.values.get("id"))
        reason = (request.form.get("reason") or "")[:500]
        error = None
        if request.method == "POST":
            outcome = run_step(accounts.release_id_number, account, reason, flash_error=False,
                               success=_("身份证号已释放，原账号已停用；本人现可使用该身份证号注册。"))
            if outcome:
                return redirect(self.get_url(".index_view"))
            error = outcome.error
        return self.render("admin/release_id_number.html", account=account, reason=reason,
                           error=error, masked=mask_id_number(account.username))


class TitleSpecialtyView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["series", "name", "sort_order", "active"]
    column_details_list = ["series", "name", "sort_order", "active"]
    form_columns = ["series", "name", "sort_order", "active"]
    column_labels = {"series": _l("申报系列"), "name": _l("申报专业"), "sort_order": _l("排序"),
                     "active": _l("启用")}
    column_searchable_list = ["name"]


class TitleSeriesView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["name", "sort_order", "active"]
    column_details_list = ["name", "sort_order", "active"]
    form_columns = ["name", "sort_order", "active"]
    column_labels = {"name": _l("申报系列"), "sort_order": _l("排序"), "active": _l("启用")}
    column_default_sort = "sort_order"


class TitleQualificationView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["series", "level", "name", "active"]
    column_details_list = ["series", "level", "name", "sort_order", "active"]
    form_columns = ["series", "level", "name", "sort_order", "active"]
    form_choices = {"level": TitleLevel.choices()}
    column_labels = {"series": _l("申报系列"), "level": _l("申报级别"), "name": _l("资格名称"),
                     "sort_order": _l("排序"), "active": _l("启用")}
    column_searchable_list = ["name"]

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        refusal = None if is_created else catalogue.qualification_change_refusal(model)
        if refusal:
            raise ValidationError(refusal)


class NotificationView(PlatformView):
    column_list = ["created_at", "template", "status", "attempts", "interruptions", "sent_at"]
    column_details_list = ["created_at", "mobile", "template", "text", "status", "attempts",
                           "interruptions", "last_error", "next_attempt_at", "sent_at"]
    column_labels = {"created_at": _l("创建时间"), "mobile": _l("手机号码"), "template": _l("类型"),
                     "text": _l("内容"), "status": _l("状态"), "attempts": _l("尝试次数"),
                     "interruptions": _l("中断重发（可能重复）"),
                     "last_error": _l("最近错误"), "next_attempt_at": _l("下次尝试"), "sent_at": _l("发送时间")}
    column_formatters = {"status": status_formatter("status"),
                         "template": lambda view, context, model, name: sms.label(model.template)}
    column_searchable_list = ["mobile", "text"]
    status_column = "status"
    status_tabs = (
        ("pending", _l("待发送"), [NotificationStatus.PENDING, NotificationStatus.SENDING]),
        ("sent", _l("已发送"), [NotificationStatus.SENT]),
        ("failed", _l("发送失败"), [NotificationStatus.FAILED]),
        ("all", _l("全部"), None),
    )
    column_default_sort = ("id", True)
    count_cap = 10_000


def _actor_label(entry) -> str:
    return audit.actor_label(entry.actor)


class AuditLogView(PlatformView):
    """审计日志: the 审计管理员's alone, to read and export (nobody can change an entry)."""

    admin_kinds = (AdminKind.AUDIT,)
    column_list = ["created_at", "actor", "action", "target", "ip_address"]
    column_details_list = ["created_at", "actor", "action", "target", "detail", "ip_address"]
    column_labels = {"created_at": _l("时间"), "actor": _l("操作人"), "action": _l("操作"), "target": _l("对象"),
                     "detail": _l("详情"), "ip_address": _l("IP地址")}
    column_formatters = {"target": lambda v, c, m, n: audit.target_label(m.target),
                         "actor": lambda v, c, m, n: _actor_label(m)}
    column_formatters_detail = {**column_formatters,
                                "detail": lambda v, c, m, n: audit.detail_text(m)}
    xlsx_columns = (
        (_l("时间"), lambda entry: f"{plans.in_beijing(entry.created_at):%Y-%m-%d %H:%M:%S}"),
        (_l("操作人"), _actor_label),
        (_l("操作"), lambda entry: entry.action.label),
        (_l("对象"), lambda entry: audit.target_label(entry.target)),
        (_l("详情"), audit.detail_text),
        (_l("IP地址"), lambda entry: entry.ip_address),
    )
    xlsx_name = _l("审计日志")
    column_filters = [ChoiceFilter(AuditLog.action, _l("操作"), options=AuditAction.choices())]
    column_searchable_list = ["target", "ip_address"]
    column_default_sort = ("id", True)
    can_set_page_size = True
    count_cap = 10_000

    def search_clause(self, column, term):
        # 对象 is written "kind:what" (zcps.audit): a word naming a kind and what of it finds
        # the entries about that record by their beginning, served by a b-tree
        # (ix_audit_log_target); any other word is looked for within 对象, as in other text.
        kind, colon, what = term.partition(":")
        if column.key != "target" or not colon or kind.lower() not in audit.TARGET_KINDS:
            return search_clause(column, term)
        beginnings = sorted({f"{kind.lower()}:{variant}"
                             for variant in (what, what.upper(), what.lower())})
        return sa.or_(*(column.like(like_escaped(beginning) + "%", escape="!")
                        for beginning in beginnings))


def _archive_period(view, context, archive, name):
    last_day = plans.in_beijing(archive.cut_off).date() - timedelta(days=1)
    return _("%(start)s 至 %(end)s", start=plans.in_beijing(archive.period_start).date().isoformat(),
             end=last_day.isoformat())


ARCHIVE_PROBLEMS = {storage.MISSING: _l("文件缺失"), storage.DAMAGED: _l("文件已损坏")}


def _archive_verified(view, context, archive, name):
    problem = retention.file_state(archive)
    if problem is not None:
        return Markup('<span class="badge badge-danger">{}</span>').format(
            ARCHIVE_PROBLEMS[problem])
    return Markup('<span class="badge badge-success">{}</span> {}').format(
        _("已校验"), f"{plans.in_beijing(archive.verified_at):%Y-%m-%d %H:%M}")


class AuditArchiveView(PlatformView):
    """审计日志归档: the archives ``flask zcps archive-audit`` wrote, for the 审计管理员 to read
    and download (each download audited, its bytes checked against the recorded SHA-256)."""

    admin_kinds = (AdminKind.AUDIT,)
    can_view_details = False
    column_list = ["period_start", "row_count", "file_name", "size", "sha256", "verified_at",
                   "created_by", "created_at"]
    column_details_list = column_list
    column_labels = {"period_start": _l("期间"), "row_count": _l("条数"), "file_name": _l("文件"),
                     "size": _l("文件大小（字节）"), "sha256": _l("校验值"), "verified_at": _l("文件校验"),
                     "created_by": _l("执行人"), "created_at": _l("归档时间")}
    column_formatters = {
        "period_start": _archive_period, "verified_at": _archive_verified,
        "created_at": lambda v, c, m, n: f"{plans.in_beijing(m.created_at):%Y-%m-%d %H:%M}",
        "sha256": lambda v, c, m, n: Markup("<code>{}</code>").format(m.sha256)}
    column_sortable_list = ["period_start", "row_count", "created_at"]
    column_default_sort = ("id", True)
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-download", ".download_view",
                                                      title=_l("下载"), id_arg="archive_id")]

    @expose("/download/<int:archive_id>")
    def download_view(self, archive_id):
        archive = self.get_one_or_404(archive_id)
        target = f"audit_archive:{archive.file_name}"

        def report(problem):
            current_app.logger.error("Audit archive %s is %s: not served", archive.file_name,
                                     problem)
            audit.record(AuditAction.FILE_INTEGRITY, actor=current_user, target=target,
                         problem=problem, path=request.path)
            db.session.commit()

        response = send_checked(retention.path_of(archive), size=archive.size,
                                sha256=archive.sha256, mimetype="application/gzip",
                                download_name=archive.file_name, last_modified=archive.created_at,
                                report=report)
        if response.status_code == 200:
            audit.record(AuditAction.DOWNLOAD_AUDIT_ARCHIVE, actor=current_user, target=target,
                         count=archive.row_count, sha256=archive.sha256)
            db.session.commit()
        return response


# --- 工作日历 (DESIGN.md §6) ---------------------------------------------------------------------

# One year's notice is a few dozen lines; this bounds a paste gone wrong.
BULK_MAX_CHARS = 20000
NOTE_MAX = 100


def _parse_year(value) -> int | None:
    value = str(value or "").strip()
    if len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2999:
        return int(value)
    return None


def _year_spans(years) -> str:
    """[2004, 2005, …, 2026] → 2004年至2026年 (runs of consecutive years joined by 、)."""
    spans = []
    for year in sorted(years):
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    if not spans:
        return _("无")
    return join_list(_("%(year)s年", year=first) if first == last
                     else _("%(first)s年至%(last)s年", first=first, last=last)
                     for first, last in spans)


def _workday_choice(value):
    """The 类型 select: "1" (工作日) / "0" (休息日) to a bool; anything else is not a choice."""
    if value in (True, "1", "True", "true"):
        return True
    if value in (False, "0", "False", "false"):
        return False
    raise ValueError(value)


def _strip(value):
    return (value or "").strip()


def _day_label(view, context, model, name):
    return local_date(model.day) + aside(weekday(model.day))


def _workday_label(view, context, model, name):
    if model.is_workday:
        return Markup('<span class="badge badge-warning">{}</span> {}').format(
            _("班"), _("工作日（调休上班）"))
    return Markup('<span class="badge badge-success">{}</span> {}').format(_("休"), _("休息日"))


def _updated_by(view, context, model, name):
    account = db.session.get(Account, model.updated_by_id) if model.updated_by_id else None
    return (account.display_name or account.username) if account else ""


class WorkdayForm(BaseForm):
    """One day of the calendar; a day already entered is refused here, before any insert."""

    day = DateField(_l("日期"), validators=[InputRequired(message=_l("请填写日期。"))],
                    description=_l("格式如 2027-02-08"))
    is_workday = SelectField(
        _l("类型"), choices=[("0", _l("休息日")), ("1", _l("工作日（调休上班）"))],
        coerce=_workday_choice, default=False,
        validators=[InputRequired(message=_l("请选择类型。"))],
        description=_l("休息日：法定节假日（含放假的工作日）；工作日：调休上班的周末。"))
    note = StringField(_l("说明"), filters=[_strip],
                       validators=[Length(max=NOTE_MAX, message=_l("说明最多100个字。"))],
                       description=_l("可不填，例如 春节、国庆节调休。"))

    def validate_day(self, field):
        if field.data is None:
            return
        existing = db.session.scalar(sa.select(WorkdayOverride)
                                     .where(WorkdayOverride.day == field.data))
        editing = getattr(self, "_obj", None)
        if existing is not None and (editing is None or existing.id != editing.id):
            raise ValidationError(_("%(day)s已经录入过（%(kind)s），请在列表中编辑该日期，不要重复添加。",
                                    day=local_date(field.data),
                                    kind=_("工作日") if existing.is_workday else _("休息日")))


class YearFilter(BaseSQLAFilter):
    """年份: the days of one calendar year, as a range on the (unique, indexed) day column."""

    def validate(self, value):
        return _parse_year(value) is not None

    def clean(self, value):
        return _parse_year(value)

    def apply(self, query, value, alias=None):
        column = self.get_column(alias)
        return query.filter(column >= date(value, 1, 1), column <= date(value, 12, 31))

    def operation(self):
        return _l("等于")


class WorkdayCalendarView(PlatformView):
    """工作日历: the admin's holidays and adjusted working days, which win over chinesecalendar."""

    can_create = True
    can_edit = True
    can_delete = True
    page_size = 50
    list_template = "admin/calendar_list.html"
    form = WorkdayForm
    form_columns = ["day", "is_workday", "note"]
    column_list = ["day", "is_workday", "note", "updated_at"]
    column_details_list = ["day", "is_workday", "note", "updated_by_id", "updated_at"]
    column_labels = {"day": _l("日期"), "is_workday": _l("类型"), "note": _l("说明"),
                     "updated_by_id": _l("修改人"), "updated_at": _l("修改时间")}
    column_formatters = {"day": _day_label, "is_workday": _workday_label,
                         "updated_by_id": _updated_by}
    column_sortable_list = ["day", "is_workday", "updated_at"]
    column_default_sort = ("day", True)
    column_searchable_list = ["day", "note"]
    column_filters = [YearFilter(WorkdayOverride.day, _l("年份"))]

    # --- the list ----------------------------------------------------------------------------
    def _year_filter_key(self):
        for index, flt in enumerate(self._filters or ()):
            if isinstance(flt, YearFilter):
                return self.get_filter_arg(index, flt)
        return None

    def selected_year(self) -> int | None:
        key = self._year_filter_key()
        for name, value in request.args.items():
            if name.startswith("flt") and name.partition("_")[2] == key:
                return _parse_year(value)
        return None

    def year_links(self):
        """[(label, count, url, active)]: 全部, then each year with entries, this year and next."""
        year = sa.extract("year", WorkdayOverride.day)
        counts = {int(value): count for value, count in db.session.execute(
            sa.select(year, sa.func.count(WorkdayOverride.id))
            .where(WorkdayOverride.scope_clause(current_user)).group_by(year))}
        this_year = workdays.today().year
        selected = self.selected_year()
        key = self._year_filter_key()
        links = [(_("全部"), sum(counts.values()), self.get_url(".index_view"), selected is None)]
        for value in sorted(set(counts) | {this_year, this_year + 1}, reverse=True):
            links.append((_("%(year)s年", year=value), counts.get(value, 0),
                          self.get_url(".index_view", **{f"flt0_{key}": value}),
                          selected == value))
        return links

    def calendar_status(self):
        """Which years chinesecalendar knows, and this or next year if nothing covers them."""
        this_year = workdays.today().year
        official = [year for year in range(this_year - 30, this_year + 3)
                    if workdays.official_year(year)]
        missing = workdays.unofficial_years(date(this_year, 1, 1), date(this_year + 1, 12, 31))
        return {"official": _year_spans(official), "missing": missing}

    # --- single days -------------------------------------------------------------------------
    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.note = _strip(model.note)[:NOTE_MAX]
        model.updated_by_id = current_user.id
        audit.record(AuditAction.WORKDAY_CREATE if is_created else AuditAction.WORKDAY_UPDATE, actor=current_user,
                     target=f"workday:{model.day.isoformat()}", is_workday=model.is_workday,
                     note=model.note)

    def on_model_delete(self, model):
        audit.record(AuditAction.WORKDAY_DELETE, actor=current_user, target=f"workday:{model.day.isoformat()}",
                     is_workday=model.is_workday, note=model.note)

    # --- a whole year at once ----------------------------------------------------------------
    @expose("/bulk/", methods=("GET", "POST"))
    def bulk_view(self):
        text, errors = "", []
        if request.method == "POST":
            text = request.form.get("entries", "")
            entries = []
            if len(text) > BULK_MAX_CHARS:
                errors = [_("内容过长：一次最多%(n)s个字符，请分几次录入。", n=BULK_MAX_CHARS)]
            else:
                entries, errors = workdays.parse_entries(text)
                errors += [_("%(day)s：说明最多100个字。", day=entry[0].isoformat())
                           for entry in entries if len(entry[2]) > NOTE_MAX]
                if not entries and not errors:
                    errors = [_("请至少填写一行，例如 2027-02-08 休 春节。")]
            if not errors:
                try:
                    count = workdays.save_entries(entries, current_user)
                    audit.record(AuditAction.WORKDAY_BULK, actor=current_user, target="workday_calendar",
                                 count=count, years=sorted({entry[0].year for entry in entries}))
                    db.session.commit()
                except SQLAlchemyError:
                    db.session.rollback()
                    errors = [str(SAVE_FAILED)]
                else:
                    flash(_("已保存%(n)s个日期。", n=count), "success")
                    return redirect(self.get_url(".index_view"))
        return self.render("admin/calendar_bulk.html", text=text, errors=errors,
                           status=self.calendar_status())


DUTIES = {
    AdminKind.SYSTEM: _l("您负责用人单位授权审核、受理点及其账号、职称目录、工作日历和评审计划。"),
    AdminKind.SECURITY: _l("您负责解除登录锁定、重置密码、账号的停用与启用和释放身份证号。"),
    AdminKind.AUDIT: _l("您负责查阅和导出审计日志及其归档；审计日志只能追加，任何人都不能修改，"
                        "只有保存期满并已归档的记录才会移出。"),
}


def home_context() -> dict:
    """The admin's home: their duty, and a link to each page of it (三员分立); a queue of
    units' submissions says how many wait and leads to them."""
    admin = current_app.extensions["zcps_admins"]["admin"]
    links = []
    for view in admin._views:
        if not (hasattr(view, "admin_kinds") and view.is_accessible()):
            continue
        if not isinstance(view, PlatformView):
            links.append({"name": view.name, "endpoint": view.endpoint,
                          "url": view.get_url(f"{view.endpoint}.index"), "waiting": None})
        elif isinstance(view, DecisionPage):
            links.append({"name": view.name, "endpoint": view.endpoint,
                          "url": view.get_url(f"{view.endpoint}.index_view", tab="pending"),
                          "waiting": view.waiting_count()})
        else:
            links.append({"name": view.name, "endpoint": view.endpoint,
                          "url": view.get_url(f"{view.endpoint}.index_view"), "waiting": None})
    return {"duty": DUTIES.get(current_user.admin_kind, ""), "links": links}


def register(admin):
    from .platform_plans import ReviewPlanView  # it builds on PlatformView above
    from .statistics import register_platform as register_statistics

    admin.add_view(AuthorizationView(Authorization, name=_l("授权审核"), endpoint="admin_authorization"))
    # The menu names lists: 用人单位 and 受理点 there are the plural "Employers", "Acceptance
    # points", not a role's or a field's singular.
    # The units' rarely used pages (changes, their people's accounts) sit under 用人单位, as the
    # points' accounts under 受理点: the menu stays one row from 1200 px on, in English too.
    units = lazy_pgettext("menu", "用人单位")
    admin.add_view(UnitView(Unit, name=lazy_pgettext("menu", "用人单位"), category=units,
                            endpoint="admin_unit"))
    admin.add_view(UnitChangeView(UnitChange, name=_l("单位信息变更"), category=units,
                                  endpoint="admin_unit_change", url="unit-changes"))
    admin.add_view(AcceptancePointView(AcceptancePoint, name=lazy_pgettext("menu", "受理点"),
                                       category=lazy_pgettext("menu", "受理点"),
                                       endpoint="admin_acceptance_point"))
    admin.add_view(AcceptanceAccountView(Account, name=_l("受理点账号"),
                                         category=lazy_pgettext("menu", "受理点"),
                                         endpoint="admin_acceptance_account"))
    admin.add_view(ApplicantAccountView(Account, name=_l("申报人账号"), category=units,
                                        endpoint="admin_applicant_account"))
    admin.add_view(ReviewPlanView(ReviewPlan, name=lazy_pgettext("menu", "评审计划"),
                                  endpoint="admin_plan", url="plans"))
    register_statistics(admin)
    admin.add_view(TitleSeriesView(TitleSeries, name=_l("申报系列"), category=_l("职称目录"),
                                   endpoint="admin_title_series"))
    admin.add_view(TitleSpecialtyView(TitleSpecialty, name=_l("申报专业"), category=_l("职称目录"),
                                      endpoint="admin_title_specialty"))
    admin.add_view(TitleQualificationView(TitleQualification, name=_l("资格名称"), category=_l("职称目录"),
                                          endpoint="admin_title_qualification"))
    admin.add_view(NotificationView(Notification, name=_l("短信发件箱"), category=_l("系统"),
                                    endpoint="admin_notification"))
    admin.add_view(AuditLogView(AuditLog, name=_l("审计日志"), category=_l("系统"), endpoint="admin_audit"))
    admin.add_view(AuditArchiveView(AuditArchive, name=_l("审计日志归档"), category=_l("系统"),
                                    endpoint="admin_audit_archive", url="audit-archives"))
    admin.add_view(WorkdayCalendarView(WorkdayOverride, name=_l("工作日历"), category=_l("系统"),
                                       endpoint="admin_calendar"))
