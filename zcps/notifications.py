"""SMS notifications: an outbox queued in the caller's transaction, drained by a sender.

``queue_sms`` only adds a row to the session, so the message is committed or rolled back together
with the change that caused it. ``send_due`` (run by ``flask --app app zcps send-notifications``)
sends what is due through the backend named by ``SMS_BACKEND`` and retries failures with
exponential backoff.

A send is recorded (发送中, one more attempt) and committed before the message goes to the
gateway. A sender killed between the two leaves the row 发送中: once its lease has passed, the
next pass sends it again with the same id — the HTTP gateway receives it as the
``Idempotency-Key`` and drops a repeat — and counts the interruption on the row, so a possible
duplicate is never silent. A gateway that refuses a message (4xx: a bad number, a wrong
address) is not asked again; one that fails or hangs is retried later, and after
``SMS_BREAKER_FAILURES`` failures in a row the pass stops instead of waiting on every message.
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
HTTP_TIMEOUT = 5
# Failures in a row after which a pass stops (the gateway is down or hangs).
BREAKER_FAILURES = 3
ERROR_LENGTH = 1000
INTERRUPTED = "上次发送在短信网关答复前中断，短信可能已送达；已以同一编号重发，网关据此去重。"


class GatewayRefused(RuntimeError):
    """The gateway refused this message for good (a 4xx answer): asking again cannot help."""


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
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Idempotency-Key": f"zcps-sms-{message.id}"}
    if config.get("SMS_HTTP_TOKEN"):
        headers["Authorization"] = f"Bearer {config['SMS_HTTP_TOKEN']}"
    request = urllib.request.Request(config["SMS_HTTP_URL"], data=body.encode("utf-8"),
                                     headers=headers, method="POST")
    timeout = float(config.get("SMS_HTTP_TIMEOUT") or HTTP_TIMEOUT)
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace")
        error.close()
        text = f"HTTP {error.code} {error.reason}: {detail}".strip()
        # A refusal of the message itself; 408 and 429 are "not now", like 5xx.
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise GatewayRefused(text) from None
        raise RuntimeError(text) from None
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
    """The first message due: pending and due, or 发送中 past its lease (its sender died)."""
    query = (db.select(Notification)
             .where(Notification.status.in_([NotificationStatus.PENDING,
                                             NotificationStatus.SENDING]),
                    Notification.next_attempt_at <= now)
             .order_by(Notification.id)
             .limit(1)
             .execution_options(populate_existing=True))
    if _supports_skip_locked():
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def lease() -> timedelta:
    """How long a 发送中 message belongs to the sender that took it: the gateway's timeout and
    a margin; after that it counts as interrupted."""
    return timedelta(seconds=float(current_app.config.get("SMS_HTTP_TIMEOUT") or HTTP_TIMEOUT)
                     + 55)


def send_due(limit: int = 100, now: datetime | None = None) -> dict:
    """Send up to ``limit`` due messages; return {"sent", "retry", "failed", "interrupted"}
    counts and whether the pass stopped early ("paused") because the gateway kept failing.

    Each message is taken (locked, marked 发送中, committed), then sent, then its result
    committed: another sender skips it meanwhile, and one message's result never depends on
    another's. Commits the session.
    """
    send = get_backend()
    config = current_app.config
    max_attempts = int(config.get("SMS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    breaker = int(config.get("SMS_BREAKER_FAILURES") or BREAKER_FAILURES)
    counts = {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    failures_in_a_row = 0
    for _ in range(limit):
        moment = now or utcnow()
        message = _next_due(moment)
        if message is None:
            break
        if message.status == NotificationStatus.SENDING:
            message.interruptions += 1
            message.last_error = INTERRUPTED
            counts["interrupted"] += 1
        message.status = NotificationStatus.SENDING
        message.attempts += 1
        message.next_attempt_at = moment + lease()
        db.session.commit()
        try:
            send(message, moment)
        except Exception as error:  # noqa: BLE001  any failure of the channel is recorded
            message.last_error = (f"{type(error).__name__}: {error}")[:ERROR_LENGTH]
            if isinstance(error, GatewayRefused) or message.attempts >= max_attempts:
                message.status = NotificationStatus.FAILED
                counts["failed"] += 1
            else:
                message.status = NotificationStatus.PENDING
                message.next_attempt_at = moment + RETRY_BASE * 2 ** (message.attempts - 1)
                counts["retry"] += 1
            failures_in_a_row = 0 if isinstance(error, GatewayRefused) else failures_in_a_row + 1
        else:
            message.status = NotificationStatus.SENT
            message.sent_at = moment
            counts["sent"] += 1
            failures_in_a_row = 0
        db.session.commit()
        if failures_in_a_row >= breaker:
            counts["paused"] = True
            break
    db.session.commit()
    return counts
