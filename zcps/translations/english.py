"""English for the interface's Chinese source strings.

``python -m zcps.translations.english`` writes them into ``en/LC_MESSAGES/messages.po`` (after
``pybabel extract`` / ``pybabel update``) and compiles ``messages.mo``; see README.md here.
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
    "18位，注册后用于法人登录": "18 characters; used to sign in as the legal person",
    "审核结果将以短信通知此号码": "Review results are sent to this number by SMS",
    "至少8位，须包含字母和数字": "At least 8 characters with letters and digits",
    "返回授权审核列表": "Back to the authorization queue",
    "通过时可不填；不通过时必须填写原因": "Optional when approving; required when rejecting",
    "确定通过该单位的授权申请吗？": "Approve this unit's authorization?",
    "通过": "Approve",
    "确定不通过该单位的授权申请吗？": "Reject this unit's authorization?",
    "不通过": "Reject",
    "该单位此前的提交": "The unit's earlier submissions",
    "在新窗口打开委托证明扫描件": "Open the scanned certificate in a new window",
    "委托证明扫描件": "Scanned entrustment certificate",
    "没有上传扫描件。": "No scan was uploaded.",
    "返回列表": "Back to the list",
    "重置密码": "Reset password",
    "登录账号": "Sign-in account",
    "新密码（仅显示这一次，请当面或电话告知对方，并提醒其登录后尽快修改）": "New password (shown only this once; tell the holder in person or by phone and ask them to change it)",
    "重置后原密码立即失效，系统将生成一次性新密码并只显示一次。": "The old password stops working at once; a one-time password is generated and shown once.",
    "确定重置该账号的密码吗？": "Reset this account's password?",
    "请按以下步骤完成单位授权：① 填写经办人信息；② 下载委托证明；③ 打印并加盖单位公章、法定代表人签字；④ 上传扫描件（PDF）并提交审核。": "To authorize the unit: 1. enter the handling officer; 2. download the entrustment certificate; 3. print it, stamp it with the unit seal and have the legal representative sign it; 4. upload the scan (PDF) and submit.",
    "委托证明已提交，正在等待平台管理员审核，审核结果将以短信通知单位联系人。": "The certificate was submitted and waits for the platform administrator; the result is sent to the unit's contact by SMS.",
    "上次提交未通过审核，请根据原因修改后重新上传提交。": "The last submission was rejected; fix what the reason says and upload again.",
    "① 经办人信息": "1. Handling officer",
    "② 下载委托证明": "2. Download the entrustment certificate",
    "委托证明按单位信息和以上经办人信息自动生成，打印后加盖单位公章并由法定代表人签字。": "The certificate is filled in from the unit and the officer above; print it, stamp it and have the legal representative sign it.",
    "下载委托证明": "Download the entrustment certificate",
    "③ 上传盖章扫描件并提交审核": "3. Upload the stamped scan and submit",
    "仅限PDF文件，不超过%(mb)s MB。": "PDF only, at most %(mb)s MB.",
    "提交审核": "Submit for review",
    "提交记录": "Submissions",
    "扫描件": "Scan",
    "下载": "Download",
    "尚未提交委托证明。": "No certificate submitted yet.",
    "单位信息如需变更，请联系平台管理员。": "To change the unit details, contact the platform administrator.",
    "委托证明已提交，正在等待平台管理员审核；审核通过后才能办理其他业务。": "The certificate waits for the platform administrator; everything else opens once it is approved.",
    "单位授权尚未通过：请先填写经办人信息，下载委托证明，盖章后上传并提交审核。": "The unit is not authorized yet: enter the officer, download the certificate, stamp it, upload it and submit.",
    "已启用 %(n)s 个单位。": "%(n)s unit(s) activated.",
    "已停用 %(n)s 个单位，其账号已不能登录。": "%(n)s unit(s) deactivated; their accounts can no longer sign in.",
    "停用": "Deactivate",
    "确定停用所选单位吗？停用后该单位账号不能登录。": "Deactivate the selected units? Their accounts will not be able to sign in.",
    "确定启用所选单位吗？": "Activate the selected units?",
    "待审核": "Pending",
    "审核通过": "Approved",
    "审核未通过": "Rejected",
    "全部": "All",
    "待发送": "Waiting", "已发送": "Sent", "发送失败": "Failed",
    "审核": "Review",
    "已审核%(result)s：%(unit)s。已短信通知单位联系人。": "Decided (%(result)s): %(unit)s. The unit's contact was told by SMS.",
    "确定通过所选单位的授权申请吗？通过后将短信通知各单位。": "Approve the selected authorizations? Each unit is told by SMS.",
    "已通过 %(n)s 个单位的授权申请。": "%(n)s authorization(s) approved.",
    "新建时必填；编辑时留空表示不修改": "Required for a new account; leave empty to keep the password",
    "显示名称": "Display name",
    "最近登录": "Last sign-in",
    "请填写用户名。": "Enter a user name.",
    "请选择受理点。": "Choose an acceptance point.",
    "密码至少8位。": "The password needs at least 8 characters.",
    "新建账号时必须设置密码。": "A new account needs a password.",
    "受理点账号": "Acceptance accounts",
    "当前授权状态下不能提交委托证明。": "A certificate cannot be submitted in the current state.",
    "委托证明已提交，请等待平台管理员审核，审核结果将以短信通知单位联系人。": "Certificate submitted; the platform administrator will review it and the unit's contact is told by SMS.",
    "委托证明": "Entrustment certificate",
    "单位信息": "Unit details",
    "注册成功。请填写经办人信息，下载委托证明，盖章后上传并提交审核。": "Registered. Now enter the handling officer, download the entrustment certificate, stamp it, upload it and submit.",
    "确认密码": "Confirm password",
    "盖章后的委托证明（PDF）": "Stamped entrustment certificate (PDF)",
    '返回职称申报': 'Back to title applications',
    '修改申报信息': 'Edit the application',
    '已提取的业绩': 'Extracted achievements',
    '详情': 'Details',
    '尚未提取业绩。': 'Nothing extracted yet.',
    '提取业绩（只列出单位已审核通过的业绩档案）': 'Extract achievements (only items the unit approved are listed)',
    '还没有审核通过的业绩档案。': 'No approved archive items yet.',
    '保存提取': 'Save the extraction',
    '还缺少必备业绩': 'Mandatory categories still missing',
    '提交后由单位审核，审核期间不能修改。确定提交吗？': 'After submission the unit reviews it and it cannot be changed meanwhile. Submit?',
    '提交单位审核': 'Submit to the unit',
    '办理过程': 'Timeline',
    '第%(n)s轮': 'round %(n)s',
    '暂无记录。': 'Nothing yet.',
    '新建职称申报': 'New title application',
    '资格名称须与所选系列和级别一致': 'The qualification must belong to the chosen series and level',
    '保存': 'Save',
    '还没有职称申报。': 'No title applications yet.',
    '教育经历、工作经历、考核情况为必备类别。保存为草稿后可提交单位审核；退回的业绩修改后重新提交；修改已通过的业绩将重新提交单位审核。': 'Education, work and annual assessment are mandatory. Save a draft, then submit it to the unit; fix and resubmit returned items; editing an approved item sends it back for review.',
    '请先在「基本信息」中选择工作单位，才能提交单位审核。': 'Choose your employer under Basic information before submitting to the unit.',
    '必备': 'mandatory',
    '新增': 'Add ',
    '附件': 'Attachments',
    '修改': 'Edit',
    '确定删除这条草稿吗？': 'Delete this draft?',
    '删除': 'Delete',
    '暂无': 'No ',
    '返回业绩档案': 'Back to the archive',
    '退回原因': 'Reason for return',
    '该业绩已审核通过，保存修改后将重新提交单位审核；已提取到申报中的内容不受影响。': 'This item is approved; saving a change sends it back for review. What an application already extracted does not change.',
    '已上传附件': 'Attachments',
    '保存并提交审核': 'Save and submit',
    '基本信息': 'Basic information',
    '基本信息已审核通过；修改后将重新提交单位审核。': 'Your basic information is approved; a change sends it back for review.',
    '只能选择已通过平台授权的单位。更换单位后，原单位已审核通过的业绩保留，新提交的业绩由新单位审核。': 'Only authorized units can be chosen. After a change, what the old unit approved stays; new submissions go to the new unit.',
    '搜索单位': 'Find a unit',
    '单位名称或统一社会信用代码': 'Unit name or credit code',
    '搜索': 'Search',
    '选择此单位': 'Choose',
    '没有找到已授权的单位。': 'No authorized unit found.',
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
            message.flags.discard("fuzzy")  # the English here is authoritative
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True)
    with MO.open("wb") as handle:
        write_mo(handle, catalog)
    return missing


if __name__ == "__main__":
    left = build()
    print("untranslated:", left or "none")
