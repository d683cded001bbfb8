"""The security headers of every response.

- **Content-Security-Policy**: scripts only with the request's nonce (``csp_nonce()``: Flask-Admin
  prints it as ``admin_csp_nonce_attribute``, our own pages call ``csp_nonce()``), so no inline
  handler, ``javascript:`` address or injected ``<script>`` runs; everything else from this site
  only; style attributes allowed (Flask-Admin's and select2's markup carries them); no framing
  (but for the one PDF the admin reads beside a form: ``framed_by_this_site``).
- **X-Frame-Options** DENY (browsers without frame-ancestors), **X-Content-Type-Options**
  nosniff, **Referrer-Policy** same-origin (addresses carry record ids).
- **Strict-Transport-Security** when the session cookie is HTTPS-only (``SESSION_COOKIE_SECURE``).
- **Cache-Control: no-store** on every response to a signed-in account (one-time passwords,
  ID numbers): nothing of theirs stays in a shared browser's cache or a proxy.
"""
import secrets

from flask import current_app, g, request, session

POLICY = ("default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# A PDF opened in the browser is shown by its viewer, which object-src 'none' would refuse.
FILE_POLICY = "frame-ancestors {frames}"
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce: the same on every script of the page and in its policy."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def framed_by_this_site(response):
    """Let this site's own pages (only they) show ``response`` in a frame: the 委托证明 scan
    beside the admin's decision form."""
    response.zcps_framed_by_this_site = True
    return response


def set_security_headers(response):
    headers = response.headers
    framed = getattr(response, "zcps_framed_by_this_site", False)
    policy = FILE_POLICY if response.mimetype == "application/pdf" or framed else POLICY
    headers["Content-Security-Policy"] = policy.format(
        nonce=csp_nonce(), frames="'self'" if framed else "'none'")
    headers["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = HSTS
    static = request.endpoint is not None and request.endpoint.rsplit(".", 1)[-1] == "static"
    if not static and _signed_in():
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    # Read from the session cookie, not the account: an answer given while the database is down
    # (系统繁忙) gets its headers too.
    return session.get("_user_id") is not None


def init_app(app):
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
