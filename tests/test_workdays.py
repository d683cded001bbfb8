"""The working-day calendar: chinesecalendar, overridden by the platform admin's entries."""
from datetime import date

from models import WorkdayOverride
from zcps import workdays
from zcps.extensions import db


def test_posting_on_2026_09_29_ends_on_10_12_by_default(app):
    # 9/30, 10/8, 10/9, 10/10 (a Saturday made a working day), 10/12.
    assert workdays.earliest_end_date(date(2026, 9, 29)) == date(2026, 10, 12)


def test_counting_the_start_day_ends_on_10_10(app):
    assert workdays.earliest_end_date(date(2026, 9, 29), count_start_day=True) == date(2026, 10, 10)


def test_the_setting_decides_whether_the_start_day_counts(app_factory):
    app = app_factory(PUBLICITY_COUNT_START_DAY=True)
    with app.app_context():
        assert workdays.earliest_end_date(date(2026, 9, 29)) == date(2026, 10, 10)


def test_a_start_day_that_is_a_holiday_does_not_count_even_when_counting(app):
    # 2026-10-01 is National Day: counting the start day changes nothing.
    assert workdays.earliest_end_date(date(2026, 10, 1), count_start_day=True) == \
        workdays.earliest_end_date(date(2026, 10, 1), count_start_day=False)


def test_a_period_across_the_2026_spring_festival(app):
    # Spring Festival 2026: 2/15–2/23 off, Sat 2/14 and Sat 2/28 worked.
    # From Fri 2/13: 2/14 (worked Saturday), 2/24, 2/25, 2/26, 2/27.
    assert workdays.earliest_end_date(date(2026, 2, 13)) == date(2026, 2, 27)
    assert workdays.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert workdays.working_days_between(date(2026, 2, 13), date(2026, 2, 26)) == 4


def test_a_2027_date_with_no_entries_counts_monday_to_friday_and_warns(app):
    # Mon 2027-02-01: Tue–Fri then Mon 2/8.
    assert workdays.earliest_end_date(date(2027, 2, 1)) == date(2027, 2, 8)
    assert workdays.unofficial_years(date(2027, 2, 1), date(2027, 2, 8)) == [2027]
    assert workdays.unofficial_years(date(2026, 12, 28), date(2027, 1, 5)) == [2027]
    assert workdays.unofficial_years(date(2026, 9, 29), date(2026, 10, 12)) == []


def test_2027_entries_win_and_clear_the_warning(app):
    entries, errors = workdays.parse_entries("2027-02-04 休 春节\n2027-02-05 休\n2027-02-06 班\n")
    assert errors == []
    workdays.save_entries(entries, None)
    db.session.commit()
    # Tue 2/2, Wed 2/3, Sat 2/6 (worked), Mon 2/8, Tue 2/9.
    assert workdays.earliest_end_date(date(2027, 2, 1)) == date(2027, 2, 9)
    assert workdays.unofficial_years(date(2027, 2, 1), date(2027, 2, 9)) == []


def test_entries_may_name_the_type_in_english_as_the_english_form_shows_it(app):
    entries, errors = workdays.parse_entries("2027-02-04 off Spring Festival\n2027-02-06 Work")
    assert errors == []
    assert entries == [(date(2027, 2, 4), False, "Spring Festival"), (date(2027, 2, 6), True, "")]


def test_an_admin_entry_wins_over_chinesecalendar(app):
    db.session.add(WorkdayOverride(day=date(2026, 9, 30), is_workday=False, note="停电"))
    db.session.commit()
    assert not workdays.is_workday(date(2026, 9, 30))
    assert workdays.earliest_end_date(date(2026, 9, 29)) == date(2026, 10, 13)


def test_entries_that_cannot_be_read_are_named(app):
    entries, errors = workdays.parse_entries("2027-13-01 休\n2027-01-02\n\n2027-01-03 班\n2027-01-03 休")
    assert [day for day, _, _ in entries] == [date(2027, 1, 3)]
    assert len(errors) == 3
    assert errors[0].startswith("第1行") and errors[1].startswith("第2行") and "重复" in errors[2]


def test_saving_an_entry_again_replaces_it(app):
    workdays.save_entries([(date(2027, 5, 1), False, "劳动节")], None)
    db.session.commit()
    workdays.save_entries([(date(2027, 5, 1), True, "")], None)
    db.session.commit()
    rows = db.session.scalars(db.select(WorkdayOverride)).all()
    assert [(row.day, row.is_workday) for row in rows] == [(date(2027, 5, 1), True)]


def test_days_left_counts_the_end_date(app):
    assert workdays.days_left(date(2026, 10, 12), on=date(2026, 10, 12)) == 1
    assert workdays.days_left(date(2026, 10, 12), on=date(2026, 10, 13)) == 0
    assert workdays.days_left(date(2026, 10, 12), on=date(2026, 10, 10)) == 3
