"""Step 2 — 授权审核: the unit submits its stamped 委托证明, the platform admin decides."""
import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    Action,
    AdminKind,
    Authorization,
    AuthorizationStatus,
    OfficerDuty,
    Subject,
    Unit,
    utcnow,
)

from ..extensions import db
from . import sms
from .common import (
    AlreadyHandled,
    WorkflowError,
    locked,
    record_history,
    require_admin,
    require_duty,
    required_text,
)


def submit_authorization(actor, officer_name: str, officer_id_number: str, officer_mobile: str,
                         stored_file) -> Authorization:
    """The unit submits its stamped 委托证明: a new submission waiting for the platform admin.

    An authorized unit submits one to name a new handling officer (经办人变更): the unit stays
    authorized while it waits and whatever the decision; one change waits at a time."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    unit = locked(db.session.get(Unit, actor.unit_id))
    if unit.authorization_status == AuthorizationStatus.PENDING:
        raise AlreadyHandled(_("委托证明已提交，正在等待平台管理员审核，请勿重复提交。"))
    change = unit.authorization_status == AuthorizationStatus.APPROVED
    if change:
        if pending_officer_change(unit) is not None:
            raise AlreadyHandled(_("经办人变更已提交，正在等待平台管理员审核，请勿重复提交。"))
        current = current_officer(unit)
        if current is not None and (current.officer_name, current.officer_id_number,
                                    current.officer_mobile) == (
                officer_name, officer_id_number, officer_mobile):
            raise WorkflowError(_("经办人信息与当前经办人相同，无需变更。"))
    if stored_file is None:
        raise WorkflowError(_("请上传盖章后的委托证明扫描件（PDF）。"))
    before = unit.authorization_status
    authorization = Authorization(
        unit_id=unit.id, officer_name=officer_name, officer_id_number=officer_id_number,
        officer_mobile=officer_mobile, file=stored_file, status=AuthorizationStatus.PENDING,
        submitted_at=utcnow(), officer_change=change,
    )
    db.session.add(authorization)
    if not change:
        unit.authorization_status = AuthorizationStatus.PENDING
    db.session.flush()
    record_history(Subject.AUTHORIZATION, authorization, Action.SUBMIT, before,
                   AuthorizationStatus.PENDING, actor, unit_id=unit.id)
    return authorization


def pending_officer_change(unit) -> Authorization | None:
    """The 经办人变更 of an authorized unit waiting for the platform admin, if any."""
    return db.session.scalar(sa.select(Authorization).where(
        Authorization.unit_id == unit.id, Authorization.officer_change.is_(True),
        Authorization.status == AuthorizationStatus.PENDING))


def current_officer(unit) -> Authorization | None:
    """The approved submission naming the unit's handling officer now (the latest approved)."""
    return db.session.scalar(sa.select(Authorization).where(
        Authorization.unit_id == unit.id, Authorization.status == AuthorizationStatus.APPROVED)
        .order_by(Authorization.id.desc()).limit(1))


def _decide_authorization(actor, authorization: Authorization, approve: bool, opinion: str):
    require_admin(actor, AdminKind.SYSTEM)
    authorization = locked(authorization, actor)
    if authorization.status != AuthorizationStatus.PENDING:
        raise AlreadyHandled(_("「%(unit)s」的授权申请已被处理（%(status)s），未重复操作。",
                               unit=authorization.unit.name, status=authorization.status.label))
    opinion = required_text(opinion, not approve, _("不通过时必须填写原因。"))
    after = AuthorizationStatus.APPROVED if approve else AuthorizationStatus.REJECTED
    authorization.status = after
    authorization.decided_at = utcnow()
    authorization.decided_by_id = actor.id
    authorization.opinion = opinion
    unit = authorization.unit
    if not authorization.officer_change:
        unit.authorization_status = after
    record_history(Subject.AUTHORIZATION, authorization,
                   Action.APPROVE if approve else Action.REJECT, AuthorizationStatus.PENDING,
                   after, actor, opinion=opinion, unit_id=unit.id)
    kind = "officer_change" if authorization.officer_change else "authorization"
    sms.send(f"{kind}_approved" if approve else f"{kind}_rejected",
             unit.contact_mobile, unit=unit.name, reason=opinion)
    return authorization


def approve_authorization(actor, authorization: Authorization, opinion: str = "") -> Authorization:
    return _decide_authorization(actor, authorization, True, opinion)


def reject_authorization(actor, authorization: Authorization, reason: str) -> Authorization:
    return _decide_authorization(actor, authorization, False, reason)
