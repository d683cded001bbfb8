"""Uploaded files on disk: a file has its name only once its row is committed, a rolled-back
upload leaves nothing, each account has a storage quota, and ``flask zcps orphan-files`` finds
(and removes) files without a row and rows without a file."""
import os
import time
from io import BytesIO
from pathlib import Path

from models import StoredFile
from tests import factories
from tests.helpers import csrf_token, page_text, signed_in
from zcps.extensions import db
from zcps.storage import path_of, store_bytes

TEMPORARY_PREFIX = ".part-"


def on_disk(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_file_gets_its_name_only_when_its_row_commits(app):
    stored = store_bytes(factories.pdf_bytes(), "证书.pdf")
    db.session.flush()
    # A worker killed here (or a transaction never ended) leaves no file under a stored name.
    assert not path_of(stored).exists()
    assert on_disk(app) == [TEMPORARY_PREFIX + stored.storage_name]
    db.session.commit()
    assert on_disk(app) == [stored.storage_name]
    assert path_of(stored).read_bytes() == factories.pdf_bytes()


def test_a_rolled_back_upload_leaves_no_file(app):
    store_bytes(factories.pdf_bytes(), "证书.pdf")
    db.session.flush()
    db.session.rollback()
    assert on_disk(app) == []
    assert db.session.scalars(db.select(StoredFile)).all() == []


def test_a_refused_new_item_leaves_no_file_of_any_name(app, client):
    person = factories.applicant(None, "申报人甲", with_account=True)
    db.session.commit()
    signed_in(client, person.account)
    response = client.post("/me/archive/new/award", data={
        "csrf_token": csrf_token(client, "/me/archive/"), "title": "某奖", "level": "省部级",
        "organisation": "浙江省人民政府", "start_date": "2025-12-01", "rank": "1",
        "action": "submit", "attachment": (BytesIO(factories.pdf_bytes()), "证书.pdf")},
        content_type="multipart/form-data")
    assert "请先在「基本信息」中选择工作单位" in page_text(response)
    assert on_disk(app) == []
    assert db.session.scalars(db.select(StoredFile)).all() == []


# --- the quota --------------------------------------------------------------------------------

def padded_pdf(size: int) -> bytes:
    """A valid one-page PDF of at least ``size`` bytes."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Subject": "x" * size})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def post_item(client, data: bytes):
    return client.post("/me/archive/new/award", data={
        "csrf_token": csrf_token(client, "/me/archive/"), "title": "某奖", "level": "省部级",
        "organisation": "浙江省人民政府", "start_date": "2025-12-01", "rank": "1",
        "action": "save", "attachment": (BytesIO(data), "证书.pdf")},
        content_type="multipart/form-data")


def test_an_upload_past_the_accounts_quota_is_refused_saying_what_is_left(app, client):
    app.config["UPLOAD_QUOTA_MB"] = 1
    unit = factories.unit("甲单位")
    person = factories.applicant(unit, "申报人甲", with_account=True)
    db.session.commit()
    # 0.9 MB already used by this account; someone else's files do not count.
    store_bytes(b"x" * 900 * 1024, "旧附件.pdf", uploaded_by=person.account)
    store_bytes(b"x" * 900 * 1024, "别人的.pdf", uploaded_by=factories.employer(unit))
    db.session.commit()
    signed_in(client, person.account)
    files = on_disk(app)
    big = padded_pdf(200 * 1024)
    response = post_item(client, big)
    assert response.status_code == 200
    assert "存储空间不足" in page_text(response) and "剩余0.1 MB" in page_text(response)
    assert on_disk(app) == files
    # A file that fits is taken.
    assert post_item(client, factories.pdf_bytes()).status_code == 302
    assert len(on_disk(app)) == len(files) + 1


# --- orphan-files -----------------------------------------------------------------------------

def test_orphan_files_lists_then_removes_files_without_a_row_and_lists_missing_files(
        app, runner):
    kept = store_bytes(factories.pdf_bytes(), "留下.pdf")
    lost = store_bytes(factories.pdf_bytes(), "丢失.pdf")
    unrenamed = store_bytes(factories.pdf_bytes(), "未改名.pdf")
    db.session.commit()
    folder = Path(app.config["UPLOAD_DIR"])
    path_of(lost).unlink()
    # A worker died between the commit and the rename.
    os.replace(path_of(unrenamed), folder / (TEMPORARY_PREFIX + unrenamed.storage_name))
    (folder / "0123456789abcdef0123456789abcdef").write_bytes(b"stray")
    old_part = folder / (TEMPORARY_PREFIX + "deadbeef" * 4)
    old_part.write_bytes(b"crashed upload")
    an_hour_ago = time.time() - 3700
    os.utime(old_part, (an_hour_ago, an_hour_ago))
    in_flight = folder / (TEMPORARY_PREFIX + "cafebabe" * 4)
    in_flight.write_bytes(b"being saved now")

    result = runner.invoke(args=["zcps", "orphan-files"])
    assert result.exit_code == 1  # a row has lost its file
    assert "没有记录的文件：0123456789abcdef0123456789abcdef" in result.output
    assert f"没有记录的文件：{old_part.name}" in result.output
    assert in_flight.name not in result.output
    assert f"文件缺失的记录：stored_file {lost.id}" in result.output
    assert f"未完成改名：{TEMPORARY_PREFIX}{unrenamed.storage_name}" in result.output
    assert (folder / "0123456789abcdef0123456789abcdef").exists()  # only listed

    result = runner.invoke(args=["zcps", "orphan-files", "--delete"])
    assert "已删除：0123456789abcdef0123456789abcdef" in result.output
    assert sorted(on_disk(app)) == sorted([kept.storage_name, unrenamed.storage_name,
                                           in_flight.name])
    assert path_of(unrenamed).read_bytes() == factories.pdf_bytes()
    # The row without its file stays (its record needs it) and is still reported.
    assert f"文件缺失的记录：stored_file {lost.id}" in result.output


def test_orphan_files_finds_nothing_in_order(app, runner):
    store_bytes(factories.pdf_bytes(), "留下.pdf")
    db.session.commit()
    result = runner.invoke(args=["zcps", "orphan-files"])
    assert result.exit_code == 0
    assert "没有记录的文件 0 个，文件缺失的记录 0 条" in result.output
