"""申报评审表 (zcps/review_form.py): one application as the A4 form that is signed, stamped and
filed — read as a user's software reads it, and given only to those who may see it."""
import io
import re
from datetime import date

from pypdf import PdfReader

from models import ApplicationStatus, ArchiveCategory, ReviewStatus
from tests import factories
from tests.helpers import signed_in
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
