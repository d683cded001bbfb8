"""Forms of the plain (non-list) pages, with the platform's field labels and messages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from . import passwords
from .documents import unprintable_characters
from .identifiers import IdentifierError, clean_id_number, clean_mobile, clean_uscc


def cleaned_by(cleaner):
    """A validator that checks the field with ``cleaner`` and keeps its normalized value."""

    def validate(form, field):
        try:
            field.data = cleaner(field.data)
        except IdentifierError as error:
            raise ValidationError(str(error)) from None

    validate.refuses_empty = True  # every cleaner refuses an empty value: marked 必填
    return validate


def printable(form, field):
    """Refuses text the documents' font cannot print (a character beyond the basic plane such
    as 𬌗, or a rare one outside GBK): the 委托证明 and other PDFs would show it blank."""
    bad = unprintable_characters(field.data if isinstance(field.data, str) else "")
    if bad:
        raise ValidationError(_l(
            "“%(chars)s”是生僻字，打印的证明材料中无法显示，请改用通用写法（如以同音常用字代替）；"
            "确需使用的，请联系平台管理员。", chars="、".join(bad)))


def required(what):
    return DataRequired(message=_l("请填写%(field)s。", field=what))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def policy_password(*identifier_fields):
    """The password policy (zcps/passwords.py), with what the form's other fields say about the
    account (its USCC or 身份证号, its mobile) as identifiers it may not contain."""

    def validate(form, field):
        identifiers = [form[name].data if isinstance(form[name].data, str) else ""
                       for name in identifier_fields]
        reason = passwords.problem(field.data or "", identifiers)
        if reason is not None:
            raise ValidationError(reason)

    validate.refuses_empty = True  # an empty password breaks the policy: marked 必填
    return validate


def sms_code_field():
    return StringField(_l("短信验证码"), filters=[strip], validators=[
        required(_l("短信验证码")), Length(max=6, message=_l("短信验证码为6位数字。"))])


class UnitRegistrationForm(FlaskForm):
    name = StringField(_l("单位名称"), filters=[strip],
                       validators=[required(_l("单位名称")), Length(max=200, message=_l("单位名称过长。")),
                                   printable])
    uscc = StringField(_l("统一社会信用代码"), validators=[cleaned_by(clean_uscc)])
    legal_representative = StringField(
        _l("法定代表人"), filters=[strip],
        validators=[required(_l("法定代表人")), Length(max=50, message=_l("法定代表人姓名过长。")),
                    printable])
    address = StringField(_l("单位地址"), filters=[strip],
                          validators=[required(_l("单位地址")), Length(max=300, message=_l("单位地址过长。")),
                                      printable])
    contact_name = StringField(_l("联系人"), filters=[strip],
                               validators=[required(_l("联系人")), Length(max=50, message=_l("联系人姓名过长。"))])
    contact_mobile = StringField(_l("手机号码"), validators=[cleaned_by(clean_mobile)])
    code = sms_code_field()
    password = PasswordField(_l("密码"), validators=[policy_password("uscc", "contact_mobile")])
    confirm = PasswordField(_l("确认密码"), validators=[
        required(_l("确认密码")), EqualTo("password", message=_l("两次输入的密码不一致。"))])


class ApplicantRegistrationForm(FlaskForm):
    name = StringField(_l("姓名"), filters=[strip],
                       validators=[required(_l("姓名")), Length(max=50, message=_l("姓名过长。")),
                                   printable])
    id_number = StringField(_l("身份证号"), validators=[cleaned_by(clean_id_number)])
    mobile = StringField(_l("手机号码"), validators=[cleaned_by(clean_mobile)])
    code = sms_code_field()
    password = PasswordField(_l("密码"), validators=[policy_password("id_number", "mobile")])
    confirm = PasswordField(_l("确认密码"), validators=[
        required(_l("确认密码")), EqualTo("password", message=_l("两次输入的密码不一致。"))])


class ForgotPasswordForm(FlaskForm):
    username = StringField(_l("账号"), filters=[strip], validators=[
        required(_l("账号")), Length(max=64, message=_l("账号过长。"))])
    mobile = StringField(_l("手机号码"), validators=[cleaned_by(clean_mobile)])
    code = sms_code_field()
    password = PasswordField(_l("新密码"), validators=[policy_password("username", "mobile")])
    confirm = PasswordField(_l("确认密码"), validators=[
        required(_l("确认密码")), EqualTo("password", message=_l("两次输入的密码不一致。"))])


class ActivationForm(FlaskForm):
    """激活账号: someone their unit registered sets a password with the 激活码 sent to them."""

    id_number = StringField(_l("身份证号"), validators=[cleaned_by(clean_id_number)])
    code = StringField(_l("激活码"), filters=[strip], validators=[
        required(_l("激活码")), Length(max=6, message=_l("激活码为6位数字。"))])
    password = PasswordField(_l("密码"), validators=[policy_password("id_number")])
    confirm = PasswordField(_l("确认密码"), validators=[
        required(_l("确认密码")), EqualTo("password", message=_l("两次输入的密码不一致。"))])


class AuthorizationForm(FlaskForm):
    officer_name = StringField(_l("经办人姓名"), filters=[strip], validators=[
        required(_l("经办人姓名")), Length(max=50, message=_l("经办人姓名过长。")), printable])
    officer_id_number = StringField(_l("经办人身份证号"), validators=[cleaned_by(clean_id_number)])
    officer_mobile = StringField(_l("经办人手机号码"), validators=[cleaned_by(clean_mobile)])
    scan = FileField(_l("盖章后的委托证明（PDF）"))


class UnitChangeForm(FlaskForm):
    """单位信息变更: the new values (prefilled with the current ones), why, and the proof."""

    name = StringField(_l("单位名称"), filters=[strip], validators=[
        required(_l("单位名称")), Length(max=200, message=_l("单位名称过长。"))])
    address = StringField(_l("单位地址"), filters=[strip], validators=[
        required(_l("单位地址")), Length(max=300, message=_l("单位地址过长。"))])
    legal_representative = StringField(_l("法定代表人"), filters=[strip], validators=[
        required(_l("法定代表人")), Length(max=50, message=_l("法定代表人姓名过长。"))])
    contact_name = StringField(_l("联系人"), filters=[strip], validators=[
        required(_l("联系人")), Length(max=50, message=_l("联系人姓名过长。"))])
    contact_mobile = StringField(_l("手机号码"), validators=[cleaned_by(clean_mobile)])
    reason = TextAreaField(_l("变更原因"), filters=[strip], validators=[
        required(_l("变更原因")), Length(max=1000, message=_l("变更原因不超过1000字。"))])
    proof = FileField(_l("变更证明材料（PDF）"))


class DecisionForm(FlaskForm):
    opinion = TextAreaField(_l("审核意见"), filters=[strip],
                            validators=[Length(max=1000, message=_l("审核意见不超过1000字。"))])


class ChangePasswordForm(FlaskForm):
    """修改密码: the current password, then the new one twice."""

    old_password = PasswordField(_l("原密码"), validators=[required(_l("原密码"))])
    new_password = PasswordField(_l("新密码"), validators=[required(_l("新密码"))],
                                 description=_l("至少8位，包含大写字母、小写字母、数字、符号中的三类，"
                                                "不能是常见密码，不能包含账号、身份证号或手机号码。"))
    confirm = PasswordField(_l("确认新密码"), validators=[
        required(_l("确认新密码")), EqualTo("new_password", message=_l("两次输入的新密码不一致。"))])
