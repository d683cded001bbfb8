"""What every step shares: refusals, the actor checks, row locks, decisions and history."""
import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    Action,
    AdminKind,
    AuditAction,
    OfficerDuty,
    ReviewRecord,
    ReviewStatus,
    Role,
    Unit,
)

from .. import audit
from ..extensions import db


class WorkflowError(Exception):
    """A refused step; ``str(error)`` is the message for the person who tried it."""


class AlreadyHandled(WorkflowError):
    """Someone else changed the record first."""


def require_role(actor, *roles: Role) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in roles:
        raise WorkflowError(_("您的账号无权办理此事项。"))


def require_admin(actor, kind: AdminKind) -> None:
    """Only a platform admin holding ``kind`` of the three separated duties (三员分立)."""
    require_role(actor, Role.PLATFORM_ADMIN)
    if actor.admin_kind != kind:
        raise WorkflowError(_("此事项由%(kind)s办理，您的账号无权办理。", kind=kind.label))


def locked(record, actor=None, missing: str | None = None):
    """Re-read ``record`` with a row lock (SELECT … FOR UPDATE) so the state check is current.

    Given ``actor``, the row must also be within the actor's scope, checked by the same locking
    read: a record that moved to another unit while the page was open is not found (``missing``
    is the refusal). Two reviewers acting at once: the second waits for the first, then sees its
    result. The version column catches the same race where there are no row locks (SQLite).
    """
    if record is None:
        raise WorkflowError(missing or _("记录不存在或不属于您的账号。"))
    model = type(record)
    statement = sa.select(model).where(model.id == record.id).execution_options(
        populate_existing=True)
    if actor is not None:
        statement = statement.where(model.scope_clause(actor))
    if db.engine.dialect.name != "sqlite":
        statement = statement.with_for_update()
    found = db.session.execute(statement).scalar_one_or_none()
    if found is None:
        raise WorkflowError(missing or _("记录不存在或不属于您的账号。"))
    return found


def locked_all(model, actor, *conditions) -> list:
    """The rows of ``model`` within ``actor``'s scope that meet ``conditions``, each read with a
    row lock as ``locked`` does, in id order: two bulk steps over the same rows cannot deadlock."""
    statement = (sa.select(model).where(model.scope_clause(actor), *conditions)
                 .order_by(model.id).execution_options(populate_existing=True))
    if db.engine.dialect.name != "sqlite":
        statement = statement.with_for_update()
    return list(db.session.execute(statement).scalars())


def check_seen(record, seen_version: int | None) -> None:
    """A decision is taken on what the officer saw: ``seen_version`` is the record's version
    when the page was opened (None for a decision taken without a page, e.g. a bulk 通过)."""
    if seen_version is not None and record.version != seen_version:
        raise AlreadyHandled(_("内容已被修改，请刷新后重新审核。"))


def require_duty(actor, duty: OfficerDuty) -> None:
    """A unit account that may do ``duty``: the unit's own account, or an officer holding it."""
    require_role(actor, Role.EMPLOYER)
    if not actor.may(duty):
        raise WorkflowError(_("您没有「%(duty)s」权限，请联系本单位管理员。", duty=duty.label))


def reviewing_unit(actor, duty: OfficerDuty) -> Unit:
    """The signed-in unit, which must be authorized to review, publicize or recommend, through
    an account that holds ``duty``."""
    require_duty(actor, duty)
    unit = db.session.get(Unit, actor.unit_id)
    if unit is None or not unit.is_authorized:
        raise WorkflowError(_("单位授权审核通过后才能办理审核。"))
    return unit


def not_own(actor, applicant) -> None:
    """No one decides on their own records: an officer who is ``applicant`` is refused, and
    the unit's administrator or another officer must act."""
    if applicant is not None and actor.is_person(applicant.id_number):
        raise WorkflowError(_("不能审核本人的材料（%(name)s），请由本单位其他经办人或管理员办理。",
                              name=applicant.name))


def text(value) -> str:
    """A typed opinion or reason, trimmed."""
    return (value or "").strip()


def required_text(value, required: bool, refusal: str) -> str:
    """A typed opinion, trimmed; refused with ``refusal`` when ``required`` and empty."""
    value = text(value)
    if required and not value:
        raise WorkflowError(refusal)
    return value


# A reviewer's three answers (DESIGN.md §3): the form posts the code, the record gets the state.
DECISIONS = {
    "approve": (Action.APPROVE, ReviewStatus.APPROVED),
    "return": (Action.RETURN, ReviewStatus.RETURNED),
    "reject": (Action.REJECT, ReviewStatus.REJECTED),
}


def decision_action(decision: str, reason: str, *, opinion_required: bool = False) -> Action:
    """The action a posted decision stands for, once its reason is there."""
    if decision not in DECISIONS:
        raise WorkflowError(_("请选择审核结果：通过、退回修改或不通过。"))
    reason = text(reason)
    if decision == "return" and not reason:
        raise WorkflowError(_("退回修改时必须填写退回原因。"))
    if decision == "reject" and not reason:
        raise WorkflowError(_("不通过时必须填写原因。"))
    if decision == "approve" and opinion_required and not reason:
        raise WorkflowError(_("通过时必须填写审核意见。"))
    return DECISIONS[decision][0]


def record_history(subject, record, action: Action, before, after, actor, *,
                   opinion: str = "", remarks=None, unit_id=None, applicant_id=None,
                   acceptance_point_id=None, round_no: int = 0,
                   actor_name: str | None = None) -> ReviewRecord:
    """One step of ``record``'s timeline, scoped to the unit, applicant and point concerned."""
    history = ReviewRecord(
        subject=subject, subject_id=record.id, action=action,
        from_status=getattr(before, "value", before) or "",
        to_status=getattr(after, "value", after) or "",
        opinion=opinion or "", remarks=remarks or [], round=round_no,
        actor_id=getattr(actor, "id", None), actor_role=getattr(actor, "role", None),
        actor_name=actor_name if actor_name is not None
        else (actor.acting_name if actor is not None else ""),
        unit_id=unit_id, applicant_id=applicant_id, acceptance_point_id=acceptance_point_id,
        officer_name=actor.display_name if actor is not None and actor.is_officer else "",
    )
    db.session.add(history)
    if actor is not None and actor.role != Role.APPLICANT:
        # A reviewer's decision (a unit, an acceptance point, a platform admin) is also in the
        # append-only audit log: who, when, from where, on what, with what outcome.
        audit.record(AuditAction.DECISION, actor=actor, target=f"{subject.value}:{record.id}",
                     step=action.value, before=history.from_status, after=history.to_status)
    return history
