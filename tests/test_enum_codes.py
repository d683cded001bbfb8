"""Enum columns hold their enum's codes (CHECK constraints generated from the enums); a code the
enum does not know still renders, as the raw code; a title qualification applications use keeps
what they were submitted with."""
import re

import pytest
import sqlalchemy as sa

from models import (
    Application,
    ApplicationStatus,
    Holder,
    LabeledEnum,
    ReviewStatus,
    TitleLevel,
    TitleQualification,
)
from models.base import CodeEnum
from tests import factories
from tests.databases import server_url
from tests.helpers import page_text, post, shown_text, signed_in
from zcps.extensions import db


def enum_columns():
    """(table, column, enum class) of every column stored as an enum's code."""
    return [(table.name, column.name, column.type.enum_class)
            for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, CodeEnum)]


def test_every_enum_column_is_declared_with_its_check_constraint(app):
    columns = enum_columns()
    assert len(columns) >= 20
    for table, column, enum_cls in columns:
        checks = {constraint.name: str(constraint.sqltext)
                  for constraint in db.metadata.tables[table].constraints
                  if isinstance(constraint, sa.CheckConstraint)}
        name = f"ck_{table}_{column}"
        assert name in checks, name
        assert re.findall(r"'([^']*)'", checks[name]) == [member.value for member in enum_cls]


def test_the_migrated_database_holds_every_enum_columns_codes(app):
    """What the migrations created is what the enums list today: a code added to an enum
    without a migration replacing its constraint fails here."""
    inspector = sa.inspect(db.engine)
    for table, column, enum_cls in enum_columns():
        found = {check["name"]: check["sqltext"] for check in inspector.get_check_constraints(table)}
        name = f"ck_{table}_{column}"
        assert name in found, f"{name} missing from the database"
        assert sorted(re.findall(r"'([^']*)'", found[name])) == sorted(
            member.value for member in enum_cls), name


def application_row():
    unit = factories.unit("甲单位")
    person = factories.applicant(unit, "申报人甲", with_account=True)
    application = factories.application(person, ApplicationStatus.PENDING)
    db.session.commit()
    return application


def test_the_database_refuses_an_unknown_code(app):
    application = application_row()
    with pytest.raises(sa.exc.DBAPIError):
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE application SET status = 'zombie' WHERE id = :id"),
                               {"id": application.id})
    # Known codes go through.
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE application SET status = 'approved' WHERE id = :id"),
                           {"id": application.id})


def test_an_unknown_code_is_read_as_the_raw_code(app):
    status_type = Application.__table__.c.status.type
    value = db.session.scalar(sa.select(sa.cast(sa.literal_column("'zombie'"), status_type)))
    assert isinstance(value, ApplicationStatus) and not value.known
    assert value.value == "zombie" and value.label == "zombie" and str(value) == "zombie"
    assert value != ApplicationStatus.PENDING and ApplicationStatus.PENDING.known
    # What a form posts is never turned into one.
    with pytest.raises(ValueError):
        ApplicationStatus("zombie")
    known = db.session.scalar(sa.select(sa.cast(sa.literal_column("'pending'"), status_type)))
    assert known is ApplicationStatus.PENDING


def test_an_unknown_code_member_behaves_as_a_label_everywhere():
    unknown = ReviewStatus.unknown("on_hold")
    assert isinstance(unknown, LabeledEnum) and unknown.__html__() == "on_hold"
    assert unknown not in list(ReviewStatus)


@pytest.mark.skipif(server_url() is not None,
                    reason="the rows are written past the CHECK constraints with SQLite's "
                           "ignore_check_constraints; the servers always enforce them")
def test_pages_holding_an_unknown_code_render_it_raw(app, make_client):
    application = application_row()
    person = application.applicant
    item = factories.archive_item(person, ReviewStatus.PENDING, title="某大学 本科")
    officer = factories.employer(person.unit)
    db.session.commit()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        try:
            connection.execute(sa.text("UPDATE application SET status = 'zombie' WHERE id = :id"),
                               {"id": application.id})
            connection.execute(sa.text("UPDATE applicant SET profile_status = 'on_hold' "
                                       "WHERE id = :id"), {"id": person.id})
            connection.execute(sa.text("UPDATE archive_item SET status = 'on_hold' "
                                       "WHERE id = :id"), {"id": item.id})
        finally:
            connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    db.session.expire_all()
    assert application.holder == Holder.NONE

    unit = signed_in(make_client(), officer)
    me = signed_in(make_client(), person.account)
    admin = signed_in(make_client(), factories.admin())
    db.session.commit()
    pages = [
        (me, "/me/applications/", "zombie"),
        (me, f"/me/applications/{application.id}", "zombie"),
        (me, "/me/profile/", "on_hold"),
        (me, "/me/archive/", "on_hold"),
        (unit, "/unit/unit_archive/", None),
        (unit, f"/unit/unit_archive/review/?applicant_id={person.id}", "on_hold"),
        (unit, "/unit/unit_application/?tab=all", None),
        (unit, f"/unit/unit_application/review/?id={application.id}", "zombie"),
        (admin, "/admin/", None),
        (admin, "/admin/admin_title_qualification/", None),
    ]
    for client, url, shown in pages:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        if shown:
            assert shown in shown_text(response.get_data(as_text=True)), url


# --- a title qualification applications use -------------------------------------------------------

def qualification_form(record: TitleQualification, **changes) -> dict:
    form = {"series": str(record.series_id), "level": record.level.value, "name": record.name,
            "sort_order": str(record.sort_order), "active": "y" if record.active else ""}
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


def edit(client, record, **changes):
    url = f"/admin/admin_title_qualification/edit/?id={record.id}"
    return post(client, url, qualification_form(record, **changes), token_from=url,
                follow_redirects=True)


@pytest.mark.parametrize("status", [ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED])
def test_a_used_qualification_keeps_its_name_series_and_level(app, admin_client, status):
    unit = factories.unit("甲单位")
    application = factories.application(factories.applicant(unit, "申报人甲"), status)
    qualification = application.qualification
    db.session.commit()
    before = (qualification.name, qualification.series_id, qualification.level)

    for changes in ({"name": "高级工程师（改）"}, {"level": TitleLevel.SENIOR.value}):
        response = edit(admin_client, qualification, **changes)
        assert "已有1份申报使用" in page_text(response), changes
        db.session.expire_all()
        assert (qualification.name, qualification.series_id, qualification.level) == before
    # The application still shows what it was submitted with.
    assert application.qualification.name == "高级工程师"

    # Its order and whether it is offered may change: 停用, then a new one is added.
    edit(admin_client, qualification, sort_order="5", active="")
    db.session.expire_all()
    assert qualification.sort_order == 5 and qualification.active is False
    url = "/admin/admin_title_qualification/new/"
    post(admin_client, url, {"series": str(qualification.series_id), "level": "sub_senior",
                             "name": "高级工程师（新）", "sort_order": "1", "active": "y"},
         token_from=url)
    assert db.session.scalar(sa.select(TitleQualification).where(
        TitleQualification.name == "高级工程师（新）")) is not None
    assert application.qualification_id == qualification.id


def test_an_unused_qualification_may_be_renamed(app, admin_client):
    qualification = factories.qualification()
    db.session.commit()
    edit(admin_client, qualification, name="高级工程师（改）")
    db.session.expire_all()
    assert qualification.name == "高级工程师（改）"
