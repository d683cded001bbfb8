"""平台管理 (/admin): units, authorizations, acceptance points, the catalogue, outbox, audit."""
from flask_babel import lazy_gettext as _l

from models import (
    AcceptancePoint,
    AuditLog,
    Authorization,
    Notification,
    Role,
    TitleQualification,
    TitleSeries,
    Unit,
)

from .base import ScopedModelView, status_formatter


class PlatformView(ScopedModelView):
    role = Role.PLATFORM_ADMIN


class UnitView(PlatformView):
    column_list = ["name", "uscc", "legal_representative", "contact_name",
                   "authorization_status", "active", "created_at"]
    column_details_list = ["name", "uscc", "address", "legal_representative", "contact_name",
                           "contact_mobile", "authorization_status", "active", "created_at"]
    column_labels = {
        "name": _l("单位名称"), "uscc": _l("统一社会信用代码"), "address": _l("单位地址"),
        "legal_representative": _l("法定代表人"), "contact_name": _l("联系人"),
        "contact_mobile": _l("手机号码"), "authorization_status": _l("授权状态"), "active": _l("启用"),
        "created_at": _l("注册时间"),
    }
    column_searchable_list = ["name", "uscc"]
    column_formatters = {"authorization_status": status_formatter("authorization_status")}
    column_default_sort = ("id", True)


class AuthorizationView(PlatformView):
    column_list = ["unit", "officer_name", "status", "submitted_at", "decided_at"]
    column_details_list = ["unit", "officer_name", "officer_id_number", "officer_mobile",
                           "status", "submitted_at", "decided_at", "decided_by", "opinion"]
    column_labels = {
        "unit": _l("单位名称"), "officer_name": _l("经办人姓名"), "officer_id_number": _l("经办人身份证号"),
        "officer_mobile": _l("经办人手机号码"), "status": _l("状态"), "submitted_at": _l("提交时间"),
        "decided_at": _l("审核时间"), "decided_by": _l("审核人"), "opinion": _l("审核意见"),
    }
    column_formatters = {"status": status_formatter("status")}
    column_default_sort = ("id", True)


class AcceptancePointView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["name", "region", "contact_phone", "active"]
    column_details_list = ["name", "region", "address", "contact_phone", "active", "created_at"]
    form_columns = ["name", "region", "address", "contact_phone", "active"]
    column_labels = {"name": _l("名称"), "region": _l("地区"), "address": _l("地址"),
                     "contact_phone": _l("联系电话"), "active": _l("启用"), "created_at": _l("创建时间")}
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
    admin.add_view(AcceptancePointView(AcceptancePoint, name=_l("受理点"), endpoint="admin_acceptance_point"))
    admin.add_view(TitleSeriesView(TitleSeries, name=_l("申报系列"), category=_l("职称目录"),
                                   endpoint="admin_title_series"))
    admin.add_view(TitleQualificationView(TitleQualification, name=_l("资格名称"), category=_l("职称目录"),
                                          endpoint="admin_title_qualification"))
    admin.add_view(NotificationView(Notification, name=_l("短信发件箱"), category=_l("系统"),
                                    endpoint="admin_notification"))
    admin.add_view(AuditLogView(AuditLog, name=_l("审计日志"), category=_l("系统"), endpoint="admin_audit"))
