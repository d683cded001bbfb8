"""zcps: the employer-side back-office of the professional-title application platform."""
import os
from pathlib import Path

from flask import Flask, has_request_context, session
from werkzeug.routing import IntegerConverter

from .config import build_config
from .extensions import babel, csrf, db, limiter, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    # An explicit choice (the language switch) wins; Chinese is the default for everyone else.
    if not has_request_context():
        return "zh_CN"
    chosen = session.get("lang")
    if chosen in ("zh_CN", "en"):
        return chosen
    return "zh_CN"


class IdConverter(IntegerConverter):
    """``<int:…>`` in an address: a number no table can hold is simply not found (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        from models.base import MAX_ID

        super().__init__(map, fixed_digits, min=min, max=MAX_ID if max is None else max,
                         signed=signed)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(
            (config or {}).get("INSTANCE_DIR") or os.environ.get("INSTANCE_DIR") or ROOT / "instance"
        ),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(build_config(Path(app.instance_path), config))
    app.url_map.converters["int"] = IdConverter

    import models  # noqa: F401  registers the tables

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from . import (  # noqa: F401  unit_work keeps 超期与待办 counted, archive_summary 业绩档案审核,
        archive_summary,  # history_summary 统计分析's tables from the history
        auth,
        cli,
        errors,
        history_summary,
        security_headers,
        templating,
        unit_work,
    )

    auth.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from views import init_admin_areas

    init_admin_areas(app)

    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind nginx or a load balancer: take the client address and scheme from them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def keep_session_alive():
        if not session.permanent:  # setting it again would mark the session changed
            session.permanent = True

    return app


__all__ = ["create_app", "db"]
