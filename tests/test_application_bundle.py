"""The whole application as one PDF (zcps/application_bundle.py): the 申报评审表, the contents
and every attachment in category order, page for page, with bookmarks — read as a user's
software reads it, refused whole when an attachment is not what was uploaded, and given only to
the unit and the acceptance point that may see the application."""
import io
import os
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from models import (
    ApplicationItem,
    ApplicationStatus,
    ArchiveCategory,
    AuditAction,
    AuditLog,
    ReviewStatus,
    StoredFile,
)
from tests import factories
from tests.helpers import page_text, signed_in
from zcps import workflow
from zcps.application_bundle import bundle_file
from zcps.documents import FONT, _prepare_reportlab
from zcps.exports import export_temp_dir
from zcps.extensions import db
from zcps.review_form import review_form_pdf
from zcps.storage import path_of, store_bytes


def scan(label: str, pages: int) -> bytes:
    """A PDF whose every page says ``label`` and its page number, in the embedded font."""
    _prepare_reportlab()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842), initialFontName=FONT)
    for number in range(1, pages + 1):
        canvas.setFont(FONT, 14)
        canvas.drawString(72, 760, f"{label}第{number}页")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# A page tree whose node gives its pages their box and resources (PDF's inherited attributes):
# the merged pages must keep them.
INHERITING = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 400] /Rotate 90
  /Resources << /XObject << >> >> >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj
4 0 obj << /Length 20 >> stream
0 0 m 100 100 l S
endstream endobj
"""


def with_xref(body: bytes) -> bytes:
    offsets, position = [], 0
    for line in body.splitlines(keepends=True):
        if line[:1].isdigit() and b" obj" in line:
            offsets.append(position)
        position += len(line)
    xref = b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(offsets) + 1)
    xref += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    return body + xref + b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1, len(body))


def item_with(person, category, title, *files, **fields):
    """An approved archive item of ``person`` carrying ``files`` ((name, bytes) pairs)."""
    item = factories.archive_item(person, ReviewStatus.PENDING, category, title, **fields)
    for name, data in files:
        workflow.attach_file(factories.applicant_account(person), item, store_bytes(data, name))
    workflow.review_item(factories.employer(person.unit), item, "approve")
    return item


def recommended(unit, point, name="王小明"):
    """An application recommended to ``point``: items of three categories, one of them with two
    attachments and one with none (its mandatory items have none either)."""
    person = factories.applicant(unit, name)
    items = [
        item_with(person, ArchiveCategory.PAPER, "基于深度学习的桥梁检测方法",
                  ("论文.pdf", scan("论文", 3)), organisation="土木工程学报",
                  start_date=date(2023, 5, 1)),
        item_with(person, ArchiveCategory.EDUCATION, "浙江大学 土木工程 硕士",
                  ("毕业证书.pdf", scan("毕业证书", 1)), ("学位证书.pdf", scan("学位证书", 2))),
        item_with(person, ArchiveCategory.AWARD, "浙江省科学技术进步奖",
                  organisation="浙江省人民政府", details={"level": "省部级"}),
        item_with(person, ArchiveCategory.OTHER, "桥梁检测规程（参编）",
                  ("规程.pdf", with_xref(INHERITING))),
    ]
    return factories.application(person, ApplicationStatus.RECOMMENDED, items=items,
                                 acceptance_point=point)


def texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return ["".join(page.extract_text().split()) for page in reader.pages]


def outline_of(reader, entries=None, depth=0) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found += outline_of(reader, entry, depth + 1)
        else:
            found.append((depth, entry.title, reader.get_destination_page_number(entry)))
    return found


def built(application) -> bytes:
    handle, size = bundle_file(application)
    with handle:
        data = handle.read()
    assert len(data) == size
    return data


@pytest.fixture
def world(app, clock):
    unit = factories.unit("杭州测试研究院")
    point = factories.acceptance_point("杭州市职称受理点")
    application = recommended(unit, point)
    db.session.commit()
    return unit, point, application


def test_the_bundle_is_the_form_its_contents_then_every_attachment_in_category_order(world):
    unit, point, application = world
    pdf = built(application)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    form_pages = len(PdfReader(io.BytesIO(review_form_pdf(application))).pages)
    attachments = [3, 1, 2, 1]  # in the order of the pages: 教育经历 first, then 论文论著, 其他
    assert len(reader.pages) == form_pages + 1 + sum(attachments)

    pages = texts(pdf)
    assert "专业技术职务任职资格申报评审表" in pages[0] and "王小明" in pages[0]
    contents = pages[form_pages]
    assert "申报材料目录" in contents and "王小明" in contents
    after = form_pages + 1
    assert pages[after:] == ["毕业证书第1页", "学位证书第1页", "学位证书第2页",
                             "论文第1页", "论文第2页", "论文第3页", ""]
    # The contents give each attachment its pages, and say which item has none.
    first = after + 1
    for line in (f"附件1：毕业证书.pdf{first}", f"附件2：学位证书.pdf{first + 1}—{first + 2}",
                 f"附件1：论文.pdf{first + 3}—{first + 5}", f"附件1：规程.pdf{first + 6}",
                 "浙江省科学技术进步奖（无附件）", f"专业技术职务任职资格申报评审表—1—{form_pages}"):
        assert line in contents, line

    # What the pages inherited from their own page tree came with them.
    last = reader.pages[-1]
    assert [float(v) for v in last.mediabox] == [0, 0, 300, 400] and last.rotation == 90

    # Every page is A4 but that one, and every font is embedded.
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages[:-1])
    fonts = 0
    for page in reader.pages:
        for font in page.get("/Resources", {}).get("/Font", {}).values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font
            fonts += 1
    assert fonts >= len(reader.pages) - 1


def test_the_bookmarks_name_each_category_item_and_attachment(world):
    unit, point, application = world
    reader = PdfReader(io.BytesIO(built(application)), strict=True)
    form_pages = len(PdfReader(io.BytesIO(review_form_pdf(application))).pages)
    contents, first = form_pages, form_pages + 1
    outline = outline_of(reader)
    assert outline[:2] == [(0, "申报评审表", 0), (0, "申报材料目录", contents)]
    items = [(item.category.zh, item.title) for item in application.items]
    assert len(items) == 6  # the four above and the mandatory ones it lacked (工作经历, 考核情况)
    assert [title for depth, title, _ in outline if depth == 1] == [title for _, title in items]
    assert [title for depth, title, _ in outline if depth == 0][2:] == list(
        dict.fromkeys(category for category, _ in items))
    assert (1, "浙江大学 土木工程 硕士", first) in outline
    assert (2, "附件1：毕业证书.pdf", first) in outline
    assert (2, "附件2：学位证书.pdf", first + 1) in outline
    assert (1, "基于深度学习的桥梁检测方法", first + 3) in outline
    assert (1, "桥梁检测规程（参编）", first + 6) in outline
    # An item with nothing attached opens the contents, where it says so.
    assert (1, "浙江省科学技术进步奖", contents) in outline
    assert reader.page_mode == "/UseOutlines"


def test_the_unit_and_the_point_download_it_from_the_review_pages(app, world):
    unit, point, application = world
    for account, page, url in (
            (factories.employer(unit), f"/unit/unit_application/review/?id={application.id}",
             f"/unit/unit_application/bundle/{application.id}"),
            (factories.acceptance_account(point), f"/acceptance/inbox/review/?id={application.id}",
             f"/acceptance/inbox/bundle/{application.id}")):
        db.session.commit()
        client = signed_in(app.test_client(), account)
        html = client.get(page).get_data(as_text=True)
        assert f'href="{url}"' in html and "下载全部申报材料（合并PDF）" in html
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "no-store" in response.headers["Cache-Control"]
        body = response.get_data()
        assert int(response.headers["Content-Length"]) == len(body)
        assert "王小明" in texts(body)[0]
        response.close()
        assert list(export_temp_dir().iterdir()) == []  # nothing left on disk


def test_each_side_gets_only_the_applications_it_may_see(app, clock):
    unit, other_unit = factories.unit("甲单位"), factories.unit("乙单位")
    point, other_point = factories.acceptance_point("甲受理点"), factories.acceptance_point("乙受理点")
    application = recommended(unit, point)
    # Reviewed by the unit but not recommended: not the acceptance point's to see.
    pending = factories.application(factories.applicant(unit, "李四"), ApplicationStatus.PENDING)
    other = factories.application(factories.applicant(other_unit, "乙员工"),
                                  ApplicationStatus.PENDING)
    db.session.commit()
    cases = [
        (factories.employer(unit), "/unit/unit_application/bundle/",
         [application, pending], [other]),
        (factories.employer(other_unit), "/unit/unit_application/bundle/",
         [other], [application, pending]),
        (factories.acceptance_account(point), "/acceptance/inbox/bundle/",
         [application], [pending, other]),
        (factories.acceptance_account(other_point), "/acceptance/inbox/bundle/",
         [], [application, pending, other]),
    ]
    db.session.commit()
    for account, url, allowed, refused in cases:
        client = signed_in(app.test_client(), account)
        for record in allowed:
            assert client.get(f"{url}{record.id}").status_code == 200, (account, record)
        for record in refused:
            assert client.get(f"{url}{record.id}").status_code == 404, (account, record)
    # Another role's area is not entered at all.
    applicant = signed_in(app.test_client(), factories.applicant_account(application.applicant))
    assert applicant.get(f"/unit/unit_application/bundle/{application.id}").status_code in (
        302, 403)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_an_attachment_cut_replaced_or_gone_refuses_the_whole_bundle(app, world):
    unit, point, application = world
    item = next(item for item in application.items if item.title.startswith("基于"))
    stored = db.session.get(StoredFile, item.file_ids[0])
    path = Path(path_of(stored))
    original = path.read_bytes()
    url = f"/acceptance/inbox/bundle/{application.id}"
    account = factories.acceptance_account(point)
    db.session.commit()
    client = signed_in(app.test_client(), account)
    assert client.get(url).status_code == 200
    descriptors = open_descriptors()

    path.write_bytes(original[: len(original) // 2])
    cut = client.get(url)
    assert cut.status_code == 409 and "%PDF" not in cut.get_data(as_text=True)
    message = page_text(cut)
    assert "文件已损坏" in message
    assert "「基于深度学习的桥梁检测方法」的附件1“论文.pdf”与上传时的内容不一致" in message
    assert "未生成合并PDF" in message

    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0xFF
    path.write_bytes(changed)
    replaced = client.get(url)
    assert replaced.status_code == 409 and "论文.pdf" in page_text(replaced)

    path.unlink()
    gone = client.get(url)
    assert gone.status_code == 410 and "文件已丢失" in page_text(gone)
    assert "“论文.pdf”在服务器上找不到" in page_text(gone)

    entries = db.session.scalars(db.select(AuditLog).filter_by(
        action=AuditAction.FILE_INTEGRITY).order_by(AuditLog.id)).all()
    assert [entry.detail["problem"] for entry in entries] == ["damaged", "damaged", "missing"]
    assert {entry.target for entry in entries} == {f"file:{stored.id}"}
    # The half-written bundles are gone with their handles.
    assert list(export_temp_dir().iterdir()) == []
    assert open_descriptors() <= descriptors

    path.write_bytes(original)  # restored from a backup
    assert client.get(url).status_code == 200


def test_an_attachment_that_is_no_pdf_is_named_not_merged(app, world):
    unit, point, application = world
    # Older data, stored before the upload checks: its digest is right, its content no PDF.
    person = application.applicant
    item = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.PATENT,
                                  "一种桥梁裂缝检测装置")
    workflow.attach_file(factories.applicant_account(person), item,
                         store_bytes(b"%PDF-1.4\nnot really\n%%EOF\n", "专利证书.pdf"))
    application.items.append(ApplicationItem(
        category=item.category, title=item.title, file_ids=[item.attachments[0].file_id]))
    db.session.commit()
    client = signed_in(app.test_client(), factories.employer(unit))
    response = client.get(f"/unit/unit_application/bundle/{application.id}")
    assert response.status_code == 409
    assert "「一种桥梁裂缝检测装置」的附件1“专利证书.pdf”无法作为PDF读取" in page_text(response)
    assert list(export_temp_dir().iterdir()) == []


def test_a_character_the_font_lacks_is_named_and_a_file_name_printed_without_it(app, world):
    unit, point, application = world
    item = next(item for item in application.items if item.title.startswith("基于"))
    stored = db.session.get(StoredFile, item.file_ids[0])
    stored.original_name = "论文🙂.pdf"  # a file's name is not the applicant's to retype
    db.session.commit()
    assert any("附件1：论文?.pdf" in page for page in texts(built(application)))

    item.title = "温州市𬌗路桥梁检测"  # written before the check on input existed
    db.session.commit()
    client = signed_in(app.test_client(), factories.employer(unit))
    response = client.get(f"/unit/unit_application/bundle/{application.id}",
                          follow_redirects=True)
    assert "“𬌗”是生僻字，申报评审表中无法打印" in page_text(response)
    assert list(export_temp_dir().iterdir()) == []
