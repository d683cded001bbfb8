"""Every form post without a valid CSRF token is refused and changes nothing."""
import pytest

from models import AcceptancePoint, Application
from tests import factories
from tests.helpers import signed_in
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
