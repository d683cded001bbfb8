"""Uploaded files on disk: a file has its name only once its row is committed, a rolled-back
upload leaves nothing, each account has a storage quota, and ``flask zcps sweep`` finds
(and removes) files without a row and rows without a file."""
import gc
import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest

from models import StoredFile
from tests import factories
from tests.helpers import csrf_token, page_text, signed_in
from zcps.exports import SAMPLE_ROWS, ExportWorkbook, write_table
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


# --- sweep ------------------------------------------------------------------------------------

def backdate(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_sweep_lists_then_removes_files_without_a_row_and_lists_missing_files(app, runner):
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
    backdate(old_part, 3700)
    in_flight = folder / (TEMPORARY_PREFIX + "cafebabe" * 4)
    in_flight.write_bytes(b"being saved now")

    result = runner.invoke(args=["zcps", "sweep", "--dry-run"])
    assert result.exit_code == 1  # a row has lost its file
    assert "没有记录的文件：0123456789abcdef0123456789abcdef" in result.output
    assert f"没有记录的文件：{old_part.name}" in result.output
    assert in_flight.name not in result.output
    assert f"文件缺失的记录：stored_file {lost.id}" in result.output
    assert f"未完成改名：{TEMPORARY_PREFIX}{unrenamed.storage_name}" in result.output
    assert "仅列出，未作改动" in result.output
    assert (folder / "0123456789abcdef0123456789abcdef").exists()  # only listed

    result = runner.invoke(args=["zcps", "sweep"])
    assert "已删除没有记录的文件：0123456789abcdef0123456789abcdef" in result.output
    assert "没有记录的文件已删除 2 个" in result.output
    assert sorted(on_disk(app)) == sorted([kept.storage_name, unrenamed.storage_name,
                                           in_flight.name])
    assert path_of(unrenamed).read_bytes() == factories.pdf_bytes()
    # The row without its file stays (its record needs it) and is still reported.
    assert f"文件缺失的记录：stored_file {lost.id}" in result.output
    assert result.exit_code == 1

    # --older-than: a crashed upload of 20 minutes ago goes with --older-than 10.
    backdate(in_flight, 20 * 60)
    assert runner.invoke(args=["zcps", "sweep"]).exit_code == 1
    assert in_flight.exists()
    runner.invoke(args=["zcps", "sweep", "--older-than", "10"])
    assert not in_flight.exists()


def test_sweep_finds_nothing_in_order(app, runner):
    store_bytes(factories.pdf_bytes(), "留下.pdf")
    db.session.commit()
    result = runner.invoke(args=["zcps", "sweep"])
    assert result.exit_code == 0
    assert "没有记录的文件已删除 0 个，导出临时文件已删除 0 个" in result.output
    assert "文件缺失的记录 0 条" in result.output


def test_a_rename_the_sweep_finished_first_is_no_error(app):
    stored = store_bytes(factories.pdf_bytes(), "证书.pdf")
    db.session.flush()
    temporary = Path(app.config["UPLOAD_DIR"]) / (TEMPORARY_PREFIX + stored.storage_name)
    # The sweep saw the committed row and named the file just before the worker did.
    os.replace(temporary, path_of(stored))
    db.session.commit()
    assert on_disk(app) == [stored.storage_name]


# --- export temporary files --------------------------------------------------------------------

def export_temp_entries(app) -> list[Path]:
    folder = Path(app.config["INSTANCE_DIR"]) / "export-tmp"
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_an_export_keeps_its_rows_in_its_own_folder_and_leaves_nothing(app):
    seen = []

    def rows():
        # The widths are read from the first SAMPLE_ROWS rows; the rows after them stream.
        for n in range(SAMPLE_ROWS + 2):
            yield [f"张三{n}", "高级工程师"]
        # While the workbook is being written, its rows go to a file of the export folder.
        seen.extend(path for path in export_temp_entries(app) if path.is_file())
        yield ["王五", "工程师"]

    data = write_table(rows(), ["姓名", "申报资格"])
    assert data.startswith(b"PK")
    assert seen and all(path.parent.name.startswith("export-") for path in seen)
    assert export_temp_entries(app) == []


def test_an_export_that_fails_half_way_leaves_nothing(app):
    seen = []

    def rows():
        for n in range(SAMPLE_ROWS + 2):
            yield [f"张三{n}", "高级工程师"]
        seen.extend(export_temp_entries(app))
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_table(rows(), ["姓名", "申报资格"])
    gc.collect()
    assert seen  # the rows were on disk
    assert export_temp_entries(app) == []


def test_the_sweep_removes_what_a_killed_export_left(app, runner):
    killed = ExportWorkbook(BytesIO())
    killed.add_worksheet().write_string(0, 0, "张三 330106199003071236")
    killed.discard.detach()  # the worker is killed: nothing of it runs any more
    running = ExportWorkbook(BytesIO())
    running.add_worksheet().write_string(0, 0, "李四")
    backdate(killed.scratch, 61 * 60)
    stray = killed.scratch.parent / "tmpabcd"  # a loose file, as older code left
    stray.write_text("王五")
    backdate(stray, 2 * 3600)

    result = runner.invoke(args=["zcps", "sweep", "--dry-run"])
    assert f"残留的导出临时文件：{killed.scratch.name}" in result.output
    assert "残留的导出临时文件：tmpabcd" in result.output
    assert running.scratch.name not in result.output
    assert killed.scratch.exists()

    result = runner.invoke(args=["zcps", "sweep"])
    assert result.exit_code == 0
    assert "导出临时文件已删除 2 个" in result.output
    assert not killed.scratch.exists() and not stray.exists()
    assert running.scratch.exists()  # an export being written now is left alone
    running.close()
    assert not running.scratch.exists()


KILLED_EXPORT = """
import sys, time
from zcps import create_app
from zcps.exports import SAMPLE_ROWS, write_table

app = create_app({"INSTANCE_DIR": sys.argv[1], "SECRET_KEY": "x",
                  "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def rows():
    for n in range(SAMPLE_ROWS + 2):
        yield [f"张三{n}", "高级工程师"]
    print("writing", flush=True)
    time.sleep(60)


with app.app_context():
    write_table(rows(), ["姓名", "申报资格"])
"""


def test_an_export_killed_mid_way_leaves_only_its_folder_which_the_sweep_removes(
        app, runner, tmp_path):
    instance = Path(app.config["INSTANCE_DIR"])
    script = tmp_path / "export.py"
    script.write_text(KILLED_EXPORT, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.Popen([sys.executable, str(script), str(instance)], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)},
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "writing"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stdout.close()
    left = [path for path in export_temp_entries(app) if path.is_dir()]
    assert len(left) == 1 and any(left[0].iterdir())  # the rows, on disk, in their folder

    assert "导出临时文件已删除 0 个" in runner.invoke(args=["zcps", "sweep"]).output  # too young
    backdate(left[0], 61 * 60)
    result = runner.invoke(args=["zcps", "sweep"])
    assert f"已删除导出临时文件：{left[0].name}" in result.output
    assert export_temp_entries(app) == []
