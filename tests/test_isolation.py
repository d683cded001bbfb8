"""In each scoped area, A tries every URL with B's ids: unit A with unit B's, applicant A with
applicant B's, acceptance point A with what was sent to acceptance point B, and 主管部门 A with
what unit B sent through 主管部门 B.

Every URL rule of the employer (``/unit/``), applicant (``/me/``) and acceptance
(``/acceptance/``) areas has its probes below, and a test fails when a rule has none, so a new page
cannot arrive without being tried with another's ids. A probe passes when the answer is not a
server error, shows nothing of B (B's records all carry 乙; the pages a redirect leads to are
read too, and so are workbooks and JSON), and leaves every row B can see exactly as it was.
"""
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from models import (
    ApplicationStatus,
    ArchiveCategory,
    AuthorizationStatus,
    OfficerDuty,
    OpinionKind,
    OpinionTemplate,
    ReviewStatus,
)
from models.base import Scoped
from tests import factories
from tests.crawl import url_rules
from tests.helpers import csrf_token, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.storage import store_bytes

POSTED = date(2026, 9, 29)
MARK = "乙"  # in every name and text of B's records, and nowhere else
ENDED = date(2026, 10, 13)
EDITS = {"title": "改了", "specialty": "改了", "name": "改了", "text": "改了", "kind": "approve",
         "mobile": "13900000000", "sort_order": "1",
         # an officer (经办人管理): a new one belongs to unit A, whatever owner is forged
         "display_name": "改了", "username": factories.make_id_number(999),
         "officer_mobile": "13900000001", "duties": "archive_review",
         "new_password": "Gai-le-2026"}


@dataclass(frozen=True)
class Probe:
    rule: str
    method: str
    url: str
    data: dict | None = None
    foreign: bool = True  # carries B's ids: must be refused, not only hide B


def item_with_file(person, title, file_name):
    """An archive item of ``person`` with an attached PDF, approved by the unit."""
    item = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.EDUCATION, title)
    stored = store_bytes(factories.pdf_bytes(), file_name)
    workflow.attach_file(factories.applicant_account(person), item, stored)
    workflow.review_item(factories.employer(person.unit), item, "approve")
    return item, stored


def units():
    """Unit B's records at every step; unit A has a few of its own."""
    a = factories.unit("甲单位")
    officer_a = factories.employer(a)
    person_a = factories.applicant(a, "甲员工")
    factories.archive_item(person_a, ReviewStatus.PENDING, title="甲学历")
    own_application = factories.application(person_a, ApplicationStatus.APPROVED,
                                            specialty="甲专业")

    b = factories.unit("乙单位", authorized=False)
    authorization = factories.authorization(b, AuthorizationStatus.APPROVED,
                                            officer_name="乙经办人")
    officer_b = factories.employer(b)
    point = factories.acceptance_point("杭州市受理点")
    # One application in progress a year per person: B's people, one per state.
    person_b, *colleagues = [factories.applicant(b, name)
                             for name in ("乙员工", "乙员工二", "乙员工三", "乙员工四")]
    # The item's file is in the pending application as extracted, and the item itself is
    # waiting again: edited after its approval (the application keeps what it extracted).
    item, stored = item_with_file(person_b, "乙学历", "乙附件.pdf")
    pending = factories.application(person_b, ApplicationStatus.PENDING, specialty="乙专业",
                                    items=[item])
    workflow.save_item(factories.applicant_account(person_b), item, organisation="乙大学")
    approved = factories.application(colleagues[0], ApplicationStatus.APPROVED,
                                     specialty="乙待公示")
    publicizing = factories.application(colleagues[1], ApplicationStatus.APPROVED,
                                        specialty="乙公示")
    publicity = workflow.start_publicity(officer_b, [publicizing], POSTED,
                                         objection_contact="乙单位人事处", **factories.OBJECTION)
    objection = workflow.record_objection(officer_b, publicizing, "乙异议", POSTED)
    returned = factories.application(colleagues[2], ApplicationStatus.ACCEPTANCE_RETURNED,
                                     specialty="乙退回", acceptance_point=point,
                                     acceptance_opinion="乙受理点意见")
    template = OpinionTemplate(unit_id=b.id, kind=OpinionKind.APPROVE, text="乙单位的意见")
    db.session.add(template)
    officer = factories.officer(b, OfficerDuty.ARCHIVE, name="乙经办人")
    change = workflow.request_unit_change(
        officer_b, {"name": "乙单位新名称"}, "乙单位更名",
        store_bytes(factories.pdf_bytes(), "乙变更证明.pdf"))
    db.session.commit()
    assert item.status == ReviewStatus.PENDING
    assert stored.id in pending.items[0].file_ids
    ids = dict(person=person_b.id, item=item.id, file=stored.id, pending=pending.id,
               approved=approved.id, publicizing=publicizing.id, publicity=publicity.id,
               objection=objection.id, returned=returned.id, template=template.id,
               authorization=authorization.id, point=point.id, own_application=own_application.id,
               officer=officer.id, change=change.id)
    return officer_a, officer_b, ids


def applicants():
    """Two colleagues: applicant B's archive and application, applicant A's own."""
    unit = factories.unit("甲单位")
    me = factories.applicant(unit, "甲员工", with_account=True,
                             profile_status=ReviewStatus.APPROVED)
    factories.archive_item(me, ReviewStatus.DRAFT, title="甲学历")
    own_application = factories.application(me, ApplicationStatus.DRAFT, specialty="甲专业")
    other = factories.applicant(unit, "乙员工", with_account=True)
    item = factories.archive_item(other, ReviewStatus.DRAFT, title="乙学历")
    approved = factories.archive_item(other, ReviewStatus.APPROVED, title="乙获奖")
    attachment = workflow.attach_file(other.account, item,
                                      store_bytes(factories.pdf_bytes(), "乙附件.pdf"))
    application = factories.application(other, ApplicationStatus.DRAFT, specialty="乙专业")
    db.session.commit()
    ids = dict(person=other.id, item=item.id, approved_item=approved.id,
               attachment=attachment.id, application=application.id,
               own_application=own_application.id, unit=unit.id)
    return me.account, other.account, ids


def acceptance_points():
    """An application recommended to acceptance point B, another to point A."""
    point_a, point_b = factories.acceptance_point("甲受理点"), factories.acceptance_point("乙受理点")
    account_a, account_b = factories.acceptance_account(point_a), factories.acceptance_account(point_b)
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    own = factories.application(factories.applicant(unit, "甲员工"), ApplicationStatus.APPROVED,
                                specialty="甲专业")
    person = factories.applicant(unit, "乙员工")
    item, stored = item_with_file(person, "乙学历", "乙附件.pdf")
    sent = factories.application(person, ApplicationStatus.APPROVED, specialty="乙专业",
                                 items=[item])
    workflow.start_publicity(officer, [own, sent], POSTED, **factories.OBJECTION)
    db.session.commit()
    return account_a, account_b, dict(officer=officer, own=own, sent=sent, point_a=point_a,
                                      point_b=point_b, file=stored.id)


def recommend_both(world, clock):
    clock(ENDED)
    workflow.recommend_application(world["officer"], world["own"], world["point_a"], "同意推荐。")
    workflow.recommend_application(world["officer"], world["sent"], world["point_b"],
                                   "同意推荐乙员工。")
    db.session.commit()
    return dict(recommended=world["sent"].id, own=world["own"].id, file=world["file"],
                unit=world["own"].unit_id)


def departments():
    """Units A and B each bound to its own 主管部门, both passing on to one acceptance point."""
    department_a = factories.reviewing_level("甲主管局")
    department_b = factories.reviewing_level("乙主管局")
    point = factories.acceptance_point("甲受理点")
    account_a = factories.acceptance_account(department_a)
    account_b = factories.acceptance_account(department_b)
    unit_a, unit_b = factories.unit("甲单位"), factories.unit("乙单位")
    unit_a.supervisor_id, unit_b.supervisor_id = department_a.id, department_b.id
    officer_a, officer_b = factories.employer(unit_a), factories.employer(unit_b)
    own = factories.application(factories.applicant(unit_a, "甲员工"), ApplicationStatus.APPROVED,
                                specialty="甲专业")
    person = factories.applicant(unit_b, "乙员工")
    item, stored = item_with_file(person, "乙学历", "乙附件.pdf")
    sent = factories.application(person, ApplicationStatus.APPROVED, specialty="乙专业",
                                 items=[item])
    workflow.start_publicity(officer_a, [own], POSTED, **factories.OBJECTION)
    workflow.start_publicity(officer_b, [sent], POSTED, **factories.OBJECTION)
    db.session.commit()
    return account_a, account_b, dict(officer_a=officer_a, officer_b=officer_b, own=own,
                                      sent=sent, point=point, file=stored.id)


def recommend_through(world, clock):
    clock(ENDED)
    workflow.recommend_application(world["officer_a"], world["own"], world["point"], "同意推荐。")
    workflow.recommend_application(world["officer_b"], world["sent"], world["point"],
                                   "同意推荐乙员工。")
    db.session.commit()
    return dict(recommended=world["sent"].id, own=world["own"].id, file=world["file"],
                unit=world["own"].unit_id)


def model_views(app, prefix):
    """An area's Flask-Admin model views: endpoint → (url, view)."""
    views = {}
    for admin in app.extensions["admin"]:
        for view in admin._views:
            if view.url.startswith(prefix) and hasattr(view, "_actions"):
                views[view.endpoint] = (view.url, view)
    return views


# The id of B's record that each model view shows.
RECORD_OF_VIEW = {"unit_archive_people": "person", "unit_archive": "item",
                  "unit_application": "pending", "unit_publicity": "publicity",
                  "unit_recommendation": "returned", "unit_applicant": "person",
                  "unit_opinion_template": "template", "unit_officer": "officer",
                  "acceptance_inbox": "recommended"}


def model_view_probes(app, prefix, ids) -> list[Probe]:
    """Every route Flask-Admin gives a model view, with B's record of that view."""
    found = []
    for endpoint, (url, view) in model_views(app, prefix).items():
        foreign = ids[RECORD_OF_VIEW[endpoint]]
        forged = ids.get("person", foreign)
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
                  {**EDITS, "unit": str(forged), "unit_id": str(forged),
                   "applicant": str(forged), "applicant_id": str(forged)}),
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
    return found


def password_probes(area, ids) -> list[Probe]:
    """修改密码 changes only the signed-in account's own password, whatever ids come with it."""
    forged = {key: str(value) for key, value in ids.items() if isinstance(value, int)}
    return [
        Probe(f"{area}password/", "GET", f"{area}password/", foreign=False),
        Probe(f"{area}password/", "POST", f"{area}password/",
              {**forged, "id": str(ids.get("person", "")), "old_password": factories.PASSWORD,
               "new_password": "Hangzhou#2027", "confirm": "Hangzhou#2027"}, foreign=False),
    ]


def unit_probes(app, ids) -> list[Probe]:
    found = model_view_probes(app, "/unit/", ids)
    i = ids
    officer = {"officer_name": "甲经办人", "officer_id_number": factories.make_id_number(7),
               "officer_mobile": "13900000007"}
    found += [
        Probe("/unit/", "GET", "/unit/", foreign=False),
        Probe("/unit/guide/", "GET", "/unit/guide/", foreign=False),
        Probe("/unit/profile/", "GET", "/unit/profile/", foreign=False),
        # A change request is the unit's own: forged ids change nothing of B's.
        Probe("/unit/profile/", "POST", "/unit/profile/",
              {"name": "改了", "reason": "改了", "unit_id": str(i["change"])}, foreign=False),
        # The roster import adds people to unit A only, whatever ids come with it.
        Probe("/unit/roster/", "GET", "/unit/roster/", foreign=False),
        Probe("/unit/roster/", "POST", "/unit/roster/", {"unit_id": str(i["person"])},
              foreign=False),
        Probe("/unit/roster/commit", "POST", "/unit/roster/commit", {"rows": "forged"},
              foreign=False),
        Probe("/unit/roster/template.xlsx", "GET", "/unit/roster/template.xlsx", foreign=False),
        # 本单位统计: counts of the unit's own people only, in the page and in each export.
        Probe("/unit/statistics/", "GET", "/unit/statistics/", foreign=False),
        Probe("/unit/statistics/export/<table_name>.xlsx", "GET",
              "/unit/statistics/export/series.xlsx", foreign=False),
        Probe("/unit/profile/file/<int:change_id>", "GET",
              f"/unit/profile/file/{i['change']}"),
        *password_probes("/unit/", ids),
        Probe("/unit/authorization/", "GET", "/unit/authorization/", foreign=False),
        Probe("/unit/authorization/", "POST", "/unit/authorization/",
              {**officer, "action": "download"}, foreign=False),
        Probe("/unit/authorization/file/<int:authorization_id>", "GET",
              f"/unit/authorization/file/{i['authorization']}"),
        Probe("/unit/authorization/letter/<int:authorization_id>", "GET",
              f"/unit/authorization/letter/{i['authorization']}"),
        Probe("/unit/unit_archive/review/", "GET",
              f"/unit/unit_archive/review/?applicant_id={i['person']}"),
        Probe("/unit/unit_archive/decide/", "POST", "/unit/unit_archive/decide/",
              {"item_id": str(i["item"]), "decision": "approve"}),
        Probe("/unit/unit_archive/profile/", "POST", "/unit/unit_archive/profile/",
              {"applicant_id": str(i["person"]), "decision": "approve"}),
        Probe("/unit/unit_archive/file/<int:file_id>", "GET",
              f"/unit/unit_archive/file/{i['file']}"),
        # 全部通过 on B's person, or with B's item and basic information on the form.
        Probe("/unit/unit_archive/approve-all/", "POST", "/unit/unit_archive/approve-all/",
              {"applicant_id": str(i["person"]), f"seen-item-{i['item']}": "1",
               f"seen-profile-{i['person']}": "1", f"return-item-{i['item']}": "1",
               f"return-reason-item-{i['item']}": "退回"}),
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
        Probe("/unit/unit_application/review-form/<int:application_id>", "GET",
              f"/unit/unit_application/review-form/{i['pending']}"),
        Probe("/unit/unit_application/bundle/<int:application_id>", "GET",
              f"/unit/unit_application/bundle/{i['pending']}"),
        # The ids only tick the form's boxes among unit A's own approved applications.
        Probe("/unit/publicity/start/", "GET", f"/unit/publicity/start/?ids={i['approved']}",
              foreign=False),
        Probe("/unit/publicity/start/", "POST", "/unit/publicity/start/",
              {"ids": str(i["approved"]), "start_date": "2026-09-29", "end_date": "",
               "objection_contact": "人事处", **factories.OBJECTION}),
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
        Probe("/unit/recommendation/review-form/<int:application_id>", "GET",
              f"/unit/recommendation/review-form/{i['pending']}"),
        # 推荐花名册: of B's recommended application, or of the point B recommended it to.
        Probe("/unit/recommendation/roster/", "GET", "/unit/recommendation/roster/",
              foreign=False),
        Probe("/unit/recommendation/roster.<fmt>", "GET",
              f"/unit/recommendation/roster.pdf?ids={i['returned']}"),
        Probe("/unit/recommendation/roster.<fmt>", "GET",
              f"/unit/recommendation/roster.xlsx?point={i['point']}", foreign=False),
        Probe("/unit/recommendation/bundle/<int:application_id>", "GET",
              f"/unit/recommendation/bundle/{i['returned']}"),
    ]
    return found


def applicant_probes(app, ids) -> list[Probe]:
    i = ids
    application, item = i["application"], i["item"]
    edits = {"specialty": "改了", "title": "改了", "action": "submit", "name": "改了"}
    return password_probes("/me/", ids) + [
        Probe("/me/", "GET", "/me/", foreign=False),
        Probe("/me/applications/", "GET", "/me/applications/", foreign=False),
        Probe("/me/applications/<int:application_id>", "GET", f"/me/applications/{application}"),
        Probe("/me/applications/<int:application_id>/edit", "GET",
              f"/me/applications/{application}/edit"),
        Probe("/me/applications/<int:application_id>/edit", "POST",
              f"/me/applications/{application}/edit", edits),
        Probe("/me/applications/<int:application_id>/items", "POST",
              f"/me/applications/{application}/items", {"item_id": str(i["approved_item"])}),
        # Applicant B's approved item put into applicant A's own application.
        Probe("/me/applications/<int:application_id>/items", "POST",
              f"/me/applications/{i['own_application']}/items",
              {"item_id": str(i["approved_item"])}),
        Probe("/me/applications/<int:application_id>/review-form", "GET",
              f"/me/applications/{application}/review-form"),
        Probe("/me/applications/<int:application_id>/submit", "POST",
              f"/me/applications/{application}/submit", {"declared": "1"}),
        Probe("/me/applications/new", "GET", "/me/applications/new", foreign=False),
        Probe("/me/applications/new", "POST", "/me/applications/new",
              {"applicant_id": str(i["person"]), "applicant": str(i["person"]),
               "specialty": "伪造"}, foreign=False),
        Probe("/me/archive/", "GET", "/me/archive/", foreign=False),
        Probe("/me/archive/<int:item_id>/edit", "GET", f"/me/archive/{item}/edit"),
        Probe("/me/archive/<int:item_id>/edit", "POST", f"/me/archive/{item}/edit", edits),
        Probe("/me/archive/<int:item_id>/submit", "POST", f"/me/archive/{item}/submit"),
        Probe("/me/archive/<int:item_id>/delete", "POST", f"/me/archive/{item}/delete"),
        Probe("/me/archive/file/<int:attachment_id>", "GET",
              f"/me/archive/file/{i['attachment']}"),
        Probe("/me/archive/new/<code>", "GET", "/me/archive/new/education", foreign=False),
        Probe("/me/archive/new/<code>", "POST", "/me/archive/new/education",
              {"applicant_id": str(i["person"]), "title": "伪造", "action": "save"},
              foreign=False),
        Probe("/me/profile/", "GET", "/me/profile/", foreign=False),
        Probe("/me/profile/", "POST", "/me/profile/",
              {"applicant_id": str(i["person"]), "id": str(i["person"]), "mobile": "abc"},
              foreign=False),
        Probe("/me/profile/unit", "POST", "/me/profile/unit",
              {"unit_id": str(i["unit"]), "applicant_id": str(i["person"])}, foreign=False),
    ]


def acceptance_probes(app, ids) -> list[Probe]:
    i = ids
    sent = i["recommended"]
    return model_view_probes(app, "/acceptance/", ids) + password_probes("/acceptance/", ids) + [
        Probe("/acceptance/", "GET", "/acceptance/", foreign=False),
        Probe("/acceptance/inbox/review/", "GET", f"/acceptance/inbox/review/?id={sent}"),
        Probe("/acceptance/inbox/review/", "POST", f"/acceptance/inbox/review/?id={sent}",
              {"id": str(sent), "decision": "accept", "opinion": "受理"}),
        Probe("/acceptance/inbox/file/<int:application_id>/<int:file_id>", "GET",
              f"/acceptance/inbox/file/{sent}/{i['file']}"),
        # Point B's file asked for under an application sent to point A.
        Probe("/acceptance/inbox/file/<int:application_id>/<int:file_id>", "GET",
              f"/acceptance/inbox/file/{i['own']}/{i['file']}"),
        Probe("/acceptance/inbox/review-form/<int:application_id>", "GET",
              f"/acceptance/inbox/review-form/{sent}"),
        # 推荐花名册: of what was sent to B, or of the unit that sent to both (A's part only).
        Probe("/acceptance/inbox/roster/", "GET", "/acceptance/inbox/roster/", foreign=False),
        Probe("/acceptance/inbox/roster.<fmt>", "GET", f"/acceptance/inbox/roster.xlsx?ids={sent}"),
        Probe("/acceptance/inbox/roster.<fmt>", "GET",
              f"/acceptance/inbox/roster.xlsx?unit={i['unit']}", foreign=False),
        Probe("/acceptance/inbox/roster.<fmt>", "GET",
              f"/acceptance/inbox/roster.pdf?unit={i['unit']}", foreign=False),
        Probe("/acceptance/inbox/bundle/<int:application_id>", "GET",
              f"/acceptance/inbox/bundle/{sent}"),
        # 受理统计: what was recommended here only.
        Probe("/acceptance/statistics/", "GET", "/acceptance/statistics/", foreign=False),
        Probe("/acceptance/statistics/export/<table_name>.xlsx", "GET",
              "/acceptance/statistics/export/received_units.xlsx", foreign=False),
    ]


def rules(app, prefix) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in url_rules(app, prefix)
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def visible_to(account) -> dict:
    """Every row B's account can see, column by column."""
    db.session.expire_all()
    rows = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if not issubclass(model, Scoped) or mapper.inherits is not None:
            continue
        columns = [column.key for column in mapper.column_attrs]
        for record in db.session.scalars(model.select_for(account)):
            # By primary key: a kept summary's is (unit, person), not an id.
            rows[(model.__name__, sa.inspect(record).identity)] = tuple(
                repr(getattr(record, c)) for c in columns)
    return rows


def shows_b(response) -> bool:
    body = response.get_data()
    if body.startswith(b"PK"):  # a workbook
        sheet = load_workbook(BytesIO(body)).active
        return any(MARK in str(cell) for row in sheet.iter_rows(values_only=True)
                   for cell in row if cell is not None)
    if body.startswith(b"%PDF"):  # a document: its text as a reader extracts it
        return any(MARK in page.extract_text() for page in PdfReader(BytesIO(body)).pages)
    text = body.decode("utf-8", "replace")
    return MARK in text or "\\u4e59" in text.lower()  # JSON writes 乙 escaped


def world(area, clock):
    """(account A, account B, B's ids) of an area, and the probes of its URLs."""
    if area == "/unit/":
        a, b, ids = units()
        return a, b, ids, unit_probes
    if area == "/me/":
        a, b, ids = applicants()
        return a, b, ids, applicant_probes
    if area == DEPARTMENT_OF_A:
        a, b, world_ = departments()
        return a, b, recommend_through(world_, clock), acceptance_probes
    a, b, world_ = acceptance_points()
    return a, b, recommend_both(world_, clock), acceptance_probes


AREAS = ["/unit/", "/me/", "/acceptance/"]
# 主管部门 A (a reviewing level, in the acceptance area) against what went through 主管部门 B.
DEPARTMENT_OF_A = "/acceptance/#department"


@pytest.mark.parametrize("area", AREAS)
def test_every_url_of_the_area_has_its_probes(app, clock, area):
    _, _, ids, probes = world(area, clock)
    tried = {(probe.rule, probe.method) for probe in probes(app, ids)}
    assert rules(app, area) - tried == set()
    assert tried - rules(app, area) == set(), "probes of URLs that no longer exist"


# Unit A's 经办人 holding every duty tries the same probes as unit A's own account.
OFFICER_OF_A = "/unit/#officer"


@pytest.mark.parametrize("area", [*AREAS, OFFICER_OF_A, DEPARTMENT_OF_A])
def test_a_reaches_nothing_of_b_on_any_url_of_the_area(app, client, clock, area):
    prefix = area.partition("#")[0]
    account_a, account_b, ids, probes = world(area if area == DEPARTMENT_OF_A else prefix, clock)
    if area == OFFICER_OF_A:
        account_a = factories.officer(account_a.unit, *OfficerDuty, name="甲经办人")
        db.session.commit()
    signed_in(client, account_a)
    token = csrf_token(client, prefix)
    before = visible_to(account_b)
    assert len(before) > 2 and any(MARK in values for row in before.values()
                                    for values in row)
    problems = []
    for probe in probes(app, ids):
        if probe.method == "GET":
            response = client.get(probe.url)
        else:
            response = client.post(probe.url, data={"csrf_token": token, **(probe.data or {})})
        where = f"{probe.method} {probe.url}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
            continue
        if probe.foreign and response.status_code not in (302, 400, 403, 404):
            problems.append(f"{where}: answered {response.status_code}, not refused")
        pages = [response]
        if response.status_code == 302:
            pages.append(client.get(response.headers["Location"]))
        if any(shows_b(page) for page in pages):
            problems.append(f"{where}: shows B's data")
        if visible_to(account_b) != before:
            problems.append(f"{where}: changed B's rows")
            before = visible_to(account_b)
    assert not problems, "\n".join(problems)
