"""Uploaded files: kept outside the web root under random names, with their SHA-256.

A file reaches its name only once its row is committed: it is written first under a temporary
name (``.part-`` + its name, so a full disk refuses the step before anything commits) and renamed
after the commit. A transaction that ends any other way removes the temporary file; one that never
ends (a killed worker) leaves only a ``.part-`` file, which ``flask zcps sweep`` removes, so a
file under its own name always has its row.

A file is served only when its bytes still have the size and SHA-256 stored with its row:
a missing or changed file gives a Chinese error page (410 / 409) and an audit entry, never a
download of the wrong bytes. ``flask zcps verify-files`` checks every file the same way.
"""
import hashlib
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import AuditAction, StoredFile

from . import audit
from .exports import attachment_name, export_temp_dir
from .extensions import db

TEMPORARY_PREFIX = ".part-"


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored: StoredFile) -> Path:
    return upload_dir() / stored.storage_name


def store_bytes(data: bytes, original_name: str, uploaded_by=None,
                content_type: str = "application/pdf") -> StoredFile:
    """Add ``data``'s StoredFile row to the session; the file gets its name when the row commits."""
    storage_name = secrets.token_hex(16)
    target = upload_dir() / storage_name
    temporary = target.with_name(TEMPORARY_PREFIX + storage_name)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    db.session.info.setdefault(_UNCOMMITTED, []).append((temporary, target))
    stored = StoredFile(
        storage_name=storage_name,
        original_name=original_name[:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(stored)
    return stored


_UNCOMMITTED = "zcps_uncommitted_files"


@event.listens_for(Session, "after_commit")
def _name_committed_files(session):
    for temporary, target in session.info.pop(_UNCOMMITTED, ()):
        try:
            os.replace(temporary, target)
        except FileNotFoundError:
            # ``flask zcps sweep`` gave the file its name first (it finds the committed row).
            if not target.exists():
                raise


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction):
    # The outermost transaction ended without a commit (after_commit runs first otherwise).
    if transaction.parent is not None:
        return
    for temporary, _target in session.info.pop(_UNCOMMITTED, ()):
        temporary.unlink(missing_ok=True)


@dataclass
class Sweep:
    """What ``flask zcps sweep`` finds: files with no row, rows with no file, renames cut short
    and the temporary files of exports a killed worker left."""

    files: list = field(default_factory=list)        # paths in the upload folder
    rows: list = field(default_factory=list)         # StoredFile rows whose file is missing
    completed: list = field(default_factory=list)    # rows whose file was only left unrenamed
    exports: list = field(default_factory=list)      # stale entries of the export temp folder


# A temporary file younger than this may belong to an upload or an export still being made.
IN_FLIGHT_SECONDS = 3600


def sweep(*, dry_run: bool = False, older_than: float = IN_FLIGHT_SECONDS,
          now: float | None = None) -> Sweep:
    """Compare the upload folder with the stored_file rows and clean up after killed workers.

    A ``.part-`` file whose row committed (the worker died between the commit and the rename)
    is given its name; any other file without a row is removed, except a ``.part-`` file
    younger than ``older_than`` seconds (an upload being saved now). Export temporary folders
    older than that are removed too. ``dry_run`` only lists.
    """
    now = time.time() if now is None else now
    folder = upload_dir()
    known = set(db.session.scalars(sa.select(StoredFile.storage_name)))
    found = Sweep()
    on_disk = set()
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = path.name.removeprefix(TEMPORARY_PREFIX)
        if path.name.startswith(TEMPORARY_PREFIX) and name in known \
                and not (folder / name).exists():
            found.completed.append(path)
            if not dry_run:
                os.replace(path, folder / name)
            on_disk.add(name)
        elif path.name in known:
            on_disk.add(name)
        elif not (path.name.startswith(TEMPORARY_PREFIX)
                  and now - path.stat().st_mtime < older_than):
            found.files.append((path, path.stat().st_size))
            if not dry_run:
                path.unlink(missing_ok=True)
    missing = sorted(known - on_disk)
    if missing:
        found.rows = db.session.scalars(sa.select(StoredFile).where(
            StoredFile.storage_name.in_(missing)).order_by(StoredFile.id)).all()
    for path in sorted(export_temp_dir().iterdir()):
        # An export's folder changes as its files come and go; its own time says when it last did.
        if now - path.lstat().st_mtime < older_than:
            continue
        found.exports.append((path, _size_of(path)))
        if not dry_run:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    return found


def _size_of(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return path.lstat().st_size


MISSING = "missing"
DAMAGED = "damaged"


def check_file(stored: StoredFile, handle=None) -> str | None:
    """None when ``stored``'s file has the size and SHA-256 of its row, else MISSING or DAMAGED.

    ``handle`` is the file already opened (it is read to the end and rewound), so the bytes
    checked are the bytes then sent.
    """
    if handle is None:
        try:
            with open(path_of(stored), "rb") as opened:
                return check_file(stored, opened)
        except FileNotFoundError:
            return MISSING
    return check_handle(handle, stored.size, stored.sha256)


def check_handle(handle, size: int, sha256: str) -> str | None:
    """None when the opened file has ``size`` bytes with SHA-256 ``sha256``, else DAMAGED; the
    file is read to the end and rewound."""
    # A cut file is told by its size without reading it.
    if os.fstat(handle.fileno()).st_size != size:
        return DAMAGED
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
    handle.seek(0)
    return None if digest == sha256 else DAMAGED


def damaged_files(batch_size: int = 500):
    """``(row, MISSING or DAMAGED)`` for every stored file that is not as its row says, read by
    pages of ``batch_size`` rows; and how many were checked, as the generator's return value."""
    last_id = checked = 0
    while True:
        page = db.session.scalars(sa.select(StoredFile).where(StoredFile.id > last_id)
                                  .order_by(StoredFile.id).limit(batch_size)).all()
        for stored in page:
            checked += 1
            problem = check_file(stored)
            if problem is not None:
                yield stored, problem
        if len(page) < batch_size:
            return checked
        last_id = page[-1].id


def report_damaged_file(stored: StoredFile, problem: str) -> None:
    """Log and audit a stored file that could not be served (who asked, which file, why)."""
    current_app.logger.error("Stored file %s (%s) is %s: not served", stored.id,
                             stored.storage_name, problem)
    actor = current_user if current_user and current_user.is_authenticated else None
    audit.record(AuditAction.FILE_INTEGRITY, actor=actor, target=f"file:{stored.id}",
                 problem=problem, storage_name=stored.storage_name,
                 original_name=stored.original_name, path=request.path)
    db.session.commit()


def unavailable_page(problem: str, message: str | None = None):
    """The error page of a file that is MISSING (410) or DAMAGED (409); ``message`` says more
    than the usual words (which file of several)."""
    if problem == MISSING:
        code, title, usual = 410, _("文件已丢失"), _(
            "服务器上找不到该文件，无法下载。请联系平台管理员从备份中恢复。")
    else:
        code, title, usual = 409, _("文件已损坏"), _(
            "该文件与上传时的内容不一致（可能已损坏或被替换），为避免下载错误的文件已停止提供。"
            "请联系平台管理员从备份中恢复。")
    message = message or usual
    response = current_app.make_response(
        (render_template("error.html", code=code, title=title, message=message), code))
    response.headers["Cache-Control"] = "no-store"
    return response


def send_stored(stored: StoredFile | None, *, inline: bool = False,
                download_name: str | None = None):
    """Serve a stored file to someone already allowed to see its record, once its bytes are
    checked against the row's size and SHA-256 (``check_file``).

    Attachment by default; ``inline`` lets the platform admin read a PDF in the browser.
    """
    if stored is None:
        return unavailable_page(MISSING)
    return send_checked(path_of(stored), size=stored.size, sha256=stored.sha256,
                        mimetype=stored.content_type,
                        download_name=download_name or stored.original_name,
                        last_modified=stored.created_at, inline=inline,
                        report=lambda problem: report_damaged_file(stored, problem))


def send_checked(path: Path, *, size: int, sha256: str, mimetype: str, download_name: str,
                 last_modified, report, inline: bool = False):
    """Serve the file at ``path`` only when it has ``size`` bytes with SHA-256 ``sha256``; else
    ``report(MISSING or DAMAGED)`` and the Chinese error page (410 / 409)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        report(MISSING)
        return unavailable_page(MISSING)
    try:
        problem = check_handle(handle, size, sha256)
    except BaseException:
        handle.close()
        raise
    if problem is not None:
        handle.close()
        report(problem)
        return unavailable_page(problem)
    # The checked handle itself is sent (no second open of the path).
    response = send_file(
        handle, mimetype=mimetype, as_attachment=not inline,
        download_name=attachment_name(download_name), conditional=False,
        etag=False, max_age=0, last_modified=last_modified,
    )
    response.content_length = size
    response.set_etag(sha256)
    response.make_conditional(request.environ, accept_ranges=True, complete_length=size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
