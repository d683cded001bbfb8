"""What people do in the browser, found by the labels and roles they read on the page."""
import os
import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from stdnum.cn import ric, uscc

from tests import factories

# ZCPS_SCREENSHOTS=1 makes shot() write docs/screenshots/ (the README shows them), or
# ZCPS_SCREENSHOT_DIR; by default a run leaves the tree alone and only checks the pages.
SCREENSHOTS = Path(os.environ.get("ZCPS_SCREENSHOT_DIR")
                   or Path(__file__).resolve().parents[2] / "docs" / "screenshots")
TAKE_SCREENSHOTS = (os.environ.get("ZCPS_SCREENSHOTS") == "1"
                    or bool(os.environ.get("ZCPS_SCREENSHOT_DIR")))

# The home page's entries and the label of the account field on each sign-in page.
USERNAME_LABELS = {
    "个人登录": "身份证号",
    "用人单位登录": "统一社会信用代码",
    "受理点登录": "用户名",
    "管理员登录": "用户名",
}
# The pages' account fields, 用人单位登录's 经办人登录 tab included (not an entry of the home page).
SIGN_IN_LABELS = {**USERNAME_LABELS, "经办人登录": "手机号码或身份证号"}


# How long click_confirmed waits for its answer to reach the question (steps of 20 ms).
CONFIRM_WAIT_STEPS = 500

SIGN_IN_PATHS = {
    "个人登录": "/login/person",
    "用人单位登录": "/login/unit",
    "受理点登录": "/login/acceptance",
    "管理员登录": "/login/admin",
}


# Latin words the Chinese pages may show: the language switch and names of formats.
LATIN_ALLOWED = {"English", "PDF", "MB", "Excel"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9])")


def assert_chinese(page) -> None:
    """No English word (nor a raw code such as ``sub_senior``) among what the page shows;
    codes mixing letters and digits (统一社会信用代码) are data, not words."""
    words = set(LATIN_WORD.findall(page.locator("body").inner_text())) - LATIN_ALLOWED
    assert not words, f"English on the Chinese page {page.url}: {sorted(words)}"


# axe-core (bundled with axe-playwright-python, no network) fails a page on these impacts.
AXE_FAILING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                     "best-practice"]}}
# select2's 'remove this choice' cross is out of the tab order (a choice is removed with the
# keyboard by Backspace in the field) and has no text of its own.
AXE_CONTEXT = {"exclude": [[".select2-search-choice-close"]]}
_NUMBER = re.compile(r"\d+")


def check_accessibility(page) -> None:
    """axe-core on the page as it is shown: no serious or critical violation (GB/T 37668,
    WCAG 2.1 AA). Each screen (its address with ids and query left out) is checked once per
    browser profile: the same list page with another count is no new screen."""
    from axe_playwright_python.sync_playwright import Axe

    # The document, not its frames: the PDF beside the admin's decision form may never "load".
    page.wait_for_load_state("domcontentloaded")
    screen = _NUMBER.sub("N", page.url.split("?", 1)[0].split("#", 1)[0])
    checked = page.context.__dict__.setdefault("zcps_screens_checked", set())
    if screen in checked:
        return
    checked.add(screen)
    results = Axe().run(page, AXE_CONTEXT, AXE_OPTIONS).response
    failing = [violation for violation in results["violations"]
               if violation.get("impact") in AXE_FAILING_IMPACTS]
    assert not failing, f"accessibility violations on {page.url}:\n" + "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}; "
        + "; ".join(" ".join(node["target"]) + (f" [{node['failureSummary']}]"
                                                if node.get("failureSummary") else "")
                    for node in violation["nodes"][:5])
        + (f" … and {len(violation['nodes']) - 5} more" if len(violation["nodes"]) > 5 else "")
        for violation in failing)


def shot(page, name: str) -> Path | None:
    """A full-page screenshot 1366 px wide, saved as docs/screenshots/{name}.png, of a page
    that shows no English and passes the accessibility check."""
    assert_chinese(page)
    check_accessibility(page)
    if not TAKE_SCREENSHOTS:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(path), full_page=True)
    return path


def new_uscc() -> str:
    """A valid 统一社会信用代码 nobody in this run has used."""
    body = f"91330106MA{factories.next_number() + 5000:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def new_id_number(birth: str = "19880512") -> str:
    """A valid 18-digit 身份证号 nobody in this run has used."""
    body = f"330106{birth}{(factories.next_number() + 500) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def see_message(page, text: str) -> None:
    """The flash message (or any other sentence) a person reads after a click."""
    expect(page.get_by_text(text).first).to_be_visible()
    check_accessibility(page)


def see_tab(page, label: str) -> None:
    """A status tab with its live count, e.g. "待审核 (1)"."""
    expect(page.get_by_role("link", name=label, exact=True)).to_be_visible()
    check_accessibility(page)


def click_confirmed(page, locator, expected: str | None = None) -> str:
    """Click something that asks "确定…吗？" first, answer OK and return the question.

    Chromium may close the question on its own before the answer reaches it (the page was
    hidden a moment before, e.g. by a popup): the page then got "cancel" and sent nothing, so
    the click is made again, as a person would."""
    for _attempt in range(3):
        asked, answers = [], []

        def answer(dialog):
            asked.append(dialog.message)
            try:
                dialog.accept()
            except PlaywrightError:
                answers.append(False)
            else:
                answers.append(True)

        page.on("dialog", answer)
        try:
            locator.click()
            for _wait in range(CONFIRM_WAIT_STEPS):
                if answers:
                    break
                page.wait_for_timeout(20)
        finally:
            page.remove_listener("dialog", answer)
        assert asked, "no confirmation was asked"
        if answers and answers[0]:
            break
    assert answers and answers[0], f"the confirmation could not be answered: {asked[0]}"
    page.wait_for_load_state()
    if expected is not None:
        assert expected in asked[0], asked[0]
    return asked[0]


def refused_before_confirming(page, locator, field, message: str) -> None:
    """Click a decision whose ``field`` is still empty: the field says ``message`` and takes
    the focus, no "are you sure" is asked and nothing is sent."""
    asked = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    try:
        address = page.url
        locator.click()
        expect(field).to_be_focused()
        assert field.evaluate("field => field.validationMessage") == message
        assert asked == [] and page.url == address
    finally:
        page.remove_listener("dialog", refuse)


def open_sign_in(page, base: str, entry: str) -> None:
    """From the home page, the entry (个人登录, 用人单位登录 …) to its sign-in page."""
    page.goto(base + "/")
    page.get_by_role("link", name=entry, exact=True).click()
    expect(page.get_by_label(USERNAME_LABELS[entry], exact=True)).to_be_visible()
    check_accessibility(page)


def sign_in(page, base: str, entry: str, username: str, password: str = factories.PASSWORD):
    """Sign in on the entry's page (opened by its address: the home page's links to it are
    followed in the registration flows and in test_sign_in_pages)."""
    page.goto(base + {**SIGN_IN_PATHS, "经办人登录": "/login/officer"}[entry])
    # 经办人登录 is a tab of 用人单位登录.
    heading = "用人单位登录" if entry == "经办人登录" else entry
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.get_by_label(SIGN_IN_LABELS[entry], exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    # In the menu, which a narrow window keeps behind its toggle.
    expect(page.get_by_role("button", name="退出登录", exact=True, include_hidden=True)
           ).to_have_count(1)
    check_accessibility(page)


def sign_out(page) -> None:
    open_menu(page)
    page.get_by_role("button", name="退出登录", exact=True).click()
    see_message(page, "您已安全退出。")


def open_menu(page) -> None:
    """Open the top menu where a narrow window keeps it behind its toggle (菜单)."""
    toggle = page.get_by_role("button", name="菜单", exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(page.locator(".navbar-collapse.show")).to_be_visible()


def menu(page, name: str) -> None:
    """A link of the area's top menu (主菜单, not the breadcrumbs), opened first where a narrow
    window collapses it behind its toggle."""
    open_menu(page)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name, exact=True).click()
    check_accessibility(page)


def see_record_page(page, list_name: str, record: str) -> None:
    """A record's page: its heading names the list's view, then the record, and the breadcrumbs
    (首页 › the list › the record) lead back to the list."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{list_name} · {record}")
    breadcrumbs = page.get_by_test_id("breadcrumbs")
    expect(breadcrumbs.get_by_role("link", name=list_name, exact=True)).to_be_visible()
    expect(breadcrumbs.locator('[aria-current="page"]')).to_have_text(record)


def fill_form(page, values: dict) -> None:
    """Fill fields by their labels; a tuple value ("select", option) picks from a list."""
    for label, value in values.items():
        field = page.get_by_label(label, exact=True)
        if isinstance(value, tuple):
            field.select_option(label=value[1])
        else:
            field.fill(value)


def row(page, text: str):
    """The one table row that shows ``text``."""
    return page.get_by_role("row").filter(has_text=text)


def pdf_file(tmp_path, name: str = "委托证明-盖章.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(factories.pdf_bytes())
    return path


# --- step 1: registration ----------------------------------------------------------------------

def sms_code_by_button(page, server, mobile: str) -> str:
    """Press 获取验证码 and read the code the outbox holds for ``mobile``; fill it in."""
    import sqlalchemy as sa

    from models import Notification

    page.get_by_role("button", name="获取验证码", exact=True).click()
    see_message(page, f"验证码已发送至{mobile[:3]}****{mobile[-4:]}")
    with server.database() as session:
        text = session.scalar(sa.select(Notification.text).filter_by(mobile=mobile)
                              .order_by(Notification.id.desc()).limit(1))
    code = re.search(r"验证码为(\d{6})", text).group(1)
    page.get_by_label("短信验证码", exact=True).fill(code)
    return code


def register_unit(page, server, unit: dict, screenshots: bool = False) -> None:
    """Home → 用人单位登录 → 注册 → the unit's form, its mobile proven by 获取验证码; ends signed
    in on its 委托证明 page."""
    open_sign_in(page, server.url, "用人单位登录")
    expect(page.get_by_role("heading", name="用人单位登录")).to_be_visible()
    expect(page.get_by_text("法人登录", exact=True)).to_be_visible()
    if screenshots:
        shot(page, "02-login-unit")
    page.get_by_role("link", name="注册", exact=True).click()
    expect(page.get_by_role("heading", name="用人单位注册")).to_be_visible()
    fill_form(page, {
        "单位名称": unit["name"], "统一社会信用代码": unit["uscc"], "法定代表人": "陈立新",
        "单位地址": "杭州市西湖区文三路100号", "联系人": unit["contact"],
        "手机号码": unit["mobile"],
    })
    sms_code_by_button(page, server, unit["mobile"])
    fill_form(page, {"密码": unit["password"], "确认密码": unit["password"]})
    if screenshots:
        shot(page, "03-register-unit")
    page.get_by_role("button", name="注册", exact=True).click()
    see_message(page, "注册成功。请填写经办人信息，下载委托证明，盖章后上传并提交审核。")


# --- step 2: authorization ---------------------------------------------------------------------

def submit_authorization(page, tmp_path, officer: dict, screenshots: bool = False) -> bytes:
    """On 委托证明: the officer's data, the PDF download, the stamped scan; returns the PDF."""
    expect(page.get_by_test_id("authorization-status")).to_contain_text("授权状态：未提交")
    fill_form(page, {"经办人姓名": officer["name"], "经办人身份证号": officer["id_number"],
                     "经办人手机号码": officer["mobile"]})
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载委托证明", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    certificate = Path(download.path()).read_bytes()
    assert certificate.startswith(b"%PDF"), certificate[:20]
    page.get_by_label("盖章后的委托证明（PDF）").set_input_files(str(pdf_file(tmp_path)))
    if screenshots:
        shot(page, "04-unit-authorization")
    page.get_by_role("button", name="提交审核", exact=True).click()
    see_message(page, "委托证明已提交，请等待平台管理员审核")
    expect(page.get_by_test_id("authorization-status")).to_contain_text("授权状态：待审核")
    expect(row(page, officer["name"])).to_contain_text("待审核")
    return certificate


def approve_authorization(page, base: str, unit_name: str, problems,
                          screenshots: bool = False) -> None:
    """The platform admin opens 授权审核, looks at the scan and approves the unit."""
    menu(page, "授权审核")
    see_tab(page, "待审核 (1)")
    expect(row(page, unit_name)).to_contain_text("待审核")
    if screenshots:
        shot(page, "06-admin-authorization-queue")
    page.get_by_role("link", name=unit_name, exact=True).click()
    expect(page.get_by_test_id("authorization-status")).to_have_text("待审核")
    expect(page.get_by_title("委托证明扫描件")).to_be_visible()
    # The scan opens in a new window; it is the PDF the unit uploaded.
    scan_link = page.get_by_role("link", name="在新窗口打开委托证明扫描件")
    response = page.context.request.get(base + scan_link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF"), response.status
    with page.context.expect_page() as popup_info:
        scan_link.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.startswith(base), popup.url
    popup.close()
    page.bring_to_front()  # back to the decision form, shown again before anything is clicked
    if screenshots:
        page.wait_for_load_state("networkidle")  # the scan shown beside the form
        shot(page, "07-admin-authorization-decide")
    page.get_by_label("审核意见", exact=True).fill("委托证明盖章清晰，信息一致。")
    click_confirmed(page, page.get_by_role("button", name="通过", exact=True),
                    "确定通过该单位的授权申请吗？")
    see_message(page, f"已审核通过：{unit_name}。已短信通知单位联系人。")
    see_tab(page, "待审核 (0)")
    see_tab(page, "审核通过 (1)")


# --- step 3: the applicant's archive -----------------------------------------------------------

ITEMS = {
    "教育经历": {"毕业学校": "浙江大学", "所学专业": "计算机科学与技术", "学历": ("select", "大学本科"),
              "入学时间": "2006-09-01", "毕业时间": "2010-06-30"},
    "工作经历": {"工作单位": "杭州云栖智能科技有限公司", "岗位/职务": "软件工程师",
              "开始时间": "2010-07-01"},
    "考核情况": {"考核年度": "2025", "考核结果": ("select", "优秀"), "考核单位": "云栖智能人力资源部"},
}
ITEM_TITLES = {"教育经历": "浙江大学", "工作经历": "杭州云栖智能科技有限公司",
               "考核情况": "2025年度考核 优秀"}


def register_person(page, server, person: dict, screenshots: bool = False) -> None:
    """Home → 个人登录 → 注册, the mobile proven by 获取验证码; ends signed in on the applicant's
    home page."""
    open_sign_in(page, server.url, "个人登录")
    expect(page.get_by_role("heading", name="个人登录")).to_be_visible()
    if screenshots:
        shot(page, "09-login-person")
    page.get_by_role("link", name="注册", exact=True).click()
    expect(page.get_by_role("heading", name="个人注册")).to_be_visible()
    fill_form(page, {"姓名": person["name"], "身份证号": person["id_number"],
                     "手机号码": person["mobile"]})
    sms_code_by_button(page, server, person["mobile"])
    fill_form(page, {"密码": person["password"], "确认密码": person["password"]})
    if screenshots:
        shot(page, "10-register-person")
    page.get_by_role("button", name="注册", exact=True).click()
    see_message(page, "注册成功。请完善基本信息并选择工作单位。")
    expect(page.get_by_text("工作单位：未选择")).to_be_visible()


def fill_profile(page, unit_name: str, screenshots: bool = False) -> None:
    """基本信息: choose the authorized unit, fill in, save and submit to the unit."""
    menu(page, "基本信息")
    page.get_by_label("搜索单位").fill(unit_name[:4])
    page.get_by_role("button", name="搜索", exact=True).click()
    choice = page.get_by_role("listitem").filter(has_text=unit_name)
    click_confirmed(page, choice.get_by_role("button", name="选择此单位"),
                    "确定将工作单位改为该单位吗？")
    see_message(page, f"工作单位已设为「{unit_name}」。")
    expect(page.get_by_test_id("employing-unit")).to_have_text(unit_name)
    fill_form(page, {"最高学历": ("select", "大学本科"), "现专业技术职务": "工程师",
                     "取得时间": "2018-12-20"})
    page.get_by_role("button", name="保存", exact=True).click()
    see_message(page, "基本信息已保存。")
    page.get_by_role("button", name="提交单位审核", exact=True).click()
    see_message(page, "基本信息已提交单位审核。")
    expect(page.get_by_role("heading", name="基本信息 待审核", exact=True)).to_be_visible()
    if screenshots:
        shot(page, "11-person-profile")


def add_archive_items(page, screenshots: bool = False) -> None:
    """业绩档案: one item in each mandatory category, each saved and submitted."""
    menu(page, "业绩档案")
    for category, values in ITEMS.items():
        page.get_by_role("link", name=f"新增{category}", exact=True).click()
        expect(page.get_by_role("heading", name=f"新增{category}")).to_be_visible()
        fill_form(page, values)
        if screenshots and category == "教育经历":
            shot(page, "12-person-archive-form")
        page.get_by_role("button", name="保存并提交审核", exact=True).click()
        see_message(page, "已提交单位审核。")
        expect(row(page, ITEM_TITLES[category])).to_contain_text("待审核")


def archive_review_page(page, person_name: str, waiting: int, screenshots: bool = False):
    """The unit's 业绩档案审核 list, then the person's review page."""
    menu(page, "业绩档案审核")
    see_tab(page, "待审核 (1)")
    expect(row(page, person_name)).to_contain_text(str(waiting))
    if screenshots:
        shot(page, "14-unit-archive-queue")
    page.get_by_role("link", name=person_name, exact=True).click()
    see_record_page(page, "业绩档案审核", person_name)
    check_accessibility(page)


def decide_item(page, title: str, decision: str, reason: str = "") -> None:
    """通过 or 退回修改 (with 退回原因) on one archive item's row."""
    item_row = row(page, title)
    if reason:
        item_row.get_by_label("退回原因", exact=True).fill(reason)
    item_row.get_by_role("button", name=decision, exact=True).click()
    see_message(page, f"「{title}」已{decision}。")


def approve_profile(page, person_name: str) -> None:
    # The basic information's 通过 sits in the card under the heading "基本信息 待审核".
    card = page.locator(".card").filter(
        has=page.get_by_role("heading", name="基本信息 待审核", exact=True))
    card.get_by_role("button", name="通过", exact=True).click()
    see_message(page, f"{person_name}的基本信息已审核。")
    expect(page.get_by_role("heading", name="基本信息 审核通过", exact=True)).to_be_visible()


# --- step 4: the application -------------------------------------------------------------------

APPLICATION = {"申报系列": ("select", "工程"), "申报专业": "计算机应用",
               "申报级别": ("select", "副高级"), "资格名称": ("select", "高级工程师（工程·副高级）"),
               "评审方式": ("select", "评审")}


def create_application(page, item_titles, screenshots: bool = False) -> None:
    """职称申报 → 新建职称申报 → extract approved items → 提交单位审核."""
    menu(page, "职称申报")
    page.get_by_role("link", name="新建职称申报", exact=True).click()
    fill_form(page, APPLICATION)
    page.get_by_role("button", name="保存", exact=True).click()
    see_message(page, "申报已创建，请提取业绩档案后提交。")
    expect(page.get_by_test_id("application-status")).to_have_text("草稿")
    expect(page.get_by_text("还缺少必备业绩")).to_be_visible()
    for category, title in item_titles.items():
        page.get_by_label(f"{category}：{title}", exact=True).check()
    page.get_by_role("button", name="保存提取", exact=True).click()
    see_message(page, "已保存提取的业绩。")
    expect(page.get_by_text("还缺少必备业绩")).to_have_count(0)
    if screenshots:
        shot(page, "16-person-application-draft")
    submit_application(page)


def answer_remark(page, item_title: str, reply: str) -> None:
    """A returned application: the remarked item, shown 需修改, answered with a reply."""
    remarked = row(page.get_by_test_id("remarked-items"), item_title)
    expect(remarked).to_contain_text("需修改")
    remarked.get_by_label("回复说明").fill(reply)


def submit_application(page) -> None:
    page.get_by_label("诚信承诺", exact=False).check()
    click_confirmed(page, page.get_by_role("button", name="提交单位审核", exact=True),
                    "确定提交吗？")
    see_message(page, "申报已提交单位审核。")
    expect(page.get_by_test_id("application-status")).to_have_text("待审核")
    # Held by the unit, named (not 本人).
    expect(page.get_by_test_id("holder")).not_to_have_text(re.compile("^(本人|—)$"))


def open_application_review(page, person_name: str, tab: str = "待审核 (1)",
                            screenshots: bool = False) -> None:
    menu(page, "申报资料审核")
    see_tab(page, tab)
    expect(row(page, person_name)).to_contain_text("待审核")
    if screenshots:
        shot(page, "17-unit-application-queue")
    page.get_by_role("link", name=person_name, exact=True).click()
    see_record_page(page, "申报资料审核", person_name)
    check_accessibility(page)


def return_application(page, person_name: str, item_title: str, remark: str, reason: str):
    row(page, item_title).get_by_label("问题备注").fill(remark)
    page.get_by_label("审核意见 / 退回原因", exact=True).fill(reason)
    page.get_by_role("button", name="退回修改", exact=True).click()
    see_message(page, f"{person_name}的申报已退回修改，已短信通知申报人。")
    see_tab(page, "退回修改 (1)")


def approve_application_with_template(page, person_name: str, qualification: str,
                                      screenshots: bool = False) -> str:
    opinion = f"经审核，{person_name}同志符合{qualification}任职资格申报条件，申报材料完整无误，同意推荐。"
    page.get_by_role("button", name=re.compile(f"^经审核，{person_name}同志符合")).click()
    expect(page.get_by_label("审核意见 / 退回原因", exact=True)).to_have_value(opinion)
    if screenshots:
        shot(page, "18-unit-application-review")
    click_confirmed(page, page.get_by_role("button", name="通过", exact=True), "确定通过吗？")
    see_message(page, f"{person_name}的申报已通过，已短信通知申报人。")
    see_tab(page, "审核通过 (1)")
    page.get_by_role("link", name="审核通过 (1)", exact=True).click()
    expect(row(page, person_name)).to_contain_text("审核通过")
    return opinion


# --- steps 5–6: publicity, objection, recommendation, acceptance ---------------------------------

def start_publicity(page, person_name: str, earliest_end: str, earliest_end_cn: str,
                    contact: str = "人事处 刘洋", screenshots: bool = False) -> None:
    """申报资料审核 → 审核通过 → tick → 批量操作 → 信息公示 → 开始公示; ends on the batch page."""
    menu(page, "申报资料审核")
    page.get_by_role("link", name=re.compile(r"^审核通过 \(\d+\)$")).click()
    row(page, person_name).get_by_role("checkbox").check()
    page.get_by_role("button", name="批量操作").click()
    page.locator(".dropdown-menu").get_by_role("link", name="信息公示", exact=True).click()
    expect(page.get_by_test_id("earliest-end")).to_contain_text(earliest_end_cn)
    expect(page.get_by_label("公示结束日期", exact=True)).to_have_value(earliest_end)
    page.get_by_label("异议受理电话", exact=True).fill("0571-86000000")
    page.get_by_label("异议受理地址", exact=True).fill("杭州市西湖区文三路1号 人事处")
    page.get_by_label("异议受理联系人", exact=True).fill(contact)
    if screenshots:
        shot(page, "22-unit-publicity-new")
    click_confirmed(page, page.get_by_role("button", name="开始公示", exact=True),
                    "确定开始公示吗？")
    see_message(page, "已开始公示：1人")
    expect(page.get_by_test_id("publicity-state")).to_have_text("公示中")


def download_publicity_table(page) -> tuple[str, list[str]]:
    """导出公示表 on the batch page: the file name and every cell's text."""
    from io import BytesIO

    from openpyxl import load_workbook

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出公示表", exact=True).click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(BytesIO(handle.read())).active
    return download.suggested_filename, [str(cell.value) for line in sheet.iter_rows()
                                         for cell in line if cell.value is not None]


def record_objection(page, person_name: str, received_on: str, content: str,
                     raised_by: str = "匿名来信") -> None:
    page.get_by_text("登记异议", exact=True).first.click()
    chooser = page.get_by_label("被异议人", exact=True)
    chooser.select_option(chooser.locator("option", has_text=person_name).get_attribute("value"))
    page.get_by_label("收到日期", exact=True).fill(received_on)
    page.get_by_label("异议人", exact=True).fill(raised_by)
    page.get_by_label("异议内容", exact=True).fill(content)
    page.get_by_role("button", name="登记异议", exact=True).click()
    see_message(page, f"已登记对{person_name}的异议，请核查后处理；处理前不能推荐。")
    expect(row(page, person_name)).to_contain_text("1条待处理")


def dismiss_objection(page, person_name: str, findings: str) -> None:
    page.get_by_label("核查情况", exact=True).fill(findings)
    click_confirmed(page, page.get_by_role("button", name="不属实", exact=True), "不属实")
    see_message(page, "异议已处理：不属实。")
    expect(row(page, person_name)).to_contain_text("无待处理异议")


def choose_acceptance_point(page, acceptance_point: str) -> None:
    """A choice only when the plan has several points; the one point is shown as text."""
    chooser = page.get_by_label("受理点", exact=True)
    if chooser.count():
        chooser.select_option(label=acceptance_point)
    else:
        expect(page.get_by_test_id("acceptance-point")).to_have_text(acceptance_point)


def recommend(page, person_name: str, acceptance_point: str, opinion: str,
              screenshots: bool = False) -> None:
    """资格审查推荐 → 待推荐 → the person → 受理点 and the templated 推荐意见 → 推荐."""
    menu(page, "资格审查推荐")
    see_tab(page, "待推荐 (1)")
    expect(row(page, person_name)).to_contain_text("公示期满")
    page.get_by_role("link", name=person_name, exact=True).click()
    expect(page.get_by_label("推荐意见", exact=True)).to_have_value(opinion)
    check_accessibility(page)
    # Another 常用意见 fills the field; the first one puts the expected opinion back.
    page.get_by_role("button", name=re.compile("^经公示")).click()
    expect(page.get_by_label("推荐意见", exact=True)).to_have_value(re.compile("^经公示（"))
    page.get_by_role("button", name=re.compile(f"^{person_name}同志的申报材料")).click()
    expect(page.get_by_label("推荐意见", exact=True)).to_have_value(opinion)
    choose_acceptance_point(page, acceptance_point)
    if screenshots:
        shot(page, "24-unit-recommend")
    click_confirmed(page, page.get_by_role("button", name="推荐", exact=True), "确定推荐吗？")
    see_message(page, f"已推荐至{acceptance_point}：{person_name}")
    see_tab(page, "已推荐 (1)")


def accept(page, person_name: str, unit_name: str, screenshots: bool = False) -> None:
    """The acceptance point: 推荐受理 → 待受理 → the person → 受理."""
    menu(page, "推荐受理")
    see_tab(page, "待受理 (1)")
    expect(row(page, person_name)).to_contain_text(unit_name)
    if screenshots:
        shot(page, "25-acceptance-inbox")
    page.get_by_role("link", name=person_name, exact=True).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("开始公示")
    check_accessibility(page)
    if screenshots:
        shot(page, "26-acceptance-review")
    click_confirmed(page, page.get_by_role("button", name="受理", exact=True), "确定受理吗？")
    see_message(page, f"{person_name}的申报已受理，已短信通知推荐单位和申报人。")
    see_tab(page, "待受理 (0)")
    see_tab(page, "已受理 (1)")
