"""The audit log: who did what, from where. Written in the caller's transaction."""
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from models import AuditLog, Role

# What the admin reads in 操作日志 for each action code.
ACTION_LABELS = {
    "sign_in": _l("登录"),
    "sign_in_failed": _l("登录失败"),
    "register_unit": _l("单位注册"),
    "register_applicant": _l("个人注册"),
    "activate_unit": _l("启用单位"),
    "deactivate_unit": _l("停用单位"),
    "reset_password": _l("重置密码"),
    "create_admin": _l("创建管理员账号"),
    "workday_create": _l("新增工作日历"),
    "workday_update": _l("修改工作日历"),
    "workday_delete": _l("删除工作日历"),
    "workday_bulk": _l("批量录入工作日历"),
}
# The kinds of target ("kind:what"): the roles of accounts, and the records.
TARGET_KINDS = {**{role.value: role.label for role in Role}, "unit": _l("用人单位"),
                "applicant": _l("申报人"), "workday": _l("日期"),
                "workday_calendar": _l("工作日历")}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def target_label(target: str) -> str:
    """"employer:9133…" → "用人单位 9133…"; "unit:3" → "用人单位 #3"; unknown kinds as they are."""
    kind, _, what = (target or "").partition(":")
    if kind not in TARGET_KINDS:
        return target or ""
    label = str(TARGET_KINDS[kind])
    if not what:
        return label
    return f"{label} #{what}" if what.isdigit() else f"{label} {what}"


def record(action: str, *, actor=None, target: str = "", **detail) -> AuditLog:
    from .extensions import db

    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target=target[:200],
        detail=detail,
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
