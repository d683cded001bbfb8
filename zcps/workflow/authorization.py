"""Step 2 — 授权审核: the unit submits its stamped 委托证明, the platform admin decides."""
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
    """The unit submits its stamped 委托证明: a new submission waiting for the platform admin."""
    require_duty(actor, OfficerDuty.UNIT_ADMIN)
    unit = locked(db.session.get(Unit, actor.unit_id))
    if unit.authorization_status == AuthorizationStatus.PENDING:
        raise AlreadyHandled(_("委托证明已提交，正在等待平台管理员审核，请勿重复提交。"))
    if unit.authorization_status == AuthorizationStatus.APPROVED:
        raise AlreadyHandled(_("单位授权已审核通过，无需再次提交。"))
    if stored_file is None:
        raise WorkflowError(_("请上传盖章后的委托证明扫描件（PDF）。"))
    before = unit.authorization_status
    authorization = Authorization(
        unit_id=unit.id, officer_name=officer_name, officer_id_number=officer_id_number,
        officer_mobile=officer_mobile, file=stored_file, status=AuthorizationStatus.PENDING,
        submitted_at=utcnow(),
    )
    db.session.add(authorization)
    unit.authorization_status = AuthorizationStatus.PENDING
    db.session.flush()
    record_history(Subject.AUTHORIZATION, authorization, Action.SUBMIT, before,
                   AuthorizationStatus.PENDING, actor, unit_id=unit.id)
    return authorization


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
    unit.authorization_status = after
    record_history(Subject.AUTHORIZATION, authorization,
                   Action.APPROVE if approve else Action.REJECT, AuthorizationStatus.PENDING,
                   after, actor, opinion=opinion, unit_id=unit.id)
    sms.send("authorization_approved" if approve else "authorization_rejected",
             unit.contact_mobile, unit=unit.name, reason=opinion)
    return authorization


def approve_authorization(actor, authorization: Authorization, opinion: str = "") -> Authorization:
    return _decide_authorization(actor, authorization, True, opinion)


def reject_authorization(actor, authorization: Authorization, reason: str) -> Authorization:
    return _decide_authorization(actor, authorization, False, reason)
