"""Bad input that used to be a server error (issue 14, finding 9): a 4xx or a Chinese form
message instead, and nothing changed."""
import pytest

from models import ApplicationStatus, Publicity, ReviewStatus
from tests import factories
from tests.helpers import csrf_token, every_row, post, signed_in
from zcps.extensions import db


@pytest.fixture
def unit_world(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "甲员工", profile_status=ReviewStatus.PENDING)
    factories.archive_item(person, ReviewStatus.PENDING)
    db.session.commit()
    signed_in(client, officer)
    return {"unit": unit, "officer": officer, "person": person}


def test_an_item_remark_with_no_item_id_is_a_bad_request_and_changes_nothing(client, unit_world):
    from tests.test_unit_review_pages import pending_application

    application = pending_application(unit_world["person"])
    url = f"/unit/unit_application/review/?id={application.id}"
    token = csrf_token(client, url)
    before = every_row()
    response = client.post(url, data={"csrf_token": token, "id": str(application.id),
                                      "decision": "return", "opinion": "请补充材料",
                                      "remark-abc": "x"})
    assert response.status_code == 400
    assert "提交的内容无法处理" in response.get_data(as_text=True)
    assert every_row() == before


FAR_FUTURE = "9999-12-25"


@pytest.mark.parametrize("query", [f"start={FAR_FUTURE}", "start=9999-12-31",
                                   "start=2026-09-29&end=9999-12-31"])
def test_the_publicity_period_of_dates_no_calendar_reaches_is_answered(client, unit_world, clock,
                                                                        query):
    response = client.get(f"/unit/publicity/period/?{query}")
    assert response.status_code < 500
    if "end=" in query:  # the end typed is too late to count: the earliest end stands
        assert response.json["earliest_end"] == "2026-10-12"
    else:
        assert response.status_code == 400
        assert response.json["error"] == "公示开始日期过晚，无法计算公示期。"


# A start more than 60 days ahead is refused before any period is counted (the start is bound).
TOO_FAR = "公示开始日期不能晚于"


@pytest.mark.parametrize("start_day, end_day, message", [
    (FAR_FUTURE, "", TOO_FAR),
    ("9999-12-31", "9999-12-31", TOO_FAR),
    ("2026-09-29", "9999-12-31", "公示期过长，请检查公示结束日期。"),
])
def test_a_publicity_with_dates_no_calendar_reaches_is_a_form_error(client, unit_world, clock,
                                                                    start_day, end_day, message):
    person = factories.applicant(unit_world["unit"], "乙员工")
    application = factories.application(person, ApplicationStatus.APPROVED)
    db.session.commit()
    before = every_row()
    page = post(client, f"/unit/publicity/start/?ids={application.id}",
                {"ids": str(application.id), "start_date": start_day, "end_date": end_day,
                 "objection_contact": "人事处", **factories.OBJECTION},
                token_from=f"/unit/publicity/start/?ids={application.id}")
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert every_row() == before
    assert db.session.scalar(db.select(db.func.count(Publicity.id))) == 0


def test_the_entrustment_certificate_of_a_name_with_line_breaks_downloads(client):
    from tests.test_authorization import OFFICER

    unit = factories.unit("新\r\n单位\n名称", authorized=False)
    account = factories.employer(unit)
    db.session.commit()
    signed_in(client, account)
    response = client.post("/unit/authorization/", data={
        **OFFICER, "action": "download", "csrf_token": csrf_token(client, "/unit/authorization/")})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "attachment" in disposition


@pytest.mark.parametrize("name, expected", [
    ("委托证明_甲\r\n单位.pdf", "委托证明_甲 单位.pdf"), ("公示表_a/b\\c.xlsx", "公示表_a_b_c.xlsx"),
    ("x\u2028y\x7f.pdf", "x y .pdf"), ("\n", "download"),
])
def test_every_download_name_is_one_header_line(name, expected):
    from zcps.exports import attachment_name

    assert attachment_name(name) == expected
