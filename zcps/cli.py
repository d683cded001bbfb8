"""``flask --app app zcps …`` commands."""
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from models import Account, AdminKind, AuditAction, AuditArchive, Role

from . import (
    archive_summary,
    audit,
    backup,
    clock,
    history_summary,
    notifications,
    passwords,
    retention,
    storage,
    unit_work,
    workflow,
)
from .catalogue import seed_catalogue, seed_opinion_templates
from .demo import DEMO_PASSWORD, SIGN_INS, load_demo
from .extensions import db

bp = Blueprint("zcps", __name__, cli_group="zcps")


KIND_NAMES = {kind.value: kind for kind in AdminKind}


@bp.cli.command("create-admin")
@click.option("--username", required=True, help="平台管理员用户名")
@click.option("--kind", type=click.Choice(list(KIND_NAMES)), required=True,
              help="三员分立：system 系统管理员（账号、目录、日历、计划），security 安全管理员"
                   "（解锁、重置密码、账号启停），audit 审计管理员（只读并导出审计日志）")
@click.option("--password", help="密码（不填则提示输入）")
@click.option("--name", "display_name", help="显示名称（默认为管理员类别）")
def create_admin(username, kind, password, display_name):
    """创建平台管理员账号（系统管理员、安全管理员或审计管理员之一）。"""
    kind = KIND_NAMES[kind]
    display_name = display_name or kind.zh
    username = username.strip()
    if not username:
        raise click.UsageError("用户名不能为空。")
    exists = db.session.scalar(
        db.select(Account).filter_by(role=Role.PLATFORM_ADMIN, username=username))
    if exists:
        raise click.ClickException(f"平台管理员 {username} 已存在。")
    if not password:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="确认密码")
    reason = passwords.problem(password, [username])
    if reason is not None:
        raise click.ClickException(reason)
    account = Account(role=Role.PLATFORM_ADMIN, admin_kind=kind, username=username,
                      display_name=display_name)
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    audit.record(AuditAction.CREATE_ADMIN, actor=None, target=f"platform_admin:{username}",
                 kind=kind.value)
    db.session.commit()
    click.echo(f"已创建{kind.zh} {username}。")


@bp.cli.command("demo")
def demo():
    """在空数据库中载入演示数据（可重复执行）。"""
    if load_demo():
        click.echo("演示数据已载入。")
    else:
        click.echo("数据库中已有账号，未载入演示数据。")
    print_sign_ins()


@bp.cli.command("seed-catalogue")
def seed_catalogue_command():
    """职称目录为空时载入默认的申报系列、专业和资格名称。"""
    added = seed_catalogue()
    seed_opinion_templates()
    db.session.commit()
    click.echo(f"新增申报系列 {added} 个。")


def _cut_off(before, days_setting):
    """The --before date, or today (Beijing) less the setting's number of days."""
    if before is not None:
        return before.date()
    return retention.default_cut_off(current_app.config[days_setting])


@bp.cli.command("archive-audit")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="归档并移出这一天（北京时间）以前的审计日志，YYYY-MM-DD；不能晚于180天前。"
                   "默认：今天往前 AUDIT_RETENTION_DAYS 天（400）")
def archive_audit_command(before):
    """把保留期以前的审计日志写入归档文件（实例目录 archive/，gzip 压缩的 JSON 行，记录 SHA-256），
    读回校验一致后才从数据库中删除；可重复运行。"""
    day = _cut_off(before, "AUDIT_RETENTION_DAYS")
    try:
        run = retention.archive_audit(db.session, day)
    except retention.RetentionRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except OSError as error:  # e.g. a full disk: the file is not there, nothing was deleted
        db.session.rollback()
        raise click.ClickException(f"写入归档文件失败（{error}），未删除任何审计日志。") from None
    for path in run.removed:
        click.echo(f"已删除未完成归档留下的文件：{path.name}（其中的记录仍在数据库中）")
    archive = run.archive
    if archive is None:
        click.echo(f"没有 {day.isoformat()} 以前的审计日志需要归档。")
        return
    click.echo(f"已归档 {archive.row_count} 条审计日志（编号 {archive.first_id}–{archive.last_id}，"
               f"{day.isoformat()} 以前）到 {retention.path_of(archive)}")
    click.echo(f"SHA-256：{archive.sha256}（{archive.size} 字节，已读回校验），已从数据库中删除。")


@bp.cli.command("prune-outbox")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="删除这一天（北京时间）以前创建、已发送或发送失败的短信，YYYY-MM-DD。"
                   "默认：今天往前 OUTBOX_RETENTION_DAYS 天（180）")
def prune_outbox_command(before):
    """清理短信发件箱中已发送或最终发送失败的旧短信；待发送和发送中的短信不会删除。"""
    day = _cut_off(before, "OUTBOX_RETENTION_DAYS")
    try:
        pruned = retention.prune_outbox(db.session, day)
    except retention.RetentionRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"已删除 {day.isoformat()} 以前的短信 {pruned.total} 条：已发送 {pruned.sent} 条，"
               f"发送失败 {pruned.failed} 条；待发送和发送中的短信未删除。")


def _check_or_rebuild(summary, rebuild: bool, rebuilt: str, describe, consistent: str) -> None:
    """A kept summary (``summary.rebuild``/``summary.differences``) rebuilt, or checked against
    what it counts: each difference printed by ``describe``, exit status 1 when there is one."""
    if rebuild:
        written = summary.rebuild(db.session)
        db.session.commit()
        click.echo(rebuilt.format(written))
        return
    differing = summary.differences(db.session)
    for difference in differing:
        click.echo(describe(*difference))
    click.echo(f"{len(differing)} 处不一致。" if differing else consistent)
    if differing:
        raise SystemExit(1)


@bp.cli.command("unit-work")
@click.option("--rebuild", is_flag=True, help="按申报记录重新统计全部单位待办。")
def unit_work_command(rebuild):
    """核对“超期与待办”的单位待办统计与申报记录是否一致；--rebuild 重新统计。"""
    _check_or_rebuild(
        unit_work, rebuild, "已重新统计 {} 个单位的待办。",
        lambda plan_id, unit_id, kept, counted:
            f"计划 {plan_id} 单位 {unit_id}：统计 {kept['total']}，实际 {counted['total']}",
        "单位待办统计与申报记录一致。")


@bp.cli.command("archive-summary")
@click.option("--rebuild", is_flag=True, help="按业绩档案重新统计每人在各单位的待审核情况。")
def archive_summary_command(rebuild):
    """核对“业绩档案审核”的每人统计与业绩档案是否一致；--rebuild 重新统计。"""
    _check_or_rebuild(
        archive_summary, rebuild, "已重新统计 {} 人次的业绩档案待审核情况。",
        lambda applicant_id, unit_id, kept, counted:
            f"人员 {applicant_id} 单位 {unit_id}：统计 {(kept or {}).get('total', 0)} 项，"
            f"实际 {(counted or {}).get('total', 0)} 项",
        "业绩档案审核统计与业绩档案一致。")


@bp.cli.command("history-summary")
@click.option("--rebuild", is_flag=True, help="按审核记录重新统计各评审计划的每日步骤、退回与未通过原因和退回人数。")
def history_summary_command(rebuild):
    """核对“统计分析”按评审计划保存的审核记录统计与审核记录是否一致；--rebuild 重新统计。"""
    _check_or_rebuild(
        history_summary, rebuild, "已重新统计 {} 行审核记录统计。",
        lambda table, key, kept, counted: f"{table} {key}：统计 {kept}，实际 {counted}",
        "审核记录统计与审核记录一致。")


@bp.cli.command("remind")
def remind():
    """按评审计划的截止时间发送截止提醒短信（同一提醒只发一次）。"""
    click.echo(format_reminders(queue_reminders()))


def queue_reminders() -> int:
    queued = workflow.send_reminders()
    db.session.commit()
    return queued


def format_reminders(queued):
    return f"已加入发送队列的截止提醒短信 {queued} 条"


class DailyReminders:
    """Queues the reminders on the first pass of each Beijing day (again on a later pass of
    the day when that one failed)."""

    def __init__(self):
        self.last_day = None

    def run(self) -> int | None:
        """How many were queued, or None when today's reminders have already run."""
        today = clock.today()
        if today == self.last_day:
            return None
        queued = queue_reminders()
        self.last_day = today
        return queued


@bp.cli.command("send-notifications")
@click.option("--loop", is_flag=True,
              help="持续运行，每隔一段时间发送到期的短信，每天首轮先加入当天的截止提醒，按 Ctrl+C 停止")
@click.option("--interval", type=click.FloatRange(min=0, min_open=True), default=5.0,
              show_default=True, help="循环间隔（秒）")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="每轮最多发送条数")
def send_notifications(loop, interval, limit):
    """发送短信发件箱中到期的短信。"""
    try:
        notifications.get_backend()
    except notifications.SmsConfigError as error:
        raise click.ClickException(str(error)) from None
    if not loop:
        click.echo(format_counts(notifications.send_due(limit=limit)))
        return
    click.echo(f"短信发送已启动，每 {interval:g} 秒检查一次，按 Ctrl+C 停止。")
    reminders = DailyReminders()
    try:
        while True:
            try:
                queued = reminders.run()
            except Exception as error:  # noqa: BLE001  tried again on the next pass
                db.session.rollback()
                click.echo(f"截止提醒出错：{error}", err=True)
            else:
                if queued:
                    click.echo(format_reminders(queued))
            try:
                counts = notifications.send_due(limit=limit)
            except Exception as error:  # noqa: BLE001  e.g. the database is briefly unreachable
                db.session.rollback()
                click.echo(f"发送出错：{error}", err=True)
            else:
                if any(counts.values()):
                    click.echo(format_counts(counts))
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("短信发送已停止。")


@bp.cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="只列出，不删除、不改名")
@click.option("--older-than", type=click.IntRange(min=1), default=60, show_default=True,
              help="临时文件（上传中断、导出中断）超过多少分钟视为残留")
def sweep(dry_run, older_than):
    """清理上传目录与导出临时目录：删除没有记录的文件和残留的临时文件，补全中断的改名，列出文件缺失的记录。"""
    found = storage.sweep(dry_run=dry_run, older_than=older_than * 60)
    for path in found.completed:
        click.echo(f"{'未完成改名' if dry_run else '已补全改名'}：{path.name}")
    for path, size in found.files:
        click.echo(f"{'没有记录的文件' if dry_run else '已删除没有记录的文件'}：{path.name}（{size} 字节）")
    for path, size in found.exports:
        click.echo(f"{'残留的导出临时文件' if dry_run else '已删除导出临时文件'}：{path.name}（{size} 字节）")
    for stored in found.rows:
        click.echo(f"文件缺失的记录：stored_file {stored.id} {stored.storage_name} "
                   f"{stored.original_name}（{stored.created_at:%Y-%m-%d %H:%M}）")
    verb = "可删除" if dry_run else "已删除"
    click.echo(f"{'（仅列出，未作改动）' if dry_run else ''}没有记录的文件{verb} {len(found.files)} 个，"
               f"导出临时文件{verb} {len(found.exports)} 个，"
               f"{'未完成改名' if dry_run else '已补全改名'} {len(found.completed)} 个，"
               f"文件缺失的记录 {len(found.rows)} 条。")
    if found.rows:
        raise SystemExit(1)


@bp.cli.command("verify-files")
def verify_files():
    """检查每个上传文件和审计日志归档是否存在、大小和SHA-256是否与记录一致；有问题时退出码为1。"""
    checks = storage.damaged_files()
    bad = 0
    while True:
        try:
            stored, problem = next(checks)
        except StopIteration as done:
            checked = done.value
            break
        bad += 1
        what = "文件缺失" if problem == storage.MISSING else "文件已损坏（大小或SHA-256不符）"
        click.echo(f"{what}：stored_file {stored.id} {stored.storage_name} "
                   f"{stored.original_name}（{stored.created_at:%Y-%m-%d %H:%M}）")
    click.echo(f"已检查 {checked} 个文件，有问题的 {bad} 个。")
    archives = db.session.scalars(sa.select(AuditArchive).order_by(AuditArchive.id)).all()
    damaged = 0
    for archive in archives:
        problem = retention.check_archive(archive)
        if problem is not None:
            damaged += 1
            what = "文件缺失" if problem == storage.MISSING else "文件已损坏（大小或SHA-256不符）"
            click.echo(f"{what}：审计日志归档 {archive.file_name}（{archive.row_count} 条）")
    if archives:
        click.echo(f"已检查 {len(archives)} 个审计日志归档，有问题的 {damaged} 个。")
    if bad or damaged:
        raise SystemExit(1)


@bp.cli.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def backup_command(destination):
    """备份数据库和上传文件到一个新目录（SQLite 在线备份；PostgreSQL 用 pg_dump，MySQL/MariaDB 用 mysqldump）。"""
    try:
        made = backup.make_backup(destination)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    for command in made.commands:
        click.echo(f"已运行：{command}")
    click.echo(f"数据库：{made.database}")
    click.echo(f"上传文件：{made.files} 个，{made.bytes} 字节，在 {made.folder / backup.UPLOADS}")
    if made.archives:
        click.echo(f"审计日志归档：{made.archives} 个，{made.archive_bytes} 字节，"
                   f"在 {made.folder / backup.ARCHIVES}")
    for storage_name, problem in made.problems:
        what = "文件缺失，未备份" if problem == storage.MISSING else "文件已损坏（已照原样复制）"
        click.echo(f"{what}：{storage_name}")
    if made.problems:
        click.echo(f"有 {len(made.problems)} 个文件有问题，请运行 flask --app app zcps verify-files 查看。")
        raise SystemExit(1)
    click.echo("备份完成。")


def format_counts(counts):
    text = f"已发送 {counts['sent']} 条，待重试 {counts['retry']} 条，失败 {counts['failed']} 条"
    if counts.get("interrupted"):
        text += f"；其中 {counts['interrupted']} 条上次发送中断后重发，可能重复送达"
    if counts.get("paused"):
        text += "；短信网关连续失败，本轮暂停发送"
    return text


def print_sign_ins():
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}，仅用于演示）：")
    for page, username, who in SIGN_INS:
        click.echo(f"  {page:<6} {username:<20} {who}")


def init_app(app):
    app.register_blueprint(bp)
