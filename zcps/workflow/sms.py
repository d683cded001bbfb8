"""Every SMS the workflow sends: its template code and its Chinese text, in one table.

Messages go out in Chinese whatever language the person who acted reads the pages in, so the
values filled in are Chinese too (an enum's ``zh``, not its ``label``).
"""
import re
import unicodedata

from flask_babel import lazy_gettext as _l

from .. import notifications

SIGNATURE = "【浙江职称】"

# How much of each part users type goes into a text; any other part is cut at DEFAULT_LIMIT.
LIMITS = {"name": 20, "unit": 30, "point": 30, "title": 30, "item": 20, "plan": 30, "reason": 60}
DEFAULT_LIMIT = 40

# Full-width letters, digits and the punctuation of an address read as their ASCII selves.
_FOLD = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                          *range(0xFF41, 0xFF5B), 0xFF0E, 0xFF0F, 0xFF1A)}
_DOT = r"[.。｡]"
LINK = re.compile(
    r"[a-z][a-z0-9+.-]*://\S*"                                  # http://…, https://…, any scheme
    r"|www" + _DOT + r"\S*"                                     # www.…
    r"|\d{1,3}(?:" + _DOT + r"\d{1,3}){3}(?::\d+)?(?:/\S*)?"   # 10.0.0.1:8080/…
    r"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?" + _DOT + r")+[a-z]{2,}(?::\d+)?(?:/\S*)?",  # evil.cn/…
    re.IGNORECASE)


def clean(value, limit: int = DEFAULT_LIMIT) -> str:
    """A typed value fit for an SMS: no link, no control character or line break, no 【】 (the
    signature's brackets), and at most ``limit`` characters."""
    text = "".join(" " if char == "\t" else char for char in str(value)
                   if char == "\t" or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"))
    # Links are found on the folded copy and cut from the text itself (same positions), so the
    # text keeps its own full-width punctuation (「论文论著：…」).
    folded, kept, start = text.translate(_FOLD), [], 0
    for link in LINK.finditer(folded):
        kept.append(text[start:link.start()])
        start = link.end()
    text = ("".join(kept) + text[start:]).replace("【", "").replace("】", "")
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"


TEXTS = {
    # 短信验证码: nothing typed by anyone goes in.
    "verification_code": "您的短信验证码为{code}，{minutes}分钟内有效，仅用于{purpose}。请勿将验证码告诉他人。",
    # 授权审核
    "authorization_approved": "{unit}：您单位在职称申报评审管理服务平台提交的用人单位授权（委托证明）"
                              "已审核通过，现可登录平台办理职称申报审核、公示和推荐工作。",
    "authorization_rejected": "{unit}：您单位提交的用人单位授权（委托证明）未通过审核，原因：{reason}。"
                              "请登录平台修改后重新提交。",
    # 本单位人员导入: the invitation to activate the account the unit registered
    "roster_invitation": "{name}：{unit}已为您在职称申报评审管理服务平台登记，激活码{code}，"
                         "{days}天内有效。请在平台「个人登录」页点击「激活账号」，用身份证号和激活码设置密码。",
    # 经办人变更: a new 委托证明 of an authorized unit
    "officer_change_approved": "{unit}：您单位提交的经办人变更（新的委托证明）已审核通过。",
    "officer_change_rejected": "{unit}：您单位提交的经办人变更（新的委托证明）未通过审核，原因：{reason}。"
                               "单位授权不受影响，原经办人继续有效。",
    # 单位信息变更
    "unit_change_approved": "{unit}：您单位提交的单位信息变更申请已审核通过，平台上的单位信息已更新。",
    "unit_change_rejected": "{unit}：您单位提交的单位信息变更申请未通过审核，原因：{reason}。",
    # 业绩档案审核
    "profile_return": "{name}：您的基本信息被{unit}退回修改，请登录平台查看原因。",
    "profile_reject": "{name}：您的基本信息被{unit}审核不通过，请登录平台查看原因。",
    "archive_item_return": "{name}：您提交的业绩档案「{item}」被{unit}退回修改，请登录平台查看原因。",
    "archive_item_reject": "{name}：您提交的业绩档案「{item}」被{unit}审核不通过，请登录平台查看原因。",
    # 申报资料审核
    "application_approve": "{name}：您申报的{title}已通过{unit}审核，下一步将进行信息公示。",
    "application_return": "{name}：您申报的{title}被{unit}退回修改，请登录平台查看退回原因和需修改的内容。",
    "application_reject": "{name}：您申报的{title}未通过{unit}审核，请登录平台查看原因。",
    # 信息公示与异议
    "publicity_started": "{name}：您申报的{title}已在{unit}进行信息公示，公示期{period}。",
    "objection_upheld": "{name}：您申报的{title}经公示核查，{unit}决定不予推荐，原因：{reason}。",
    "objection_return": "{name}：您申报的{title}经公示核查被{unit}退回修改，请登录平台查看原因，修改后重新提交。",
    # 资格审查推荐与受理
    "recommended": "{name}：您申报的{title}已由{unit}推荐至{point}，请留意受理结果。",
    "accepted": "{name}：您申报的{title}已由{point}受理。",
    "accepted_unit": "{unit}：贵单位推荐的{name}（{title}）已由{point}受理。",
    "acceptance_returned": "{name}：您申报的{title}被{point}退回单位，单位将处理后重新推荐。",
    "acceptance_returned_unit": "{unit}：贵单位推荐的{name}（{title}）被{point}退回，原因：{reason}。"
                                "请登录平台处理后重新推荐。",
    # 评审计划
    "plan_deadline_changed": "{name}：{plan}的{stage}时间调整为{deadline}，请按调整后的时间办理。",
    "plan_deadline_changed_unit": "{unit}：{plan}的{stage}时间调整为{deadline}，请按调整后的时间完成"
                                  "相关工作。",
    "reminder_unit": "{unit}：{plan}的单位审核推荐截止时间为{deadline}，还有{days}天，贵单位尚有{count}份"
                     "申报待审核、公示或推荐，请抓紧办理，逾期将不能推荐。",
    "reminder_applicant": "{name}：您申报的{title}已退回修改，请在{deadline}前修改后重新提交（{plan}"
                          "单位审核推荐截止），逾期将不能参加本次评审。",
    # 账号安全
    "account_locked": "您在职称申报评审管理服务平台的账号因连续5次密码错误已被锁定{minutes}分钟，"
                      "{until}后可再次登录。如非本人操作，请尽快修改密码或联系平台管理员。",
}

# Two messages of one event share the event's template code in the outbox.
OUTBOX_TEMPLATE = {"accepted_unit": "accepted", "acceptance_returned_unit": "acceptance_returned",
                   "plan_deadline_changed_unit": "plan_deadline_changed"}

# What the SMS outbox calls each template, in the reader's language.
LABELS = {
    "verification_code": _l("短信验证码"),
    "authorization_approved": _l("授权审核通过"), "authorization_rejected": _l("授权审核未通过"),
    "roster_invitation": _l("账号激活邀请"),
    "officer_change_approved": _l("经办人变更通过"),
    "officer_change_rejected": _l("经办人变更未通过"),
    "unit_change_approved": _l("单位信息变更通过"), "unit_change_rejected": _l("单位信息变更未通过"),
    "profile_return": _l("基本信息退回修改"), "profile_reject": _l("基本信息审核不通过"),
    "archive_item_return": _l("业绩档案退回修改"), "archive_item_reject": _l("业绩档案审核不通过"),
    "application_approve": _l("申报审核通过"), "application_return": _l("申报退回修改"),
    "application_reject": _l("申报审核不通过"), "publicity_started": _l("开始公示"),
    "objection_upheld": _l("异议属实，不予推荐"), "objection_return": _l("异议属实，退回修改"),
    "recommended": _l("资格审查推荐"), "accepted": _l("受理点受理"),
    "acceptance_returned": _l("受理点退回"),
    "plan_deadline_changed": _l("评审计划时间调整"), "reminder_unit": _l("截止提醒（单位）"),
    "reminder_applicant": _l("截止提醒（申报人）"), "account_locked": _l("账号锁定"),
}


def label(template: str) -> str:
    """An outbox template's name; a code this table does not know shows as it is."""
    return str(LABELS.get(template, template))


def send(template: str, mobile: str, **values) -> None:
    """Queue the message in the caller's transaction (nothing when there is no mobile). Every
    value is cleaned first: names, titles and reasons are typed by users."""
    values = {key: clean(value, LIMITS.get(key, DEFAULT_LIMIT)) for key, value in values.items()}
    notifications.queue_sms(mobile, OUTBOX_TEMPLATE.get(template, template),
                            SIGNATURE + TEXTS[template].format(**values))
