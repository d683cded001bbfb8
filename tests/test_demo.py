"""The demo data is what the workflow makes: every state of the README's table, each reached by
the steps (the history of every record runs from its first state to its current one without a
gap), on plausible days, whatever day the demo is loaded on."""
from datetime import date, timedelta

import pytest

from models import (
    AcceptancePoint,
    Account,
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveItem,
    Authorization,
    AuthorizationStatus,
    Notification,
    Objection,
    ObjectionStatus,
    OrganisationKind,
    Publicity,
    ReviewRecord,
    ReviewStatus,
    Role,
    Subject,
    Unit,
    utcnow,
)
from zcps import clock as system_clock
from zcps import workdays
from zcps.demo import load_demo
from zcps.extensions import db

FIRST, SECOND, THIRD = "91330106MA2B3C4D5D", "91330100MA28E7F6G9", "91330102MA2C5D6E7F"
ZHANG = "330106199003071236"


def unit(uscc) -> Unit:
    return db.session.scalar(db.select(Unit).filter_by(uscc=uscc))


def person(name) -> Applicant:
    return db.session.scalar(db.select(Applicant).filter_by(name=name))


def application_of(name) -> Application:
    return db.session.scalar(db.select(Application).join(Applicant).filter(Applicant.name == name))


def history(subject, record_id) -> list[ReviewRecord]:
    return db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=subject, subject_id=record_id).order_by(ReviewRecord.id)).all()


def test_the_demo_has_every_state_of_the_readme_table(app):
    assert load_demo()
    first = unit(FIRST)
    assert first.name == "杭州示例科技有限公司" and first.is_authorized
    assert unit(SECOND).authorization_status == AuthorizationStatus.PENDING
    third = unit(THIRD)
    assert third.authorization_status == AuthorizationStatus.REJECTED
    assert third.authorizations[0].opinion
    # Every application state, in the first unit, one person each.
    states = {application.status: application.applicant.name
              for application in db.session.scalars(db.select(Application))}
    assert set(states) == set(ApplicationStatus)
    assert states[ApplicationStatus.PENDING] == "张三"
    assert {application.unit_id for application in db.session.scalars(
        db.select(Application))} == {first.id}
    # 张三's items in every state, with the reasons the unit gave.
    items = {item.status: item for item in person("张三").archive_items}
    assert set(items) == set(ReviewStatus)
    assert items[ReviewStatus.RETURNED].remark and items[ReviewStatus.REJECTED].remark
    # The objections: one waiting, one found untrue, one upheld.
    objections = {objection.application.status: objection.status
                  for objection in db.session.scalars(db.select(Objection))}
    assert objections == {ApplicationStatus.PUBLICIZING: ObjectionStatus.OPEN,
                          ApplicationStatus.PUBLICIZED: ObjectionStatus.DISMISSED,
                          ApplicationStatus.NOT_RECOMMENDED: ObjectionStatus.UPHELD}
    # 褚明 has an archive only; 林晓 has registered for the second unit; two acceptance points.
    chu = person("褚明")
    assert not chu.applications and {item.status for item in chu.archive_items} == {
        ReviewStatus.PENDING}
    lin = person("林晓")
    assert lin.account is not None and lin.profile_status == ReviewStatus.DRAFT
    assert db.session.scalar(db.select(db.func.count(AcceptancePoint.id)).where(
        AcceptancePoint.kind == OrganisationKind.ACCEPTANCE)) == 2
    # A 主管部门 between both units and the point: one application waits there, one it returned.
    department = db.session.scalar(db.select(AcceptancePoint).filter_by(name="杭州市示例主管局"))
    assert department.kind == OrganisationKind.DEPARTMENT and department.parent_id is None
    assert first.supervisor == department and unit(SECOND).supervisor == department
    assert application_of("蒋华").holder_name == "杭州市示例主管局"
    assert application_of("沈悦").status == ApplicationStatus.ROUTE_RETURNED
    assert application_of("吴磊").holder_name == "杭州市职称受理点"  # recommended before
    for username, role in (("admin", Role.PLATFORM_ADMIN), (FIRST, Role.EMPLOYER),
                           (SECOND, Role.EMPLOYER), (THIRD, Role.EMPLOYER),
                           (ZHANG, Role.APPLICANT), ("accept1", Role.ACCEPTANCE),
                           ("dept1", Role.ACCEPTANCE)):
        account = db.session.scalar(db.select(Account).filter_by(username=username))
        assert account.role == role and account.check_password("demo1234")


FIRST_STATE = {Subject.APPLICATION: "", Subject.OBJECTION: "", Subject.ARCHIVE_ITEM: "draft",
               Subject.PROFILE: "draft", Subject.AUTHORIZATION: "none"}


def every_record():
    """(subject, record, its current state) of everything the demo took through steps."""
    for record in db.session.scalars(db.select(Application)):
        yield Subject.APPLICATION, record, record.status
    for record in db.session.scalars(db.select(ArchiveItem)):
        yield Subject.ARCHIVE_ITEM, record, record.status
    for record in db.session.scalars(db.select(Applicant)):
        yield Subject.PROFILE, record, record.profile_status
    for record in db.session.scalars(db.select(Authorization)):
        yield Subject.AUTHORIZATION, record, record.status
    for record in db.session.scalars(db.select(Objection)):
        yield Subject.OBJECTION, record, record.status


def test_every_history_runs_from_the_first_state_to_the_current_one_without_a_gap(app):
    assert load_demo()
    now = utcnow()
    kinds = set()
    for subject, record, state in every_record():
        chain = history(subject, record.id)
        if state.value == "draft" and subject != Subject.APPLICATION:
            assert chain == [], (subject, record.id)  # written, never sent
            continue
        kinds.add(subject)
        steps = [(row.from_status, row.to_status) for row in chain]
        assert steps[0][0] == FIRST_STATE[subject], (subject, record.id, steps)
        assert all(before[1] == after[0] for before, after in zip(steps, steps[1:])), steps
        assert steps[-1][1] == state.value, (subject, record.id, steps)
        moments = [row.created_at for row in chain]
        assert moments == sorted(moments) and moments[-1] <= now, (subject, record.id)
        if subject == Subject.APPLICATION:
            assert [row.action for row in chain][:2] in (["create", "submit"], ["create"])
    assert kinds == set(FIRST_STATE)


def test_the_demo_days_are_those_a_unit_would_have_lived(app):
    assert load_demo()
    today, now = workdays.today(), utcnow()
    ended, running = db.session.scalars(db.select(Publicity).order_by(Publicity.start_date))
    assert today - timedelta(days=45) <= ended.start_date <= today - timedelta(days=25)
    assert ended.end_date < today and ended.closed_at is not None
    assert today - timedelta(days=4) <= running.start_date <= today <= running.end_date
    for publicity in (ended, running):
        assert workdays.is_workday(publicity.start_date)
        assert publicity.end_date == workdays.earliest_end_date(publicity.start_date)
    for name in ("吴磊", "郑静", "冯涛"):
        recommended = application_of(name).recommended_at
        assert ended.end_date < (recommended + timedelta(hours=8)).date() < today
    # A month ago the first unit was authorized; the second waits since this week.
    first = unit(FIRST).authorizations[0]
    assert first.decided_at.date() < ended.start_date
    assert unit(SECOND).authorizations[0].submitted_at.date() >= today - timedelta(days=7)
    # Nothing happened in the future; the oldest is about two months back.
    for model in (ReviewRecord, Notification, Account, Unit, ArchiveItem, Application):
        oldest, newest = db.session.execute(db.select(
            db.func.min(model.created_at), db.func.max(model.created_at))).one()
        assert today - timedelta(days=90) < oldest.date() and newest <= now, model.__name__


def test_the_outbox_holds_the_demos_messages_to_its_people(app):
    assert load_demo()
    mobiles = {applicant.mobile for applicant in db.session.scalars(db.select(Applicant))}
    mobiles |= {unit.contact_mobile for unit in db.session.scalars(db.select(Unit))}
    messages = db.session.scalars(db.select(Notification)).all()
    assert len(messages) > 10
    for message in messages:
        assert message.mobile in mobiles
        assert message.text.startswith("【浙江职称】") and "。。" not in message.text
    # Each event told its people once: the approvals of the applications, for instance.
    approved = [message for message in messages if message.template == "application_approve"]
    assert len(approved) == len({message.mobile for message in approved}) == 9


@pytest.mark.parametrize("day", [date(2026, 2, 24), date(2026, 10, 9), date(2026, 9, 29)],
                         ids=["after-spring-festival", "after-national-day", "a-tuesday"])
def test_the_demo_loads_on_any_day_around_the_holidays(app, day):
    with system_clock.travel(day):
        assert load_demo()
        today = workdays.today()
        for subject, record, state in every_record():
            chain = history(subject, record.id)
            if chain:
                assert chain[-1].to_status == state.value
                assert max(row.created_at for row in chain) <= utcnow()
        running = db.session.scalars(db.select(Publicity).order_by(
            Publicity.start_date.desc())).first()
        assert running.start_date <= today <= running.end_date
        assert db.session.scalar(db.select(db.func.count(db.distinct(Application.status)))) \
            == len(ApplicationStatus)


# Given names the demo reads as a woman's or a man's: the 身份证号's sex digit must agree.
WOMEN = {"王芳", "钱丽", "郑静", "陈洁", "周敏", "林晓", "何敏", "吴霞", "沈悦"}
MEN = {"张三", "李四", "赵强", "孙伟", "吴磊", "冯涛", "褚明", "蒋华"}


def test_every_demo_person_is_their_own_id_number(app):
    from zcps.identifiers import id_birth_date, id_sex

    assert load_demo()
    people = db.session.scalars(db.select(Applicant)).all()
    assert {person.name for person in people} >= MEN | {"王芳", "钱丽", "郑静", "陈洁", "周敏"}
    for person in people:
        assert person.sex == id_sex(person.id_number), person.name
        assert person.birth_date == id_birth_date(person.id_number), person.name
        if person.name in WOMEN:
            assert person.sex.value == "female", person.name
        if person.name in MEN:
            assert person.sex.value == "male", person.name
    # Each unit's contact and officer is a different person, and no one is two people.
    contacts = [unit.contact_name for unit in db.session.scalars(db.select(Unit))]
    assert len(contacts) == len(set(contacts))
    numbers = [person.id_number for person in people]
    assert len(numbers) == len(set(numbers))
