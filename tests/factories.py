"""Make any record in one line: a unit, its officer, an applicant, an application in any state.

A state is reached by running the workflow's steps as the account that would take them (the
applicant, the unit, the platform admin, the acceptance point; each made on the fly when the test
has not made it), so that a rule change shows up in every test that depends on it. What is not a
step (a unit or an applicant on the register, accounts, acceptance points, the catalogue) is
written directly. States after a publicity has ended are reached in the past: the clock is moved
back to run the steps on plausible days, and is where it was when the factory returns.
"""
import functools
import itertools
from contextlib import contextmanager
from datetime import datetime, timedelta

from stdnum.cn import ric, uscc

from models import (
    MANDATORY_CATEGORIES,
    AcceptancePoint,
    Account,
    AdminKind,
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    Authorization,
    AuthorizationStatus,
    OfficerDuty,
    OrganisationKind,
    ReviewMethod,
    ReviewPlan,
    ReviewStatus,
    Role,
    TitleLevel,
    TitleQualification,
    TitleSeries,
    Unit,
)
from zcps import clock, workdays, workflow
from zcps.extensions import db
from zcps.identifiers import id_birth_date, id_sex
from zcps.storage import store_bytes

PASSWORD = "Secret-2026"
_sequence = itertools.count(1)

# The unit's handling officer (经办人) named in a 委托证明; nobody's applicant number.
OFFICER_ID_NUMBER = "330106198506150011"
# Where a publicity's objections are received (required of every batch).
OBJECTION = {"objection_phone": "0571-88000000", "objection_address": "杭州市西湖区文三路1号 人事处"}
# What the deciding account writes when the test does not say.
REASONS = {
    "return": "请补充证明材料。",
    "reject": "不符合申报条件。",
    "approve": "经审核，申报材料完整无误，同意推荐。",
    "authorization_reject": "委托证明未加盖单位公章。",
    "recommend": "该同志申报材料已公示5个工作日，无异议，同意推荐。",
    "acceptance_return": "缺少单位推荐意见盖章页。",
    "level_return": "推荐意见未加盖单位公章；缺少近三年年度考核表。",
    "objection": "反映其业绩材料与实际不符。",
    "objection_upheld": "经核查，异议属实，不予推荐。",
}


@contextmanager
def _on(moment):
    """Run steps at ``moment``; what they wrote is flushed there, so its timestamps say so."""
    with clock.travel(moment):
        yield
        db.session.flush()


def next_number() -> int:
    return next(_sequence)


def make_uscc(n: int) -> str:
    body = f"91330106MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_id_number(n: int, birth: str = "19900307") -> str:
    body = f"330106{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function reads the first 17 of 18


# --- accounts: made when first needed, the same one afterwards -------------------------------

def account(role: Role, username: str, password: str = PASSWORD, **owner) -> Account:
    record = Account(role=role, username=username, display_name=owner.pop("display_name", username),
                     **owner)
    record.set_password(password)
    db.session.add(record)
    db.session.flush()
    return record


def _existing(role: Role, **owner) -> Account | None:
    return db.session.scalars(db.select(Account).filter_by(role=role, **owner)
                              .order_by(Account.id).limit(1)).first()


def admin(username: str = "root", kind: AdminKind = AdminKind.SYSTEM) -> Account:
    """A platform admin holding ``kind`` of the three duties (系统管理员 unless told)."""
    return _existing(Role.PLATFORM_ADMIN, username=username) or account(
        Role.PLATFORM_ADMIN, username, admin_kind=kind)


def security_admin(username: str = "guard") -> Account:
    """The 安全管理员: unlocks, resets, stops and restarts accounts."""
    return admin(username, AdminKind.SECURITY)


def audit_admin(username: str = "auditor") -> Account:
    """The 审计管理员: reads and exports the audit log, nothing else."""
    return admin(username, AdminKind.AUDIT)


def deciding_admin() -> Account:
    """Whoever of the 系统管理员 the test has made, else a new one."""
    return _existing(Role.PLATFORM_ADMIN, admin_kind=AdminKind.SYSTEM) or admin()


# These two look through the owner's relationship (read once per transaction) rather than a
# query each time: the factories ask for them at every step.

def employer(unit_record: Unit) -> Account:
    """The unit's own account (signs in with its 统一社会信用代码)."""
    return next((record for record in unit_record.accounts
                 if record.role == Role.EMPLOYER and not record.is_officer),
                None) or account(Role.EMPLOYER, unit_record.uscc, unit=unit_record,
                                 display_name=unit_record.name)


def officer(unit_record: Unit, *duties: OfficerDuty, name: str = "王丽",
            id_number: str | None = None, mobile: str | None = None, **fields) -> Account:
    """An officer (经办人) of the unit holding ``duties`` (signs in under 经办人登录)."""
    n = next_number()
    return account(Role.EMPLOYER, id_number or make_id_number(n), unit=unit_record,
                   display_name=name, officer_duties=[duty.value for duty in duties],
                   officer_mobile=mobile or f"139{n:08d}", **fields)


def applicant_account(person: Applicant) -> Account:
    """The applicant's account (signs in with the 身份证号)."""
    return person.account or account(Role.APPLICANT, person.id_number, applicant=person,
                                     display_name=person.name)


def acceptance_account(point: AcceptancePoint, username: str | None = None) -> Account:
    owner = {"username": username} if username else {"acceptance_point_id": point.id}
    return _existing(Role.ACCEPTANCE, **owner) or account(
        Role.ACCEPTANCE, username or f"accept{point.id}", acceptance_point_id=point.id)


# --- the register: units, applicants, acceptance points ----------------------------------------

def unit(name: str | None = None, authorized: bool = True, **fields) -> Unit:
    """A registered unit; ``authorized``: its 委托证明 submitted and approved by the admin."""
    n = next_number()
    fields = {"address": "杭州市", "legal_representative": "法人", "contact_name": "联系人",
              "contact_mobile": "13800000000", **fields}
    record = Unit(
        name=name or f"测试单位{n}", uscc=fields.pop("uscc", make_uscc(n)),
        authorization_status=AuthorizationStatus.NONE, **fields,
    )
    db.session.add(record)
    db.session.flush()
    if authorized:
        authorization(record, AuthorizationStatus.APPROVED)
    return record


def applicant(unit_record: Unit | None, name: str | None = None, with_account: bool = False,
              profile_status: ReviewStatus = ReviewStatus.DRAFT, **fields) -> Applicant:
    """A registered applicant employed by ``unit_record``; a ``profile_status`` other than draft
    is reached by submitting the basic information (and the unit deciding on it)."""
    n = next_number()
    number = fields.pop("id_number", make_id_number(n))
    record = Applicant(
        name=name or f"申报人{n}", id_number=number, sex=id_sex(number),
        birth_date=id_birth_date(number), mobile=f"139{n:08d}"[:11], unit=unit_record,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    if with_account:
        applicant_account(record)
    if profile_status != ReviewStatus.DRAFT:
        workflow.submit_profile(applicant_account(record))
        decide_profile(record, profile_status)
    return record


_DECISION_OF = {ReviewStatus.APPROVED: "approve", ReviewStatus.RETURNED: "return",
                ReviewStatus.REJECTED: "reject"}


def _reason(decision: str, reason: str | None) -> str:
    return "" if decision == "approve" else reason or REASONS[decision]


def decide_profile(person: Applicant, status: ReviewStatus, reason: str | None = None):
    """The unit decides on submitted basic information (nothing to do for 待审核)."""
    decision = _DECISION_OF.get(status)
    if decision is not None:
        workflow.review_profile(employer(person.unit), person, decision, _reason(decision, reason))
    return person


def acceptance_point(name: str | None = None, plan_record: ReviewPlan | None = None
                     ) -> AcceptancePoint:
    """An acceptance point, taking the recommendations of ``plan_record`` (the usual plan)."""
    record = AcceptancePoint(name=name or f"受理点{next_number()}")
    db.session.add(record)
    db.session.flush()
    (plan_record or usual_plan()).acceptance_points.append(record)
    db.session.flush()
    return record


def reviewing_level(name: str | None = None, kind: OrganisationKind = OrganisationKind.DEPARTMENT,
                    parent: AcceptancePoint | None = None) -> AcceptancePoint:
    """A reviewing level of a route (主管部门 by default), passing on to ``parent`` or, with
    none, to the acceptance point the unit picks."""
    record = AcceptancePoint(name=name or f"{kind.zh}{next_number()}", kind=kind,
                             parent_id=parent.id if parent is not None else None)
    db.session.add(record)
    db.session.flush()
    return record


# --- review plans ------------------------------------------------------------------------------

USUAL_PLAN = "测试年度职称评审"


def plan(name: str | None = None, *, apply_start: datetime | None = None,
         personal_deadline: datetime | None = None, unit_deadline: datetime | None = None,
         acceptance_deadline: datetime | None = None, series=None, level=None, points=(),
         year: int | None = None, contact: str = "省职改办 0571-87000000") -> ReviewPlan:
    """A plan; moments are naive UTC (``plans.from_beijing`` for Beijing times). By default it
    opened long ago and every deadline is weeks ahead; it covers ``series`` (the catalogue's
    工程 when not given) at ``level`` (every level when not given)."""
    from models import PlanSeries

    now = clock.now()
    record = ReviewPlan(
        year=year or clock.today().year, name=name or f"测试计划{next_number()}",
        apply_start=apply_start or now - timedelta(days=400),
        personal_deadline=personal_deadline or now + timedelta(days=100),
        unit_deadline=unit_deadline or now + timedelta(days=130),
        acceptance_deadline=acceptance_deadline or now + timedelta(days=160),
        contact=contact, notes="")
    record.coverage.append(PlanSeries(series=series or qualification().series, level=level))
    record.acceptance_points.extend(points)
    db.session.add(record)
    db.session.flush()
    return record


def usual_plan() -> ReviewPlan:
    """The plan the factories apply under when a test does not name one (made once per test)."""
    return db.session.scalar(db.select(ReviewPlan).filter_by(name=USUAL_PLAN)) or plan(USUAL_PLAN)


new_acceptance_point = acceptance_point  # for application(), whose argument has the same name


# --- archive items -----------------------------------------------------------------------------


def archive_item(person: Applicant, status: ReviewStatus = ReviewStatus.PENDING,
                 category: ArchiveCategory = ArchiveCategory.EDUCATION, title: str = "某大学 本科",
                 reason: str | None = None, **fields) -> ArchiveItem:
    """An item the applicant wrote (草稿), submitted (待审核) and the unit decided on."""
    owner = applicant_account(person)
    item = workflow.create_item(owner, category, title=title, **fields)
    if status == ReviewStatus.DRAFT:
        return item
    workflow.submit_item(owner, item)
    decision = _DECISION_OF.get(status)
    if decision is not None:
        workflow.review_item(employer(person.unit), item, decision, _reason(decision, reason))
    return item


# --- applications ------------------------------------------------------------------------------

def qualification() -> TitleQualification:
    series = db.session.scalar(db.select(TitleSeries).filter_by(name="工程"))
    if series is None:
        series = TitleSeries(name="工程", sort_order=10)
        db.session.add(series)
        db.session.flush()
    record = db.session.scalar(db.select(TitleQualification).filter_by(series_id=series.id))
    if record is None:
        record = TitleQualification(series=series, level=TitleLevel.SUB_SENIOR, name="高级工程师")
        db.session.add(record)
        db.session.flush()
    return record


def mandatory_items(person: Applicant) -> list[ArchiveItem]:
    """One approved item of each mandatory category: the person's own, else made and approved."""
    own = {}
    for item in db.session.scalars(db.select(ArchiveItem).where(
            ArchiveItem.applicant_id == person.id, ArchiveItem.status == ReviewStatus.APPROVED,
            ArchiveItem.category.in_(MANDATORY_CATEGORIES)).order_by(ArchiveItem.id)):
        own.setdefault(item.category, item)
    return [own.get(category) or archive_item(person, ReviewStatus.APPROVED, category,
                                              f"{person.name}的{category.label}")
            for category in MANDATORY_CATEGORIES]


AFTER_THE_PERIOD = (ApplicationStatus.PUBLICIZED, ApplicationStatus.RECOMMENDED,
                    ApplicationStatus.ACCEPTED, ApplicationStatus.ACCEPTANCE_RETURNED,
                    ApplicationStatus.ROUTE_RETURNED)


def application(person: Applicant, status: ApplicationStatus = ApplicationStatus.PENDING, *,
                items=(), specialty: str = "计算机应用", opinion: str | None = None,
                acceptance_point: AcceptancePoint | None = None,
                acceptance_opinion: str | None = None, plan: ReviewPlan | None = None
                ) -> Application:
    """The applicant's application of this year, taken by the steps to ``status``.

    A draft holds ``items`` only; a submitted one also one approved item of each mandatory
    category (the person's own, else made and approved). Publicity starts today, or, for the
    states after it, on a day in the past chosen so that the period has ended and the unit
    recommended (and the acceptance point decided) before today.
    """
    plan = plan or usual_plan()
    if status not in AFTER_THE_PERIOD:
        return _advance(person, status, items, specialty, opinion, plan)
    return _through_the_period([(person, items)], status, specialty, opinion, acceptance_point,
                               acceptance_opinion, plan)[0]


def applications(people, status: ApplicationStatus, *, specialty: str = "计算机应用",
                 acceptance_point: AcceptancePoint | None = None,
                 plan: ReviewPlan | None = None) -> list[Application]:
    """An application for each of ``people`` (of one unit) taken to ``status``; after the
    publicity, as one batch publicized, recommended and decided together (quicker than one
    :func:`application` each)."""
    plan = plan or usual_plan()
    if status not in AFTER_THE_PERIOD:
        return [_advance(person, status, (), specialty, None, plan) for person in people]
    return _through_the_period([(person, ()) for person in people], status, specialty, None,
                               acceptance_point, None, plan)


def _through_the_period(entries, status, specialty, opinion, point, acceptance_opinion, plan):
    today = clock.today()
    start = today - timedelta(days=21)
    # The period and the two days after it are over by today, whatever the holidays.
    while workdays.earliest_end_date(start) + timedelta(days=2) > today:
        start -= timedelta(days=7)
    with _on(start - timedelta(days=2)):
        records = [_advance(person, ApplicationStatus.APPROVED, items, specialty, opinion, plan)
                   for person, items in entries]
    officer = employer(entries[0][0].unit)
    with _on(start):
        publicity = workflow.start_publicity(officer, records, start,
                                             objection_contact="人事处 0571-88000000", **OBJECTION)
    end = publicity.end_date
    if status == ApplicationStatus.PUBLICIZED:
        workflow.close_ended_publicities()
        for record in records:
            db.session.refresh(record)
        return records
    point = point or new_acceptance_point(plan_record=plan)
    the_unit = entries[0][0].unit
    supervisor = the_unit.supervisor_id
    if status == ApplicationStatus.ROUTE_RETURNED and supervisor is None:
        # Returned by a level: through a 主管部门 of its own, the unit unbound again after.
        the_unit.supervisor_id = reviewing_level().id
        db.session.flush()
        db.session.expire(the_unit, ["supervisor"])
    with _on(end + timedelta(days=1)):
        for record in records:
            workflow.recommend_application(officer, record, point, REASONS["recommend"])
    if the_unit.supervisor_id != supervisor:
        the_unit.supervisor_id = supervisor
        db.session.flush()
        db.session.expire(the_unit, ["supervisor"])
    if status == ApplicationStatus.RECOMMENDED:
        return records
    if status == ApplicationStatus.ROUTE_RETURNED:
        with _on(end + timedelta(days=2)):
            for record in records:
                level = record.current_stop.organisation
                workflow.return_from_level(acceptance_account(level), record,
                                           acceptance_opinion or REASONS["level_return"])
        return records
    with _on(end + timedelta(days=2)):
        for record in records:
            if status == ApplicationStatus.ACCEPTED:
                workflow.accept_application(acceptance_account(point), record,
                                            acceptance_opinion or "")
            else:
                workflow.return_to_unit(acceptance_account(point), record,
                                        acceptance_opinion or REASONS["acceptance_return"])
    return records


def _advance(person, status, items, specialty, opinion, plan) -> Application:
    owner = applicant_account(person)
    title = qualification()
    if status == ApplicationStatus.DRAFT:
        record = workflow.create_application(
            owner, series=title.series, specialty=specialty, level=title.level,
            qualification=title, review_method=ReviewMethod.REVIEW, plan=plan)
        if items:
            workflow.extract_items(owner, record, [item.id for item in items])
        return record
    if person.profile_status != ReviewStatus.APPROVED:
        if person.profile_status != ReviewStatus.PENDING:
            workflow.submit_profile(owner)
        decide_profile(person, ReviewStatus.APPROVED)
    chosen = list(items) + mandatory_items(person)
    record = workflow.create_application(
        owner, series=title.series, specialty=specialty, level=title.level, qualification=title,
        review_method=ReviewMethod.REVIEW, plan=plan)
    workflow.extract_items(owner, record, [item.id for item in chosen])
    workflow.submit_application(owner, record, declared=True)
    if status == ApplicationStatus.PENDING:
        return record
    officer = employer(person.unit)
    decision = {ApplicationStatus.RETURNED: "return",
                ApplicationStatus.REJECTED: "reject"}.get(status, "approve")
    workflow.review_application(officer, record, decision, opinion or REASONS[decision])
    if status in (ApplicationStatus.APPROVED, ApplicationStatus.RETURNED,
                  ApplicationStatus.REJECTED):
        return record
    workflow.start_publicity(officer, [record], clock.today(),
                             objection_contact="人事处 0571-88000000", **OBJECTION)
    if status == ApplicationStatus.PUBLICIZING:
        return record
    if status != ApplicationStatus.NOT_RECOMMENDED:
        raise ValueError(f"no way to {status!r}")
    objection = workflow.record_objection(officer, record, REASONS["objection"], clock.today(),
                                          raised_by="实名来信")
    workflow.resolve_objection(officer, objection, "not_recommend", REASONS["objection_upheld"])
    return record


# --- files and authorizations ------------------------------------------------------------------

@functools.cache
def pdf_bytes(pages: int = 1) -> bytes:
    """A small valid PDF."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def authorization(unit_record: Unit, status: AuthorizationStatus = AuthorizationStatus.PENDING,
                  officer_name: str = "经办人", reason: str | None = None) -> Authorization:
    """The unit submits its stamped 委托证明; the platform admin decides when ``status`` says so."""
    officer = employer(unit_record)
    stored = store_bytes(pdf_bytes(), "委托证明.pdf", uploaded_by=officer)
    record = workflow.submit_authorization(officer, officer_name,
                                           OFFICER_ID_NUMBER, "13900000001", stored)
    if status == AuthorizationStatus.APPROVED:
        workflow.approve_authorization(deciding_admin(), record, "材料齐全，同意授权。")
    elif status == AuthorizationStatus.REJECTED:
        workflow.reject_authorization(deciding_admin(), record, reason or REASONS["authorization_reject"])
    elif status != AuthorizationStatus.PENDING:
        raise ValueError(f"no way to {status!r}")
    return record


def raw_application(person: Applicant, status: ApplicationStatus, **fields) -> Application:
    """An application row written directly, as no step would write it.

    Only for a test of how the code treats a row the workflow cannot make (a stray or forged
    record); every other test uses :func:`application`.
    """
    title = qualification()
    record = Application(
        applicant=person, unit_id=person.unit_id, year=clock.today().year, plan=usual_plan(),
        series_id=title.series_id, level=title.level, qualification=title,
        review_method=ReviewMethod.REVIEW, status=status, **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record
