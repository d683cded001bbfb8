"""经办人: a unit's officers with duties — added and stopped by the unit, signing in under
经办人登录, each limited to their duties on every endpoint and step, recorded on every decision,
and never deciding on their own records."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    Account,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    OfficerDuty,
    ReviewRecord,
    ReviewStatus,
    Role,
)
from tests import factories
from tests.crawl import url_rules
from tests.helpers import OFFICER_LOGIN, csrf_token, post, shown_text, sign_in, signed_in
from zcps import clock, workflow
from zcps.extensions import db
from zcps.workflow import WorkflowError

A, P, U, ARC = (OfficerDuty.APPLICATION, OfficerDuty.PUBLICITY, OfficerDuty.UNIT_ADMIN,
                OfficerDuty.ARCHIVE)
LIST = "/unit/officers/"

# The duty every page of the unit's area needs (None: every officer). A new page must be added
# here with the duty its work belongs to.
VIEW_DUTIES = {
    "unit": None, "unit_password": None, "unit_guide": None,
    "unit_authorization": U, "unit_profile": U,
    "unit_archive_people": ARC, "unit_archive": ARC, "unit_applicant": ARC,
    "unit_application": A,
    "unit_publicity": P, "unit_recommendation": P,
    "unit_opinion_template": U, "unit_officer": U, "unit_roster": U, "unit_statistics": U,
}


def unit_views(app) -> dict:
    admin = app.extensions["zcps_admins"]["unit"]
    return {view.endpoint: view for view in admin._views}


def test_every_page_of_the_unit_area_names_its_duty(app):
    assert {endpoint: view.unit_duty for endpoint, view in unit_views(app).items()} == VIEW_DUTIES


def _url(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
    return url


@pytest.mark.parametrize("duty", list(OfficerDuty))
def test_an_officer_with_one_duty_is_refused_every_endpoint_of_the_others(app, duty):
    unit = factories.unit("多经办人单位")
    person = factories.officer(unit, duty)
    db.session.commit()
    client = signed_in(app.test_client(), person)
    client.application.config["WTF_CSRF_ENABLED"] = True
    views = unit_views(app)
    checked = 0
    for rule in url_rules(app, "/unit/"):
        endpoint = rule.endpoint.split(".")[0]
        needed = VIEW_DUTIES[endpoint]
        allowed = needed is None or needed == duty
        url = _url(rule)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/unit/")})
        if allowed:
            assert response.status_code != 403, (url, duty)
        else:
            assert response.status_code == 403, (url, duty, response.status_code)
            checked += 1
    assert checked > 0 and set(views) <= set(VIEW_DUTIES)


def test_the_unit_adds_an_officer_who_signs_in_by_mobile_or_id_number(app, client):
    unit = factories.unit("示例单位")
    own = factories.employer(unit)
    db.session.commit()
    signed_in(client, own)
    url = f"{LIST}new/"
    good = factories.make_id_number(11)
    form = {"display_name": "王丽", "username": good,
            "officer_mobile": "13912345678", "department": "人事处",
            "duties": ["archive_review", "application_review"], "end_date": "",
            "new_password": "Wang-li-2026"}
    bad = dict(form, username=good[:-1] + ("1" if good[-1] != "1" else "2"))
    assert "校验" in post(client, url, bad, token_from=url).get_data(as_text=True)
    none = dict(form, duties=[])
    assert "至少" in post(client, url, none, token_from=url).get_data(as_text=True)
    weak = dict(form, new_password="abc12345")
    assert "过于常见" in post(client, url, weak, token_from=url).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.officer_duties.is_not(None))) == 0
    assert post(client, url, form, token_from=url).status_code == 302
    officer = db.session.scalar(sa.select(Account).filter_by(username=good))
    assert officer.is_officer and officer.unit_id == unit.id and officer.must_change_password
    assert officer.duties == [ARC, A] and officer.department == "人事处"
    listing = shown_text(client.get(LIST).get_data(as_text=True))
    assert "王丽" in listing and "业绩档案审核、申报资料审核" in listing
    assert good not in listing and "13912345678" not in listing

    for name in ("13912345678", good):
        browser = app.test_client()
        response = post(browser, OFFICER_LOGIN, {"username": name, "password": "Wang-li-2026"},
                        token_from=OFFICER_LOGIN)
        assert response.status_code == 302, name
    # 法人登录 is the unit's own account only, and 经办人登录 never takes it.
    browser = app.test_client()
    unit_login = "/login/unit"
    refused = post(browser, unit_login, {"username": good,
                                         "password": "Wang-li-2026"}, token_from=unit_login)
    assert "经办人请使用“经办人登录”" in refused.get_data(as_text=True)
    refused = post(browser, OFFICER_LOGIN, {"username": unit.uscc,
                                            "password": factories.PASSWORD},
                   token_from=OFFICER_LOGIN)
    assert "单位账号请使用“法人登录”" in refused.get_data(as_text=True)
    assert browser.get("/unit/").status_code == 302  # neither signed in
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id)).filter_by(
        action=AuditAction.ADD_OFFICER, actor_id=own.id)) == 1


def test_the_same_mobile_or_id_number_is_one_officer_only(app, client):
    unit = factories.unit()
    existing = factories.officer(unit, ARC, mobile="13911112222")
    own = factories.employer(unit)
    db.session.commit()
    signed_in(client, own)
    url = f"{LIST}new/"
    form = {"display_name": "李四", "username": factories.make_id_number(77),
            "officer_mobile": "13911112222", "duties": ["publicity"],
            "new_password": "Li-si-2026-x"}
    assert "手机号码已被其他经办人使用" in post(client, url, form, token_from=url).get_data(
        as_text=True)
    again = dict(form, officer_mobile="13911113333", username=existing.username)
    assert "已登记为经办人" in post(client, url, again, token_from=url).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.officer_duties.is_not(None))) == 1


def test_two_adds_of_one_person_at_once_end_in_words_not_an_error(app, monkeypatch):
    """The Python check passed for both (they ran at the same moment): the unique keys decide."""
    from zcps import officers

    unit = factories.unit()
    taken = factories.officer(unit, ARC, mobile="13911115555")
    db.session.commit()
    monkeypatch.setattr(officers, "_check_free", lambda values, officer: None)
    for clash in ({"id_number": taken.username, "mobile": "13911116666"},
                  {"id_number": factories.make_id_number(88), "mobile": "13911115555"}):
        with pytest.raises(WorkflowError, match="刚刚已被其他经办人使用"):
            officers.add_officer(factories.employer(unit), name="李四", duties=["publicity"],
                                 password="Li-si-2026-x", **clash)
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(
        Account.officer_duties.is_not(None))) == 1


def test_editing_an_officer_keeps_the_person_and_taking_a_duty_away_ends_sessions(app, client):
    unit = factories.unit()
    officer = factories.officer(unit, ARC, A)
    own = factories.employer(unit)
    db.session.commit()
    browser = signed_in(app.test_client(), officer)
    signed_in(client, own)
    url = f"{LIST}edit/?id={officer.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="username"' not in page and 'name="new_password"' not in page
    response = post(client, url, {"display_name": "王丽", "officer_mobile": officer.officer_mobile,
                                  "department": "科研处", "duties": ["archive_review"],
                                  "end_date": "", "username": factories.make_id_number(5)},
                    token_from=url)
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.duties == [ARC] and officer.department == "科研处"
    assert officer.username != factories.make_id_number(5)
    assert browser.get("/unit/").status_code == 302  # signed out: a duty was taken away


def test_a_stopped_officer_is_out_at_once_and_cannot_sign_in(app, client):
    unit = factories.unit()
    officer = factories.officer(unit, ARC)
    own = factories.employer(unit)
    db.session.commit()
    browser = signed_in(app.test_client(), officer)
    signed_in(client, own)
    response = post(client, f"{LIST}action/", {"action": "deactivate", "rowid": str(officer.id)},
                    token_from=LIST)
    assert response.status_code == 302
    assert browser.get("/unit/").status_code == 302
    refused = sign_in(app.test_client(), officer).get_data(as_text=True)
    assert "停用或已过有效期" in refused
    post(client, f"{LIST}action/", {"action": "activate", "rowid": str(officer.id)},
         token_from=LIST)
    assert sign_in(app.test_client(), officer).status_code == 302


def test_an_officer_signs_out_to_the_officer_sign_in(app):
    officer = factories.officer(factories.unit(), ARC)
    db.session.commit()
    client = signed_in(app.test_client(), officer)
    response = post(client, "/logout", token_from="/unit/")
    assert response.headers["Location"] == OFFICER_LOGIN


def test_an_expired_officer_cannot_sign_in_and_their_session_ends(app):
    unit = factories.unit()
    officer = factories.officer(unit, ARC, end_date=clock.today())
    db.session.commit()
    browser = signed_in(app.test_client(), officer)
    assert browser.get("/unit/").status_code == 200  # the last day still counts
    officer.end_date = clock.today() - timedelta(days=1)
    db.session.commit()
    assert browser.get("/unit/").status_code == 302
    assert "停用或已过有效期" in sign_in(app.test_client(), officer).get_data(as_text=True)


def test_only_unit_management_manages_officers_and_only_of_its_unit(app):
    unit, other = factories.unit("甲"), factories.unit("乙")
    reviewer = factories.officer(unit, ARC)
    manager = factories.officer(unit, U)
    theirs = factories.officer(other, ARC, name="乙经办人")
    db.session.commit()
    assert signed_in(app.test_client(), reviewer).get(LIST).status_code == 403
    client = signed_in(app.test_client(), manager)
    assert "王丽" in client.get(LIST).get_data(as_text=True)
    assert "乙经办人" not in client.get(LIST).get_data(as_text=True)
    assert client.get(f"{LIST}edit/?id={theirs.id}").status_code in (302, 404)
    post(client, f"{LIST}action/", {"action": "deactivate", "rowid": str(theirs.id)},
         token_from=LIST)
    db.session.refresh(theirs)
    assert theirs.active
    with pytest.raises(WorkflowError):
        from zcps import officers
        officers.set_officer_active(manager, theirs, False)


def test_the_workflow_refuses_a_step_outside_the_officers_duties(app):
    unit = factories.unit()
    person = factories.applicant(unit, profile_status=ReviewStatus.APPROVED)
    item = factories.archive_item(person)
    publicist = factories.officer(unit, P)
    reviewer = factories.officer(unit, ARC, name="赵审核")
    db.session.commit()
    with pytest.raises(WorkflowError, match="业绩档案审核"):
        workflow.review_item(publicist, item, "approve")
    db.session.rollback()
    workflow.review_item(reviewer, item, "approve")
    db.session.commit()
    history = db.session.scalars(sa.select(ReviewRecord).filter_by(
        subject_id=item.id, action="approve")).all()[-1]
    assert history.actor_id == reviewer.id and history.officer_name == "赵审核"
    assert history.actor_name == unit.name  # what the applicant reads
    entry = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DECISION, target=f"archive_item:{item.id}")).one()
    assert entry.actor_id == reviewer.id


def test_the_unit_reads_who_reviewed_and_the_applicant_reads_the_unit(app):
    unit = factories.unit("示例单位")
    person = factories.applicant(unit, with_account=True, profile_status=ReviewStatus.APPROVED)
    application = factories.application(person, ApplicationStatus.PENDING)
    reviewer = factories.officer(unit, A, name="赵审核")
    db.session.commit()
    workflow.review_application(reviewer, application, "return", "请补充证明")
    db.session.commit()
    unit_page = signed_in(app.test_client(), reviewer).get(
        f"/unit/unit_application/review/?id={application.id}").get_data(as_text=True)
    assert "审核人：赵审核" in shown_text(unit_page)
    mine = signed_in(app.test_client(), person.account).get(
        f"/me/applications/{application.id}").get_data(as_text=True)
    assert "请补充证明" in mine and unit.name in mine and "赵审核" not in mine


@pytest.fixture
def own_records(app):
    """An officer who is also one of the unit's applicants, with records at every step."""
    unit = factories.unit()
    me = factories.applicant(unit, name="王丽", profile_status=ReviewStatus.PENDING)
    officer = factories.officer(unit, ARC, A, P, U, id_number=me.id_number)
    db.session.commit()
    return unit, me, officer


def test_no_one_reviews_their_own_archive_or_application(app, own_records):
    unit, me, officer = own_records
    item = factories.archive_item(me)
    db.session.commit()
    for step, record in ((workflow.review_item, item), (workflow.review_profile, me)):
        with pytest.raises(WorkflowError, match="不能审核本人的材料"):
            step(officer, record, "approve")
        db.session.rollback()
    me.profile_status = ReviewStatus.APPROVED
    application = factories.application(me, ApplicationStatus.PENDING)
    db.session.commit()
    with pytest.raises(WorkflowError, match="不能审核本人的材料"):
        workflow.review_application(officer, application, "approve", "同意")
    db.session.rollback()
    assert application.status == ApplicationStatus.PENDING
    # The unit's own account (its administrator) or another officer acts.
    workflow.review_application(factories.employer(unit), application, "approve", "同意")
    db.session.commit()
    with pytest.raises(WorkflowError, match="不能审核本人的材料"):
        workflow.start_publicity(officer, [application], clock.today(), **factories.OBJECTION)
    db.session.rollback()
    assert application.status == ApplicationStatus.APPROVED


def test_no_one_recommends_themselves(app, own_records):
    unit, me, officer = own_records
    point = factories.acceptance_point()
    application = factories.application(me, ApplicationStatus.PUBLICIZED, acceptance_point=point)
    db.session.commit()
    with pytest.raises(WorkflowError, match="不能审核本人的材料"):
        workflow.recommend_application(officer, application, point, "同意推荐")
    db.session.rollback()
    assert application.status == ApplicationStatus.PUBLICIZED


def test_the_lists_mark_the_officers_own_records(app, own_records):
    unit, me, officer = own_records
    factories.archive_item(me)
    db.session.commit()
    client = signed_in(app.test_client(), officer)
    for url in ("/unit/archive-review/", "/unit/unit_applicant/?tab=all"):
        assert "（本人）" in shown_text(client.get(url).get_data(as_text=True)), url


def test_the_home_shows_an_officer_only_the_work_of_their_duties(app):
    unit = factories.unit()
    officer = factories.officer(unit, ARC)
    db.session.commit()
    page = signed_in(app.test_client(), officer).get("/unit/").get_data(as_text=True)
    assert 'data-testid="count-archive_people"' in page
    assert 'data-testid="count-applications"' not in page
    assert 'data-testid="count-to_recommend"' not in page
    assert "经办人" in shown_text(page)  # the masthead says who is signed in


def test_only_employer_accounts_hold_duties(app):
    account = Account(role=Role.APPLICANT, username="x", display_name="x", password_hash="x",
                      applicant_id=factories.applicant(factories.unit()).id,
                      officer_duties=["archive_review"])
    db.session.add(account)
    with pytest.raises(sa.exc.DBAPIError):
        db.session.flush()
    db.session.rollback()
