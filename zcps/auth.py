"""Home page, sign-in per role, sign-out and the language switch."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import Account, AuditAction, Role, dummy_password_hash, utcnow

from . import accounts, audit
from .areas import AREAS, area_by_slug, area_for
from .extensions import db, limiter, login_manager
from .forms import ApplicantRegistrationForm, UnitRegistrationForm
from .identifiers import normalize

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = _l("账号或密码错误，请重新输入。")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写账号。")),
                                                       Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码。")),
                                                         Length(max=128)])


@login_manager.user_loader
def load_account(account_id: str):
    try:
        pk = int(account_id)
    except (TypeError, ValueError):
        return None
    # The unit and point come in the same query: every request reads them (Account.is_active).
    return db.session.get(Account, pk, options=[joinedload(Account.unit),
                                                joinedload(Account.acceptance_point)])


def area_home_url(role: Role) -> str:
    return url_for(f"{area_for(role).endpoint}.index")


def login_url_for(role: Role, next_url: str | None = None) -> str:
    return url_for("auth.login", slug=area_for(role).login_slug, next=next_url)


def _safe_next(role: Role, target: str | None) -> str | None:
    """Only a relative path inside the role's own area may be the target after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    area_url = area_for(role).url
    if parts.path == area_url or parts.path.startswith(area_url + "/"):
        return target
    return None


def fresh_session() -> None:
    """A new session on sign-in and sign-out (no fixation); the language chosen stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/")
def home():
    return render_template("home.html", areas=AREAS)


@bp.route("/favicon.ico")
def favicon():
    # Pages declare no icon; a file opened on its own (a PDF) still makes the browser ask.
    return "", 204


@bp.route("/employer")
def employer_entry():
    """用人单位登录: the legal-person sign-in and registration for units."""
    return redirect(url_for("auth.login", slug="unit"))


@bp.route("/login/<slug>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login(slug):
    area = area_by_slug(slug)
    if area is None:
        abort(404)
    form = LoginForm()
    form.username.label.text = area.username_label
    if current_user.is_authenticated and current_user.role == area.role and request.method == "GET":
        return redirect(area_home_url(area.role))
    if form.validate_on_submit():
        username = form.username.data.strip()
        if area.role in (Role.EMPLOYER, Role.APPLICANT):
            username = normalize(username)
        account = db.session.execute(
            db.select(Account).filter_by(role=area.role, username=username)
        ).scalar_one_or_none()
        # Same work and same message whether the account is unknown or the password wrong.
        password_ok = check_password_hash(
            account.password_hash if account else dummy_password_hash(), form.password.data
        )
        if account is None or not password_ok:
            audit.record(AuditAction.SIGN_IN_FAILED, target=f"{area.role.value}:{username}", actor=None)
            db.session.commit()
            flash(str(BAD_CREDENTIALS), "error")
        elif not account.is_active:
            flash(_("该账号已停用，请联系平台管理员。"), "error")
        else:
            fresh_session()
            login_user(account)
            account.last_login_at = utcnow()
            audit.record(AuditAction.SIGN_IN, target=f"{area.role.value}:{username}", actor=account)
            db.session.commit()
            return redirect(_safe_next(area.role, request.args.get("next")) or area_home_url(area.role))
    return render_template("login.html", form=form, area=area, areas=AREAS)


@bp.route("/register/unit", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register_unit():
    """注册: a unit opens its account; it can then only do its authorization until approved."""
    form = UnitRegistrationForm()
    if form.validate_on_submit():
        try:
            account = accounts.register_unit(
                name=form.name.data, uscc=form.uscc.data, address=form.address.data,
                legal_representative=form.legal_representative.data,
                contact_name=form.contact_name.data, contact_mobile=form.contact_mobile.data,
                password=form.password.data)
            db.session.commit()
        except accounts.AlreadyRegistered as error:
            db.session.rollback()
            form.uscc.errors = [*form.uscc.errors, str(error)]
        else:
            fresh_session()
            login_user(account)
            flash(_("注册成功。请填写经办人信息，下载委托证明，盖章后上传并提交审核。"), "success")
            return redirect(url_for("unit_authorization.index"))
    return render_template("register_unit.html", form=form)


@bp.route("/register/person", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register_person():
    """注册 for a professional: signs in with the 身份证号; the employing unit is chosen later."""
    form = ApplicantRegistrationForm()
    if form.validate_on_submit():
        try:
            account = accounts.register_applicant(
                name=form.name.data, id_number=form.id_number.data, mobile=form.mobile.data,
                password=form.password.data)
            db.session.commit()
        except accounts.AlreadyRegistered as error:
            db.session.rollback()
            form.id_number.errors = [*form.id_number.errors, str(error)]
        else:
            fresh_session()
            login_user(account)
            flash(_("注册成功。请完善基本信息并选择工作单位。"), "success")
            return redirect(url_for("me.index"))
    return render_template("register_person.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    role = current_user.role if current_user.is_authenticated else None
    logout_user()
    fresh_session()
    flash(_("您已安全退出。"), "success")
    if role is not None:
        return redirect(url_for("auth.login", slug=area_for(role).login_slug))
    return redirect(url_for("auth.home"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("auth.home")
    return redirect(target)


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
