"""Retention: the audit log moves to archive files, the SMS outbox drops what it has finished.

**Archiving the audit log** (``flask zcps archive-audit``). 等保2.0 (三级) and 网络安全法 第二十一条
ask for audit records kept at least six months and protected from deletion and change; kept for
ever in the database they slow every page of it. An archive takes the entries created before a
cut-off (at least ``audit.KEEP_DAYS`` days ago) into one gzip'd JSON-lines file in
``ARCHIVE_DIR`` (by default the instance folder's ``archive/``), named by its period
(``audit-<first day>-<cut-off>.jsonl.gz``), then in one transaction:

1. the file is written under a temporary name, flushed to disk and renamed;
2. it is read back: its SHA-256 must be the digest of the bytes written, and it must hold as many
   entries as were selected, with the same first and last id;
3. an ``audit_archive`` row records the period, count, id range, size, digest and who ran it;
4. the entries are deleted, and the archiving is itself written to the audit log.

How deletion stays possible through this path only: the database's delete trigger on
``audit_log`` (migration 0022) refuses an entry younger than 180 days and any entry that no
``audit_archive`` row covers (its id in the row's range, created before the row's cut-off). The
row is inserted in the deleting transaction, after the file was verified, and ``audit_archive``
refuses UPDATE and DELETE itself, so every entry that ever left the database stays named by an
archive record the 审计管理员 sees, with the digest of the file holding it. A marker row checked by
the trigger needs nothing of the connection (no session variables), so it works the same on
SQLite, PostgreSQL and MariaDB, and it cannot be left switched on by a crashed run.

Crashes: the file exists before anything is deleted, and the row and the deletion commit
together. A run stopped before its commit leaves every entry in the database and an archive file
no row names (or a temporary file); the next run removes such files first and writes the archive
again. A run after a successful one finds nothing older than the cut-off and changes nothing. One
run at a time (a lock file in the archive folder).

**Pruning the SMS outbox** (``flask zcps prune-outbox``) deletes the messages sent or finally
failed before a cut-off, in batches; a message waiting or being sent is never deleted.
"""
import fcntl
import getpass
import gzip
import hashlib
import json
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from models import (
    Account,
    AuditAction,
    AuditArchive,
    AuditLog,
    Notification,
    NotificationStatus,
)

from . import audit, clock

ARCHIVE_PREFIX = "audit-"
ARCHIVE_SUFFIX = ".jsonl.gz"
TEMPORARY_PREFIX = ".part-"
LOCK_NAME = ".lock"
# Entries read (and written) per query while an archive is made.
BATCH = 5000
# Outbox rows deleted per transaction.
PRUNE_BATCH = 2000
# The outbox's finished messages: what a prune may delete.
FINISHED = (NotificationStatus.SENT, NotificationStatus.FAILED)


class RetentionRefused(ValueError):
    """A cut-off or a run the rules refuse; the message says why, in Chinese."""


def archive_dir() -> Path:
    config = current_app.config
    path = Path(config.get("ARCHIVE_DIR") or Path(config["INSTANCE_DIR"]) / "archive")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(archive: AuditArchive) -> Path:
    return archive_dir() / archive.file_name


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Beijing, as naive UTC (what the columns hold)."""
    return datetime.combine(day, time(0), tzinfo=clock.BEIJING).astimezone(
        timezone.utc).replace(tzinfo=None)


def latest_audit_cut_off() -> date:
    """The latest cut-off date an archive may take: every entry stays KEEP_DAYS days."""
    return (clock.now_beijing() - timedelta(days=audit.KEEP_DAYS)).date()


def default_cut_off(days: int) -> date:
    return clock.today() - timedelta(days=days)


def operator() -> str:
    """Who runs the command: the operating system's user at this host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a bare container)
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"[:200]


@dataclass
class ArchiveRun:
    """What ``archive_audit`` did."""

    archive: AuditArchive | None = None
    removed: list = field(default_factory=list)   # files of runs that never committed


class _HashingWriter:
    """A file the bytes written to which are also hashed (the digest of exactly what was written)."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self):
        self.handle.flush()


# One encoder for every line (json.dumps with options builds a new one per call).
_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def entry_line(row) -> bytes:
    line = {"id": row.id, "created_at": row.created_at.isoformat(), "actor_id": row.actor_id,
            "actor_username": row.username,
            "actor_role": row.role.value if row.role is not None else None,
            "action": row.action.value, "target": row.target, "detail": row.detail,
            "ip_address": row.ip_address}
    return (_LINE.encode(line) + "\n").encode("utf-8")


def _entries(session, cut_off: datetime):
    """(lines, ids) of each page of the entries created before ``cut_off``, in id order, read as
    plain rows (no ORM objects: an archive may hold millions), with their actor's name and role."""
    last_id = 0
    while True:
        page = session.execute(
            sa.select(AuditLog.id, AuditLog.created_at, AuditLog.actor_id, AuditLog.action,
                      AuditLog.target, AuditLog.detail, AuditLog.ip_address, Account.username,
                      Account.role)
            .outerjoin(Account, Account.id == AuditLog.actor_id)
            .where(AuditLog.created_at < cut_off, AuditLog.id > last_id)
            .order_by(AuditLog.id).limit(BATCH)).all()
        if page:
            yield b"".join(entry_line(row) for row in page), [row.id for row in page]
        if len(page) < BATCH:
            return
        last_id = page[-1].id


def read_back(path: Path) -> tuple[str, int, int | None, int | None]:
    """(SHA-256 of the file, entries in it, first id, last id), reading the file as stored."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    count, first, last = 0, None, None
    with gzip.open(path, "rb") as lines:
        for line in lines:
            entry_id = json.loads(line)["id"]
            if last is not None and entry_id <= last:
                raise RetentionRefused(f"归档文件 {path.name} 中的记录顺序不正确。")
            first = entry_id if first is None else first
            last = entry_id
            count += 1
    return digest, count, first, last


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(session, cut_off: datetime, folder: Path, name: str):
    """Write the entries before ``cut_off`` to ``folder/name`` through a temporary name; returns
    (count, first id, last id, size, SHA-256)."""
    target = folder / name
    temporary = folder / f"{TEMPORARY_PREFIX}{name}"
    temporary.unlink(missing_ok=True)  # a killed run's, under the lock
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    count, first, last = 0, None, None
    try:
        with os.fdopen(fd, "wb") as raw:
            hashing = _HashingWriter(raw)
            # No name and no time in the gzip header: the same entries give the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=hashing, mtime=0,
                               compresslevel=6) as packed:
                for lines, ids in _entries(session, cut_off):
                    packed.write(lines)
                    first = ids[0] if first is None else first
                    last = ids[-1]
                    count += len(ids)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, target)
        _fsync_dir(folder)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count, first, last, hashing.size, hashing.digest.hexdigest()


@contextmanager
def _one_run(folder: Path):
    with open(folder / LOCK_NAME, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetentionRefused("另一个审计日志归档正在进行，请等它结束后再运行。") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def archive_name(session, start: date, before: date) -> str:
    """audit-<first day>-<cut-off>.jsonl.gz, with -2, -3… when an archive already has the name
    (a recorded archive's file is never written over)."""
    stem = f"{ARCHIVE_PREFIX}{start.isoformat()}-{before.isoformat()}"
    taken = set(session.scalars(sa.select(AuditArchive.file_name).where(
        AuditArchive.file_name.like(f"{stem}%"))))
    name, number = f"{stem}{ARCHIVE_SUFFIX}", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}{ARCHIVE_SUFFIX}"
    return name


def remove_orphans(session, folder: Path) -> list:
    """Remove the archive files no ``audit_archive`` row names (a run that did not commit: its
    entries are all still in the database) and temporary files; returns their paths."""
    known = set(session.scalars(sa.select(AuditArchive.file_name)))
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name == LOCK_NAME or path.name in known:
            continue
        if path.name.startswith(TEMPORARY_PREFIX) or (
                path.name.startswith(ARCHIVE_PREFIX) and path.name.endswith(ARCHIVE_SUFFIX)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def _no_statement_limit(session):
    """An archive deletes up to millions of entries in one statement: no per-statement limit
    (DB_STATEMENT_TIMEOUT) for this transaction's connection, restored afterwards."""
    connection = session.connection()
    name = connection.dialect.name
    raw = connection.connection.dbapi_connection
    if name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        yield
        return
    if name in ("mysql", "mariadb"):
        limit = current_app.config.get("DB_STATEMENT_TIMEOUT", 0)
        timeouts = raw._read_timeout, raw._write_timeout
        connection.exec_driver_sql("SET SESSION max_statement_time = 0")
        raw._read_timeout = raw._write_timeout = None
        try:
            yield
        finally:
            raw._read_timeout, raw._write_timeout = timeouts
            try:
                connection.exec_driver_sql(f"SET SESSION max_statement_time = {int(limit)}")
            except sa.exc.DBAPIError:  # the transaction failed: the pool resets the connection
                connection.invalidate()
        return
    yield


def archive_audit(session, before: date, who: str | None = None) -> ArchiveRun:
    """Archive and delete the audit log entries created before ``before`` (a Beijing date, at
    least KEEP_DAYS days ago). Returns what was done; ``archive`` is None when nothing was older."""
    latest = latest_audit_cut_off()
    if before > latest:
        raise RetentionRefused(
            f"审计日志至少保留{audit.KEEP_DAYS}天（网络安全法第二十一条）：归档截止日期不能晚于"
            f"{latest.isoformat()}，{before.isoformat()} 太近。")
    cut_off = start_of(before)
    folder = archive_dir()
    run = ArchiveRun()
    with _one_run(folder):
        run.removed = remove_orphans(session, folder)
        first_entry = session.execute(
            sa.select(sa.func.min(AuditLog.created_at)).where(AuditLog.created_at < cut_off)
        ).scalar()
        if first_entry is None:
            session.rollback()
            return run
        start = clock.moment_of(first_entry).astimezone(clock.BEIJING).date()
        name = archive_name(session, start, before)
        with _no_statement_limit(session):
            count, first, last, size, digest = write_archive(session, cut_off, folder, name)
            read_digest, read_count, read_first, read_last = read_back(folder / name)
            if (read_digest, read_count, read_first, read_last) != (digest, count, first, last):
                raise RetentionRefused(
                    f"归档文件 {name} 读回校验不一致（写入 {count} 条，读回 {read_count} 条），"
                    "未删除任何审计日志。")
            archive = AuditArchive(
                file_name=name, period_start=first_entry, cut_off=cut_off, row_count=count,
                first_id=first, last_id=last, size=size, sha256=digest,
                verified_at=clock.now(), created_by=who or operator())
            session.add(archive)
            session.flush()
            deleted = session.execute(sa.delete(AuditLog).where(
                AuditLog.id.between(first, last), AuditLog.created_at < cut_off)).rowcount
            if deleted != count:
                raise RetentionRefused(
                    f"要删除的审计日志（{deleted} 条）与归档文件中的（{count} 条）不一致，未删除任何记录。")
            audit.record(AuditAction.ARCHIVE_AUDIT, target=f"audit_archive:{name}", count=count,
                         first_id=first, last_id=last, before=before.isoformat(), sha256=digest,
                         operator=archive.created_by)
        session.commit()
    run.archive = archive
    return run


def check_archive(archive: AuditArchive) -> str | None:
    """None when the archive's file has its recorded size and SHA-256, else MISSING or DAMAGED
    (the words of zcps.storage)."""
    from .storage import MISSING, check_handle

    try:
        with open(path_of(archive), "rb") as handle:
            return check_handle(handle, archive.size, archive.sha256)
    except FileNotFoundError:
        return MISSING


def file_state(archive: AuditArchive) -> str | None:
    """What a look at the folder tells without reading the file: MISSING, DAMAGED (another size)
    or None."""
    from .storage import DAMAGED, MISSING

    try:
        size = path_of(archive).stat().st_size
    except FileNotFoundError:
        return MISSING
    return None if size == archive.size else DAMAGED


@dataclass
class Pruned:
    sent: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed


def prune_outbox(session, before: date) -> Pruned:
    """Delete the outbox's messages sent or finally failed before ``before`` (a Beijing date, not
    after today), a batch per transaction; messages waiting or being sent stay. Audited."""
    if before > clock.today():
        raise RetentionRefused(f"清理截止日期 {before.isoformat()} 晚于今天，不能清理。")
    cut_off = start_of(before)
    pruned = Pruned()
    while True:
        rows = session.execute(
            sa.select(Notification.id, Notification.status)
            .where(Notification.created_at < cut_off, Notification.status.in_(FINISHED))
            .order_by(Notification.id).limit(PRUNE_BATCH)).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        # The status again in the DELETE: a message queued again meanwhile is not finished.
        for status in FINISHED:
            deleted = session.execute(sa.delete(Notification).where(
                Notification.id.in_(ids), Notification.status == status)).rowcount
            if status == NotificationStatus.SENT:
                pruned.sent += deleted
            else:
                pruned.failed += deleted
        session.commit()
        if len(rows) < PRUNE_BATCH:
            break
    audit.record(AuditAction.PRUNE_OUTBOX, target="notification", before=before.isoformat(),
                 sent=pruned.sent, failed=pruned.failed, operator=operator())
    session.commit()
    return pruned
