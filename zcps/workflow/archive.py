"""Step 3 — 业绩档案审核: the applicant's basic information and archive items, and the unit's
review of both."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    Action,
    Applicant,
    ArchiveCategory,
    ArchiveItem,
    ArchiveItemAttachment,
    CodePurpose,
    OfficerDuty,
    ReviewStatus,
    Role,
    Subject,
    Unit,
    utcnow,
)

from ..extensions import db
from . import sms
from .common import (
    DECISIONS,
    AlreadyHandled,
    WorkflowError,
    check_seen,
    decision_action,
    locked,
    locked_all,
    not_own,
    record_history,
    require_role,
    reviewing_unit,
    text,
)

EDITABLE_ITEM_STATES = (ReviewStatus.DRAFT, ReviewStatus.PENDING, ReviewStatus.RETURNED,
                        ReviewStatus.APPROVED)
# An edit of what the unit returned or approved goes back to the unit for review.
REVIEWED_AGAIN_WHEN_EDITED = (ReviewStatus.RETURNED, ReviewStatus.APPROVED)


def own_applicant(actor) -> Applicant:
    require_role(actor, Role.APPLICANT)
    return db.session.get(Applicant, actor.applicant_id)


def employing_unit(applicant: Applicant) -> Unit:
    """The unit that reviews what ``applicant`` submits: chosen, authorized and active."""
    unit = applicant.unit
    if unit is None:
        raise WorkflowError(_("请先在「基本信息」中选择工作单位，再提交单位审核。"))
    if not unit.is_authorized or not unit.active:
        raise WorkflowError(_("「%(unit)s」尚未通过平台授权，暂不能接收审核，请联系单位经办人。",
                              unit=unit.name))
    return unit


# --- the applicant's basic information ----------------------------------------------------

def choose_unit(actor, unit: Unit) -> Applicant:
    """The applicant picks (or changes) the employing unit among authorized ones.

    What the old unit approved stays approved and stays with it (only what the new unit
    approves can go into an application there); new submissions, and the basic information if
    it was already submitted, go to the new unit. Basic information a unit found 不通过 stays
    so: a change of unit (and back) does not reopen it.
    """
    applicant = locked(own_applicant(actor))
    if unit is None or Unit.get_for(actor, unit.id) is None:
        raise WorkflowError(_("请选择已通过平台授权的工作单位。"))
    if applicant.unit_id == unit.id:
        return applicant
    before = applicant.profile_status
    applicant.unit = unit
    if before not in (ReviewStatus.DRAFT, ReviewStatus.REJECTED):
        applicant.profile_status = ReviewStatus.PENDING
        applicant.profile_submitted_at = utcnow()
        record_history(Subject.PROFILE, applicant, Action.CHANGE_UNIT, before,
                       ReviewStatus.PENDING, actor, unit_id=unit.id, applicant_id=applicant.id)
    return applicant


PROFILE_FIELDS = ("highest_education", "current_title", "current_title_date", "mobile")


def save_profile(actor, **fields) -> Applicant:
    """Edit the basic information; a reviewed one goes back to the unit (待审核). A new mobile
    must have been proven by its 短信验证码 (verification.consume before this step): SMS
    about the applicant go to it."""
    from .. import verification

    applicant = locked(own_applicant(actor))
    if applicant.profile_status == ReviewStatus.REJECTED:
        raise WorkflowError(_("基本信息审核未通过，不能再修改，请联系单位经办人。"))
    mobile = fields.get("mobile")
    if mobile is not None and mobile != applicant.mobile and not verification.proven(
            mobile, CodePurpose.CHANGE_MOBILE, actor):
        raise WorkflowError(_("更换手机号码须填写发送到新号码的短信验证码。"))
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(applicant, name, fields[name])
    before = applicant.profile_status
    if before in REVIEWED_AGAIN_WHEN_EDITED:
        _send_profile(actor, applicant, Action.RESUBMIT)
    return applicant


def submit_profile(actor) -> Applicant:
    applicant = locked(own_applicant(actor))
    if applicant.profile_status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise AlreadyHandled(_("基本信息当前为「%(status)s」，无需重复提交。",
                               status=applicant.profile_status.label))
    _send_profile(actor, applicant, Action.SUBMIT)
    return applicant


def save_and_submit_profile(actor, **fields) -> Applicant:
    """What was typed is saved, then sent to the unit, in one transaction."""
    applicant = save_profile(actor, **fields)
    if applicant.profile_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        applicant = submit_profile(actor)
    return applicant


def _send_profile(actor, applicant: Applicant, action: Action) -> None:
    unit = employing_unit(applicant)
    before = applicant.profile_status
    applicant.profile_status = ReviewStatus.PENDING
    applicant.profile_submitted_at = utcnow()
    record_history(Subject.PROFILE, applicant, action, before, ReviewStatus.PENDING, actor,
                   unit_id=unit.id, applicant_id=applicant.id)


# --- the applicant's archive items ---------------------------------------------------------

def _own_item(actor, item: ArchiveItem) -> ArchiveItem:
    require_role(actor, Role.APPLICANT)
    return locked(item, actor, missing=_("业绩档案不存在或不属于您。"))


def create_item(actor, category: ArchiveCategory, *, attachment=None, submit: bool = False,
                **fields) -> ArchiveItem:
    """A new item (a draft), with its first attachment; ``submit`` sends it to the unit too."""
    applicant = own_applicant(actor)
    item = ArchiveItem(applicant_id=applicant.id, category=category,
                       status=ReviewStatus.DRAFT, **fields)
    db.session.add(item)
    db.session.flush()
    if attachment is not None:
        attach_file(actor, item, attachment)
    if submit:
        submit_item(actor, item)
    return item


def save_item(actor, item: ArchiveItem, *, attachment=None, submit: bool = False,
              **fields) -> ArchiveItem:
    """Edit an item. A returned or approved item goes back to the unit (待审核); ``submit``
    sends a draft too.

    What an application already extracted is a snapshot and does not change.
    """
    item = _own_item(actor, item)
    if item.status not in EDITABLE_ITEM_STATES:
        raise WorkflowError(_("该业绩档案为「%(status)s」，不能修改。", status=item.status.label))
    for name, value in fields.items():
        setattr(item, name, value)
    if item.status in REVIEWED_AGAIN_WHEN_EDITED:
        _send_item(actor, item, Action.RESUBMIT)
    if attachment is not None:
        attach_file(actor, item, attachment)
    if submit and item.status == ReviewStatus.DRAFT:
        submit_item(actor, item)
    return item


def submit_item(actor, item: ArchiveItem) -> ArchiveItem:
    item = _own_item(actor, item)
    if item.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise AlreadyHandled(_("「%(title)s」当前为「%(status)s」，无需重复提交。",
                               title=item.title, status=item.status.label))
    _send_item(actor, item, Action.SUBMIT)
    return item


def _send_item(actor, item: ArchiveItem, action: Action) -> None:
    unit = employing_unit(item.applicant)
    before = item.status
    item.status = ReviewStatus.PENDING
    item.unit_id = unit.id
    item.submitted_at = utcnow()
    item.reviewed_at = None
    item.reviewed_by_id = None
    record_history(Subject.ARCHIVE_ITEM, item, action, before, ReviewStatus.PENDING, actor,
                   unit_id=unit.id, applicant_id=item.applicant_id)


def delete_item(actor, item: ArchiveItem) -> None:
    """Only a draft that was never submitted may be deleted; submitted items keep their history."""
    item = _own_item(actor, item)
    if item.status != ReviewStatus.DRAFT or item.submitted_at is not None:
        raise WorkflowError(_("已提交过单位审核的业绩档案不能删除。"))
    for attachment in item.attachments:
        db.session.delete(attachment)
    db.session.delete(item)


def attach_file(actor, item: ArchiveItem, stored_file) -> ArchiveItemAttachment:
    item = _own_item(actor, item)
    if item.status not in EDITABLE_ITEM_STATES:
        raise WorkflowError(_("该业绩档案为「%(status)s」，不能添加附件。", status=item.status.label))
    attachment = ArchiveItemAttachment(archive_item_id=item.id, file=stored_file)
    db.session.add(attachment)
    # The item itself changes too (a new version): a reviewer's open page is then stale.
    item.updated_at = utcnow()
    if item.status in REVIEWED_AGAIN_WHEN_EDITED:
        _send_item(actor, item, Action.RESUBMIT)
    return attachment


# --- the unit's review (业绩档案审核) ---------------------------------------------------------

@dataclass(frozen=True)
class _Reviewed:
    """Where a reviewable part of the archive keeps its review: the basic information lives on
    the applicant's row, each item on its own."""

    subject: object
    status: str
    remark: str
    reviewed_at: str
    reviewed_by: str | None
    sms_prefix: str

    def described(self, record) -> str:
        if self.subject == Subject.PROFILE:
            return _("%(name)s的基本信息", name=record.name)
        return _("「%(title)s」", title=record.title)


_PROFILE = _Reviewed(Subject.PROFILE, "profile_status", "profile_remark", "profile_reviewed_at",
                     None, "profile")
_ITEM = _Reviewed(Subject.ARCHIVE_ITEM, "status", "remark", "reviewed_at", "reviewed_by_id",
                  "archive_item")


def _review(actor, record, decision: str, reason: str, part: _Reviewed, missing: str,
            seen_version: int | None = None):
    """通过, 退回修改 (reason) or 不通过 (reason) on a pending part of the archive, as the
    officer saw it (``seen_version``)."""
    unit = reviewing_unit(actor, OfficerDuty.ARCHIVE)
    record = locked(record, actor, missing=missing)
    not_own(actor, record if part is _PROFILE else record.applicant)
    if getattr(record, part.status) != ReviewStatus.PENDING:
        raise AlreadyHandled(_("%(what)s已被处理（%(status)s），未重复操作。",
                               what=part.described(record),
                               status=getattr(record, part.status).label))
    check_seen(record, seen_version)
    action = decision_action(decision, reason)
    return _decide(actor, unit, record, part, decision, action, reason)


def _decide(actor, unit: Unit, record, part: _Reviewed, decision: str, action: Action,
            reason: str):
    """Write one decision on a pending part, locked and checked: its state, the history row
    (and audit record), and the applicant's SMS when it is not 通过."""
    reason = text(reason)
    after = DECISIONS[decision][1]
    setattr(record, part.status, after)
    setattr(record, part.remark, reason)
    setattr(record, part.reviewed_at, utcnow())
    if part.reviewed_by:
        setattr(record, part.reviewed_by, actor.id)
    applicant = record if part is _PROFILE else record.applicant
    record_history(part.subject, record, action, ReviewStatus.PENDING, after, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=applicant.id)
    if action != Action.APPROVE:
        sms.send(f"{part.sms_prefix}_{decision}", applicant.mobile, name=applicant.name,
                 unit=unit.name,
                 item="" if part is _PROFILE else f"{record.category.zh}：{record.title}")
    return record


def review_item(actor, item: ArchiveItem, decision: str, reason: str = "",
                seen_version: int | None = None) -> ArchiveItem:
    """The unit decides on one archive item."""
    return _review(actor, item, decision, reason, _ITEM, _("业绩档案不存在或不属于本单位。"),
                   seen_version)


def review_profile(actor, applicant: Applicant, decision: str, reason: str = "",
                   seen_version: int | None = None) -> Applicant:
    """The unit decides on an applicant's basic information."""
    return _review(actor, applicant, decision, reason, _PROFILE, _("人员不存在或不属于本单位。"),
                   seen_version)


# --- 全部通过: many people's pending parts in one step --------------------------------------

# The keys of the parts a bulk review names: ("profile", applicant id) or ("item", item id).
PROFILE_PART, ITEM_PART = "profile", "item"


@dataclass
class BulkReview:
    """What one 全部通过 did: parts approved and returned, the people concerned, and a sentence
    for each kind of part it left as it was."""

    approved: int = 0
    returned: int = 0
    people: set = field(default_factory=set)
    left: list = field(default_factory=list)


def review_archives(actor, applicant_ids, *, seen: dict | None = None,
                    returns: dict | None = None) -> BulkReview:
    """通过 the pending basic information and archive items of the people ``applicant_ids`` in
    one transaction; the parts named in ``returns`` ({(part, id): reason}) are 退回修改 instead.

    ``seen`` ({(part, id): version}) is what the officer saw on a person's page: only those
    parts are decided, each as it was seen. Without it (the list's bulk 通过, confirmed with the
    number of people and items) every part pending now is decided. Rows are locked in id order
    (people, then items) and their scope and state checked after the lock: a part no longer
    pending, changed since it was seen, or the officer's own, is left and reported; a person or
    part outside the unit, or a 退回 without its reason, refuses the whole step.
    """
    unit = reviewing_unit(actor, OfficerDuty.ARCHIVE)
    ids = sorted(set(applicant_ids))
    if not ids:
        raise WorkflowError(_("请先勾选要审核的人员。"))
    returns = dict(returns or {})
    unexplained = sum(1 for reason in returns.values() if not text(reason))
    if unexplained:
        raise WorkflowError(_("有 %(n)s 项勾选了退回修改但未填写退回原因，请填写后再提交，本次未作任何处理。",
                              n=unexplained))
    # The parts asked for by name: those seen on the page, and every exception.
    named = set(returns) if seen is None else set(seen) | set(returns)
    profile_ids = {record_id for part, record_id in named if part == PROFILE_PART}
    item_ids = {record_id for part, record_id in named if part == ITEM_PART}

    # The people: the unit's own, or people whose items reached it (the 业绩档案审核 list).
    known = set(db.session.scalars(sa.select(Applicant.id).where(
        Applicant.id.in_(ids),
        sa.or_(Applicant.scope_clause(actor), Applicant.id.in_(
            sa.select(ArchiveItem.applicant_id).where(ArchiveItem.scope_clause(actor)))))))
    if known != set(ids):
        raise WorkflowError(_("所选人员不存在或不属于本单位，本次未作任何处理。"))

    if seen is None:
        profiles = locked_all(Applicant, actor, Applicant.id.in_(ids), sa.or_(
            Applicant.profile_status == ReviewStatus.PENDING, Applicant.id.in_(profile_ids)))
        items = locked_all(ArchiveItem, actor, ArchiveItem.applicant_id.in_(ids), sa.or_(
            ArchiveItem.status == ReviewStatus.PENDING, ArchiveItem.id.in_(item_ids)))
    else:
        profiles = locked_all(Applicant, actor, Applicant.id.in_(ids),
                              Applicant.id.in_(profile_ids))
        items = locked_all(ArchiveItem, actor, ArchiveItem.applicant_id.in_(ids),
                           ArchiveItem.id.in_(item_ids))
    found = {(PROFILE_PART, p.id) for p in profiles} | {(ITEM_PART, i.id) for i in items}
    missing = named - found
    if missing:
        raise WorkflowError(_("有 %(n)s 项材料不存在或不属于本单位，本次未作任何处理。",
                              n=len(missing)))

    done = BulkReview()
    not_pending = changed = 0
    own = []
    parts = [(PROFILE_PART, _PROFILE, p, p) for p in profiles] + \
            [(ITEM_PART, _ITEM, i, i.applicant) for i in items]
    for key_part, part, record, applicant in parts:
        key = (key_part, record.id)
        if actor.is_person(applicant.id_number):
            if applicant.name not in own:
                own.append(applicant.name)
            continue
        if getattr(record, part.status) != ReviewStatus.PENDING:
            not_pending += 1
            continue
        if seen and seen.get(key) is not None and record.version != seen[key]:
            changed += 1
            continue
        decision = "return" if key in returns else "approve"
        _decide(actor, unit, record, part, decision, DECISIONS[decision][0],
                returns.get(key, ""))
        done.people.add(applicant.id)
        if decision == "return":
            done.returned += 1
        else:
            done.approved += 1
    if not_pending:
        done.left.append(_("%(n)s 项已不在待审核状态，未处理。", n=not_pending))
    if changed:
        done.left.append(_("%(n)s 项在页面打开后已被修改，未处理，请刷新后重新审核。", n=changed))
    for name in own:
        done.left.append(_("不能审核本人的材料（%(name)s），未处理，请由本单位其他经办人或管理员办理。",
                           name=name))
    if not done.approved and not done.returned:
        raise AlreadyHandled(" ".join(done.left) or _("所选人员没有待审核的材料。"))
    return done
