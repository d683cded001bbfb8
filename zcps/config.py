"""Configuration: environment variables over embedded defaults.

Every setting can be given as an environment variable of the same name. Without any, zcps runs
on a SQLite file under ``instance/`` with a secret key generated there on first run.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = BASE_DIR / "instance"


def _bool(value, default=False):
    if value is None:
        return default
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_dir: Path) -> str:
    """Return SECRET_KEY from the environment, or the one kept in ``instance/`` (made on first run)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    # Create with mode 600 from the start so the key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def database_uri(instance_dir: Path) -> str:
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'zcps.sqlite3'}"
    return with_driver_defaults(uri)


def with_driver_defaults(uri: str) -> str:
    """MySQL/MariaDB connections must speak utf8mb4, or Chinese text is refused or mangled."""
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


def engine_options(uri: str, options: dict, connect_timeout: int = 5,
                   statement_timeout: int = 20) -> dict:
    """How zcps connects to its database.

    MySQL and MariaDB read at READ COMMITTED like PostgreSQL: a statement sees what other
    transactions committed before it ran, not a snapshot from the transaction's first read
    (REPEATABLE READ), so a check made after taking a lock reads the latest rows.

    A request never waits on the database for ever: connecting gives up after
    ``connect_timeout`` seconds and a statement after ``statement_timeout`` (0: no limit),
    also when the network between them is cut (TCP keepalives and a socket timeout on the
    client, since the server cannot tell the client it gave up) — both within gunicorn's 30 s
    worker timeout, so the worker answers 系统繁忙 instead of being killed. Migrations lift the
    statement limit for their own connection (migrations/env.py)."""
    from sqlalchemy.engine import make_url

    backend = make_url(uri).get_backend_name()
    args = {}
    if backend == "postgresql":
        args = {"connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": 10,
                "keepalives_interval": 5, "keepalives_count": 3}
        if statement_timeout:
            args["options"] = f"-c statement_timeout={statement_timeout * 1000}"
            args["tcp_user_timeout"] = (statement_timeout + 5) * 1000
    elif backend in ("mysql", "mariadb"):
        options = {"isolation_level": "READ COMMITTED", **options}
        args = {"connect_timeout": connect_timeout}
        if statement_timeout:
            args["init_command"] = f"SET SESSION max_statement_time={statement_timeout}"
            args["read_timeout"] = args["write_timeout"] = statement_timeout + 5
    if not args:
        return options
    return {**options, "connect_args": {**args, **options.get("connect_args", {})}}


def build_config(instance_dir: Path | None = None, overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    instance_dir = Path(overrides.get("INSTANCE_DIR") or instance_dir or DEFAULT_INSTANCE_DIR)
    instance_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ
    config = {
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_uri(instance_dir),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DB_CONNECT_TIMEOUT": int(env.get("DB_CONNECT_TIMEOUT", "5")),
        "DB_STATEMENT_TIMEOUT": int(env.get("DB_STATEMENT_TIMEOUT", "20")),
        # How many times a request runs when the database rolls it back to end a deadlock.
        "DB_CONFLICT_ATTEMPTS": int(env.get("DB_CONFLICT_ATTEMPTS", "3")),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance_dir / "uploads"),
        "UPLOAD_MAX_MB": int(env.get("UPLOAD_MAX_MB", "10")),
        # Exports' temporary files (zcps.exports.ExportWorkbook); empty: INSTANCE_DIR/export-tmp.
        "EXPORT_TEMP_DIR": env.get("EXPORT_TEMP_DIR", ""),
        # Audit log archives (flask zcps archive-audit); empty: INSTANCE_DIR/archive.
        "ARCHIVE_DIR": env.get("ARCHIVE_DIR", ""),
        # How many days archive-audit and prune-outbox keep by default (the audit log: at
        # least 180, 等保2.0).
        "AUDIT_RETENTION_DAYS": int(env.get("AUDIT_RETENTION_DAYS", "400")),
        "OUTBOX_RETENTION_DAYS": int(env.get("OUTBOX_RETENTION_DAYS", "180")),
        "UPLOAD_MAX_PAGES": int(env.get("UPLOAD_MAX_PAGES", "200")),
        "UPLOAD_QUOTA_MB": int(env.get("UPLOAD_QUOTA_MB", "200")),
        "SMS_BACKEND": env.get("SMS_BACKEND", "console"),
        "SMS_FILE": env.get("SMS_FILE") or str(instance_dir / "sms.jsonl"),
        "SMS_HTTP_URL": env.get("SMS_HTTP_URL", ""),
        "SMS_HTTP_TOKEN": env.get("SMS_HTTP_TOKEN", ""),
        "SMS_MAX_ATTEMPTS": int(env.get("SMS_MAX_ATTEMPTS", "5")),
        "SMS_HTTP_TIMEOUT": float(env.get("SMS_HTTP_TIMEOUT", "5")),
        "SMS_BREAKER_FAILURES": int(env.get("SMS_BREAKER_FAILURES", "3")),
        "PUBLICITY_COUNT_START_DAY": _bool(env.get("PUBLICITY_COUNT_START_DAY"), False),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Session cookies: HttpOnly and SameSite=Lax always; Secure (HTTPS only) unless turned
        # off — `python app.py` turns it off because the development server speaks plain http.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), True),
        # A session ends 8 hours after sign-in however busy (zcps/auth.py checks the moment of
        # sign-in kept in it), and after 30 minutes without a request.
        "PERMANENT_SESSION_LIFETIME": int(env.get("SESSION_LIFETIME_SECONDS", str(8 * 3600))),
        "SESSION_IDLE_SECONDS": int(env.get("SESSION_IDLE_SECONDS", str(30 * 60))),
        # The cookie is sent again only when the session changed (the idle timer moves once a
        # minute, zcps/auth.py), not re-signed on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Review forms stay open for a long time; a token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": int(env.get("SESSION_LIFETIME_SECONDS", str(8 * 3600))),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "LANGUAGES": {"zh_CN": "中文", "en": "English"},
        "FLASK_ADMIN_SWATCH": "default",
        # The footer of every page: who runs the platform (empty: 浙江省人力资源和社会保障厅, in
        # the reader's language), whom to call (12345, the government service hotline, until
        # the operator's own number is set), where the guide is (empty: /guide).
        "SITE_ORGANIZER": env.get("SITE_ORGANIZER", ""),
        "SUPPORT_PHONE": env.get("SUPPORT_PHONE", "12345"),
        "SUPPORT_EMAIL": env.get("SUPPORT_EMAIL", ""),
        "GUIDE_URL": env.get("GUIDE_URL", ""),
        # Room above the upload limit so an oversize file gets a form message, not a bare 413.
        "MAX_CONTENT_LENGTH": (int(env.get("UPLOAD_MAX_MB", "10")) * 2 + 1) * 1024 * 1024,
    }
    config.update(overrides)
    config["SQLALCHEMY_DATABASE_URI"] = with_driver_defaults(config["SQLALCHEMY_DATABASE_URI"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"], config["SQLALCHEMY_ENGINE_OPTIONS"],
        config["DB_CONNECT_TIMEOUT"], config["DB_STATEMENT_TIMEOUT"])
    config["SECRET_KEY"] = config.get("SECRET_KEY") or load_secret_key(instance_dir)
    return config
