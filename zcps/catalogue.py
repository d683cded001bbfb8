"""The default title catalogue: common series, their specialties and qualification names."""
from models import (
    OpinionKind,
    OpinionTemplate,
    TitleLevel,
    TitleQualification,
    TitleSeries,
    TitleSpecialty,
)

from .extensions import db

J, M, S, P = TitleLevel.JUNIOR, TitleLevel.INTERMEDIATE, TitleLevel.SUB_SENIOR, TitleLevel.SENIOR

DEFAULT_CATALOGUE = [
    ("工程", ["电子信息", "机械", "建筑", "土木工程", "计算机应用", "环境保护"],
     [(J, "助理工程师"), (M, "工程师"), (S, "高级工程师"), (P, "正高级工程师")]),
    ("卫生", ["临床医学", "护理", "药学", "医学检验"],
     [(J, "医师"), (M, "主治医师"), (S, "副主任医师"), (P, "主任医师")]),
    ("中小学教师", ["语文", "数学", "英语", "物理"],
     [(J, "二级教师"), (M, "一级教师"), (S, "高级教师"), (P, "正高级教师")]),
    ("高校教师", ["工学", "理学", "经济学", "管理学"],
     [(J, "助教"), (M, "讲师"), (S, "副教授"), (P, "教授")]),
    ("经济", ["工商管理", "金融", "人力资源管理", "财政税收"],
     [(J, "助理经济师"), (M, "经济师"), (S, "高级经济师"), (P, "正高级经济师")]),
    ("会计", ["会计"],
     [(J, "助理会计师"), (M, "会计师"), (S, "高级会计师"), (P, "正高级会计师")]),
    ("农业", ["农学", "园艺", "植物保护", "畜牧兽医"],
     [(J, "助理农艺师"), (M, "农艺师"), (S, "高级农艺师"), (P, "正高级农艺师")]),
    ("工艺美术", ["陶瓷", "雕刻", "织绣", "工艺设计"],
     [(J, "助理工艺美术师"), (M, "工艺美术师"), (S, "高级工艺美术师"),
      (P, "正高级工艺美术师")]),
]


def seed_catalogue() -> int:
    """Add the default series to an empty catalogue; returns how many series were added.

    Once the platform admin keeps the catalogue, a series the admin removed or renamed is
    not brought back.
    """
    existing = set(db.session.scalars(db.select(TitleSeries.name)))
    if existing:
        return 0
    added = 0
    for order, (series_name, specialties, qualifications) in enumerate(DEFAULT_CATALOGUE, 1):
        if series_name in existing:
            continue
        series = TitleSeries(name=series_name, sort_order=order * 10)
        db.session.add(series)
        for position, name in enumerate(specialties, 1):
            series.specialties.append(TitleSpecialty(name=name, sort_order=position))
        for position, (level, name) in enumerate(qualifications, 1):
            series.qualifications.append(
                TitleQualification(level=level, name=name, sort_order=position)
            )
        added += 1
    return added


DEFAULT_OPINIONS = [
    (OpinionKind.APPROVE, "经审核，{姓名}同志符合{资格名称}任职资格申报条件，申报材料完整无误，同意推荐。"),
    (OpinionKind.APPROVE, "经审核，{姓名}同志申报材料真实、完整，符合申报条件，同意上报。"),
    (OpinionKind.RETURN, "申报材料不完整，请按审核意见补充修改后重新提交。"),
    (OpinionKind.RETURN, "部分业绩证明材料不清晰，请重新上传后提交。"),
    (OpinionKind.REJECT, "经审核，{姓名}同志不符合{资格名称}任职资格申报条件。"),
    (OpinionKind.RECOMMEND, "{姓名}同志的申报材料已于{公示开始日期}至{公示结束日期}在本单位公示"
                            "{公示工作日}个工作日，无异议，同意推荐。"),
    (OpinionKind.RECOMMEND, "经公示（{公示开始日期}至{公示结束日期}）无异议，{单位名称}同意推荐"
                            "{姓名}同志申报{资格名称}任职资格。"),
]


def seed_opinion_templates() -> int:
    """The platform's shared opinion sentences, for each kind that has none yet."""
    present = set(db.session.scalars(db.select(OpinionTemplate.kind).where(
        OpinionTemplate.unit_id.is_(None)).distinct()))
    added = 0
    for order, (kind, text) in enumerate(DEFAULT_OPINIONS, 1):
        if kind not in present:
            db.session.add(OpinionTemplate(unit_id=None, kind=kind, text=text, sort_order=order))
            added += 1
    return added


# What an application was submitted with stays as it was: a qualification applications use keeps
# its series, level and name (the admin deactivates it and adds a new one instead).
FIXED_WHEN_USED = ("series", "series_id", "level", "name")


def qualification_change_refusal(qualification: TitleQualification) -> str | None:
    """Why this edit of ``qualification`` cannot be saved, or None. Called before the edit is
    flushed (the changes are read from the session's attribute history)."""
    import sqlalchemy as sa
    from flask_babel import gettext as _

    from models import Application

    if qualification.id is None:
        return None
    state = sa.inspect(qualification)
    if not any(state.attrs[name].history.has_changes() for name in FIXED_WHEN_USED):
        return None
    with db.session.no_autoflush:
        used = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
            Application.qualification_id == qualification.id))
        name = state.attrs.name.history.deleted or [qualification.name]
    if not used:
        return None
    return _("「%(name)s」已有%(count)s份申报使用，其申报系列、申报级别和资格名称不能修改，"
             "以免改变申报提交时的内容。如需调整，请停用此项并新增资格名称。",
             name=name[0], count=used)
