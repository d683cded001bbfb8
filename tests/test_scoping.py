"""One scoping mechanism: unit A can reach none of unit B's rows through any path."""
import json

import pytest
from flask_admin.actions import action
from flask_admin.model.template import EndpointLinkRowAction  # noqa: F401

from models import (
    AcceptancePoint,
    Applicant,
    Application,
    ApplicationItem,
    ApplicationStatus,
    ArchiveItem,
    OpinionKind,
    OpinionTemplate,
    ReviewStatus,
    Role,
    TitleSeries,
    Unit,
)
from tests import factories
from tests.helpers import post, signed_in
from views.base import ScopedModelView
from zcps.extensions import db
from zcps.identifiers import mask_id_number


class SampleApplicationView(ScopedModelView):
    """A view with every capability, to prove the base class scopes each of them."""

    role = Role.EMPLOYER
    can_create = True
    can_edit = True
    can_delete = True
    column_list = ["applicant", "specialty", "status"]
    column_details_list = ["applicant", "specialty", "status"]
    form_columns = ["applicant", "specialty", "unit_id"]
    form_ajax_refs = {"applicant": {"fields": ["name", "id_number"]}}
    touched = []

    @action("touch", "标记")
    def action_touch(self, applications):
        SampleApplicationView.touched.extend(application.id for application in applications)
        for record in applications:
            record.specialty = "已标记"
        db.session.commit()


class SampleTemplateView(ScopedModelView):
    """A plain create form with the owner column exposed, as a careless view might."""

    role = Role.EMPLOYER
    can_create = True
    column_list = ["text"]
    column_details_list = ["text"]
    form_columns = ["kind", "text", "unit_id"]


class SampleApplicantView(ScopedModelView):
    """Relationship choices rendered as a <select>."""

    role = Role.EMPLOYER
    can_create = True
    column_list = ["name"]
    column_details_list = ["name"]
    form_columns = ["name", "id_number", "sex", "birth_date", "unit"]


def add_sample_views(app):
    admin = app.extensions["zcps_admins"]["unit"]
    admin.add_view(SampleApplicationView(Application, name="样例", endpoint="sample"))
    admin.add_view(SampleApplicantView(Applicant, name="样例人员", endpoint="sample_people"))
    admin.add_view(SampleTemplateView(OpinionTemplate, name="样例模板", endpoint="sample_template"))


@pytest.fixture
def world(app_factory):
    """Two authorized units, each with an officer, an applicant and an application."""
    app = app_factory(setup=add_sample_views)
    SampleApplicationView.touched = []
    context = app.app_context()
    context.push()
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    officer_a, officer_b = factories.employer(a), factories.employer(b)
    person_a, person_b = factories.applicant(a, "甲员工"), factories.applicant(b, "乙员工")
    app_a = factories.application(person_a, specialty="甲专业")
    app_b = factories.application(person_b, specialty="乙专业")
    db.session.commit()
    client = app.test_client()
    signed_in(client, officer_a)
    yield {
        "app": app, "client": client, "a": a, "b": b, "officer_b": officer_b,
        "person_a": person_a, "person_b": person_b, "app_a": app_a, "app_b": app_b,
    }
    db.session.remove()
    context.pop()


def specialty_of(application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id).specialty


def test_list_shows_only_own_rows_and_counts_only_them(world):
    page = world["client"].get("/unit/sample/").get_data(as_text=True)
    assert "甲专业" in page
    assert "乙专业" not in page and "乙员工" not in page


def test_search_cannot_reach_other_units_rows(world):
    foreign = mask_id_number(world["person_b"].id_number)
    page = world["client"].get("/unit/unit_applicant/?search=员工").get_data(as_text=True)
    assert foreign not in page
    assert mask_id_number(world["person_a"].id_number) in page


@pytest.mark.parametrize("path", ["details", "edit"])
def test_details_and_edit_refuse_another_units_id(world, path):
    response = world["client"].get(f"/unit/sample/{path}/?id={world['app_b'].id}")
    assert response.status_code == 302
    follow = world["client"].get(response.headers["Location"]).get_data(as_text=True)
    assert "乙专业" not in follow
    # The own record opens.
    own = world["client"].get(f"/unit/sample/{path}/?id={world['app_a'].id}")
    assert own.status_code == 200 and "甲专业" in own.get_data(as_text=True)


def test_edit_post_cannot_change_another_units_record(world):
    client = world["client"]
    response = post(client, f"/unit/sample/edit/?id={world['app_b'].id}",
                    {"specialty": "被改了", "applicant": str(world["person_a"].id)},
                    token_from="/unit/sample/")
    assert response.status_code == 302
    assert specialty_of(world["app_b"].id) == "乙专业"


def test_delete_cannot_remove_another_units_record(world):
    response = post(world["client"], "/unit/sample/delete/", {"id": str(world["app_b"].id)},
                    token_from="/unit/sample/")
    assert response.status_code == 302
    assert db.session.get(Application, world["app_b"].id) is not None
    # The own record can be deleted through the same path (so the refusal is about scope).
    # This sample view does not cascade, so its extracted items go first.
    own_id = world["app_a"].id
    for item in world["app_a"].items:
        db.session.delete(item)
    db.session.commit()
    post(world["client"], "/unit/sample/delete/", {"id": str(own_id)}, token_from="/unit/sample/")
    db.session.expire_all()
    assert db.session.get(Application, own_id) is None


def test_action_refuses_another_units_ids_and_changes_nothing(world):
    client = world["client"]
    for ids in ([world["app_b"].id], [world["app_a"].id, world["app_b"].id], ["x"]):
        response = client.post("/unit/sample/action/", data={
            "csrf_token": _token(client), "action": "touch",
            "rowid": [str(value) for value in ids]})
        assert response.status_code in (400, 404)
    assert SampleApplicationView.touched == []
    assert specialty_of(world["app_a"].id) == "甲专业"
    assert specialty_of(world["app_b"].id) == "乙专业"


def test_action_runs_on_own_ids(world):
    client = world["client"]
    response = client.post("/unit/sample/action/", data={
        "csrf_token": _token(client), "action": "touch", "rowid": [str(world["app_a"].id)]})
    assert response.status_code == 302
    assert SampleApplicationView.touched == [world["app_a"].id]
    assert specialty_of(world["app_a"].id) == "已标记"


def test_inline_ajax_update_refuses_another_units_id(world):
    response = world["client"].post("/unit/sample/ajax/update/", data={
        "csrf_token": _token(world["client"]), "list_form_pk": str(world["app_b"].id),
        "specialty": "被改了"})
    assert response.status_code == 404
    assert specialty_of(world["app_b"].id) == "乙专业"


def test_ajax_lookup_offers_only_own_applicants(world):
    response = world["client"].get("/unit/sample/ajax/lookup/?name=applicant&query=员工")
    names = [label for _, label in json.loads(response.get_data(as_text=True))]
    assert names == ["甲员工"]


def test_create_with_a_forged_unit_id_lands_in_own_unit(world):
    client = world["client"]
    form = client.get("/unit/sample_template/new/").get_data(as_text=True)
    assert 'name="unit_id"' in form  # the careless form does expose the owner column
    response = post(client, "/unit/sample_template/new/", {
        "kind": "approve", "text": "新建模板", "unit_id": str(world["b"].id),
    }, token_from="/unit/sample_template/new/")
    assert response.status_code == 302
    created = db.session.scalar(db.select(OpinionTemplate).filter_by(text="新建模板"))
    assert created is not None and created.unit_id == world["a"].id


def test_edit_cannot_point_at_another_units_applicant_by_ajax_id(world):
    client = world["client"]
    own = world["app_a"].id
    post(client, f"/unit/sample/edit/?id={own}", {
        "applicant": str(world["person_b"].id), "specialty": "偷渡",
    }, token_from="/unit/sample/")
    db.session.expire_all()
    record = db.session.get(Application, own)
    assert record.applicant_id == world["person_a"].id
    assert record.specialty == "甲专业"


def test_create_cannot_pick_another_unit_from_the_choices(world):
    client = world["client"]
    post(client, "/unit/sample_people/new/", {
        "name": "偷渡者", "id_number": factories.make_id_number(77, "19850101"), "sex": "male",
        "birth_date": "1985-01-01", "unit": str(world["b"].id),
    }, token_from="/unit/sample_people/new/")
    # A forged choice is not a valid choice (it reads as blank) and the owner is set from the
    # signed-in unit, so nothing lands in the other unit.
    assert db.session.scalar(
        db.select(Applicant).filter_by(name="偷渡者", unit_id=world["b"].id)) is None
    # The same form with the own unit is accepted.
    post(client, "/unit/sample_people/new/", {
        "name": "新同事", "id_number": factories.make_id_number(78, "19850101"), "sex": "male",
        "birth_date": "1985-01-01", "unit": str(world["a"].id),
    }, token_from="/unit/sample_people/new/")
    created = db.session.scalar(db.select(Applicant).filter_by(name="新同事"))
    assert created is not None and created.unit_id == world["a"].id


def test_relationship_choices_offer_only_own_unit(world):
    page = world["client"].get("/unit/sample_people/new/").get_data(as_text=True)
    assert "甲单位" in page
    assert "乙单位" not in page


def _token(client):
    from tests.helpers import csrf_token

    return csrf_token(client, "/unit/sample/")


# --- the real employer views, with the other unit's ids ------------------------------------

EMPLOYER_VIEWS = ["unit_archive", "unit_application", "unit_applicant"]


@pytest.fixture
def two_units(app):
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    officer_a = factories.employer(a)
    person_a, person_b = factories.applicant(a, "甲员工"), factories.applicant(b, "乙员工")
    records = {
        "unit_archive": (factories.archive_item(person_a, title="甲学历"),
                         factories.archive_item(person_b, title="乙学历")),
        "unit_application": (factories.application(person_a, specialty="甲专业"),
                             factories.application(person_b, specialty="乙专业")),
        "unit_applicant": (person_a, person_b),
    }
    db.session.commit()
    return officer_a, records


@pytest.mark.parametrize("endpoint", EMPLOYER_VIEWS)
def test_every_employer_view_hides_the_other_unit(client, two_units, endpoint):
    officer_a, records = two_units
    signed_in(client, officer_a)
    own, foreign = records[endpoint]
    listing = client.get(f"/unit/{endpoint}/").get_data(as_text=True)
    assert "乙" not in listing
    assert client.get(f"/unit/{endpoint}/details/?id={own.id}").status_code == 200
    response = client.get(f"/unit/{endpoint}/details/?id={foreign.id}")
    assert response.status_code == 302
    assert "乙" not in client.get(response.headers["Location"]).get_data(as_text=True)
    # Capabilities the view does not offer are refused outright.
    for path in ("edit/", "new/"):
        assert client.get(f"/unit/{endpoint}/{path}?id={foreign.id}").status_code in (302, 403, 404)
    response = post(client, f"/unit/{endpoint}/delete/", {"id": str(foreign.id)},
                    token_from="/unit/")
    assert response.status_code in (302, 403, 404)
    # The list's inline edit (Flask-Admin's ajax/update) with the other unit's id.
    response = post(client, f"/unit/{endpoint}/ajax/update/",
                    {"list_form_pk": str(foreign.id), "title": "改了", "specialty": "改了",
                     "name": "改了"}, token_from="/unit/")
    assert response.status_code == 404
    db.session.expire_all()
    kept = db.session.get(type(foreign), foreign.id)
    assert kept is not None
    field = {"unit_archive": "title", "unit_application": "specialty",
             "unit_applicant": "name"}[endpoint]
    assert getattr(kept, field).startswith("乙")


# --- the models' query_for / get_for ----------------------------------------------------------

def test_get_for_refuses_other_units_rows_for_every_scoped_model(app):
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    officer_a = factories.employer(a)
    person_b = factories.applicant(b, "乙员工")
    item_b = factories.archive_item(person_b)
    application_b = factories.application(person_b)
    snapshot_b = ApplicationItem(application=application_b, category=item_b.category,
                                 title="乙快照")
    template_b = OpinionTemplate(unit_id=b.id, kind=OpinionKind.APPROVE, text="乙模板")
    shared = OpinionTemplate(unit_id=None, kind=OpinionKind.APPROVE, text="通用模板")
    db.session.add_all([snapshot_b, template_b, shared])
    db.session.commit()
    for model, record in ((Unit, b), (Applicant, person_b), (ArchiveItem, item_b),
                          (Application, application_b), (ApplicationItem, snapshot_b),
                          (OpinionTemplate, template_b)):
        assert model.get_for(officer_a, record.id) is None, model.__name__
    assert Unit.get_for(officer_a, a.id) == a
    assert OpinionTemplate.get_for(officer_a, shared.id) == shared
    assert Applicant.get_for(officer_a, "not-a-number") is None


def test_applicant_sees_only_own_records_and_authorized_units(app):
    a = factories.unit("甲单位")
    pending = factories.unit("未授权单位", authorized=False)
    me = factories.applicant(a, "我", with_account=True)
    other = factories.applicant(a, "同事")
    mine, theirs = factories.archive_item(me), factories.archive_item(other)
    db.session.commit()
    account = me.account
    assert ArchiveItem.get_for(account, mine.id) == mine
    assert ArchiveItem.get_for(account, theirs.id) is None
    assert Applicant.get_for(account, other.id) is None
    assert Unit.get_for(account, a.id) == a
    assert Unit.get_for(account, pending.id) is None


def test_acceptance_point_sees_only_what_was_sent_to_it(app):
    point, elsewhere = factories.acceptance_point(), factories.acceptance_point()
    account = factories.acceptance_account(point)
    unit = factories.unit()
    sent = factories.application(factories.applicant(unit), ApplicationStatus.RECOMMENDED,
                                 acceptance_point=point)
    other = factories.application(factories.applicant(unit), ApplicationStatus.RECOMMENDED,
                                  acceptance_point=elsewhere)
    unsent = factories.application(factories.applicant(unit), ApplicationStatus.APPROVED)
    db.session.commit()
    visible = set(Application.query_for(account).all())
    assert visible == {sent}
    assert other not in visible and unsent not in visible
    assert AcceptancePoint.get_for(account, elsewhere.id) is None


def test_anonymous_sees_nothing_and_admin_everything(app):
    from flask_login import AnonymousUserMixin

    person = factories.applicant(factories.unit())
    factories.archive_item(person, ReviewStatus.APPROVED)
    root = factories.admin()
    db.session.commit()
    assert ArchiveItem.query_for(AnonymousUserMixin()).count() == 0
    assert ArchiveItem.query_for(None).count() == 0
    assert ArchiveItem.query_for(root).count() == 1
    assert TitleSeries.query_for(AnonymousUserMixin()).count() == 0


def test_a_unit_does_not_see_drafts_it_was_never_sent(app):
    unit = factories.unit()
    officer = factories.employer(unit)
    person = factories.applicant(unit)
    draft_item = factories.archive_item(person, ReviewStatus.DRAFT)
    draft = factories.application(person, ApplicationStatus.DRAFT)
    returned = factories.application(factories.applicant(unit), ApplicationStatus.RETURNED)
    db.session.commit()
    assert ArchiveItem.get_for(officer, draft_item.id) is None
    assert Application.get_for(officer, draft.id) is None
    assert Application.get_for(officer, returned.id) == returned
