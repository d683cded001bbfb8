"""List-page budget benchmark (DESIGN §9): server time empty vs. province-sized database.

    python bench/list_pages.py [--scale small|province] [--database-url URL]

Builds a fresh database (a temp SQLite file, or a uniquely named database on the given server,
dropped at the end), measures the list pages of one employer and of the platform admin on a
nearly empty database, bulk-inserts the rest of the province with SQLAlchemy Core, measures
again and prints a table: median of 3 warm runs (ms), SQL query count, ratio populated/empty.
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
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
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    Authorization,
    AuthorizationStatus,
    ReviewMethod,
    ReviewStatus,
    Role,
    TitleQualification,
    Unit,
    utcnow,
)
from tests import factories  # noqa: E402
from tests.databases import create_server_database, drop_server_database  # noqa: E402
from tests.helpers import CSRF_RE, login_url  # noqa: E402
from zcps import create_app  # noqa: E402
from zcps.catalogue import seed_catalogue  # noqa: E402
from zcps.database import upgrade_to_head  # noqa: E402
from zcps.extensions import db  # noqa: E402

SCALES = {
    # units, applicants, archive items, applications
    "small": (200, 8_000, 40_000, 8_000),
    "province": (5_000, 200_000, 1_000_000, 200_000),
}

PAGES = [
    ("employer", "/unit/archive-review/"),
    ("employer", "/unit/archive-review/?tab=all"),
    ("employer", "/unit/unit_archive/?tab=all"),
    ("employer", "/unit/unit_application/?tab=all"),
    ("employer", "/unit/unit_applicant/"),
    ("admin", "/admin/admin_unit/"),
    ("admin", "/admin/admin_authorization/?tab=all"),
]
RUNS = 3
BATCH = 10_000


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
    }


def say(*args):
    print(*args, flush=True)


# --- the nearly empty database --------------------------------------------------------------

def seed_small_world():
    """The measured unit (~20 applicants with a few items and applications) and the admin."""
    seed_catalogue()
    db.session.flush()
    point = factories.acceptance_point("受理点-基准")
    unit = factories.unit("基准测试单位")
    factories.authorization(unit, AuthorizationStatus.APPROVED)
    employer = factories.employer(unit)
    admin = factories.admin()
    other = factories.unit("另一单位")
    factories.authorization(other, AuthorizationStatus.PENDING)
    statuses = list(ReviewStatus)
    app_statuses = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
    for i in range(20):
        person = factories.applicant(unit)
        for j in range(3):
            status = statuses[(i + j) % len(statuses)]
            factories.archive_item(person, status, list(ArchiveCategory)[j])
        status = app_statuses[i % len(app_statuses)]
        extra = {"acceptance_point": point} if status in (
            ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
            ApplicationStatus.ACCEPTANCE_RETURNED) else {}
        factories.application(person, status, **extra)
    db.session.commit()
    return employer.username, admin.username


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
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    password_hash = generate_password_hash("Secret-2026", method="pbkdf2:sha256:1000")
    say(f"Populating ({scale}): {n_units:,} units, {n_people:,} applicants, "
        f"{n_items:,} archive items, {n_apps:,} applications")
    started = time.perf_counter()
    with engine.begin() as conn:
        base_unit = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(unit_t.c.id), 0)))
        base_person = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(person_t.c.id), 0)))
        qual = conn.execute(sa.select(TitleQualification.__table__)).mappings().all()
        insert_batches(conn, point_t, ({"name": f"受理点{i}", "region": "", "address": "",
                                         "contact_phone": "", "active": True, **stamp}
                                        for i in range(20)), "acceptance_point")
        points = conn.scalars(sa.select(point_t.c.id)).all()

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
        at_point = {ApplicationStatus.RECOMMENDED.value, ApplicationStatus.ACCEPTED.value,
                    ApplicationStatus.ACCEPTANCE_RETURNED.value}

        def applications():
            for k in range(n_apps):
                person = person_rows[k % len(person_rows)]
                q = qual[k % len(qual)]
                status = app_statuses[k % len(app_statuses)]
                yield {"applicant_id": person.id, "unit_id": person.unit_id,
                       "year": date.today().year - (k // len(person_rows)),
                       "series_id": q["series_id"], "specialty": "", "level": q["level"],
                       "qualification_id": q["id"], "review_method": ReviewMethod.REVIEW.value,
                       "current_title": "", "status": status, "round": 0,
                       "profile_snapshot": {}, "opinion": "", "submitted_at": now,
                       "acceptance_point_id": points[k % len(points)] if status in at_point
                       else None,
                       "recommendation_opinion": "", "acceptance_opinion": "", "version": 1,
                       **stamp}
        insert_batches(conn, app_t, applications(), "application")
    say(f"  inserted in {time.perf_counter() - started:.1f}s; running ANALYZE")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))


# --- measuring ------------------------------------------------------------------------------

def sign_in(client, role, username):
    url = login_url(role)
    page = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(url, data={"csrf_token": token, "username": username,
                                      "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def measure(clients, engine):
    results = {}
    for _ in range(5):  # warm-up: every page 5 times (psycopg prepares after 5) (templates, statement caches, DB caches)
        for who, url in PAGES:
            response = clients[who].get(url)
            assert response.status_code == 200, (url, response.status_code)
    for who, url in PAGES:
        client = clients[who]
        times = []
        for _ in range(RUNS):
            with QueryLog(engine) as log:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[(who, url)] = (statistics.median(times), log.count, log.entries)
    return results


def run(args):
    workdir = Path(tempfile.mkdtemp(prefix="zcps_bench_"))
    if args.database_url:
        uri = create_server_database(args.database_url, prefix="zcps_bench")
    else:
        uri = f"sqlite:///{workdir / 'bench.sqlite3'}"
    say(f"Database: {uri.split('@')[-1]}")
    app = create_app(config(workdir, uri))
    try:
        with app.app_context():
            upgrade_to_head()
            employer_name, admin_name = seed_small_world()
            engine = db.engine
        clients = {"employer": app.test_client(), "admin": app.test_client()}
        sign_in(clients["employer"], Role.EMPLOYER, employer_name)
        sign_in(clients["admin"], Role.PLATFORM_ADMIN, admin_name)
        say("Measuring on the nearly empty database")
        empty = measure(clients, engine)
        populate(engine, args.scale)
        say("Measuring on the populated database")
        full = measure(clients, engine)
        report(empty, full, args)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.database_url:
            drop_server_database(uri, args.database_url)


def report(empty, full, args):
    backend = sa.engine.make_url(args.database_url).get_backend_name() if args.database_url \
        else "sqlite"
    say(f"\nResults: scale={args.scale}, backend={backend}, median of {RUNS} warm runs\n")
    header = f"{'page':<42} {'empty ms':>9} {'full ms':>9} {'ratio':>6} {'q empty':>8} " \
             f"{'q full':>7}  budget"
    say(header)
    say("-" * len(header))
    for key in empty:
        e_ms, e_q, _ = empty[key]
        f_ms, f_q, _ = full[key]
        ratio = f_ms / e_ms
        verdict = "ok" if ratio <= 2.0 else "EXCEEDS 2x"
        say(f"{key[0][:5] + ' ' + key[1]:<42} {e_ms:9.1f} {f_ms:9.1f} {ratio:6.2f} {e_q:8d} "
            f"{f_q:7d}  {verdict}")
    if args.slow:
        say("\nSlowest statements per page (populated, last run):")
        for key, (_, _, entries) in full.items():
            say(f"\n== {key[1]}")
            for seconds, statement, params in sorted(entries, key=lambda e: -e[0])[:args.slow]:
                flat = " ".join(statement.split())
                say(f"  {seconds * 1000:8.1f} ms  {flat[:400]}  {str(params)[:120]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=None,
                        help="a server URL; a fresh database is created next to it and dropped")
    parser.add_argument("--slow", type=int, default=3,
                        help="show the N slowest statements of each page (0: none)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
