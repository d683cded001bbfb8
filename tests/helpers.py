"""Signing in and posting forms the way a browser does (with the page's CSRF token)."""
import html
import re

from sqlalchemy import event

from models import Notification, Role
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
