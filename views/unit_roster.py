"""导入本单位人员: the unit's roster from a spreadsheet — template, preview, import."""
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField

from models import OfficerDuty, Role
from zcps import roster
from zcps.exports import xlsx_response
from zcps.uploads import UploadError, read_upload

from .base import AreaPage, run_step

MAX_MB = 10


class UploadForm(FlaskForm):
    sheet = FileField(_l("人员名单（Excel文件）"))


class ConfirmForm(FlaskForm):
    rows = HiddenField()


class RosterImportPage(AreaPage):
    """Reached from 本单位人员 → 导入 (the unit's own account or 单位管理)."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.UNIT_ADMIN

    def is_visible(self):
        return False  # a button of 本单位人员, not a menu entry

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = UploadForm()
        rows, notes, error = None, [], None
        upload = request.files.get(form.sheet.name)
        if form.validate_on_submit() and upload is not None and upload.filename:
            try:
                data = read_upload(upload, MAX_MB * 1024 * 1024)
                if len(data) > MAX_MB * 1024 * 1024:
                    raise roster.ImportRefused(_("文件超过%(mb)s MB，请分批导入。", mb=MAX_MB))
                rows, notes = roster.read(data)
            except (UploadError, roster.ImportRefused) as refused:
                error = str(refused)
            else:
                roster.check(current_user, rows)
        elif request.method == "POST":
            error = _("请选择要上传的人员名单（Excel文件）。")
        valid = [row for row in rows or () if not row.errors]
        confirm = ConfirmForm(rows=roster.sealed(rows)) if valid else None
        return self.render("unit/roster_import.html", form=form, rows=rows, notes=notes,
                           error=error, valid=len(valid), confirm=confirm, max_mb=MAX_MB,
                           max_rows=roster.MAX_ROWS)

    @expose("/commit", methods=("POST",))
    def commit(self):
        form = ConfirmForm()
        if not form.validate_on_submit():
            flash(_("导入数据已失效，请重新上传文件。"), "error")
            return redirect(url_for(".index"))
        try:
            rows = roster.unsealed(form.rows.data)
        except roster.ImportRefused as refused:
            flash(str(refused), "error")
            return redirect(url_for(".index"))
        outcome = run_step(roster.import_rows, rows, success=lambda done: _(
            "已导入%(n)s人，并已短信发送激活码（7天内有效）。", n=done["imported"]))
        if outcome and outcome.value["skipped"]:
            flash(_("%(n)s人因信息已变化未导入，请核对后重新上传。",
                    n=len(outcome.value["skipped"])), "warning")
        if outcome and outcome.value["not_invited"]:
            flash(_("%(n)s人的激活短信因发送过于频繁未能发出，本人可在「激活账号」页点击「获取激活码」。",
                    n=outcome.value["not_invited"]), "warning")
        return redirect(url_for("unit_applicant.index_view") if outcome else url_for(".index"))

    @expose("/template.xlsx")
    def template(self):
        return xlsx_response(roster.template_xlsx(), "本单位人员导入模板.xlsx")


def register(admin):
    admin.add_view(RosterImportPage(name=_l("导入本单位人员"), endpoint="unit_roster",
                                    url="roster"))
