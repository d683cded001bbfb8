"""单位信息变更: the unit asks to change its name, address, legal representative or contact
(reason and PDF proof required); the 系统管理员 approves (the unit's record changes) or rejects
(reason required). One request waits at a time; the 统一社会信用代码 never changes."""
from flask_babel import gettext as _

from models import (
    CHANGEABLE,
    AdminKind,
    AuditAction,
    AuthorizationStatus,
    OfficerDuty,
    Unit,
    UnitChange,
    utcnow,
)

from .. import audit
from ..extensions import db
from ..identifiers import IdentifierError, clean_mobile
from . import sms
from .common import (
    AlreadyHandled,
    WorkflowError,
    locked,
    require_admin,
    require_duty,
    required_text,
    text,
)

LIMITS = {"name": 200, "address": 300, "legal_representative": 50, "contact_name": 50}


def request_unit_change(actor, values: dict, reason: str, stored_file) -> UnitChange:
    """A new request with the fields that differ from the unit's record now."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    unit = locked(db.session.get(Unit, actor.unit_id))
    waiting = db.session.scalar(db.select(UnitChange.id).where(
        UnitChange.unit_id == unit.id, UnitChange.status == AuthorizationStatus.PENDING))
    if waiting is not None:
        raise AlreadyHandled(_("已有一份单位信息变更申请正在等待审核，请等审核后再提交。"))
    after = {}
    for field in CHANGEABLE:
        value = text(values.get(field))
        if not value or value == getattr(unit, field):
            continue
        if field == "contact_mobile":
            try:
                value = clean_mobile(value)
            except IdentifierError as error:
                raise WorkflowError(str(error)) from None
        elif len(value) > LIMITS[field]:
            raise WorkflowError(_("填写的内容过长，请检查。"))
        after[field] = value
    if not after:
        raise WorkflowError(_("没有需要变更的信息：请填写与现有信息不同的新内容。"))
    reason = required_text(reason, True, _("请填写变更原因。"))
    if stored_file is None:
        raise WorkflowError(_("请上传变更证明材料（PDF），如市场监管部门的变更通知书。"))
    change = UnitChange(unit_id=unit.id, after=after,
                        before={field: getattr(unit, field) for field in after},
                        reason=reason[:1000], file=stored_file, submitted_by_id=actor.id,
                        status=AuthorizationStatus.PENDING)
    db.session.add(change)
    db.session.flush()
    audit.record(AuditAction.UNIT_CHANGE_REQUEST, actor=actor, target=f"unit:{unit.id}",
                 fields=sorted(after))
    return change


def decide_unit_change(actor, change: UnitChange, approve: bool, opinion: str) -> UnitChange:
    """通过 (the unit's record takes the new values) or 不通过 (reason required)."""
    require_admin(actor, AdminKind.SYSTEM)
    change = locked(change, actor, missing=_("变更申请不存在。"))
    if change.status != AuthorizationStatus.PENDING:
        raise AlreadyHandled(_("该变更申请已被处理（%(status)s），未重复操作。",
                               status=change.status.label))
    opinion = required_text(opinion, not approve, _("不通过时必须填写原因。"))
    unit = locked(change.unit)
    change.status = AuthorizationStatus.APPROVED if approve else AuthorizationStatus.REJECTED
    change.decided_at = utcnow()
    change.decided_by_id = actor.id
    change.opinion = opinion
    if approve:
        for field, value in change.after.items():
            if field in CHANGEABLE:
                setattr(unit, field, value)
    audit.record(AuditAction.UNIT_CHANGE_DECISION, actor=actor, target=f"unit:{unit.id}",
                 outcome=change.status.value, fields=sorted(change.after))
    sms.send("unit_change_approved" if approve else "unit_change_rejected", unit.contact_mobile,
             unit=unit.name, reason=opinion)
    return change


def former_names(unit) -> list[str]:
    """The unit's earlier names (曾用名), oldest first, from its approved changes."""
    return [change.before["name"] for change in db.session.scalars(
        db.select(UnitChange).where(UnitChange.unit_id == unit.id,
                                    UnitChange.status == AuthorizationStatus.APPROVED)
        .order_by(UnitChange.id)) if "name" in change.before]
