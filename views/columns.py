"""Column labels and formatters shared by the areas' views."""
from zcps.identifiers import mask_id_number, mask_mobile

from .base import status_formatter

APPLICANT_LABELS = {
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期",
    "mobile": "手机号码", "unit": "工作单位", "highest_education": "最高学历",
    "current_title": "现专业技术职务", "current_title_date": "取得时间",
    "profile_status": "基本信息状态", "profile_remark": "审核意见",
}

ARCHIVE_ITEM_LABELS = {
    "applicant": "姓名", "applicant.name": "姓名", "category": "类别", "title": "名称",
    "organisation": "单位/机构", "start_date": "开始日期", "end_date": "结束日期",
    "status": "状态", "submitted_at": "提交时间", "reviewed_at": "审核时间", "remark": "审核意见",
}

APPLICATION_LABELS = {
    "applicant": "姓名", "applicant.name": "姓名", "year": "年度", "series": "申报系列",
    "specialty": "申报专业", "level": "申报级别", "qualification": "资格名称",
    "review_method": "评审方式", "current_title": "现专业技术职务", "status": "状态",
    "holder": "待审机构", "submitted_at": "提交时间", "decided_at": "审核时间",
    "opinion": "审核意见", "unit": "工作单位", "acceptance_point": "受理点",
    "recommendation_opinion": "推荐意见", "recommended_at": "推荐时间",
}


def masked_id(view, context, model, name):
    return mask_id_number(model.id_number)


def masked_mobile(view, context, model, name):
    return mask_mobile(model.mobile)


def holder_label(view, context, model, name):
    return model.holder.label


STATUS_FORMATTERS = {
    "status": status_formatter("status"),
    "profile_status": status_formatter("profile_status"),
}
