"""zcps's platform-admin lists against a plain Flask-Admin scaffold on the same database.

    python bench/scaffold.py [--scale small|province] [--database-url URL] [--keep]
                             [--reuse FULL_URL] [--cpu]

The scaffold is what a developer gets from Flask-Admin's own ModelView with the same columns,
searchable columns, default sort and page size as zcps's view, and nothing else: no sign-in, no
scoping, no CSRF, no audit, no tabs, no capped counts. Both apps read the same populated
database (built like bench/list_pages.py's, or one an earlier ``list_pages.py --keep`` run kept),
in turn request by request, so a busy machine slows both alike. It prints, per page, the median
of warm runs in ms for zcps and for the scaffold, their ratio (goal ≤ 1: zcps at least as fast as
the scaffold), and each side's statement count.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import list_pages  # noqa: E402
from flask import Flask  # noqa: E402
from flask_admin import Admin  # noqa: E402
from flask_admin.contrib.sqla import ModelView  # noqa: E402
from flask_admin.theme import Bootstrap4Theme  # noqa: E402
from flask_babel import Babel  # noqa: E402

from models import Applicant, AuditLog, Notification, Unit  # noqa: E402
from tests.databases import create_server_database, drop_server_database  # noqa: E402
from views.platform import AuditLogView, NotificationView, UnitView  # noqa: E402
from zcps.extensions import db  # noqa: E402

RUNS = 9


def scaffold_view(model, like, endpoint):
    """A plain ModelView of ``model`` with the list settings of zcps's view ``like``."""
    settings = {
        "column_list": [c for c in like.column_list if "." not in c],
        "column_searchable_list": like.column_searchable_list,
        "column_default_sort": like.column_default_sort,
        "page_size": like.page_size,
        "can_create": False, "can_edit": False, "can_delete": False, "can_view_details": True,
    }
    view_class = type(f"Scaffold{model.__name__}", (ModelView,), settings)
    return view_class(model, db, endpoint=endpoint, url=f"/scaffold/{endpoint}")


def scaffold_app(uri: str) -> Flask:
    app = Flask("scaffold")
    app.config.update(SQLALCHEMY_DATABASE_URI=uri, SECRET_KEY="scaffold",
                      SQLALCHEMY_TRACK_MODIFICATIONS=False)
    db.init_app(app)
    Babel(app)  # Flask-Admin translates its own texts when Flask-Babel is installed
    admin = Admin(app, name="scaffold", theme=Bootstrap4Theme(), url="/scaffold")
    admin.add_view(scaffold_view(Unit, UnitView, "unit"))
    admin.add_view(scaffold_view(AuditLog, AuditLogView, "audit"))
    admin.add_view(scaffold_view(Notification, NotificationView, "notification"))
    admin.add_view(ModelView(Applicant, db, endpoint="applicant",
                             url="/scaffold/applicant"))
    return app


# (zcps: who, url; the scaffold's url for the same list)
PAIRS = [
    (("admin", "/admin/admin_unit/"), "/scaffold/unit/"),
    (("admin", "/admin/admin_unit/?page=10"), "/scaffold/unit/?page=10"),
    (("admin", "/admin/admin_unit/?search=省内单位0123"), "/scaffold/unit/?search=省内单位0123"),
    (("admin", "/admin/admin_unit/?search=91330106MA1000123"),
     "/scaffold/unit/?search=91330106MA1000123"),
    (("auditor", "/admin/admin_audit/"), "/scaffold/audit/"),
    (("auditor", "/admin/admin_audit/?search=10.12.34."), "/scaffold/audit/?search=10.12.34."),
    (("admin", "/admin/admin_notification/?tab=all"), "/scaffold/notification/"),
    (("admin", "/admin/admin_notification/?tab=all&search=13900123456"),
     "/scaffold/notification/?search=13900123456"),
]


def timed(engine, get):
    with list_pages.QueryLog(engine) as log:
        started = time.perf_counter()
        response = get()
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, log.count


def measure(side: list_pages.Side, scaffold: Flask):
    client = scaffold.test_client()
    with scaffold.app_context():
        engine = db.engine
    rows = []
    for (who, url), plain_url in PAIRS:
        def ours():
            return timed(side.engine, lambda: side.get(who, url))

        def theirs():
            return timed(engine, lambda: client.get(plain_url))

        for _ in range(3):  # warm-up
            ours()
            theirs()
        times = {"zcps": [], "scaffold": []}
        counts = {}
        for _ in range(RUNS):
            for name, get in (("zcps", ours), ("scaffold", theirs)):
                ms, count = get()
                times[name].append(ms)
                counts[name] = count
        rows.append((f"{who} {url}", statistics.median(times["zcps"]),
                     statistics.median(times["scaffold"]), counts["zcps"], counts["scaffold"]))
    return rows


def measure_cpu(side: list_pages.Side, scaffold: Flask, requests=10, rounds=5):
    """CPU time of this process (``time.process_time``) for ``requests`` requests of each page,
    best of ``rounds``: what the other processes on a busy machine disturb least."""
    client = scaffold.test_client()
    rows = []
    for (who, url), plain_url in PAIRS:
        sides = (("zcps", lambda: side.get(who, url)), ("scaffold", lambda: client.get(plain_url)))
        best = {}
        for name, get in sides:
            for _ in range(3):  # warm-up
                get()
            spent = []
            for _ in range(rounds):
                started = time.process_time()
                for _ in range(requests):
                    get()
                spent.append((time.process_time() - started) * 1000 / requests)
            best[name] = min(spent)
        rows.append((f"{who} {url}", best["zcps"], best["scaffold"]))
    return rows


def report_cpu(rows):
    say = list_pages.say
    say("\nCPU ms per request (time.process_time, 10 requests, best of 5)\n")
    header = f"{'page':<58} {'zcps':>8} {'scaffold':>9} {'ratio':>6}"
    say(header)
    say("-" * len(header))
    for name, ours, theirs in rows:
        say(f"{name:<58} {ours:8.2f} {theirs:9.2f} {ours / theirs:6.2f}")


def report(rows, args):
    say = list_pages.say
    say(f"\nzcps against a plain Flask-Admin scaffold, scale={args.scale}, "
        f"median of {RUNS} warm runs, the two in turn\n")
    header = f"{'page':<58} {'zcps ms':>8} {'scaffold':>9} {'ratio':>6} {'q zcps':>7} " \
             f"{'q scaff':>8}"
    say(header)
    say("-" * len(header))
    for name, ours, theirs, q_ours, q_theirs in rows:
        verdict = "ok" if ours <= theirs else "SLOWER"
        say(f"{name:<58} {ours:8.1f} {theirs:9.1f} {ours / theirs:6.2f} {q_ours:7d} "
            f"{q_theirs:8d}  {verdict}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(list_pages.SCALES), default="small")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--cpu", action="store_true",
                        help="also the process's CPU time per request of each side")
    parser.add_argument("--reuse", metavar="FULL_URL",
                        help="a populated database an earlier list_pages.py or scaffold.py "
                        "--keep run kept (upgraded to head first)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="zcps_scaffold_"))
    made = None
    if args.reuse:
        uri = args.reuse
    elif args.database_url:
        uri = made = create_server_database(args.database_url, prefix="zcps_bench_full")
    else:
        uri = f"sqlite:///{workdir / 'bench_full.sqlite3'}"
    try:
        side = list_pages.Side("full", workdir, uri, reuse=bool(args.reuse))
        if not args.reuse:
            list_pages.populate(side.engine, args.scale)
            side.sign_in()
        scaffold = scaffold_app(uri)
        report(measure(side, scaffold), args)
        if args.cpu:
            report_cpu(measure_cpu(side, scaffold))
        side.close()
    finally:
        if made is not None:
            if args.keep:
                list_pages.say(f"Kept the database: {made}")
            else:
                drop_server_database(made, args.database_url)


if __name__ == "__main__":
    main()
