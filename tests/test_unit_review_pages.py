"""业绩档案审核 and 申报资料审核 in the unit's area: tabs, decisions, and isolation."""
import re
from datetime import date
from io import BytesIO

import pytest

from models import (
    Application,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    Notification,
    ReviewStatus,
)
from tests import factories
from tests.helpers import post, signed_in
from zcps import workflow
from zcps.extensions import db


@pytest.fixture
def unit_world(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "甲员工", with_account=True,
                                 profile_status=ReviewStatus.PENDING)
    other_unit = factories.unit("乙单位")
    stranger = factories.applicant(other_unit, "乙员工", profile_status=ReviewStatus.PENDING)
    db.session.commit()
    signed_in(client, officer)
    return {"unit": unit, "officer": officer, "person": person, "stranger": stranger}


def tab_counts(page):
    return {label: int(n) for label, n in re.findall(r">(\S+?) \((\d+)\)</a>", page)}


def test_archive_tab_counts_equal_the_rows_in_each_tab(client, unit_world):
    person = unit_world["person"]
    statuses = [ReviewStatus.PENDING] * 3 + [ReviewStatus.APPROVED] * 2 + [
        ReviewStatus.RETURNED, ReviewStatus.REJECTED, ReviewStatus.DRAFT]
    for status in statuses:
        factories.archive_item(person, status, title=f"条目{status.value}")
    factories.archive_item(unit_world["stranger"], ReviewStatus.PENDING, title="别单位条目")
    db.session.commit()
    page = client.get("/unit/unit_archive/").get_data(as_text=True)
    counts = tab_counts(page)
    assert counts["待审核"] == 3 and counts["审核通过"] == 2 and counts["退回修改"] == 1
    assert counts["审核未通过"] == 1 and counts["全部"] == 7  # the draft was never sent
    for tab, expected in (("pending", 3), ("approved", 2), ("returned", 1), ("rejected", 1),
                          ("all", 7)):
        listing = client.get(f"/unit/unit_archive/?tab={tab}").get_data(as_text=True)
        assert listing.count('name="rowid"') == expected, tab
        assert "别单位条目" not in listing


def test_items_are_decided_on_the_applicants_review_page(client, unit_world):
    person = unit_world["person"]
    first = factories.archive_item(person, ReviewStatus.PENDING, title="学历一")
    second = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.WORK, "工作一")
    db.session.commit()
    url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    page = client.get(url).get_data(as_text=True)
    assert "学历一" in page and person.id_number in page
    response = post(client, "/unit/unit_archive/decide/",
                    {"item_id": str(first.id), "decision": "return", "reason": ""}, token_from=url,
                    follow_redirects=True)
    assert "退回修改时必须填写退回原因。" in response.get_data(as_text=True)
    post(client, "/unit/unit_archive/decide/",
         {"item_id": str(first.id), "decision": "return", "reason": "请上传毕业证"}, token_from=url)
    post(client, "/unit/unit_archive/decide/",
         {"item_id": str(second.id), "decision": "approve"}, token_from=url)
    post(client, "/unit/unit_archive/profile/",
         {"applicant_id": str(person.id), "decision": "approve"}, token_from=url)
    db.session.expire_all()
    assert first.status == ReviewStatus.RETURNED and first.remark == "请上传毕业证"
    assert second.status == ReviewStatus.APPROVED
    assert person.profile_status == ReviewStatus.APPROVED
    # The applicant sees the reason on their own page.
    applicant = signed_in(client.application.test_client(), person.account)
    assert "请上传毕业证" in applicant.get("/me/archive/").get_data(as_text=True)
    # Deciding again is refused and changes nothing.
    response = post(client, "/unit/unit_archive/decide/",
                    {"item_id": str(first.id), "decision": "approve"}, token_from=url,
                    follow_redirects=True)
    assert "已被处理" in response.get_data(as_text=True)
    db.session.expire_all()
    assert first.status == ReviewStatus.RETURNED


def test_a_page_of_waiting_items_is_approved_together(client, unit_world):
    items = [factories.archive_item(unit_world["person"], ReviewStatus.PENDING, title=f"批量{n}")
             for n in range(3)]
    db.session.commit()
    response = post(client, "/unit/unit_archive/action/",
                    {"action": "approve", "rowid": [str(item.id) for item in items]},
                    token_from="/unit/unit_archive/", follow_redirects=True)
    assert "已通过 3 项业绩档案。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {item.status for item in items} == {ReviewStatus.APPROVED}


def pending_application(person, papers=2):
    """``person``'s application waiting for the unit, with ``papers`` papers extracted."""
    items = [factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.PAPER,
                                    f"论文{n}") for n in range(papers)]
    application = factories.application(person, ApplicationStatus.PENDING, specialty="软件",
                                        items=items)
    db.session.commit()
    return application


def test_an_application_is_returned_with_item_remarks_and_the_applicant_sees_them(
        client, unit_world):
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    person = unit_world["person"]
    application = pending_application(person)
    db.session.commit()
    listing = client.get("/unit/unit_application/").get_data(as_text=True)
    assert "甲员工" in listing and person.id_number not in listing  # masked in the list
    url = f"/unit/unit_application/review/?id={application.id}"
    page = client.get(url).get_data(as_text=True)
    assert f"经审核，甲员工同志符合{application.qualification.name}任职资格申报条件" in page
    first = application.items[0]
    response = post(client, url, {"id": str(application.id), "decision": "return",
                                  "opinion": "", f"remark-{first.id}": "缺少刊物封面"},
                    token_from=url)
    assert "退回修改时必须填写退回原因。" in response.get_data(as_text=True)
    assert "缺少刊物封面" in response.get_data(as_text=True)  # what was typed is kept
    post(client, url, {"id": str(application.id), "decision": "return",
                       "opinion": "请补充材料", f"remark-{first.id}": "缺少刊物封面"},
         token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.RETURNED
    applicant = signed_in(client.application.test_client(), person.account)
    page = applicant.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert "请补充材料" in page and "缺少刊物封面" in page
    assert "退回原因：</strong>请补充材料" in page  # above the application, not only in its history
    assert db.session.scalar(db.select(db.func.count(Notification.id)).filter_by(
        mobile=person.mobile)) == 1


def test_approval_needs_an_opinion(client, unit_world):
    application = pending_application(unit_world["person"])
    url = f"/unit/unit_application/review/?id={application.id}"
    response = post(client, url, {"id": str(application.id), "decision": "approve",
                                  "opinion": ""}, token_from=url)
    assert "通过时必须填写审核意见。" in response.get_data(as_text=True)
    post(client, url, {"id": str(application.id), "decision": "approve",
                       "opinion": "同意推荐。"}, token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.APPROVED


def test_another_units_ids_are_refused_on_every_review_endpoint(client, unit_world):
    stranger = unit_world["stranger"]
    owner = factories.applicant_account(stranger)
    item = factories.archive_item(stranger, ReviewStatus.PENDING, title="乙条目")
    stored = factories.store_bytes(factories.pdf_bytes(), "乙附件.pdf")
    workflow.attach_file(owner, item, stored)
    paper = factories.archive_item(stranger, ReviewStatus.PENDING, ArchiveCategory.PAPER, "乙论文")
    extracted = factories.store_bytes(factories.pdf_bytes(), "乙论文.pdf")
    workflow.attach_file(owner, paper, extracted)
    workflow.review_item(factories.employer(stranger.unit), paper, "approve")
    application = factories.application(stranger, ApplicationStatus.PENDING, items=[paper])
    assert extracted.id in {file_id for snapshot in application.items
                            for file_id in snapshot.file_ids}
    workflow.save_profile(owner, current_title="高级工程师")  # back to the unit for review
    db.session.commit()
    token_page = "/unit/unit_archive/"
    for url in (f"/unit/unit_archive/review/?applicant_id={stranger.id}",
                f"/unit/unit_archive/file/{stored.id}",
                f"/unit/unit_application/review/?id={application.id}",
                f"/unit/unit_application/file/{application.id}/{extracted.id}",
                f"/unit/unit_application/details/?id={application.id}",
                f"/unit/unit_archive/details/?id={item.id}"):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert "乙" not in response.get_data(as_text=True), url
    for url, data in (("/unit/unit_archive/decide/", {"item_id": str(item.id),
                                                      "decision": "approve"}),
                      ("/unit/unit_archive/profile/", {"applicant_id": str(stranger.id),
                                                       "decision": "approve"}),
                      (f"/unit/unit_application/review/?id={application.id}",
                       {"id": str(application.id), "decision": "approve", "opinion": "同意"}),
                      ("/unit/unit_archive/action/", {"action": "approve",
                                                      "rowid": str(item.id)})):
        assert post(client, url, data, token_from=token_page).status_code == 404, url
    db.session.expire_all()
    assert item.status == ReviewStatus.PENDING
    assert stranger.profile_status == ReviewStatus.PENDING
    assert db.session.get(Application, application.id).status == ApplicationStatus.PENDING
    assert db.session.get(ArchiveItem, item.id).remark == ""


def test_the_unit_home_page_counts_what_waits(client, unit_world, clock):
    person = unit_world["person"]
    factories.archive_item(person, ReviewStatus.PENDING)
    factories.archive_item(person, ReviewStatus.PENDING)
    factories.archive_item(unit_world["stranger"], ReviewStatus.PENDING)
    factories.application(person, ApplicationStatus.PENDING)
    workflow.save_profile(person.account, current_title="高级工程师")  # back to the unit for review
    factories.application(factories.applicant(unit_world["unit"], "甲员工二"),
                          ApplicationStatus.PUBLICIZED)
    factories.application(factories.applicant(unit_world["unit"], "甲员工四"),
                          ApplicationStatus.APPROVED)
    # A running publicity with an open objection, in this unit and in another one.
    for officer, applicant in ((unit_world["officer"],
                                factories.applicant(unit_world["unit"], "甲员工三")),
                               (factories.employer(unit_world["stranger"].unit),
                                unit_world["stranger"])):
        application = factories.application(applicant, ApplicationStatus.APPROVED)
        workflow.start_publicity(officer, [application], date(2026, 9, 29), **factories.OBJECTION)  # the clock's today
        workflow.record_objection(officer, application, "存疑", date(2026, 9, 29))
    db.session.commit()
    page = client.get("/unit/").get_data(as_text=True)
    counts = dict(re.findall(r'data-testid="count-(\w+)">(?:<a href="[^"]*">)?(\d+)', page))
    assert counts == {"archive_people": "1", "profiles": "1", "applications": "1",
                      "to_publicize": "1", "publicities": "1", "objections": "1",
                      "to_recommend": "1"}
    people = client.get("/unit/unit_applicant/?tab=pending").get_data(as_text=True)
    assert "甲员工" in people and "乙员工" not in people


def test_the_unit_home_page_says_what_will_come_when_nothing_waits(app, client):
    unit = factories.unit("空单位")
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    page = client.get("/unit/").get_data(as_text=True)
    assert 'data-testid="nothing-waiting"' in page
    factories.applicant(unit, "新员工", profile_status=ReviewStatus.PENDING)
    db.session.commit()
    page = client.get("/unit/").get_data(as_text=True)
    assert 'data-testid="nothing-waiting"' not in page


def read_xlsx(data: bytes):
    """Cell values and their types, straight from the sheet XML (no reader dependency)."""
    import zipfile
    from xml.etree import ElementTree

    namespace = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(BytesIO(data)) as archive:
        shared = [node.text or "" for node in ElementTree.fromstring(
            archive.read("xl/sharedStrings.xml")).iter(f"{{{namespace['m']}}}t")] \
            if "xl/sharedStrings.xml" in archive.namelist() else []
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{namespace['m']}}}row"):
        values = []
        for cell in row.iter(f"{{{namespace['m']}}}c"):
            assert cell.find("m:f", namespace) is None, "a formula was written"
            kind = cell.get("t")
            if kind == "s":
                values.append(shared[int(cell.find("m:v", namespace).text)])
            elif kind == "inlineStr":
                values.append("".join(t.text or "" for t in cell.iter(f"{{{namespace['m']}}}t")))
            else:
                node = cell.find("m:v", namespace)
                values.append(node.text if node is not None else "")
        rows.append(values)
    return rows


def test_review_lists_export_the_current_tab_as_text_with_masked_numbers(client, unit_world):
    person = unit_world["person"]
    factories.archive_item(person, ReviewStatus.PENDING, title='=HYPERLINK("http://x","点我")')
    factories.archive_item(person, ReviewStatus.APPROVED, title="已通过的")
    factories.archive_item(unit_world["stranger"], ReviewStatus.PENDING, title="乙的条目")
    pending_application(person, papers=0)  # extracts 已通过的, a work and an assessment item
    db.session.commit()
    page = client.get("/unit/unit_archive/").get_data(as_text=True)
    assert "导出Excel" in page
    response = client.get("/unit/unit_archive/export.xlsx?tab=pending")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_xlsx(response.get_data())[2:]  # under the title and the exporter's row
    assert rows[0][0] == "姓名" and len(rows) == 2
    assert rows[1][3] == '=HYPERLINK("http://x","点我")'
    assert rows[1][1] != person.id_number and rows[1][1].startswith(person.id_number[:4] + "*")
    everything = read_xlsx(client.get("/unit/unit_archive/export.xlsx?tab=all").get_data())[2:]
    assert len(everything) == 1 + 4 and "乙的条目" not in str(everything)
    searched = read_xlsx(client.get(
        "/unit/unit_archive/export.xlsx?tab=all&search=没有这个人").get_data())[2:]
    assert len(searched) == 1
    applications = read_xlsx(client.get("/unit/unit_application/export.xlsx").get_data())[2:]
    assert len(applications) == 2 and applications[1][0] == "甲员工"


def test_the_archive_queue_has_one_row_per_person_and_says_what_is_missing(client, unit_world):
    person = unit_world["person"]
    second = factories.applicant(unit_world["unit"], "甲员工二")
    factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.EDUCATION)
    factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.PAPER)
    factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.WORK)
    for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK, ArchiveCategory.ASSESSMENT):
        factories.archive_item(second, ReviewStatus.APPROVED, category)
    factories.archive_item(unit_world["stranger"], ReviewStatus.PENDING)
    db.session.commit()
    page = client.get("/unit/archive-review/").get_data(as_text=True)
    counts = tab_counts(page)
    assert counts["待审核"] == 1 and counts["审核通过"] == 2 and counts["全部"] == 2
    assert page.count("review/?applicant_id=") == 1 and "乙员工" not in page
    row = page.split("甲员工</a>")[1].split("</tr>")[0]
    assert ">2<" in row.replace(" ", "").replace("\n", "")  # two items waiting
    assert "教育经历、考核情况" in row
    everyone = client.get("/unit/archive-review/?tab=all").get_data(as_text=True)
    assert everyone.count("review/?applicant_id=") == 2
    second_row = everyone.split("甲员工二</a>")[1].split("</tr>")[0]
    assert "—" in second_row  # nothing mandatory missing
    by_category = client.get("/unit/archive-review/?tab=all&flt0_0=paper").get_data(as_text=True)
    assert by_category.count("review/?applicant_id=") == 1
    assert client.get(f"/unit/archive-review/details/?id={unit_world['stranger'].id}"
                      ).status_code in (302, 404)


def test_a_unit_keeps_its_own_opinion_templates_but_not_others(client, unit_world):
    from models import OpinionKind, OpinionTemplate
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    shared = db.session.scalar(db.select(OpinionTemplate).where(OpinionTemplate.unit_id.is_(None)))
    theirs = OpinionTemplate(unit_id=unit_world["stranger"].unit_id, kind=OpinionKind.APPROVE,
                             text="乙单位的意见")
    db.session.add(theirs)
    db.session.commit()
    url = "/unit/opinions/new/"
    post(client, url, {"kind": "approve", "text": "本单位：{姓名}同意。", "sort_order": "1"},
         token_from=url)
    own = db.session.scalar(db.select(OpinionTemplate).filter_by(text="本单位：{姓名}同意。"))
    assert own is not None and own.unit_id == unit_world["unit"].id
    listing = client.get("/unit/opinions/").get_data(as_text=True)
    assert "本单位：{姓名}同意。" in listing and "乙单位的意见" not in listing
    assert shared.text not in listing
    for record in (shared, theirs):
        assert client.get(f"/unit/opinions/edit/?id={record.id}").status_code == 302
        post(client, f"/unit/opinions/edit/?id={record.id}", {"kind": "approve", "text": "改"},
             token_from="/unit/opinions/")
        post(client, "/unit/opinions/delete/", {"id": str(record.id)}, token_from="/unit/opinions/")
    db.session.expire_all()
    assert db.session.get(OpinionTemplate, shared.id).text != "改"
    assert db.session.get(OpinionTemplate, theirs.id).text == "乙单位的意见"
    # The unit's own sentence is offered on the review page, filled in.
    application = pending_application(unit_world["person"])
    page = client.get(f"/unit/unit_application/review/?id={application.id}").get_data(
        as_text=True)
    assert "本单位：甲员工同意。" in page and "乙单位的意见" not in page


def test_application_tab_counts_and_bulk_approval_with_the_template_opinion(client, unit_world):
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    unit = unit_world["unit"]
    # One application in progress a year per person: each of its own.
    waiting = [pending_application(person)
               for person in (unit_world["person"], factories.applicant(unit, "甲员工二"))]
    for status in (ApplicationStatus.RETURNED, ApplicationStatus.REJECTED,
                   ApplicationStatus.PUBLICIZING, ApplicationStatus.DRAFT):
        factories.application(factories.applicant(unit), status)
    pending_application(unit_world["stranger"])
    db.session.commit()
    page = client.get("/unit/unit_application/").get_data(as_text=True)
    counts = tab_counts(page)
    assert (counts["待审核"], counts["审核通过"], counts["审核未通过"], counts["退回修改"],
            counts["全部"]) == (2, 1, 1, 1, 5)
    for tab, expected in (("pending", 2), ("approved", 1), ("returned", 1), ("all", 5)):
        listing = client.get(f"/unit/unit_application/?tab={tab}").get_data(as_text=True)
        assert listing.count('name="rowid"') == expected, tab
    response = post(client, "/unit/unit_application/action/",
                    {"action": "approve", "rowid": [str(a.id) for a in waiting]},
                    token_from="/unit/unit_application/", follow_redirects=True)
    assert "已通过 2 份申报" in response.get_data(as_text=True)
    db.session.expire_all()
    for application in waiting:
        assert application.status == ApplicationStatus.APPROVED
        assert application.opinion.startswith(f"经审核，{application.applicant.name}同志符合")


def test_a_form_error_is_shown_beside_its_field_in_chinese(client, unit_world):
    page = post(client, "/unit/opinions/new/", {"kind": "approve", "text": "", "sort_order": "0"},
                token_from="/unit/opinions/new/").get_data(as_text=True)
    assert "请填写内容。" in page
    from models import OpinionTemplate
    assert db.session.scalar(db.select(db.func.count(OpinionTemplate.id))) == 0


def test_the_opinion_kind_is_chosen_by_its_chinese_name(client, unit_world):
    page = client.get("/unit/opinions/new/").get_data(as_text=True)
    assert '<option value="approve">通过</option>' in page.replace(' selected', '')
    assert ">approve<" not in page and ">recommend<" not in page
    post(client, "/unit/opinions/new/", {"kind": "recommend", "text": "同意推荐。",
                                         "sort_order": "1"}, token_from="/unit/opinions/new/")
    from models import OpinionKind, OpinionTemplate
    saved = db.session.scalar(db.select(OpinionTemplate))
    assert saved.kind == OpinionKind.RECOMMEND and saved.unit_id == unit_world["unit"].id


def test_attachments_are_listed_by_their_names_and_open_in_the_browser(client, unit_world):
    person = unit_world["person"]
    owner = factories.applicant_account(person)
    paper = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.PAPER, "论文甲")
    stored = factories.store_bytes(factories.pdf_bytes(), "期刊署名页.pdf")
    workflow.attach_file(owner, paper, stored)
    workflow.review_item(unit_world["officer"], paper, "approve")
    application = factories.application(person, ApplicationStatus.PENDING, items=[paper])
    db.session.commit()
    page = client.get(f"/unit/unit_application/review/?id={application.id}").get_data(
        as_text=True)
    link = re.search(rf'<a class="small" href="(/unit/unit_application/file/{application.id}/'
                     rf'{stored.id})" target="_blank" rel="noopener">([^<]*)</a>', page)
    assert link and link.group(2) == "期刊署名页.pdf"
    response = client.get(link.group(1))
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert disposition.startswith("inline") and "filename*=UTF-8''" in disposition
