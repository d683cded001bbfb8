"""``flask zcps backup``: the database and the uploaded files, into one folder.

- **SQLite**: SQLite's online backup API copies the database page by page under a read lock,
  so the copy is consistent while the app runs (``zcps.sqlite3``).
- **PostgreSQL**: ``pg_dump --format=custom`` (one snapshot; ``zcps.pgdump``).
- **MySQL / MariaDB**: ``mysqldump --single-transaction`` (one snapshot, triggers included;
  ``zcps.sql``). Without the tool on the PATH the command prints what to run and stops.

Then the files: every file with a row in the database, copied to ``uploads/`` and checked
against its stored size and SHA-256 on the way, and every audit log archive
(``flask zcps archive-audit``) to ``archive/`` the same way: the entries it holds are no longer
in the database. Files are never changed once stored, so copying
them after the database holds every file the database names. The README says how to restore.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from models import AuditArchive, StoredFile, utcnow

from . import retention, storage
from .extensions import db

DATABASE_FILES = {"sqlite": "zcps.sqlite3", "postgresql": "zcps.pgdump", "mysql": "zcps.sql"}
UPLOADS = "uploads"
ARCHIVES = "archive"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup could not be made; ``str(error)`` says why and what to do."""


@dataclass
class Backup:
    folder: Path
    database: Path | None = None
    files: int = 0
    bytes: int = 0
    archives: int = 0
    archive_bytes: int = 0
    problems: list = field(default_factory=list)  # (storage_name, MISSING / DAMAGED)
    commands: list = field(default_factory=list)  # what was run, shown without passwords


def backend(url) -> str:
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


def make_backup(folder: Path) -> Backup:
    """Back up the app's database and uploaded files into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"备份目录 {folder} 已存在且不为空，请指定一个新目录。")
    url = db.engine.url
    kind = backend(url)
    if kind not in DATABASE_FILES:
        raise BackupError(f"不支持备份此类数据库：{kind}")
    folder.mkdir(parents=True, exist_ok=True)
    result = Backup(folder=folder, database=folder / DATABASE_FILES[kind])
    if kind == "sqlite":
        backup_sqlite(url.database, result.database)
        rows = stored_rows_in_sqlite(result.database)
        archives = stored_rows_in_sqlite(result.database, ARCHIVE_QUERY)
    else:
        command, env = dump_command(url, result.database)
        result.commands.append(" ".join(command))
        run_dump(command, env, result.database)
        # Read after the dump: a superset of the rows it holds.
        rows = db.session.execute(
            sa.select(StoredFile.storage_name, StoredFile.size, StoredFile.sha256)).all()
        archives = db.session.execute(
            sa.select(AuditArchive.file_name, AuditArchive.size, AuditArchive.sha256)).all()
        db.session.rollback()
    copy_files(rows, folder / UPLOADS, result)
    files, copied = result.files, result.bytes
    copy_files(archives, folder / ARCHIVES, result, source=retention.archive_dir())
    result.archives, result.archive_bytes = result.files - files, result.bytes - copied
    result.files, result.bytes = files, copied
    (folder / MANIFEST).write_text(json.dumps({
        "created_at": utcnow().isoformat(timespec="seconds") + "Z",
        "database": kind,
        "database_file": result.database.name,
        "revision": current_revision(),
        "files": result.files,
        "archives": result.archives,
        "bytes": result.bytes,
        "problems": [{"storage_name": name, "problem": problem}
                     for name, problem in result.problems],
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


def backup_sqlite(path: str | None, target: Path) -> None:
    if not path or path == ":memory:":
        raise BackupError("内存中的SQLite数据库无法备份。")
    source = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


STORED_QUERY = "SELECT storage_name, size, sha256 FROM stored_file ORDER BY id"
ARCHIVE_QUERY = "SELECT file_name, size, sha256 FROM audit_archive ORDER BY id"


def stored_rows_in_sqlite(path: Path, query: str = STORED_QUERY) -> list:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def dump_tool(kind: str) -> str | None:
    names = ("pg_dump",) if kind == "postgresql" else ("mysqldump", "mariadb-dump")
    return next((found for found in map(shutil.which, names) if found), None)


def dump_command(url, target: Path) -> tuple[list[str], dict]:
    """The dump command for a PostgreSQL or MySQL/MariaDB ``url`` (the password goes in the
    environment, never on the command line) and that environment."""
    url = make_url(url)
    kind = backend(url)
    tool = dump_tool(kind)
    env = dict(os.environ)
    if kind == "postgresql":
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        # libpq's own URL: no driver, no password.
        conninfo = libpq_url(url)
        command = [tool or "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                   f"--file={target}", f"--dbname={conninfo}"]
    else:
        if url.password:
            env["MYSQL_PWD"] = str(url.password)
        command = [tool or "mysqldump", "--single-transaction", "--routines", "--triggers",
                   "--hex-blob", "--default-character-set=utf8mb4",
                   f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 3306}",
                   f"--user={url.username or 'root'}", f"--result-file={target}",
                   url.database]
    if tool is None:
        raise BackupError(
            f"找不到 {command[0]}（请安装数据库客户端：PostgreSQL 为 postgresql-client，"
            f"MySQL/MariaDB 为 mariadb-client）。也可以手工备份：\n  {' '.join(command)}\n"
            f"  并复制上传目录 {storage.upload_dir()}（见 README「备份与恢复」）。")
    return command, env


def libpq_url(url) -> str:
    """``url`` as libpq takes it: no driver name, and no password (given in PGPASSWORD)."""
    url = make_url(url)
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string()


def run_dump(command: list[str], env: dict, target: Path) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"{Path(command[0]).name} 失败（退出码 {done.returncode}）：\n"
                          f"{done.stderr.strip()}")


def copy_files(rows, target: Path, result: Backup, source: Path | None = None) -> None:
    """Copy each stored file (of the upload folder, or ``source``) to ``target``, checking its
    size and SHA-256 as it is read."""
    target.mkdir(exist_ok=True)
    source = storage.upload_dir() if source is None else source
    for storage_name, size, sha256 in rows:
        path = source / storage_name
        if not path.exists():
            # Committed, but the worker died before the rename: the bytes are there.
            path = source / (storage.TEMPORARY_PREFIX + storage_name)
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            result.problems.append((storage_name, storage.MISSING))
            continue
        digest = hashlib.sha256()
        copied = 0
        with handle, open(target / storage_name, "wb") as out:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
                copied += len(chunk)
        if copied != size or digest.hexdigest() != sha256:
            result.problems.append((storage_name, storage.DAMAGED))
        result.files += 1
        result.bytes += copied


def current_revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DatabaseError:
        db.session.rollback()
        return None
    finally:
        db.session.rollback()
