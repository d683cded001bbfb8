"""Status and choice values. Codes are stored; labels are the words of the real platform."""
from flask_babel import lazy_gettext as _l

from .base import LabeledEnum


class Role(LabeledEnum):
    PLATFORM_ADMIN = ("platform_admin", _l("平台管理员"))
    EMPLOYER = ("employer", _l("用人单位"))
    APPLICANT = ("applicant", _l("申报人"))
    ACCEPTANCE = ("acceptance", _l("受理点"))


class AdminKind(LabeledEnum):
    """The three separated duties of platform administration (三员分立, 等保2.0)."""

    SYSTEM = ("system", _l("系统管理员"))
    SECURITY = ("security", _l("安全管理员"))
    AUDIT = ("audit", _l("审计管理员"))


class OfficerDuty(LabeledEnum):
    """What a unit's officer (经办人) may do; the unit's own account may do all of it."""

    ARCHIVE = ("archive_review", _l("业绩档案审核"))
    APPLICATION = ("application_review", _l("申报资料审核"))
    PUBLICITY = ("publicity", _l("信息公示与推荐"))
    UNIT_ADMIN = ("unit_admin", _l("单位管理"))


class AuthorizationStatus(LabeledEnum):
    NONE = ("none", _l("未提交"))
    PENDING = ("pending", _l("待审核"))
    APPROVED = ("approved", _l("审核通过"))
    REJECTED = ("rejected", _l("审核未通过"))


class ReviewStatus(LabeledEnum):
    """Archive items and the applicant's basic information."""

    DRAFT = ("draft", _l("草稿"))
    PENDING = ("pending", _l("待审核"))
    APPROVED = ("approved", _l("审核通过"))
    RETURNED = ("returned", _l("退回修改"))
    REJECTED = ("rejected", _l("审核未通过"))


class ApplicationStatus(LabeledEnum):
    DRAFT = ("draft", _l("草稿"))
    PENDING = ("pending", _l("待审核"))
    RETURNED = ("returned", _l("退回修改"))
    APPROVED = ("approved", _l("审核通过"))
    REJECTED = ("rejected", _l("审核未通过"))
    PUBLICIZING = ("publicizing", _l("公示中"))
    PUBLICIZED = ("publicized", _l("公示期满"))
    RECOMMENDED = ("recommended", _l("已推荐"))
    ACCEPTED = ("accepted", _l("已受理"))
    ACCEPTANCE_RETURNED = ("acceptance_returned", _l("受理点退回"))
    # Returned to the unit by a reviewing level of its route (主管部门, 区县人社, 人事代理机构).
    ROUTE_RETURNED = ("route_returned", _l("审核机构退回"))
    NOT_RECOMMENDED = ("not_recommended", _l("不予推荐"))


class OrganisationKind(LabeledEnum):
    """What an organisation receiving recommendations is: the acceptance point (受理点) that
    takes them in, or a reviewing level of a unit's route that passes them on."""

    ACCEPTANCE = ("acceptance", _l("受理点"))
    DEPARTMENT = ("department", _l("主管部门"))
    COUNTY = ("county_hr", _l("区县人社"))
    AGENCY = ("agency", _l("人事代理机构"))


class RouteDecision(LabeledEnum):
    """What a stop of a recommendation's route decided."""

    PASSED = ("passed", _l("通过"))
    RETURNED = ("returned", _l("退回"))


class Holder(LabeledEnum):
    """Who holds an application now (待审机构)."""

    APPLICANT = ("applicant", _l("本人"))
    UNIT = ("unit", _l("单位"))
    ACCEPTANCE = ("acceptance", _l("受理点"))
    NONE = ("none", _l("—"))


class ArchiveCategory(LabeledEnum):
    EDUCATION = ("education", _l("教育经历"))
    WORK = ("work", _l("工作经历"))
    ASSESSMENT = ("assessment", _l("考核情况"))
    CONTINUING_EDUCATION = ("continuing_education", _l("继续教育"))
    PAPER = ("paper", _l("论文论著"))
    AWARD = ("award", _l("获奖"))
    PROJECT = ("project", _l("项目课题"))
    PATENT = ("patent", _l("专利"))
    CERTIFICATE = ("certificate", _l("资格证书"))
    OTHER = ("other", _l("其他"))

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
    JUNIOR = ("junior", _l("初级"))
    INTERMEDIATE = ("intermediate", _l("中级"))
    SUB_SENIOR = ("sub_senior", _l("副高级"))
    SENIOR = ("senior", _l("正高级"))


class ReviewMethod(LabeledEnum):
    REVIEW = ("review", _l("评审"))
    RECOGNITION = ("recognition", _l("认定"))


class Sex(LabeledEnum):
    MALE = ("male", _l("男"))
    FEMALE = ("female", _l("女"))


class ObjectionStatus(LabeledEnum):
    OPEN = ("open", _l("待处理"))
    UPHELD = ("upheld", _l("属实"))
    DISMISSED = ("dismissed", _l("不属实"))


class ObjectionOutcome(LabeledEnum):
    NOT_RECOMMENDED = ("not_recommended", _l("不予推荐"))
    RETURNED = ("returned", _l("退回修改"))


class NotificationStatus(LabeledEnum):
    PENDING = ("pending", _l("待发送"))
    SENDING = ("sending", _l("发送中"))
    SENT = ("sent", _l("已发送"))
    FAILED = ("failed", _l("发送失败"))


class OpinionKind(LabeledEnum):
    APPROVE = ("approve", _l("通过"))
    RETURN = ("return", _l("退回修改"))
    REJECT = ("reject", _l("不通过"))
    RECOMMEND = ("recommend", _l("推荐意见"))


class Subject(LabeledEnum):
    """What a review record (history row) is about."""

    AUTHORIZATION = ("authorization", _l("委托证明"))
    PROFILE = ("profile", _l("基本信息"))
    ARCHIVE_ITEM = ("archive_item", _l("业绩档案"))
    APPLICATION = ("application", _l("职称申报"))
    OBJECTION = ("objection", _l("异议"))


class Action(LabeledEnum):
    """What a step in a record's history (ReviewRecord.action) did."""

    CREATE = ("create", _l("创建"))
    SUBMIT = ("submit", _l("提交单位审核"))
    RESUBMIT = ("resubmit", _l("修改后重新提交"))
    CHANGE_UNIT = ("change_unit", _l("更换工作单位"))
    APPROVE = ("approve", _l("审核通过"))
    RETURN = ("return", _l("退回修改"))
    REJECT = ("reject", _l("审核不通过"))
    PUBLICIZE = ("publicize", _l("开始公示"))
    PUBLICITY_END = ("publicity_end", _l("公示期满"))
    # On the objection itself: recorded, then resolved one of three ways (the third is RETURN).
    RECORD_OBJECTION = ("record", _l("登记异议"))
    DISMISS_OBJECTION = ("dismiss", _l("异议不属实"))
    UPHOLD_OBJECTION = ("not_recommend", _l("异议属实，不予推荐"))
    # On the application an upheld objection ends or sends back.
    OBJECTION_UPHELD = ("objection_upheld", _l("异议属实，不予推荐"))
    OBJECTION_RETURN = ("objection_return", _l("异议属实，退回修改"))
    RECOMMEND = ("recommend", _l("资格审查推荐"))
    ACCEPT = ("accept", _l("受理点受理"))
    ACCEPTANCE_RETURN = ("acceptance_return", _l("受理点退回"))
    LEVEL_PASS = ("level_pass", _l("审核机构通过"))
    LEVEL_RETURN = ("level_return", _l("审核机构退回"))


class AuditAction(LabeledEnum):
    """What an audit log entry records."""

    SIGN_IN = ("sign_in", _l("登录"))
    SIGN_IN_FAILED = ("sign_in_failed", _l("登录失败"))
    REGISTER_UNIT = ("register_unit", _l("单位注册"))
    REGISTER_APPLICANT = ("register_applicant", _l("个人注册"))
    ACTIVATE_UNIT = ("activate_unit", _l("启用单位"))
    DEACTIVATE_UNIT = ("deactivate_unit", _l("停用单位"))
    RESET_PASSWORD = ("reset_password", _l("重置密码"))
    CHANGE_PASSWORD = ("change_password", _l("修改密码"))
    ACCOUNT_LOCKED = ("account_locked", _l("账号锁定"))
    ACCOUNT_UNLOCKED = ("account_unlocked", _l("解除锁定"))
    CREATE_ADMIN = ("create_admin", _l("创建管理员账号"))
    WORKDAY_CREATE = ("workday_create", _l("新增工作日历"))
    WORKDAY_UPDATE = ("workday_update", _l("修改工作日历"))
    WORKDAY_DELETE = ("workday_delete", _l("删除工作日历"))
    WORKDAY_BULK = ("workday_bulk", _l("批量录入工作日历"))
    PLAN_CREATE = ("plan_create", _l("新增评审计划"))
    PLAN_UPDATE = ("plan_update", _l("修改评审计划"))
    REMINDER = ("reminder", _l("截止提醒"))
    EXPORT = ("export", _l("导出数据"))
    RESET_PASSWORD_BY_SMS = ("reset_password_by_sms", _l("短信验证找回密码"))
    RELEASE_ID_NUMBER = ("release_id_number", _l("释放身份证号"))
    DECISION = ("decision", _l("审核决定"))
    ACTIVATE_ACCOUNT = ("activate_account", _l("启用账号"))
    DEACTIVATE_ACCOUNT = ("deactivate_account", _l("停用账号"))
    FILE_INTEGRITY = ("file_integrity", _l("文件校验失败"))
    ADD_OFFICER = ("add_officer", _l("新增经办人"))
    CHANGE_OFFICER = ("change_officer", _l("修改经办人"))
    UNIT_CHANGE_REQUEST = ("unit_change_request", _l("单位信息变更申请"))
    UNIT_CHANGE_DECISION = ("unit_change_decision", _l("单位信息变更审核"))
    ROSTER_IMPORT = ("roster_import", _l("导入本单位人员"))
    ACTIVATE_APPLICANT = ("activate_applicant", _l("激活账号"))
    ARCHIVE_AUDIT = ("archive_audit", _l("审计日志归档"))
    DOWNLOAD_AUDIT_ARCHIVE = ("download_audit_archive", _l("下载审计日志归档"))
    PRUNE_OUTBOX = ("prune_outbox", _l("清理短信发件箱"))


class CodePurpose(LabeledEnum):
    """What a 短信验证码 was sent for; a code serves only its own purpose."""

    REGISTER_UNIT = ("register_unit", _l("单位注册"))
    REGISTER_APPLICANT = ("register_applicant", _l("个人注册"))
    RESET_PASSWORD = ("reset_password", _l("找回密码"))
    CHANGE_MOBILE = ("change_mobile", _l("更换手机号码"))
    ACTIVATE = ("activate", _l("激活账号"))


class PlanStage(LabeledEnum):
    """A stage of a review plan, named by its deadline."""

    PERSONAL = ("personal", _l("个人申报截止"))
    UNIT = ("unit", _l("单位审核推荐截止"))
    ACCEPTANCE = ("acceptance", _l("受理截止"))


class PlanState(LabeledEnum):
    NOT_STARTED = ("not_started", _l("未开始"))
    OPEN = ("open", _l("申报中"))
    CLOSED = ("closed", _l("已截止"))
    ENDED = ("ended", _l("已结束"))
