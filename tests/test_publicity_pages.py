"""信息公示, 异议, 资格审查推荐 and the 受理点 inbox through their pages: paths, refusals, isolation."""
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models import (
    Application,
    ApplicationStatus,
    Objection,
    ObjectionStatus,
    Publicity,
)
from tests import factories
from tests.helpers import page_text, post, signed_in
from zcps import workflow
from zcps.extensions import db

POSTED = date(2026, 9, 29)
ENDED = date(2026, 10, 13)


@pytest.fixture
def world(app, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "甲员工")
    application = factories.application(person, ApplicationStatus.APPROVED)
    other_unit = factories.unit("乙单位")
    other_officer = factories.employer(other_unit)
    stranger = factories.applicant(other_unit, "乙员工")
    other_application = factories.application(stranger, ApplicationStatus.APPROVED)
    point = factories.acceptance_point("甲受理点")
    point_account = factories.acceptance_account(point)
    other_point = factories.acceptance_point("乙受理点")
    other_point_account = factories.acceptance_account(other_point)
    db.session.commit()
    return dict(unit=unit, officer=officer, person=person, application=application,
                other_officer=other_officer, other_application=other_application, point=point,
                point_account=point_account, other_point=other_point,
                other_point_account=other_point_account)


def tab_counts(page):
    return {label: int(n) for label, n in re.findall(r">(\S+?) \((\d+)\)</a>", page)}


def flashes(page):
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)<', page, re.S))


def start(client, application, start_day="2026-09-29", end_day="", **objection):
    return post(client, "/unit/publicity/start/",
                {"ids": str(application.id), "start_date": start_day, "end_date": end_day,
                 "objection_contact": "人事处 0571-88000001", **factories.OBJECTION, **objection},
                token_from="/unit/publicity/start/", follow_redirects=True)


def publicized(world, officer_account=None, application=None):
    """A publicity started through the workflow for the given unit's application."""
    publicity = workflow.start_publicity(officer_account or world["officer"],
                                         [application or world["application"]], POSTED, **factories.OBJECTION)
    db.session.commit()
    return publicity


def carried_file(application, name="学位证书.pdf"):
    """A stored PDF attached to one of the application's extracted items: the file id."""
    from models import ApplicationItem, ArchiveCategory
    from zcps.storage import store_bytes

    stored = store_bytes(factories.pdf_bytes(), name)
    db.session.add(ApplicationItem(application_id=application.id,
                                   category=ArchiveCategory.EDUCATION, title="浙江大学",
                                   file_ids=[stored.id]))
    db.session.commit()
    return stored.id


# --- 信息公示 ---------------------------------------------------------------------------------

def test_the_bulk_action_opens_the_publicity_form_with_the_ticked_applications(client, world):
    signed_in(client, world["officer"])
    response = post(client, "/unit/unit_application/action/",
                    {"action": "publicize", "rowid": str(world["application"].id)},
                    token_from="/unit/unit_application/?tab=approved")
    assert response.status_code == 302
    assert f"/unit/publicity/start/?ids={world['application'].id}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "甲员工" in page and "2026年10月12日" in page and "乙员工" not in page


def test_the_form_shows_the_earliest_end_for_a_start_date(client, world):
    signed_in(client, world["officer"])
    data = client.get("/unit/publicity/period/?start=2026-09-29").get_json()
    assert data["earliest_end"] == "2026-10-12" and data["warnings"] == []
    data = client.get("/unit/publicity/period/?start=2027-03-01").get_json()
    assert data["earliest_end"] == "2027-03-08" and "2027年" in data["warnings"][0]
    assert client.get("/unit/publicity/period/?start=not-a-date").status_code == 400


def test_starting_a_publicity_moves_the_application_and_shows_the_batch(client, world):
    signed_in(client, world["officer"])
    page = page_text(start(client, world["application"]))
    assert "已开始公示：1人" in page
    assert "2026年9月29日 — 2026年10月12日" in page and "5个工作日" in page
    db.session.expire_all()
    application = db.session.get(Application, world["application"].id)
    assert application.status == ApplicationStatus.PUBLICIZING
    listing = client.get("/unit/publicity/").get_data(as_text=True)
    assert tab_counts(listing)["公示中"] == 1
    assert 'href="/unit/publicity/start/">新建公示</a>' in listing


def test_the_batch_page_shows_where_objections_are_received(client, world):
    signed_in(client, world["officer"])
    page = page_text(start(client, world["application"]))
    assert "0571-88000000" in page and "杭州市西湖区文三路1号 人事处" in page


@pytest.mark.parametrize("objection,message", [
    ({"objection_phone": ""}, "请填写异议受理电话（如0571-88000001）。"),
    ({"objection_phone": "人事处"}, "异议受理电话格式不正确"),
    ({"objection_phone": "12345"}, "异议受理电话格式不正确"),
    ({"objection_address": "  "}, "请填写异议受理地址（接收书面异议的地址）。"),
    ({"objection_address": "路" * 201}, "异议受理地址不超过200字。"),
])
def test_a_publicity_needs_the_phone_and_address_for_objections(client, world, objection,
                                                                 message):
    signed_in(client, world["officer"])
    page = start(client, world["application"], **objection).get_data(as_text=True)
    assert message in page
    assert "人事处 0571-88000001" in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.APPROVED
    assert db.session.scalar(db.select(db.func.count(Publicity.id))) == 0


def test_a_landline_with_extension_or_a_mobile_is_a_phone(client, world):
    for phone in ("0571-88000001转8001", "13800000001", "（0571）88000001"):
        assert workflow.objection_phone_number(phone) == phone


def test_an_end_before_the_earliest_is_refused_and_what_was_typed_is_kept(client, world):
    signed_in(client, world["officer"])
    page = start(client, world["application"], end_day="2026-10-09").get_data(as_text=True)
    assert "公示结束日期不能早于10月12日" in page
    assert 'value="2026-10-09"' in page and "人事处 0571-88000001" in page
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.APPROVED
    assert db.session.scalar(db.select(db.func.count(Publicity.id))) == 0


def test_bad_dates_get_a_chinese_message_not_an_error(client, world):
    signed_in(client, world["officer"])
    for start_day, end_day, message in (("", "", "请填写公示开始日期"),
                                        ("2026-02-30", "", "请填写公示开始日期"),
                                        ("2026-09-29", "10/12", "公示结束日期格式不正确"),
                                        ("2026-09-28", "", "不能早于今天")):
        response = start(client, world["application"], start_day, end_day)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Publicity.id))) == 0


def test_the_export_is_the_publicity_table_with_a_chinese_name(client, world):
    world["application"].profile_snapshot = workflow.profile_snapshot(world["person"])
    publicity = publicized(world)
    signed_in(client, world["officer"])
    response = client.get(f"/unit/publicity/export/{publicity.id}")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%85%AC%E7%A4%BA%E8%A1%A8" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert any("甲单位" in str(value) and "公示表" in str(value) for value in values)
    assert "甲员工" in values and world["person"].id_number not in values


# --- 异议 -------------------------------------------------------------------------------------

def test_an_objection_is_recorded_and_dismissed_on_the_batch_page(client, world, clock):
    publicity = publicized(world)
    signed_in(client, world["officer"])
    details = f"/unit/publicity/details/?id={publicity.id}"
    page = post(client, "/unit/publicity/objection/",
                {"application_id": str(world["application"].id), "content": "论文署名存疑",
                 "received_on": "2026-09-29", "raised_by": "匿名来信"},
                token_from=details, follow_redirects=True).get_data(as_text=True)
    assert "已登记对甲员工的异议" in page and "1条待处理" in page
    objection = db.session.scalar(db.select(Objection))
    page = post(client, "/unit/publicity/objection/resolve/",
                {"objection_id": str(objection.id), "resolution": "dismiss",
                 "resolution_text": ""}, token_from=details,
                follow_redirects=True).get_data(as_text=True)
    assert "请填写核查情况" in page
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == ObjectionStatus.OPEN
    page = post(client, "/unit/publicity/objection/resolve/",
                {"objection_id": str(objection.id), "resolution": "dismiss",
                 "resolution_text": "经核实，署名无误。"}, token_from=details,
                follow_redirects=True).get_data(as_text=True)
    assert "异议已处理：不属实" in page
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == ObjectionStatus.DISMISSED


def test_an_objection_with_an_empty_content_or_a_bad_date_is_refused(client, world):
    publicity = publicized(world)
    signed_in(client, world["officer"])
    details = f"/unit/publicity/details/?id={publicity.id}"
    for content, received, message in (("", "2026-09-29", "请填写异议内容"),
                                       ("存疑", "", "请填写收到异议的日期"),
                                       ("存疑", "2026-09-01", "应在公示期内")):
        page = post(client, "/unit/publicity/objection/",
                    {"application_id": str(world["application"].id), "content": content,
                     "received_on": received, "raised_by": "实名来信"}, token_from=details,
                    follow_redirects=True).get_data(as_text=True)
        assert message in page
        # What was typed is still in the form.
        assert f">{content}</textarea>" in page and 'value="实名来信"' in page
        assert f'value="{received}"' in page
    assert db.session.scalar(db.select(db.func.count(Objection.id))) == 0


# --- 资格审查推荐 ------------------------------------------------------------------------------

def test_recommending_a_day_early_is_refused_with_the_date(client, world, clock):
    publicized(world)
    signed_in(client, world["officer"])
    clock(date(2026, 10, 12))
    url = f"/unit/recommendation/recommend/?ids={world['application'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "2026年10月13日起方可推荐" in page
    page = post(client, url, {"ids": str(world["application"].id),
                              "acceptance_point_id": str(world["point"].id),
                              f"opinion-{world['application'].id}": "同意推荐"},
                token_from=url).get_data(as_text=True)
    assert "2026年10月13日起方可推荐" in page
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.PUBLICIZING


def test_recommending_after_the_period_with_the_template_opinion(client, world, clock):
    from zcps.catalogue import seed_opinion_templates

    seed_opinion_templates()
    publicized(world)
    signed_in(client, world["officer"])
    clock(ENDED)
    listing = client.get("/unit/recommendation/").get_data(as_text=True)
    assert tab_counts(listing)["待推荐"] == 1 and "公示期满" in listing
    url = f"/unit/recommendation/recommend/?ids={world['application'].id}"
    page = client.get(url).get_data(as_text=True)
    opinion = "甲员工同志的申报材料已于9月29日至10月12日在本单位公示5个工作日，无异议，同意推荐。"
    assert opinion in page
    page = post(client, url, {"ids": str(world["application"].id),
                              f"opinion-{world['application'].id}": opinion},
                token_from=url).get_data(as_text=True)
    assert "请选择受理点" in page
    page = post(client, url, {"ids": str(world["application"].id),
                              "acceptance_point_id": str(world["point"].id),
                              f"opinion-{world['application'].id}": opinion},
                token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "已推荐至甲受理点：甲员工" in page and tab_counts(page)["已推荐"] == 1
    db.session.expire_all()
    application = db.session.get(Application, world["application"].id)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.recommendation_opinion == opinion


def test_recommending_with_an_open_objection_is_refused_on_the_page(client, world, clock):
    publicized(world)
    workflow.record_objection(world["officer"], world["application"], "存疑", POSTED)
    db.session.commit()
    signed_in(client, world["officer"])
    clock(ENDED)
    url = f"/unit/recommendation/recommend/?ids={world['application'].id}"
    assert "未处理的异议" in client.get(url).get_data(as_text=True)


# --- 受理点 -----------------------------------------------------------------------------------

def recommended(world, clock):
    publicized(world)
    clock(ENDED)
    workflow.recommend_application(world["officer"], world["application"], world["point"],
                                   "同意推荐。")
    db.session.commit()


def test_the_acceptance_point_accepts_from_its_inbox(client, world, clock):
    recommended(world, clock)
    signed_in(client, world["point_account"])
    inbox = client.get("/acceptance/inbox/").get_data(as_text=True)
    counts = tab_counts(inbox)
    assert [counts[tab] for tab in ("待受理", "已受理", "已退回", "全部")] == [1, 0, 0, 1]
    assert "甲员工" in inbox and world["person"].id_number not in inbox
    url = f"/acceptance/inbox/review/?id={world['application'].id}"
    page = page_text(client.get(url))
    assert "同意推荐。" in page and "2026年9月29日 — 2026年10月12日" in page
    assert "开始公示" in page and "公示期满" in page  # the whole timeline, not only its last step
    assert "再次推荐" not in page  # recommended once: nothing to compare
    page = post(client, url, {"id": str(world["application"].id), "decision": "accept"},
                token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "甲员工的申报已受理" in page and tab_counts(page)["已受理"] == 1


def test_returning_needs_a_reason_and_the_unit_can_recommend_again(client, world, clock):
    recommended(world, clock)
    signed_in(client, world["point_account"])
    url = f"/acceptance/inbox/review/?id={world['application'].id}"
    page = post(client, url, {"id": str(world["application"].id), "decision": "return",
                              "opinion": ""}, token_from=url).get_data(as_text=True)
    assert "退回时必须填写退回原因" in page
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.RECOMMENDED
    post(client, url, {"id": str(world["application"].id), "decision": "return",
                       "opinion": "缺推荐表"}, token_from=url)
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.ACCEPTANCE_RETURNED
    unit_client = client.application.test_client()
    signed_in(unit_client, world["officer"])
    listing = unit_client.get("/unit/recommendation/?tab=returned").get_data(as_text=True)
    assert "甲员工" in listing and tab_counts(listing)["待推荐"] == 1
    again = f"/unit/recommendation/recommend/?ids={world['application'].id}"
    post(unit_client, again, {"ids": str(world["application"].id),
                              "acceptance_point_id": str(world["point"].id),
                              f"opinion-{world['application'].id}": "已补推荐表，同意推荐。"},
         token_from=again)
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.RECOMMENDED
    # The point reads the new recommendation against the reason it returned the last one.
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="recommended-again"' in page
    comparison = page.split('data-testid="recommended-again"')[1].split("</div>")[0]
    comparison = "".join(page_text(comparison).split())
    assert "上次退回原因缺推荐表（2026年10月13日10:00）" in comparison
    assert "本次推荐意见已补推荐表，同意推荐。" in comparison


def test_an_unknown_decision_is_a_bad_request_and_changes_nothing(client, world, clock):
    recommended(world, clock)
    signed_in(client, world["point_account"])
    url = f"/acceptance/inbox/review/?id={world['application'].id}"
    for decision in ("x", ""):
        assert post(client, url, {"id": str(world["application"].id), "decision": decision,
                                  "opinion": "缺推荐表"}, token_from=url).status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, world["application"].id).status == \
        ApplicationStatus.RECOMMENDED


def returned_by_the_point(world, clock):
    recommended(world, clock)
    workflow.return_to_unit(world["point_account"], world["application"], "缺少学历证明")
    db.session.commit()


def test_the_unit_hands_an_acceptance_return_to_the_applicant(client, world, clock):
    returned_by_the_point(world, clock)
    signed_in(client, world["officer"])
    application_id = world["application"].id
    url = f"/unit/recommendation/recommend/?ids={application_id}"
    page = client.get(url).get_data(as_text=True)
    assert "缺少学历证明" in page and 'data-testid="return-to-applicant"' in page
    page = post(client, "/unit/recommendation/return/",
                {"id": str(application_id), "return_reason": "  "},
                token_from=url).get_data(as_text=True)
    assert "退回修改时必须填写退回原因" in page and 'data-testid="return-to-applicant"' in page
    db.session.expire_all()
    assert db.session.get(Application, application_id).status == \
        ApplicationStatus.ACCEPTANCE_RETURNED
    page = post(client, "/unit/recommendation/return/",
                {"id": str(application_id), "return_reason": "请补充学历证明"},
                token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "已将甲员工的申报退回申报人修改" in page
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.status == ApplicationStatus.RETURNED
    assert application.opinion == "请补充学历证明"
    # A second click reads why nothing happened.
    page = post(client, "/unit/recommendation/return/",
                {"id": str(application_id), "return_reason": "请补充学历证明"},
                token_from="/unit/recommendation/", follow_redirects=True).get_data(as_text=True)
    assert "只有受理点或审核机构退回的申报可以退回申报人修改" in page
    # The applicant now holds it: it has left the point's inbox, its pages and its export.
    point = client.application.test_client()
    signed_in(point, world["point_account"])
    inbox = point.get("/acceptance/inbox/?tab=all").get_data(as_text=True)
    assert "甲员工" not in inbox and tab_counts(inbox)["全部"] == 0
    assert point.get(f"/acceptance/inbox/review/?id={application_id}").status_code == 404
    export = load_workbook(BytesIO(point.get("/acceptance/inbox/export.xlsx").data)).active
    assert export.max_row == 3  # the title, the exporter and the header row alone


def test_only_an_acceptance_return_of_ones_own_unit_goes_back_to_the_applicant(
        client, world, clock):
    recommended(world, clock)
    application_id = world["application"].id
    signed_in(client, world["officer"])
    url = f"/unit/recommendation/recommend/?ids={application_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="return-to-applicant"' not in page  # not returned by the point
    page = post(client, "/unit/recommendation/return/",
                {"id": str(application_id), "return_reason": "请补充"}, token_from=url,
                follow_redirects=True).get_data(as_text=True)
    assert "只有受理点或审核机构退回的申报可以退回申报人修改" in page
    workflow.return_to_unit(world["point_account"], world["application"], "缺少学历证明")
    db.session.commit()
    other = client.application.test_client()
    signed_in(other, world["other_officer"])
    for value in (str(application_id), "abc", ""):
        assert post(other, "/unit/recommendation/return/",
                    {"id": value, "return_reason": "请补充"},
                    token_from="/unit/recommendation/").status_code == 404, value
    point = client.application.test_client()
    signed_in(point, world["point_account"])
    assert post(point, "/unit/recommendation/return/",
                {"id": str(application_id), "return_reason": "请补充"},
                token_from="/acceptance/inbox/").status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, application_id).status == \
        ApplicationStatus.ACCEPTANCE_RETURNED


def test_one_acceptance_point_cannot_see_or_act_on_anothers_inbox(client, world, clock):
    file_id = carried_file(world["application"])
    recommended(world, clock)
    signed_in(client, world["other_point_account"])
    application_id = world["application"].id
    inbox = client.get("/acceptance/inbox/?tab=all").get_data(as_text=True)
    assert "甲员工" not in inbox and tab_counts(inbox)["全部"] == 0
    export = load_workbook(BytesIO(client.get("/acceptance/inbox/export.xlsx").data)).active
    assert export.max_row == 3  # the title, the exporter and the header row alone
    token_page = "/acceptance/inbox/"
    assert client.get(f"/acceptance/inbox/review/?id={application_id}").status_code == 404
    assert client.get(f"/acceptance/inbox/file/{application_id}/{file_id}").status_code == 404
    assert post(client, f"/acceptance/inbox/review/?id={application_id}",
                {"id": str(application_id), "decision": "accept"},
                token_from=token_page).status_code == 404
    assert post(client, "/acceptance/inbox/action/", {"action": "accept",
                                                      "rowid": str(application_id)},
                token_from=token_page).status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application_id).status == ApplicationStatus.RECOMMENDED


# --- isolation between units ------------------------------------------------------------------

def test_a_unit_cannot_reach_another_units_publicity_objections_or_recommendations(
        client, world, clock):
    file_id = carried_file(world["other_application"])
    other_publicity = publicized(world, world["other_officer"], world["other_application"])
    objection = workflow.record_objection(world["other_officer"], world["other_application"],
                                          "存疑", POSTED)
    db.session.commit()
    signed_in(client, world["officer"])
    other_id = world["other_application"].id
    listing = client.get("/unit/publicity/?tab=all").get_data(as_text=True)
    assert "乙单位" not in listing and tab_counts(listing)["全部"] == 0
    for url in (f"/unit/publicity/details/?id={other_publicity.id}",
                f"/unit/publicity/export/{other_publicity.id}",
                f"/unit/recommendation/recommend/?ids={other_id}",
                f"/unit/recommendation/file/{other_id}/{file_id}"):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert "乙员工" not in response.get_data(as_text=True), url
    assert "乙员工" not in client.get("/unit/recommendation/?tab=all").get_data(as_text=True)
    token_page = "/unit/publicity/"
    for url, data in (
            ("/unit/publicity/start/", {"ids": str(other_id), "start_date": "2026-09-29"}),
            ("/unit/publicity/objection/", {"application_id": str(other_id), "content": "x",
                                            "received_on": "2026-09-29"}),
            ("/unit/publicity/objection/resolve/", {"objection_id": str(objection.id),
                                                    "resolution": "not_recommend",
                                                    "resolution_text": "属实"}),
            (f"/unit/recommendation/recommend/?ids={other_id}",
             {"ids": str(other_id), "acceptance_point_id": str(world["point"].id),
              f"opinion-{other_id}": "同意"}),
            ("/unit/recommendation/action/", {"action": "recommend", "rowid": str(other_id)})):
        assert post(client, url, data, token_from=token_page).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Application, other_id).status == ApplicationStatus.PUBLICIZING
    assert db.session.get(Objection, objection.id).status == ObjectionStatus.OPEN
    assert db.session.scalar(db.select(db.func.count(Objection.id))) == 1


def test_other_roles_cannot_open_the_units_publicity_pages(client, world):
    signed_in(client, world["point_account"])
    for url in ("/unit/publicity/", "/unit/publicity/start/", "/unit/recommendation/"):
        assert client.get(url).status_code == 403, url


def test_a_unit_not_yet_authorized_is_sent_to_its_entrustment(client, app):
    unit = factories.unit("未授权单位", authorized=False)
    officer = factories.employer(unit)
    db.session.commit()
    signed_in(client, officer)
    response = client.get("/unit/publicity/start/")
    assert response.status_code == 302 and "/unit/authorization" in response.headers["Location"]


def test_the_guide_walks_through_the_six_steps_and_is_linked_from_home(client, world):
    signed_in(client, world["officer"])
    home = client.get("/unit/").get_data(as_text=True)
    assert 'href="/unit/guide/"' in home
    page = client.get("/unit/guide/").get_data(as_text=True)
    steps = re.findall(r'badge-primary mr-2">(\d)</span>(.*?)</h2>', page)
    assert [title for _, title in steps] == ["注册", "授权审核（委托证明）", "业绩档案审核",
                                             "申报资料审核", "信息公示", "资格审查推荐"]
    assert 'href="/unit/publicity/"' in page and 'href="/unit/recommendation/"' in page


def test_the_guide_is_open_before_authorization(client, app):
    unit = factories.unit("新单位", authorized=False)
    officer = factories.employer(unit)
    db.session.commit()
    signed_in(client, officer)
    page = client.get("/unit/guide/")
    assert page.status_code == 200
    assert "前往信息公示" not in page.get_data(as_text=True)
    assert "前往委托证明" in page.get_data(as_text=True)


def test_an_empty_tab_says_so_in_chinese(client, world):
    signed_in(client, world["point_account"])
    assert "「待受理」中暂无记录。" in client.get("/acceptance/inbox/").get_data(as_text=True)
    assert "暂无记录。" in client.get("/acceptance/inbox/?tab=all").get_data(as_text=True)


def test_the_all_tab_of_recommendation_counts_only_what_it_lists(client, world):
    factories.application(factories.applicant(world["unit"]), ApplicationStatus.PENDING)
    factories.application(factories.applicant(world["unit"]), ApplicationStatus.REJECTED)
    publicized(world)
    signed_in(client, world["officer"])
    page = client.get("/unit/recommendation/?tab=all").get_data(as_text=True)
    assert tab_counts(page)["全部"] == 1 == page.count('name="rowid"')


def test_list_controls_read_as_the_platform_words(client, world):
    signed_in(client, world["officer"])
    page = client.get("/unit/unit_application/?tab=approved").get_data(as_text=True)
    assert "批量操作" in page and "每页20条" in page
    assert "选中的" not in page and "20 项目" not in page
    assert 'data-action="publicize"' in page  # the dropdown still runs the action
    assert "modelActions.execute(action.getAttribute('data-action'))" in page
    # A list without status tabs says how many rows it has.
    page = client.get("/unit/opinions/").get_data(as_text=True)
    assert "每页20条" in page and "共0条" in page and "20 项目" not in page


def test_an_attachment_is_served_only_through_an_application_that_carries_it(client, world,
                                                                            clock):
    from zcps.storage import store_bytes

    carried = carried_file(world["application"])
    other = store_bytes(factories.pdf_bytes(), "别人的证书.pdf").id
    db.session.commit()
    recommended(world, clock)
    application_id = world["application"].id
    signed_in(client, world["point_account"])
    response = client.get(f"/acceptance/inbox/file/{application_id}/{carried}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/acceptance/inbox/file/{application_id}/{other}").status_code == 404
    stranger = client.application.test_client()
    signed_in(stranger, world["other_point_account"])
    assert stranger.get(f"/acceptance/inbox/file/{application_id}/{carried}").status_code == 404
    unit = client.application.test_client()
    signed_in(unit, world["officer"])
    assert unit.get(f"/unit/recommendation/file/{application_id}/{carried}").status_code == 200
    other_unit = client.application.test_client()
    signed_in(other_unit, world["other_officer"])
    assert other_unit.get(
        f"/unit/recommendation/file/{application_id}/{carried}").status_code == 404


def test_the_batch_page_shows_its_people_a_page_at_a_time(client, world, monkeypatch):
    import views.unit_publicity
    from tests.helpers import StatementLog

    monkeypatch.setattr(views.unit_publicity, "PEOPLE_PER_PAGE", 2)
    colleagues = [factories.applicant(world["unit"], f"公示员工{n}") for n in range(4)]
    approved = [world["application"]] + [
        factories.application(person, ApplicationStatus.APPROVED) for person in colleagues]
    publicity = workflow.start_publicity(world["officer"], approved, POSTED,
                                         **factories.OBJECTION)
    db.session.commit()
    workflow.record_objection(world["officer"], approved[-1], "论文署名存疑", POSTED, "来信")
    db.session.commit()
    signed_in(client, world["officer"])
    details = f"/unit/publicity/details/?id={publicity.id}"
    first = client.get(details).get_data(as_text=True)
    with StatementLog(db.engine) as log:
        client.get(details)
    assert "共5人" in first and "第1页，共3页" in first
    assert "甲员工" in first and "公示员工0" in first and "公示员工1" not in first
    # The objections of the whole batch are listed on every page.
    assert "论文署名存疑" in first
    few = log.statements
    last = client.get(details + "&people_page=3").get_data(as_text=True)
    assert "公示员工3" in last and "公示员工0" not in last and "第3页，共3页" in last
    assert "1条待处理" in last
    # A page past the last, or not a number, shows the nearest one.
    assert "第3页，共3页" in client.get(details + "&people_page=99").get_data(as_text=True)
    assert "第1页，共3页" in client.get(details + "&people_page=abc").get_data(as_text=True)
    for person in [factories.applicant(world["unit"], f"后来员工{n}") for n in range(4)]:
        factories.application(person, ApplicationStatus.APPROVED)
    more = workflow.start_publicity(world["officer"], list(db.session.scalars(
        db.select(Application).filter_by(status=ApplicationStatus.APPROVED,
                                         unit_id=world["unit"].id))), POSTED,
        **factories.OBJECTION)
    db.session.commit()
    latest = max(more.applications, key=lambda application: application.id)
    workflow.record_objection(world["officer"], latest, "另一异议", POSTED, "来信")
    db.session.commit()
    bigger = f"/unit/publicity/details/?id={more.id}"
    client.get(bigger)
    with StatementLog(db.engine) as log:
        client.get(bigger)
    assert log.statements == few  # the same statements whatever the batch's size
