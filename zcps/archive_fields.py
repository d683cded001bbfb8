"""What a reviewer needs to see for each archive category, and the form that asks for it.

Keys ``title``, ``organisation``, ``start_date`` and ``end_date`` are columns of ArchiveItem;
every other key is kept in ``ArchiveItem.details``.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import ArchiveCategory as C

COLUMNS = ("title", "organisation", "start_date", "end_date")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text, date, int, choice, textarea
    required: bool = False
    choices: tuple = field(default_factory=tuple)


DEGREES = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "其他")
AWARD_LEVELS = ("国家级", "省部级", "市厅级", "县区级", "其他")

SCHEMA = {
    C.EDUCATION: (Field("title", "毕业学校", required=True), Field("major", "所学专业", required=True),
                  Field("degree", "学历", "choice", True, DEGREES),
                  Field("start_date", "入学时间", "date"),
                  Field("end_date", "毕业时间", "date", True)),
    C.WORK: (Field("title", "工作单位", required=True), Field("position", "岗位/职务", required=True),
             Field("start_date", "开始时间", "date", True), Field("end_date", "结束时间", "date")),
    C.ASSESSMENT: (Field("year", "考核年度", "int", True),
                   Field("result", "考核结果", "choice", True, ("优秀", "合格", "基本合格", "不合格")),
                   Field("organisation", "考核单位")),
    C.CONTINUING_EDUCATION: (Field("title", "培训项目", required=True),
                             Field("organisation", "培训机构"),
                             Field("hours", "学时", "int", True),
                             Field("start_date", "开始时间", "date"),
                             Field("end_date", "结束时间", "date")),
    C.PAPER: (Field("title", "论文/论著题目", required=True),
              Field("organisation", "刊物/出版社", required=True),
              Field("start_date", "发表时间", "date", True),
              Field("author_rank", "作者排名", "int", True),
              Field("issn", "刊号/书号")),
    C.AWARD: (Field("title", "奖项名称", required=True),
              Field("level", "奖项级别", "choice", True, AWARD_LEVELS),
              Field("organisation", "授奖单位", required=True),
              Field("start_date", "获奖时间", "date", True), Field("rank", "本人排名", "int", True)),
    C.PROJECT: (Field("title", "项目名称", required=True), Field("organisation", "项目来源"),
                Field("role", "本人角色", required=True), Field("start_date", "开始时间", "date"),
                Field("end_date", "结束时间", "date")),
    C.PATENT: (Field("title", "专利名称", required=True), Field("patent_no", "专利号", required=True),
               Field("patent_type", "专利类型", "choice", True, ("发明", "实用新型", "外观设计")),
               Field("start_date", "授权时间", "date", True), Field("rank", "本人排名", "int")),
    C.CERTIFICATE: (Field("title", "证书名称", required=True), Field("number", "证书编号"),
                    Field("organisation", "发证机关"), Field("start_date", "取得时间", "date", True)),
    C.OTHER: (Field("title", "名称", required=True), Field("description", "说明", "textarea"),
              Field("start_date", "时间", "date")),
}


def _wtforms_field(spec: Field):
    check = [DataRequired(message=f"请填写{spec.label}。")] if spec.required else [Optional()]
    if spec.kind == "date":
        return DateField(spec.label, validators=check)
    if spec.kind == "int":
        return IntegerField(spec.label, validators=[*check, NumberRange(
            min=1, max=9999, message=f"{spec.label}应为正整数。")])
    if spec.kind == "choice":
        return SelectField(spec.label, choices=[("", "请选择")] + [(c, c) for c in spec.choices],
                           validators=[DataRequired(message=f"请选择{spec.label}。")]
                           if spec.required else [Optional()])
    if spec.kind == "textarea":
        return TextAreaField(spec.label, validators=[*check, Length(max=2000)])
    return StringField(spec.label, filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[*check, Length(max=300, message=f"{spec.label}过长。")])


def item_form_class(category: C):
    fields = {spec.key: _wtforms_field(spec) for spec in SCHEMA[category]}
    fields["attachment"] = FileField("附件（PDF，可选）")
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
    """One line of the category-specific fields, for lists and the publicity table."""
    parts = []
    for spec in SCHEMA[category]:
        if spec.key in COLUMNS or spec.key not in (details or {}):
            continue
        value = details[spec.key]
        if value not in (None, ""):
            parts.append(f"{spec.label}：{value}")
    return "；".join(parts)
