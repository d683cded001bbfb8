"""SMS notifications: an outbox queued in the caller's transaction, drained by a sender.

``queue_sms`` only adds a row to the session, so the message is committed or rolled back together
with the change that caused it. ``send_due`` (run by ``flask --app app zcps send-notifications``)
sends what is due through the backend named by ``SMS_BACKEND`` and retries failures with
exponential backoff.
"""
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from models import Notification, NotificationStatus, utcnow

from .extensions import db

DEFAULT_MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)
HTTP_TIMEOUT = 10
ERROR_LENGTH = 1000


class SmsConfigError(RuntimeError):
    """The SMS settings are unusable (unknown backend, missing gateway address)."""


def queue_sms(mobile: str, template: str, text: str) -> Notification | None:
    """Add a pending message to the session (not committed); nothing when ``mobile`` is empty."""
    mobile = (mobile or "").strip()
    if not mobile:
        return None
    # Whole seconds: MySQL rounds fractional seconds, which could put a new message a moment
    # into the future and make the sender skip it on its next pass.
    message = Notification(mobile=mobile, template=template, text=text,
                           status=NotificationStatus.PENDING, attempts=0, last_error="",
                           next_attempt_at=utcnow().replace(microsecond=0))
    db.session.add(message)
    return message


def send_console(message: Notification, now: datetime) -> None:
    current_app.logger.info("SMS #%s to %s [%s]: %s", message.id, message.mobile,
                            message.template, message.text)


def send_file(message: Notification, now: datetime) -> None:
    path = Path(current_app.config["SMS_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"id": message.id, "mobile": message.mobile, "template": message.template,
                       "text": message.text, "sent_at": now.isoformat()}, ensure_ascii=False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Following a redirect would turn the POST into a GET and report success for a message the
    # gateway never took; a 3xx is a failure like any other non-2xx answer.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send_http(message: Notification, now: datetime) -> None:
    config = current_app.config
    body = json.dumps({"mobile": message.mobile, "template": message.template,
                       "text": message.text, "id": message.id}, ensure_ascii=False)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if config.get("SMS_HTTP_TOKEN"):
        headers["Authorization"] = f"Bearer {config['SMS_HTTP_TOKEN']}"
    request = urllib.request.Request(config["SMS_HTTP_URL"], data=body.encode("utf-8"),
                                     headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=HTTP_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace")
        error.close()
        raise RuntimeError(f"HTTP {error.code} {error.reason}: {detail}".strip()) from None
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")


BACKENDS = {"console": send_console, "file": send_file, "http": send_http}


def get_backend(name: str | None = None):
    """The send function for ``name`` (default: the ``SMS_BACKEND`` setting)."""
    config = current_app.config
    name = name or config.get("SMS_BACKEND") or "console"
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise SmsConfigError(
            f"未知的短信通道 SMS_BACKEND={name!r}，可选：{', '.join(BACKENDS)}。") from None
    if name == "http" and not config.get("SMS_HTTP_URL"):
        raise SmsConfigError("SMS_BACKEND=http 需要设置 SMS_HTTP_URL。")
    return backend


def _supports_skip_locked() -> bool:
    return db.session.get_bind().dialect.name in ("postgresql", "mysql", "mariadb")


def _next_due(now: datetime) -> Notification | None:
    query = (db.select(Notification)
             .where(Notification.status == NotificationStatus.PENDING,
                    Notification.next_attempt_at <= now)
             .order_by(Notification.id)
             .limit(1)
             .execution_options(populate_existing=True))
    if _supports_skip_locked():
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def send_due(limit: int = 100, now: datetime | None = None) -> dict:
    """Send up to ``limit`` due messages; return {"sent": n, "retry": n, "failed": n}.

    Each message is locked, sent and committed on its own, so the lock is held while it is
    being sent (another sender skips it) and one message's result never depends on another's.
    Commits the session.
    """
    send = get_backend()
    max_attempts = int(current_app.config.get("SMS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        moment = now or utcnow()
        message = _next_due(moment)
        if message is None:
            break
        message.attempts += 1
        try:
            send(message, moment)
        except Exception as error:  # noqa: BLE001  any failure of the channel means "retry"
            message.last_error = (f"{type(error).__name__}: {error}")[:ERROR_LENGTH]
            if message.attempts >= max_attempts:
                message.status = NotificationStatus.FAILED
                counts["failed"] += 1
            else:
                message.next_attempt_at = moment + RETRY_BASE * 2 ** (message.attempts - 1)
                counts["retry"] += 1
        else:
            message.status = NotificationStatus.SENT
            message.sent_at = moment
            counts["sent"] += 1
        db.session.commit()
    db.session.commit()
    return counts
