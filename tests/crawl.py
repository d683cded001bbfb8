"""What the tests that walk the app share: its URL rules, the demo world with one of its people
signed in (in the language they chose), and every page they reach by following links.

``test_isolation.py``, ``test_bad_input.py`` and ``test_csrf.py`` walk every URL rule of the app
(or of an area), and ``test_chinese_pages.py`` / ``test_english_pages.py`` every page a demo role
reaches, so a new page is covered the day it arrives. Each test still starts from an empty
database: ``demo_client`` loads the demo data into it (``load_demo_data``).
"""
import html
import re
import sqlite3
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from models import Account
from tests.helpers import post, sign_in
from zcps import clock
from zcps.demo import DEMO_PASSWORD, load_demo
from zcps.extensions import db

# One demo account of each area, and a signed-out visitor (None): the three platform admins
# (系统管理员, 安全管理员, 审计管理员), a unit's legal person (authorized, applicants in every
# state), an applicant, an acceptance point.
DEMO_ROLES = [None, "admin", "security", "auditor", "91330106MA2B3C4D5D", "330106199003071236",
              "accept1"]
# The page walks also read the unit whose authorization waits for review, the first unit's
# officer (经办人: 业绩档案审核, 申报资料审核) and the units' 主管部门 (a reviewing level).
WALKED_ROLES = DEMO_ROLES + ["91330100MA28E7F6G9", "330106198804120021", "dept1"]

HREF = re.compile(r'href="([^"#]+)"')
# Links that leave the page's kind (files, exports, the other language), or show the same words
# in another order or amount (sorting, paging).
NOT_PAGES = re.compile(r"/(file|export|static)/|export\.xlsx|/lang/|/logout|\.(css|js|ico|png)\b"
                       r"|[?&](sort|desc|page_size|page)=")
LIMIT = 400


def role_id(username) -> str:
    """The test id of a parametrized demo role."""
    return username or "signed-out"


walked_roles = pytest.mark.parametrize("username", WALKED_ROLES, ids=role_id)


def url_rules(app, prefix: str = "", method: str | None = None) -> list:
    """The app's URL rules under ``prefix`` (taking ``method``, if given), sorted by their path;
    static files are left out."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith(prefix)
                   and rule.endpoint != "static" and not rule.endpoint.endswith(".static")
                   and (method is None or method in rule.methods)),
                  key=lambda rule: rule.rule)


# What load_demo made, per SQLite database and day: the database's pages and the uploaded files.
_demo_snapshots = {}


def load_demo_data(app) -> None:
    """The demo data in the test's empty database, exactly as ``load_demo()`` makes it.

    The first load of a run (for the day the clock shows) runs ``load_demo()``; later ones copy
    what it made, which is the same data in a fraction of the time: on SQLite the database page
    by page, on a server every table's rows (parents before children, ids kept, PostgreSQL's
    sequences moved past them); and the uploaded files.
    """
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    uploads = Path(app.config["UPLOAD_DIR"])
    key = (uri, clock.today(), app.config.get("PUBLICITY_COUNT_START_DAY"))
    if key not in _demo_snapshots:
        assert load_demo()
        db.session.close()
        files = {path.name: path.read_bytes() for path in uploads.iterdir()}
        _demo_snapshots[key] = (_copy_database(uri), files)
        return
    assert db.session.scalar(db.select(db.func.count(Account.id))) == 0, "not an empty database"
    db.session.close()
    copy, files = _demo_snapshots[key]
    _restore_database(uri, copy)
    uploads.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (uploads / name).write_bytes(data)


def _copy_database(uri):
    if uri.startswith("sqlite:///"):
        pages = sqlite3.connect(":memory:")
        source = sqlite3.connect(uri.removeprefix("sqlite:///"))
        try:
            source.backup(pages)
        finally:
            source.close()
        return pages
    with db.engine.connect() as connection:
        return [(table, [dict(row._mapping) for row in connection.execute(
                    table.select().order_by(*table.primary_key.columns))])
                for table in db.metadata.sorted_tables]


def _restore_database(uri, copy) -> None:
    if uri.startswith("sqlite:///"):
        target = sqlite3.connect(uri.removeprefix("sqlite:///"))
        try:
            copy.backup(target)
        finally:
            target.close()
        return
    with db.engine.begin() as connection:
        for table, rows in copy:
            if rows:
                connection.execute(table.insert(), rows)
        if connection.dialect.name == "postgresql":
            # Rows inserted with their ids leave a serial's sequence behind them.
            for table, rows in copy:
                if rows and "id" in table.c and table.c.id.autoincrement is not False:
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))")


def demo_client(app, username, language: str | None = None):
    """The demo data in the test's database, and a client of ``app`` switched to ``language``
    on the home page (as a visitor does before signing in) and signed in as the demo account
    ``username`` (signed out for None). Returns the client and where the sign-in led (``"/"``
    when signed out)."""
    load_demo_data(app)
    client = app.test_client()
    if language:
        response = post(client, f"/lang/{language}", {"next": "/"})
        assert response.status_code == 302, response.status_code
    if username is None:
        return client, "/"
    account = db.session.scalar(db.select(Account).filter_by(username=username))
    response = sign_in(client, account, password=DEMO_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client, response.headers["Location"]


def reachable_pages(client, start: str) -> dict[str, str]:
    """Every HTML page reached from ``start`` by following links: {address: page}."""
    queue, seen, pages = [start], {start}, {}
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code in (301, 302) and response.headers["Location"] not in seen:
            seen.add(response.headers["Location"])
            queue.append(response.headers["Location"])
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = response.get_data(as_text=True)
        pages[url] = page
        for link in HREF.findall(page):
            target = urljoin(url, html.unescape(link))
            parts = urlsplit(target)
            if parts.netloc or NOT_PAGES.search(parts.path + "?" + parts.query):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert 5 < len(seen) < LIMIT, len(seen)
    return pages
