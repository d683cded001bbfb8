"""申报材料 as one PDF: the 申报评审表, a contents page (申报材料目录) and every attachment of the
application's extracted items in archive-category order, merged page for page, with bookmarks
per category, per item and per attachment.

An application may carry a few hundred MB of scans, so the bundle is written object by object
to a file: pypdf reads each attachment from its open file (after its size and SHA-256 are
checked on that same handle, as ``send_stored`` does) and each object of it is written out as
soon as it is read, renumbered, its stream bytes copied as stored (never decoded); only object
numbers and offsets stay in memory. ``PdfWriter`` is not used for the merge: it keeps every
cloned page, images included, in memory until it writes.

Uploads are PDF only (``zcps/uploads.py``), so every attachment is merged as it is.
"""
import io
import secrets
import tempfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    create_string_object,
)
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from models import StoredFile

from .documents import FONT, _prepare_reportlab, unprintable_characters
from .exports import EXPORT_TEMP_PREFIX, export_temp_dir
from .extensions import db
from .review_form import review_form_pdf
from .storage import DAMAGED, MISSING, check_file, path_of

UNREADABLE = "unreadable"
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
MARGIN = 18 * mm


class UnavailableAttachment(Exception):
    """An attachment that cannot go into the bundle: MISSING, DAMAGED (not the bytes that were
    uploaded) or UNREADABLE (not a PDF pypdf can read); ``str(error)`` says which, in Chinese."""

    def __init__(self, problem: str, stored: StoredFile | None, item, number: int):
        super().__init__(problem)
        self.problem, self.stored, self.item, self.number = problem, stored, item, number

    def __str__(self) -> str:
        names = {"title": self.item.title, "number": self.number,
                 "name": self.stored.original_name if self.stored is not None else ""}
        if self.problem == MISSING:
            return _("申报材料中「%(title)s」的附件%(number)s“%(name)s”在服务器上找不到，"
                     "无法生成合并PDF。请联系平台管理员从备份中恢复该文件。", **names)
        if self.problem == DAMAGED:
            return _("申报材料中「%(title)s」的附件%(number)s“%(name)s”与上传时的内容不一致"
                     "（可能已损坏或被替换），为避免生成错误的材料，未生成合并PDF。"
                     "请联系平台管理员从备份中恢复该文件。", **names)
        return _("申报材料中「%(title)s」的附件%(number)s“%(name)s”无法作为PDF读取，"
                 "未生成合并PDF。请联系平台管理员检查该文件。", **names)


@dataclass
class Bundle:
    """What went into a bundle, page counts by part."""

    review_pages: int = 0
    contents_pages: int = 0
    attachment_pages: list = field(default_factory=list)  # per attachment, in order

    @property
    def pages(self) -> int:
        return self.review_pages + self.contents_pages + sum(self.attachment_pages)


def bundle_file(application):
    """``(file, size)``: the bundle of ``application`` in a temporary file of its own, open and
    rewound, for the caller to send and close. The file has no name left on disk (removed by
    the system as soon as it is closed, or its process ends); the name it may have for a moment
    is an ``export-`` one, which ``flask zcps sweep`` removes.

    Raises ``UnprintableText`` (the 评审表's data) or ``UnavailableAttachment``."""
    handle = tempfile.TemporaryFile(prefix=EXPORT_TEMP_PREFIX, suffix=".pdf",
                                    dir=export_temp_dir())
    try:
        write_bundle(application, handle)
        size = handle.tell()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle, size


def write_bundle(application, output) -> Bundle:
    """Write the bundle of ``application`` to the binary file ``output``."""
    review = review_form_pdf(application)
    bundle = Bundle()
    pdf = _PdfStream(output)
    tree = pdf.reserve()
    review_pages = _copy_document(pdf, PdfReader(io.BytesIO(review)), tree)
    bundle.review_pages = len(review_pages)
    del review

    files = _stored_files(application)
    pages = []  # the object numbers of the attachments' pages, in order
    rows = []  # the contents' lines: (item, number, stored, first page index or None, count)
    for item in application.items:
        if not item.file_ids:
            rows.append((item, 0, None, None, 0))
        for number, file_id in enumerate(item.file_ids or [], 1):
            stored = files.get(file_id)
            copied = _copy_attachment(pdf, stored, item, number, tree)
            rows.append((item, number, stored, len(pages), len(copied)))
            bundle.attachment_pages.append(len(copied))
            pages += copied

    first = bundle.review_pages + 1
    contents, contents_pages = None, 1
    for _attempt in range(3):  # page numbers follow the contents' own length
        contents = _contents_pdf(application, rows, bundle.review_pages,
                                 first + contents_pages)
        counted = len(PdfReader(io.BytesIO(contents)).pages)
        if counted == contents_pages:
            break
        contents_pages = counted
    contents_numbers = _copy_document(pdf, PdfReader(io.BytesIO(contents)), tree)
    bundle.contents_pages = len(contents_numbers)

    outline = [_Entry("申报评审表", review_pages[0]), _Entry("申报材料目录", contents_numbers[0])]
    categories = {}
    for item, number, stored, start, count in rows:
        target = pages[start] if count else contents_numbers[0]
        category = categories.get(item.category)
        if category is None:
            category = categories[item.category] = _Entry(item.category.zh, target, opened=True)
            outline.append(category)
        if number <= 1:
            category.children.append(_Entry(item.title, target))
        if number:
            category.children[-1].children.append(
                _Entry(f"附件{number}：{stored.original_name}", target))
    for category in categories.values():
        for entry in category.children:
            if len(entry.children) == 1:  # the item's own entry opens its one attachment
                entry.children = []

    kids = review_pages + contents_numbers + pages
    pdf.write_raw(tree, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        len(kids), b" ".join(b"%d 0 R" % number for number in kids)))
    outlines = _write_outline(pdf, outline)
    catalog = pdf.reserve()
    pdf.write_raw(catalog, b"<< /Type /Catalog /Pages %d 0 R /Outlines %d 0 R "
                           b"/PageMode /UseOutlines /Lang (zh-CN) >>" % (tree, outlines))
    name = (application.profile_snapshot or {}).get("name") or application.applicant.name
    info = pdf.reserve()
    pdf.write_raw(info, b"<< /Title " + _text(f"申报材料_{name}") + b" /Creator (zcps) >>")
    pdf.finish(catalog, info)
    return bundle


def _stored_files(application) -> dict:
    wanted = {file_id for item in application.items for file_id in item.file_ids or []}
    if not wanted:
        return {}
    return {stored.id: stored for stored in db.session.scalars(
        sa.select(StoredFile).where(StoredFile.id.in_(wanted)))}


def _copy_attachment(pdf, stored, item, number: int, tree: int) -> list[int]:
    """Copy one stored attachment's pages once its bytes are checked on the handle read."""
    if stored is None:
        raise UnavailableAttachment(MISSING, None, item, number)
    try:
        handle = open(path_of(stored), "rb")
    except FileNotFoundError:
        raise UnavailableAttachment(MISSING, stored, item, number) from None
    with handle:
        problem = check_file(stored, handle)
        if problem is not None:
            raise UnavailableAttachment(problem, stored, item, number)
        try:
            reader = PdfReader(handle)
            if reader.is_encrypted:
                raise ValueError("encrypted")
            return _copy_document(pdf, reader, tree)
        except OSError:
            raise
        except Exception:  # pypdf raises many kinds of error on malformed input
            raise UnavailableAttachment(UNREADABLE, stored, item, number) from None


# --- writing PDF objects one at a time ---------------------------------------------------------

class _PdfStream:
    """A PDF written to a binary file one object at a time; the offsets of the objects (for the
    xref table) are all it keeps."""

    def __init__(self, output):
        self.output = output
        self.position = 0
        self.offsets = [None]  # by object number; 0 is the head of the free list
        self._write(HEADER)

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.position += len(data)

    def reserve(self) -> int:
        self.offsets.append(None)
        return len(self.offsets) - 1

    def write(self, number: int, value, renumber, *, parent: int | None = None) -> None:
        """Write ``value`` (a pypdf object) as object ``number``, its references renumbered;
        ``parent`` makes it a page of the tree ``parent``. A stream's bytes go out as they
        are, filters and all."""
        self.offsets[number] = self.position
        head = io.BytesIO()
        head.write(b"%d 0 obj\n" % number)
        if parent is not None:
            _write_dictionary(head, value, renumber, skip=("/Parent",),
                              extra=b"/Parent %d 0 R\n" % parent)
        elif isinstance(value, StreamObject):
            data = value._data
            _write_dictionary(head, value, renumber, skip=("/Length",),
                              extra=b"/Length %d\n" % len(data))
            head.write(b"\nstream\n")
            self._write(head.getvalue())
            self._write(data)
            self._write(b"\nendstream\nendobj\n")
            return
        else:
            _write_value(head, value, renumber)
        head.write(b"\nendobj\n")
        self._write(head.getvalue())

    def write_raw(self, number: int, data: bytes) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, data))

    def finish(self, root: int, info: int) -> None:
        for number, offset in enumerate(self.offsets):
            if number and offset is None:  # reserved for a reference to nothing
                self.write_raw(number, b"null")
        start = self.position
        self._write(b"xref\n0 %d\n0000000000 65535 f\r\n" % len(self.offsets))
        self._write(b"".join(b"%010d 00000 n\r\n" % offset for offset in self.offsets[1:]))
        file_id = secrets.token_hex(16).encode()
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                    b"startxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets), root, info, file_id, file_id, start))


_NAMES = {}  # a name's bytes as written (pypdf escapes them anew each time)


def _name(key) -> bytes:
    written = _NAMES.get(key)
    if written is None:
        buffer = io.BytesIO()
        key.write_to_stream(buffer)
        written = buffer.getvalue()
        if len(_NAMES) < 10_000:
            _NAMES[str(key)] = written
    return written


def _write_value(out, value, renumber) -> None:
    if isinstance(value, IndirectObject):
        out.write(b"%d 0 R" % renumber(value))
    elif isinstance(value, DictionaryObject):  # a stream is always an object of its own
        _write_dictionary(out, value, renumber)
    elif isinstance(value, ArrayObject):
        out.write(b"[")
        for element in value:
            out.write(b" ")
            _write_value(out, element, renumber)
        out.write(b" ]")
    elif isinstance(value, NameObject):
        out.write(_name(value))
    elif value is None:
        out.write(b"null")
    else:
        value.write_to_stream(out)


def _write_dictionary(out, dictionary, renumber, skip=(), extra=b"") -> None:
    out.write(b"<<\n")
    for key, value in dictionary.items():
        if key in skip or (len(key) > 2 and key[1] == "%" and key[-1] == "%"):
            continue  # pypdf's own bookkeeping entries, as in its writer
        out.write(_name(key))
        out.write(b" ")
        _write_value(out, value, renumber)
        out.write(b"\n")
    out.write(extra)
    out.write(b">>")


def _copy_document(pdf: _PdfStream, reader: PdfReader, tree: int) -> list[int]:
    """Write every page of ``reader`` and what it uses, each object once; return the new
    numbers of its pages, in order, their /Parent ``tree``. A stream's bytes are dropped from
    pypdf's cache once written, so memory holds one stream at a time."""
    numbers = {}
    waiting = []

    def renumber(reference) -> int:
        key = (reference.idnum, reference.generation)
        number = numbers.get(key)
        if number is None:
            number = numbers[key] = pdf.reserve()
            waiting.append(reference)
        return number

    pages = list(reader.pages)  # with the attributes they inherit written into each
    page_numbers = []
    for page in pages:
        number = pdf.reserve()
        reference = page.indirect_reference
        if reference is not None:
            numbers.setdefault((reference.idnum, reference.generation), number)
        page_numbers.append(number)
    for page, number in zip(pages, page_numbers, strict=True):
        pdf.write(number, page, renumber, parent=tree)
    del pages
    while waiting:
        reference = waiting.pop()
        value = reader.get_object(reference)
        if isinstance(value, DictionaryObject) and value.get("/Type") in ("/Pages", "/Catalog"):
            value = None  # the source's own page tree or catalog, reached from an annotation
        pdf.write(numbers[(reference.idnum, reference.generation)], value, renumber)
        if isinstance(value, StreamObject):
            reader.resolved_objects.pop((reference.generation, reference.idnum), None)
    # A reader and its pages refer to each other: free what it read now, not at the next
    # garbage collection.
    reader.resolved_objects.clear()
    reader.flattened_pages = None
    return page_numbers


# --- bookmarks ----------------------------------------------------------------------------------

@dataclass
class _Entry:
    title: str
    page: int  # the object number of the page it opens
    opened: bool = False  # its children shown
    children: list = field(default_factory=list)
    number: int = 0  # its own object number, once written


def _text(value: str) -> bytes:
    out = io.BytesIO()
    create_string_object(value).write_to_stream(out)
    return out.getvalue()


def _write_outline(pdf: _PdfStream, entries: list) -> int:
    """The outline (bookmarks) of ``entries``; categories open, an item's attachments closed."""
    root = pdf.reserve()
    shown = _write_entries(pdf, entries, root)
    numbers = [entry.number for entry in entries]
    pdf.write_raw(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                  % (numbers[0], numbers[-1], shown))
    return root


def _write_entries(pdf, entries, parent: int) -> int:
    """Write ``entries`` under ``parent``; return how many lines they show (PDF's /Count)."""
    for entry in entries:
        entry.number = pdf.reserve()
    shown = len(entries)
    for index, entry in enumerate(entries):
        parts = [b"/Title " + _text(entry.title), b"/Parent %d 0 R" % parent,
                 b"/Dest [%d 0 R /Fit]" % entry.page]
        if index:
            parts.append(b"/Prev %d 0 R" % entries[index - 1].number)
        if index + 1 < len(entries):
            parts.append(b"/Next %d 0 R" % entries[index + 1].number)
        if entry.children:
            below = _write_entries(pdf, entry.children, entry.number)
            parts.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (
                entry.children[0].number, entry.children[-1].number,
                below if entry.opened else -below))
            if entry.opened:
                shown += below
        pdf.write_raw(entry.number, b"<< " + b" ".join(parts) + b" >>")
    return shown


# --- the contents page ---------------------------------------------------------------------------

def _pages(first: int, count: int) -> str:
    if count <= 1:
        return str(first) if count else "—"
    return f"{first}—{first + count - 1}"


def _printable(text: str) -> str:
    """A file name as the font can print it (a name is not the applicant's to retype)."""
    bad = unprintable_characters(text)
    return "".join("?" if char in bad else char for char in text)


def _contents_pdf(application, rows, review_pages: int, first_attachment_page: int) -> bytes:
    _prepare_reportlab()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER,
                           spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, spaceAfter=8,
                              textColor=colors.HexColor("#444444"))
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    profile = application.profile_snapshot or {}
    name = profile.get("name") or application.applicant.name
    unit_name = application.unit.name if application.unit else profile.get("unit", "")
    qualification = application.qualification.name if application.qualification else ""

    def p(text, style=base):
        return Paragraph(escape(str(text or "")), style)

    table = [[p("序号", center), p("类别", center), p("材料名称", center), p("附件", center),
              p("页码", center)],
             [p("1", center), p("—"), p("专业技术职务任职资格申报评审表"), p("—"),
              p(_pages(1, review_pages), center)]]
    for index, (item, number, stored, start, count) in enumerate(rows, 2):
        if stored is None and not count:
            attachment, pages = "（无附件）", "—"
        else:
            attachment = f"附件{number}：{_printable(stored.original_name)}"
            pages = _pages(first_attachment_page + start, count)
        table.append([p(index, center), p(item.category.zh), p(item.title), p(attachment),
                      p(pages, center)])
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, initialFontName=FONT,
                            title=f"申报材料目录_{name}", creator="zcps")
    width = doc.width
    grid = Table(table, colWidths=[12 * mm, 22 * mm, width - 100 * mm, 44 * mm, 22 * mm],
                 repeatRows=1)
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story = [p("申报材料目录", title),
             p(f"{name}　{unit_name}　{qualification}　申报编号：{application.id}", subtitle),
             grid,
             p("页码为本PDF文件的页码：申报评审表在前，其后依次为本目录和各项业绩的附件。",
               ParagraphStyle("note", parent=base, fontSize=9, spaceBefore=6,
                              textColor=colors.HexColor("#444444")))]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{name} 申报材料目录　第 {document.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
