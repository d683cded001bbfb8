"""What a reviewer needs to see for each archive category, and the form that asks for it.

Keys ``title``, ``organisation``, ``start_date`` and ``end_date`` are columns of ArchiveItem;
every other key is kept in ``ArchiveItem.details``.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import ArchiveCategory as C

from .i18n import choice_label, colon_text, stored_choices

COLUMNS = ("title", "organisation", "start_date", "end_date")


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # a lazy string: shown in the reader's language
    kind: str = "text"  # text, date, int, choice, textarea
    required: bool = False
    # (stored value, label): the value is the Chinese word, whatever the reader's language.
    choices: tuple = field(default_factory=tuple)


DEGREES = stored_choices(_l("博士研究生"), _l("硕士研究生"), _l("大学本科"), _l("大学专科"),
                         _l("中专"), _l("其他"))
AWARD_LEVELS = stored_choices(_l("国家级"), _l("省部级"), _l("市厅级"), _l("县区级"), _l("其他"))
ASSESSMENT_RESULTS = stored_choices(_l("优秀"), _l("合格"), _l("基本合格"), _l("不合格"))
PATENT_TYPES = stored_choices(_l("发明"), _l("实用新型"), _l("外观设计"))

SCHEMA = {
    C.EDUCATION: (Field("title", _l("毕业学校"), required=True), Field("major", _l("所学专业"), required=True),
                  Field("degree", _l("学历"), "choice", True, DEGREES),
                  Field("start_date", _l("入学时间"), "date"),
                  Field("end_date", _l("毕业时间"), "date", True)),
    C.WORK: (Field("title", _l("工作单位"), required=True), Field("position", _l("岗位/职务"), required=True),
             Field("start_date", _l("开始时间"), "date", True), Field("end_date", _l("结束时间"), "date")),
    C.ASSESSMENT: (Field("year", _l("考核年度"), "int", True),
                   Field("result", _l("考核结果"), "choice", True, ASSESSMENT_RESULTS),
                   Field("organisation", _l("考核单位"))),
    C.CONTINUING_EDUCATION: (Field("title", _l("培训项目"), required=True),
                             Field("organisation", _l("培训机构")),
                             Field("hours", _l("学时"), "int", True),
                             Field("start_date", _l("开始时间"), "date"),
                             Field("end_date", _l("结束时间"), "date")),
    C.PAPER: (Field("title", _l("论文/论著题目"), required=True),
              Field("organisation", _l("刊物/出版社"), required=True),
              Field("start_date", _l("发表时间"), "date", True),
              Field("author_rank", _l("作者排名"), "int", True),
              Field("issn", _l("刊号/书号"))),
    C.AWARD: (Field("title", _l("奖项名称"), required=True),
              Field("level", _l("奖项级别"), "choice", True, AWARD_LEVELS),
              Field("organisation", _l("授奖单位"), required=True),
              Field("start_date", _l("获奖时间"), "date", True), Field("rank", _l("本人排名"), "int", True)),
    C.PROJECT: (Field("title", _l("项目名称"), required=True), Field("organisation", _l("项目来源")),
                Field("role", _l("本人角色"), required=True), Field("start_date", _l("开始时间"), "date"),
                Field("end_date", _l("结束时间"), "date")),
    C.PATENT: (Field("title", _l("专利名称"), required=True), Field("patent_no", _l("专利号"), required=True),
               Field("patent_type", _l("专利类型"), "choice", True, PATENT_TYPES),
               Field("start_date", _l("授权时间"), "date", True), Field("rank", _l("本人排名"), "int")),
    C.CERTIFICATE: (Field("title", _l("证书名称"), required=True), Field("number", _l("证书编号")),
                    Field("organisation", _l("发证机关")), Field("start_date", _l("取得时间"), "date", True)),
    C.OTHER: (Field("title", _l("名称"), required=True), Field("description", _l("说明"), "textarea"),
              Field("start_date", _l("时间"), "date")),
}


def _wtforms_field(spec: Field):
    check = ([DataRequired(message=_l("请填写%(field)s。", field=spec.label))] if spec.required
             else [Optional()])
    if spec.kind == "date":
        return DateField(spec.label, validators=check)
    if spec.kind == "int":
        return IntegerField(spec.label, validators=[*check, NumberRange(
            min=1, max=9999, message=_l("%(field)s应为正整数。", field=spec.label))])
    if spec.kind == "choice":
        return SelectField(spec.label, choices=[("", _l("请选择")), *spec.choices],
                           validators=[DataRequired(message=_l("请选择%(field)s。", field=spec.label))]
                           if spec.required else [Optional()])
    if spec.kind == "textarea":
        return TextAreaField(spec.label, validators=[*check, Length(max=2000)])
    return StringField(spec.label, filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[*check, Length(max=300, message=_l("%(field)s过长。",
                                                                        field=spec.label))])


def item_form_class(category: C):
    fields = {spec.key: _wtforms_field(spec) for spec in SCHEMA[category]}
    fields["attachment"] = FileField(_l("附件（PDF，可选）"))
    return type(f"{category.name.title()}Form", (FlaskForm,), fields)


def form_values(item) -> dict:
    """Current values of an item, keyed like its form."""
    values = {}
    for spec in SCHEMA[item.category]:
        if spec.key in COLUMNS:
            values[spec.key] = getattr(item, spec.key)
        else:
            raw = (item.details or {}).get(spec.key)
            if spec.kind == "date" and raw:
                raw = date.fromisoformat(raw)
            values[spec.key] = raw
    return values


def item_fields(category: C, form) -> dict:
    """The columns and ``details`` to store from a validated form."""
    result = {"details": {}}
    for spec in SCHEMA[category]:
        value = form[spec.key].data
        if spec.key in COLUMNS:
            result[spec.key] = value if value not in ("",) else None
        else:
            result["details"][spec.key] = value.isoformat() if isinstance(value, date) else value
    if "title" not in result:
        # Items without a name of their own (考核情况) are titled from their fields.
        details = result["details"]
        result["title"] = f"{details.get('year')}年度考核 {details.get('result')}"
    result.setdefault("organisation", "")
    result["organisation"] = result["organisation"] or ""
    return result


def summary(category: C, details: dict) -> str:
    """One line of the category-specific fields, for lists and exports, in the reader's
    language (a chosen value by its label, what was typed as it is)."""
    parts = []
    for spec in SCHEMA[category]:
        if spec.key in COLUMNS or spec.key not in (details or {}):
            continue
        value = details[spec.key]
        if value not in (None, ""):
            if spec.choices:
                value = choice_label(spec.choices, value)
            parts.append(f"{colon_text(spec.label)}{value}")
    return _("；").join(parts)
