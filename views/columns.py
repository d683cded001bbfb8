"""Column labels and formatters shared by the areas' views."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext
from flask_login import current_user
from markupsafe import Markup

from models import Application
from zcps.archive_fields import DEGREES
from zcps.i18n import aside, choice_label
from zcps.identifiers import mask_id_number, mask_mobile
from zcps.plans import waited_days
from zcps.templating import status_badge

APPLICANT_LABELS = {
    "name": _l("姓名"), "id_number": _l("身份证号"), "sex": _l("性别"), "birth_date": _l("出生日期"),
    "mobile": _l("手机号码"), "unit": _l("工作单位"), "highest_education": _l("最高学历"),
    "current_title": _l("现专业技术职务"), "current_title_date": _l("取得时间"),
    "profile_status": _l("基本信息状态"), "profile_remark": _l("审核意见"),
}

ARCHIVE_ITEM_LABELS = {
    "applicant": _l("姓名"), "applicant.name": _l("姓名"), "category": _l("类别"), "title": _l("名称"),
    "organisation": _l("单位/机构"), "start_date": _l("开始日期"), "end_date": _l("结束日期"),
    "status": _l("状态"), "submitted_at": _l("提交时间"), "reviewed_at": _l("审核时间"), "remark": _l("审核意见"),
}

APPLICATION_LABELS = {
    "applicant": _l("姓名"), "applicant.name": _l("姓名"), "applicant.id_number": _l("身份证号"),
    "unit.name": _l("工作单位"), "year": _l("年度"), "series": _l("申报系列"),
    "specialty": _l("申报专业"), "level": _l("申报级别"), "qualification": _l("资格名称"),
    "review_method": _l("评审方式"), "current_title": _l("现专业技术职务"), "status": _l("状态"),
    "holder": _l("待审机构"), "submitted_at": _l("提交时间"), "decided_at": _l("审核时间"),
    "opinion": _l("审核意见"), "unit": _l("工作单位"), "acceptance_point": _l("受理点"),
    "recommendation_opinion": _l("推荐意见"), "recommended_at": _l("推荐时间"),
}


def person_link(url: str, person) -> Markup:
    """A person's name linking to ``url``, marked （本人） for the officer who is that person:
    someone else must decide on their records."""
    link = Markup('<a href="{}">{}</a>').format(url, person.name)
    if current_user.is_authenticated and current_user.is_person(person.id_number):
        link += Markup(' <span class="badge badge-warning" data-testid="own-record">{}</span>'
                       ).format(aside(pgettext("officer", "本人")))
    return link


def masked_id(view, context, model, name):
    return mask_id_number(model.id_number)


def masked_mobile(view, context, model, name):
    return mask_mobile(model.mobile)


def education_label(view, context, model, name):
    """最高学历 is stored as the Chinese word and shown in the reader's language."""
    return choice_label(DEGREES, model.highest_education)


def status_formatter(attribute):
    return lambda view, context, model, name: status_badge(getattr(model, attribute))


# 已等待N天: a list column any view adds by saying since when its rows wait (views/base.py).
WAITED = "waited"
WAITED_LABEL = _l("已等待")


def waited(view, context, model, name):
    """Beijing calendar days since ``model.waiting_since``; — for a row that waits for nobody."""
    days = waited_days(model.waiting_since)
    return "—" if days is None else ngettext("%(num)s天", "%(num)s天", days)


def application_waiting_since(statuses):
    """When an application entered its status, while that status waits for the reader."""
    return sa.case((Application.status.in_(statuses), Application.status_since))


def holder_label(view, context, model, name):
    return model.holder.label


STATUS_FORMATTERS = {
    "status": status_formatter("status"),
    "profile_status": status_formatter("profile_status"),
}
