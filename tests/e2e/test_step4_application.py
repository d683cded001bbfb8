"""Seed step 4: an application is made from approved items, returned once, then approved.

The applicant works in ``page``, the unit's officer in a browser of their own.
"""
from datetime import date

from playwright.sync_api import expect

from models import ArchiveCategory, ReviewStatus
from tests import factories
from tests.e2e.flows import (
    answer_remark,
    approve_application_with_template,
    click_confirmed,
    create_application,
    menu,
    open_application_review,
    return_application,
    row,
    see_message,
    see_tab,
    shot,
    sign_in,
    submit_application,
)

UNIT_NAME = "杭州云栖智能科技有限公司"
PERSON = "李明"
QUALIFICATION = "高级工程师"
# The approved archive the applicant extracts from, one item per mandatory category.
ARCHIVE = {"教育经历": (ArchiveCategory.EDUCATION, "浙江大学"),
           "工作经历": (ArchiveCategory.WORK, "杭州云栖智能科技有限公司"),
           "考核情况": (ArchiveCategory.ASSESSMENT, "2025年度考核 优秀")}
DETAILS = {
    ArchiveCategory.EDUCATION: {"details": {"major": "计算机科学与技术", "degree": "大学本科"},
                                "start_date": date(2008, 9, 1), "end_date": date(2012, 6, 30)},
    ArchiveCategory.WORK: {"details": {"position": "软件工程师"}, "start_date": date(2012, 7, 1)},
    ArchiveCategory.ASSESSMENT: {"details": {"year": 2025, "result": "优秀"},
                                 "organisation": "云栖智能人力资源部"},
}
REMARK = "考核结果须附单位盖章的年度考核登记表。"
RETURN_REASON = "请补充2025年度考核登记表后重新提交。"
REPLY = "年度考核登记表已作为附件上传。"


def reviewed_applicant(live_server) -> tuple[str, str]:
    """An authorized unit and its applicant whose basic information and archive it approved."""
    with live_server.database():
        unit = factories.unit(name=UNIT_NAME)
        factories.employer(unit)
        person = factories.applicant(
            unit, name=PERSON, with_account=True, profile_status=ReviewStatus.APPROVED,
            highest_education="大学本科", current_title="工程师",
            current_title_date=date(2018, 12, 20))
        for category, title in ARCHIVE.values():
            factories.archive_item(person, ReviewStatus.APPROVED, category, title,
                                   **DETAILS[category])
        return unit.uscc, person.id_number


def test_application_is_returned_resubmitted_and_approved(page, another_browser, live_server):
    uscc, id_number = reviewed_applicant(live_server)
    titles = {label: title for label, (_, title) in ARCHIVE.items()}
    applicant = page

    sign_in(applicant, live_server.url, "个人登录", id_number)
    create_application(applicant, titles, screenshots=True)

    # The unit opens the application from its name and returns it with a remark on one item.
    officer = another_browser()
    sign_in(officer, live_server.url, "用人单位登录", uscc)
    expect(officer.get_by_test_id("count-applications")).to_have_text("1 份")
    open_application_review(officer, PERSON, screenshots=True)
    expect(officer.get_by_role("heading", name=f"{PERSON} · {QUALIFICATION} 待审核")).to_be_visible()
    return_application(officer, PERSON, titles["考核情况"], REMARK, RETURN_REASON)

    # The applicant reads everything to fix at once, then sends it again.
    menu(applicant, "职称申报")
    expect(row(applicant, QUALIFICATION)).to_contain_text("退回修改")
    applicant.get_by_role("link", name=QUALIFICATION, exact=True).click()
    expect(applicant.get_by_test_id("application-status")).to_have_text("退回修改")
    expect(applicant.get_by_test_id("holder")).to_have_text("本人")
    expect(row(applicant, titles["考核情况"]).first).to_contain_text(REMARK)
    expect(applicant.get_by_test_id("timeline")).to_contain_text(RETURN_REASON)
    expect(applicant.get_by_test_id("timeline")).to_contain_text(REMARK)
    remarked = applicant.get_by_test_id("remarked-items")
    expect(row(remarked, titles["考核情况"])).to_contain_text("需修改")
    expect(applicant.get_by_test_id("reextract-notice")).to_contain_text("单位审核通过后才能重新提取")
    shot(applicant, "19-person-application-returned")
    # Resubmitting with the remarked item untouched is refused and names it.
    applicant.get_by_label("诚信承诺", exact=False).check()
    click_confirmed(applicant, applicant.get_by_role("button", name="提交单位审核", exact=True),
                    "确定提交吗？")
    see_message(applicant, f"以下需修改的业绩尚未处理：考核情况「{titles['考核情况']}」")
    answer_remark(applicant, titles["考核情况"], REPLY)
    submit_application(applicant)

    # The unit sees round 2 against round 1, then approves with a ready opinion.
    open_application_review(officer, PERSON)
    expect(officer.get_by_test_id("timeline")).to_contain_text("修改后重新提交")
    changed = row(officer, titles["考核情况"])
    expect(changed).to_contain_text("未修改")
    expect(changed).to_contain_text(REMARK)
    expect(changed).to_contain_text(REPLY)
    expect(row(officer, titles["教育经历"])).to_contain_text("未修改")
    approve_application_with_template(officer, PERSON, QUALIFICATION, screenshots=True)
    see_tab(officer, "待审核 (0)")
    see_tab(officer, "退回修改 (0)")

    menu(applicant, "职称申报")
    expect(row(applicant, QUALIFICATION)).to_contain_text("审核通过")
    shot(applicant, "21-person-applications")
