"""平台管理 (/admin): units, authorizations, acceptance points, the catalogue, outbox, audit."""
from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from models import (
    AcceptancePoint,
    Account,
    AuditLog,
    Authorization,
    AuthorizationStatus,
    Notification,
    NotificationStatus,
    Role,
    TitleQualification,
    TitleSeries,
    TitleSpecialty,
    Unit,
)
from zcps import accounts, workflow
from zcps.extensions import db
from zcps.forms import DecisionForm
from zcps.storage import send_stored

from .base import ALREADY_HANDLED, ScopedModelView, status_formatter


class PlatformView(ScopedModelView):
    role = Role.PLATFORM_ADMIN


class PasswordResetMixin:
    """A row button that gives an account a new one-time password, shown once."""

    def account_for(self, record):
        raise NotImplementedError

    @expose("/reset-password/", methods=("GET", "POST"))
    def reset_password_view(self):
        record = self.get_one_or_404(request.values.get("id"))
        account = self.account_for(record)
        if account is None:
            abort(404)
        password = None
        if request.method == "POST":
            password = accounts.reset_password(current_user, account)
            db.session.commit()
        return self.render("admin/reset_password.html", record=record, account=account,
                           password=password)


class UnitView(PasswordResetMixin, PlatformView):
    column_list = ["name", "uscc", "legal_representative", "contact_name",
                   "authorization_status", "active", "created_at"]
    column_details_list = ["name", "uscc", "address", "legal_representative", "contact_name",
                           "contact_mobile", "authorization_status", "active", "created_at"]
    column_labels = {
        "name": _l("单位名称"), "uscc": _l("统一社会信用代码"), "address": _l("单位地址"),
        "legal_representative": _l("法定代表人"), "contact_name": _l("联系人"),
        "contact_mobile": _l("手机号码"), "authorization_status": _l("授权状态"),
        "active": _l("启用"), "created_at": _l("注册时间"),
    }
    column_searchable_list = ["name", "uscc"]
    column_formatters = {"authorization_status": status_formatter("authorization_status")}
    column_default_sort = ("id", True)
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-key", ".reset_password_view", title=_l("重置密码")),
    ]

    def account_for(self, unit):
        return db.session.scalar(db.select(Account).filter_by(role=Role.EMPLOYER, unit_id=unit.id))

    def _set_active(self, ids, active):
        units = self.scoped_records(ids)
        for unit in units:
            accounts.set_unit_active(current_user, unit, active)
        db.session.commit()
        if active:
            flash(_("已启用 %(n)s 个单位。", n=len(units)), "success")
        else:
            flash(_("已停用 %(n)s 个单位，其账号已不能登录。", n=len(units)), "success")

    @action("deactivate", _l("停用"), _l("确定停用所选单位吗？停用后该单位账号不能登录。"))
    def action_deactivate(self, ids):
        self._set_active(ids, False)

    @action("activate", _l("启用"), _l("确定启用所选单位吗？"))
    def action_activate(self, ids):
        self._set_active(ids, True)


class AuthorizationView(PlatformView):
    """授权审核: the queue of units' 委托证明 submissions."""

    column_list = ["unit", "unit.uscc", "officer_name", "status", "submitted_at", "decided_at",
                   "opinion"]
    column_details_list = ["unit", "officer_name", "officer_id_number", "officer_mobile",
                           "status", "submitted_at", "decided_at", "decided_by", "opinion"]
    column_labels = {
        "unit": _l("单位名称"), "unit.name": _l("单位名称"), "unit.uscc": _l("统一社会信用代码"),
        "officer_name": _l("经办人姓名"), "officer_id_number": _l("经办人身份证号"),
        "officer_mobile": _l("经办人手机号码"), "status": _l("状态"),
        "submitted_at": _l("提交时间"), "decided_at": _l("审核时间"), "decided_by": _l("审核人"),
        "opinion": _l("审核意见"),
    }
    column_searchable_list = ["unit.name", "unit.uscc"]
    column_sortable_list = ["submitted_at", "decided_at"]
    column_default_sort = ("submitted_at", False)
    column_select_related_list = [Authorization.unit]
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
    column_formatters = {
        "status": status_formatter("status"),
        "unit": lambda view, context, model, name: Markup('<a href="{}">{}</a>').format(
            view.get_url(".decide_view", id=model.id), model.unit.name),
    }

    @expose("/decide/", methods=("GET", "POST"))
    def decide_view(self):
        authorization = self.get_one_or_404(request.args.get("id"))
        form = DecisionForm()
        if form.validate_on_submit():
            decision = request.form.get("decision")
            if decision not in ("approve", "reject"):
                abort(400)
            try:
                if decision == "approve":
                    workflow.approve_authorization(current_user, authorization, form.opinion.data)
                else:
                    workflow.reject_authorization(current_user, authorization, form.opinion.data)
                db.session.commit()
            except workflow.AlreadyHandled as error:
                db.session.rollback()
                flash(str(error), "error")
                return redirect(self.get_url(".decide_view", id=authorization.id))
            except workflow.WorkflowError as error:
                db.session.rollback()
                form.opinion.errors = [str(error)]
            except StaleDataError:
                db.session.rollback()
                flash(str(ALREADY_HANDLED), "error")
                return redirect(self.get_url(".decide_view", id=authorization.id))
            else:
                verdict = _("通过") if decision == "approve" else _("不通过")
                flash(_("已审核%(result)s：%(unit)s。已短信通知单位联系人。", result=verdict,
                        unit=authorization.unit.name), "success")
                return redirect(self.get_url(".index_view"))
        earlier = db.session.scalars(
            Authorization.select_for(current_user)
            .where(Authorization.unit_id == authorization.unit_id,
                   Authorization.id != authorization.id)
            .order_by(Authorization.id.desc())).all()
        return self.render("admin/authorization_decide.html", authorization=authorization,
                           form=form, earlier=earlier)

    @expose("/file/<int:authorization_id>")
    def file_view(self, authorization_id):
        authorization = self.get_one_or_404(authorization_id)
        if authorization.file is None:
            abort(404)
        return send_stored(authorization.file, inline=True)

    @action("approve", _l("通过"), _l("确定通过所选单位的授权申请吗？通过后将短信通知各单位。"))
    def action_approve(self, ids):
        approved, refused = 0, []
        for authorization in self.scoped_records(ids):
            try:
                workflow.approve_authorization(current_user, authorization)
                db.session.commit()
                approved += 1
            except (workflow.WorkflowError, StaleDataError) as error:
                db.session.rollback()
                refused.append(str(error) if isinstance(error, workflow.WorkflowError)
                               else str(ALREADY_HANDLED))
        if approved:
            flash(_("已通过 %(n)s 个单位的授权申请。", n=approved), "success")
        for message in refused:
            flash(message, "error")


class AcceptancePointView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["name", "region", "contact_phone", "active"]
    column_details_list = ["name", "region", "address", "contact_phone", "active", "created_at"]
    form_columns = ["name", "region", "address", "contact_phone", "active"]
    column_labels = {"name": _l("名称"), "region": _l("地区"), "address": _l("地址"),
                     "contact_phone": _l("联系电话"), "active": _l("启用"), "created_at": _l("创建时间")}
    column_searchable_list = ["name"]


class AcceptanceAccountView(PasswordResetMixin, PlatformView):
    """The sign-in accounts of acceptance points (受理点登录)."""

    can_create = True
    can_edit = True
    column_list = ["username", "display_name", "acceptance_point", "active", "last_login_at"]
    column_details_list = ["username", "display_name", "acceptance_point", "active",
                           "last_login_at", "created_at"]
    form_columns = ["username", "display_name", "acceptance_point", "active", "new_password"]
    form_extra_fields = {
        "new_password": PasswordField(_l("密码"), description=_l("新建时必填；编辑时留空表示不修改"))}
    column_labels = {"username": _l("用户名"), "display_name": _l("显示名称"),
                     "acceptance_point": _l("受理点"), "active": _l("启用"),
                     "last_login_at": _l("最近登录"), "created_at": _l("创建时间")}
    column_searchable_list = ["username", "display_name"]
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-key", ".reset_password_view", title=_l("重置密码")),
    ]
    form_args = {"username": {"validators": [DataRequired(message=_l("请填写用户名。")),
                                             Length(max=64)]},
                 "acceptance_point": {"validators": [DataRequired(message=_l("请选择受理点。"))]}}

    def view_clause(self):
        return Account.role == Role.ACCEPTANCE

    def account_for(self, account):
        return account

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.role = Role.ACCEPTANCE
        model.username = (model.username or "").strip()
        password = form.new_password.data
        if password:
            if len(password) < 8:
                raise ValidationError(_("密码至少8位。"))
            model.set_password(password)
        elif is_created:
            raise ValidationError(_("新建账号时必须设置密码。"))


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
    column_labels = {"series": _l("申报系列"), "level": _l("申报级别"), "name": _l("资格名称"),
                     "sort_order": _l("排序"), "active": _l("启用")}
    column_searchable_list = ["name"]


class NotificationView(PlatformView):
    column_list = ["created_at", "template", "status", "attempts", "sent_at"]
    column_details_list = ["created_at", "mobile", "template", "text", "status", "attempts",
                           "last_error", "next_attempt_at", "sent_at"]
    column_labels = {"created_at": _l("创建时间"), "mobile": _l("手机号码"), "template": _l("类型"),
                     "text": _l("内容"), "status": _l("状态"), "attempts": _l("尝试次数"),
                     "last_error": _l("最近错误"), "next_attempt_at": _l("下次尝试"), "sent_at": _l("发送时间")}
    column_formatters = {"status": status_formatter("status")}
    column_searchable_list = ["mobile", "text"]
    status_column = "status"
    status_tabs = (
        ("pending", _l("待发送"), [NotificationStatus.PENDING]),
        ("sent", _l("已发送"), [NotificationStatus.SENT]),
        ("failed", _l("发送失败"), [NotificationStatus.FAILED]),
        ("all", _l("全部"), None),
    )
    column_default_sort = ("id", True)


class AuditLogView(PlatformView):
    column_list = ["created_at", "actor", "action", "target", "ip_address"]
    column_details_list = ["created_at", "actor", "action", "target", "ip_address"]
    column_labels = {"created_at": _l("时间"), "actor": _l("操作人"), "action": _l("操作"), "target": _l("对象"),
                     "ip_address": "IP地址"}
    column_default_sort = ("id", True)
    can_set_page_size = True


def register(admin):
    admin.add_view(AuthorizationView(Authorization, name=_l("授权审核"), endpoint="admin_authorization"))
    admin.add_view(UnitView(Unit, name=_l("用人单位"), endpoint="admin_unit"))
    admin.add_view(AcceptancePointView(AcceptancePoint, name=_l("受理点"), category=_l("受理点"),
                                       endpoint="admin_acceptance_point"))
    admin.add_view(AcceptanceAccountView(Account, name=_l("受理点账号"), category=_l("受理点"),
                                         endpoint="admin_acceptance_account"))
    admin.add_view(TitleSeriesView(TitleSeries, name=_l("申报系列"), category=_l("职称目录"),
                                   endpoint="admin_title_series"))
    admin.add_view(TitleSpecialtyView(TitleSpecialty, name=_l("申报专业"), category=_l("职称目录"),
                                      endpoint="admin_title_specialty"))
    admin.add_view(TitleQualificationView(TitleQualification, name=_l("资格名称"), category=_l("职称目录"),
                                          endpoint="admin_title_qualification"))
    admin.add_view(NotificationView(Notification, name=_l("短信发件箱"), category=_l("系统"),
                                    endpoint="admin_notification"))
    admin.add_view(AuditLogView(AuditLog, name=_l("审计日志"), category=_l("系统"), endpoint="admin_audit"))
