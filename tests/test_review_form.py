"""申报评审表 (zcps/review_form.py): one application as the A4 form that is signed, stamped and
filed — read as a user's software reads it, and given only to those who may see it."""
import io
import re
from datetime import date

from pypdf import PdfReader

from models import ApplicationStatus, ArchiveCategory, OrganisationKind, ReviewStatus
from tests import factories
from tests.helpers import page_text, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.review_form import publicity_outcome, review_form_pdf


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def accepted(unit, point, name="王小明"):
    person = factories.applicant(unit, name)
    items = [factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.PAPER,
                                    "基于深度学习的桥梁检测方法", organisation="土木工程学报",
                                    start_date=date(2023, 5, 1)),
             factories.archive_item(person, ReviewStatus.APPROVED, ArchiveCategory.AWARD,
                                    "浙江省科学技术进步奖", organisation="浙江省人民政府",
                                    start_date=date(2022, 12, 1), details={"level": "省部级"})]
    return factories.application(person, ApplicationStatus.ACCEPTED, items=items,
                                 acceptance_point=point, acceptance_opinion="材料齐全，予以受理。")


def test_the_form_holds_every_part_with_its_dates(app, clock):
    unit = factories.unit("杭州测试研究院")
    point = factories.acceptance_point("杭州市职称受理点")
    application = accepted(unit, point)
    db.session.commit()
    pdf = review_form_pdf(application)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages)  # A4
    for page in reader.pages:  # every font embedded (FontFile2)
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()
    text = text_of(pdf)
    person = application.applicant
    for expected in ("专业技术职务任职资格申报评审表", "王小明", person.id_number, "杭州测试研究院",
                     "基于深度学习的桥梁检测方法", "土木工程学报", "浙江省科学技术进步奖",
                     "教育经历", "工作经历", "考核情况", "高级工程师",
                     workflow.DECLARATION.replace(" ", ""), "申报人确认时间：",
                     "六、单位审核意见", application.opinion, "审核单位（签字、盖章）",
                     "七、公示情况", "公示期满，无异议", "八、单位推荐意见",
                     application.recommendation_opinion, "推荐单位（签字、盖章）",
                     "材料齐全，予以受理。", "杭州市职称受理点"):
        assert expected.replace(" ", "") in text, expected
    declared = application.declared_at
    assert declared is not None and application.submitted_at is not None
    assert re.search(r"申报人确认时间：\d{4}年\d{1,2}月\d{1,2}日\d{2}:\d{2}", text)


def test_the_publicity_outcome_says_what_an_upheld_objection_did(app, clock):
    unit = factories.unit("杭州测试研究院")
    application = factories.application(factories.applicant(unit), ApplicationStatus.PUBLICIZING)
    officer = factories.employer(unit)
    assert publicity_outcome(application).endswith("公示中。")
    objection = workflow.record_objection(officer, application, "反映材料不实。",
                                          application.publicity.start_date)
    assert publicity_outcome(application).endswith("有异议待处理。")
    workflow.resolve_objection(officer, objection, "not_recommend", "经核查属实。")
    db.session.commit()
    assert publicity_outcome(application).endswith("异议属实，不予推荐。")
    assert "异议属实，不予推荐" in text_of(review_form_pdf(application))


def test_each_role_downloads_only_the_forms_it_may_see(app, clock):
    unit, other_unit = factories.unit("甲单位"), factories.unit("乙单位")
    point, other_point = factories.acceptance_point("甲受理点"), factories.acceptance_point("乙受理点")
    application = accepted(unit, point)
    other = factories.application(factories.applicant(other_unit, "乙员工", with_account=True),
                                  ApplicationStatus.PENDING)
    person = application.applicant
    factories.applicant_account(person)
    db.session.commit()
    cases = [
        (factories.applicant_account(person), f"/me/applications/{application.id}/review-form",
         f"/me/applications/{other.id}/review-form"),
        (factories.employer(unit), f"/unit/unit_application/review-form/{application.id}",
         f"/unit/unit_application/review-form/{other.id}"),
        (factories.acceptance_account(point), f"/acceptance/inbox/review-form/{application.id}",
         f"/acceptance/inbox/review-form/{other.id}"),
    ]
    db.session.commit()
    for account, own, foreign in cases:
        client = signed_in(app.test_client(), account)
        response = client.get(own)
        assert response.status_code == 200, own
        assert response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "王小明" in text_of(response.data)
        assert client.get(foreign).status_code == 404, foreign
    stranger = signed_in(app.test_client(), factories.acceptance_account(other_point))
    assert stranger.get(f"/acceptance/inbox/review-form/{application.id}").status_code == 404


def fonts_embedded(pdf: bytes) -> bool:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return all("/FontFile2" in font.get_object()["/FontDescriptor"].get_object()
               for page in reader.pages for font in page["/Resources"]["/Font"].values())


def two_level_route():
    """受理点 ← 区县人社 ← 主管部门, and a unit bound to the 主管部门, with one account each."""
    point = factories.acceptance_point("杭州市职称受理点")
    county = factories.reviewing_level("西湖区人社局", OrganisationKind.COUNTY)
    department = factories.reviewing_level("杭州市示例主管局", parent=county)
    unit = factories.unit("杭州测试研究院")
    unit.supervisor_id = department.id
    db.session.commit()
    return point, county, department, unit


def test_each_level_of_the_route_has_its_box_with_its_opinion_and_date(app, clock):
    point, county, department, unit = two_level_route()
    person = factories.applicant(unit, "王小明", with_account=True)
    application = factories.application(person, ApplicationStatus.PUBLICIZED)
    db.session.commit()
    workflow.recommend_application(factories.employer(unit), application, point,
                                   factories.REASONS["recommend"])
    db.session.commit()
    waiting_text = text_of(review_form_pdf(application))
    for heading in ("九、主管部门审核意见—杭州市示例主管局", "十、区县人社审核意见—西湖区人社局"):
        assert heading in waiting_text, heading
    assert waiting_text.count("（签字、盖章）") == 4  # 审核单位, 推荐单位 and both levels
    workflow.pass_on(factories.acceptance_account(department), application,
                     "经审核，推荐材料齐全，同意报送。")
    db.session.commit()

    pdf = review_form_pdf(application)
    assert fonts_embedded(pdf)
    text = text_of(pdf)
    department_box = text[text.index("九、主管部门审核意见"):text.index("十、区县人社审核意见")]
    county_box = text[text.index("十、区县人社审核意见"):]
    assert "杭州市示例主管局" in department_box
    assert "经审核，推荐材料齐全，同意报送。" in department_box
    assert "主管部门（签字、盖章）2026年9月29日" in department_box
    assert "西湖区人社局" in county_box
    assert "同意报送" not in county_box and "2026年" not in county_box  # still to write
    assert "区县人社（签字、盖章）年月日" in county_box
    assert "受理点意见" not in text
    # The next level reads, in the timeline, which level passed it on with what opinion.
    client = signed_in(app.test_client(), factories.acceptance_account(county))
    page = page_text(client.get(f"/acceptance/inbox/review/?id={application.id}"))
    passed = page[page.index("杭州市示例主管局"):]
    assert "审核机构通过" in passed and "经审核，推荐材料齐全，同意报送。" in passed


def test_a_level_that_returned_it_shows_its_reason_in_its_own_box(app, clock):
    point, county, department, unit = two_level_route()
    application = factories.application(factories.applicant(unit, "王小明"),
                                        ApplicationStatus.PUBLICIZED)
    db.session.commit()
    workflow.recommend_application(factories.employer(unit), application, point,
                                   factories.REASONS["recommend"])
    workflow.pass_on(factories.acceptance_account(department), application, "")
    workflow.return_from_level(factories.acceptance_account(county), application,
                               "缺少继续教育证明。")
    db.session.commit()
    text = text_of(review_form_pdf(application))
    department_box = text[text.index("九、主管部门审核意见"):text.index("十、区县人社审核意见")]
    assert "通过" in department_box and "2026年9月29日" in department_box
    assert "退回：缺少继续教育证明。" in text[text.index("十、区县人社审核意见"):]
    assert "受理点意见" not in text  # the level's return is no acceptance decision


def test_without_levels_the_acceptance_point_box_keeps_its_number(app, clock):
    unit = factories.unit("杭州测试研究院")
    application = accepted(unit, factories.acceptance_point("杭州市职称受理点"))
    db.session.commit()
    text = text_of(review_form_pdf(application))
    assert "审核意见—" not in text
    assert "九、受理点意见材料齐全，予以受理。" in text
