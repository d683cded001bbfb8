"""List-page budget benchmark (DESIGN §9): server time empty vs. province-sized database.

    python bench/list_pages.py [--scale small|medium|province] [--database-url URL] [--keep]
                               [--page WHO:URL ...] [--reuse EMPTY_URL FULL_URL]

Builds two fresh databases (temp SQLite files, or uniquely named databases on the given server,
dropped at the end unless --keep) and seeds both with the same nearly empty world, through the
workflow: this year's review plan, one employer's unit with an application in every state, one
acceptance point, the platform admin. It measures the list pages of the three on both,
bulk-inserts the rest of the province into one of them with SQLAlchemy Core (with a plan per
year of the applications; each application in its year's plan, in its status since a moment of
the last 60 days, with the history the workflow would have written on the way: about four
review_record rows each, reasons of returns and rejections included), and measures again, the
two databases taking turns request by request so that a busy machine slows both alike. It prints a table: median of 5 warm runs (ms), ratio
populated/nearly empty (of the medians, and of the fastest runs), the same ratio before
populating (a control: ≈1 when the machine is steady), and the SQL query count nearly empty,
populated, and populated at page_size=100 (the same count whatever the page size: no N+1).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402
from stdnum.cn import ric, uscc  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from models import (  # noqa: E402
    AcceptancePoint,
    Account,
    Action,
    Applicant,
    Application,
    ApplicationItem,
    ApplicationRouteStop,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    AuditAction,
    AuditLog,
    Authorization,
    AuthorizationStatus,
    Notification,
    NotificationStatus,
    Objection,
    ObjectionStatus,
    OrganisationKind,
    PlanSeries,
    Publicity,
    ReviewMethod,
    ReviewPlan,
    ReviewRecord,
    ReviewStatus,
    Role,
    RouteDecision,
    Subject,
    TitleQualification,
    TitleSeries,
    Unit,
    WorkdayOverride,
    plan_acceptance_point,
    utcnow,
)
from tests import factories  # noqa: E402
from tests.databases import create_server_database, drop_server_database  # noqa: E402
from tests.helpers import CSRF_RE, login_url  # noqa: E402
from views.acceptance import InboxView  # noqa: E402
from views.columns import WAITED  # noqa: E402
from views.unit_review import ApplicationReviewView, ArchiveQueueView  # noqa: E402
from zcps import archive_summary, create_app, history_summary, unit_work, workflow  # noqa: E402
from zcps.catalogue import seed_catalogue  # noqa: E402
from zcps.database import upgrade_to_head  # noqa: E402
from zcps.extensions import db  # noqa: E402
from zcps.plans import from_beijing  # noqa: E402
from zcps.workdays import today as workday_today  # noqa: E402

SCALES = {
    # units, applicants, archive items, applications
    "small": (200, 8_000, 40_000, 8_000),
    "medium": (1_000, 40_000, 200_000, 40_000),
    "province": (5_000, 200_000, 1_000_000, 200_000),
}
# What grows besides: the big unit's people (each with 5 archive items and an application), of
# whom so many in its one publicity batch; audit log entries; SMS in the outbox.
GROWTH = {
    "small": {"big_people": 800, "batch_people": 500, "audit": 40_000, "outbox": 20_000},
    "medium": {"big_people": 2_000, "batch_people": 1_000, "audit": 200_000, "outbox": 100_000},
    "province": {"big_people": 8_000, "batch_people": 5_000, "audit": 1_000_000,
                 "outbox": 500_000},
}
BIG_UNIT = "大型测试单位"
LEVEL, LEVEL_ACCOUNT = "主管部门-基准", "level-bench"  # the measured reviewing level of a route

# (who, url): who is a key of ROLES, signed in on both databases. Add a page with a line here,
# or for one run with --page who:url.
PAGES = [
    # the unit (employer)
    ("employer", "/unit/"),  # home: what waits for the unit
    ("employer", "/unit/archive-review/"),
    ("employer", "/unit/archive-review/?tab=all"),
    ("employer", "/unit/unit_archive/?tab=all"),
    ("employer", "/unit/unit_application/?tab=all"),
    ("employer", "/unit/unit_applicant/"),
    ("employer", "/unit/publicity/?tab=all"),
    ("employer", "/unit/recommendation/?tab=all"),
    # the same queues sorted by how long each record has waited (已等待, longest first)
    ("employer", f"/unit/archive-review/?tab=all&sort={ArchiveQueueView.column_list.index(WAITED)}"
                 "&desc=1"),
    ("employer", "/unit/unit_application/?tab=all"
                 f"&sort={ApplicationReviewView.column_list.index(WAITED)}&desc=1"),
    # the acceptance point
    ("acceptance", "/acceptance/inbox/?tab=all"),
    ("acceptance", f"/acceptance/inbox/?tab=all&sort={InboxView.column_list.index(WAITED)}&desc=1"),
    # a reviewing level of the route (主管部门-基准, 500 units at province scale): each tab, the
    # default sort (推荐时间), 已等待, a search
    ("level", "/acceptance/"),
    ("level", "/acceptance/inbox/"),  # 待审核
    ("level", "/acceptance/inbox/?tab=passed"),
    ("level", "/acceptance/inbox/?tab=returned"),
    ("level", "/acceptance/inbox/?tab=all"),
    ("level", f"/acceptance/inbox/?tab=all&sort={InboxView.column_list.index(WAITED)}&desc=1"),
    ("level", "/acceptance/inbox/?tab=all&search=人员01234"),
    ("level", "/acceptance/inbox/?tab=all&search=330106196001010"),
    # the platform admin
    ("admin", "/admin/admin_unit/"),
    ("admin", "/admin/admin_authorization/?tab=all"),
    ("admin", "/admin/admin_calendar/"),
    ("admin", "/admin/plans/overdue/"),  # 超期与待办: units waiting past 7 days, work left
    # the statistics of this year's plan: 本单位统计, 受理统计, 统计分析
    ("employer", "/unit/statistics/"),
    ("acceptance", "/acceptance/statistics/"),
    ("admin", "/admin/statistics/"),
    # every search box, as an officer types: a whole code, its beginning, a name's word
    ("employer", "/unit/unit_applicant/?search=基准"),
    ("acceptance", "/acceptance/inbox/?tab=all&search=人员012345"),
    ("acceptance", "/acceptance/inbox/?tab=all&search=330106196001010"),
    ("acceptance", "/acceptance/inbox/?tab=all&page=100"),
    ("admin", "/admin/admin_unit/?search=省内单位0123"),
    ("admin", "/admin/admin_unit/?search=91330106MA1000123"),
    # the big unit: 8,000 people
    ("big", "/unit/unit_applicant/"),
    ("big", "/unit/unit_applicant/?page=300"),
    ("big", "/unit/unit_applicant/?search=大单位人员0123"),
    ("big", "/unit/unit_applicant/?search={big_id_number}"),
    ("big", "/unit/unit_applicant/?search=3301081970"),
    ("big", "/unit/archive-review/"),
    ("big", "/unit/archive-review/?tab=all"),
    ("big", "/unit/unit_application/?tab=all"),
    ("big", "/unit/unit_application/?tab=all&search=大单位人员0077"),
    ("big", "/unit/recommendation/?tab=all"),
    ("big", "/unit/publicity/?tab=all"),
    ("big", "/unit/publicity/details/?id={batch}"),  # the batch of 5,000 people
    ("big", "/unit/publicity/details/?id={batch}&people_page=100"),
    ("big", "/unit/publicity/export/{batch}"),  # its 公示表, 5,000 rows over HTTP
    # the audit log (1M entries; the 审计管理员's alone) and the SMS outbox (500k)
    ("auditor", "/admin/admin_audit/"),
    ("auditor", "/admin/admin_audit/?page=25000"),
    ("auditor", "/admin/admin_audit/?sort=0&desc=1"),
    ("auditor", "/admin/admin_audit/?search=10.12.34."),
    ("auditor", "/admin/admin_audit/?search=applicant:123456"),
    ("admin", "/admin/admin_notification/"),
    ("admin", "/admin/admin_notification/?tab=sent"),
    ("admin", "/admin/admin_notification/?tab=all&sort=0&desc=1"),
    ("admin", "/admin/admin_notification/?tab=all&search=13900123456"),
    ("admin", "/admin/admin_notification/?tab=all&search=人员0123"),
]
RUNS = 5
BATCH = 10_000
BIG_PAGE = 100  # one of Flask-Admin's page_size_options
N_POINTS = 40  # acceptance points added by populate(), each with one account
N_LEVELS = 20  # other 主管部门 added by populate_route(), each with one account
WAITING_MINUTES = 60 * 24 * 60  # populate()'s status_since: spread over the last 60 days
# Statuses whose application has been through a publicity batch / sits at an acceptance point.
PUBLICIZED_STATES = {s.value for s in (
    ApplicationStatus.PUBLICIZED, ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
    ApplicationStatus.ACCEPTANCE_RETURNED, ApplicationStatus.NOT_RECOMMENDED)}
AT_POINT_STATES = {s.value for s in (
    ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
    ApplicationStatus.ACCEPTANCE_RETURNED)}
DECIDED_STATES = {ApplicationStatus.ACCEPTED.value, ApplicationStatus.ACCEPTANCE_RETURNED.value}


class QueryLog:
    """Counts statements and keeps their durations (before/after_cursor_execute)."""

    def __init__(self, engine):
        self.engine = engine
        self.entries = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_start"].pop()
        self.entries.append((time.perf_counter() - started, statement, parameters))

    @property
    def count(self):
        return len(self.entries)


def config(workdir: Path, uri: str) -> dict:
    return {
        "INSTANCE_DIR": str(workdir / "instance"),
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "SMS_BACKEND": "file",
        "SMS_FILE": str(workdir / "sms.jsonl"),
        "SECRET_KEY": "bench-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "DB_STATEMENT_TIMEOUT": 0,  # loading a province takes longer than a request may
    }


def say(*args):
    print(*args, flush=True)


# --- the nearly empty database --------------------------------------------------------------

def publicity_periods(today):
    """(start, end) of a running batch (ends after today) and of an ended one."""
    return ((today - timedelta(days=2), today + timedelta(days=12)),
            (today - timedelta(days=45), today - timedelta(days=30)))


def holidays(year):
    """A year's calendar entries, roughly like the State Council's notice: (day, is_workday, note)."""
    rest = ([(date(year, 1, d), "元旦") for d in (1, 2, 3)]
            + [(date(year, 2, d), "春节") for d in range(10, 18)]
            + [(date(year, 4, d), "清明节") for d in (4, 5, 6)]
            + [(date(year, 5, d), "劳动节") for d in range(1, 6)]
            + [(date(year, 6, d), "端午节") for d in (10, 11, 12)]
            + [(date(year, 10, d), "国庆节") for d in range(1, 9)])
    work = [(date(year, 2, 7), "春节调休"), (date(year, 4, 27), "劳动节调休"),
            (date(year, 9, 28), "国庆节调休"), (date(year, 10, 11), "国庆节调休")]
    return sorted([(day, False, note) for day, note in rest]
                  + [(day, True, note) for day, note in work])


def plan_moments(year, today):
    """(apply_start, personal, unit, acceptance deadlines) of the year's plan, naive UTC: this
    year's is open, its unit deadline about 20 days ahead; an earlier year's has ended."""
    def at(day, hour=17, minute=30):
        return from_beijing(datetime.combine(day, day_time(hour, minute)))
    if year >= today.year:
        return (at(today - timedelta(days=90), 9, 0), at(today + timedelta(days=5)),
                at(today + timedelta(days=20)), at(today + timedelta(days=40)))
    return (at(date(year, 3, 1), 9, 0), at(date(year, 6, 30)), at(date(year, 7, 31)),
            at(date(year, 8, 31)))


def plan_name(year):
    return f"{year}年度职称评审"


def seed_small_world():
    """The measured unit (~20 applicants with a few items and an application in every state,
    reached by the workflow: its publicity batches, recommendations and objections), this
    year's plan covering every series, the measured acceptance point in it, the admin and the
    calendar."""
    seed_catalogue()
    db.session.flush()
    admin = factories.admin()
    auditor = factories.audit_admin()
    today = workday_today()
    # The calendar is reference data, entered from the State Council's notice whatever the
    # province's size: this year and next (≈70 days, more than a page) from the start; first,
    # so that the publicity periods the workflow counts skip its holidays.
    for year in (today.year, today.year + 1):
        for day, is_workday, note in holidays(year):
            db.session.add(WorkdayOverride(day=day, is_workday=is_workday, note=note,
                                           updated_by_id=admin.id))
    db.session.flush()
    apply_start, personal, unit_deadline, acceptance = plan_moments(today.year, today)
    plan = factories.plan(plan_name(today.year), year=today.year, apply_start=apply_start,
                          personal_deadline=personal, unit_deadline=unit_deadline,
                          acceptance_deadline=acceptance)
    covered = {row.series_id for row in plan.coverage}
    plan.coverage.extend(PlanSeries(series_id=series_id, level=None)
                         for series_id in db.session.scalars(
                             sa.select(TitleSeries.id).order_by(TitleSeries.id))
                         if series_id not in covered)
    point = factories.acceptance_point("受理点-基准", plan_record=plan)
    acceptance = factories.acceptance_account(point, "accept-bench")
    unit = factories.unit("基准测试单位")  # its 委托证明 approved
    employer = factories.employer(unit)
    other = factories.unit("另一单位", authorized=False)
    factories.authorization(other, AuthorizationStatus.PENDING)
    statuses = list(ReviewStatus)
    app_statuses = list(ApplicationStatus)
    groups = {}
    for i in range(20):
        person = factories.applicant(unit)
        for j in range(3):
            status = statuses[(i + j) % len(statuses)]
            factories.archive_item(person, status, list(ArchiveCategory)[j])
        groups.setdefault(app_statuses[i % len(app_statuses)], []).append(person)
    # One batch per state: those after the publicity share one (ended) batch, recommended to
    # the measured point; each 公示中 one has its own running batch; 不予推荐 by an upheld
    # objection.
    made = {status: factories.applications(people, status, plan=plan, acceptance_point=point)
            for status, people in groups.items()}
    # An open objection on an application under publicity, a dismissed one on one whose
    # period has ended (received on its last day).
    running = made[ApplicationStatus.PUBLICIZING][0]
    workflow.record_objection(employer, running, "反映其业绩与实际不符。", today,
                              raised_by="来信")
    ended = made[ApplicationStatus.PUBLICIZED][0]
    dismissed = workflow.record_objection(employer, ended, "反映其业绩与实际不符。",
                                          ended.publicity.end_date, raised_by="来信")
    workflow.resolve_objection(employer, dismissed, "dismiss", "经核查，异议不属实。")
    # The big unit, nearly empty here: two people, one in a running publicity batch.
    big = factories.unit(BIG_UNIT)
    big_employer = factories.employer(big)
    big_people = [factories.applicant(big, id_number=big_id_number(n)) for n in range(2)]
    for n, person in enumerate(big_people):
        factories.archive_item(person, statuses[n], ArchiveCategory.PAPER)
    batch = factories.applications(big_people[:1], ApplicationStatus.PUBLICIZING, plan=plan)
    level = seed_level(plan, point)
    db.session.commit()
    return {"employer": employer.username, "acceptance": acceptance.username,
            "admin": admin.username, "auditor": auditor.username,
            "big": big_employer.username, "level": level.username}, {
                "batch": batch[0].publicity_id, "big_id_number": big_id_number(1)}


def seed_level(plan, point):
    """The measured 主管部门 and its account, with one unit of its own whose recommendations
    went through it: two wait there, one it passed on to the measured point, two it returned."""
    level = factories.reviewing_level(LEVEL)
    account = factories.acceptance_account(level, LEVEL_ACCOUNT)
    unit = factories.unit("主管部门下属单位", supervisor_id=level.id)
    people = [factories.applicant(unit) for _ in range(5)]
    recommended = factories.applications(people[:3], ApplicationStatus.RECOMMENDED, plan=plan,
                                         acceptance_point=point)
    workflow.pass_on(account, recommended[0], "同意。")
    factories.applications(people[3:], ApplicationStatus.ROUTE_RETURNED, plan=plan,
                           acceptance_point=point)
    return account


def recall_small_world():
    """seed_small_world's answer, read back from a database it seeded (for --reuse)."""
    def uscc_of(name):
        return db.session.scalar(sa.select(Unit.uscc).where(Unit.name == name))

    big_unit = db.session.scalar(sa.select(Unit.id).where(Unit.name == BIG_UNIT))
    batch = db.session.scalar(sa.select(sa.func.min(Publicity.id))
                              .where(Publicity.unit_id == big_unit))
    return {"employer": uscc_of("基准测试单位"), "acceptance": "accept-bench",
            "admin": factories.admin().username, "auditor": factories.audit_admin().username,
            "big": uscc_of(BIG_UNIT), "level": LEVEL_ACCOUNT}, {"batch": batch, "big_id_number": big_id_number(1)}


def big_id_number(n):
    """The big unit's people's 身份证号 (another district than the province's others)."""
    birth = date(1970, 1, 1) + timedelta(days=n // 1000)
    body = f"330108{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


# --- the rest of the province (Core executemany) --------------------------------------------

def insert_batches(connection, table, rows, label):
    total = 0
    batch = []
    started = time.perf_counter()
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            total += len(batch)
            batch = []
            if total % (BATCH * 10) == 0:
                say(f"    {label}: {total:,} rows ({time.perf_counter() - started:.0f}s)")
    if batch:
        connection.execute(table.insert(), batch)
        total += len(batch)
    say(f"  {label}: {total:,} rows in {time.perf_counter() - started:.1f}s")
    return total


def populate(engine, scale: str):
    n_units, n_people, n_items, n_apps = SCALES[scale]
    unit_t, person_t = Unit.__table__, Applicant.__table__
    item_t, app_t = ArchiveItem.__table__, Application.__table__
    auth_t, account_t, point_t = Authorization.__table__, Account.__table__, AcceptancePoint.__table__
    publicity_t, objection_t = Publicity.__table__, Objection.__table__
    workday_t = WorkdayOverride.__table__
    plan_t, coverage_t, plan_point_t = (ReviewPlan.__table__, PlanSeries.__table__,
                                        plan_acceptance_point)
    now = utcnow()
    today = workday_today()
    (run_start, run_end), (end_start, end_end) = publicity_periods(today)
    stamp = {"created_at": now, "updated_at": now}
    password_hash = generate_password_hash("Secret-2026", method="pbkdf2:sha256:1000")
    say(f"Populating ({scale}): {n_units:,} units, {n_people:,} applicants, "
        f"{n_items:,} archive items, {n_apps:,} applications")
    started = time.perf_counter()
    with engine.begin() as conn:
        base_unit = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(unit_t.c.id), 0)))
        base_person = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(person_t.c.id), 0)))
        base_app = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(app_t.c.id), 0)))
        qual = conn.execute(sa.select(TitleQualification.__table__)).mappings().all()
        # The measured point (the seed's) gets a third of what is recommended: the busiest.
        measured_point = conn.scalar(sa.select(point_t.c.id).where(point_t.c.name == "受理点-基准"))
        base_point = conn.scalar(sa.select(sa.func.max(point_t.c.id)))
        insert_batches(conn, point_t, ({"name": f"受理点{i}", "region": "", "address": "",
                                         "contact_phone": "", "active": True, **stamp}
                                        for i in range(N_POINTS)), "acceptance_point")
        points = conn.scalars(sa.select(point_t.c.id).where(point_t.c.id > base_point)
                              .order_by(point_t.c.id)).all()
        insert_batches(conn, account_t, ({"username": f"accept-{point}", "display_name": "受理员",
                                           "password_hash": password_hash,
                                           "role": Role.ACCEPTANCE.value,
                                           "acceptance_point_id": point, "active": True, **stamp}
                                          for point in points), "account (acceptance)")

        auth_statuses = [s.value for s in AuthorizationStatus]

        def units():
            for i in range(n_units):
                body = f"91330106MA{1_000_000 + i:07d}"
                yield {"name": f"省内单位{i:05d}", "uscc": body + uscc.calc_check_digit(body),
                       "address": "浙江省", "legal_representative": "法人",
                       "contact_name": "联系人", "contact_mobile": "13800000000",
                       "authorization_status": auth_statuses[i % len(auth_statuses)],
                       "active": True, **stamp}
        insert_batches(conn, unit_t, units(), "unit")
        unit_rows = conn.execute(sa.select(unit_t.c.id, unit_t.c.uscc, unit_t.c.authorization_status)
                                 .where(unit_t.c.id > base_unit).order_by(unit_t.c.id)).all()
        unit_ids = [r.id for r in unit_rows]

        insert_batches(conn, account_t, ({"username": r.uscc, "display_name": r.uscc,
                                           "password_hash": password_hash,
                                           "role": Role.EMPLOYER.value, "unit_id": r.id,
                                           "active": True, **stamp} for r in unit_rows),
                       "account (employer)")

        def authorizations():
            for k, r in enumerate(unit_rows):
                if r.authorization_status == AuthorizationStatus.NONE.value:
                    continue
                body = f"330106196501{(k % 28) + 1:02d}{k % 1000:03d}"
                yield {"unit_id": r.id, "officer_name": "经办人",
                       "officer_id_number": body + ric.calc_check_digit(body + "0"),
                       "officer_mobile": "13900000001", "file_id": None,
                       "status": r.authorization_status, "submitted_at": now,
                       "opinion": "", "version": 1, **stamp}
        insert_batches(conn, auth_t, authorizations(), "unit_authorization")

        # Two publicity batches per unit: one running (its applications 公示中), one ended.
        base_publicity = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(publicity_t.c.id), 0)))
        insert_batches(conn, publicity_t, (
            {"unit_id": unit_id, "title": f"省内单位{k:05d}职称申报人员公示（{label}）",
             "start_date": start, "end_date": end, "earliest_end_date": end,
             "count_start_day": False, "objection_contact": "人事处", "created_by_id": None,
             # The ended batch was closed by a request the day after it ended (else the first
             # request measured closes 5,000 batches, after the statistics were taken).
             "closed_at": None if end >= today else datetime.combine(end, day_time(16)),
             **stamp}
            for k, unit_id in enumerate(unit_ids)
            for label, start, end in (("第一批", end_start, end_end),
                                      ("第二批", run_start, run_end))), "publicity")
        running, ended = {}, {}
        for row in conn.execute(sa.select(publicity_t.c.id, publicity_t.c.unit_id,
                                          publicity_t.c.end_date)
                                .where(publicity_t.c.id > base_publicity)):
            (running if row.end_date >= today else ended)[row.unit_id] = row.id

        review_statuses = [s.value for s in ReviewStatus]
        first_day = date(1960, 1, 1)

        def people():
            for i in range(n_people):
                birth = first_day + timedelta(days=i // 1000)
                body = f"330106{birth:%Y%m%d}{i % 1000:03d}"
                yield {"name": f"人员{i:06d}", "id_number": body + ric.calc_check_digit(body + "0"),
                       "sex": "male" if i % 2 else "female", "birth_date": birth,
                       "mobile": f"139{i:08d}", "unit_id": unit_ids[i % len(unit_ids)],
                       "highest_education": "本科", "current_title": "",
                       "profile_status": review_statuses[i % len(review_statuses)],
                       "profile_remark": "", "version": 1, **stamp}
        insert_batches(conn, person_t, people(), "applicant")
        person_rows = conn.execute(sa.select(person_t.c.id, person_t.c.unit_id)
                                   .where(person_t.c.id > base_person)
                                   .order_by(person_t.c.id)).all()

        # A plan per year of the applications: the seed's for this year (now also taking the
        # new points), the earlier years' ended; each covers every series and every point.
        def year_of(k):
            return today.year - k // len(person_rows)

        plans = dict(conn.execute(sa.select(plan_t.c.name, plan_t.c.id)).all())
        years = sorted({year_of(k) for k in range(0, n_apps, len(person_rows))})
        insert_batches(conn, plan_t, (
            {"year": year, "name": plan_name(year),
             **dict(zip(("apply_start", "personal_deadline", "unit_deadline",
                         "acceptance_deadline"), plan_moments(year, today))),
             "contact": "省职改办 0571-87000000", "notes": "", **stamp}
            for year in years if plan_name(year) not in plans), "review_plan")
        plans = dict(conn.execute(sa.select(plan_t.c.name, plan_t.c.id)).all())
        plan_of_year = {year: plans[plan_name(year)] for year in years}
        series_ids = conn.scalars(sa.select(TitleSeries.__table__.c.id)).all()
        covered = set(conn.execute(sa.select(coverage_t.c.plan_id, coverage_t.c.series_id)
                                   .where(coverage_t.c.level.is_(None))).all())
        insert_batches(conn, coverage_t, ({"plan_id": plan_id, "series_id": series_id,
                                           "level": None}
                                          for plan_id in plan_of_year.values()
                                          for series_id in series_ids
                                          if (plan_id, series_id) not in covered), "plan_series")
        linked = set(conn.execute(sa.select(plan_point_t.c.plan_id,
                                            plan_point_t.c.acceptance_point_id)).all())
        all_points = conn.scalars(sa.select(point_t.c.id)).all()
        insert_batches(conn, plan_point_t, ({"plan_id": plan_id, "acceptance_point_id": point}
                                            for plan_id in plan_of_year.values()
                                            for point in all_points
                                            if (plan_id, point) not in linked),
                       "plan_acceptance_point")

        categories = [c.value for c in ArchiveCategory]

        def items():
            for k in range(n_items):
                person = person_rows[k % len(person_rows)]
                status = review_statuses[(k // len(person_rows) + k) % len(review_statuses)]
                yield {"applicant_id": person.id,
                       "unit_id": None if status == ReviewStatus.DRAFT.value else person.unit_id,
                       "category": categories[k % len(categories)], "status": status,
                       "title": f"业绩{k}", "organisation": "", "details": {}, "remark": "",
                       "submitted_at": now, "version": 1, **stamp}
        insert_batches(conn, item_t, items(), "archive_item")

        app_statuses = [s.value for s in ApplicationStatus]

        def applications():
            at_point = 0
            for k in range(n_apps):
                person = person_rows[k % len(person_rows)]
                q = qual[k % len(qual)]
                status = app_statuses[k % len(app_statuses)]
                point = None
                if status in AT_POINT_STATES:
                    at_point += 1
                    point = measured_point if at_point % 3 == 0 else points[at_point % len(points)]
                publicity = (running[person.unit_id] if status == ApplicationStatus.PUBLICIZING.value
                             else ended[person.unit_id] if status in PUBLICIZED_STATES else None)
                year = year_of(k)
                # In its status since a moment of the last 60 days, not in the order of the ids.
                since = now - timedelta(minutes=(k * 7919) % WAITING_MINUTES)
                yield {"applicant_id": person.id, "unit_id": person.unit_id,
                       "year": year, "plan_id": plan_of_year[year], "status_since": since,
                       "series_id": q["series_id"], "specialty": "", "level": q["level"],
                       "qualification_id": q["id"], "review_method": ReviewMethod.REVIEW.value,
                       "current_title": "", "status": status, "round": 0,
                       "profile_snapshot": {}, "opinion": "", "submitted_at": now,
                       "publicity_id": publicity, "acceptance_point_id": point,
                       "recommended_at": now - timedelta(minutes=k) if point else None,
                       "acceptance_decided_at": now if status in DECIDED_STATES else None,
                       "recommendation_opinion": "同意推荐。" if point else "",
                       "acceptance_opinion": "", "version": 1, **stamp}
        insert_batches(conn, app_t, applications(), "application")

        # A few objections: one in 40 applications under publicity (open while it runs).
        objected = conn.execute(
            sa.select(app_t.c.id, app_t.c.unit_id, app_t.c.publicity_id, app_t.c.status)
            .where(app_t.c.id > base_app, app_t.c.id % 40 == 0,
                   app_t.c.status.in_([ApplicationStatus.PUBLICIZING.value,
                                       ApplicationStatus.PUBLICIZED.value]))).all()

        def objections():
            for row in objected:
                is_open = row.status == ApplicationStatus.PUBLICIZING.value
                yield {"application_id": row.id, "publicity_id": row.publicity_id,
                       "unit_id": row.unit_id, "content": "反映其业绩与实际不符。",
                       "received_on": run_start if is_open else end_start, "raised_by": "来信",
                       "status": (ObjectionStatus.OPEN if is_open
                                  else ObjectionStatus.DISMISSED).value,
                       "outcome": None, "resolution": "" if is_open else "经核查，异议不属实。",
                       "resolved_at": None if is_open else now, "resolved_by_id": None,
                       "version": 1, **stamp}
        insert_batches(conn, objection_t, objections(), "objection")

        # Ten past years of the calendar (this year and next are seeded).
        insert_batches(conn, workday_t, ({"day": day, "is_workday": is_workday, "note": note,
                                          "updated_by_id": None, "updated_at": now}
                                         for year in range(today.year - 10, today.year)
                                         for day, is_workday, note in holidays(year)),
                       "workday_override")
    populate_route(engine, scale, base_unit, base_app, stamp)
    populate_growth(engine, scale, stamp, now)
    populate_history(engine, base_app)
    # Bulk rows bypass the workflow: the 超期与待办 counts, 业绩档案审核's rows and 统计分析's
    # summaries of the history are recounted as after a repair.
    with sa.orm.Session(engine) as session:
        say(f"  plan_unit_work: {unit_work.rebuild(session):,} rows")
        say(f"  archive_review_summary: {archive_summary.rebuild(session):,} rows")
        say(f"  plan history summaries: {history_summary.rebuild(session):,} rows")
        session.commit()
    # What autovacuum would have done on a live database after the load: statistics, and on
    # PostgreSQL the visibility map that lets counts be answered from an index alone.
    command = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    say(f"  inserted in {time.perf_counter() - started:.1f}s; running {command}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(command))


def populate_route(engine, scale, base_unit, base_app, stamp):
    """The route of a recommendation: the measured 主管部门 with 500 units bound to it (1/8 of
    the units at smaller scales), N_LEVELS other 主管部门 with as many units between them, and
    the stops each bulk-loaded recommendation would have written (its unit's level, then its
    point). Of what a level reviewed: 已推荐 ones half wait at it (acceptance_point_id NULL),
    half it passed on; 审核机构退回 ones it returned; 已受理 / 受理点退回 ones it passed on."""
    n_units = SCALES[scale][0]
    n_bound = min(500, n_units // 8)
    point_t, account_t, unit_t = AcceptancePoint.__table__, Account.__table__, Unit.__table__
    app_t, stop_t = Application.__table__, ApplicationRouteStop.__table__
    department = OrganisationKind.DEPARTMENT.value
    S = ApplicationStatus
    password_hash = generate_password_hash("Secret-2026", method="pbkdf2:sha256:1000")
    with engine.begin() as conn:
        measured = conn.scalar(sa.select(point_t.c.id).where(point_t.c.name == LEVEL))
        base_point = conn.scalar(sa.select(sa.func.max(point_t.c.id)))
        insert_batches(conn, point_t, ({"name": f"主管部门{i}", "region": "", "address": "",
                                         "contact_phone": "", "active": True, "kind": department,
                                         **stamp} for i in range(N_LEVELS)),
                       "acceptance_point (主管部门)")
        others = conn.scalars(sa.select(point_t.c.id).where(point_t.c.id > base_point)
                              .order_by(point_t.c.id)).all()
        insert_batches(conn, account_t, ({"username": f"level-{level}", "display_name": "审核员",
                                           "password_hash": password_hash,
                                           "role": Role.ACCEPTANCE.value,
                                           "acceptance_point_id": level, "active": True, **stamp}
                                          for level in others), "account (主管部门)")
        unit_ids = conn.scalars(sa.select(unit_t.c.id).where(unit_t.c.id > base_unit)
                                .order_by(unit_t.c.id)).all()
        # Eight units in 64 to the measured level, the next eight to the others: runs of eight
        # consecutive units, as each holds applications in two statuses (populate()'s cycles).
        supervisor = {}
        for k, unit_id in enumerate(unit_ids):
            if k // 64 * 8 + k % 8 >= n_bound:
                continue
            if k // 8 % 8 == 0:
                supervisor[unit_id] = measured
            elif k // 8 % 8 == 1:
                supervisor[unit_id] = others[k // 64 % len(others)]
        for level in {measured, *others}:
            bound = [unit_id for unit_id, of in supervisor.items() if of == level]
            for start in range(0, len(bound), 1000):
                conn.execute(unit_t.update().where(unit_t.c.id.in_(bound[start:start + 1000]))
                             .values(supervisor_id=level))
        say(f"  unit.supervisor_id: {len(supervisor):,} units, "
            f"{n_bound:,} of them to {LEVEL}")
        apps = conn.execute(sa.select(app_t.c.id, app_t.c.unit_id, app_t.c.status,
                                      app_t.c.status_since, app_t.c.acceptance_point_id,
                                      app_t.c.round)
                            .where(app_t.c.id > base_app,
                                   app_t.c.status.in_([S.RECOMMENDED.value, S.ACCEPTED.value,
                                                       S.ACCEPTANCE_RETURNED.value,
                                                       S.ROUTE_RETURNED.value]))
                            .order_by(app_t.c.id)).all()
        points = conn.scalars(sa.select(point_t.c.id).where(
            point_t.c.kind == OrganisationKind.ACCEPTANCE.value).order_by(point_t.c.id)).all()
        at_level = []  # 已推荐 and waiting at its unit's level: not yet at a point
        reviewed = [0]  # 已推荐 ones through a level so far

        def stops():
            for k, app in enumerate(apps):
                level = supervisor.get(app.unit_id)
                status = S(app.status)
                if level is None and status == S.ROUTE_RETURNED:
                    continue  # returned by a level: only a bound unit's
                point = app.acceptance_point_id or points[k % len(points)]
                since = app.status_since
                waits = False
                if status == S.RECOMMENDED and level is not None:
                    reviewed[0] += 1
                    waits = reviewed[0] % 2 == 1  # every other one a level reviewed
                if waits:
                    at_level.append(app.id)
                row = {"application_id": app.id, "attempt": 1, "round": app.round,
                       "opinion": "", "decided_by_id": None}
                position = 0
                if level is not None:
                    decision = (None if waits else RouteDecision.RETURNED.value
                                if status == S.ROUTE_RETURNED else RouteDecision.PASSED.value)
                    reached = since - timedelta(hours=STEP_HOURS) if decision else since
                    yield {**row, "position": 0, "organisation_id": level, "reached_at": reached,
                           "decided_at": since if decision else None, "decision": decision,
                           "opinion": reason(POINT_RETURN_REASONS, k)
                           if decision == RouteDecision.RETURNED.value else ""}
                    position = 1
                reached = not waits and status != S.ROUTE_RETURNED
                decided = status in (S.ACCEPTED, S.ACCEPTANCE_RETURNED)
                yield {**row, "position": position, "organisation_id": point,
                       "reached_at": since - timedelta(hours=STEP_HOURS) if decided
                       else since if reached else None,
                       "decided_at": since if decided else None,
                       "decision": (RouteDecision.PASSED if status == S.ACCEPTED
                                    else RouteDecision.RETURNED).value if decided else None}
        insert_batches(conn, stop_t, stops(), "application_route_stop")
        for start in range(0, len(at_level), 1000):
            conn.execute(app_t.update().where(app_t.c.id.in_(at_level[start:start + 1000]))
                         .values(acceptance_point_id=None))
        say(f"  application: {len(at_level):,} waiting at a level (acceptance_point_id NULL)")


def populate_growth(engine, scale, stamp, now):
    """The big unit's people, its publicity batch of thousands, the audit log and the outbox."""
    grow = GROWTH[scale]
    person_t, item_t, app_t = Applicant.__table__, ArchiveItem.__table__, Application.__table__
    app_item_t = ApplicationItem.__table__
    review_statuses = [s.value for s in ReviewStatus]
    app_statuses = [s.value for s in ApplicationStatus if s not in (
        ApplicationStatus.PUBLICIZING, ApplicationStatus.PUBLICIZED)]
    categories = [c.value for c in ArchiveCategory]
    with engine.begin() as conn:
        unit_id = conn.scalar(sa.select(Unit.__table__.c.id).where(Unit.__table__.c.name == BIG_UNIT))
        batch = conn.execute(sa.select(Publicity.__table__).where(
            Publicity.__table__.c.unit_id == unit_id)).mappings().one()
        template = conn.execute(sa.select(app_t).where(
            app_t.c.publicity_id == batch["id"])).mappings().first()
        base_person = conn.scalar(sa.select(sa.func.max(person_t.c.id)))
        first = 2  # the seed's two
        insert_batches(conn, person_t, (
            {"name": f"大单位人员{i:05d}", "id_number": big_id_number(i),
             "sex": "male" if i % 2 else "female",
             "birth_date": date(1970, 1, 1) + timedelta(days=i // 1000),
             "mobile": f"138{i:08d}", "unit_id": unit_id, "highest_education": "本科",
             "current_title": "", "profile_status": review_statuses[i % len(review_statuses)],
             "profile_remark": "", "version": 1, **stamp}
            for i in range(first, grow["big_people"])), "applicant (big unit)")
        people = conn.scalars(sa.select(person_t.c.id).where(person_t.c.id > base_person)
                              .order_by(person_t.c.id)).all()
        insert_batches(conn, item_t, (
            {"applicant_id": person, "unit_id": unit_id, "category": categories[k % len(categories)],
             "status": review_statuses[(k + n) % len(review_statuses)], "title": f"业绩{k}",
             "organisation": "", "details": {}, "remark": "", "submitted_at": now, "version": 1,
             **stamp}
            for n, person in enumerate(people) for k in range(5)), "archive_item (big unit)")
        keep = ("year", "plan_id", "series_id", "specialty", "level", "qualification_id",
                "review_method", "current_title", "round", "opinion", "recommendation_opinion",
                "acceptance_opinion", "version")
        in_batch = grow["batch_people"] - 1  # the seed's one is there already

        def applications():
            for n, person in enumerate(people):
                status = (ApplicationStatus.PUBLICIZING.value if n < in_batch
                          else app_statuses[n % len(app_statuses)])
                yield {**{key: template[key] for key in keep}, "applicant_id": person,
                       "unit_id": unit_id, "status": status,
                       "status_since": now - timedelta(minutes=n), "submitted_at": now,
                       "publicity_id": batch["id"] if n < in_batch else None,
                       "profile_snapshot": {"name": f"大单位人员{n + first:05d}", "sex": "male",
                                            "birth_date": "1970-01-01",
                                            "highest_education": "本科"},
                       "acceptance_point_id": None, **stamp}
        insert_batches(conn, app_t, applications(), "application (big unit)")
        batch_apps = conn.scalars(sa.select(app_t.c.id).where(
            app_t.c.publicity_id == batch["id"])).all()
        insert_batches(conn, app_item_t, (
            {"application_id": application, "category": category, "title": f"{label}题目{k}",
             "organisation": "土木工程学报", "start_date": date(2020 + k, 1, 1),
             "details": {}, "file_ids": [], "remark": ""}
            for application in batch_apps
            for k, (category, label) in enumerate(((ArchiveCategory.PAPER.value, "论文"),
                                                   (ArchiveCategory.PROJECT.value, "项目")))),
                       "application_item (batch)")
        actions = [a.value for a in AuditAction]
        insert_batches(conn, AuditLog.__table__, (
            {"actor_id": None, "action": actions[k % len(actions)],
             "target": f"applicant:{k}" if k % 2 else f"employer:91330106MA{k % 10_000_000:07d}",
             "detail": {}, "ip_address": f"10.{k % 256}.{(k // 256) % 256}.{k % 250 + 1}",
             "created_at": now - timedelta(seconds=3 * (grow["audit"] - k))}
            for k in range(grow["audit"])), "audit_log")
        statuses = ([NotificationStatus.SENT.value] * 18 + [NotificationStatus.FAILED.value]
                    + [NotificationStatus.PENDING.value])
        insert_batches(conn, Notification.__table__, (
            {"mobile": f"139{k:08d}", "template": "application_approve",
             "text": f"【浙江职称】人员{k:06d}：您申报的高级工程师已通过省内单位{k % 5000:05d}审核，"
                     "下一步将进行信息公示。",
             "status": statuses[k % len(statuses)], "attempts": 1, "interruptions": 0,
             "last_error": "", "next_attempt_at": now,
             "sent_at": now if statuses[k % len(statuses)] == "sent" else None,
             "created_at": now - timedelta(seconds=5 * (grow["outbox"] - k))}
            for k in range(grow["outbox"])), "notification")


# Reasons officers write, the first ones the commonest (a return's, a rejection's, a point's).
RETURN_REASONS = ["缺少学历证书。", "业绩材料未盖单位公章。", "论文检索证明缺失。", "继续教育学时不足。",
                  "请补充近五年年度考核表。", "工作经历时间不连续，请说明。", "专业技术工作总结字数不足。",
                  "获奖证书扫描件不清晰。", "请写明岗位全称。", "项目合同未附验收意见。"]
REJECT_REASONS = ["不符合申报条件。", "任职年限不满。", "学历与申报专业不符。", "年度考核不合格。",
                  "业绩材料与实际不符。"]
POINT_RETURN_REASONS = ["缺少单位推荐意见盖章页。", "申报评审表未签字。", "推荐花名册与系统不一致。",
                        "请补交委托证明原件。"]
STEP_HOURS = 19  # between two steps of an application's history: a working day or so
APP = Subject.APPLICATION.value


def reason(reasons, k):
    """Word for word one of ``reasons``, the first the commonest (about as skewed as life)."""
    return reasons[int(len(reasons) * ((k * 2654435761) % 1000 / 1000) ** 2)]


def history_of(app, k):
    """The history rows of one bulk-loaded application, as the workflow would have written them,
    ending at its status_since: submitted, in one of five sent back once and resubmitted, and the
    decisions that brought it to its status (reasons on returns and rejections)."""
    S, status = ApplicationStatus, ApplicationStatus(app.status)
    steps = [(Action.SUBMIT, S.DRAFT, S.PENDING, "", 0)]
    later = status not in (S.DRAFT, S.PENDING, S.RETURNED, S.REJECTED)
    if k % 5 == 0 and status != S.RETURNED:
        steps += [(Action.RETURN, S.PENDING, S.RETURNED, reason(RETURN_REASONS, k), 0),
                  (Action.RESUBMIT, S.RETURNED, S.PENDING, "", 1)]
    round_no = steps[-1][4]
    if status == S.RETURNED:
        steps.append((Action.RETURN, S.PENDING, S.RETURNED, reason(RETURN_REASONS, k), round_no))
    elif status == S.REJECTED:
        steps.append((Action.REJECT, S.PENDING, S.REJECTED, reason(REJECT_REASONS, k), round_no))
    elif later:
        steps.append((Action.APPROVE, S.PENDING, S.APPROVED, "同意。", round_no))
        if status != S.APPROVED:
            steps.append((Action.PUBLICIZE, S.APPROVED, S.PUBLICIZING, "", round_no))
        if status not in (S.APPROVED, S.PUBLICIZING):
            steps.append((Action.PUBLICITY_END, S.PUBLICIZING, S.PUBLICIZED, "", round_no))
        if status == S.NOT_RECOMMENDED:
            steps.append((Action.OBJECTION_UPHELD, S.PUBLICIZED, S.NOT_RECOMMENDED,
                          "经核查，异议属实。", round_no))
        if status in (S.RECOMMENDED, S.ACCEPTED, S.ACCEPTANCE_RETURNED):
            steps.append((Action.RECOMMEND, S.PUBLICIZED, S.RECOMMENDED, "同意推荐。", round_no))
        if status == S.ACCEPTED:
            steps.append((Action.ACCEPT, S.RECOMMENDED, S.ACCEPTED, "予以受理。", round_no))
        if status == S.ACCEPTANCE_RETURNED:
            steps.append((Action.ACCEPTANCE_RETURN, S.RECOMMENDED, S.ACCEPTANCE_RETURNED,
                          reason(POINT_RETURN_REASONS, k), round_no))
    at_point = {Action.ACCEPT, Action.ACCEPTANCE_RETURN}
    for n, (action, before, after, opinion, round_no) in enumerate(steps):
        yield {"subject": APP, "subject_id": app.id, "action": action.value,
               "from_status": before.value, "to_status": after.value, "opinion": opinion,
               "remarks": [], "round": round_no, "actor_id": None,
               "actor_role": (Role.APPLICANT if action in (Action.SUBMIT, Action.RESUBMIT)
                              else Role.ACCEPTANCE if action in at_point
                              else Role.EMPLOYER).value,
               "actor_name": "", "officer_name": "", "unit_id": app.unit_id,
               "applicant_id": app.applicant_id,
               "acceptance_point_id": app.acceptance_point_id if action in at_point else None,
               "created_at": app.status_since - timedelta(hours=STEP_HOURS * (len(steps) - 1 - n))}


def populate_history(engine, base_app):
    """The bulk-loaded applications' history (review_record), for the statistics of returns,
    reasons, review times and the daily line: about three rows per application."""
    app_t = Application.__table__
    with engine.begin() as conn:
        apps = conn.execute(sa.select(app_t.c.id, app_t.c.status, app_t.c.status_since,
                                      app_t.c.unit_id, app_t.c.applicant_id,
                                      app_t.c.acceptance_point_id)
                            .where(app_t.c.id > base_app,
                                   app_t.c.status != ApplicationStatus.DRAFT.value)
                            .order_by(app_t.c.id)).all()
        insert_batches(conn, ReviewRecord.__table__,
                       (row for k, app in enumerate(apps) for row in history_of(app, k)),
                       "review_record (applications)")


# --- measuring ------------------------------------------------------------------------------

def sign_in(client, role, username):
    url = login_url(role)
    page = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(url, data={"csrf_token": token, "username": username,
                                      "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


ROLES = {"employer": Role.EMPLOYER, "acceptance": Role.ACCEPTANCE, "admin": Role.PLATFORM_ADMIN,
         "auditor": Role.PLATFORM_ADMIN, "big": Role.EMPLOYER, "level": Role.ACCEPTANCE}


class Side:
    """One database with the small world seeded, and a signed-in client per role."""

    def __init__(self, name, workdir: Path, uri: str, reuse: bool = False):
        self.name, self.uri = name, uri
        self.app = create_app(config(workdir / name, uri))
        with self.app.app_context():
            upgrade_to_head()
            usernames, self.ids = recall_small_world() if reuse else seed_small_world()
            self.engine = db.engine
        self.usernames = usernames
        self.sign_in()

    def sign_in(self):
        """A signed-in client per role (again after a load longer than a session's idle time)."""
        self.clients = {who: self.app.test_client() for who in ROLES}
        for who, role in ROLES.items():
            sign_in(self.clients[who], role, self.usernames[who])

    def get(self, who, url):
        response = self.clients[who].get(url.format(**self.ids))
        assert response.status_code == 200, (self.name, url, response.status_code)
        return response

    def close(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(sides):
    """Every page on every side, the sides taking turns run by run (a busy machine slows
    both alike); returns {side name: {(who, url): (median ms, queries, statements, min ms)}}."""
    for _ in range(5):  # warm-up: templates, statement caches, DB caches; psycopg prepares after 5
        for who, url in PAGES:
            for side in sides:
                side.get(who, url)
    results = {side.name: {} for side in sides}
    for who, url in PAGES:
        times = {side.name: [] for side in sides}
        logs = {}
        for _ in range(RUNS):
            for side in sides:
                with QueryLog(side.engine) as log:
                    started = time.perf_counter()
                    side.get(who, url)
                    times[side.name].append((time.perf_counter() - started) * 1000)
                logs[side.name] = log
        for side in sides:
            ms, log = times[side.name], logs[side.name]
            results[side.name][(who, url)] = (statistics.median(ms), log.count, log.entries, min(ms))
    return results


def big_page_counts(side):
    """The query count of each page at page_size=100: equal to the default's when no N+1."""
    counts = {}
    for who, url in PAGES:
        big = f"{url}{'&' if '?' in url else '?'}page_size={BIG_PAGE}"
        with QueryLog(side.engine) as log:
            side.get(who, big)
        counts[(who, url)] = log.count
    return counts


def run(args):
    workdir = Path(tempfile.mkdtemp(prefix="zcps_bench_"))
    if args.reuse:
        return rerun(args, workdir)
    uris = {}
    for name in ("empty", "full"):
        if args.database_url:
            uris[name] = create_server_database(args.database_url, prefix=f"zcps_bench_{name}")
        else:
            uris[name] = f"sqlite:///{workdir / f'bench_{name}.sqlite3'}"
        say(f"Database ({name}): {uris[name].split('@')[-1]}")
    sides = []
    try:
        for name in ("empty", "full"):
            sides.append(Side(name, workdir, uris[name]))
        empty, full = sides
        say("Measuring both nearly empty databases (load average %.1f %.1f %.1f)"
            % os.getloadavg())
        before = measure(sides)
        populate(full.engine, args.scale)
        for side in sides:
            side.sign_in()
        say("Measuring the nearly empty and the populated database, in turn "
            "(load average %.1f %.1f %.1f)" % os.getloadavg())
        after = measure(sides)
        big = big_page_counts(full)
        report(before, after, big, args)
        with full.app.app_context():  # the 公示表's period counts working days
            report_export_baseline(after, args)
    finally:
        for side in sides:
            side.close()
        for name, uri in uris.items():
            if args.keep:
                say(f"Kept the {name} database: {uri}")
            elif args.database_url:
                drop_server_database(uri, args.database_url)


def rerun(args, workdir):
    """Measure again two databases kept by an earlier --keep run, upgraded to the newest
    revision first (no seeding, no populating; no control, which needs them nearly empty)."""
    sides = [Side(name, workdir, uri, reuse=True) for name, uri in zip(("empty", "full"),
                                                                        args.reuse)]
    try:
        say("Measuring the nearly empty and the populated database, in turn "
            "(load average %.1f %.1f %.1f)" % os.getloadavg())
        after = measure(sides)
        big = big_page_counts(sides[1])
        report(None, after, big, args)
    finally:
        for side in sides:
            side.close()


def report(before, after, big, args):
    url = args.reuse[1] if args.reuse else args.database_url
    backend = sa.engine.make_url(url).get_backend_name() if url else "sqlite"
    say(f"\nResults: scale={args.scale}, backend={backend}, median of {RUNS} warm runs\n")
    say("ratio = populated / nearly empty (medians); min ratio = the same of the fastest runs;")
    say("control = the same ratio measured before populating (both databases nearly empty)\n")
    header = f"{'page':<42} {'empty ms':>9} {'full ms':>9} {'ratio':>6} {'min ratio':>9} " \
             f"{'control':>7} {'q empty':>8} {'q full':>7} {'q x' + str(BIG_PAGE):>7}  budget"
    say(header)
    say("-" * len(header))
    empty, full = after["empty"], after["full"]
    for key in empty:
        e_ms, e_q, _, e_min = empty[key]
        f_ms, f_q, _, f_min = full[key]
        control = before["full"][key][0] / before["empty"][key][0] if before else float("nan")
        ratio = f_ms / e_ms
        verdict = "ok" if ratio <= 2.0 else "EXCEEDS 2x"
        if not e_q == f_q == big[key]:
            verdict += ", QUERY COUNT VARIES"
        say(f"{key[0][:5] + ' ' + key[1]:<42} {e_ms:9.1f} {f_ms:9.1f} {ratio:6.2f} "
            f"{f_min / e_min:9.2f} {control:7.2f} {e_q:8d} {f_q:7d} {big[key]:7d}  {verdict}")
    if args.slow:
        say("\nSlowest statements per page (populated, last run):")
        for key, (_, _, entries, _) in full.items():
            say(f"\n== {key[1]}")
            for seconds, statement, params in sorted(entries, key=lambda e: -e[0])[:args.slow]:
                flat = " ".join(statement.split())
                say(f"  {seconds * 1000:8.1f} ms  {flat[:400]}  {str(params)[:120]}")


def report_export_baseline(after, args):
    """The 公示表 download over HTTP against xlsxwriter alone writing as many rows (the same
    cells as bench/export_table.py's baseline; the export's budget is ≤ 2× that)."""
    key = ("big", "/unit/publicity/export/{batch}")
    if key not in after["full"]:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import export_table

    rows = GROWTH[args.scale]["batch_people"]
    cells = export_table.baseline_cells(export_table.fake_publicity(), export_table.fake_rows(rows))
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        export_table.write_baseline(cells)
        times.append((time.perf_counter() - started) * 1000)
    alone = statistics.median(times)
    over_http = after["full"][key][0]
    say(f"\n公示表 of {rows:,} rows: over HTTP {over_http:.1f} ms; xlsxwriter alone "
        f"{alone:.1f} ms; ratio {over_http / alone:.2f} (budget ≤ 2)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=None,
                        help="a server URL; two fresh databases are created next to it and dropped")
    parser.add_argument("--slow", type=int, default=3,
                        help="show the N slowest statements of each page (0: none)")
    parser.add_argument("--keep", action="store_true",
                        help="keep both databases (for EXPLAIN) and print their URLs")
    parser.add_argument("--reuse", nargs=2, metavar=("EMPTY_URL", "FULL_URL"),
                        help="measure again the two databases an earlier --keep run kept "
                        "(upgraded to head first), without seeding or populating them")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="measure only the pages whose WHO:URL contains TEXT; repeatable")
    parser.add_argument("--page", action="append", default=[], metavar="WHO:URL",
                        help="measure this page too, as WHO (%s); repeatable"
                        % ", ".join(ROLES))
    args = parser.parse_args()
    for spec in args.page:
        who, _, url = spec.partition(":")
        if who not in ROLES or not url.startswith("/"):
            parser.error(f"--page {spec!r}: expected WHO:URL, WHO one of {', '.join(ROLES)}")
        PAGES.append((who, url))
    if args.only:
        PAGES[:] = [(who, url) for who, url in PAGES
                    if any(text in f"{who}:{url}" for text in args.only)]
    run(args)


if __name__ == "__main__":
    main()
