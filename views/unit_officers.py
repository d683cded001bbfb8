"""经办人管理 (单位管理 menu of /unit): the unit's officers, their duties and last days."""
from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, SelectMultipleField, widgets

from models import Account, OfficerDuty, Role
from zcps import officers
from zcps.extensions import db
from zcps.forms import required
from zcps.i18n import join_list
from zcps.identifiers import mask_id_number, mask_mobile
from zcps.workflow import WorkflowError

from .base import ScopedModelView, run_step


class CheckboxList(widgets.ListWidget):
    """A plain list of checkboxes (Flask-Admin would style the list as one text box)."""

    def __call__(self, field, **kwargs):
        kwargs.pop("class_", None)
        kwargs["class"] = "list-unstyled mb-0 pt-1"
        return super().__call__(field, **kwargs)


class DutiesField(SelectMultipleField):
    """The duties, one checkbox each."""

    widget = CheckboxList(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _duties_label(view, context, model, name):
    return join_list(duty.label for duty in model.duties)


class OfficerView(ScopedModelView):
    """经办人管理: the unit's own account (or an officer with 单位管理) adds officers, gives each
    duties and an optional last day, and stops or restarts them."""

    role = Role.EMPLOYER
    unit_duty = OfficerDuty.UNIT_ADMIN
    can_create = True
    can_edit = True
    column_list = ["display_name", "username", "officer_mobile", "department", "officer_duties",
                   "end_date", "active", "last_login_at"]
    column_details_list = column_list
    column_labels = {"display_name": _l("姓名"), "username": _l("身份证号"),
                     "officer_mobile": _l("手机号码"), "department": _l("部门"),
                     "officer_duties": _l("权限"), "end_date": _l("有效期至"),
                     "active": _l("启用"), "last_login_at": _l("最近登录")}
    column_formatters = {
        "username": lambda view, context, model, name: mask_id_number(model.username),
        "officer_mobile": lambda view, context, model, name: mask_mobile(model.officer_mobile),
        "officer_duties": _duties_label,
    }
    column_descriptions = {"end_date": _l("留空表示长期有效；过期后不能登录。")}
    column_searchable_list = ["display_name", "department"]
    column_sortable_list = ["display_name", "department", "end_date", "last_login_at"]
    column_default_sort = ("id", True)
    form_columns = ["display_name", "username", "officer_mobile", "department", "duties",
                    "end_date", "new_password"]
    form_extra_fields = {
        # Checked by the workflow: a required flag would make the browser demand every box.
        "duties": DutiesField(_l("权限"), choices=OfficerDuty.choices()),
        "new_password": PasswordField(_l("初始密码"), description=_l("经办人首次登录后须修改")),
    }
    form_args = {"username": {"label": _l("身份证号"), "validators": [required(_l("身份证号"))]},
                 "officer_mobile": {"label": _l("手机号码"),
                                    "validators": [required(_l("手机号码"))]},
                 "display_name": {"label": _l("姓名"), "validators": [required(_l("姓名"))]},
                 "department": {"label": _l("部门")},
                 "end_date": {"label": _l("有效期至"),
                              "description": _l("留空表示长期有效；过期后不能登录。")}}

    def view_clause(self):
        return Account.officer_duties.is_not(None)

    def edit_form(self, obj=None):
        # The 身份证号 names the person: another person is another officer. Passwords are the
        # officer's own (修改密码) after the first.
        form = super().edit_form(obj)
        del form.username
        del form.new_password
        return form

    def on_form_prefill(self, form, id):
        record = self.get_one(id)
        if record is not None:
            form.duties.data = list(record.officer_duties or ())

    def _values(self, form) -> dict:
        return {"name": form.display_name.data, "mobile": form.officer_mobile.data,
                "department": form.department.data, "duties": form.duties.data,
                "end_date": form.end_date.data}

    def _save(self, step, *args, **values):
        try:
            officer = step(current_user, *args, **values)
            db.session.commit()
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error), "error")
            return None
        return officer

    def create_model(self, form):
        officer = self._save(officers.add_officer, id_number=form.username.data,
                             password=form.new_password.data, **self._values(form))
        return officer or False

    def update_model(self, form, model):
        return self._save(officers.change_officer, model, **self._values(form)) is not None

    def _set_active(self, records, active):
        def step(actor):
            for record in records:
                officers.set_officer_active(actor, record, active)

        run_step(step, success=_("已启用 %(n)s 个账号。", n=len(records)) if active
                 else _("已停用 %(n)s 个账号，其已登录的会话同时结束。", n=len(records)))

    @action("deactivate", _l("停用"), _l("确定停用所选经办人吗？停用后不能登录，已登录的会话同时结束。"))
    def action_deactivate(self, records):
        self._set_active(records, False)

    @action("activate", _l("启用"), _l("确定启用所选经办人吗？"))
    def action_activate(self, records):
        self._set_active(records, True)


def register(admin):
    admin.add_view(OfficerView(Account, name=_l("经办人管理"), category=_l("单位管理"),
                               endpoint="unit_officer", url="officers"))
