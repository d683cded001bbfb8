"""``flask zcps verify-files`` checks every stored file against its row; ``flask zcps backup``
copies the database (SQLite's online backup, pg_dump, mysqldump) and the files, and what it
makes restores, by the README's steps, to an app that serves the same files."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Account, Applicant, AuthorizationStatus, ReviewStatus, StoredFile
from tests import factories
from tests.helpers import signed_in
from zcps import backup, workflow
from zcps.extensions import db
from zcps.storage import path_of, store_bytes


def make_records():
    """A unit's approved 委托证明 and an applicant's attachment: two stored files."""
    unit = factories.unit("甲单位", authorized=False)
    authorization = factories.authorization(unit, AuthorizationStatus.APPROVED)
    person = factories.applicant(unit, "张三", with_account=True)
    item = factories.archive_item(person, ReviewStatus.DRAFT, title="某大学 本科")
    attachment = workflow.attach_file(person.account, item,
                                      store_bytes(factories.pdf_bytes(3), "毕业证.pdf"))
    db.session.commit()
    return {
        f"/unit/authorization/file/{authorization.id}": factories.employer(unit).id,
        f"/me/archive/file/{attachment.id}": person.account.id,
    }


def downloads(app, urls: dict) -> dict:
    found = {}
    for url, account_id in urls.items():
        response = signed_in(app.test_client(), db.session.get(Account, account_id)).get(url)
        assert response.status_code == 200, url
        found[url] = response.get_data()
    return found


# --- verify-files -----------------------------------------------------------------------------

def test_verify_files_passes_then_names_each_damaged_or_missing_file(app, runner):
    make_records()
    result = runner.invoke(args=["zcps", "verify-files"])
    assert result.exit_code == 0, result.output
    assert "已检查 2 个文件，有问题的 0 个" in result.output

    cut, gone = db.session.scalars(sa.select(StoredFile).order_by(StoredFile.id)).all()
    data = path_of(cut).read_bytes()
    path_of(cut).write_bytes(data[: len(data) // 2])
    path_of(gone).unlink()
    result = runner.invoke(args=["zcps", "verify-files"])
    assert result.exit_code == 1
    assert f"文件已损坏（大小或SHA-256不符）：stored_file {cut.id}" in result.output
    assert f"文件缺失：stored_file {gone.id}" in result.output
    assert "有问题的 2 个" in result.output

    changed = bytearray(data)
    changed[100] ^= 0xFF  # same size, other bytes
    path_of(cut).write_bytes(changed)
    result = runner.invoke(args=["zcps", "verify-files"])
    assert f"文件已损坏（大小或SHA-256不符）：stored_file {cut.id}" in result.output


# --- backup -----------------------------------------------------------------------------------

def test_backup_refuses_a_folder_that_is_not_empty(app, runner, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("x")
    result = runner.invoke(args=["zcps", "backup", str(tmp_path / "old")])
    assert result.exit_code != 0 and "已存在且不为空" in result.output


def test_without_the_dump_tool_the_command_says_what_to_run(app, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError) as refused:
        backup.dump_command("postgresql+psycopg://zcps:secret@db.internal:5433/zcps",
                            tmp_path / "zcps.pgdump")
    message = str(refused.value)
    assert "找不到 pg_dump" in message
    assert "pg_dump --format=custom" in message and "postgresql://zcps@db.internal:5433/zcps" in message
    assert "secret" not in message
    with pytest.raises(backup.BackupError) as refused:
        backup.dump_command("mysql+pymysql://zcps:secret@db.internal/zcps", tmp_path / "zcps.sql")
    assert "mysqldump --single-transaction" in str(refused.value)
    assert "secret" not in str(refused.value)


def test_a_backup_restores_to_an_app_serving_the_same_files(app, runner, tmp_path):
    kind = backup.backend(db.engine.url)
    tool = {"sqlite": None, "postgresql": "pg_restore", "mysql": "mysql"}[kind]
    if tool and not (backup.dump_tool(kind) and shutil.which(tool)):
        pytest.skip(f"{kind}: the dump or restore client is not installed on this machine")
    urls = make_records()
    before = downloads(app, urls)
    people = db.session.scalar(sa.select(sa.func.count()).select_from(Applicant))
    # A stray .part upload is no part of a backup.
    (Path(app.config["UPLOAD_DIR"]) / ".part-0123").write_bytes(b"crashed")

    target = tmp_path / "backup"
    result = runner.invoke(args=["zcps", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "上传文件：2 个" in result.output and "备份完成" in result.output
    assert sorted(path.name for path in (target / "uploads").iterdir()) == sorted(
        stored.storage_name for stored in db.session.scalars(sa.select(StoredFile)))

    wipe_and_restore(app, kind, target)

    result = runner.invoke(args=["zcps", "verify-files"])
    assert result.exit_code == 0, result.output
    assert "已检查 2 个文件，有问题的 0 个" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Applicant)) == people
    assert downloads(app, urls) == before


def wipe_and_restore(app, kind: str, target: Path) -> None:
    """Lose the database and the upload folder, then restore both as the README says."""
    uploads = Path(app.config["UPLOAD_DIR"])
    db.session.remove()
    db.engine.dispose()
    url = db.engine.url
    shutil.rmtree(uploads)
    if kind == "sqlite":
        # Emptied and overwritten in place, as `cp` does: the file stays the one other
        # connections opened (a file unlinked under them turns them read-only).
        Path(url.database).write_bytes(b"")
        shutil.copyfile(target / "zcps.sqlite3", url.database)
    elif kind == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.engine.dispose()
        conninfo = backup.libpq_url(url)
        run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={conninfo}",
             str(target / "zcps.pgdump")], url)
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for (table,) in connection.exec_driver_sql("SHOW TABLES").all():
                connection.exec_driver_sql(f"DROP TABLE `{table}`")
        db.engine.dispose()
        with open(target / "zcps.sql", "rb") as dump:
            run(["mysql", "--default-character-set=utf8mb4", f"--host={url.host}",
                 f"--port={url.port or 3306}", f"--user={url.username}", url.database],
                url, stdin=dump)
    shutil.copytree(target / "uploads", uploads)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM stored_file").scalar() == 2


def run(command, url, stdin=None):
    env = dict(os.environ, PGPASSWORD=url.password or "", MYSQL_PWD=url.password or "")
    done = subprocess.run(command, env=env, stdin=stdin, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
