"""Seed steps 1–4 in one go, every step through the browser: registration, authorization,
the archive review and the application review.

Three people, each in a browser of their own and signed in once: the unit's officer
(``page``), the platform admin and the applicant. Signing out and in again is covered by
test_step1_2_authorization.
"""
from playwright.sync_api import expect

from tests.e2e.flows import (
    ITEM_TITLES,
    add_archive_items,
    approve_application_with_template,
    approve_authorization,
    approve_profile,
    archive_review_page,
    create_application,
    decide_item,
    fill_form,
    fill_profile,
    menu,
    new_id_number,
    new_uscc,
    open_application_review,
    register_person,
    register_unit,
    return_application,
    row,
    see_message,
    sign_in,
    submit_application,
    submit_authorization,
)

UNIT_NAME = "绍兴市镜湖建筑设计研究院有限公司"


def test_whole_workflow_steps_1_to_4(page, another_browser, live_server, problems, tmp_path):
    base = live_server.url
    unit = {"name": UNIT_NAME, "uscc": new_uscc(), "contact": "赵敏", "mobile": "13588886666",
            "password": "Jinghu2026ok"}
    person = {"name": "周晓红", "id_number": new_id_number("19900823"), "mobile": "13600002222",
              "password": "Zhouxh2026"}
    officer = page

    # 1–2. The unit registers and sends its 委托证明; the platform admin approves it.
    register_unit(officer, base, unit)
    submit_authorization(officer, tmp_path, {"name": "赵敏", "id_number": new_id_number(),
                                             "mobile": unit["mobile"]})
    admin = another_browser()
    sign_in(admin, base, "管理员登录", live_server.admin_username)
    approve_authorization(admin, base, UNIT_NAME, problems)
    menu(officer, "首页")
    expect(officer.get_by_test_id("authorization-status")).to_have_text("审核通过")

    # 3. The applicant registers, picks the unit and sends basic information and archive.
    applicant = another_browser()
    register_person(applicant, base, person)
    fill_profile(applicant, UNIT_NAME)
    add_archive_items(applicant)

    archive_review_page(officer, person["name"], waiting=3)
    decide_item(officer, ITEM_TITLES["工作经历"], "退回修改", "请写明岗位全称。")
    decide_item(officer, ITEM_TITLES["教育经历"], "通过")
    decide_item(officer, ITEM_TITLES["考核情况"], "通过")
    approve_profile(officer, person["name"])

    menu(applicant, "业绩档案")
    returned = row(applicant, ITEM_TITLES["工作经历"])
    expect(returned).to_contain_text("请写明岗位全称。")
    returned.get_by_role("link", name="修改", exact=True).click()
    fill_form(applicant, {"岗位/职务": "建筑设计所 主任工程师"})
    applicant.get_by_role("button", name="保存并提交审核", exact=True).click()
    see_message(applicant, "已修改并提交单位审核。")

    archive_review_page(officer, person["name"], waiting=1)
    decide_item(officer, ITEM_TITLES["工作经历"], "通过")

    # 4. The application: made, returned once, resubmitted, approved with a ready opinion.
    create_application(applicant, ITEM_TITLES)

    open_application_review(officer, person["name"])
    return_application(officer, person["name"], ITEM_TITLES["教育经历"], "请上传学位证书。",
                       "材料不完整，请补充后重新提交。")

    menu(applicant, "职称申报")
    applicant.get_by_role("link", name="高级工程师", exact=True).click()
    expect(applicant.get_by_test_id("application-status")).to_have_text("退回修改")
    expect(applicant.get_by_test_id("timeline")).to_contain_text("材料不完整，请补充后重新提交。")
    submit_application(applicant)

    open_application_review(officer, person["name"])
    approve_application_with_template(officer, person["name"], "高级工程师")
