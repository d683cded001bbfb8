"""The audit log: who did what, from where. Written in the caller's transaction."""
from flask import has_request_context, request

from models import AuditLog


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
