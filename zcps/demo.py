"""Demo data: an empty database filled so that every screen has something to show.

Every state is reached by the workflow's own steps (:mod:`zcps.workflow`), each taken by the
account that would take it, on a plausible day: the clock is moved back (:func:`clock.travel`)
so that dates, timestamps, history and messages read like the last weeks of a unit's title year.
Only what is no step is written directly: the catalogue, the platform admin, the acceptance
points and their account; units and applicants register through :mod:`zcps.accounts`.

All demo passwords are ``demo1234`` (demo data only).
"""
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from io import BytesIO

from models import (
    AcceptancePoint,
    Account,
    AdminKind,
    ApplicationStatus,
    ArchiveCategory,
    OfficerDuty,
    OrganisationKind,
    PlanSeries,
    ReviewMethod,
    ReviewPlan,
    Role,
    TitleQualification,
    TitleSeries,
)

from . import accounts, clock, officers, plans, workdays, workflow
from .catalogue import seed_catalogue, seed_opinion_templates
from .extensions import db
from .storage import store_bytes

DEMO_PASSWORD = "demo1234"

SIGN_INS = [
    ("管理员登录", "admin", "系统管理员（账号、职称目录、工作日历、评审计划、授权审核）"),
    ("管理员登录", "security", "安全管理员（解除锁定、重置密码、账号启停、释放身份证号）"),
    ("管理员登录", "auditor", "审计管理员（只读并导出审计日志）"),
    ("法人登录", "91330106MA2B3C4D5D", "杭州示例科技有限公司（已授权，申报人各状态齐全）"),
    ("法人登录", "91330100MA28E7F6G9", "杭州样例设计院（委托证明已提交，待审核）"),
    ("法人登录", "91330102MA2C5D6E7F", "杭州演示建设集团（委托证明未通过，可重新提交）"),
    ("经办人登录", "330106198804120021",
     "刘洋（杭州示例科技有限公司的经办人：业绩档案审核、申报资料审核；也可用手机号 13800000001 登录）"),
    ("个人登录", "330106199003071236", "张三（杭州示例科技有限公司）"),
    ("受理点登录", "accept1", "杭州市职称受理点"),
    ("受理点登录", "dept1", "杭州市示例主管局（主管部门：审核杭州示例科技有限公司、杭州样例设计院的推荐，"
                         "通过后报送受理点）"),
]

# name, 统一社会信用代码, address, legal representative, contact (the handling officer), the
# contact's mobile and 身份证号.
UNITS = {
    "first": ("杭州示例科技有限公司", "91330106MA2B3C4D5D", "杭州市西湖区文三路100号", "王建国",
              "刘洋", "13800000001", "330106198804120021"),
    "second": ("杭州样例设计院", "91330100MA28E7F6G9", "杭州市拱墅区湖墅南路200号", "陈志远",
               "何敏", "13800000002", "330105198511030042"),
    "third": ("杭州演示建设集团", "91330102MA2C5D6E7F", "杭州市上城区望江路50号", "周国平",
              "吴霞", "13800000003", "330102199006250066"),
}

# name, ID number, where the demo takes the person's application (None: archive only)
ZHANG = ("张三", "330106199003071236", ApplicationStatus.PENDING)
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
    # Recommended after the unit was bound to its 主管部门: one waiting there, one returned.
    ("蒋华", "330106199005120134", ApplicationStatus.RECOMMENDED),
    ("沈悦", "330106198811200249", ApplicationStatus.ROUTE_RETURNED),
    ("褚明", "330106199509180114", None),
]
# The applicant of the second unit: that unit is not authorized yet, so she cannot choose it.
LIN = ("林晓", "330106198701010022", "13900009999")

# Publicized about a month ago; the period has ended (one recommended, one accepted, one sent
# back by the acceptance point, one ready to recommend).
FIRST_BATCH = (ApplicationStatus.PUBLICIZED, ApplicationStatus.RECOMMENDED,
               ApplicationStatus.ACCEPTED, ApplicationStatus.ACCEPTANCE_RETURNED,
               ApplicationStatus.ROUTE_RETURNED)
# Publicized two days ago and still running.
SECOND_BATCH = (ApplicationStatus.PUBLICIZING, ApplicationStatus.NOT_RECOMMENDED)
OBJECTION_CONTACT = "人事处 刘洋"
OBJECTION = {"objection_phone": "0571-88000001",
             "objection_address": "杭州市西湖区文三路100号 人事处"}
RETURN_REASON = "请补充近三年年度考核材料。"
REJECT_REASON = "任现职年限不满足申报条件。"
# Reasons that go into an SMS end without a full stop: the message adds its own.
ACCEPTANCE_RETURN_REASON = "缺少单位推荐意见盖章页，请补充后重新推荐"
DEPARTMENT = "杭州市示例主管局"
LEVEL_RETURN_REASON = "1. 推荐意见未写明公示起止日期；2. 缺少近三年年度考核登记表。请一并补正后重新推荐"


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


@contextmanager
def _on(day: date, hour: int = 10, minute: int = 0):
    """Take the steps inside at ``day`` ``hour``:``minute`` Beijing time. What they wrote is
    flushed before the clock comes back (timestamps are taken at the flush)."""
    with clock.travel(datetime.combine(day, time(hour, minute), tzinfo=clock.BEIJING)):
        yield
        db.session.flush()


def _shift(day: date, working_days: int) -> date:
    """The working day ``working_days`` working days after ``day`` (before, when negative)."""
    step = timedelta(days=1 if working_days > 0 else -1)
    calendar = _calendar_around(day, working_days)
    for _ in range(abs(working_days)):
        day += step
        while not calendar.is_workday(day):
            day += step
    return day


def _workday_until(day: date) -> date:
    """``day`` itself when it is a working day, else the working day before it."""
    calendar = _calendar_around(day, -1)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


def _calendar_around(day: date, working_days: int) -> workdays.Calendar:
    """The calendar of every day a shift of ``working_days`` from ``day`` can reach (holidays
    included), read once."""
    span = timedelta(days=3 * abs(working_days) + 30)
    return workdays.Calendar(day - span, day + span)


def _account(role, username, display_name, **owner) -> Account:
    account = Account(role=role, username=username, display_name=display_name, **owner)
    account.set_password(DEMO_PASSWORD)
    db.session.add(account)
    db.session.flush()
    return account


def load_demo() -> bool:
    """Fill an empty database; returns False (and changes nothing) when it already has accounts."""
    if db.session.scalar(db.select(db.func.count(Account.id))):
        return False
    _Story(clock.today()).tell()
    db.session.commit()
    return True


class _Story:
    """The last weeks of the demo units' title year, told step by step up to ``today``."""

    def __init__(self, today: date):
        self.today = today
        self.year = today.year
        # The batch publicized a month ago: its period, the recommendation the day after, and
        # the acceptance point's decision two working days later are all over by today.
        first = _workday_until(today - timedelta(days=30))
        while _shift(workdays.earliest_end_date(first), 3) >= today:
            first = _shift(first, -5)
        self.first_start = first
        self.first_end = workdays.earliest_end_date(first)
        self.second_start = _workday_until(today - timedelta(days=2))
        # The first unit registers and is authorized, its people register and the unit
        # approves their basic information: all before the first batch's archives are sent.
        self.start = _shift(first, -18)
        self.people = {}
        self.applications = {}

    def tell(self) -> None:
        self.set_up()
        self.authorize_units()
        for name, number, status in [ZHANG, *PEOPLE]:
            mobile = "13900000000" if name == "张三" else f"1390000{len(self.people):04d}"
            self.people[name] = self.register_person(name, number, mobile, status)
        self.zhang_archive()
        for name, _, status in [ZHANG, *PEOPLE]:
            if status is None:
                self.archive_waiting(name)
            else:
                self.apply(name, status)
        self.first_batch()
        self.second_batch()
        self.person_of_the_second_unit()

    # --- what is no step: the catalogue, the platform, the acceptance points ------------------

    def set_up(self) -> None:
        with _on(self.start, 9):
            seed_catalogue()
            seed_opinion_templates()
            db.session.flush()
            self.admin = _account(Role.PLATFORM_ADMIN, "admin", "系统管理员",
                                  admin_kind=AdminKind.SYSTEM)
            _account(Role.PLATFORM_ADMIN, "security", "安全管理员", admin_kind=AdminKind.SECURITY)
            _account(Role.PLATFORM_ADMIN, "auditor", "审计管理员", admin_kind=AdminKind.AUDIT)
            self.point = AcceptancePoint(name="杭州市职称受理点", region="杭州市",
                                         address="杭州市上城区解放东路18号",
                                         contact_phone="0571-12333")
            db.session.add_all([self.point, AcceptancePoint(
                name="浙江省人力资源和社会保障厅受理点", region="浙江省",
                contact_phone="0571-12333")])
            db.session.flush()
            self.acceptance = _account(Role.ACCEPTANCE, "accept1", "杭州市职称受理点",
                                       acceptance_point_id=self.point.id)
            # A 主管部门 passing its units' recommendations on to the point they pick.
            self.department = AcceptancePoint(name=DEPARTMENT, kind=OrganisationKind.DEPARTMENT,
                                              region="杭州市", contact_phone="0571-87001234")
            db.session.add(self.department)
            db.session.flush()
            self.department_account = _account(Role.ACCEPTANCE, "dept1", DEPARTMENT,
                                               acceptance_point_id=self.department.id)
        engineering = db.session.scalar(db.select(TitleSeries).filter_by(name="工程"))
        self.series = engineering
        self.qualification = db.session.scalar(db.select(TitleQualification).filter_by(
            series_id=engineering.id, name="高级工程师"))
        with _on(self.start, 9, 15):
            self.plan = self.review_plan()

    def review_plan(self) -> ReviewPlan:
        """This year's plan: opened before the first unit was authorized; the personal deadline
        two weeks ahead, the units' a month ahead, the acceptance points' six weeks ahead, each
        at 18:00 Beijing time, so that every demo state is still in time."""
        def at_six(day: date):
            return plans.from_beijing(datetime.combine(day, time(18, 0)))

        series = db.session.scalars(db.select(TitleSeries).order_by(TitleSeries.sort_order))
        plan = ReviewPlan(
            year=self.year, name=f"{self.year}年度浙江省职称评审",
            apply_start=plans.from_beijing(datetime.combine(self.start - timedelta(days=7),
                                                            time(9, 0))),
            personal_deadline=at_six(self.today + timedelta(days=14)),
            unit_deadline=at_six(self.today + timedelta(days=30)),
            acceptance_deadline=at_six(self.today + timedelta(days=44)),
            contact="浙江省人力资源和社会保障厅职称处 0571-87000000",
            notes="申报人须在个人申报截止前提交申报；各用人单位须在单位审核推荐截止前完成审核、"
                  "公示和推荐工作，逾期不予受理。",
            coverage=[PlanSeries(series=record) for record in series],
            acceptance_points=list(db.session.scalars(
                db.select(AcceptancePoint).where(AcceptancePoint.kind == OrganisationKind.ACCEPTANCE)
                .order_by(AcceptancePoint.id))))
        db.session.add(plan)
        db.session.flush()
        return plan

    # --- steps 1–2: registration and the 委托证明 ------------------------------------------------

    def register_unit(self, key: str, day: date):
        name, uscc, address, legal, contact, mobile, _ = UNITS[key]
        with _on(day, 9, 30):
            return accounts.register_unit(
                name=name, uscc=uscc, address=address, legal_representative=legal,
                contact_name=contact, contact_mobile=mobile, password=DEMO_PASSWORD)

    def submit_authorization(self, key: str, officer: Account, day: date):
        name, _, _, _, contact, mobile, id_number = UNITS[key]
        with _on(day, 14):
            scan = store_bytes(_demo_pdf(f"委托证明（盖章扫描件）— {name}"), "委托证明.pdf",
                               uploaded_by=officer)
            return workflow.submit_authorization(officer, contact, id_number, mobile, scan)

    def authorize_units(self) -> None:
        self.employer = self.register_unit("first", self.start)
        submitted = self.submit_authorization("first", self.employer, self.start)
        with _on(_shift(self.start, 1), 10):
            workflow.approve_authorization(self.admin, submitted, "材料齐全，同意授权。")
        self.unit = self.employer.unit
        with _on(_shift(self.start, 1), 14):
            self.add_officer("first")

        third_day = _shift(self.today, -22)
        third = self.register_unit("third", third_day)
        submitted = self.submit_authorization("third", third, third_day)
        with _on(_shift(third_day, 1), 11):
            workflow.reject_authorization(self.admin, submitted,
                                          "委托证明未加盖单位公章，请盖章后重新上传")

        second_day = _shift(self.today, -3)
        self.second_employer = self.register_unit("second", second_day)
        self.submit_authorization("second", self.second_employer, _shift(second_day, 1))

    def add_officer(self, key: str) -> Account:
        """The unit's handling officer as its 经办人 for the reviews (signs in under 经办人登录)."""
        _, _, _, _, contact, mobile, id_number = UNITS[key]
        officer = officers.add_officer(
            self.employer, name=contact, id_number=id_number, mobile=mobile, department="人事处",
            duties=[OfficerDuty.ARCHIVE.value, OfficerDuty.APPLICATION.value],
            password="Demo-officer-1")
        officer.set_password(DEMO_PASSWORD)  # demo data only, like every demo sign-in
        officer.must_change_password = False
        return officer

    # --- step 3: people, their basic information and archives ----------------------------------

    def register_person(self, name, number, mobile, status):
        """Registered soon after the unit's authorization; the unit approved the basic
        information the next working day."""
        day = _shift(self.start, 2 + len(self.people) % 3)
        with _on(day, 9, 10 + len(self.people)):
            account = accounts.register_applicant(name=name, id_number=number, mobile=mobile,
                                                  password=DEMO_PASSWORD)
            workflow.save_profile(account, highest_education="大学本科", current_title="工程师",
                                  current_title_date=date(2019, 12, 31))
            workflow.choose_unit(account, self.unit)
            workflow.submit_profile(account)
        with _on(_shift(day, 1), 9, 30):
            workflow.review_profile(self.employer, account.applicant, "approve")
        return account

    def items(self, name, submitted: date, reviewed: date, decide=True):
        """The four items every demo person keeps: education, work, assessment and a paper."""
        account = self.people[name]
        birth_year = account.applicant.birth_date.year
        contents = [
            (ArchiveCategory.EDUCATION, "浙江大学 计算机科学与技术 本科",
             dict(organisation="浙江大学", start_date=date(birth_year + 18, 9, 1),
                  end_date=date(birth_year + 22, 6, 30),
                  details={"major": "计算机科学与技术", "degree": "大学本科"})),
            (ArchiveCategory.WORK, "杭州示例科技有限公司 研发工程师",
             dict(organisation="杭州示例科技有限公司", start_date=date(birth_year + 22, 7, 1),
                  details={"position": "研发工程师"})),
            (ArchiveCategory.ASSESSMENT, f"{self.year - 1}年度考核 优秀",
             dict(details={"year": self.year - 1, "result": "优秀"})),
            (ArchiveCategory.PAPER, "基于深度学习的工业缺陷检测方法研究",
             dict(organisation="计算机工程与应用", start_date=date(self.year - 2, 5, 1),
                  details={"author_rank": 1})),
        ]
        with _on(submitted, 20):  # in the evening, after work
            written = [workflow.create_item(account, category, title=title, **fields)
                       for category, title, fields in contents]
            for item in written:
                workflow.submit_item(account, item)
        if decide:
            with _on(reviewed, 10):
                for item in written:
                    workflow.review_item(self.employer, item, "approve")
        return written

    def zhang_archive(self) -> None:
        """张三's items in every state: approved, waiting, returned, not approved, a draft."""
        account = self.people["张三"]
        submitted, reviewed = _shift(self.today, -20), _shift(self.today, -17)
        self.zhang_items = self.items("张三", submitted, reviewed)
        with _on(submitted, 20, 30):
            patent = workflow.create_item(
                account, ArchiveCategory.PATENT, title="一种图像缺陷检测装置",
                details={"patent_no": "ZL202410000000.1", "patent_type": "发明"})
            hours = workflow.create_item(account, ArchiveCategory.CONTINUING_EDUCATION,
                                         title=f"{self.year - 1}年继续教育 90学时",
                                         details={"hours": 90})
            workflow.submit_item(account, patent)
            workflow.submit_item(account, hours)
        with _on(reviewed, 10, 30):
            workflow.review_item(self.employer, patent, "return", "请上传专利证书扫描件。")
            workflow.review_item(self.employer, hours, "reject", "学时证明与系统记录不符。")
        with _on(_shift(self.today, -5), 20):
            award = workflow.create_item(
                account, ArchiveCategory.AWARD, title="浙江省科学技术进步奖三等奖",
                organisation="浙江省人民政府", start_date=date(self.year - 1, 12, 1),
                details={"level": "省部级", "rank": 2})
            workflow.submit_item(account, award)
        with _on(_shift(self.today, -1), 21):
            workflow.create_item(account, ArchiveCategory.PROJECT, title="智能制造视觉检测平台")

    def archive_waiting(self, name) -> None:
        """Items submitted this week, not reviewed yet."""
        self.items(name, _shift(self.today, -4), None, decide=False)

    def person_of_the_second_unit(self) -> None:
        """林晓 works at 杭州样例设计院, whose authorization is still waiting: she has registered
        and written her basic information and first item, and chooses her unit once the
        platform has authorized it (an applicant can only choose an authorized unit)."""
        name, number, mobile = LIN
        with _on(_shift(self.today, -1), 19):
            account = accounts.register_applicant(name=name, id_number=number, mobile=mobile,
                                                  password=DEMO_PASSWORD)
            workflow.save_profile(account, highest_education="硕士研究生",
                                  current_title="工程师", current_title_date=date(2020, 12, 31))
            workflow.create_item(account, ArchiveCategory.EDUCATION,
                                 title="同济大学 建筑学 硕士研究生", organisation="同济大学",
                                 start_date=date(2009, 9, 1), end_date=date(2012, 6, 30),
                                 details={"major": "建筑学", "degree": "硕士研究生"})

    # --- step 4: applications -------------------------------------------------------------------

    def apply(self, name, status) -> None:
        """The application, from its creation to the unit's decision, on days that fit the
        step the person's application reached (the publicized ones before their batch)."""
        if status in FIRST_BATCH:
            start = self.first_start
        elif status in SECOND_BATCH:
            start = self.second_start
        else:
            start = None
        if start is not None:
            submitted, decided = _shift(start, -6), _shift(start, -3)
            items = self.items(name, _shift(start, -12), _shift(start, -10))
        else:
            submitted = _shift(self.today, {ApplicationStatus.PENDING: -3,
                                            ApplicationStatus.APPROVED: -8}.get(status, -12))
            decided = _shift(submitted, 2 if status == ApplicationStatus.APPROVED else 3)
            items = self.zhang_items if name == "张三" else self.items(
                name, _shift(self.today, -20), _shift(self.today, -17))
        account = self.people[name]
        created = submitted if status != ApplicationStatus.DRAFT else _shift(self.today, -2)
        with _on(created, 19):
            application = workflow.create_application(
                account, series=self.series, specialty="计算机应用",
                level=self.qualification.level, qualification=self.qualification,
                review_method=ReviewMethod.REVIEW, plan=self.plan)
            workflow.extract_items(account, application, [item.id for item in items])
            if status == ApplicationStatus.DRAFT:
                return
            workflow.submit_application(account, application, declared=True)
        if status == ApplicationStatus.PENDING:
            return
        with _on(decided, 10):
            if status == ApplicationStatus.RETURNED:
                assessment = next(item for item in application.items
                                  if item.category == ArchiveCategory.ASSESSMENT)
                workflow.review_application(self.employer, application, "return", RETURN_REASON,
                                            {assessment.id: "请上传单位盖章的年度考核登记表。"})
            elif status == ApplicationStatus.REJECTED:
                workflow.review_application(self.employer, application, "reject", REJECT_REASON)
            else:
                workflow.review_application(
                    self.employer, application, "approve",
                    f"经审核，{name}同志符合{self.qualification.name}任职资格申报条件，"
                    "申报材料完整无误，同意推荐。")
        self.applications[name] = application

    def batch(self, statuses):
        return [self.applications[name] for name, _, status in PEOPLE if status in statuses]

    # --- steps 5–6: publicity, objections, recommendation, acceptance --------------------------

    def first_batch(self) -> None:
        start, end = self.first_start, self.first_end
        applications = self.batch(FIRST_BATCH)
        with _on(start, 9):
            publicity = workflow.start_publicity(self.employer, applications, start,
                                                 objection_contact=OBJECTION_CONTACT, **OBJECTION)
        # An objection received during the period, checked and found untrue.
        zhou = self.applications["周敏"]
        received = _shift(start, 1)
        with _on(received, 15):
            objection = workflow.record_objection(self.employer, zhou, "反映其继续教育学时不足。",
                                                  received, raised_by="实名来信")
        with _on(_shift(received, 1), 11):
            workflow.resolve_objection(self.employer, objection, "dismiss",
                                       "经核查学时证明，学时符合要求，异议不属实。")
        # The first working day after the end date: the morning's first request closes the
        # period, then the unit recommends three of the four (周敏's waits).
        recommended = _shift(end, 1)
        with _on(recommended, 8, 30):
            workflow.close_ended_publicities()
        opinion = (f"该同志申报材料已于{workdays.month_day(publicity.start_date)}至"
                   f"{workdays.month_day(publicity.end_date)}在本单位公示，无异议，同意推荐。")
        with _on(recommended, 10):
            for name in ("吴磊", "郑静", "冯涛"):
                workflow.recommend_application(self.employer, self.applications[name],
                                               self.point, opinion)
        with _on(_shift(recommended, 2), 15):
            workflow.accept_application(self.acceptance, self.applications["郑静"],
                                        "材料齐全，予以受理。")
            workflow.return_to_unit(self.acceptance, self.applications["冯涛"],
                                    ACCEPTANCE_RETURN_REASON)
        # The admin binds both units to their 主管部门: what the first unit recommends from then
        # on passes it first; what it recommended before stays on its direct route.
        with _on(_shift(recommended, 2), 16):
            self.unit.supervisor_id = self.department.id
            self.second_employer.unit.supervisor_id = self.department.id
            db.session.flush()
            db.session.expire(self.unit, ["supervisor"])
        with _on(_shift(recommended, 2), 16, 30):
            for name in ("蒋华", "沈悦"):
                workflow.recommend_application(self.employer, self.applications[name],
                                               self.point, opinion)
        with _on(_shift(recommended, 2), 17, 30):
            workflow.return_from_level(self.department_account, self.applications["沈悦"],
                                       LEVEL_RETURN_REASON)

    def second_batch(self) -> None:
        start = self.second_start
        with _on(start, 9):
            workflow.start_publicity(self.employer, self.batch(SECOND_BATCH), start,
                                     objection_contact=OBJECTION_CONTACT, **OBJECTION)
        # Objections received since: one waiting for the unit's check, one found true.
        received = _shift(start, 1) if _shift(start, 1) < self.today else start
        with _on(received, 14):
            workflow.record_objection(self.employer, self.applications["孙伟"],
                                      "反映其项目获奖证书与实际参与情况不符。", received,
                                      raised_by="实名来信")
            upheld = workflow.record_objection(self.employer, self.applications["陈洁"],
                                               "反映其论文存在署名争议。", received,
                                               raised_by="匿名来信")
        with _on(received, 16, 30):
            workflow.resolve_objection(self.employer, upheld, "not_recommend",
                                       "经核实，论文署名存在争议，异议属实")
