"""All six seed steps in one go, every step through the browser: registration, authorization,
the archive review, the application review, publicity with an objection, and recommendation to
the acceptance point, which accepts it. The test moves the clock, not the calendar.

Four people, each in a browser of their own and signed in once: the unit's officer
(``page``), the platform admin and the applicant. Signing out and in again is covered by
test_step1_2_authorization.
"""
from datetime import date

from playwright.sync_api import expect

from tests.e2e.flows import (
    ITEM_TITLES,
    accept,
    add_archive_items,
    answer_remark,
    approve_application_with_template,
    approve_authorization,
    approve_profile,
    archive_review_page,
    create_application,
    decide_item,
    dismiss_objection,
    download_publicity_table,
    fill_form,
    fill_profile,
    menu,
    new_id_number,
    new_uscc,
    open_application_review,
    recommend,
    record_objection,
    register_person,
    register_unit,
    return_application,
    row,
    see_message,
    sign_in,
    start_publicity,
    submit_application,
    submit_authorization,
)

UNIT_NAME = "绍兴市镜湖建筑设计研究院有限公司"


def test_whole_workflow(page, another_browser, live_server, problems, tmp_path, clock):
    clock.set(date(2026, 9, 29))  # a Tuesday: the publicity's five working days end on 10/12
    base = live_server.url
    unit = {"name": UNIT_NAME, "uscc": new_uscc(), "contact": "赵敏", "mobile": "13588886666",
            "password": "Jinghu2026ok"}
    person = {"name": "周晓红", "id_number": new_id_number("19900823"), "mobile": "13600002222",
              "password": "Zhouxh2026"}
    officer = page

    # 1–2. The unit registers and sends its 委托证明; the platform admin approves it.
    register_unit(officer, live_server, unit)
    submit_authorization(officer, tmp_path, {"name": "赵敏", "id_number": new_id_number(),
                                             "mobile": unit["mobile"]})
    admin = another_browser()
    sign_in(admin, base, "管理员登录", live_server.admin_username)
    approve_authorization(admin, base, UNIT_NAME, problems)
    officer.reload()  # the whole menu now
    expect(officer.get_by_test_id("authorization-status")).to_contain_text("授权状态：审核通过")
    menu(officer, "首页")
    expect(officer.get_by_test_id("authorization-status")).to_have_text("审核通过")

    # 3. The applicant registers, picks the unit and sends basic information and archive.
    applicant = another_browser()
    register_person(applicant, live_server, person)
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
    answer_remark(applicant, ITEM_TITLES["教育经历"], "学位证书已在学历附件中一并上传。")
    submit_application(applicant)

    open_application_review(officer, person["name"])
    approve_application_with_template(officer, person["name"], "高级工程师")

    # 5. Publicity from 9/29: the earliest end is computed, the 公示表 exported, an objection
    # recorded and found untrue.
    start_publicity(officer, person["name"], "2026-10-12", "2026年10月12日")
    file_name, cells = download_publicity_table(officer)
    assert file_name == f"公示表_{UNIT_NAME}_2026-09-29.xlsx"
    assert person["name"] in cells and person["id_number"] not in " ".join(cells)
    clock.set(date(2026, 10, 9))
    officer.reload()
    record_objection(officer, person["name"], "2026-10-09", "反映其工作经历时间有误。")
    dismiss_objection(officer, person["name"], "经核对劳动合同，工作经历属实，异议不属实。")

    # 6. After the period the unit recommends; the acceptance point accepts.
    clock.set(date(2026, 10, 13))
    recommend(officer, person["name"], live_server.acceptance_point,
              f"{person['name']}同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，"
              "无异议，同意推荐。")
    point = another_browser()
    sign_in(point, base, "受理点登录", live_server.acceptance_username)
    accept(point, person["name"], UNIT_NAME)
    menu(applicant, "职称申报")
    expect(row(applicant, "高级工程师")).to_contain_text("已受理")
