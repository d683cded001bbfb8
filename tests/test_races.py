"""Finding 7 of issue 14: races and stale decisions.

One open application per applicant and year is a unique key of the database (not only a check
before the insert); the same objection posted twice is recorded once; a decision carries the
version the officer saw; a 不通过 stays 不通过 when the applicant switches unit and back; what
another unit approved is not another unit's approval; a publicity cannot start years ahead; a
deactivated acceptance point's accounts are inactive.
"""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import Account, Application, ApplicationStatus
from tests import factories
from tests.databases import server_url
from tests.helpers import ON_SERVERS, run_together
from zcps import workflow
from zcps.extensions import db

# The pool holds 15 connections (5 and 10 overflow); the test's own session keeps one.
PARALLEL = 12


# --- one open application per applicant and year ----------------------------------------------

def open_applications(person) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.applicant_id == person.id,
        Application.status.not_in(workflow.CLOSED_APPLICATION_STATES)))


def test_a_second_open_application_of_the_year_is_refused_by_the_database(app):
    person = factories.applicant(factories.unit("甲单位"), "申报人甲", with_account=True)
    first = factories.application(person, ApplicationStatus.PENDING)
    db.session.commit()
    # Written past the workflow's own check, as a concurrent request would.
    second = Application(
        applicant_id=person.id, unit_id=first.unit_id, year=first.year, plan_id=first.plan_id,
        series_id=first.series_id, specialty="x", level=first.level,
        qualification_id=first.qualification_id, review_method=first.review_method,
        status=ApplicationStatus.DRAFT)
    db.session.add(second)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Once the first is closed (不通过), the year is free again.
    workflow.review_application(factories.employer(person.unit), first, "reject", "不符合条件")
    db.session.commit()
    again = workflow.create_application(
        person.account, plan=first.plan, series=first.series, specialty="x", level=first.level,
        qualification=first.qualification, review_method=first.review_method)
    db.session.commit()
    assert again.status == ApplicationStatus.DRAFT and open_applications(person) == 1


def test_the_migration_gives_the_year_to_the_oldest_open_application(tmp_path):
    """Migration 0012 fills open_year from the applications as they are: a year already holding two open
    applications (an earlier race) gives it to the older one; closed ones hold none."""
    from flask_migrate import upgrade

    from tests.conftest import app_config
    from tests.databases import create_server_database, drop_server_database
    from zcps import create_app

    base = server_url()
    uri = f"sqlite:///{tmp_path / 'old.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    stamp = "2025-09-01 08:00:00"
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context():
            upgrade(revision="0002")
            rows = [
                "INSERT INTO unit (id, name, uscc, address, legal_representative, contact_name,"
                " contact_mobile, authorization_status, active, created_at, updated_at) VALUES"
                f" (1, '甲单位', '91330106MA2B3C4D5D', '', '', '', '', 'approved', TRUE,"
                f" '{stamp}', '{stamp}')",
                "INSERT INTO applicant (id, name, id_number, sex, birth_date, mobile,"
                " highest_education, current_title, profile_status, profile_remark, version,"
                " created_at, updated_at) VALUES (1, '张三', '330106199003071236', 'male',"
                f" '1990-03-07', '', '', '', 'approved', '', 1, '{stamp}', '{stamp}')",
                "INSERT INTO title_series (id, name, sort_order, active) VALUES (1, '工程', 1, TRUE)",
                "INSERT INTO title_qualification (id, series_id, level, name, sort_order, active)"
                " VALUES (1, 1, 'sub_senior', '高级工程师', 1, TRUE)",
            ]
            for number, (year, status) in enumerate(
                    [(2025, "pending"), (2025, "draft"), (2025, "rejected"), (2024, "accepted")],
                    start=1):
                rows.append(
                    "INSERT INTO application (id, applicant_id, unit_id, year, series_id,"
                    " specialty, level, qualification_id, review_method, current_title, status,"
                    " round, profile_snapshot, opinion, recommendation_opinion,"
                    " acceptance_opinion, version, created_at, updated_at) VALUES"
                    f" ({number}, 1, 1, {year}, 1, '', 'sub_senior', 1, 'review', '',"
                    f" '{status}', 1, '{{}}', '', '', '', 1, '{stamp}', '{stamp}')")
            with db.engine.begin() as connection:
                for statement in rows:
                    connection.execute(sa.text(statement))
            upgrade()
            with db.engine.connect() as connection:
                held = connection.execute(sa.text(
                    "SELECT id, open_year FROM application ORDER BY id")).all()
            db.engine.dispose()
        assert [tuple(row) for row in held] == [(1, 2025), (2, None), (3, None), (4, 2024)]
    finally:
        if base is not None:
            drop_server_database(uri, base)


class CreateApplication:
    def __init__(self, person, template):
        self.account_id = person.account.id
        self.template = template.id

    def prepare(self):
        return db.session.get(Account, self.account_id), db.session.get(Application,
                                                                        self.template)

    def __call__(self, prepared):
        actor, template = prepared
        return workflow.create_application(
            actor, plan=template.plan, series=template.series, specialty="并发",
            level=template.level, qualification=template.qualification,
            review_method=template.review_method).id


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(2))
def test_parallel_new_applications_make_one(app, attempt):
    person = factories.applicant(factories.unit("甲单位"), "申报人甲", with_account=True)
    # A closed application of the year (its template) leaves the year free.
    template = factories.application(person, ApplicationStatus.PENDING)
    workflow.review_application(factories.employer(person.unit), template, "reject", "不符合")
    db.session.commit()
    # As many at once as the connection pool holds (the finding used 20 over HTTP).
    race = run_together(app, [CreateApplication(person, template)] * PARALLEL,
                        expected=workflow.WorkflowError)
    assert race.errors == [] and len(race.results) == 1
    assert len(race.refused) == PARALLEL - 1
    assert all("每年度只能有一份" in str(error) for error in race.refused), race.refused
    assert open_applications(person) == 1


# --- a deactivated acceptance point ------------------------------------------------------------

def test_a_deactivated_acceptance_points_accounts_are_inactive_and_signed_out(app, client):
    from tests.helpers import page_text, post, sign_in, signed_in

    point = factories.acceptance_point("杭州市受理点")
    account = factories.acceptance_account(point)
    root = factories.admin()
    db.session.commit()
    browser = signed_in(app.test_client(), account)
    assert browser.get("/acceptance/").status_code == 200
    signed_in(client, root)
    url = f"/admin/admin_acceptance_point/edit/?id={point.id}"
    response = post(client, url, {"name": point.name, "kind": point.kind.value,
                                  "region": point.region or "",
                                  "address": point.address or "",
                                  "contact_phone": point.contact_phone or ""},
                    token_from=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert point.active is False and account.is_active is False
    # The session it had is over, and it cannot sign in again.
    assert browser.get("/acceptance/").status_code == 302
    again = sign_in(app.test_client(), account)
    assert "该账号已停用" in page_text(again)
    # Active again, it signs in.
    point.active = True
    db.session.commit()
    assert sign_in(app.test_client(), account).status_code == 302


# --- what one unit decided is not another's -------------------------------------------------------

def test_a_rejected_basic_information_stays_rejected_when_the_applicant_switches_unit_and_back(
        app):
    from models import ReviewStatus

    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.REJECTED)
    db.session.commit()
    workflow.choose_unit(person.account, b)
    workflow.choose_unit(person.account, a)
    db.session.commit()
    assert person.profile_status == ReviewStatus.REJECTED
    # A returned one goes to the new unit for review, as before.
    other = factories.applicant(a, "申报人乙", with_account=True,
                                profile_status=ReviewStatus.RETURNED)
    workflow.choose_unit(other.account, b)
    assert other.profile_status == ReviewStatus.PENDING


@pytest.fixture
def moved(app):
    """An applicant whose whole archive 甲单位 approved, now employed by 乙单位 (which approved
    the basic information)."""
    from models import ReviewStatus

    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    items = factories.mandatory_items(person)
    db.session.commit()
    workflow.choose_unit(person.account, b)
    workflow.review_profile(factories.employer(b), person, "approve")
    db.session.commit()
    return dict(a=a, b=b, person=person, items=items)


def test_items_another_unit_approved_cannot_be_extracted(moved):
    person, items = moved["person"], moved["items"]
    application = factories.application(person, ApplicationStatus.DRAFT)
    with pytest.raises(workflow.WorkflowError, match="甲单位.*乙单位"):
        workflow.extract_items(person.account, application, [items[0].id])
    db.session.rollback()
    assert application.items == []


def test_items_extracted_before_a_unit_change_are_not_sent_to_the_new_unit_as_approved(app):
    from models import ReviewStatus

    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    items = factories.mandatory_items(person)
    application = factories.application(person, ApplicationStatus.DRAFT, items=items)
    db.session.commit()
    workflow.choose_unit(person.account, b)
    workflow.review_profile(factories.employer(b), person, "approve")
    db.session.commit()
    with pytest.raises(workflow.WorkflowError, match="甲单位"):
        workflow.submit_application(person.account, application, declared=True)
    db.session.rollback()
    assert application.status == ApplicationStatus.DRAFT
    # Submitted again to 乙单位 and approved there, they are extracted and the application goes.
    for item in items:
        workflow.save_item(person.account, item, title=item.title)
        workflow.review_item(factories.employer(b), item, "approve")
    workflow.extract_items(person.account, application, [item.id for item in items])
    workflow.submit_application(person.account, application, declared=True)
    db.session.commit()
    assert application.status == ApplicationStatus.PENDING and application.unit_id == b.id


# --- a publicity's start ---------------------------------------------------------------------------

def test_a_publicity_cannot_start_years_ahead(app, clock):
    from datetime import date

    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    application = factories.application(factories.applicant(unit, "申报人甲"),
                                        ApplicationStatus.APPROVED)
    db.session.commit()
    # Today is 2026-09-29: 60 days ahead is 11-28.
    for start in (date(2099, 9, 29), date(2026, 11, 29)):
        with pytest.raises(workflow.WorkflowError, match="公示开始日期不能晚于2026年11月28日"):
            workflow.start_publicity(officer, [application], start, past_deadline_confirmed=True, **factories.OBJECTION)
        db.session.rollback()
        assert application.status == ApplicationStatus.APPROVED
    # The last day allowed is allowed.
    workflow.start_publicity(officer, [application], date(2026, 11, 28),
                             past_deadline_confirmed=True, **factories.OBJECTION)
    db.session.commit()
    assert application.status == ApplicationStatus.PUBLICIZING


# --- one objection, posted again -----------------------------------------------------------------

@pytest.fixture
def in_publicity(app, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    application = factories.application(factories.applicant(unit, "申报人甲"),
                                        ApplicationStatus.PUBLICIZING)
    db.session.commit()
    return dict(officer=officer, application=application)


def objections() -> int:
    from models import Objection

    return db.session.scalar(sa.select(sa.func.count()).select_from(Objection))


def test_the_same_objection_form_posted_twice_is_recorded_once(client, in_publicity):
    import re

    from tests.helpers import page_text, post, signed_in

    application = in_publicity["application"]
    signed_in(client, in_publicity["officer"])
    details = f"/unit/publicity/details/?id={application.publicity_id}"
    page = client.get(details).get_data(as_text=True)
    entry = re.search(r'name="entry_token" value="([0-9a-f]{32})"', page).group(1)
    form = {"application_id": str(application.id), "content": "论文署名存疑",
            "received_on": "2026-09-29", "raised_by": "匿名来信", "entry_token": entry}
    first = post(client, "/unit/publicity/objection/", form, token_from=details)
    assert first.status_code == 302
    again = post(client, "/unit/publicity/objection/", form, token_from=details,
                 follow_redirects=True)
    assert "该异议已登记，未重复登记" in page_text(again)
    assert objections() == 1
    # A new form (a new token) records a second objection.
    fresh = re.search(r'name="entry_token" value="([0-9a-f]{32})"',
                      client.get(details).get_data(as_text=True)).group(1)
    assert fresh != entry
    post(client, "/unit/publicity/objection/", {**form, "entry_token": fresh},
         token_from=details)
    assert objections() == 2


class RecordObjection:
    def __init__(self, officer, application):
        self.officer, self.application = officer.id, application.id

    def prepare(self):
        return db.session.get(Account, self.officer), db.session.get(Application,
                                                                     self.application)

    def __call__(self, prepared):
        from datetime import date

        officer, application = prepared
        return workflow.record_objection(officer, application, "论文署名存疑", date(2026, 9, 29),
                                         "匿名来信", entry_token="ab" * 16).id


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(2))
def test_one_objection_posted_at_once_many_times_is_recorded_once(app, in_publicity, attempt):
    race = run_together(
        app, [RecordObjection(in_publicity["officer"], in_publicity["application"])] * PARALLEL,
        expected=workflow.WorkflowError)
    assert race.errors == [] and len(race.results) == 1 and len(race.refused) == PARALLEL - 1
    assert all(isinstance(error, workflow.AlreadyHandled) for error in race.refused), race.refused
    assert objections() == 1


# --- a decision carries the version the officer saw ---------------------------------------------

STALE = "内容已被修改，请刷新后重新审核"


def seen_version(page: str, field: str, record_id: int) -> str:
    """The version the decision form of record ``record_id`` carries."""
    import re

    match = re.search(rf'name="{field}" value="{record_id}">\s*<input type="hidden" '
                      rf'name="version" value="(\d+)"', page)
    assert match, f"no version in the form of {field}={record_id}"
    return match.group(1)


@pytest.fixture
def reviewing(app, client, clock):
    from models import ReviewStatus
    from tests.helpers import signed_in

    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.PENDING)
    item = factories.archive_item(person, ReviewStatus.PENDING, title="某大学 本科")
    db.session.commit()
    signed_in(client, officer)
    return dict(unit=unit, officer=officer, person=person, item=item)


def test_approving_an_item_edited_after_the_page_was_opened_is_refused(client, reviewing):
    from models import ReviewStatus
    from tests.helpers import page_text, post

    person, item = reviewing["person"], reviewing["item"]
    page_url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    version = seen_version(client.get(page_url).get_data(as_text=True), "item_id", item.id)
    workflow.save_item(person.account, item, title="某大学 研究生（改）")
    db.session.commit()
    response = post(client, "/unit/unit_archive/decide/",
                    {"item_id": item.id, "decision": "approve", "version": version},
                    token_from=page_url, follow_redirects=True)
    assert STALE in page_text(response)
    db.session.expire_all()
    assert item.status == ReviewStatus.PENDING
    # The page opened again shows the edit, and its decision goes through.
    page = client.get(page_url).get_data(as_text=True)
    assert "某大学 研究生（改）" in page
    post(client, "/unit/unit_archive/decide/",
         {"item_id": item.id, "decision": "approve",
          "version": seen_version(page, "item_id", item.id)}, token_from=page_url)
    db.session.expire_all()
    assert item.status == ReviewStatus.APPROVED


def test_a_new_attachment_on_a_pending_item_also_makes_the_page_stale(client, reviewing):
    from models import ReviewStatus
    from tests.helpers import page_text, post
    from zcps.storage import store_bytes

    person, item = reviewing["person"], reviewing["item"]
    page_url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    version = seen_version(client.get(page_url).get_data(as_text=True), "item_id", item.id)
    workflow.attach_file(person.account, item, store_bytes(factories.pdf_bytes(), "新证书.pdf"))
    db.session.commit()
    response = post(client, "/unit/unit_archive/decide/",
                    {"item_id": item.id, "decision": "approve", "version": version},
                    token_from=page_url, follow_redirects=True)
    assert STALE in page_text(response)
    db.session.expire_all()
    assert item.status == ReviewStatus.PENDING


def test_approving_basic_information_edited_after_the_page_was_opened_is_refused(
        client, reviewing):
    from models import ReviewStatus
    from tests.helpers import page_text, post

    person = reviewing["person"]
    page_url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    version = seen_version(client.get(page_url).get_data(as_text=True), "applicant_id",
                           person.id)
    workflow.save_profile(person.account, current_title="高级工程师")
    db.session.commit()
    response = post(client, "/unit/unit_archive/profile/",
                    {"applicant_id": person.id, "decision": "approve", "version": version},
                    token_from=page_url, follow_redirects=True)
    assert STALE in page_text(response)
    db.session.expire_all()
    assert person.profile_status == ReviewStatus.PENDING
    page = client.get(page_url).get_data(as_text=True)
    post(client, "/unit/unit_archive/profile/",
         {"applicant_id": person.id, "decision": "approve",
          "version": seen_version(page, "applicant_id", person.id)}, token_from=page_url)
    db.session.expire_all()
    assert person.profile_status == ReviewStatus.APPROVED


def test_approving_an_application_resubmitted_after_the_page_was_opened_is_refused(
        app, client, reviewing):
    import re

    from tests.helpers import page_text, post

    application = factories.application(
        factories.applicant(reviewing["unit"], "申报人乙", with_account=True),
        ApplicationStatus.PENDING)
    db.session.commit()
    page_url = f"/unit/unit_application/review/?id={application.id}"
    page = client.get(page_url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    # Meanwhile another officer returns it and the applicant resubmits it.
    workflow.review_application(reviewing["officer"], application, "return", "请补充论文")
    workflow.submit_application(application.applicant.account, application, declared=True)
    db.session.commit()
    response = post(client, page_url, {"id": application.id, "decision": "approve",
                                       "opinion": "同意推荐。", "version": version},
                    token_from=page_url)
    assert STALE in page_text(response)
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING and application.round == 2


@pytest.mark.parametrize("version", ["abc", "-1", "99999999999999999999"])
def test_a_version_that_is_not_a_number_is_a_bad_request(client, reviewing, version):
    from models import ReviewStatus
    from tests.helpers import post

    page_url = f"/unit/unit_archive/review/?applicant_id={reviewing['person'].id}"
    response = post(client, "/unit/unit_archive/decide/",
                    {"item_id": reviewing["item"].id, "decision": "approve",
                     "version": version}, token_from=page_url)
    assert response.status_code == 400
    db.session.expire_all()
    assert reviewing["item"].status == ReviewStatus.PENDING
