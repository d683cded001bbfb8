"""Demo data: an empty database filled so that every screen has something to show.

All demo passwords are ``demo1234`` (demo data only).
"""
from datetime import date, datetime, timedelta
from io import BytesIO

import sqlalchemy as sa

from models import (
    AcceptancePoint,
    Account,
    Applicant,
    Application,
    ApplicationItem,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    Authorization,
    AuthorizationStatus,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    Publicity,
    ReviewMethod,
    ReviewRecord,
    ReviewStatus,
    Role,
    Subject,
    TitleQualification,
    TitleSeries,
    Unit,
    utcnow,
)

from . import workdays
from .catalogue import seed_catalogue, seed_opinion_templates
from .extensions import db
from .identifiers import id_birth_date, id_sex
from .storage import store_bytes

DEMO_PASSWORD = "demo1234"

SIGN_INS = [
    ("管理员登录", "admin", "平台管理员"),
    ("法人登录", "91330106MA2B3C4D5D", "杭州示例科技有限公司（已授权，申报人各状态齐全）"),
    ("法人登录", "91330100MA28E7F6G9", "杭州样例设计院（委托证明已提交，待审核）"),
    ("法人登录", "91330102MA2C5D6E7F", "杭州演示建设集团（委托证明未通过，可重新提交）"),
    ("个人登录", "330106199003071236", "张三（杭州示例科技有限公司）"),
    ("受理点登录", "accept1", "杭州市职称受理点"),
]

# name, ID number, application status of the demo applicant (None: archive only)
PEOPLE = [
    ("李四", "330106198505120013", ApplicationStatus.DRAFT),
    ("王芳", "33010219880823002X", ApplicationStatus.RETURNED),
    ("赵强", "330105199201150035", ApplicationStatus.APPROVED),
    ("钱丽", "330106198706300045", ApplicationStatus.REJECTED),
    ("孙伟", "330103199109090057", ApplicationStatus.PUBLICIZING),
    ("周敏", "330106198603110062", ApplicationStatus.PUBLICIZED),
    ("吴磊", "330106199307210071", ApplicationStatus.RECOMMENDED),
    ("郑静", "330106198402280081", ApplicationStatus.ACCEPTED),
    ("冯涛", "330106198911020093", ApplicationStatus.ACCEPTANCE_RETURNED),
    ("陈洁", "330104199004160107", ApplicationStatus.NOT_RECOMMENDED),
    ("褚明", "330106199509180114", None),
]


def _demo_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("STSong-Light", 16)
    page.drawString(72, 760, title)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _account(role, username, display_name, **owner):
    account = Account(role=role, username=username, display_name=display_name, **owner)
    account.set_password(DEMO_PASSWORD)
    db.session.add(account)
    return account


def _history(subject, record, action, before, after, actor, *, unit=None, applicant=None,
             acceptance_point=None, opinion="", when=None, round_no=0):
    db.session.add(ReviewRecord(
        subject=subject, subject_id=record.id, action=action,
        from_status=before.value if before else "", to_status=after.value if after else "",
        opinion=opinion, round=round_no, actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None), actor_name=actor.acting_name if actor else "",
        unit_id=getattr(unit, "id", None), applicant_id=getattr(applicant, "id", None),
        acceptance_point_id=getattr(acceptance_point, "id", None),
        created_at=when or utcnow(),
    ))


def _archive(person, unit, category, title, status, *, organisation="", start=None, end=None,
             details=None, remark="", reviewer=None):
    submitted = status != ReviewStatus.DRAFT
    item = ArchiveItem(
        applicant=person, unit=unit if submitted else None, category=category, title=title,
        organisation=organisation, start_date=start, end_date=end, details=details or {},
        status=status, remark=remark,
        submitted_at=utcnow() - timedelta(days=20) if submitted else None,
        reviewed_at=utcnow() - timedelta(days=18)
        if status not in (ReviewStatus.DRAFT, ReviewStatus.PENDING) else None,
        reviewed_by=reviewer if status not in (ReviewStatus.DRAFT, ReviewStatus.PENDING) else None,
    )
    db.session.add(item)
    return item


def _basic_archive(person, unit, reviewer, status=ReviewStatus.APPROVED):
    birth_year = person.birth_date.year
    return [
        _archive(person, unit, ArchiveCategory.EDUCATION, "浙江大学 计算机科学与技术 本科", status,
                 organisation="浙江大学", start=date(birth_year + 18, 9, 1),
                 end=date(birth_year + 22, 6, 30),
                 details={"major": "计算机科学与技术", "degree": "大学本科"},
                 reviewer=reviewer),
        _archive(person, unit, ArchiveCategory.WORK, "杭州示例科技有限公司 研发工程师", status,
                 organisation="杭州示例科技有限公司", start=date(birth_year + 22, 7, 1),
                 details={"position": "研发工程师"}, reviewer=reviewer),
        _archive(person, unit, ArchiveCategory.ASSESSMENT, "2025年度考核 优秀", status,
                 details={"year": 2025, "result": "优秀"}, reviewer=reviewer),
        _archive(person, unit, ArchiveCategory.PAPER, "基于深度学习的工业缺陷检测方法研究", status,
                 organisation="计算机工程与应用", start=date(2024, 5, 1),
                 details={"author_rank": 1}, reviewer=reviewer),
    ]


def _snapshot(application, items):
    for item in items:
        application.items.append(ApplicationItem(
            archive_item=item, category=item.category, title=item.title,
            organisation=item.organisation, start_date=item.start_date, end_date=item.end_date,
            details=dict(item.details), file_ids=[],
        ))


def load_demo() -> bool:
    """Fill an empty database; returns False (and changes nothing) when it already has accounts."""
    if db.session.scalar(db.select(db.func.count(Account.id))):
        return False
    seed_catalogue()
    seed_opinion_templates()
    db.session.flush()

    admin = _account(Role.PLATFORM_ADMIN, "admin", "平台管理员")
    point = AcceptancePoint(name="杭州市职称受理点", region="杭州市",
                            address="杭州市上城区解放东路18号", contact_phone="0571-12333")
    db.session.add(point)
    db.session.add(AcceptancePoint(name="浙江省人力资源和社会保障厅受理点", region="浙江省",
                                   contact_phone="0571-12333"))
    db.session.flush()
    acceptance = _account(Role.ACCEPTANCE, "accept1", "杭州市职称受理点",
                          acceptance_point_id=point.id)

    unit = Unit(name="杭州示例科技有限公司", uscc="91330106MA2B3C4D5D",
                address="杭州市西湖区文三路100号", legal_representative="王建国",
                contact_name="刘洋", contact_mobile="13800000001",
                authorization_status=AuthorizationStatus.APPROVED)
    second = Unit(name="杭州样例设计院", uscc="91330100MA28E7F6G9",
                  address="杭州市拱墅区湖墅南路200号", legal_representative="陈志远",
                  contact_name="何敏", contact_mobile="13800000002",
                  authorization_status=AuthorizationStatus.PENDING)
    third = Unit(name="杭州演示建设集团", uscc="91330102MA2C5D6E7F",
                 address="杭州市上城区望江路50号", legal_representative="周国平",
                 contact_name="吴霞", contact_mobile="13800000003",
                 authorization_status=AuthorizationStatus.REJECTED)
    db.session.add_all([unit, second, third])
    db.session.flush()
    employer = _account(Role.EMPLOYER, unit.uscc, unit.name, unit_id=unit.id)
    second_account = _account(Role.EMPLOYER, second.uscc, second.name, unit_id=second.id)
    third_account = _account(Role.EMPLOYER, third.uscc, third.name, unit_id=third.id)
    db.session.flush()

    for target, account, status in ((unit, employer, AuthorizationStatus.APPROVED),
                                    (second, second_account, AuthorizationStatus.PENDING),
                                    (third, third_account, AuthorizationStatus.REJECTED)):
        stored = store_bytes(_demo_pdf(f"委托证明（盖章扫描件）— {target.name}"), "委托证明.pdf",
                             uploaded_by=account)
        authorization = Authorization(
            unit=target, officer_name=target.contact_name, officer_id_number="330106199003071236",
            officer_mobile=target.contact_mobile, file=stored, status=status,
            submitted_at=utcnow() - timedelta(days=30),
        )
        if status != AuthorizationStatus.PENDING:
            authorization.decided_at = utcnow() - timedelta(days=29)
            authorization.decided_by = admin
            authorization.opinion = ("材料齐全，同意授权。" if status == AuthorizationStatus.APPROVED
                                     else "委托证明未加盖单位公章，请盖章后重新上传。")
        db.session.add(authorization)
        db.session.flush()
        _history(Subject.AUTHORIZATION, authorization, "submit", AuthorizationStatus.NONE,
                 AuthorizationStatus.PENDING, account, unit=target)
        if status != AuthorizationStatus.PENDING:
            _history(Subject.AUTHORIZATION, authorization,
                     "approve" if status == AuthorizationStatus.APPROVED else "reject",
                     AuthorizationStatus.PENDING, status, admin, unit=target,
                     opinion=authorization.opinion)

    engineering = db.session.scalar(db.select(TitleSeries).filter_by(name="工程"))
    senior_engineer = db.session.scalar(
        db.select(TitleQualification).filter_by(series_id=engineering.id, name="高级工程师"))

    # 张三: items in every state and an application waiting for the unit.
    zhang = _person("张三", "330106199003071236", "13900000000", unit)
    _account(Role.APPLICANT, zhang.id_number, zhang.name, applicant_id=zhang.id)
    zhang_items = _basic_archive(zhang, unit, employer)
    _archive(zhang, unit, ArchiveCategory.AWARD, "浙江省科学技术进步奖三等奖", ReviewStatus.PENDING,
             organisation="浙江省人民政府", start=date(2025, 12, 1),
             details={"level": "省部级", "rank": 2})
    _archive(zhang, unit, ArchiveCategory.PATENT, "一种图像缺陷检测装置", ReviewStatus.RETURNED,
             details={"patent_no": "ZL202410000000.1", "patent_type": "发明"}, remark="请上传专利证书扫描件。",
             reviewer=employer)
    _archive(zhang, unit, ArchiveCategory.CONTINUING_EDUCATION, "2025年继续教育 90学时",
             ReviewStatus.REJECTED, details={"hours": 90}, remark="学时证明与系统记录不符。", reviewer=employer)
    _archive(zhang, unit, ArchiveCategory.PROJECT, "智能制造视觉检测平台", ReviewStatus.DRAFT)
    db.session.flush()
    _application(zhang, unit, engineering, senior_engineer, ApplicationStatus.PENDING,
                 zhang_items, employer, acceptance, point)

    # One period running (started two days ago), one ended a few weeks back.
    running_start = workdays.today() - timedelta(days=2)
    ended_start = workdays.today() - timedelta(days=30)
    running_end = workdays.earliest_end_date(running_start)
    ended_end = workdays.earliest_end_date(ended_start)
    publicity_running = Publicity(
        unit=unit, title=f"{unit.name}{date.today().year}年度职称申报人员公示（第二批）",
        start_date=running_start, end_date=running_end, earliest_end_date=running_end,
        count_start_day=False, objection_contact="人事处 刘洋 0571-88000001",
    )
    publicity_ended = Publicity(
        unit=unit, title=f"{unit.name}{date.today().year}年度职称申报人员公示（第一批）",
        start_date=ended_start, end_date=ended_end, earliest_end_date=ended_end,
        count_start_day=False, objection_contact="人事处 刘洋 0571-88000001",
    )
    db.session.add_all([publicity_running, publicity_ended])
    db.session.flush()

    for position, (name, number, status) in enumerate(PEOPLE):
        person = _person(name, number, f"1390000{position + 1:04d}", unit)
        _account(Role.APPLICANT, number, name, applicant_id=person.id)
        items = _basic_archive(
            person, unit, employer,
            ReviewStatus.PENDING if status is None else ReviewStatus.APPROVED)
        db.session.flush()
        if status is not None:
            publicity = {
                ApplicationStatus.PUBLICIZING: publicity_running,
                ApplicationStatus.NOT_RECOMMENDED: publicity_running,
            }.get(status, publicity_ended)
            _application(person, unit, engineering, senior_engineer, status, items, employer,
                         acceptance, point, publicity=publicity)

    # An objection waiting in the running period, one found untrue in the ended one.
    for status, content, resolution in (
            (ApplicationStatus.PUBLICIZING, "反映其项目获奖证书与实际参与情况不符。", ""),
            (ApplicationStatus.PUBLICIZED, "反映其继续教育学时不足。", "经核查学时证明，学时符合要求，异议不属实。")):
        application = db.session.scalar(sa.select(Application).where(
            Application.unit_id == unit.id, Application.status == status).limit(1))
        publicity = application.publicity
        objection = Objection(
            application=application, publicity=publicity, unit_id=unit.id, content=content,
            received_on=publicity.start_date + timedelta(days=1), raised_by="实名来信",
            status=ObjectionStatus.DISMISSED if resolution else ObjectionStatus.OPEN,
            resolution=resolution, resolved_at=utcnow() if resolution else None,
            resolved_by_id=employer.id if resolution else None)
        db.session.add(objection)
        db.session.flush()
        _history(Subject.OBJECTION, objection, "record", None, ObjectionStatus.OPEN, employer,
                 unit=unit, applicant=None, opinion=content,
                 when=datetime.now() - timedelta(days=1))

    # The second unit has one applicant of its own (for isolation checks in the demo).
    other = _person("林晓", "330106198701010022", "13900009999", second)
    _account(Role.APPLICANT, other.id_number, other.name, applicant_id=other.id)
    db.session.commit()
    return True


def _person(name, number, mobile, unit):
    person = Applicant(
        name=name, id_number=number, sex=id_sex(number), birth_date=id_birth_date(number),
        mobile=mobile, unit=unit, highest_education="大学本科", current_title="工程师",
        current_title_date=date(2019, 12, 31), profile_status=ReviewStatus.APPROVED,
        profile_submitted_at=utcnow() - timedelta(days=25),
        profile_reviewed_at=utcnow() - timedelta(days=24),
    )
    db.session.add(person)
    db.session.flush()
    return person


PAST = {
    ApplicationStatus.DRAFT: [],
    ApplicationStatus.PENDING: ["submit"],
    ApplicationStatus.RETURNED: ["submit", "return"],
    ApplicationStatus.APPROVED: ["submit", "approve"],
    ApplicationStatus.REJECTED: ["submit", "reject"],
    ApplicationStatus.PUBLICIZING: ["submit", "approve", "publicize"],
    ApplicationStatus.PUBLICIZED: ["submit", "approve", "publicize", "publicity_end"],
    ApplicationStatus.RECOMMENDED: ["submit", "approve", "publicize", "publicity_end", "recommend"],
    ApplicationStatus.ACCEPTED: ["submit", "approve", "publicize", "publicity_end", "recommend",
                                 "accept"],
    ApplicationStatus.ACCEPTANCE_RETURNED: ["submit", "approve", "publicize", "publicity_end",
                                            "recommend", "acceptance_return"],
    ApplicationStatus.NOT_RECOMMENDED: ["submit", "approve", "publicize", "objection_upheld"],
}

STEP_RESULT = {
    "submit": ApplicationStatus.PENDING,
    "return": ApplicationStatus.RETURNED,
    "approve": ApplicationStatus.APPROVED,
    "reject": ApplicationStatus.REJECTED,
    "publicize": ApplicationStatus.PUBLICIZING,
    "publicity_end": ApplicationStatus.PUBLICIZED,
    "recommend": ApplicationStatus.RECOMMENDED,
    "accept": ApplicationStatus.ACCEPTED,
    "acceptance_return": ApplicationStatus.ACCEPTANCE_RETURNED,
    "objection_upheld": ApplicationStatus.NOT_RECOMMENDED,
}

STEP_OPINION = {
    "return": "请补充近三年年度考核材料。",
    "approve": "经审核，{name}同志符合高级工程师任职资格申报条件，申报材料完整无误，同意推荐。",
    "reject": "任现职年限不满足申报条件。",
    "recommend": "该同志申报材料已在本单位公示5个工作日，无异议，同意推荐。",
    "accept": "材料齐全，予以受理。",
    "acceptance_return": "缺少单位推荐意见盖章页，请补充后重新推荐。",
    "objection_upheld": "公示期间收到异议，经核实属实，不予推荐。",
}


def _application(person, unit, series, qualification, status, items, employer, acceptance,
                 point, publicity=None):
    application = Application(
        applicant=person, unit=unit, year=date.today().year, series=series,
        specialty="计算机应用", level=qualification.level, qualification=qualification,
        review_method=ReviewMethod.REVIEW, current_title=person.current_title,
        status=ApplicationStatus.DRAFT, round=0,
        profile_snapshot={"name": person.name, "sex": person.sex.value,
                          "birth_date": person.birth_date.isoformat(),
                          "highest_education": person.highest_education,
                          "current_title": person.current_title},
    )
    db.session.add(application)
    _snapshot(application, items)
    db.session.flush()
    when = datetime.now() - timedelta(days=15)
    before = ApplicationStatus.DRAFT
    for step in PAST[status]:
        after = STEP_RESULT[step]
        actor = acceptance if step in ("accept", "acceptance_return") else employer
        if step == "submit":
            actor = person.account
            application.round += 1
            application.submitted_at = when
        opinion = STEP_OPINION.get(step, "").format(name=person.name)
        if step in ("approve", "reject", "return"):
            application.decided_at = when
            application.opinion = opinion
        if step == "publicize":
            application.publicity = publicity
        if step == "recommend":
            application.acceptance_point = point
            application.recommendation_opinion = opinion
            application.recommended_at = when
        if step in ("accept", "acceptance_return"):
            application.acceptance_decided_at = when
            application.acceptance_opinion = opinion
        if step == "objection_upheld":
            db.session.add(Objection(
                application=application, publicity=publicity, unit_id=unit.id,
                content="反映其论文存在署名争议。", received_on=publicity.start_date + timedelta(days=1),
                raised_by="匿名来信", status=ObjectionStatus.UPHELD,
                outcome=ObjectionOutcome.NOT_RECOMMENDED, resolution=opinion, resolved_at=when,
                resolved_by_id=employer.id,
            ))
        _history(Subject.APPLICATION, application, step, before, after, actor, unit=unit,
                 applicant=person,
                 acceptance_point=point if application.acceptance_point_id or step == "recommend"
                 else None,
                 opinion=opinion, when=when, round_no=application.round)
        before = after
        when += timedelta(days=1)
    application.status = status
    return application
