"""Uploaded files: kept outside the web root under random names, with their SHA-256.

A file reaches its name only once its row is committed: it is written first under a temporary
name (``.part-`` + its name, so a full disk refuses the step before anything commits) and renamed
after the commit. A transaction that ends any other way removes the temporary file; one that never
ends (a killed worker) leaves only a ``.part-`` file, which ``flask zcps orphan-files`` finds, so a
file under its own name always has its row.
"""
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import StoredFile

from .exports import attachment_name
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
        os.replace(temporary, target)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction):
    # The outermost transaction ended without a commit (after_commit runs first otherwise).
    if transaction.parent is not None:
        return
    for temporary, _target in session.info.pop(_UNCOMMITTED, ()):
        temporary.unlink(missing_ok=True)


@dataclass
class Orphans:
    """What ``flask zcps orphan-files`` reports: files with no row, rows with no file."""

    files: list = field(default_factory=list)        # paths in the upload folder
    rows: list = field(default_factory=list)         # StoredFile rows whose file is missing
    completed: list = field(default_factory=list)    # rows whose file was only left unrenamed


# A temporary file younger than this may belong to an upload still being saved.
IN_FLIGHT_SECONDS = 3600


def find_orphans(*, repair: bool = False, now: float | None = None) -> Orphans:
    """Compare the upload folder with the stored_file rows.

    A ``.part-`` file whose row committed (the worker died between the commit and the rename)
    is given its name when ``repair``; any other file without a row is an orphan, except a
    ``.part-`` file of the last hour (an upload being saved now).
    """
    now = time.time() if now is None else now
    folder = upload_dir()
    known = set(db.session.scalars(sa.select(StoredFile.storage_name)))
    found = Orphans()
    on_disk = set()
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = path.name.removeprefix(TEMPORARY_PREFIX)
        if path.name.startswith(TEMPORARY_PREFIX) and name in known \
                and not (folder / name).exists():
            found.completed.append(path)
            if repair:
                os.replace(path, folder / name)
            on_disk.add(name)
        elif path.name in known:
            on_disk.add(name)
        elif not (path.name.startswith(TEMPORARY_PREFIX)
                  and now - path.stat().st_mtime < IN_FLIGHT_SECONDS):
            found.files.append(path)
    missing = sorted(known - on_disk)
    if missing:
        found.rows = db.session.scalars(sa.select(StoredFile).where(
            StoredFile.storage_name.in_(missing)).order_by(StoredFile.id)).all()
    return found


def send_stored(stored: StoredFile, *, inline: bool = False, download_name: str | None = None):
    """Serve a stored file to someone already allowed to see its record.

    Attachment by default; ``inline`` lets the platform admin read a PDF in the browser.
    """
    response = send_file(
        path_of(stored), mimetype=stored.content_type, as_attachment=not inline,
        download_name=attachment_name(download_name or stored.original_name), conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
