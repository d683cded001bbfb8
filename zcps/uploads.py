"""Checks on an uploaded file before it is stored: a readable, unencrypted PDF within the size
and page limits, and within the uploading account's storage quota.

The file is judged by its content; its name and the browser's content type are ignored.
"""
import io

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader

from models import StoredFile

from .extensions import db

PDF_HEADER = b"%PDF-"
# Where the header and the end-of-file marker may sit (the same allowance readers make).
HEADER_WINDOW = 1024
TRAILER_WINDOW = 1024


class UploadError(ValueError):
    """A refused upload; ``str(error)`` is the message to show beside the field."""


def format_megabytes(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2g}"


def read_upload(file_storage, max_bytes: int) -> bytes:
    """The uploaded file's bytes, reading no more than ``max_bytes + 1`` of them.

    One byte over the limit is enough for ``check_pdf`` to refuse the file, so a huge upload is
    never read into memory whole.
    """
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise UploadError(_("请选择要上传的PDF文件。"))
    limit = max_bytes + 1
    chunks = []
    size = 0
    while size < limit:
        chunk = file_storage.stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def accept_pdf(file_storage, account) -> bytes:
    """The uploaded PDF's bytes once every check passed (size, content, pages, the quota of
    ``account``); otherwise UploadError with the message for the form."""
    config = current_app.config
    max_bytes = config["UPLOAD_MAX_MB"] * 1024 * 1024
    data = read_upload(file_storage, max_bytes)
    check_pdf(data, max_bytes, config["UPLOAD_MAX_PAGES"])
    check_quota(account, len(data), config["UPLOAD_QUOTA_MB"] * 1024 * 1024)
    return data


def used_bytes(account) -> int:
    """What ``account`` has uploaded so far, in bytes (every file it stored is kept)."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StoredFile.size), 0))
                             .where(StoredFile.uploaded_by_id == account.id)) or 0


def check_quota(account, size: int, quota_bytes: int) -> None:
    """Refuse a file of ``size`` bytes that would take ``account`` past its storage quota."""
    left = max(quota_bytes - used_bytes(account), 0)
    if size > left:
        raise UploadError(_(
            "存储空间不足：每个账号可上传%(quota)s MB，剩余%(left)s MB，本文件%(size)s MB。"
            "请压缩文件后重新上传，或联系平台管理员。",
            quota=format_megabytes(quota_bytes), left=f"{left / (1024 * 1024):.1f}",
            size=f"{size / (1024 * 1024):.1f}"))


def check_pdf(data: bytes, max_bytes: int, max_pages: int = 200) -> int:
    """Return the PDF's page count, or raise UploadError saying why the file is refused.

    The page count is read from the page tree, without loading a page, before anything else
    is read: a small file may hold tens of thousands of pages.
    """
    if not data:
        raise UploadError(_("文件为空，请重新选择PDF文件。"))
    if len(data) > max_bytes:
        raise UploadError(
            _("文件超过大小限制（最大%(mb)s MB），请压缩后重新上传。", mb=format_megabytes(max_bytes))
        )
    if PDF_HEADER not in data[:HEADER_WINDOW]:
        raise UploadError(_("所选文件不是PDF文件，请上传PDF格式的扫描件（仅修改文件扩展名无效）。"))
    damaged = UploadError(_("PDF文件已损坏或不完整，无法打开，请重新扫描或导出后上传。"))
    # Leniently, pypdf tries to rebuild a missing cross-reference table from whatever objects it
    # finds; a cut-off file must not pass as a shorter one, so the %%EOF marker and strict
    # parsing are both required.
    if b"%%EOF" not in data[-TRAILER_WINDOW:]:
        raise damaged
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        encrypted = reader.is_encrypted
    except Exception:  # pypdf raises many kinds of error on malformed input
        raise damaged from None
    if encrypted:
        raise UploadError(_("PDF文件已加密（设有密码），请上传未加密的PDF文件。"))
    too_many = UploadError(_("PDF文件超过%(pages)s页，请拆分或删减后重新上传。", pages=max_pages))
    try:
        counted = count_pages(reader, max_pages)
    except PageLimit:
        raise too_many from None
    except Exception:  # pypdf raises many kinds of error on malformed input
        raise damaged from None
    if not counted:
        raise UploadError(_("PDF文件没有任何页面，请检查后重新上传。"))
    try:
        pages = list(reader.pages)
        for page in pages:
            _load_page(page)
    except Exception:  # pypdf raises many kinds of error on malformed input
        raise damaged from None
    if not pages:
        raise UploadError(_("PDF文件没有任何页面，请检查后重新上传。"))
    return len(pages)


class PageLimit(Exception):
    """The page tree holds more pages than allowed."""


def count_pages(reader, max_pages: int) -> int:
    """The number of pages in ``reader``'s page tree, stopping as soon as it passes
    ``max_pages`` (PageLimit): the declared /Count first, then the leaves themselves, since a
    /Count may lie; no page's content is read."""
    pages = reader.trailer["/Root"].get_object()["/Pages"].get_object()
    if int(pages.get("/Count", 0)) > max_pages:
        raise PageLimit
    leaves = nodes = 0
    stack = [pages]
    while stack:
        node = stack.pop().get_object()
        nodes += 1
        # A tree of more nodes than twice its allowed leaves is no honest page tree (or a loop).
        if nodes > 2 * max_pages + 1:
            raise PageLimit
        kids = node.get("/Kids")
        if kids is None:
            leaves += 1
            if leaves > max_pages:
                raise PageLimit
        else:
            stack.extend(kids.get_object())
    return leaves


def _load_page(page) -> None:
    """Resolve what a viewer needs to show the page: its box, content and images or forms."""
    page.mediabox
    page.get_contents()
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for reference in xobjects.get_object().values():
            reference.get_object()
