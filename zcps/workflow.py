"""Every state transition of zcps, in one place.

Each transition is a plain function: it checks the actor, the record's current state and the
preconditions, writes the new state and its history row in the caller's transaction, and
queues the notification in that same transaction. A refusal raises :class:`WorkflowError`
whose message is the Chinese sentence to show. Views translate a click into one call and a
refusal into a flash; they never set a status themselves. The caller commits.
"""
from datetime import date, timedelta

import sqlalchemy as sa

from models import (
    MANDATORY_CATEGORIES,
    AcceptancePoint,
    Applicant,
    Application,
    ApplicationItem,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ArchiveItemAttachment,
    Authorization,
    AuthorizationStatus,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    Publicity,
    ReviewRecord,
    ReviewStatus,
    Role,
    Subject,
    TitleQualification,
    TitleSeries,
    Unit,
    utcnow,
)

from . import notifications, workdays
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
        actor_name=actor.acting_name if actor is not None else "",
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


# --- the applicant's basic information and archive (业绩档案) -----------------------------------

EDITABLE_ITEM_STATES = (ReviewStatus.DRAFT, ReviewStatus.PENDING, ReviewStatus.RETURNED,
                        ReviewStatus.APPROVED)


def _own_applicant(actor) -> Applicant:
    _require_role(actor, Role.APPLICANT)
    return db.session.get(Applicant, actor.applicant_id)


def _reviewing_unit(applicant: Applicant) -> Unit:
    unit = applicant.unit
    if unit is None:
        raise WorkflowError("请先在「基本信息」中选择工作单位，再提交单位审核。")
    if not unit.is_authorized or not unit.active:
        raise WorkflowError(f"「{unit.name}」尚未通过平台授权，暂不能接收审核，请联系单位经办人。")
    return unit


def choose_unit(actor, unit: Unit) -> Applicant:
    """The applicant picks (or changes) the employing unit among authorized ones.

    What the old unit approved stays approved and stays with it; new submissions, and the
    basic information if it was already submitted, go to the new unit.
    """
    applicant = _own_applicant(actor)
    if unit is None or Unit.get_for(actor, unit.id) is None:
        raise WorkflowError("请选择已通过平台授权的工作单位。")
    if applicant.unit_id == unit.id:
        return applicant
    before = applicant.profile_status
    applicant.unit = unit
    if before != ReviewStatus.DRAFT:
        applicant.profile_status = ReviewStatus.PENDING
        applicant.profile_submitted_at = utcnow()
        record_history(Subject.PROFILE, applicant, "change_unit", before, ReviewStatus.PENDING,
                       actor, unit_id=unit.id, applicant_id=applicant.id)
    return applicant


def save_profile(actor, **fields) -> Applicant:
    """Edit the basic information; a reviewed one goes back to the unit (待审核)."""
    applicant = _own_applicant(actor)
    if applicant.profile_status == ReviewStatus.REJECTED:
        raise WorkflowError("基本信息审核未通过，不能再修改，请联系单位经办人。")
    for name in ("highest_education", "current_title", "current_title_date", "mobile"):
        if name in fields:
            setattr(applicant, name, fields[name])
    before = applicant.profile_status
    if before in (ReviewStatus.APPROVED, ReviewStatus.RETURNED):
        unit = _reviewing_unit(applicant)
        applicant.profile_status = ReviewStatus.PENDING
        applicant.profile_submitted_at = utcnow()
        record_history(Subject.PROFILE, applicant, "resubmit", before, ReviewStatus.PENDING,
                       actor, unit_id=unit.id, applicant_id=applicant.id)
    return applicant


def submit_profile(actor) -> Applicant:
    applicant = _locked(_own_applicant(actor))
    if applicant.profile_status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise AlreadyHandled(f"基本信息当前为「{applicant.profile_status.label}」，无需重复提交。")
    unit = _reviewing_unit(applicant)
    before = applicant.profile_status
    applicant.profile_status = ReviewStatus.PENDING
    applicant.profile_submitted_at = utcnow()
    record_history(Subject.PROFILE, applicant, "submit", before, ReviewStatus.PENDING, actor,
                   unit_id=unit.id, applicant_id=applicant.id)
    return applicant


def save_and_submit_profile(actor, **fields) -> Applicant:
    """What was typed is saved, then sent to the unit, in one transaction."""
    applicant = save_profile(actor, **fields)
    if applicant.profile_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        applicant = submit_profile(actor)
    return applicant


def _own_item(actor, item: ArchiveItem) -> ArchiveItem:
    _require_role(actor, Role.APPLICANT)
    if item is None or item.applicant_id != actor.applicant_id:
        raise WorkflowError("业绩档案不存在或不属于您。")
    return item


def create_item(actor, category: ArchiveCategory, **fields) -> ArchiveItem:
    applicant = _own_applicant(actor)
    item = ArchiveItem(applicant_id=applicant.id, category=category,
                       status=ReviewStatus.DRAFT, **fields)
    db.session.add(item)
    db.session.flush()
    return item


def save_item(actor, item: ArchiveItem, **fields) -> ArchiveItem:
    """Edit an item. A returned or approved item goes back to the unit (待审核).

    What an application already extracted is a snapshot and does not change.
    """
    item = _locked(_own_item(actor, item))
    if item.status not in EDITABLE_ITEM_STATES:
        raise WorkflowError(f"该业绩档案为「{item.status.label}」，不能修改。")
    for name, value in fields.items():
        setattr(item, name, value)
    if item.status in (ReviewStatus.RETURNED, ReviewStatus.APPROVED):
        _send_item(actor, item, "resubmit")
    return item


def submit_item(actor, item: ArchiveItem) -> ArchiveItem:
    item = _locked(_own_item(actor, item))
    if item.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise AlreadyHandled(f"「{item.title}」当前为「{item.status.label}」，无需重复提交。")
    _send_item(actor, item, "submit")
    return item


def _send_item(actor, item: ArchiveItem, action: str) -> None:
    unit = _reviewing_unit(item.applicant)
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
        raise WorkflowError("已提交过单位审核的业绩档案不能删除。")
    for attachment in item.attachments:
        db.session.delete(attachment)
    db.session.delete(item)


def attach_file(actor, item: ArchiveItem, stored_file) -> ArchiveItemAttachment:
    item = _own_item(actor, item)
    if item.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.APPROVED,
                           ReviewStatus.PENDING):
        raise WorkflowError(f"该业绩档案为「{item.status.label}」，不能添加附件。")
    attachment = ArchiveItemAttachment(archive_item_id=item.id, file=stored_file)
    db.session.add(attachment)
    if item.status in (ReviewStatus.RETURNED, ReviewStatus.APPROVED):
        _send_item(actor, item, "resubmit")
    return attachment


# --- title applications (职称申报) -------------------------------------------------------------

CLOSED_APPLICATION_STATES = (ApplicationStatus.REJECTED, ApplicationStatus.NOT_RECOMMENDED)
APPLICANT_EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)


def open_application(applicant_id: int, year: int) -> Application | None:
    """The applicant's application of ``year`` still in progress (at most one per year)."""
    return db.session.scalars(sa.select(Application).where(
        Application.applicant_id == applicant_id, Application.year == year,
        Application.status.not_in(CLOSED_APPLICATION_STATES)).limit(1)).first()


def _own_application(actor, application: Application) -> Application:
    _require_role(actor, Role.APPLICANT)
    if application is None or application.applicant_id != actor.applicant_id:
        raise WorkflowError("申报不存在或不属于您。")
    return application


def _check_title(qualification: TitleQualification, series: TitleSeries, level) -> None:
    if qualification is None or series is None:
        raise WorkflowError("请选择申报系列和资格名称。")
    if qualification.series_id != series.id or qualification.level != level:
        raise WorkflowError(
            f"资格名称「{qualification.name}」不属于{series.name}系列的{level.label}，请重新选择。")


def create_application(actor, *, series, specialty, level, qualification, review_method,
                       year=None) -> Application:
    applicant = _own_applicant(actor)
    unit = _reviewing_unit(applicant)
    _check_title(qualification, series, level)
    year = year or workdays.today().year
    if open_application(applicant.id, year) is not None:
        raise WorkflowError(f"您在{year}年度已有一份职称申报，每年度只能有一份在办申报。")
    application = Application(
        applicant_id=applicant.id, unit_id=unit.id, year=year, series_id=series.id,
        specialty=specialty, level=level, qualification_id=qualification.id,
        review_method=review_method, current_title=applicant.current_title,
        status=ApplicationStatus.DRAFT)
    db.session.add(application)
    db.session.flush()
    record_history(Subject.APPLICATION, application, "create", None, ApplicationStatus.DRAFT,
                   actor, unit_id=unit.id, applicant_id=applicant.id)
    return application


def update_application(actor, application: Application, *, series, specialty, level,
                       qualification, review_method) -> Application:
    application = _locked(_own_application(actor, application))
    if application.status not in APPLICANT_EDITABLE:
        raise WorkflowError(f"申报当前为「{application.status.label}」，不能修改。")
    _check_title(qualification, series, level)
    application.series_id = series.id
    application.specialty = specialty
    application.level = level
    application.qualification_id = qualification.id
    application.review_method = review_method
    return application


def extract_items(actor, application: Application, item_ids) -> Application:
    """Replace the application's extracted items by snapshots of these approved items."""
    application = _locked(_own_application(actor, application))
    if application.status not in APPLICANT_EDITABLE:
        raise WorkflowError(f"申报当前为「{application.status.label}」，不能修改提取的业绩。")
    items = []
    for item_id in dict.fromkeys(item_ids):
        item = ArchiveItem.get_for(actor, item_id)
        if item is None:
            raise WorkflowError("业绩档案不存在或不属于您。")
        if item.status != ReviewStatus.APPROVED:
            raise WorkflowError(f"「{item.title}」尚未通过单位审核（{item.status.label}），不能提取。")
        items.append(item)
    for old in list(application.items):
        db.session.delete(old)
    db.session.flush()
    for item in items:
        db.session.add(ApplicationItem(
            application_id=application.id, archive_item_id=item.id, category=item.category,
            title=item.title, organisation=item.organisation, start_date=item.start_date,
            end_date=item.end_date, details=dict(item.details or {}),
            file_ids=[attachment.file_id for attachment in item.attachments]))
    db.session.flush()
    db.session.expire(application, ["items"])
    return application


def missing_mandatory_categories(application: Application) -> list[ArchiveCategory]:
    present = {item.category for item in application.items}
    return [category for category in MANDATORY_CATEGORIES if category not in present]


def submit_application(actor, application: Application) -> Application:
    application = _locked(_own_application(actor, application))
    if application.status not in APPLICANT_EDITABLE:
        raise AlreadyHandled(f"申报当前为「{application.status.label}」，无需重复提交。")
    applicant = application.applicant
    unit = _reviewing_unit(applicant)
    if applicant.profile_status != ReviewStatus.APPROVED:
        raise WorkflowError("基本信息尚未通过单位审核，请先提交基本信息并等待单位审核通过。")
    missing = missing_mandatory_categories(application)
    if missing:
        names = "、".join(category.label for category in missing)
        raise WorkflowError(f"缺少必备业绩：{names}。每类至少提取一项审核通过的业绩档案。")
    before = application.status
    application.status = ApplicationStatus.PENDING
    application.unit_id = unit.id
    application.round += 1
    application.submitted_at = utcnow()
    application.current_title = applicant.current_title
    application.profile_snapshot = profile_snapshot(applicant)
    for item in application.items:
        item.remark = ""
    record_history(Subject.APPLICATION, application,
                   "resubmit" if before == ApplicationStatus.RETURNED else "submit", before,
                   ApplicationStatus.PENDING, actor, unit_id=unit.id, applicant_id=applicant.id,
                   round_no=application.round)
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


# --- the unit's review (业绩档案审核 / 申报资料审核) ---------------------------------------------------

DECISIONS = {
    "approve": (ReviewStatus.APPROVED, "审核通过"),
    "return": (ReviewStatus.RETURNED, "退回修改"),
    "reject": (ReviewStatus.REJECTED, "审核不通过"),
}


def _reviewer(actor) -> Unit:
    """The signed-in officer's unit, which must be authorized to review anything."""
    _require_role(actor, Role.EMPLOYER)
    unit = db.session.get(Unit, actor.unit_id)
    if unit is None or not unit.is_authorized:
        raise WorkflowError("单位授权审核通过后才能办理审核。")
    return unit


def _decision(decision: str, reason: str, *, opinion_required: bool = False):
    if decision not in DECISIONS:
        raise WorkflowError("请选择审核结果：通过、退回修改或不通过。")
    reason = (reason or "").strip()
    if decision == "return" and not reason:
        raise WorkflowError("退回修改时必须填写退回原因。")
    if decision == "reject" and not reason:
        raise WorkflowError("不通过时必须填写原因。")
    if decision == "approve" and opinion_required and not reason:
        raise WorkflowError("通过时必须填写审核意见。")
    return DECISIONS[decision][0], reason


def review_item(actor, item: ArchiveItem, decision: str, reason: str = "") -> ArchiveItem:
    """The unit decides on one archive item: 通过, 退回修改 (reason) or 不通过 (reason)."""
    unit = _reviewer(actor)
    if item is None or ArchiveItem.get_for(actor, item.id) is None:
        raise WorkflowError("业绩档案不存在或不属于本单位。")
    item = _locked(item)
    if item.status != ReviewStatus.PENDING:
        raise AlreadyHandled(f"「{item.title}」已被处理（{item.status.label}），未重复操作。")
    after, reason = _decision(decision, reason)
    item.status = after
    item.remark = reason
    item.reviewed_at = utcnow()
    item.reviewed_by_id = actor.id
    record_history(Subject.ARCHIVE_ITEM, item, decision, ReviewStatus.PENDING, after, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=item.applicant_id)
    if decision != "approve":
        applicant = item.applicant
        notifications.queue_sms(
            applicant.mobile, f"archive_item_{decision}",
            f"【浙江职称】{applicant.name}：您提交的业绩档案「{item.category.label}：{item.title}」"
            f"被{unit.name}{DECISIONS[decision][1]}，请登录平台查看原因。")
    return item


def review_profile(actor, applicant: Applicant, decision: str, reason: str = "") -> Applicant:
    """The unit decides on an applicant's basic information."""
    unit = _reviewer(actor)
    if applicant is None or Applicant.get_for(actor, applicant.id) is None:
        raise WorkflowError("人员不存在或不属于本单位。")
    applicant = _locked(applicant)
    if applicant.profile_status != ReviewStatus.PENDING:
        raise AlreadyHandled(
            f"{applicant.name}的基本信息已被处理（{applicant.profile_status.label}），未重复操作。")
    after, reason = _decision(decision, reason)
    applicant.profile_status = after
    applicant.profile_remark = reason
    applicant.profile_reviewed_at = utcnow()
    record_history(Subject.PROFILE, applicant, decision, ReviewStatus.PENDING, after, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=applicant.id)
    if decision != "approve":
        notifications.queue_sms(
            applicant.mobile, f"profile_{decision}",
            f"【浙江职称】{applicant.name}：您的基本信息被{unit.name}{DECISIONS[decision][1]}，"
            "请登录平台查看原因。")
    return applicant


APPLICATION_DECISIONS = {
    "approve": ApplicationStatus.APPROVED,
    "return": ApplicationStatus.RETURNED,
    "reject": ApplicationStatus.REJECTED,
}


def review_application(actor, application: Application, decision: str, opinion: str = "",
                       remarks: dict | None = None) -> Application:
    """The unit decides on an application: 通过 (opinion), 退回修改 (reason and item remarks
    sent together, so the applicant sees everything to fix at once) or 不通过 (reason)."""
    unit = _reviewer(actor)
    if application is None or Application.get_for(actor, application.id) is None:
        raise WorkflowError("申报不存在或不属于本单位。")
    application = _locked(application)
    if application.status != ApplicationStatus.PENDING:
        raise AlreadyHandled(
            f"{application.applicant.name}的申报已被处理（{application.status.label}），未重复操作。")
    _decision(decision, opinion, opinion_required=True)
    opinion = opinion.strip()
    remarks = {int(key): (value or "").strip() for key, value in (remarks or {}).items()}
    sent_remarks = []
    for item in application.items:
        item.remark = remarks.get(item.id, "")
        if item.remark:
            sent_remarks.append({"item_id": item.id, "title": f"{item.category.label}：{item.title}",
                                 "remark": item.remark})
    after = APPLICATION_DECISIONS[decision]
    application.status = after
    application.opinion = opinion
    application.decided_at = utcnow()
    record_history(Subject.APPLICATION, application, decision, ApplicationStatus.PENDING, after,
                   actor, opinion=opinion, remarks=sent_remarks, unit_id=unit.id,
                   applicant_id=application.applicant_id, round_no=application.round)
    applicant = application.applicant
    title = application.qualification.name
    texts = {
        "approve": f"您申报的{title}已通过{unit.name}审核，下一步将进行信息公示。",
        "return": f"您申报的{title}被{unit.name}退回修改，请登录平台查看退回原因和需修改的内容。",
        "reject": f"您申报的{title}未通过{unit.name}审核，请登录平台查看原因。",
    }
    notifications.queue_sms(applicant.mobile, f"application_{decision}",
                            f"【浙江职称】{applicant.name}：{texts[decision]}")
    return application


def opinion_templates(actor, kind) -> list:
    """Ready sentences for an opinion: the platform's and the unit's own."""
    from models import OpinionTemplate

    return db.session.scalars(OpinionTemplate.select_for(actor).where(
        OpinionTemplate.kind == kind).order_by(OpinionTemplate.unit_id.is_(None).desc(),
                                               OpinionTemplate.sort_order,
                                               OpinionTemplate.id)).all()


def fill_template(text: str, application: Application) -> str:
    """Fill {姓名}, {资格名称}, {申报系列}, {单位名称} and the publicity's dates."""
    values = {
        "姓名": application.applicant.name, "资格名称": application.qualification.name,
        "申报系列": application.series.name, "单位名称": application.unit.name,
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
        text = text.replace("{" + key + "}", value)
    return text


# --- publicity (信息公示) -----------------------------------------------------------------------

# How far ahead a unit may set a period's end: a typo in the year should not hide an application.
MAX_PUBLICITY_SPAN = timedelta(days=90)


def _unit_application(actor, application: Application) -> Application:
    if application is None or Application.get_for(actor, application.id) is None:
        raise WorkflowError("申报不存在或不属于本单位。")
    return _locked(application)


def publicity_period(start: date, end: date | None = None) -> dict:
    """What the publicity form shows for a start date: the earliest end and any warning."""
    count_start_day = workdays.count_start_day_setting()
    earliest = workdays.earliest_end_date(start, count_start_day)
    end = end or earliest
    warnings = [f"{year}年的法定节假日安排尚未录入，公示期按周一至周五计算工作日，请核对。"
                for year in workdays.unofficial_years(start, max(end, earliest))]
    return {"start": start, "earliest_end": earliest, "end": end,
            "count_start_day": count_start_day, "warnings": warnings}


def start_publicity(actor, applications, start_date: date, end_date: date | None = None,
                    objection_contact: str = "") -> Publicity:
    """The unit puts approved applications into a publicity batch (公示中).

    The period must hold five working days: an end date before the earliest one is refused, a
    later one is allowed.
    """
    unit = _reviewer(actor)
    applications = list(applications)
    if not applications:
        raise WorkflowError("请先勾选要公示的申报（审核通过的申报）。")
    if start_date is None:
        raise WorkflowError("请填写公示开始日期。")
    if start_date < workdays.today():
        raise WorkflowError("公示开始日期不能早于今天。")
    period = publicity_period(start_date, end_date)
    earliest = period["earliest_end"]
    end_date = end_date or earliest
    if end_date < earliest:
        raise WorkflowError(
            f"公示结束日期不能早于{workdays.month_day(earliest)}（{earliest.isoformat()}）："
            f"公示期须满{workdays.PUBLICITY_WORKING_DAYS}个工作日。")
    if end_date - start_date > MAX_PUBLICITY_SPAN:
        raise WorkflowError("公示期过长，请检查公示结束日期。")
    locked = [_unit_application(actor, application) for application in applications]
    for application in locked:
        if application.status != ApplicationStatus.APPROVED:
            raise WorkflowError(
                f"{application.applicant.name}的申报当前为「{application.status.label}」，"
                "只有审核通过的申报可以公示，本批未公示。")
    years = sorted({application.year for application in locked})
    publicity = Publicity(
        unit_id=unit.id, start_date=start_date, end_date=end_date, earliest_end_date=earliest,
        count_start_day=period["count_start_day"], objection_contact=(objection_contact or "").strip(),
        title=f"{unit.name}{'、'.join(map(str, years))}年度职称申报人员公示", created_by_id=actor.id)
    db.session.add(publicity)
    db.session.flush()
    period_text = f"{workdays.month_day(start_date)}至{workdays.month_day(end_date)}"
    for application in locked:
        application.status = ApplicationStatus.PUBLICIZING
        application.publicity_id = publicity.id
        record_history(Subject.APPLICATION, application, "publicize", ApplicationStatus.APPROVED,
                       ApplicationStatus.PUBLICIZING, actor, opinion=f"公示期：{period_text}",
                       unit_id=unit.id, applicant_id=application.applicant_id,
                       round_no=application.round)
        notifications.queue_sms(
            application.applicant.mobile, "publicity_started",
            f"【浙江职称】{application.applicant.name}：您申报的{application.qualification.name}"
            f"已在{unit.name}进行信息公示，公示期{period_text}。")
    return publicity


def close_ended_publicities(on: date | None = None) -> int:
    """Applications whose publicity has ended become 公示期满 (once, whoever gets there first).

    Runs on every request, so it starts from the ended batches not yet closed (an index holds
    them); a batch is closed once its applications have been moved. Returns how many batches
    it closed: the caller commits when that is not 0.
    """
    on = on or workdays.today()
    batches = db.session.execute(
        sa.select(Publicity.id, Publicity.end_date)
        .where(Publicity.closed_at.is_(None), Publicity.end_date < on)).all()
    if not batches:
        return 0
    for publicity_id, end_date in batches:
        due = db.session.execute(
            sa.select(Application.id, Application.unit_id, Application.applicant_id,
                      Application.round)
            .where(Application.publicity_id == publicity_id,
                   Application.status == ApplicationStatus.PUBLICIZING)).all()
        for application_id, unit_id, applicant_id, round_no in due:
            # A conditional update: of two requests closing the same row, exactly one changes it.
            result = db.session.execute(
                sa.update(Application)
                .where(Application.id == application_id,
                       Application.status == ApplicationStatus.PUBLICIZING)
                .values(status=ApplicationStatus.PUBLICIZED, version=Application.version + 1)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                continue
            db.session.add(ReviewRecord(
                subject=Subject.APPLICATION, subject_id=application_id, action="publicity_end",
                from_status=ApplicationStatus.PUBLICIZING.value,
                to_status=ApplicationStatus.PUBLICIZED.value,
                opinion=f"公示期于{workdays.month_day(end_date)}届满", remarks=[],
                round=round_no, actor_name="系统", unit_id=unit_id, applicant_id=applicant_id))
        db.session.execute(
            sa.update(Publicity).where(Publicity.id == publicity_id,
                                       Publicity.closed_at.is_(None))
            .values(closed_at=utcnow()).execution_options(synchronize_session=False))
    db.session.expire_all()
    return len(batches)


# --- objections (异议) ------------------------------------------------------------------------

OBJECTION_RESOLUTIONS = {
    "dismiss": (ObjectionStatus.DISMISSED, None),
    "not_recommend": (ObjectionStatus.UPHELD, ObjectionOutcome.NOT_RECOMMENDED),
    "return": (ObjectionStatus.UPHELD, ObjectionOutcome.RETURNED),
}


def record_objection(actor, application: Application, content: str, received_on: date,
                     raised_by: str = "") -> Objection:
    """The unit records an objection received during the application's publicity."""
    unit = _reviewer(actor)
    application = _unit_application(actor, application)
    publicity = application.publicity
    if application.status not in (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED) \
            or publicity is None:
        raise WorkflowError(
            f"{application.applicant.name}的申报当前为「{application.status.label}」，"
            "只能对公示中的申报登记异议。")
    content = (content or "").strip()
    if not content:
        raise WorkflowError("请填写异议内容。")
    if received_on is None:
        raise WorkflowError("请填写收到异议的日期。")
    if received_on < publicity.start_date or received_on > min(publicity.end_date,
                                                                 workdays.today()):
        raise WorkflowError(
            f"收到异议的日期应在公示期内（{workdays.month_day(publicity.start_date)}至"
            f"{workdays.month_day(publicity.end_date)}），且不晚于今天。")
    objection = Objection(application_id=application.id, publicity_id=publicity.id,
                          unit_id=unit.id, content=content, received_on=received_on,
                          raised_by=(raised_by or "").strip()[:100], status=ObjectionStatus.OPEN)
    db.session.add(objection)
    db.session.flush()
    # The unit's record alone: who objected is not shown to the applicant.
    record_history(Subject.OBJECTION, objection, "record", None, ObjectionStatus.OPEN, actor,
                   opinion=content, unit_id=unit.id)
    return objection


def resolve_objection(actor, objection: Objection, resolution: str, reason: str) -> Objection:
    """属实 (不予推荐, or 退回修改 to the applicant) or 不属实 (the objection is cleared)."""
    unit = _reviewer(actor)
    if objection is None or Objection.get_for(actor, objection.id) is None:
        raise WorkflowError("异议不存在或不属于本单位。")
    objection = _locked(objection)
    if objection.status != ObjectionStatus.OPEN:
        raise AlreadyHandled(f"该异议已处理（{objection.status.label}），未重复操作。")
    if resolution not in OBJECTION_RESOLUTIONS:
        raise WorkflowError("请选择处理结果：不属实、属实（不予推荐）或属实（退回修改）。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写核查情况（处理意见）。")
    status, outcome = OBJECTION_RESOLUTIONS[resolution]
    objection.status = status
    objection.outcome = outcome
    objection.resolution = reason
    objection.resolved_at = utcnow()
    objection.resolved_by_id = actor.id
    record_history(Subject.OBJECTION, objection, resolution, ObjectionStatus.OPEN, status, actor,
                   opinion=reason, unit_id=unit.id)
    if outcome is None:
        return objection
    application = _locked(objection.application)
    if application.status not in (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED):
        raise AlreadyHandled(
            f"{application.applicant.name}的申报已为「{application.status.label}」，未重复操作。")
    before = application.status
    after = (ApplicationStatus.NOT_RECOMMENDED if outcome == ObjectionOutcome.NOT_RECOMMENDED
             else ApplicationStatus.RETURNED)
    application.status = after
    application.opinion = reason
    application.decided_at = utcnow()
    action = "objection_upheld" if after == ApplicationStatus.NOT_RECOMMENDED else "objection_return"
    record_history(Subject.APPLICATION, application, action, before, after, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=application.applicant_id,
                   round_no=application.round)
    applicant = application.applicant
    title = application.qualification.name
    text = (f"您申报的{title}经公示核查，{unit.name}决定不予推荐，原因：{reason}。"
            if after == ApplicationStatus.NOT_RECOMMENDED else
            f"您申报的{title}经公示核查被{unit.name}退回修改，请登录平台查看原因，修改后重新提交。")
    notifications.queue_sms(applicant.mobile, action, f"【浙江职称】{applicant.name}：{text}")
    return objection


# --- recommendation (资格审查推荐) and the acceptance point (受理点) ------------------------------

RECOMMENDABLE = (ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED,
                 ApplicationStatus.ACCEPTANCE_RETURNED)


def recommendable_from(application: Application) -> date | None:
    """The first day the application may be recommended: the day after its publicity ends."""
    if application.publicity is None:
        return None
    return application.publicity.end_date + timedelta(days=1)


def recommendation_blocker(application: Application, on: date | None = None) -> str | None:
    """Why the unit cannot recommend ``application`` now, in Chinese; ``None`` when it can."""
    on = on or workdays.today()
    name = application.applicant.name
    if application.status not in RECOMMENDABLE or application.publicity is None:
        return (f"{name}的申报当前为「{application.status.label}」，"
                "只有公示期满且无异议的申报可以推荐。")
    ready = recommendable_from(application)
    if on < ready:
        return (f"{name}的申报公示期至{workdays.month_day(application.publicity.end_date)}结束，"
                f"{ready.year}年{workdays.month_day(ready)}起方可推荐。")
    for objection in application.objections:
        if objection.publicity_id != application.publicity_id:
            continue
        if objection.status == ObjectionStatus.OPEN:
            return f"{name}的申报有未处理的异议，请先核查处理后再推荐。"
        if objection.status == ObjectionStatus.UPHELD:
            return f"{name}的申报有经核查属实的异议，不能推荐。"
    return None


def recommend_application(actor, application: Application, acceptance_point: AcceptancePoint,
                          opinion: str) -> Application:
    """The unit recommends a publicized application to an acceptance point (已推荐)."""
    unit = _reviewer(actor)
    close_ended_publicities()
    application = _unit_application(actor, application)
    blocker = recommendation_blocker(application)
    if blocker:
        raise WorkflowError(blocker)
    if acceptance_point is None or AcceptancePoint.get_for(actor, acceptance_point.id) is None:
        raise WorkflowError("请选择受理点。")
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError("请填写推荐意见。")
    before = application.status
    application.status = ApplicationStatus.RECOMMENDED
    application.acceptance_point_id = acceptance_point.id
    application.recommendation_opinion = opinion
    application.recommended_at = utcnow()
    application.acceptance_opinion = ""
    application.acceptance_decided_at = None
    record_history(Subject.APPLICATION, application, "recommend", before,
                   ApplicationStatus.RECOMMENDED, actor, opinion=opinion, unit_id=unit.id,
                   applicant_id=application.applicant_id, acceptance_point_id=acceptance_point.id,
                   round_no=application.round)
    applicant = application.applicant
    notifications.queue_sms(
        applicant.mobile, "recommended",
        f"【浙江职称】{applicant.name}：您申报的{application.qualification.name}已由{unit.name}"
        f"推荐至{acceptance_point.name}，请留意受理结果。")
    return application


def _inbox_application(actor, application: Application) -> Application:
    _require_role(actor, Role.ACCEPTANCE)
    if application is None or Application.get_for(actor, application.id) is None:
        raise WorkflowError("申报不存在或未推荐至本受理点。")
    application = _locked(application)
    if application.status != ApplicationStatus.RECOMMENDED:
        raise AlreadyHandled(
            f"{application.applicant.name}的申报已被处理（{application.status.label}），未重复操作。")
    return application


def _decide_acceptance(actor, application: Application, accept: bool, opinion: str):
    application = _inbox_application(actor, application)
    opinion = (opinion or "").strip()
    if not accept and not opinion:
        raise WorkflowError("退回时必须填写退回原因。")
    after = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.ACCEPTANCE_RETURNED
    application.status = after
    application.acceptance_opinion = opinion
    application.acceptance_decided_at = utcnow()
    record_history(Subject.APPLICATION, application, "accept" if accept else "acceptance_return",
                   ApplicationStatus.RECOMMENDED, after, actor, opinion=opinion,
                   unit_id=application.unit_id, applicant_id=application.applicant_id,
                   acceptance_point_id=application.acceptance_point_id,
                   round_no=application.round)
    point = application.acceptance_point.name
    applicant = application.applicant
    unit = application.unit
    title = application.qualification.name
    if accept:
        unit_text = f"贵单位推荐的{applicant.name}（{title}）已由{point}受理。"
        applicant_text = f"您申报的{title}已由{point}受理。"
    else:
        unit_text = (f"贵单位推荐的{applicant.name}（{title}）被{point}退回，原因：{opinion}。"
                     "请登录平台处理后重新推荐。")
        applicant_text = f"您申报的{title}被{point}退回单位，单位将处理后重新推荐。"
    template = "accepted" if accept else "acceptance_returned"
    notifications.queue_sms(unit.contact_mobile, template, f"【浙江职称】{unit.name}：{unit_text}")
    notifications.queue_sms(applicant.mobile, template,
                            f"【浙江职称】{applicant.name}：{applicant_text}")
    return application


def accept_application(actor, application: Application, opinion: str = "") -> Application:
    return _decide_acceptance(actor, application, True, opinion)


def return_to_unit(actor, application: Application, reason: str) -> Application:
    return _decide_acceptance(actor, application, False, reason)


def return_to_applicant(actor, application: Application, reason: str) -> Application:
    """After the acceptance point sent it back, the unit may hand it to the applicant to fix."""
    unit = _reviewer(actor)
    application = _unit_application(actor, application)
    if application.status != ApplicationStatus.ACCEPTANCE_RETURNED:
        raise AlreadyHandled(
            f"{application.applicant.name}的申报当前为「{application.status.label}」，"
            "只有受理点退回的申报可以退回申报人修改。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("退回修改时必须填写退回原因。")
    application.status = ApplicationStatus.RETURNED
    application.opinion = reason
    application.decided_at = utcnow()
    record_history(Subject.APPLICATION, application, "return",
                   ApplicationStatus.ACCEPTANCE_RETURNED, ApplicationStatus.RETURNED, actor,
                   opinion=reason, unit_id=unit.id, applicant_id=application.applicant_id,
                   round_no=application.round)
    applicant = application.applicant
    notifications.queue_sms(
        applicant.mobile, "application_return",
        f"【浙江职称】{applicant.name}：您申报的{application.qualification.name}被{unit.name}"
        "退回修改，请登录平台查看退回原因和需修改的内容。")
    return application
