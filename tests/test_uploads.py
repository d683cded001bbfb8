"""Uploads are judged by content: a complete, unencrypted PDF with pages, within the limit."""
import io

import pytest
from pypdf import PdfReader, PdfWriter
from werkzeug.datastructures import FileStorage

from zcps.documents import entrustment_pdf
from zcps.uploads import UploadError, check_pdf, read_upload

MB = 1024 * 1024
LIMIT = 10 * MB


@pytest.fixture(scope="module")
def real_pdf() -> bytes:
    return entrustment_pdf(
        "杭州市西湖区示例科技有限公司", "91330106MA2AB1C2D4", "张建国", "浙江省杭州市西湖区文三路100号",
        "李晓梅", "330106199003071231", "13812345678", "1234-5678-9012",
    )


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def two_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    return written(writer)


def test_a_real_pdf_is_accepted_with_its_page_count(real_pdf):
    assert check_pdf(real_pdf, LIMIT) == 1
    assert check_pdf(two_page_pdf(), LIMIT) == 2


def test_empty_file_is_refused():
    with pytest.raises(UploadError, match="文件为空"):
        check_pdf(b"", LIMIT)


def test_file_over_the_limit_is_refused_naming_the_limit():
    data = b"%PDF-1.4\n" + b"0" * (11 * MB)
    with pytest.raises(UploadError) as refused:
        check_pdf(data, LIMIT)
    assert "10 MB" in str(refused.value)
    assert "超过大小限制" in str(refused.value)


def test_text_file_named_pdf_is_refused():
    storage = FileStorage(io.BytesIO("这是一个文本文件，不是扫描件。\n".encode() * 20),
                          filename="委托证明.pdf", content_type="application/pdf")
    data = read_upload(storage, LIMIT)
    with pytest.raises(UploadError, match="不是PDF文件"):
        check_pdf(data, LIMIT)


def test_truncated_pdf_is_refused(real_pdf):
    with pytest.raises(UploadError, match="已损坏或不完整"):
        check_pdf(real_pdf[: len(real_pdf) // 2], LIMIT)


def test_truncated_pdf_with_an_end_marker_appended_is_still_refused(real_pdf):
    with pytest.raises(UploadError, match="已损坏或不完整"):
        check_pdf(real_pdf[: len(real_pdf) // 2] + b"\n%%EOF\n", LIMIT)


def test_pdf_damaged_in_the_middle_is_refused(real_pdf):
    damaged = bytearray(real_pdf)
    # In the middle of its structure: the page tree (the embedded font's data is further on).
    middle = real_pdf.index(b"/Type /Pages")
    damaged[middle:middle + 200] = b"x" * 200
    with pytest.raises(UploadError, match="已损坏或不完整"):
        check_pdf(bytes(damaged), LIMIT)


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_encrypted_pdf_is_refused(real_pdf, user_password):
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(real_pdf)))
    writer.encrypt(user_password, "owner-secret")
    with pytest.raises(UploadError, match="已加密"):
        check_pdf(written(writer), LIMIT)


def test_pdf_without_pages_is_refused():
    with pytest.raises(UploadError, match="没有任何页面"):
        check_pdf(written(PdfWriter()), LIMIT)


def test_nothing_chosen_is_refused():
    with pytest.raises(UploadError) as refused:
        read_upload(FileStorage(io.BytesIO(b""), filename=""), LIMIT)
    assert str(refused.value) == "请选择要上传的PDF文件。"
    with pytest.raises(UploadError):
        read_upload(None, LIMIT)


def test_read_upload_reads_the_whole_of_a_small_file(real_pdf):
    storage = FileStorage(io.BytesIO(real_pdf), filename="scan.PDF")
    assert read_upload(storage, LIMIT) == real_pdf


def test_read_upload_stops_one_byte_past_the_limit():
    class Trickle(io.RawIOBase):
        """A stream of 11 MB that hands out at most 64 KB per read, counting what it gave."""

        def __init__(self):
            self.remaining = 11 * MB
            self.given = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            size = min(len(buffer), self.remaining, 64 * 1024)
            buffer[:size] = b"0" * size
            self.remaining -= size
            self.given += size
            return size

    stream = Trickle()
    data = read_upload(FileStorage(stream, filename="big.pdf"), LIMIT)
    assert len(data) == LIMIT + 1
    assert stream.given == LIMIT + 1
    with pytest.raises(UploadError, match="10 MB"):
        check_pdf(data, LIMIT)


def test_name_does_not_matter(real_pdf):
    storage = FileStorage(io.BytesIO(real_pdf), filename="scan.txt", content_type="text/plain")
    assert check_pdf(read_upload(storage, LIMIT), LIMIT) == 1


# --- pages ----------------------------------------------------------------------------------------

def pdf_of_pages(pages: int, declared: int | None = None) -> bytes:
    """A PDF whose page tree lists one blank page ``pages`` times (small whatever the count),
    declaring ``declared`` pages in its /Count (the true count unless told)."""
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    tree = writer._root_object["/Pages"].get_object()
    kids = tree["/Kids"]
    kids.extend([kids[0]] * (pages - 1))
    tree[NameObject("/Count")] = NumberObject(pages if declared is None else declared)
    return written(writer)


def test_a_pdf_within_the_page_limit_is_accepted():
    assert check_pdf(pdf_of_pages(200), LIMIT, max_pages=200) == 200


@pytest.mark.parametrize("pages", [201, 60_000])
def test_a_pdf_over_the_page_limit_is_refused_without_reading_a_page(monkeypatch, pages):
    data = pdf_of_pages(pages)
    assert len(data) < LIMIT
    read = []
    monkeypatch.setattr("zcps.uploads._load_page", lambda page: read.append(page))
    with pytest.raises(UploadError, match="超过200页"):
        check_pdf(data, LIMIT, max_pages=200)
    assert read == []


def test_a_page_tree_that_declares_fewer_pages_than_it_holds_is_refused(monkeypatch):
    read = []
    monkeypatch.setattr("zcps.uploads._load_page", lambda page: read.append(page))
    with pytest.raises(UploadError, match="超过200页"):
        check_pdf(pdf_of_pages(5_000, declared=1), LIMIT, max_pages=200)
    assert read == []


def test_the_page_limit_is_a_setting(app, client):
    from tests import factories
    from tests.helpers import csrf_token, signed_in
    from zcps.extensions import db

    app.config["UPLOAD_MAX_PAGES"] = 1
    unit = factories.unit("甲单位")
    person = factories.applicant(unit, "申报人甲", with_account=True)
    db.session.commit()
    signed_in(client, person.account)
    response = client.post("/me/archive/new/award", data={
        "csrf_token": csrf_token(client, "/me/archive/"), "title": "某奖", "level": "省部级",
        "organisation": "浙江省人民政府", "start_date": "2025-12-01", "rank": "1",
        "action": "save", "attachment": (io.BytesIO(two_page_pdf()), "证书.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "PDF文件超过1页" in response.get_data(as_text=True)
