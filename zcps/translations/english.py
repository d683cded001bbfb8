"""English for the interface's Chinese source strings.

``python -m zcps.translations.english`` writes them into ``en/LC_MESSAGES/messages.po`` (after
``pybabel extract`` / ``pybabel update``) and compiles ``messages.mo``.
"""
from pathlib import Path

ENGLISH = {
    "返回": "Back to ", "首页": "Home", "返回首页": "Back to the home page",
    "欢迎使用职称申报评审管理服务平台": "Welcome to the professional title application and review platform",
    "个人登录": "Personal sign-in",
    "专业技术人员维护业绩档案、提交职称申报。": "Professionals keep their performance archive and apply for titles.",
    "用人单位登录": "Employer sign-in",
    "单位经办人审核业绩档案与申报资料、公示、推荐。": "Unit officers review archives and applications, publicize and recommend.",
    "受理点登录": "Acceptance point sign-in",
    "受理单位推荐的申报材料。": "Take in the applications units recommend.",
    "管理员登录": "Administrator sign-in",
    "平台管理员审核单位授权、维护受理点与职称目录。": "Platform staff approve unit authorizations and keep acceptance points and the title catalogue.",
    "法人登录": "Legal-person sign-in", "密码": "Password", "登录": "Sign in",
    "还没有账号？": "No account yet?", "注册": "Register", "用人单位注册": "Employer registration",
    "单位注册即将开放，请联系平台管理员办理。": "Unit registration opens soon; please contact the platform administrator.",
    "返回法人登录": "Back to legal-person sign-in", "推荐受理": "Recommendations received",
    "欢迎，": "Welcome, ", "授权审核": "Authorizations", "用人单位": "Employers",
    "受理点": "Acceptance points", "工作单位": "Employer", "未选择": "not chosen",
    "业绩档案": "Performance archive", "职称申报": "Title applications",
    "授权状态": "Authorization",
    "单位授权已通过，可以开展业绩档案审核、申报资料审核、信息公示和资格审查推荐。": "The unit is authorized: it can review archives and applications, publicize and recommend.",
    "委托证明已提交，正在等待平台管理员审核。": "The entrustment certificate was submitted and waits for the platform administrator.",
    "下一步：填写经办人信息，下载委托证明，盖章后上传并提交审核。": "Next: enter the handling officer, download the entrustment certificate, stamp it, upload it and submit.",
    "业绩档案审核": "Archive review", "申报资料审核": "Application review",
    "退出登录": "Sign out",
    "浙江省职称申报评审管理服务平台": "Zhejiang professional title platform",
    "职称申报评审": "Title review",
    "浙江省专业技术职务任职资格申报与评审管理服务平台": "Zhejiang Professional Title Application and Review Platform",
    "职称申报评审管理服务平台 · 用人单位端": "Professional title platform · employer back-office",
    "该记录刚刚已被他人处理，请刷新页面查看最新状态。": "Someone else has just handled this record; reload the page to see its state.",
    "保存失败：数据与已有记录冲突或不完整，请检查后重试。": "Not saved: the data conflicts with an existing record or is incomplete.",
    "记录不存在或不属于您的账号。": "The record does not exist or does not belong to your account.",
    "是": "Yes", "否": "No", "请先登录。": "Please sign in first.",
    "姓名": "Name", "身份证号": "ID number", "性别": "Sex", "出生日期": "Date of birth",
    "手机号码": "Mobile", "最高学历": "Highest education", "现专业技术职务": "Current title",
    "取得时间": "Obtained on", "基本信息状态": "Basic information", "审核意见": "Opinion",
    "类别": "Category", "名称": "Name", "单位/机构": "Organisation", "开始日期": "Start",
    "结束日期": "End", "状态": "Status", "提交时间": "Submitted", "审核时间": "Reviewed",
    "年度": "Year", "申报系列": "Series", "申报专业": "Specialty", "申报级别": "Level",
    "资格名称": "Qualification", "评审方式": "Review method", "待审机构": "Held by",
    "推荐意见": "Recommendation opinion", "推荐时间": "Recommended", "本单位人员": "People",
    "单位名称": "Unit name", "统一社会信用代码": "Unified social credit code",
    "单位地址": "Address", "法定代表人": "Legal representative", "联系人": "Contact",
    "启用": "Active", "注册时间": "Registered", "经办人姓名": "Officer name",
    "经办人身份证号": "Officer ID number", "经办人手机号码": "Officer mobile",
    "审核人": "Reviewer", "地区": "Region", "地址": "Address", "联系电话": "Phone",
    "创建时间": "Created", "排序": "Order", "类型": "Type", "内容": "Text",
    "尝试次数": "Attempts", "最近错误": "Last error", "下次尝试": "Next attempt",
    "发送时间": "Sent", "时间": "Time", "操作人": "Actor", "操作": "Action", "对象": "Target",
    "职称目录": "Title catalogue", "短信发件箱": "SMS outbox", "系统": "System",
    "审计日志": "Audit log", "个人中心": "My area", "18位身份证号": "18-character ID number",
    "18位统一社会信用代码": "18-character credit code", "用户名": "User name",
    "平台管理": "Platform", "账号或密码错误，请重新输入。": "Wrong account or password.",
    "请填写账号。": "Enter the account.", "请填写密码。": "Enter the password.",
    "该账号已停用，请联系平台管理员。": "This account is disabled; contact the platform administrator.",
    "您已安全退出。": "You have signed out.", "请求有误": "Bad request",
    "提交的内容无法处理，请返回上一页重试。": "The request could not be processed; go back and try again.",
    "页面已过期": "Page expired",
    "表单已过期或来源不明，请刷新页面后重新提交。": "The form has expired or came from elsewhere; reload the page and submit again.",
    "无权访问": "Not allowed", "您的账号无权访问此页面。": "Your account may not open this page.",
    "页面不存在": "Not found",
    "您要找的页面或记录不存在，或不属于您的账号。": "The page or record does not exist or does not belong to your account.",
    "操作不允许": "Not allowed", "此页面不接受这种操作。": "This page does not accept that request.",
    "文件过大": "File too large", "上传的文件超过大小限制。": "The uploaded file is over the size limit.",
    "操作过于频繁": "Too many requests", "操作过于频繁，请稍后再试。": "Too many requests; try again later.",
    "系统繁忙": "Something went wrong", "系统暂时无法完成此操作，请稍后再试。": "The system could not complete this; try again later.",
}

HERE = Path(__file__).resolve().parent
PO = HERE / "en" / "LC_MESSAGES" / "messages.po"
MO = HERE / "en" / "LC_MESSAGES" / "messages.mo"


def build() -> list[str]:
    """Fill the English catalog and compile it; returns source strings still untranslated."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        english = ENGLISH.get(message.id)
        if english is None:
            missing.append(message.id)
        else:
            message.string = english
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True)
    with MO.open("wb") as handle:
        write_mo(handle, catalog)
    return missing


if __name__ == "__main__":
    left = build()
    print("untranslated:", left or "none")
