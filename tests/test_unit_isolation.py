"""Unit A tries every endpoint of the employer area with unit B's ids.

Every URL rule under ``/unit/`` has its probes below, and a test fails when a rule has none, so a
new page cannot arrive without being tried with another unit's ids. A probe passes when the
answer is not a server error, shows nothing of unit B (its records all carry 乙; the pages a
redirect leads to are read too, and so are workbooks and JSON), and leaves every row unit B can
see exactly as it was.
"""
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models import (
    ApplicationItem,
    ApplicationStatus,
    ArchiveItemAttachment,
    OpinionKind,
    OpinionTemplate,
    ReviewStatus,
)
from models.base import Scoped
from tests import factories
from tests.helpers import csrf_token
from zcps import workflow
from zcps.extensions import db
from zcps.storage import store_bytes

POSTED = date(2026, 9, 29)
MARK = "乙"  # in every name and text of unit B's records, and nowhere else
EDITS = {"title": "改了", "specialty": "改了", "name": "改了", "text": "改了", "kind": "approve",
         "mobile": "13900000000", "sort_order": "1"}


@dataclass(frozen=True)
class Probe:
    rule: str
    method: str
    url: str
    data: dict | None = None
    foreign: bool = True  # carries unit B's ids: must be refused, not only hide B


@pytest.fixture
def units(app, clock):
    a = factories.unit("甲单位")
    officer_a = factories.employer(a)
    person_a = factories.applicant(a, "甲员工")
    factories.archive_item(person_a, ReviewStatus.PENDING, title="甲学历")
    own_application = factories.application(person_a, ApplicationStatus.APPROVED,
                                            specialty="甲专业")

    b = factories.unit("乙单位")
    officer_b = factories.employer(b)
    person_b = factories.applicant(b, "乙员工")
    item = factories.archive_item(person_b, ReviewStatus.PENDING, title="乙学历")
    stored = store_bytes(factories.pdf_bytes(), "乙附件.pdf")
    db.session.add(ArchiveItemAttachment(archive_item=item, file=stored))
    pending = factories.application(person_b, ApplicationStatus.PENDING, specialty="乙专业")
    db.session.add(ApplicationItem(application=pending, archive_item_id=item.id,
                                   category=item.category, title="乙学历",
                                   file_ids=[stored.id]))
    approved = factories.application(person_b, ApplicationStatus.APPROVED, specialty="乙待公示")
    publicizing = factories.application(person_b, ApplicationStatus.APPROVED, specialty="乙公示")
    publicity = workflow.start_publicity(officer_b, [publicizing], POSTED,
                                         objection_contact="乙单位人事处")
    objection = workflow.record_objection(officer_b, publicizing, "乙异议", POSTED)
    returned = factories.application(person_b, ApplicationStatus.ACCEPTANCE_RETURNED,
                                     specialty="乙退回", acceptance_opinion="乙受理点意见")
    template = OpinionTemplate(unit_id=b.id, kind=OpinionKind.APPROVE, text="乙单位的意见")
    db.session.add(template)
    authorization = factories.authorization(b, officer_name="乙经办人")
    point = factories.acceptance_point("杭州市受理点")
    db.session.commit()
    ids = dict(person=person_b.id, item=item.id, file=stored.id, pending=pending.id,
               approved=approved.id, publicizing=publicizing.id, publicity=publicity.id,
               objection=objection.id, returned=returned.id, template=template.id,
               authorization=authorization.id, point=point.id, own_application=own_application.id)
    return officer_a, officer_b, ids


def model_views(app):
    """The employer area's Flask-Admin model views: endpoint → (url, view)."""
    views = {}
    for admin in app.extensions["admin"]:
        for view in admin._views:
            if view.url.startswith("/unit/") and hasattr(view, "_actions"):
                views[view.endpoint] = (view.url, view)
    return views


# The id of unit B's record that each model view shows.
RECORD_OF_VIEW = {"unit_archive_people": "person", "unit_archive": "item",
                  "unit_application": "pending", "unit_publicity": "publicity",
                  "unit_recommendation": "returned", "unit_applicant": "person",
                  "unit_opinion_template": "template"}


def probes(app, ids) -> list[Probe]:
    found = []
    for endpoint, (url, view) in model_views(app).items():
        foreign = ids[RECORD_OF_VIEW[endpoint]]
        found += [
            Probe(f"{url}/", "GET", f"{url}/?tab=all", foreign=False),
            Probe(f"{url}/export.xlsx", "GET", f"{url}/export.xlsx?tab=all", foreign=False),
            Probe(f"{url}/export/<export_type>/", "GET", f"{url}/export/csv/", foreign=False),
            Probe(f"{url}/details/", "GET", f"{url}/details/?id={foreign}"),
            Probe(f"{url}/edit/", "GET", f"{url}/edit/?id={foreign}"),
            Probe(f"{url}/edit/", "POST", f"{url}/edit/?id={foreign}", dict(EDITS)),
            Probe(f"{url}/new/", "GET", f"{url}/new/", foreign=False),
            # A forged owner: whatever is created belongs to unit A (or nothing is).
            Probe(f"{url}/new/", "POST", f"{url}/new/",
                  {**EDITS, "unit": str(ids["person"]), "unit_id": str(ids["person"]),
                   "applicant": str(ids["person"]), "applicant_id": str(ids["person"])}),
            Probe(f"{url}/delete/", "POST", f"{url}/delete/", {"id": str(foreign)}),
            Probe(f"{url}/ajax/update/", "POST", f"{url}/ajax/update/",
                  {"list_form_pk": str(foreign), **EDITS}),
        ]
        for name in ("applicant", "unit", "qualification"):
            found.append(Probe(f"{url}/ajax/lookup/", "GET",
                               f"{url}/ajax/lookup/?name={name}&query=", foreign=False))
        for action, *_ in view._actions:
            found.append(Probe(f"{url}/action/", "POST", f"{url}/action/",
                               {"action": action, "rowid": str(foreign)}))
    i = ids
    officer = {"officer_name": "甲经办人", "officer_id_number": factories.make_id_number(7),
               "officer_mobile": "13900000007"}
    found += [
        Probe("/unit/", "GET", "/unit/", foreign=False),
        Probe("/unit/guide/", "GET", "/unit/guide/", foreign=False),
        Probe("/unit/profile/", "GET", "/unit/profile/", foreign=False),
        Probe("/unit/authorization/", "GET", "/unit/authorization/", foreign=False),
        Probe("/unit/authorization/", "POST", "/unit/authorization/",
              {**officer, "action": "download"}, foreign=False),
        Probe("/unit/authorization/file/<int:authorization_id>", "GET",
              f"/unit/authorization/file/{i['authorization']}"),
        Probe("/unit/unit_archive/review/", "GET",
              f"/unit/unit_archive/review/?applicant_id={i['person']}"),
        Probe("/unit/unit_archive/decide/", "POST", "/unit/unit_archive/decide/",
              {"item_id": str(i["item"]), "decision": "approve"}),
        Probe("/unit/unit_archive/profile/", "POST", "/unit/unit_archive/profile/",
              {"applicant_id": str(i["person"]), "decision": "approve"}),
        Probe("/unit/unit_archive/file/<int:file_id>", "GET",
              f"/unit/unit_archive/file/{i['file']}"),
        Probe("/unit/unit_application/review/", "GET",
              f"/unit/unit_application/review/?id={i['pending']}"),
        Probe("/unit/unit_application/review/", "POST",
              f"/unit/unit_application/review/?id={i['pending']}",
              {"id": str(i["pending"]), "decision": "approve", "opinion": "同意"}),
        Probe("/unit/unit_application/file/<int:application_id>/<int:file_id>", "GET",
              f"/unit/unit_application/file/{i['pending']}/{i['file']}"),
        # Unit B's file asked for under unit A's own application.
        Probe("/unit/unit_application/file/<int:application_id>/<int:file_id>", "GET",
              f"/unit/unit_application/file/{i['own_application']}/{i['file']}"),
        # The ids only tick the form's boxes among unit A's own approved applications.
        Probe("/unit/publicity/start/", "GET", f"/unit/publicity/start/?ids={i['approved']}",
              foreign=False),
        Probe("/unit/publicity/start/", "POST", "/unit/publicity/start/",
              {"ids": str(i["approved"]), "start_date": "2026-09-29", "end_date": "",
               "objection_contact": "人事处"}),
        Probe("/unit/publicity/period/", "GET", "/unit/publicity/period/?start=2026-09-29",
              foreign=False),
        Probe("/unit/publicity/export/<int:publicity_id>", "GET",
              f"/unit/publicity/export/{i['publicity']}"),
        Probe("/unit/publicity/objection/", "POST", "/unit/publicity/objection/",
              {"application_id": str(i["publicizing"]), "content": "异议",
               "received_on": "2026-09-29"}),
        Probe("/unit/publicity/objection/resolve/", "POST", "/unit/publicity/objection/resolve/",
              {"objection_id": str(i["objection"]), "resolution": "dismiss",
               "resolution_text": "不属实"}),
        Probe("/unit/recommendation/recommend/", "GET",
              f"/unit/recommendation/recommend/?ids={i['returned']}"),
        Probe("/unit/recommendation/recommend/", "POST",
              f"/unit/recommendation/recommend/?ids={i['returned']}",
              {"ids": str(i["returned"]), "acceptance_point_id": str(i["point"]),
               f"opinion-{i['returned']}": "同意推荐"}),
        Probe("/unit/recommendation/return/", "POST", "/unit/recommendation/return/",
              {"id": str(i["returned"]), "return_reason": "请修改"}),
        Probe("/unit/recommendation/file/<int:application_id>/<int:file_id>", "GET",
              f"/unit/recommendation/file/{i['pending']}/{i['file']}"),
        Probe("/unit/recommendation/file/<int:application_id>/<int:file_id>", "GET",
              f"/unit/recommendation/file/{i['own_application']}/{i['file']}"),
    ]
    return found


def unit_rules(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/unit/") and rule.endpoint != "unit.static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def visible_to(officer) -> dict:
    """Every row unit B's officer can see, column by column."""
    db.session.expire_all()
    rows = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if not issubclass(model, Scoped) or mapper.inherits is not None:
            continue
        columns = [column.key for column in mapper.column_attrs]
        for record in db.session.scalars(model.select_for(officer)):
            rows[(model.__name__, record.id)] = tuple(repr(getattr(record, c)) for c in columns)
    return rows


def shows_unit_b(response) -> bool:
    body = response.get_data()
    if body.startswith(b"PK"):  # a workbook
        sheet = load_workbook(BytesIO(body)).active
        return any(MARK in str(cell) for row in sheet.iter_rows(values_only=True)
                   for cell in row if cell is not None)
    text = body.decode("utf-8", "replace")
    return MARK in text or "\\u4e59" in text.lower()  # JSON writes 乙 escaped


def test_every_employer_url_has_its_probes(app, units):
    _, _, ids = units
    tried = {(probe.rule, probe.method) for probe in probes(app, ids)}
    assert unit_rules(app) - tried == set()
    assert tried - unit_rules(app) == set(), "probes of URLs that no longer exist"


def test_unit_a_reaches_nothing_of_unit_b_on_any_employer_url(app, client, units):
    from tests.helpers import signed_in

    officer_a, officer_b, ids = units
    signed_in(client, officer_a)
    token = csrf_token(client, "/unit/")
    before = visible_to(officer_b)
    assert len(before) > 10 and any(MARK in values for row in before.values()
                                     for values in row)
    problems = []
    for probe in probes(app, ids):
        if probe.method == "GET":
            response = client.get(probe.url)
        else:
            response = client.post(probe.url, data={"csrf_token": token, **probe.data})
        where = f"{probe.method} {probe.url}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
            continue
        if probe.foreign and response.status_code not in (302, 400, 403, 404):
            problems.append(f"{where}: answered {response.status_code}, not refused")
        pages = [response]
        if response.status_code == 302:
            pages.append(client.get(response.headers["Location"]))
        if any(shows_unit_b(page) for page in pages):
            problems.append(f"{where}: shows unit B's data")
        if visible_to(officer_b) != before:
            problems.append(f"{where}: changed unit B's rows")
            before = visible_to(officer_b)
    assert not problems, "\n".join(problems)
