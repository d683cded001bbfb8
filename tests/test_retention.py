"""Retention: the audit log leaves the database only into a verified archive file that the
审计管理员 alone downloads; the SMS outbox drops its old finished messages, never pending ones."""
import gzip
import hashlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    AdminKind,
    AuditAction,
    AuditArchive,
    AuditLog,
    Notification,
    NotificationStatus,
    Role,
    utcnow,
)
from tests import factories
from tests.helpers import shown_text, signed_in
from zcps import clock, retention
from zcps.extensions import db


def entries(*ages_in_days) -> list[int]:
    made = [AuditLog(action=AuditAction.SIGN_IN, target=f"unit:{number}", detail={"n": number},
                     ip_address="10.0.0.1", created_at=utcnow() - timedelta(days=age))
            for number, age in enumerate(ages_in_days)]
    db.session.add_all(made)
    db.session.commit()
    return [entry.id for entry in made]


def ids_left() -> list[int]:
    db.session.rollback()
    return db.session.scalars(sa.select(AuditLog.id).where(
        AuditLog.action == AuditAction.SIGN_IN).order_by(AuditLog.id)).all()


def days_ago(days: int) -> str:
    return (clock.today() - timedelta(days=days)).isoformat()


def archive(runner, *args):
    return runner.invoke(args=["zcps", "archive-audit", *args])


def test_an_archive_holds_exactly_the_entries_it_deleted_and_its_digest(app, runner):
    old = entries(500, 450, 420)
    kept = entries(300, 10)
    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code == 0, result.output
    assert "已归档 3 条审计日志" in result.output

    assert ids_left() == kept
    record = db.session.scalars(sa.select(AuditArchive)).one()
    path = retention.path_of(record)
    assert path.parent == retention.archive_dir() and path.name == record.file_name
    assert record.file_name == f"audit-{days_ago(500)}-{days_ago(400)}.jsonl.gz"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == record.sha256 and len(data) == record.size
    lines = [json.loads(line) for line in gzip.decompress(data).splitlines()]
    assert [line["id"] for line in lines] == old
    assert (record.row_count, record.first_id, record.last_id) == (3, old[0], old[-1])
    assert lines[0]["target"] == "unit:0" and lines[0]["detail"] == {"n": 0}
    assert lines[0]["action"] == "sign_in" and lines[0]["ip_address"] == "10.0.0.1"
    assert record.verified_at and record.created_by
    assert not list(path.parent.glob(".part-*"))

    logged = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.ARCHIVE_AUDIT)).one()
    assert logged.target == f"audit_archive:{record.file_name}"
    assert logged.detail["count"] == 3 and logged.detail["sha256"] == record.sha256


def test_the_default_cut_off_keeps_the_configured_days(app, runner):
    entries(500, 300)
    app.config["AUDIT_RETENTION_DAYS"] = 450
    result = archive(runner)
    assert result.exit_code == 0, result.output
    assert f"{days_ago(450)} 以前" in result.output
    assert len(ids_left()) == 1


@pytest.mark.parametrize("days", [179, 30, 0, -5])
def test_a_cut_off_within_180_days_is_refused(app, runner, days):
    young = entries(200, 170, 1)
    result = archive(runner, "--before", days_ago(days))
    assert result.exit_code != 0
    assert "审计日志至少保留180天" in result.output
    assert f"不能晚于{days_ago(180)}" in result.output
    assert ids_left() == young
    assert db.session.scalar(sa.select(sa.func.count(AuditArchive.id))) == 0


def test_a_configured_retention_below_180_days_is_refused(app, runner):
    entries(200)
    app.config["AUDIT_RETENTION_DAYS"] = 90
    result = archive(runner)
    assert result.exit_code != 0 and "审计日志至少保留180天" in result.output
    assert len(ids_left()) == 1


def test_the_database_still_refuses_an_ordinary_delete_or_update(app, runner):
    old, archived_earlier = entries(500, 600)
    with pytest.raises(sa.exc.DatabaseError, match="only once archived"):
        db.session.execute(sa.delete(AuditLog).where(AuditLog.id == old))
    db.session.rollback()

    # Archived entries are gone; a later entry of the same age is still refused.
    assert archive(runner, "--before", days_ago(550)).exit_code == 0
    assert ids_left() == [old]
    with pytest.raises(sa.exc.DatabaseError, match="only once archived"):
        db.session.execute(sa.delete(AuditLog).where(AuditLog.id == old))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(AuditLog).where(AuditLog.id == old).values(target="x"))
    db.session.rollback()
    assert archived_earlier not in ids_left()


def test_an_archive_record_cannot_be_changed_or_deleted(app, runner):
    entries(500)
    assert archive(runner, "--before", days_ago(400)).exit_code == 0
    with pytest.raises(sa.exc.DatabaseError, match="audit_archive is append-only"):
        db.session.execute(sa.update(AuditArchive).values(row_count=0))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="audit_archive is append-only"):
        db.session.execute(sa.delete(AuditArchive))
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditArchive.row_count)) == 1


def test_a_second_run_changes_nothing(app, runner):
    entries(500, 450, 10)
    assert archive(runner, "--before", days_ago(400)).exit_code == 0
    folder = retention.archive_dir()
    files = {path.name: path.read_bytes() for path in folder.glob("audit-*")}
    left = ids_left()
    logged = db.session.scalar(sa.select(sa.func.count(AuditLog.id)))

    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code == 0, result.output
    assert f"没有 {days_ago(400)} 以前的审计日志需要归档。" in result.output
    assert ids_left() == left
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == logged
    assert db.session.scalar(sa.select(sa.func.count(AuditArchive.id))) == 1
    assert {path.name: path.read_bytes() for path in folder.glob("audit-*")} == files


def test_a_run_that_crashed_before_its_commit_loses_nothing_and_is_done_again(app, runner,
                                                                             monkeypatch):
    old = entries(500, 450)

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    # The file is written and verified, then the process dies before anything commits.
    monkeypatch.setattr(retention.audit, "record", crash)
    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code != 0
    monkeypatch.undo()
    assert ids_left() == old
    assert db.session.scalar(sa.select(sa.func.count(AuditArchive.id))) == 0
    folder = retention.archive_dir()
    orphan = folder / f"audit-{days_ago(500)}-{days_ago(400)}.jsonl.gz"
    assert orphan.exists()
    stray = folder / "audit-2020-01-01-2020-06-01.jsonl.gz"
    stray.write_bytes(b"left by a run that never committed")
    (folder / ".part-audit-x.jsonl.gz").write_bytes(b"cut")

    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code == 0, result.output
    assert "已删除未完成归档留下的文件：audit-2020-01-01-2020-06-01.jsonl.gz" in result.output
    assert ids_left() == []
    record = db.session.scalars(sa.select(AuditArchive)).one()
    assert record.file_name == orphan.name and record.row_count == 2
    assert hashlib.sha256(orphan.read_bytes()).hexdigest() == record.sha256
    assert sorted(path.name for path in folder.iterdir() if path.name != ".lock") == [orphan.name]


def test_a_file_that_does_not_read_back_deletes_nothing(app, runner, monkeypatch):
    old = entries(500)
    real = retention.read_back
    monkeypatch.setattr(retention, "read_back",
                        lambda path: (lambda found: ("0" * 64, *found[1:]))(real(path)))
    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code != 0 and "读回校验不一致" in result.output
    assert ids_left() == old
    assert db.session.scalar(sa.select(sa.func.count(AuditArchive.id))) == 0


@pytest.fixture
def archived(app, runner):
    entries(500, 450)
    assert archive(runner, "--before", days_ago(400)).exit_code == 0
    db.session.rollback()
    return db.session.scalars(sa.select(AuditArchive)).one()


def test_the_auditor_lists_and_downloads_an_archive_and_the_download_is_logged(
        archived, audit_client):
    page = shown_text(audit_client.get("/admin/audit-archives/").get_data(as_text=True))
    assert archived.file_name in page and archived.sha256 in page
    assert f"{days_ago(500)} 至 {days_ago(401)}" in page
    assert "已校验" in page

    response = audit_client.get(f"/admin/audit-archives/download/{archived.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == archived.sha256
    assert archived.file_name in response.headers["Content-Disposition"]
    logged = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DOWNLOAD_AUDIT_ARCHIVE)).one()
    assert logged.target == f"audit_archive:{archived.file_name}"
    assert logged.actor.admin_kind == AdminKind.AUDIT

    assert audit_client.get("/admin/audit-archives/download/999999").status_code == 404


@pytest.mark.parametrize("kind", [AdminKind.SYSTEM, AdminKind.SECURITY])
def test_the_other_admins_neither_list_nor_download_archives(archived, app, kind):
    client = signed_in(app.test_client(), factories.admin(f"x-{kind.value}", kind))
    assert client.get("/admin/audit-archives/").status_code == 403
    response = client.get(f"/admin/audit-archives/download/{archived.id}")
    assert response.status_code == 403
    assert archived.sha256 not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.APPLICANT, Role.ACCEPTANCE])
def test_units_applicants_and_acceptance_points_get_no_archive(archived, app, role):
    unit = factories.unit()
    account = {Role.EMPLOYER: lambda: factories.employer(unit),
               Role.APPLICANT: lambda: factories.applicant(unit, with_account=True).account,
               Role.ACCEPTANCE: lambda: factories.acceptance_account(
                   factories.acceptance_point())}[role]()
    db.session.commit()
    client = signed_in(app.test_client(), account)
    response = client.get(f"/admin/audit-archives/download/{archived.id}")
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/admin" not in response.headers["Location"].split("?")[0]
    assert archived.sha256 not in response.get_data(as_text=True)
    anonymous = app.test_client().get(f"/admin/audit-archives/download/{archived.id}")
    assert anonymous.status_code == 302


def test_a_changed_archive_file_is_not_served(archived, audit_client):
    path = retention.path_of(archived)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, other bytes
    response = audit_client.get(f"/admin/audit-archives/download/{archived.id}")
    assert response.status_code == 409
    assert "文件已损坏" in response.get_data(as_text=True)
    page = shown_text(audit_client.get("/admin/audit-archives/").get_data(as_text=True))
    assert "已校验" in page  # the size still matches: only reading it tells
    path.write_bytes(data[:100])
    page = shown_text(audit_client.get("/admin/audit-archives/").get_data(as_text=True))
    assert "文件已损坏" in page and "已校验" not in page
    path.unlink()
    assert audit_client.get(f"/admin/audit-archives/download/{archived.id}").status_code == 410
    problems = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.FILE_INTEGRITY)).all()
    assert [entry.detail["problem"] for entry in problems] == ["damaged", "missing"]
    assert not db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DOWNLOAD_AUDIT_ARCHIVE)).all()


def message(status, age_days) -> Notification:
    return Notification(mobile="13900000000", template="t", text=f"{status.value} {age_days}",
                        status=status, created_at=utcnow() - timedelta(days=age_days))


def test_prune_outbox_keeps_pending_and_recent_messages(app, runner):
    old_sent, old_failed = message(NotificationStatus.SENT, 200), message(NotificationStatus.FAILED, 300)
    kept = [message(NotificationStatus.PENDING, 400), message(NotificationStatus.SENDING, 400),
            message(NotificationStatus.SENT, 100), message(NotificationStatus.FAILED, 10)]
    db.session.add_all([old_sent, old_failed, *kept])
    db.session.commit()
    kept_ids = sorted(row.id for row in kept)

    result = runner.invoke(args=["zcps", "prune-outbox"])
    assert result.exit_code == 0, result.output
    assert f"已删除 {days_ago(180)} 以前的短信 2 条：已发送 1 条，发送失败 1 条" in result.output
    db.session.rollback()
    assert db.session.scalars(sa.select(Notification.id).order_by(Notification.id)).all() == kept_ids
    logged = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.PRUNE_OUTBOX)).one()
    assert (logged.detail["sent"], logged.detail["failed"]) == (1, 1)

    result = runner.invoke(args=["zcps", "prune-outbox", "--before", days_ago(50)])
    assert result.exit_code == 0 and "已发送 1 条，发送失败 0 条" in result.output
    db.session.rollback()
    assert len(db.session.scalars(sa.select(Notification.id)).all()) == 3

    result = runner.invoke(args=["zcps", "prune-outbox", "--before", days_ago(-1)])
    assert result.exit_code != 0 and "晚于今天" in result.output


def test_prune_outbox_goes_in_batches(app, runner, monkeypatch):
    monkeypatch.setattr(retention, "PRUNE_BATCH", 3)
    db.session.add_all([message(NotificationStatus.SENT, 400) for _ in range(7)]
                       + [message(NotificationStatus.PENDING, 400)])
    db.session.commit()
    result = runner.invoke(args=["zcps", "prune-outbox"])
    assert result.exit_code == 0 and "短信 7 条" in result.output
    db.session.rollback()
    assert db.session.scalars(sa.select(Notification.status)).all() == [NotificationStatus.PENDING]


def test_an_archive_of_many_entries_reads_back_by_pages(app, runner, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 7)
    old = entries(*([500] * 30))
    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code == 0, result.output
    record = db.session.scalars(sa.select(AuditArchive)).one()
    assert record.row_count == 30 and (record.first_id, record.last_id) == (old[0], old[-1])
    assert ids_left() == []


def test_verify_files_and_the_backup_take_the_archives_too(archived, runner, tmp_path):
    result = runner.invoke(args=["zcps", "verify-files"])
    assert result.exit_code == 0, result.output
    assert "已检查 1 个审计日志归档，有问题的 0 个。" in result.output
    if retention.current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        result = runner.invoke(args=["zcps", "backup", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        assert "审计日志归档：1 个" in result.output
        copied = tmp_path / "backup" / "archive" / archived.file_name
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == archived.sha256

    path = retention.path_of(archived)
    path.write_bytes(path.read_bytes()[:-1])
    result = runner.invoke(args=["zcps", "verify-files"])
    assert result.exit_code == 1
    assert f"文件已损坏（大小或SHA-256不符）：审计日志归档 {archived.file_name}（2 条）" in result.output


def test_the_audit_log_names_an_archiving_and_a_prune_in_words(archived, runner, audit_client):
    assert runner.invoke(args=["zcps", "prune-outbox"]).exit_code == 0
    page = " ".join(shown_text(audit_client.get("/admin/admin_audit/").get_data(as_text=True))
                    .split())
    assert f"审计日志归档 审计日志归档 {archived.file_name}" in page
    assert "清理短信发件箱 短信发件箱" in page


def test_a_full_disk_deletes_nothing_and_leaves_no_file(app, runner, monkeypatch):
    old = entries(500)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(retention.gzip.GzipFile, "write", full)
    result = archive(runner, "--before", days_ago(400))
    assert result.exit_code != 0
    assert "写入归档文件失败" in result.output and "未删除任何审计日志" in result.output
    assert ids_left() == old
    assert [path.name for path in retention.archive_dir().iterdir()] == [".lock"]
