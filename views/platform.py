"""平台管理 (/admin): units, authorizations, acceptance points, the catalogue, outbox, audit."""
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
        "name": "单位名称", "uscc": "统一社会信用代码", "address": "单位地址",
        "legal_representative": "法定代表人", "contact_name": "联系人",
        "contact_mobile": "手机号码", "authorization_status": "授权状态", "active": "启用",
        "created_at": "注册时间",
    }
    column_searchable_list = ["name", "uscc"]
    column_formatters = {"authorization_status": status_formatter("authorization_status")}
    column_default_sort = ("id", True)


class AuthorizationView(PlatformView):
    column_list = ["unit", "officer_name", "status", "submitted_at", "decided_at"]
    column_details_list = ["unit", "officer_name", "officer_id_number", "officer_mobile",
                           "status", "submitted_at", "decided_at", "decided_by", "opinion"]
    column_labels = {
        "unit": "单位名称", "officer_name": "经办人姓名", "officer_id_number": "经办人身份证号",
        "officer_mobile": "经办人手机号码", "status": "状态", "submitted_at": "提交时间",
        "decided_at": "审核时间", "decided_by": "审核人", "opinion": "审核意见",
    }
    column_formatters = {"status": status_formatter("status")}
    column_default_sort = ("id", True)


class AcceptancePointView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["name", "region", "contact_phone", "active"]
    column_details_list = ["name", "region", "address", "contact_phone", "active", "created_at"]
    form_columns = ["name", "region", "address", "contact_phone", "active"]
    column_labels = {"name": "名称", "region": "地区", "address": "地址",
                     "contact_phone": "联系电话", "active": "启用", "created_at": "创建时间"}
    column_searchable_list = ["name"]


class TitleSeriesView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["name", "sort_order", "active"]
    column_details_list = ["name", "sort_order", "active"]
    form_columns = ["name", "sort_order", "active"]
    column_labels = {"name": "申报系列", "sort_order": "排序", "active": "启用"}
    column_default_sort = "sort_order"


class TitleQualificationView(PlatformView):
    can_create = True
    can_edit = True
    column_list = ["series", "level", "name", "active"]
    column_details_list = ["series", "level", "name", "sort_order", "active"]
    form_columns = ["series", "level", "name", "sort_order", "active"]
    column_labels = {"series": "申报系列", "level": "申报级别", "name": "资格名称",
                     "sort_order": "排序", "active": "启用"}
    column_searchable_list = ["name"]


class NotificationView(PlatformView):
    column_list = ["created_at", "template", "status", "attempts", "sent_at"]
    column_details_list = ["created_at", "mobile", "template", "text", "status", "attempts",
                           "last_error", "next_attempt_at", "sent_at"]
    column_labels = {"created_at": "创建时间", "mobile": "手机号码", "template": "类型",
                     "text": "内容", "status": "状态", "attempts": "尝试次数",
                     "last_error": "最近错误", "next_attempt_at": "下次尝试", "sent_at": "发送时间"}
    column_default_sort = ("id", True)


class AuditLogView(PlatformView):
    column_list = ["created_at", "actor", "action", "target", "ip_address"]
    column_details_list = ["created_at", "actor", "action", "target", "ip_address"]
    column_labels = {"created_at": "时间", "actor": "操作人", "action": "操作", "target": "对象",
                     "ip_address": "IP地址"}
    column_default_sort = ("id", True)
    can_set_page_size = True


def register(admin):
    admin.add_view(AuthorizationView(Authorization, name="授权审核", endpoint="admin_authorization"))
    admin.add_view(UnitView(Unit, name="用人单位", endpoint="admin_unit"))
    admin.add_view(AcceptancePointView(AcceptancePoint, name="受理点", endpoint="admin_acceptance_point"))
    admin.add_view(TitleSeriesView(TitleSeries, name="申报系列", category="职称目录",
                                   endpoint="admin_title_series"))
    admin.add_view(TitleQualificationView(TitleQualification, name="资格名称", category="职称目录",
                                          endpoint="admin_title_qualification"))
    admin.add_view(NotificationView(Notification, name="短信发件箱", category="系统",
                                    endpoint="admin_notification"))
    admin.add_view(AuditLogView(AuditLog, name="审计日志", category="系统", endpoint="admin_audit"))
