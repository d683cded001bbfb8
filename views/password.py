"""修改密码: the same page in every role area, linked from the account menu."""
from flask import flash, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from zcps import accounts
from zcps.auth import start_session
from zcps.extensions import db
from zcps.forms import ChangePasswordForm

from .base import AreaPage


class PasswordPage(AreaPage):
    # A unit changes its password before its authorization too; every officer has one.
    open_before_authorization = True
    unit_duty = None

    def __init__(self, role, **kwargs):
        self.role = role
        super().__init__(**kwargs)

    def is_visible(self):
        return False  # in the account menu, not the area's menu

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = ChangePasswordForm()
        if form.validate_on_submit():
            try:
                accounts.change_password(current_user, form.old_password.data,
                                         form.new_password.data)
            except accounts.WrongPassword as error:
                db.session.rollback()
                form.old_password.errors = [str(error)]
            except accounts.WeakPassword as error:
                db.session.rollback()
                form.new_password.errors = [str(error)]
            else:
                # Every other session of the account has ended; this browser goes on.
                start_session(current_user._get_current_object())
                db.session.commit()
                flash(_("密码已修改，其他设备上的登录已退出。"), "success")
                return redirect(url_for(f"{self.admin.endpoint}.index"))
        return self.render("zcps/password.html", form=form,
                           forced=current_user.must_change_password)


def register(admin, role):
    admin.add_view(PasswordPage(role, name=_l("修改密码"), endpoint=f"{admin.endpoint}_password",
                                url="password"))
