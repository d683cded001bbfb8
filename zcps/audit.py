"""The audit log: who did what (an AuditAction), from where. Written in the caller's transaction.

The log is append-only: the database refuses to change an entry, to delete one younger than
``KEEP_DAYS`` and to delete one not yet archived (triggers of migrations 0009 and 0022 on
PostgreSQL, MariaDB and SQLite); older entries leave it only through ``flask zcps archive-audit``
(zcps/retention.py). A 身份证号 never enters it whole: it is masked as it is written."""
import re

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    Action,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    AuthorizationStatus,
    ObjectionStatus,
    OfficerDuty,
    ReviewStatus,
    Role,
    Subject,
)

from .i18n import colon_text, join_list
from .identifiers import mask_id_number

# Entries are kept at least this long (等保2.0: 6 months).
KEEP_DAYS = 180
# An 18-character 身份证号 inside any text (a username typed at sign-in, a target, a detail).
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_ids(value):
    """``value`` with every 身份证号 in it masked (3301**********0612), strings inside lists
    and dicts too."""
    if isinstance(value, str):
        return ID_NUMBER_RE.sub(lambda match: mask_id_number(match.group(0)), value)
    if isinstance(value, dict):
        return {key: mask_ids(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_ids(item) for item in value]
    return value

# The kinds of target ("kind:what"): the roles of accounts, and the records.
TARGET_KINDS = {**{role.value: role.lazy_label for role in Role},
                **{subject.value: subject.lazy_label for subject in Subject}, "unit": _l("用人单位"),
                "applicant": _l("申报人"), "plan": _l("评审计划"), "workday": _l("日期"),
                "workday_calendar": _l("工作日历"), "export": _l("导出文件"),
                "file": _l("上传文件"), "audit_archive": _l("审计日志归档"),
                "notification": _l("短信发件箱")}


def target_label(target: str) -> str:
    """"employer:9133…" → "用人单位 9133…"; "unit:3" → "用人单位 #3"; unknown kinds as they are."""
    kind, _, what = (target or "").partition(":")
    if kind not in TARGET_KINDS:
        return target or ""
    label = str(TARGET_KINDS[kind])
    what = mask_ids(what)  # entries written before masking began
    if not what:
        return label
    return f"{label} #{what}" if what.isdigit() else f"{label} {what}"


def actor_label(account) -> str:
    """Who acted, as the audit log names them: 系统管理员 admin, 用人单位 9133…, or 系统 for the
    app itself (a command, the sender, a closing period)."""
    if account is None:
        return str(_l("系统"))
    return f"{account.role_label} {mask_ids(account.username)}"


# The words for the keys an entry's details use; a key not named here is shown as it is.
DETAIL_KEYS = {
    "name": _l("名称"), "reason": _l("原因"), "uscc": _l("统一社会信用代码"),
    "id_number": _l("身份证号"), "typed": _l("输入的账号"), "kind": _l("类别"),
    "size": _l("文件大小（字节）"), "plan": _l("评审计划"), "plan_id": _l("评审计划编号"),
    "stage": _l("阶段"), "days": _l("天数"), "deadline": _l("截止时间"), "count": _l("数量"),
    "until": _l("锁定至"), "applications": _l("申报记录数"), "duties": _l("权限"),
    "fields": _l("变更事项"), "outcome": _l("结果"),
    # archives of the audit log, the outbox's pruning
    "first_id": _l("起始编号"), "last_id": _l("结束编号"), "before": _l("截止日期"),
    "sha256": _l("校验值"), "operator": _l("执行人"), "sent": _l("已发送"), "failed": _l("发送失败"),
}
# Codes some details carry, in words.
DETAIL_VALUES = {"locked": _l("账号已锁定"),
                 **{duty.value: duty.lazy_label for duty in OfficerDuty},
                 # 单位信息变更: the fields asked for, and the outcome
                 "name": _l("单位名称"), "address": _l("单位地址"),
                 "legal_representative": _l("法定代表人"), "contact_name": _l("联系人"),
                 "contact_mobile": _l("手机号码"),
                 AuthorizationStatus.APPROVED.value: AuthorizationStatus.APPROVED.lazy_label,
                 AuthorizationStatus.REJECTED.value: AuthorizationStatus.REJECTED.lazy_label}
# The states a decision moves a record between, by the record's kind.
SUBJECT_STATES = {Subject.APPLICATION.value: ApplicationStatus,
                  Subject.PROFILE.value: ReviewStatus, Subject.ARCHIVE_ITEM.value: ReviewStatus,
                  Subject.AUTHORIZATION.value: AuthorizationStatus,
                  Subject.OBJECTION.value: ObjectionStatus}


def _code_label(enum_cls, code) -> str:
    try:
        return enum_cls(code).label
    except ValueError:
        return str(code or "")  # a code of an older release, shown as stored


def detail_text(entry) -> str:
    """What an entry's details say, in words: a decision as 审核通过：待审核 → 审核通过, anything
    else as 名称：张三；原因：… ."""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    if entry.action == AuditAction.DECISION and "step" in detail:
        states = SUBJECT_STATES.get((entry.target or "").partition(":")[0])
        step = _code_label(Action, detail["step"])
        before, after = (_code_label(states, detail.get(key)) if states else
                         str(detail.get(key) or "") for key in ("before", "after"))
        moved = _("%(before)s → %(after)s", before=before, after=after) if before else after
        return colon_text(step) + moved
    parts = []
    for key, value in detail.items():
        if isinstance(value, list | tuple):
            value = join_list(DETAIL_VALUES.get(item, item) if isinstance(item, str) else item
                              for item in value)
        shown = DETAIL_VALUES.get(value, value) if isinstance(value, str) else value
        parts.append(colon_text(DETAIL_KEYS.get(key, key)) + str(shown))
    return _("；").join(parts)


def record(action: AuditAction, *, actor=None, target: str = "", **detail) -> AuditLog:
    from .extensions import db

    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target=mask_ids(target)[:200],
        detail=mask_ids(detail),
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
