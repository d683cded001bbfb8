"""Error pages in Chinese; a database error never reaches the browser.

When the database itself is down (refused, timed out, cut off), the 系统繁忙 page is rendered
without it: no account menu, no context processor that could ask for the signed-in account —
only the template and the translations."""
from flask import abort, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import exc as sa_exc

from .database import retrying
from .extensions import db

# The database is unreachable or gave up on a statement: the request is answered 503.
OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
# Were even the template to fail, the page the browser gets is still this one.
BARE_BUSY = ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"UTF-8\"><title>系统繁忙</title>"
             "</head><body><h1>系统繁忙</h1><p>系统暂时无法完成此操作，请稍后再试。</p></body></html>")


def busy_page(code: int):
    """系统繁忙, rendered with no database access."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  the connection may be gone: the page is still shown
        current_app.logger.warning("Rollback failed on %s", request.path)
    try:
        template = current_app.jinja_env.get_template("busy.html")
        body = template.render(title=_("系统繁忙"), code=code,
                               message=_("系统暂时无法完成此操作，请稍后再试。"),
                               home=escape(request.script_root + "/"))
    except Exception:  # noqa: BLE001  see BARE_BUSY
        current_app.logger.exception("The busy page failed to render")
        body = BARE_BUSY
    return body, code, {"Retry-After": "30", "Cache-Control": "no-store"}


def dispatch_retrying_conflicts(app):
    """Every request runs its view again when the database rolled its transaction back to end
    a deadlock or a serialization conflict (``DB_CONFLICT_ATTEMPTS`` times in all); the last
    conflict is answered with the 系统繁忙 page (503). The rows a step locks are locked in id
    order, so this is rare; the view is run again from the start, with the form and its files
    as posted and without the messages the failed attempt flashed."""
    dispatch = app.dispatch_request

    def dispatch_request():
        flashes = list(session.get("_flashes", ())) if "_flashes" in session else None

        def before_retry():
            if flashes is None:
                session.pop("_flashes", None)
            else:
                session["_flashes"] = list(flashes)
            for upload in request.files.values():
                if upload.stream.seekable():
                    upload.stream.seek(0)

        return retrying(dispatch, db.session,
                        attempts=max(1, current_app.config.get("DB_CONFLICT_ATTEMPTS", 3)),
                        before_retry=before_retry)

    app.dispatch_request = dispatch_request


def init_app(app):
    dispatch_retrying_conflicts(app)

    def page(code, title, message):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.before_request
    def refuse_nul_characters():
        # No field ever holds a NUL character, and PostgreSQL can neither store nor compare
        # one: such a request is bad input (400), not a server error.
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                if "\x00" in key or "\x00" in value:
                    abort(400)

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, _("请求有误"), _("提交的内容无法处理，请返回上一页重试。"))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return page(400, _("页面已过期"), _("表单已过期或来源不明，请刷新页面后重新提交。"))

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, _("无权访问"), _("您的账号无权访问此页面。"))

    @app.errorhandler(404)
    def not_found(error):
        return page(404, _("页面不存在"), _("您要找的页面或记录不存在，或不属于您的账号。"))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page(405, _("操作不允许"), _("此页面不接受这种操作。"))

    @app.errorhandler(413)
    def too_large(error):
        return page(413, _("文件过大"), _("上传的文件超过大小限制。"))

    @app.errorhandler(429)
    def too_many(error):
        return page(429, _("操作过于频繁"), _("操作过于频繁，请稍后再试。"))

    @app.errorhandler(500)
    def server_error(error):
        app.logger.error("Server error on %s", request.path)
        return busy_page(500)

    def database_unavailable(error):
        app.logger.error("Database unavailable on %s: %s", request.path, error)
        return busy_page(503)

    for kind in OUTAGE:
        app.register_error_handler(kind, database_unavailable)
