"""The SMS outbox: queued with the caller's change, sent by the sender with retries."""
import json
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from models import Notification, NotificationStatus, utcnow
from tests import factories
from zcps import cli, notifications
from zcps.extensions import db
from zcps.notifications import SmsConfigError, queue_sms, send_due

TEXT = "【浙江职称】杭州示例科技有限公司：您单位的用人单位授权已审核通过。"


@pytest.fixture
def app_with(app_factory):
    """An app with extra config, its context pushed for the test body."""
    contexts = []

    def build(**extra):
        app = app_factory(**extra)
        context = app.app_context()
        context.push()
        contexts.append(context)
        return app

    yield build
    for context in reversed(contexts):
        db.session.remove()
        context.pop()


@pytest.fixture
def gateway():
    """A local SMS gateway: records each request and answers with ``gateway.status``."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if server.delay:
                time.sleep(server.delay)
            self.send_response(server.status)
            if server.status in (301, 302, 303, 307, 308):
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self):
            requests.append({"path": self.path, "headers": dict(self.headers), "body": b""})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.delay = 0
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    # A short poll so that shutdown() at the end does not wait half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/sms"


def outbox(status=None) -> list[Notification]:
    query = db.select(Notification).order_by(Notification.id)
    if status is not None:
        query = query.where(Notification.status == status)
    return list(db.session.scalars(query))


def sent_lines(app) -> list[dict]:
    path = Path(app.config["SMS_FILE"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def whole_second_now():
    # Whole seconds so that times read back from MySQL/MariaDB compare exactly.
    return utcnow().replace(microsecond=0)


def test_queued_message_waits_for_the_sender_and_file_backend_keeps_chinese(app):
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    assert message.status == NotificationStatus.PENDING and message.attempts == 0
    assert sent_lines(app) == []

    assert send_due() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}

    lines = sent_lines(app)
    assert len(lines) == 1
    assert lines[0]["id"] == message.id
    assert lines[0]["mobile"] == "13800001111"
    assert lines[0]["template"] == "authorization_approved"
    assert lines[0]["text"] == TEXT
    assert "【浙江职称】" in Path(app.config["SMS_FILE"]).read_text(encoding="utf-8")
    assert lines[0]["sent_at"].startswith(str(utcnow().year))
    db.session.expire_all()
    assert message.status == NotificationStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None

    # Nothing left: a second pass sends nothing twice.
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    assert len(sent_lines(app)) == 1


def test_empty_mobile_queues_nothing(app):
    assert queue_sms("", "authorization_approved", TEXT) is None
    assert queue_sms(None, "authorization_approved", TEXT) is None
    db.session.commit()
    assert outbox() == []


def test_rollback_of_the_callers_transaction_leaves_no_message(app):
    unit = factories.unit(authorized=False)
    queue_sms(unit.contact_mobile, "authorization_approved", TEXT)
    db.session.flush()
    assert len(outbox()) == 1
    db.session.rollback()

    assert outbox() == []
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    assert sent_lines(app) == []


def test_failure_is_retried_with_backoff_then_marked_failed(app_with):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=closed_port_url(), SMS_MAX_ATTEMPTS=3)
    now = whole_second_now()
    failing = queue_sms("13800001111", "authorization_approved", TEXT)
    later = queue_sms("13800002222", "authorization_rejected", TEXT)
    db.session.flush()
    later.next_attempt_at = now + timedelta(days=1)
    db.session.commit()

    assert send_due(now=now) == {"sent": 0, "retry": 1, "failed": 0, "interrupted": 0, "paused": False}
    db.session.expire_all()
    assert failing.status == NotificationStatus.PENDING
    assert failing.attempts == 1
    assert "URLError" in failing.last_error
    assert failing.next_attempt_at == now + timedelta(seconds=30)
    assert later.attempts == 0 and later.last_error == ""

    # Not due before the backoff has passed.
    assert send_due(now=now + timedelta(seconds=29)) == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}

    second = now + timedelta(seconds=30)
    assert send_due(now=second) == {"sent": 0, "retry": 1, "failed": 0, "interrupted": 0, "paused": False}
    db.session.expire_all()
    assert failing.attempts == 2
    assert failing.next_attempt_at == second + timedelta(seconds=60)

    third = second + timedelta(seconds=60)
    assert send_due(now=third) == {"sent": 0, "retry": 0, "failed": 1, "interrupted": 0, "paused": False}
    db.session.expire_all()
    assert failing.status == NotificationStatus.FAILED
    assert failing.attempts == 3
    assert failing.sent_at is None

    # A failed message is never tried again; the later one is still waiting, untouched.
    assert send_due(now=third + timedelta(hours=1)) == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    db.session.expire_all()
    assert failing.attempts == 3
    assert later.status == NotificationStatus.PENDING and later.attempts == 0


def test_default_maximum_is_five_attempts_and_error_is_truncated(app, monkeypatch):
    app.config.pop("SMS_MAX_ATTEMPTS", None)

    def broken(message, now):
        raise RuntimeError("网关拒绝" * 1000)

    monkeypatch.setitem(notifications.BACKENDS, "file", broken)
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    moment = whole_second_now()
    outcomes = []
    for _ in range(5):
        outcomes.append(send_due(now=moment))
        db.session.expire_all()
        moment = message.next_attempt_at
    assert outcomes[:4] == [{"sent": 0, "retry": 1, "failed": 0, "interrupted": 0, "paused": False}] * 4
    assert outcomes[4] == {"sent": 0, "retry": 0, "failed": 1, "interrupted": 0, "paused": False}
    assert message.status == NotificationStatus.FAILED
    assert message.attempts == 5
    assert len(message.last_error) == 1000
    assert message.last_error.startswith("RuntimeError: 网关拒绝")


def test_one_failure_does_not_stop_or_undo_the_others(app, monkeypatch):
    send_file = notifications.BACKENDS["file"]

    def picky(message, now):
        if message.mobile == "13800002222":
            raise OSError("网关超时")
        send_file(message, now)

    monkeypatch.setitem(notifications.BACKENDS, "file", picky)
    for mobile in ("13800001111", "13800002222", "13800003333"):
        queue_sms(mobile, "authorization_approved", TEXT)
    db.session.commit()

    assert send_due() == {"sent": 2, "retry": 1, "failed": 0, "interrupted": 0, "paused": False}
    assert [line["mobile"] for line in sent_lines(app)] == ["13800001111", "13800003333"]
    assert [m.mobile for m in outbox(NotificationStatus.PENDING)] == ["13800002222"]


def test_limit_caps_one_pass(app):
    for n in range(3):
        queue_sms(f"1380000{n:04d}", "authorization_approved", TEXT)
    db.session.commit()
    assert send_due(limit=2) == {"sent": 2, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    assert [line["mobile"] for line in sent_lines(app)] == ["13800000000", "13800000001"]
    assert send_due(limit=2) == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}


def test_http_backend_posts_json_with_bearer_token(app_with, gateway):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, SMS_HTTP_TOKEN="gateway-token")
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()

    assert send_due() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}

    assert len(gateway.requests) == 1
    request = gateway.requests[0]
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer gateway-token"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"].decode("utf-8")) == {
        "mobile": "13800001111", "template": "authorization_approved", "text": TEXT,
        "id": message.id,
    }
    # The gateway drops a message it has already taken under this key.
    assert request["headers"]["Idempotency-Key"] == f"zcps-sms-{message.id}"
    db.session.expire_all()
    assert message.status == NotificationStatus.SENT


def test_http_backend_without_token_sends_no_authorization(app_with, gateway):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, SMS_HTTP_TOKEN="")
    queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    assert send_due()["sent"] == 1
    assert "Authorization" not in gateway.requests[0]["headers"]


@pytest.mark.parametrize("status", [500, 503, 429, 302])
def test_http_backend_treats_non_2xx_as_failure(app_with, gateway, status):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url)
    gateway.status = status
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()

    assert send_due() == {"sent": 0, "retry": 1, "failed": 0, "interrupted": 0, "paused": False}
    # A redirect is not followed (it would re-send the message as a GET).
    assert [r["path"] for r in gateway.requests] == ["/sms"]
    db.session.expire_all()
    assert message.status == NotificationStatus.PENDING
    assert f"HTTP {status}" in message.last_error


def test_console_backend_logs_the_message(app_with, caplog):
    app = app_with(SMS_BACKEND="console")
    caplog.set_level(logging.INFO, logger=app.logger.name)
    queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    assert send_due()["sent"] == 1
    assert TEXT in caplog.text and "13800001111" in caplog.text


def test_unknown_backend_is_a_clear_error_and_touches_nothing(app_with):
    app = app_with(SMS_BACKEND="pigeon")
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    with pytest.raises(SmsConfigError, match="pigeon"):
        send_due()
    result = app.test_cli_runner().invoke(args=["zcps", "send-notifications"])
    assert result.exit_code != 0
    assert "pigeon" in result.output
    db.session.expire_all()
    assert message.attempts == 0 and message.status == NotificationStatus.PENDING


def test_message_locked_by_another_sender_is_skipped(app):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks")
    first = queue_sms("13800001111", "authorization_approved", TEXT)
    queue_sms("13800002222", "authorization_approved", TEXT)
    db.session.commit()
    first_id = first.id

    # Another sender holds the first message while sending it.
    with db.engine.connect() as other, other.begin():
        other.execute(db.select(Notification.id).where(Notification.id == first_id)
                      .with_for_update())
        assert send_due() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    assert [line["mobile"] for line in sent_lines(app)] == ["13800002222"]

    assert send_due() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0, "paused": False}
    assert [line["mobile"] for line in sent_lines(app)] == ["13800002222", "13800001111"]


def test_cli_sends_and_prints_counts(app, runner):
    for mobile in ("13800001111", "13800002222", "13800003333"):
        queue_sms(mobile, "authorization_approved", TEXT)
    db.session.commit()

    result = runner.invoke(args=["zcps", "send-notifications"])
    assert result.exit_code == 0, result.output
    assert "已发送 3 条，待重试 0 条，失败 0 条" in result.output
    assert outbox(NotificationStatus.PENDING) == []
    assert len(sent_lines(app)) == 3

    result = runner.invoke(args=["zcps", "send-notifications", "--limit", "5"])
    assert "已发送 0 条，待重试 0 条，失败 0 条" in result.output


def test_cli_loop_keeps_sending_until_interrupted(app, runner, monkeypatch):
    queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    pauses = []

    def fake_sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            queue_sms("13800002222", "authorization_approved", TEXT)
            db.session.commit()
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli.time, "sleep", fake_sleep)
    result = runner.invoke(args=["zcps", "send-notifications", "--loop", "--interval", "2"])

    assert result.exit_code == 0, result.output
    assert pauses == [2.0, 2.0]
    assert result.output.count("已发送 1 条，待重试 0 条，失败 0 条") == 2
    assert "已停止" in result.output
    assert [line["mobile"] for line in sent_lines(app)] == ["13800001111", "13800002222"]


def test_the_outbox_names_each_message_rather_than_showing_its_code(client):
    from tests.helpers import signed_in

    admin = factories.admin()
    queue_sms("13800000001", "authorization_approved", TEXT)
    queue_sms("13800000002", "acceptance_returned", TEXT)
    db.session.commit()
    page = signed_in(client, admin).get("/admin/admin_notification/?tab=all").get_data(
        as_text=True)
    assert "授权审核通过" in page and "受理点退回" in page
    assert "authorization_approved" not in page and "acceptance_returned" not in page


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_message_the_gateway_refuses_is_not_asked_again(app_with, gateway, status):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url)
    gateway.status = status
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()

    assert send_due() == {"sent": 0, "retry": 0, "failed": 1, "interrupted": 0, "paused": False}
    db.session.expire_all()
    assert message.status == NotificationStatus.FAILED and message.attempts == 1
    assert f"HTTP {status}" in message.last_error
    assert send_due(now=utcnow() + timedelta(days=1))["sent"] == 0
    assert len(gateway.requests) == 1


def test_a_failing_gateway_stops_the_pass_after_three_failures_in_a_row(app_with, gateway):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url)
    gateway.status = 500
    for n in range(6):
        queue_sms(f"1380000111{n}", "authorization_approved", TEXT)
    db.session.commit()

    counts = send_due()
    assert counts == {"sent": 0, "retry": 3, "failed": 0, "interrupted": 0, "paused": True}
    assert len(gateway.requests) == 3
    assert len(outbox(NotificationStatus.PENDING)) == 6
    assert "短信网关连续失败，本轮暂停发送" in cli.format_counts(counts)


def test_a_hanging_gateway_costs_its_timeout_per_message_and_stops_the_pass(app_with, gateway):
    app_with(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, SMS_HTTP_TIMEOUT=0.3)
    gateway.delay = 1.5
    for n in range(10):
        queue_sms(f"1380000111{n}", "authorization_approved", TEXT)
    db.session.commit()

    started = time.monotonic()
    counts = send_due()
    assert counts["paused"] and counts["retry"] == 3
    assert time.monotonic() - started < 3  # 3 × 0.3 s, not 10 × 10 s
    db.session.expire_all()
    assert all("timed out" in message.last_error for message in outbox()[:3])


class Killed(BaseException):
    """The sender process dying in the middle of a send (SIGKILL)."""


def test_a_sender_killed_mid_send_resends_once_and_records_the_possible_duplicate(app_with):
    app = app_with(SMS_BACKEND="file")
    message = queue_sms("13800001111", "authorization_approved", TEXT)
    db.session.commit()
    message_id = message.id
    real = notifications.send_file

    def reaches_the_phone_then_dies(message, now):
        real(message, now)
        raise Killed()

    notifications.BACKENDS["file"] = reaches_the_phone_then_dies
    try:
        with pytest.raises(Killed):
            send_due()
    finally:
        notifications.BACKENDS["file"] = real
    db.session.rollback()  # what the dead process had not committed is gone

    taken = db.session.get(Notification, message_id, populate_existing=True)
    assert taken.status == NotificationStatus.SENDING and taken.attempts == 1
    # Another sender leaves it alone while its lease runs ...
    assert send_due()["sent"] == 0
    # ... and afterwards sends it again, under the same id, saying so.
    later = utcnow() + notifications.lease() + timedelta(seconds=1)
    counts = send_due(now=later)
    assert counts == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 1, "paused": False}
    assert "1 条上次发送中断后重发，可能重复送达" in cli.format_counts(counts)
    db.session.expire_all()
    resent = db.session.get(Notification, message_id)
    assert (resent.status, resent.attempts, resent.interruptions) == (
        NotificationStatus.SENT, 2, 1)
    assert resent.last_error == notifications.INTERRUPTED
    assert [line["id"] for line in sent_lines(app)] == [message_id, message_id]
