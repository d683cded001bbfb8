"""Security headers on every response (issue 14, finding 8): every URL of the url_map, as each
demo role and signed out, answers with them — a new page without them fails here."""
import re

import pytest

from models import Authorization
from tests import factories
from tests.crawl import DEMO_ROLES, demo_client, reachable_pages, role_id, url_rules
from tests.helpers import StatementLog, post, signed_in
from zcps.extensions import db

NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]{16,})'(;|$)")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
# An inline event handler (onclick=…) inside a tag: the policy would refuse to run it.
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def build(rule):
    values = {argument: 1 for argument in rule.arguments}
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - an argument that is not a number
        return rule.build(dict.fromkeys(rule.arguments, "x"), append_unknown=False)[1]


# The one response this site's own pages may frame: the 委托证明 scan beside the admin's form.
FRAMED_BY_THIS_SITE = re.compile(r"^/admin/admin_authorization/file/\d+$")


def header_problems(response, url, signed_in_now) -> list[str]:
    headers = response.headers
    problems = []
    policy = headers.get("Content-Security-Policy", "")
    framed = response.mimetype == "application/pdf" and FRAMED_BY_THIS_SITE.match(url)
    if ("frame-ancestors 'self'" if framed else "frame-ancestors 'none'") not in policy:
        problems.append(f"framing: {policy!r}")
    if response.mimetype != "application/pdf":
        match = NONCE.search(policy)
        if not match:
            problems.append(f"no script nonce in the policy: {policy!r}")
        script_sources = policy.split("script-src", 1)[-1].split(";", 1)[0]
        if "unsafe-inline" in script_sources or "unsafe-eval" in script_sources:
            problems.append("scripts allowed inline")
        for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'"):
            if directive not in policy:
                problems.append(f"no {directive}")
        if response.mimetype == "text/html" and match:
            page = response.get_data(as_text=True)
            for tag in SCRIPT_TAG.findall(page):
                if f'nonce="{match.group(1)}"' not in tag:
                    problems.append(f"a script without the request's nonce: {tag}")
            for handler in INLINE_HANDLER.findall(page):
                problems.append(f"an inline event handler: {handler[-60:]}")
    expected = {"X-Frame-Options": "SAMEORIGIN" if framed else "DENY",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin"}
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"{name}: {headers.get(name)!r}")
    if "Strict-Transport-Security" in headers:
        problems.append("HSTS over plain HTTP (SESSION_COOKIE_SECURE is off in tests)")
    if signed_in_now and "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"cacheable for a signed-in account: {headers.get('Cache-Control')!r}")
    return [f"{response.status_code} {url}: {problem}" for problem in problems]


@pytest.mark.parametrize("username", DEMO_ROLES, ids=role_id)
def test_every_url_answers_with_the_security_headers(app, username):
    client, home = demo_client(app, username)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    problems, tried = [], 0
    for rule in url_rules(app):
        url = build(rule)
        if "GET" in rule.methods:
            response = client.get(url)
        elif rule.endpoint in ("auth.logout", "auth.set_language"):
            continue  # would end the sign-in the walk relies on (posted below)
        else:
            response = client.post(url)  # refused (no CSRF token): the error page has them too
        tried += 1
        problems += header_problems(response, url, username is not None)
        db.session.rollback()
    # Pages reached only with a record's id in the query (review pages …), by following links.
    if username is not None:
        for url in reachable_pages(client, home):
            problems += header_problems(client.get(url), url, True)
    for url in ("/logout", "/lang/zh_CN"):
        problems += header_problems(post(client, url, {"next": "/"}), url, False)
    assert tried > 100
    assert not problems, "\n".join(problems)


def test_pages_and_their_static_files_keep_the_headers_signed_out(client):
    for url in ("/", "/login/unit", "/register/unit", "/no-such-page",
                "/admin/static/vendor/jquery.min.js?v=3.5.1"):
        response = client.get(url)
        assert not header_problems(response, url, False), url
    assert client.get("/").headers.get("Cache-Control") is None  # the public pages may be cached


def test_the_headers_need_no_database(app, client):
    """They are set from the request and the session cookie alone, so that an answer given while
    the database is down carries them as well."""
    unit = factories.unit("甲单位")
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    with StatementLog(db.engine) as log:
        response = client.get("/favicon.ico")
    assert log.count == 0
    assert response.headers["Cache-Control"] == "no-store"
    assert not header_problems(response, "/favicon.ico", True)


def test_every_response_has_its_own_nonce(client):
    nonces = {NONCE.search(client.get("/").headers["Content-Security-Policy"]).group(1)
              for _ in range(3)}
    assert len(nonces) == 3


def test_only_the_scan_beside_the_admins_decision_may_be_framed_and_only_here(app, client):
    from tests.test_authorization import upload

    unit = factories.unit("新单位", authorized=False)
    account = factories.employer(unit)
    admin = factories.admin()
    db.session.commit()
    signed_in(client, account)
    upload(client, factories.pdf_bytes())
    scan = db.session.scalar(db.select(Authorization.id).filter_by(unit_id=unit.id))
    response = client.get(f"/unit/authorization/file/{scan}")
    assert response.status_code == 200 and "frame-ancestors 'none'" in \
        response.headers["Content-Security-Policy"]
    admin_client = signed_in(app.test_client(), admin)
    response = admin_client.get(f"/admin/admin_authorization/file/{scan}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_hsts_is_sent_only_when_the_session_cookie_is_https_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    hsts = client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 15552000


def test_the_one_time_password_page_is_never_stored(app, client):
    unit = factories.unit("甲单位")
    factories.employer(unit)
    admin = factories.security_admin()
    db.session.commit()
    signed_in(client, admin)
    url = f"/admin/admin_unit/reset-password/?id={unit.id}"
    response = post(client, url, {"id": str(unit.id)}, token_from=url)
    assert 'data-testid="one-time-password"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert not header_problems(response, url, True)


def test_a_signed_in_page_uses_the_nonce_on_its_own_scripts(app, client):
    """The publicity form's script (ours) carries the same nonce as Flask-Admin's."""
    unit = factories.unit("甲单位")
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    response = client.get("/unit/publicity/start/")
    nonce = NONCE.search(response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    assert page.count(f'nonce="{nonce}"') >= 10
    assert f'<script nonce="{nonce}">\n  (function () {{\n    var start' in page
