"""Every state transition of zcps, in one place.

Each transition is a plain function: it checks the actor, the record's current state and the
preconditions, writes the new state and its history row in the caller's transaction, and
queues the notification in that same transaction. A refusal raises :class:`WorkflowError`
whose message is the Chinese sentence to show. Views translate a click into one call and a
refusal into a flash; they never set a status themselves. The caller commits.
"""
import sqlalchemy as sa

from models import (
    Authorization,
    AuthorizationStatus,
    ReviewRecord,
    Role,
    Subject,
    Unit,
    utcnow,
)

from . import notifications
from .extensions import db


class WorkflowError(Exception):
    """A refused step; ``str(error)`` is the message for the person who tried it."""


class AlreadyHandled(WorkflowError):
    """Someone else changed the record first."""


def _require_role(actor, *roles: Role) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in roles:
        raise WorkflowError("您的账号无权办理此事项。")


def _locked(record):
    """Re-read ``record`` with a row lock (SELECT … FOR UPDATE) so the state check is current.

    Two reviewers acting at once: the second waits for the first, then sees its result. The
    version column catches the same race where the database has no row locks (SQLite).
    """
    model = type(record)
    statement = sa.select(model).where(model.id == record.id).execution_options(
        populate_existing=True)
    if db.engine.dialect.name != "sqlite":
        statement = statement.with_for_update()
    return db.session.execute(statement).scalar_one()


def record_history(subject: Subject, record, action: str, before, after, actor, *,
                   opinion: str = "", remarks=None, unit_id=None, applicant_id=None,
                   acceptance_point_id=None, round_no: int = 0) -> ReviewRecord:
    history = ReviewRecord(
        subject=subject, subject_id=record.id, action=action,
        from_status=getattr(before, "value", before) or "",
        to_status=getattr(after, "value", after) or "",
        opinion=opinion or "", remarks=remarks or [], round=round_no,
        actor_id=getattr(actor, "id", None), actor_role=getattr(actor, "role", None),
        actor_name=str(actor) if actor is not None else "",
        unit_id=unit_id, applicant_id=applicant_id, acceptance_point_id=acceptance_point_id,
    )
    db.session.add(history)
    return history


# --- authorization (授权审核 / 委托证明) ------------------------------------------------------------

def submit_authorization(actor, officer_name: str, officer_id_number: str, officer_mobile: str,
                         stored_file) -> Authorization:
    """The unit submits its stamped 委托证明: a new submission waiting for the platform admin."""
    _require_role(actor, Role.EMPLOYER)
    unit = _locked(db.session.get(Unit, actor.unit_id))
    if unit.authorization_status == AuthorizationStatus.PENDING:
        raise AlreadyHandled("委托证明已提交，正在等待平台管理员审核，请勿重复提交。")
    if unit.authorization_status == AuthorizationStatus.APPROVED:
        raise AlreadyHandled("单位授权已审核通过，无需再次提交。")
    if stored_file is None:
        raise WorkflowError("请上传盖章后的委托证明扫描件（PDF）。")
    before = unit.authorization_status
    authorization = Authorization(
        unit_id=unit.id, officer_name=officer_name, officer_id_number=officer_id_number,
        officer_mobile=officer_mobile, file=stored_file, status=AuthorizationStatus.PENDING,
        submitted_at=utcnow(),
    )
    db.session.add(authorization)
    unit.authorization_status = AuthorizationStatus.PENDING
    db.session.flush()
    record_history(Subject.AUTHORIZATION, authorization, "submit", before,
                   AuthorizationStatus.PENDING, actor, unit_id=unit.id)
    return authorization


def _decide_authorization(actor, authorization: Authorization, approve: bool, opinion: str):
    _require_role(actor, Role.PLATFORM_ADMIN)
    authorization = _locked(authorization)
    if authorization.status != AuthorizationStatus.PENDING:
        raise AlreadyHandled(
            f"「{authorization.unit.name}」的授权申请已被处理（{authorization.status.label}），"
            "未重复操作。")
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise WorkflowError("不通过时必须填写原因。")
    after = AuthorizationStatus.APPROVED if approve else AuthorizationStatus.REJECTED
    authorization.status = after
    authorization.decided_at = utcnow()
    authorization.decided_by_id = actor.id
    authorization.opinion = opinion
    unit = authorization.unit
    unit.authorization_status = after
    record_history(Subject.AUTHORIZATION, authorization, "approve" if approve else "reject",
                   AuthorizationStatus.PENDING, after, actor, opinion=opinion, unit_id=unit.id)
    if approve:
        text = (f"【浙江职称】{unit.name}：您单位在职称申报评审管理服务平台提交的用人单位授权"
                "（委托证明）已审核通过，现可登录平台办理职称申报审核、公示和推荐工作。")
    else:
        text = (f"【浙江职称】{unit.name}：您单位提交的用人单位授权（委托证明）未通过审核，"
                f"原因：{opinion}。请登录平台修改后重新提交。")
    notifications.queue_sms(unit.contact_mobile,
                            "authorization_approved" if approve else "authorization_rejected",
                            text)
    return authorization


def approve_authorization(actor, authorization: Authorization, opinion: str = "") -> Authorization:
    return _decide_authorization(actor, authorization, True, opinion)


def reject_authorization(actor, authorization: Authorization, reason: str) -> Authorization:
    return _decide_authorization(actor, authorization, False, reason)
