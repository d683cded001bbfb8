"""Each home's to-dos lead to the work they count: the unit's cards to the filtered lists, the
admin's queues with what waits, the applicant's current application as a card."""
import re
from datetime import date

import sqlalchemy as sa

from models import ApplicationStatus, ArchiveCategory, ArchiveItem, ReviewStatus
from tests import factories
from tests.helpers import StatementLog, shown_text, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.storage import store_bytes


def cards(page: str) -> dict:
    """{card key: (count, the list it links to)} from the unit's home."""
    return {key: (int(number), href) for key, href, number in re.findall(
        r'data-testid="count-(\w+)"><a href="([^"]*)">(\d+)', page)}


def test_each_unit_card_leads_to_the_list_of_what_it_counts(app, client, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    waiting = factories.applicant(unit, "待审员工")
    factories.archive_item(waiting, ReviewStatus.PENDING, title="待审学历")
    factories.application(factories.applicant(unit, "待审申报人"), ApplicationStatus.PENDING)
    factories.application(factories.applicant(unit, "待公示人"), ApplicationStatus.APPROVED)
    objected = factories.application(factories.applicant(unit, "被异议人"),
                                     ApplicationStatus.APPROVED)
    quiet = factories.application(factories.applicant(unit, "无异议人"), ApplicationStatus.APPROVED)
    day = date(2026, 9, 29)  # the clock's today
    workflow.start_publicity(officer, [objected], day, **factories.OBJECTION).title = "有异议的公示"
    workflow.start_publicity(officer, [quiet], day, **factories.OBJECTION).title = "平静的公示"
    workflow.record_objection(officer, objected, "存疑", day)
    db.session.commit()
    signed_in(client, officer)
    found = cards(client.get("/unit/").get_data(as_text=True))
    assert found["to_publicize"][0] == 1 and found["objections"][0] == 1
    expected = {"archive_people": "待审员工", "applications": "待审申报人",
                "to_publicize": "待公示人", "objections": "有异议的公示"}
    for key, name in expected.items():
        listing = shown_text(client.get(found[key][1]).get_data(as_text=True))
        assert name in listing, key
    objections = shown_text(client.get(found["objections"][1]).get_data(as_text=True))
    assert "平静的公示" not in objections
    assert "有待处理异议 (1)" in objections


def live_waiting_people(unit) -> int:
    """The people with an item waiting for ``unit``, counted from the items themselves."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ArchiveItem.applicant_id)))
        .where(ArchiveItem.unit_id == unit.id, ArchiveItem.status == ReviewStatus.PENDING))


def test_the_units_archive_card_reads_the_kept_summary_and_equals_the_items(app, client, clock):
    unit, other = factories.unit("甲单位"), factories.unit("乙单位")
    officer = factories.employer(unit)
    two_waiting = factories.applicant(unit)
    factories.archive_item(two_waiting)
    factories.archive_item(two_waiting, category=ArchiveCategory.WORK, title="某公司 工程师")
    mixed = factories.applicant(unit)
    factories.archive_item(mixed)
    factories.archive_item(mixed, ReviewStatus.APPROVED, ArchiveCategory.WORK)
    for status in (ReviewStatus.APPROVED, ReviewStatus.RETURNED, ReviewStatus.REJECTED,
                   ReviewStatus.DRAFT):
        factories.archive_item(factories.applicant(unit), status)
    factories.archive_item(factories.applicant(other))  # another unit's
    later = factories.archive_item(factories.applicant(unit))
    db.session.commit()
    signed_in(client, officer)
    with StatementLog(db.engine) as log:
        found = cards(client.get("/unit/").get_data(as_text=True))
    assert found["archive_people"][0] == live_waiting_people(unit) == 3
    assert not [sql for sql in log.statements if "from archive_item" in sql]

    workflow.review_item(officer, later, "approve")
    db.session.commit()
    found = cards(client.get("/unit/").get_data(as_text=True))
    assert found["archive_people"][0] == live_waiting_people(unit) == 2


def test_the_objections_tab_empties_once_the_objection_is_resolved(app, client, clock):
    unit = factories.unit()
    officer = factories.employer(unit)
    application = factories.application(factories.applicant(unit, "被异议人"),
                                        ApplicationStatus.APPROVED)
    workflow.start_publicity(officer, [application], date(2026, 9, 29),
                             **factories.OBJECTION).title = "异议公示"
    objection = workflow.record_objection(officer, application, "存疑", date(2026, 9, 29))
    db.session.commit()
    signed_in(client, officer)
    assert "异议公示" in shown_text(
        client.get("/unit/publicity/?tab=objections").get_data(as_text=True))
    workflow.resolve_objection(officer, objection, "dismiss", "经核实，异议不属实。")
    db.session.commit()
    listing = shown_text(client.get("/unit/publicity/?tab=objections").get_data(as_text=True))
    assert "异议公示" not in listing and "有待处理异议 (0)" in listing


def test_the_objections_tab_shows_only_the_units_own_batches(app, client, clock):
    mine, theirs = factories.unit("甲单位"), factories.unit("乙单位")
    for unit, title in ((mine, "甲的公示"), (theirs, "乙的公示")):
        officer = factories.employer(unit)
        application = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED)
        workflow.start_publicity(officer, [application], date(2026, 9, 29),
                                 **factories.OBJECTION).title = title
        workflow.record_objection(officer, application, "存疑", date(2026, 9, 29))
    db.session.commit()
    signed_in(client, factories.employer(mine))
    listing = shown_text(client.get("/unit/publicity/?tab=objections").get_data(as_text=True))
    assert "甲的公示" in listing and "乙的公示" not in listing


def test_the_system_admins_home_says_what_waits_in_each_queue(app, admin_client):
    factories.authorization(factories.unit("待授权单位", authorized=False))
    factories.authorization(factories.unit("已授权单位", authorized=False),
                            factories.AuthorizationStatus.APPROVED)
    unit = factories.unit("改名单位")
    officer = factories.employer(unit)
    proof = store_bytes(factories.pdf_bytes(), "变更通知书.pdf", uploaded_by=officer)
    workflow.request_unit_change(officer, {"name": "改名后单位"}, "更名", proof)
    db.session.commit()
    page = admin_client.get("/admin/").get_data(as_text=True)
    waiting = dict(re.findall(r'href="([^"]*)">[^<]*\s*<span[^>]*data-testid="waiting-(\w+)"', page))
    counts = dict(re.findall(r'data-testid="waiting-(\w+)">([^<]*)<', page))
    assert counts == {"admin_authorization": "待审核 1", "admin_unit_change": "待审核 1"}
    for href in waiting:
        assert "tab=pending" in href
        assert admin_client.get(href).status_code == 200


def test_other_admins_see_no_queue_counts(app, security_client, audit_client):
    factories.authorization(factories.unit("待授权单位", authorized=False))
    db.session.commit()
    for client in (security_client, audit_client):
        assert 'data-testid="waiting-' not in client.get("/admin/").get_data(as_text=True)


def test_the_applicants_home_shows_the_returned_application_with_its_reason(app, client):
    unit = factories.unit("杭州示例科技有限公司")
    person = factories.applicant(unit, "张三", with_account=True)
    factories.application(person, ApplicationStatus.RETURNED, opinion="请补充近三年考核情况。")
    db.session.commit()
    signed_in(client, person.account)
    page = client.get("/me/").get_data(as_text=True)
    card = shown_text(page.split('data-testid="current-application"')[1].split("</dl>")[0])
    assert "退回修改" in card and "请补充近三年考核情况。" in card
    assert "本人" in card and "重新提交单位审核" in card


def test_the_applicants_home_names_who_holds_the_application(app):
    unit = factories.unit("杭州示例科技有限公司")
    point = factories.acceptance_point("杭州市职称受理点")
    pending = factories.applicant(unit, "李四", with_account=True)
    factories.application(pending, ApplicationStatus.PENDING)
    recommended = factories.applicant(unit, "王五", with_account=True)
    factories.application(recommended, ApplicationStatus.RECOMMENDED, acceptance_point=point)
    db.session.commit()
    for person, holder, other in ((pending, "杭州示例科技有限公司", "杭州市职称受理点"),
                                  (recommended, "杭州市职称受理点", "杭州示例科技有限公司")):
        page = signed_in(app.test_client(), person.account).get("/me/").get_data(as_text=True)
        held = re.search(r'data-testid="card-holder">([^<]*)<', page).group(1)
        assert held == holder and other not in held
        assert 'data-testid="card-reason"' not in page


def test_the_applicants_home_has_no_card_before_the_first_application(app, client):
    person = factories.applicant(factories.unit(), "新人", with_account=True)
    db.session.commit()
    signed_in(client, person.account)
    page = client.get("/me/").get_data(as_text=True)
    assert 'data-testid="current-application"' not in page
    assert "职称申报" in shown_text(page)
