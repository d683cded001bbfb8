"""Home page, sign-in per role, sign-out and the language switch."""
import re
import time

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
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import Account, CodePurpose, Role

from . import accounts, roster, verification
from .accounts import BAD_CREDENTIALS
from .areas import AREAS, OFFICER_SIGN_IN, area_by_slug, area_for
from .extensions import db, limiter, login_manager
from .forms import (
    ActivationForm,
    ApplicantRegistrationForm,
    ForgotPasswordForm,
    UnitRegistrationForm,
)
from .identifiers import IdentifierError, clean_id_number, clean_uscc, mask_mobile, normalize
from .redirects import safe_return_path

bp = Blueprint("auth", __name__)

__all__ = ["BAD_CREDENTIALS", "bp", "init_app"]

# What a signed-in session carries besides Flask-Login's own keys.
GENERATION, SIGNED_IN_AT, SEEN_AT = "zcps_generation", "zcps_signed_in_at", "zcps_seen_at"
# How stale the last-seen moment may be (seconds): a session may end this much before its idle
# time is up, never later.
SEEN_RESOLUTION = 60


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写账号。")),
                                                       Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码。")),
                                                         Length(max=128)])


# The unit and point come in the same query: every request reads them (Account.is_active).
ACCOUNT_WITH_ORGANISATION = (joinedload(Account.unit), joinedload(Account.acceptance_point))


@login_manager.user_loader
def load_account(account_id: str):
    try:
        pk = int(account_id)
    except (TypeError, ValueError):
        return None
    account = db.session.get(Account, pk, options=ACCOUNT_WITH_ORGANISATION)
    # An officer past their last day is signed out at their next request, like a stopped one.
    if account is None or not session_is_current(account) or account.expired:
        fresh_session()
        return None
    # The idle timer counts whole minutes: the cookie is signed and sent again once a minute
    # at most, not on every request.
    now = _now()
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return account


def _now() -> int:
    # Wall time, not zcps.clock: moving the business clock (demo data, tests) ends no session.
    return int(time.time())


def session_is_current(account: Account) -> bool:
    """Whether this session is still the account's: not ended since it began (sign-out,
    password change or reset, deactivation), not idle too long, not older than its lifetime."""
    now = _now()
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return (session.get(GENERATION) == account.session_generation
            and now - session.get(SIGNED_IN_AT, 0) <= lifetime
            and now - session.get(SEEN_AT, 0) <= current_app.config["SESSION_IDLE_SECONDS"])


def start_session(account: Account) -> None:
    """Sign ``account`` in on a new session (no fixation) that carries its generation."""
    fresh_session()
    login_user(account)
    session[GENERATION] = account.session_generation
    session[SIGNED_IN_AT] = session[SEEN_AT] = _now()


def area_home_url(role: Role) -> str:
    return url_for(f"{area_for(role).endpoint}.index")


def login_url_for(role: Role, next_url: str | None = None) -> str:
    return url_for("auth.login", slug=area_for(role).login_slug, next=next_url)


def _safe_next(role: Role, target: str | None) -> str | None:
    """Only a relative path inside the role's own area may be the target after sign-in."""
    target = safe_return_path(target)
    if target is None:
        return None
    area_url = area_for(role).url
    path = target.split("?", 1)[0].split("#", 1)[0]
    if path == area_url or path.startswith(area_url + "/"):
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


@bp.route("/guide")
def guide():
    """操作指南 of the footer (unless GUIDE_URL names another): what each role does, in order."""
    return render_template("guide.html")


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
        mistyped = mistyped_code(area, username)
        if mistyped:
            form.username.errors = [mistyped]
            return render_template("login.html", form=form, area=area, areas=AREAS)
        try:
            account = accounts.sign_in(area.role, username, form.password.data,
                                       officer=area.login_slug == OFFICER_SIGN_IN.login_slug)
        except accounts.SignInRefused as refusal:
            db.session.commit()  # the failure's count and audit entry
            flash(str(refusal), "error")
        else:
            start_session(account)
            db.session.commit()
            return redirect(_safe_next(area.role, request.args.get("next")) or area_home_url(area.role))
    return render_template("login.html", form=form, area=area, areas=AREAS)


def mistyped_code(area, username: str) -> str | None:
    """What is wrong with an 18-character 统一社会信用代码 or 身份证号 typed to sign in (its check
    digit, or its date of birth), so that a typing error is not reported as a wrong password;
    None when it checks out or is no such code. No account is looked up."""
    if len(username) != 18 or area.login_slug not in ("unit", "person",
                                                       OFFICER_SIGN_IN.login_slug):
        return None
    # The code this page takes first: a valid one is left to the password check.
    own, other = (clean_uscc, clean_id_number) if area.login_slug == "unit" else (
        clean_id_number, clean_uscc)
    try:
        own(username)
    except IdentifierError as error:
        problem = str(error)
    else:
        return None
    # A string shaped as a 身份证号 (17 digits and a digit or X) is read as one on the person's
    # and the officer's pages, even where it also checks out as a credit code by chance.
    id_shaped = re.fullmatch(r"\d{17}[\dX]", username) is not None
    if not _valid(other, username) or (own is clean_id_number and id_shaped):
        return problem
    if area.login_slug == "unit":
        return _("法人登录请填写本单位的统一社会信用代码；经办人请使用“经办人登录”。")
    if area.login_slug == OFFICER_SIGN_IN.login_slug:
        return _("经办人登录请填写手机号码或身份证号；单位账号请使用“法人登录”。")
    return _("个人登录请填写本人的身份证号；单位请使用“法人登录”。")


def _valid(check, code: str) -> bool:
    try:
        check(code)
    except IdentifierError:
        return False
    return True


# Per client address, on top of the per-number limits the database keeps (zcps/verification.py).
SMS_CODE_LIMIT = "5 per minute;20 per hour"


def send_code_pressed() -> bool:
    return request.method == "POST" and "send_code" in request.form


def send_code(form, mobile_field, purpose: CodePurpose, account=None, account_for=None) -> None:
    """获取验证码: a form posted with only its mobile checked; the code is for ``account`` when
    given. ``account_for(mobile)`` names the account a password-reset code is for; when it names
    none, nothing is delivered and every answer is the same (the form does not tell whether an
    account has that mobile)."""
    if not mobile_field.validate(form):
        return
    mobile = mobile_field.data
    with limiter.limit(SMS_CODE_LIMIT, scope="sms-code"):
        if account_for is not None:
            account = account_for(mobile)
        try:
            verification.send_code(mobile, purpose, account=account,
                                   deliver=account_for is None or account is not None)
            db.session.commit()
        except verification.CodeRefused as refused:
            db.session.rollback()
            mobile_field.errors = [str(refused)]
            return
    flash(_("验证码已发送至%(mobile)s，5分钟内有效。", mobile=mask_mobile(mobile))
          if account_for is None else
          _("如账号与手机号匹配，验证码已发送至%(mobile)s，5分钟内有效。", mobile=mask_mobile(mobile)),
          "success")


@bp.route("/register/unit", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register_unit():
    """注册: a unit opens its account; it can then only do its authorization until approved.
    The contact mobile is proven first by a 短信验证码 (获取验证码 posts the form)."""
    form = UnitRegistrationForm()
    if send_code_pressed():
        send_code(form, form.contact_mobile, CodePurpose.REGISTER_UNIT)
    elif form.validate_on_submit():
        try:
            account = accounts.register_unit_verified(
                code=form.code.data,
                name=form.name.data, uscc=form.uscc.data, address=form.address.data,
                legal_representative=form.legal_representative.data,
                contact_name=form.contact_name.data, contact_mobile=form.contact_mobile.data,
                password=form.password.data)
            db.session.commit()
        except verification.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors = [*form.code.errors, str(error)]
        except accounts.AlreadyRegistered as error:
            db.session.commit()  # the code is used up
            form.uscc.errors = [*form.uscc.errors, str(error)]
        else:
            start_session(account)
            flash(_("注册成功。请填写经办人信息，下载委托证明，盖章后上传并提交审核。"), "success")
            return redirect(url_for("unit_authorization.index"))
    return render_template("register_unit.html", form=form)


@bp.route("/register/person", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register_person():
    """注册 for a professional: signs in with the 身份证号; the employing unit is chosen later.
    The mobile is proven first by a 短信验证码."""
    form = ApplicantRegistrationForm()
    if send_code_pressed():
        send_code(form, form.mobile, CodePurpose.REGISTER_APPLICANT)
    elif form.validate_on_submit():
        try:
            account = accounts.register_applicant_verified(
                code=form.code.data,
                name=form.name.data, id_number=form.id_number.data, mobile=form.mobile.data,
                password=form.password.data)
            db.session.commit()
        except verification.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors = [*form.code.errors, str(error)]
        except accounts.AlreadyRegistered as error:
            db.session.commit()  # the code is used up
            form.id_number.errors = [*form.id_number.errors, str(error)]
        else:
            start_session(account)
            flash(_("注册成功。请完善基本信息并选择工作单位。"), "success")
            return redirect(url_for("me.index"))
    return render_template("register_person.html", form=form)


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def activate():
    """激活账号: a person their unit registered (本单位人员导入) sets a password with the 激活码
    sent to them; one answer for a wrong number or code."""
    form = ActivationForm()
    if send_code_pressed():
        if form.id_number.validate(form):
            with limiter.limit(SMS_CODE_LIMIT, scope="sms-code"):
                roster.invite_again(form.id_number.data)
                db.session.commit()
            flash(_("如该身份证号已由单位登记且尚未激活，激活码已发送至登记的手机号码，7天内有效。"),
                  "success")
    elif form.validate_on_submit():
        try:
            account = roster.activate(form.id_number.data, form.code.data, form.password.data)
        except verification.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors = [*form.code.errors, str(error)]
        except accounts.WeakPassword as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(error)]
        else:
            start_session(account)
            db.session.commit()
            flash(_("账号已激活。请核对基本信息后提交单位审核。"), "success")
            return redirect(url_for("me.index"))
    return render_template("activate.html", form=form)


@bp.route("/forgot/<slug>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot_password(slug):
    """忘记密码 on the sign-in pages of the roles with a mobile on record (unit, applicant)."""
    area = area_by_slug(slug)
    if area is None or area.role not in accounts.MOBILE_ON_RECORD:
        abort(404)
    form = ForgotPasswordForm()
    form.username.label.text = area.username_label
    if send_code_pressed():
        if form.username.validate(form):
            send_code(form, form.mobile, CodePurpose.RESET_PASSWORD,
                      account_for=lambda mobile: accounts.account_with_mobile(
                          area.role, form.username.data, mobile))
    elif form.validate_on_submit():
        try:
            accounts.reset_password_by_code(
                role=area.role, username=form.username.data, mobile=form.mobile.data,
                code=form.code.data, password=form.password.data)
        except verification.CodeRefused as error:
            db.session.commit()  # the try counts
            form.code.errors = [*form.code.errors, str(error)]
        except accounts.WeakPassword as error:
            db.session.rollback()  # the code stays usable with another password
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            flash(_("密码已重置，请使用新密码登录。"), "success")
            return redirect(url_for("auth.login", slug=slug))
    return render_template("forgot_password.html", form=form, area=area)


@bp.route("/logout", methods=["POST"])
def logout():
    role = current_user.role if current_user.is_authenticated else None
    officer = current_user.is_authenticated and current_user.is_officer
    if role is not None:
        # Every session of the account ends, copies of this cookie included.
        accounts.end_sessions(current_user)
        db.session.commit()
    logout_user()
    fresh_session()
    flash(_("您已安全退出。"), "success")
    if role is not None:
        slug = OFFICER_SIGN_IN.login_slug if officer else area_for(role).login_slug
        return redirect(url_for("auth.login", slug=slug))
    return redirect(url_for("auth.home"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_return_path(request.form.get("next"), url_for("auth.home")))


def password_url(role: Role) -> str:
    return url_for(f"{area_for(role).endpoint}_password.index")


# What an account whose password was reset may still open before choosing a new one.
OPEN_BEFORE_CHANGE = {"auth.logout", "auth.set_language", "auth.favicon", "static"}


def require_password_change():
    """After an admin's reset, every page leads to 修改密码 until a new password is chosen."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_BEFORE_CHANGE or endpoint.endswith(".static"):
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    target = password_url(current_user.role)
    if request.path == target:
        return None
    return redirect(target)


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.before_request(require_password_change)
