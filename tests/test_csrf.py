"""Every form post without a valid CSRF token is refused and changes nothing."""
import pytest

from models import AcceptancePoint, Application
from tests import factories
from tests.crawl import DEMO_ROLES, demo_client, role_id, url_rules
from tests.helpers import every_row, signed_in
from zcps.demo import DEMO_PASSWORD
from zcps.extensions import db


@pytest.fixture
def csrf_client(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    context = app.app_context()
    context.push()
    yield app
    db.session.remove()
    context.pop()


def test_sign_in_without_token_is_refused(csrf_client):
    account = factories.admin()
    db.session.commit()
    client = csrf_client.test_client()
    response = client.post("/login/admin", data={"username": account.username,
                                                 "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_admin_create_without_token_creates_nothing(csrf_client):
    account = factories.admin()
    db.session.commit()
    client = signed_in(csrf_client.test_client(), account)
    for token in (None, "forged-token"):
        data = {"name": "伪造受理点", "region": "杭州"}
        if token:
            data["csrf_token"] = token
        response = client.post("/admin/admin_acceptance_point/new/", data=data)
        assert response.status_code == 400
    assert db.session.scalar(db.select(AcceptancePoint).filter_by(name="伪造受理点")) is None


def test_bulk_action_and_delete_without_token_are_refused(csrf_client):
    unit = factories.unit()
    officer = factories.employer(unit)
    record = factories.application(factories.applicant(unit))
    db.session.commit()
    client = signed_in(csrf_client.test_client(), officer)
    assert client.post("/unit/unit_application/action/",
                       data={"action": "delete", "rowid": [str(record.id)]}).status_code == 400
    assert client.post("/unit/unit_application/delete/",
                       data={"id": str(record.id)}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, record.id) is not None


def test_sign_out_and_language_switch_without_token_are_refused(csrf_client):
    account = factories.admin()
    db.session.commit()
    client = signed_in(csrf_client.test_client(), account)
    assert client.post("/logout").status_code == 400
    assert client.post("/lang/en", data={"next": "/admin/"}).status_code == 400
    assert client.get("/admin/").status_code == 200  # still signed in


def test_publicity_objection_recommendation_and_acceptance_posts_without_token_are_refused(
        csrf_client, monkeypatch):
    from datetime import date

    from models import ApplicationStatus, Objection
    from zcps import workdays, workflow

    monkeypatch.setattr(workdays, "today", lambda: date(2026, 9, 29))
    unit = factories.unit()
    officer = factories.employer(unit)
    approved = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED)
    publicizing = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED)
    point = factories.acceptance_point()
    point_account = factories.acceptance_account(point)
    db.session.commit()
    workflow.start_publicity(officer, [publicizing], date(2026, 9, 29), **factories.OBJECTION)
    objection = workflow.record_objection(officer, publicizing, "存疑", date(2026, 9, 29))
    db.session.commit()
    client = signed_in(csrf_client.test_client(), officer)
    for url, data in (
            ("/unit/publicity/start/", {"ids": str(approved.id), "start_date": "2026-09-29"}),
            ("/unit/publicity/objection/", {"application_id": str(publicizing.id),
                                            "content": "存疑", "received_on": "2026-09-29"}),
            ("/unit/publicity/objection/resolve/", {"objection_id": str(objection.id),
                                                    "resolution": "dismiss",
                                                    "resolution_text": "不属实"}),
            (f"/unit/recommendation/recommend/?ids={publicizing.id}",
             {"ids": str(publicizing.id), "acceptance_point_id": str(point.id),
              f"opinion-{publicizing.id}": "同意"})):
        assert client.post(url, data=data).status_code == 400, url
    inbox = signed_in(csrf_client.test_client(), point_account)
    assert inbox.post("/acceptance/inbox/action/",
                      data={"action": "accept", "rowid": str(publicizing.id)}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, approved.id).status == ApplicationStatus.APPROVED
    assert db.session.get(Application, publicizing.id).status == ApplicationStatus.PUBLICIZING
    assert db.session.get(Objection, objection.id).status.value == "open"
    assert db.session.scalar(db.select(db.func.count(Objection.id))) == 1


@pytest.mark.parametrize("username", DEMO_ROLES, ids=role_id)
def test_every_post_url_refuses_a_missing_or_forged_token(csrf_client, username):
    """Every URL that takes a POST, for each demo role and signed out: no token or a forged one
    is a 400 and no row of any table changes, so no view can be exempt by mistake."""
    client, _ = demo_client(csrf_client, username)
    before = every_row()
    form = {"id": "1", "ids": "1", "rowid": "1", "action": "delete", "decision": "approve",
            "opinion": "同意", "item_id": "1", "applicant_id": "1", "list_form_pk": "1",
            "username": "admin", "password": DEMO_PASSWORD}
    posts = url_rules(csrf_client, method="POST")
    assert len(posts) > 50
    for rule in posts:
        url = rule.build({argument: "zh_CN" if argument == "code" and "lang" in rule.rule
                          else "admin" if argument == "slug" else
                          "education" if argument == "code" else 1
                          for argument in rule.arguments}, append_unknown=False)[1]
        for token in ({}, {"csrf_token": "forged-token"}):
            response = client.post(url, data={**form, **token})
            assert response.status_code == 400, (url, token, response.status_code)
    assert every_row() == before
