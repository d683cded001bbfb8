"""The audit log: who did what (an AuditAction), from where. Written in the caller's transaction."""
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from models import AuditAction, AuditLog, Role

# The kinds of target ("kind:what"): the roles of accounts, and the records.
TARGET_KINDS = {**{role.value: role.lazy_label for role in Role}, "unit": _l("用人单位"),
                "applicant": _l("申报人"), "plan": _l("评审计划"), "workday": _l("日期"),
                "workday_calendar": _l("工作日历")}


def target_label(target: str) -> str:
    """"employer:9133…" → "用人单位 9133…"; "unit:3" → "用人单位 #3"; unknown kinds as they are."""
    kind, _, what = (target or "").partition(":")
    if kind not in TARGET_KINDS:
        return target or ""
    label = str(TARGET_KINDS[kind])
    if not what:
        return label
    return f"{label} #{what}" if what.isdigit() else f"{label} {what}"


def record(action: AuditAction, *, actor=None, target: str = "", **detail) -> AuditLog:
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
