"""Signing in and posting forms the way a browser does (with the page's CSRF token); running
steps at once, each in its own session, released together through a barrier."""
import html
import re
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import event

from models import Notification, Role
from tests.databases import server_url
from tests.factories import PASSWORD
from zcps.areas import area_for
from zcps.extensions import db

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/") -> str:
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post(client, url, data=None, token_from="/", **kwargs):
    form = dict(data or {})
    form.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(url, data=form, **kwargs)


def sms_code(client, url, mobile_field, mobile, **fields) -> str:
    """Press 获取验证码 on the form at ``url`` and read the code from the outbox ("" if none)."""
    before = db.session.scalar(db.select(db.func.max(Notification.id))) or 0
    response = post(client, url, {mobile_field: mobile, **fields, "send_code": "1"},
                    token_from=url)
    assert response.status_code == 200, response.status_code
    text = db.session.scalar(db.select(Notification.text).where(
        Notification.mobile == mobile, Notification.id > before,
        Notification.template == "verification_code"))
    match = re.search(r"验证码为(\d{6})", text or "")
    return match.group(1) if match else ""


def login_url(role: Role) -> str:
    return f"/login/{area_for(role).login_slug}"


OFFICER_LOGIN = "/login/officer"


def sign_in(client, account, password=PASSWORD, next_url=None):
    """Sign ``account`` in on its own page (an officer's is 经办人登录)."""
    page = OFFICER_LOGIN if account.is_officer else login_url(account.role)
    url = f"{page}?next={next_url}" if next_url else page
    return post(client, url, {"username": account.username, "password": password},
                token_from=page)


def signed_in(client, account, password=PASSWORD):
    response = sign_in(client, account, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def signed_in_applicant(client):
    """An applicant of 甲单位 with approved basic information, signed in on ``client``."""
    from models import ReviewStatus
    from tests import factories

    unit = factories.unit("甲单位")
    person = factories.applicant(unit, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    db.session.commit()
    signed_in(client, person.account)
    return person


def every_row(without_exports: bool = True) -> dict:
    """Every table's rows, column by column, in primary-key order; an export's audit entry
    (a download is recorded, it changes no data) left out unless asked for."""
    db.session.expire_all()
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            query = table.select().order_by(*table.primary_key.columns)
            if without_exports and table.name == "audit_log":
                query = query.where(table.c.action != "export")
            rows[table.name] = connection.execute(query).all()
    return rows


def page_text(response_or_html) -> str:
    """What a person reads: the page without its tags."""
    html = response_or_html if isinstance(response_or_html, str) else \
        response_or_html.get_data(as_text=True)
    return re.sub(r"<[^>]+>", "", html)


def shown_text(page: str) -> str:
    """What a person reads: no scripts, styles or tags; entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    # Flask-Admin's data for its scripts (filters, action confirmations), never shown as such.
    page = re.sub(r'<div[^>]*(style="display:\s*none;?"|class="d-none")[^>]*>[^<]*</div>', " ",
                  page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


class StatementLog:
    """The SQL statements an engine runs inside ``with StatementLog(engine) as log:``."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args, **kwargs):
        self.statements.append(statement.lower())


# --- races ------------------------------------------------------------------------------------

ON_SERVERS = pytest.mark.skipif(
    server_url() is None,
    reason="SQLite has no concurrent writers; the race runs on PostgreSQL and MariaDB")


@dataclass
class Race:
    """What steps run together did: ``outcomes`` per step, in the order the steps were given
    (the step's value, or the exception it raised); ``results`` the values of the steps that
    committed; ``refused`` the exceptions of the expected kinds; ``errors`` every other one."""

    outcomes: list
    results: list
    refused: list
    errors: list


class Step:
    """A step whose ``prepare()`` runs in its own session before the barrier (loading what it
    acts on), then ``act(prepared)`` after it — ``delay`` seconds after it, to let the other
    steps go first."""

    def __init__(self, prepare, act, delay: float = 0):
        self.prepare, self.act, self.delay = prepare, act, delay

    def __call__(self, prepared):
        if self.delay:
            time.sleep(self.delay)
        return self.act(prepared)


def run_together(app, steps, *, expected=(), timeout: float = 60) -> Race:
    """Each of ``steps`` in a thread of its own, with its own app context and session, all
    released at once through a barrier. A step is a callable with no arguments, or a ``Step``
    (or anything with a ``prepare()`` whose result it is called with). A step that returns is
    committed; one that raises is rolled back — an exception of the ``expected`` kinds is a
    refusal, any other an error. The calling session is rolled back at the end, so what it
    reads next is what the threads committed."""
    steps = list(steps)
    barrier = threading.Barrier(len(steps))
    outcomes = [None] * len(steps)
    results, refused, errors = [], [], []
    lock = threading.Lock()

    def run(index, step):
        with app.app_context():
            try:
                if hasattr(step, "prepare"):
                    prepared = step.prepare()
                    barrier.wait(timeout / 2)
                    value = step(prepared)
                else:
                    barrier.wait(timeout / 2)
                    value = step()
                db.session.commit()
                with lock:
                    outcomes[index] = value
                    results.append(value)
            except Exception as error:  # noqa: BLE001  reported to the test
                try:
                    db.session.rollback()
                except Exception:  # noqa: BLE001, S110  the connection may be gone
                    pass
                with lock:
                    outcomes[index] = error
                    (refused if isinstance(error, expected) else errors).append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, step), daemon=True)
               for index, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing step never finished"
    db.session.rollback()  # a fresh snapshot
    return Race(outcomes=outcomes, results=results, refused=refused, errors=errors)
