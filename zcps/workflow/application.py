"""Step 4 — 申报资料审核: the applicant's title application, its extracted items, and the unit's
decision on it."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import (
    CLOSED_APPLICATION_STATES,
    MANDATORY_CATEGORIES,
    Action,
    Applicant,
    Application,
    ApplicationItem,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    OfficerDuty,
    OpinionTemplate,
    PlanStage,
    PlanState,
    ReviewStatus,
    Role,
    Subject,
    TitleQualification,
    TitleSeries,
    utcnow,
)

from .. import plans, workdays
from ..extensions import db
from ..i18n import join_list, local_date
from . import sms
from .archive import employing_unit, own_applicant
from .common import (
    AlreadyHandled,
    WorkflowError,
    check_seen,
    decision_action,
    locked,
    not_own,
    record_history,
    require_role,
    reviewing_unit,
    text,
)

APPLICANT_EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
DECIDED = {
    Action.APPROVE: ApplicationStatus.APPROVED,
    Action.RETURN: ApplicationStatus.RETURNED,
    Action.REJECT: ApplicationStatus.REJECTED,
}


def open_application(applicant_id: int, year: int) -> Application | None:
    """The applicant's application of ``year`` still in progress (at most one per year)."""
    return db.session.scalars(sa.select(Application).where(
        Application.applicant_id == applicant_id, Application.year == year,
        Application.status.not_in(CLOSED_APPLICATION_STATES)).limit(1)).first()


def _own_application(actor, application: Application, *, editable: bool = False) -> Application:
    require_role(actor, Role.APPLICANT)
    application = locked(application, actor, missing=_("申报不存在或不属于您。"))
    if editable and application.status not in APPLICANT_EDITABLE:
        raise WorkflowError(_("申报当前为「%(status)s」，不能修改。", status=application.status.label))
    return application


def _check_title(qualification: TitleQualification, series: TitleSeries, level) -> None:
    if qualification is None or series is None:
        raise WorkflowError(_("请选择申报系列和资格名称。"))
    if qualification.series_id != series.id or qualification.level != level:
        raise WorkflowError(_("资格名称「%(name)s」不属于%(series)s系列的%(level)s，请重新选择。",
                              name=qualification.name, series=series.name, level=level.label))


def _check_plan(plan, series, level) -> None:
    """The plan must be taking applications now, for this series at this level."""
    if plan is None:
        raise WorkflowError(_("请选择评审计划。"))
    state = plan.state
    if state != PlanState.OPEN:
        if state == PlanState.NOT_STARTED:
            raise WorkflowError(_("%(plan)s尚未开始申报，申报开始时间为%(start)s。",
                                  plan=plan.name, start=local_date(plan.apply_start)))
        plans.check_before(plan, PlanStage.PERSONAL, _("创建申报"))
    if not plan.offers(series.id, level):
        raise WorkflowError(_("%(plan)s不受理%(series)s系列%(level)s的申报，请选择其他评审计划。",
                              plan=plan.name, series=series.name, level=level.label))


def create_application(actor, *, plan, series, specialty, level, qualification,
                       review_method) -> Application:
    applicant = own_applicant(actor)
    unit = employing_unit(applicant)
    _check_title(qualification, series, level)
    _check_plan(plan, series, level)
    year = plan.year
    one_a_year = WorkflowError(_("您在%(year)s年度已有一份职称申报，每年度只能有一份在办申报。",
                                 year=year))
    if open_application(applicant.id, year) is not None:
        raise one_a_year
    application = Application(
        applicant_id=applicant.id, unit_id=unit.id, year=year, plan_id=plan.id,
        series_id=series.id,
        specialty=specialty, level=level, qualification_id=qualification.id,
        review_method=review_method, current_title=applicant.current_title,
        status=ApplicationStatus.DRAFT)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request created it since the check above (uq_application_open_year).
        if "open_year" in str(error.orig):
            raise one_a_year from None
        raise
    record_history(Subject.APPLICATION, application, Action.CREATE, None,
                   ApplicationStatus.DRAFT, actor, unit_id=unit.id, applicant_id=applicant.id)
    return application


def update_application(actor, application: Application, *, series, specialty, level,
                       qualification, review_method) -> Application:
    application = _own_application(actor, application, editable=True)
    _check_title(qualification, series, level)
    if not application.plan.offers(series.id, level):
        raise WorkflowError(_("%(plan)s不受理%(series)s系列%(level)s的申报，请选择其他评审计划。",
                              plan=application.plan.name, series=series.name, level=level.label))
    application.series_id = series.id
    application.specialty = specialty
    application.level = level
    application.qualification_id = qualification.id
    application.review_method = review_method
    return application


def extract_items(actor, application: Application, item_ids, replies=None) -> Application:
    """Set the application's extracted items to these archive items.

    An item already extracted keeps its snapshot (and the remark and reply on it) while its
    archive item is unchanged, or while an edit of it waits for the unit's review; a newer
    approved version replaces the snapshot. ``replies`` ({extracted item id: text}) answers the
    remarks of the round that returned the application (``reply_to_remarks``).
    """
    application = _own_application(actor, application)
    if application.status not in APPLICANT_EDITABLE:
        raise WorkflowError(_("申报当前为「%(status)s」，不能修改提取的业绩。",
                              status=application.status.label))
    current = {extracted.archive_item_id: extracted for extracted in application.items
               if extracted.archive_item_id is not None}
    kept, fresh = set(), []
    for item_id in dict.fromkeys(item_ids):
        item = ArchiveItem.get_for(actor, item_id)
        if item is None:
            raise WorkflowError(_("业绩档案不存在或不属于您。"))
        extracted = current.get(item.id)
        if extracted is not None and (item.status != ReviewStatus.APPROVED
                                      or same_content(extracted, item)):
            kept.add(extracted.id)
            continue
        if item.status != ReviewStatus.APPROVED:
            raise WorkflowError(_("「%(title)s」尚未通过单位审核（%(status)s），不能提取："
                                  "修改过的业绩档案须经单位审核通过后才能提取。",
                                  title=item.title, status=item.status.label))
        _check_approved_by(item, application.applicant.unit)
        fresh.append((item, extracted))
    for old in list(application.items):
        if old.id not in kept:
            db.session.delete(old)
    db.session.flush()
    for item, replaced in fresh:
        db.session.add(ApplicationItem(
            application_id=application.id, archive_item_id=item.id, category=item.category,
            title=item.title, organisation=item.organisation, start_date=item.start_date,
            end_date=item.end_date, details=dict(item.details or {}),
            file_ids=[attachment.file_id for attachment in item.attachments],
            reply=replaced.reply if replaced is not None else ""))
    db.session.flush()
    db.session.expire(application, ["items"])
    if replies:
        _save_replies(application, replies)
    return application


def same_content(extracted: ApplicationItem, item: ArchiveItem) -> bool:
    """Whether an extracted snapshot still says what its archive item says."""
    return (extracted.category, extracted.title, extracted.organisation, extracted.start_date,
            extracted.end_date, dict(extracted.details or {}), list(extracted.file_ids or [])) == (
        item.category, item.title, item.organisation, item.start_date, item.end_date,
        dict(item.details or {}), [attachment.file_id for attachment in item.attachments])


# --- resubmission rounds ----------------------------------------------------------------------

REPLY_MAX = 200

# A remarked item of the round that returned the application, as the applicant left it.
UNTOUCHED, REEXTRACTED, REMOVED, REPLIED = "untouched", "reextracted", "removed", "replied"
# An item of this round against the previous one, as the unit reads it.
UNCHANGED, CHANGED, ADDED = "unchanged", "changed", "added"


def _item_snapshot(extracted: ApplicationItem) -> dict:
    return {"item_id": extracted.id, "archive_item_id": extracted.archive_item_id,
            "category": extracted.category.value, "title": extracted.title,
            "organisation": extracted.organisation,
            "start_date": extracted.start_date.isoformat() if extracted.start_date else "",
            "end_date": extracted.end_date.isoformat() if extracted.end_date else "",
            "details": dict(extracted.details or {}), "file_ids": list(extracted.file_ids or []),
            "remark": extracted.remark}


def returned_round(application: Application) -> list[dict]:
    """The items of the round that returned the application (with its remarks), while the
    application is back with the applicant; [] otherwise."""
    if application.status != ApplicationStatus.RETURNED:
        return []
    previous = application.previous_round
    if previous is None:
        # Returned before rounds were kept: the remarks still on the items.
        return [_item_snapshot(extracted) for extracted in application.items if extracted.remark]
    return previous["items"] if previous.get("round") == application.round else []


CONTENT = ("category", "title", "organisation", "start_date", "end_date", "details", "file_ids")


def _counterpart(before: dict, items) -> tuple[ApplicationItem | None, bool]:
    """The item extracted now for ``before`` (an item of the previous round), matched by its
    archive item, and whether it says the same as then."""
    for extracted in items:
        if before.get("archive_item_id") is not None:
            matches = extracted.archive_item_id == before["archive_item_id"]
        else:
            matches = extracted.id == before["item_id"]
        if matches:
            now = _item_snapshot(extracted)
            same = all(now[key] == before.get(key) for key in CONTENT)
            if same or before.get("archive_item_id") is not None:
                return extracted, same
    return None, False


def remarked_items(application: Application) -> list[dict]:
    """Each item the returning round remarked on, with what the applicant did about it:
    ``state`` is UNTOUCHED, REEXTRACTED, REMOVED or REPLIED; ``extracted`` the item as
    extracted now (None once removed) and ``archive_item`` its archive item."""
    found = []
    for before in returned_round(application):
        if not before.get("remark"):
            continue
        extracted, same = _counterpart(before, application.items)
        if extracted is None:
            state = REMOVED
        elif same:
            state = REPLIED if extracted.reply else UNTOUCHED
        else:
            state = REEXTRACTED
        archive_item = db.session.get(ArchiveItem, before["archive_item_id"]) \
            if before.get("archive_item_id") else None
        found.append({**before, "category": ArchiveCategory(before["category"]),
                      "state": state, "extracted": extracted, "archive_item": archive_item,
                      "newer_approved": state == UNTOUCHED and archive_item is not None
                      and archive_item.status == ReviewStatus.APPROVED
                      and not same_content(extracted, archive_item)})
    return found


def reply_errors(replies: dict) -> dict:
    """{extracted item id: what is wrong with its typed reply}, for the form."""
    return {item_id: _("回复不能超过%(max)s字（现为%(n)s字）。", max=REPLY_MAX, n=len(text(reply)))
            for item_id, reply in replies.items() if len(text(reply)) > REPLY_MAX}


def _save_replies(application: Application, replies: dict) -> None:
    remarked = {found["extracted"].id: found for found in remarked_items(application)
                if found["state"] in (UNTOUCHED, REPLIED)}
    for item_id, reply in replies.items():
        found = remarked.get(item_id)
        if found is None:
            continue
        reply = text(reply)
        if len(reply) > REPLY_MAX:
            raise WorkflowError(_("对「%(title)s」的回复不能超过%(max)s字（现为%(n)s字）。",
                                  title=found["title"], max=REPLY_MAX, n=len(reply)))
        found["extracted"].reply = reply


def reply_to_remarks(actor, application: Application, replies: dict) -> Application:
    """The applicant answers remarks of the returning round on items kept unchanged."""
    application = _own_application(actor, application, editable=True)
    _save_replies(application, replies)
    return application


def round_changes(application: Application) -> dict | None:
    """Round 2 and later against the round before, for the unit: {"items": {extracted id:
    {"state": UNCHANGED | CHANGED | ADDED, "remark", "reply"}}, "removed": [the previous
    round's items no longer extracted], "round": the previous round's number}; None in round 1."""
    previous = application.previous_round
    if previous is None or previous.get("round") != application.round - 1:
        return None
    changes, removed = {}, []
    for before in previous["items"]:
        extracted, same = _counterpart(before, application.items)
        if extracted is None:
            removed.append({**before, "category": ArchiveCategory(before["category"])})
        else:
            changes[extracted.id] = {"state": UNCHANGED if same else CHANGED,
                                     "remark": before["remark"], "reply": extracted.reply}
    for extracted in application.items:
        changes.setdefault(extracted.id, {"state": ADDED, "remark": "", "reply": ""})
    return {"round": previous["round"], "items": changes, "removed": removed}


def _check_approved_by(item: ArchiveItem, unit) -> None:
    """Only items the unit reviewing the application approved go into it (DESIGN.md §2.3): what
    a former unit approved is submitted again to the new one first."""
    if unit is None:
        raise WorkflowError(_("请先在「基本信息」中选择工作单位，再提交单位审核。"))
    if item.unit_id != unit.id:
        raise WorkflowError(_(
            "「%(title)s」是「%(other)s」审核通过的，须经「%(unit)s」审核通过后才能用于申报："
            "请在业绩档案中修改保存，重新提交本单位审核。",
            title=item.title, other=item.unit.name if item.unit else "—", unit=unit.name))


def missing_mandatory_categories(application: Application) -> list[ArchiveCategory]:
    present = {item.category for item in application.items}
    return [category for category in MANDATORY_CATEGORIES if category not in present]


DECLARATION = ("本人承诺：所填报的信息和提交的材料真实、准确、完整，不存在弄虚作假行为；"
               "如有不实，本人愿承担由此产生的一切后果。")


def submit_application(actor, application: Application, declared: bool = False) -> Application:
    """The applicant submits to the unit, confirming ``DECLARATION`` (``declared``)."""
    application = _own_application(actor, application)
    if application.status not in APPLICANT_EDITABLE:
        raise AlreadyHandled(_("申报当前为「%(status)s」，无需重复提交。",
                               status=application.status.label))
    applicant = application.applicant
    unit = employing_unit(applicant)
    # A first submission by the personal deadline; a returned one until the unit's.
    if application.status == ApplicationStatus.RETURNED:
        plans.check_before(application.plan, PlanStage.UNIT, _("重新提交"))
    else:
        plans.check_before(application.plan, PlanStage.PERSONAL, _("提交申报"))
    if applicant.profile_status != ReviewStatus.APPROVED:
        raise WorkflowError(_("基本信息尚未通过单位审核，请先提交基本信息并等待单位审核通过。"))
    for extracted in application.items:
        if extracted.archive_item is not None:
            _check_approved_by(extracted.archive_item, unit)
    missing = missing_mandatory_categories(application)
    if missing:
        raise WorkflowError(_("缺少必备业绩：%(names)s。每类至少提取一项审核通过的业绩档案。",
                              names=join_list(category.label for category in missing)))
    untouched = [found for found in remarked_items(application) if found["state"] == UNTOUCHED]
    if untouched:
        raise WorkflowError(_(
            "以下需修改的业绩尚未处理：%(names)s。请逐项重新提取单位审核通过的新版本、取消提取，"
            "或填写回复说明后再提交。",
            names=join_list(f"{found['category'].label}「{found['title']}」"
                            for found in untouched)))
    if not declared:
        raise WorkflowError(_("请阅读并勾选诚信承诺后再提交。"))
    before = application.status
    application.status = ApplicationStatus.PENDING
    application.unit_id = unit.id
    application.round += 1
    application.submitted_at = utcnow()
    application.declared_at = application.submitted_at
    application.current_title = applicant.current_title
    application.profile_snapshot = profile_snapshot(applicant)
    for item in application.items:
        item.remark = ""
    record_history(Subject.APPLICATION, application,
                   Action.RESUBMIT if before == ApplicationStatus.RETURNED else Action.SUBMIT,
                   before, ApplicationStatus.PENDING, actor, unit_id=unit.id,
                   applicant_id=applicant.id, round_no=application.round)
    return application


def profile_snapshot(applicant: Applicant) -> dict:
    return {
        "name": applicant.name, "sex": applicant.sex.value,
        "birth_date": applicant.birth_date.isoformat(),
        "highest_education": applicant.highest_education,
        "current_title": applicant.current_title,
        "current_title_date": applicant.current_title_date.isoformat()
        if applicant.current_title_date else "",
        "unit": applicant.unit.name if applicant.unit else "",
    }


# --- the unit's decision (申报资料审核) -------------------------------------------------------

def review_application(actor, application: Application, decision: str, opinion: str = "",
                       remarks: dict | None = None,
                       seen_version: int | None = None) -> Application:
    """The unit decides on an application: 通过 (opinion), 退回修改 (reason and item remarks
    sent together, so the applicant sees everything to fix at once) or 不通过 (reason).

    ``remarks`` maps an extracted item's id to the reviewer's remark on it; ``seen_version`` is
    the application's version on the officer's page.
    """
    unit = reviewing_unit(actor, OfficerDuty.APPLICATION)
    application = locked(application, actor, missing=_("申报不存在或不属于本单位。"))
    not_own(actor, application.applicant)
    if application.status != ApplicationStatus.PENDING:
        raise AlreadyHandled(_("%(name)s的申报已被处理（%(status)s），未重复操作。",
                               name=application.applicant.name, status=application.status.label))
    check_seen(application, seen_version)
    action = decision_action(decision, opinion, opinion_required=True)
    if action == Action.APPROVE:
        plans.check_before(application.plan, PlanStage.UNIT, _("通过"))
    opinion = text(opinion)
    remarks = remarks or {}
    sent_remarks = []
    for item in application.items:
        item.remark = text(remarks.get(item.id))
        if item.remark:
            sent_remarks.append({"item_id": item.id, "title": f"{item.category.zh}：{item.title}",
                                 "remark": item.remark})
    after = DECIDED[action]
    if action == Action.RETURN:
        application.previous_round = {
            "round": application.round,
            "items": [_item_snapshot(item) for item in application.items]}
        for item in application.items:
            item.reply = ""
    application.status = after
    application.opinion = opinion
    application.decided_at = utcnow()
    record_history(Subject.APPLICATION, application, action, ApplicationStatus.PENDING, after,
                   actor, opinion=opinion, remarks=sent_remarks, unit_id=unit.id,
                   applicant_id=application.applicant_id, round_no=application.round)
    applicant = application.applicant
    sms.send(f"application_{decision}", applicant.mobile, name=applicant.name,
             title=application.qualification.name, unit=unit.name)
    return application


def opinion_templates(actor, kind) -> list:
    """Ready sentences for an opinion: the platform's and the unit's own."""
    return db.session.scalars(OpinionTemplate.select_for(actor).where(
        OpinionTemplate.kind == kind).order_by(OpinionTemplate.unit_id.is_(None).desc(),
                                               OpinionTemplate.sort_order,
                                               OpinionTemplate.id)).all()


# What a ready sentence may name, in Chinese or as the English interface shows it: {姓名} or
# {name}, and so on.
PLACEHOLDERS = {"姓名": "name", "资格名称": "qualification", "申报系列": "series",
                "单位名称": "unit", "公示开始日期": "publicity_start", "公示结束日期": "publicity_end",
                "公示工作日": "working_days", "评审计划": "plan"}


def fill_template(template: str, application: Application) -> str:
    """Fill {姓名}, {资格名称}, {申报系列}, {单位名称}, {评审计划} and the publicity's dates (also
    named {name}, {qualification}, …). The sentence becomes an opinion on record: its dates stay
    Chinese whatever the reader's language."""
    values = {
        "姓名": application.applicant.name, "资格名称": application.qualification.name,
        "申报系列": application.series.name, "单位名称": application.unit.name,
        "评审计划": application.plan.name,
    }
    publicity = application.publicity
    if publicity is not None:
        values.update({
            "公示开始日期": workdays.month_day(publicity.start_date),
            "公示结束日期": workdays.month_day(publicity.end_date),
            "公示工作日": str(workdays.working_days_between(
                publicity.start_date, publicity.end_date, publicity.count_start_day)),
        })
    for key, value in values.items():
        for placeholder in (key, PLACEHOLDERS[key]):
            template = template.replace("{" + placeholder + "}", value)
    return template
