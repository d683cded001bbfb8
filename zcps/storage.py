"""Uploaded files: kept outside the web root under random names, with their SHA-256.

A file is written when it is stored, so its bytes are on disk before its row commits; if the
transaction ends without a commit (a refused step, an error), the file is removed again, so a
refused upload leaves nothing behind.
"""
import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import StoredFile

from .exports import attachment_name
from .extensions import db


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored: StoredFile) -> Path:
    return upload_dir() / stored.storage_name


def store_bytes(data: bytes, original_name: str, uploaded_by=None,
                content_type: str = "application/pdf") -> StoredFile:
    """Write ``data`` under a fresh random name and add its StoredFile row to the session."""
    storage_name = secrets.token_hex(16)
    target = upload_dir() / storage_name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    db.session.info.setdefault(_UNCOMMITTED, []).append(target)
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
def _keep_committed_files(session):
    session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction):
    # The outermost transaction ended without a commit (after_commit runs first otherwise).
    if transaction.parent is not None:
        return
    for path in session.info.pop(_UNCOMMITTED, ()):
        path.unlink(missing_ok=True)


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
