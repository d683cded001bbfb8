"""The data model: labelled states, one role per account, indexes where lists look."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from models import (
    MANDATORY_CATEGORIES,
    Account,
    ApplicationStatus,
    ArchiveCategory,
    Holder,
    ReviewStatus,
    Role,
)
from tests import factories
from zcps.extensions import db
from zcps.identifiers import (
    IdentifierError,
    clean_id_number,
    clean_mobile,
    clean_uscc,
    id_birth_date,
    id_sex,
    mask_id_number,
    mask_mobile,
)


def test_states_carry_the_platforms_words():
    assert ReviewStatus.PENDING.label == "待审核"
    assert ReviewStatus.APPROVED.label == "审核通过"
    assert ReviewStatus.RETURNED.label == "退回修改"
    assert ReviewStatus.REJECTED.label == "审核未通过"
    assert ApplicationStatus.PUBLICIZING.label == "公示中"
    assert ApplicationStatus.PUBLICIZED.label == "公示期满"
    assert ApplicationStatus.RECOMMENDED.label == "已推荐"
    assert ApplicationStatus.ACCEPTED.label == "已受理"
    assert ApplicationStatus.NOT_RECOMMENDED.label == "不予推荐"
    assert str(Role.EMPLOYER) == "用人单位"
    assert [category.label for category in MANDATORY_CATEGORIES] == ["教育经历", "工作经历", "考核情况"]
    assert len(ArchiveCategory) == 10


def test_every_application_state_says_who_holds_it(app):
    unit = factories.unit()
    expected = {
        ApplicationStatus.DRAFT: Holder.APPLICANT, ApplicationStatus.RETURNED: Holder.APPLICANT,
        ApplicationStatus.PENDING: Holder.UNIT, ApplicationStatus.PUBLICIZED: Holder.UNIT,
        ApplicationStatus.RECOMMENDED: Holder.ACCEPTANCE,
    }
    # One person per application: a person has one application in progress a year.
    for status, holder in expected.items():
        assert factories.application(factories.applicant(unit), status).holder == holder
    for status in ApplicationStatus:
        factories.application(factories.applicant(unit), status).holder  # every state has one


@pytest.mark.parametrize("owner", [{}, {"applicant": True}])
def test_an_employer_account_must_belong_to_exactly_one_unit(app, owner):
    fields = {}
    if owner:
        fields["applicant_id"] = factories.applicant(factories.unit()).id
    db.session.commit()
    account = Account(role=Role.EMPLOYER, username="x", password_hash="x", **fields)
    db.session.add(account)
    with pytest.raises(DBAPIError):  # MariaDB reports a failed CHECK as an OperationalError
        db.session.commit()
    db.session.rollback()


def test_statuses_are_stored_as_codes(app):
    person = factories.applicant(factories.unit())
    item = factories.archive_item(person, ReviewStatus.RETURNED)
    db.session.commit()
    raw = db.session.execute(
        sa.text("SELECT status FROM archive_item WHERE id = :id"), {"id": item.id}).scalar()
    assert raw == "returned"


def test_every_foreign_key_and_list_filter_column_is_indexed(app):
    inspector = sa.inspect(db.engine)
    missing = []
    for table in db.metadata.sorted_tables:
        leading = {index["column_names"][0] for index in inspector.get_indexes(table.name)}
        leading |= {constraint["column_names"][0]
                    for constraint in inspector.get_unique_constraints(table.name)}
        leading |= set(inspector.get_pk_constraint(table.name)["constrained_columns"][:1])
        wanted = {fk.parent.name for fk in table.foreign_keys}
        wanted |= {name for name in ("status", "unit_id", "id_number") if name in table.c}
        missing += [f"{table.name}.{name}" for name in sorted(wanted - leading)]
    assert missing == []


# --- identifiers -----------------------------------------------------------------------------

def test_an_id_from_outside_is_a_whole_number_an_integer_column_holds():
    from models import MAX_ID, to_id

    assert [to_id(value) for value in ("1", " 7 ", 12, str(MAX_ID))] == [1, 7, 12, MAX_ID]
    for value in ("0", "-1", str(MAX_ID + 1), "1.5", "abc", "", None, "1\x00"):
        assert to_id(value) is None, value


def test_credit_code_is_trimmed_upper_cased_and_checked():
    assert clean_uscc(" 91330106ma2b3c4d5d ") == "91330106MA2B3C4D5D"
    for bad, message in (("", "请填写"), ("91330106MA2B3C4D5", "18位"),
                         ("91330106MA2B3C4D5X", "校验位")):
        with pytest.raises(IdentifierError, match=message):
            clean_uscc(bad)


def test_id_number_is_checked_and_gives_birth_date_and_sex():
    assert clean_id_number("33010619900307123 6") == "330106199003071236"
    assert id_birth_date("330106199003071236").isoformat() == "1990-03-07"
    assert id_sex("330106199003071236").label == "男"
    assert id_sex("330106198402280089").label == "女"
    with pytest.raises(IdentifierError, match="15位"):
        clean_id_number("330106900307123")
    with pytest.raises(IdentifierError, match="校验"):
        clean_id_number("330106199003071237")


def test_mobiles_and_masks():
    assert clean_mobile("138 1234 5678") == "13812345678"
    for bad in ("23812345678", "1381234567", "abc"):
        with pytest.raises(IdentifierError):
            clean_mobile(bad)
    assert mask_id_number("33010619900307123X") == "3301**********123X"
    assert mask_mobile("13812345678") == "138****5678"


def test_dates_read_in_the_readers_language_and_times_in_beijing_time(app):
    from datetime import date, datetime

    from flask_babel import force_locale

    from zcps.i18n import local_date, local_month_day, weekday
    from zcps.workdays import month_day

    assert local_date(date(2026, 9, 29)) == "2026年9月29日"
    assert local_date(datetime(2026, 9, 29, 20, 0)) == "2026年9月30日 04:00"
    assert local_date(None) == ""
    assert local_month_day(date(2026, 9, 29)) == "9月29日"
    assert weekday(date(2026, 9, 29)) == "星期二"
    with app.test_request_context(), force_locale("en"):
        assert local_date(date(2026, 9, 29)) == "29 Sep 2026"
        assert local_date(datetime(2026, 9, 29, 20, 0)) == "30 Sep 2026 04:00"
        assert local_date("2026-09-29") == "29 Sep 2026"
        assert local_month_day(date(2026, 10, 12)) == "12 Oct"
        assert weekday(date(2026, 9, 29)) == "Tuesday"
        # What is written down (opinions, the 公示表, SMS) stays Chinese.
        assert month_day(date(2026, 10, 12)) == "10月12日"


def test_item_details_keep_each_date_on_one_line_and_escape_what_was_typed():
    from datetime import date
    from types import SimpleNamespace

    from models import ArchiveCategory
    from zcps.templating import date_html, item_details

    assert date_html(date(2026, 9, 29)) == '<span class="text-nowrap">2026年9月29日</span>'
    assert date_html(None) == ""
    item = SimpleNamespace(category=ArchiveCategory.EDUCATION,
                           details={"major": "<b>计算机</b>", "degree": "大学本科"},
                           start_date=date(2006, 9, 1), end_date=date(2010, 6, 30))
    assert item_details(item) == (
        "所学专业：&lt;b&gt;计算机&lt;/b&gt;；学历：大学本科 "
        '<span class="text-nowrap">2006年9月1日</span>—<span class="text-nowrap">2010年6月30日</span>')
    item.start_date = None
    assert item_details(item).endswith(' —<span class="text-nowrap">2010年6月30日</span>')
    item.details, item.end_date = {}, None
    assert item_details(item) == ""
