"""本单位人员 导入 at 2,000 rows: time of the preview (read and check) and of the import (one
transaction with 2,000 people and their invitation codes), and the peak memory of reading.

    python bench/roster_import.py [--rows 2000] [--database-url URL]

Without --database-url it runs on SQLite in a temporary folder; with a server URL it makes a
database of its own there and drops it at the end. Prints its figures; asserts nothing.
"""
import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from tests import factories  # noqa: E402
from tests.conftest import app_config  # noqa: E402
from tests.databases import create_server_database, drop_server_database  # noqa: E402
from zcps import create_app, roster  # noqa: E402
from zcps.extensions import db  # noqa: E402


def workbook(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = roster.SHEET
    sheet.append(list(roster.HEADERS))
    for n in range(rows):
        sheet.append([f"员工{n}", factories.make_id_number(n, birth=f"1985{1 + n // 1000:02d}01"),
                      f"137{n:08d}", "研发部", "工程师", "2019-12-31"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zcps-roster-bench-"))
    uri = (create_server_database(args.database_url, prefix="zcps_roster_bench")
           if args.database_url else f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        app = create_app(app_config(folder, uri, SMS_BACKEND="outbox"))
        with app.app_context(), app.test_request_context():
            from flask_migrate import upgrade

            upgrade()
            unit = factories.unit("基准单位")
            account = factories.employer(unit)
            db.session.commit()
            data = workbook(args.rows)
            tracemalloc.start()
            started = time.perf_counter()
            rows, _notes = roster.read(data)
            roster.check(account, rows)
            if rows[0].errors:
                print("first row:", rows[0].errors)
            preview = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            started = time.perf_counter()
            done = roster.import_rows(account, rows)
            db.session.commit()
            imported = time.perf_counter() - started
            print(f"database: {db.engine.dialect.name}; rows: {args.rows}; file "
                  f"{len(data) / 1024:.0f} KiB")
            print(f"preview (read + check): {preview:.2f} s, peak memory of reading "
                  f"{peak / 1024 / 1024:.1f} MiB")
            print(f"import (one transaction, invitations queued): {imported:.2f} s; "
                  f"imported {done['imported']}, not invited {done['not_invited']}")
            print(f"total: {preview + imported:.2f} s (budget 10 s)")
            db.session.remove()
            db.engine.dispose()
    finally:
        if args.database_url:
            drop_server_database(uri, args.database_url)


if __name__ == "__main__":
    main()
