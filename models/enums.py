"""Status and choice values. Codes are stored; labels are the words of the real platform."""
from .base import LabeledEnum


class Role(LabeledEnum):
    PLATFORM_ADMIN = ("platform_admin", "平台管理员")
    EMPLOYER = ("employer", "用人单位")
    APPLICANT = ("applicant", "申报人")
    ACCEPTANCE = ("acceptance", "受理点")


class AuthorizationStatus(LabeledEnum):
    NONE = ("none", "未提交")
    PENDING = ("pending", "待审核")
    APPROVED = ("approved", "审核通过")
    REJECTED = ("rejected", "审核未通过")


class ReviewStatus(LabeledEnum):
    """Archive items and the applicant's basic information."""

    DRAFT = ("draft", "草稿")
    PENDING = ("pending", "待审核")
    APPROVED = ("approved", "审核通过")
    RETURNED = ("returned", "退回修改")
    REJECTED = ("rejected", "审核未通过")


class ApplicationStatus(LabeledEnum):
    DRAFT = ("draft", "草稿")
    PENDING = ("pending", "待审核")
    RETURNED = ("returned", "退回修改")
    APPROVED = ("approved", "审核通过")
    REJECTED = ("rejected", "审核未通过")
    PUBLICIZING = ("publicizing", "公示中")
    PUBLICIZED = ("publicized", "公示期满")
    RECOMMENDED = ("recommended", "已推荐")
    ACCEPTED = ("accepted", "已受理")
    ACCEPTANCE_RETURNED = ("acceptance_returned", "受理点退回")
    NOT_RECOMMENDED = ("not_recommended", "不予推荐")


class Holder(LabeledEnum):
    """Who holds an application now (待审机构)."""

    APPLICANT = ("applicant", "本人")
    UNIT = ("unit", "单位")
    ACCEPTANCE = ("acceptance", "受理点")
    NONE = ("none", "—")


class ArchiveCategory(LabeledEnum):
    EDUCATION = ("education", "教育经历")
    WORK = ("work", "工作经历")
    ASSESSMENT = ("assessment", "考核情况")
    CONTINUING_EDUCATION = ("continuing_education", "继续教育")
    PAPER = ("paper", "论文论著")
    AWARD = ("award", "获奖")
    PROJECT = ("project", "项目课题")
    PATENT = ("patent", "专利")
    CERTIFICATE = ("certificate", "资格证书")
    OTHER = ("other", "其他")

    @property
    def mandatory(self) -> bool:
        return self in MANDATORY_CATEGORIES


MANDATORY_CATEGORIES = (ArchiveCategory.EDUCATION, ArchiveCategory.WORK, ArchiveCategory.ASSESSMENT)


def category_order(column):
    """An ORDER BY term listing categories as the platform does (教育经历 first), not by code."""
    import sqlalchemy as sa

    return sa.case({category.value: position for position, category in
                    enumerate(ArchiveCategory)}, value=column, else_=len(ArchiveCategory))


class TitleLevel(LabeledEnum):
    JUNIOR = ("junior", "初级")
    INTERMEDIATE = ("intermediate", "中级")
    SUB_SENIOR = ("sub_senior", "副高级")
    SENIOR = ("senior", "正高级")


class ReviewMethod(LabeledEnum):
    REVIEW = ("review", "评审")
    RECOGNITION = ("recognition", "认定")


class Sex(LabeledEnum):
    MALE = ("male", "男")
    FEMALE = ("female", "女")


class ObjectionStatus(LabeledEnum):
    OPEN = ("open", "待处理")
    UPHELD = ("upheld", "属实")
    DISMISSED = ("dismissed", "不属实")


class ObjectionOutcome(LabeledEnum):
    NOT_RECOMMENDED = ("not_recommended", "不予推荐")
    RETURNED = ("returned", "退回修改")


class NotificationStatus(LabeledEnum):
    PENDING = ("pending", "待发送")
    SENT = ("sent", "已发送")
    FAILED = ("failed", "发送失败")


class OpinionKind(LabeledEnum):
    APPROVE = ("approve", "通过")
    RETURN = ("return", "退回修改")
    REJECT = ("reject", "不通过")
    RECOMMEND = ("recommend", "推荐意见")


class Subject(LabeledEnum):
    """What a review record (history row) is about."""

    AUTHORIZATION = ("authorization", "委托证明")
    PROFILE = ("profile", "基本信息")
    ARCHIVE_ITEM = ("archive_item", "业绩档案")
    APPLICATION = ("application", "职称申报")
    OBJECTION = ("objection", "异议")
