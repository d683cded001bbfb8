"""Checks on an uploaded file before it is stored: a readable, unencrypted PDF within the limit.

The file is judged by its content; its name and the browser's content type are ignored.
"""
import io

from flask_babel import gettext as _
from pypdf import PdfReader

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


def check_pdf(data: bytes, max_bytes: int) -> int:
    """Return the PDF's page count, or raise UploadError saying why the file is refused."""
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
    try:
        pages = list(reader.pages)
        for page in pages:
            _load_page(page)
    except Exception:  # pypdf raises many kinds of error on malformed input
        raise damaged from None
    if not pages:
        raise UploadError(_("PDF文件没有任何页面，请检查后重新上传。"))
    return len(pages)


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
