"""Steps that meet on the same rows at the same moment, fired through a barrier on PostgreSQL and
MariaDB: a record moving to another unit while the first unit decides, an objection entered while
the unit recommends, and the steps that could deadlock each other."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    Account,
    Action,
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveItem,
    Objection,
    ObjectionStatus,
    ReviewRecord,
    ReviewStatus,
    Subject,
)
from tests import factories
from tests.helpers import ON_SERVERS, Step, run_together
from zcps import workdays, workflow
from zcps.extensions import db

ATTEMPTS = 4


def later(attempt) -> float:
    """Every other attempt, the unit's decision starts a moment after the applicant's step."""
    return 0.05 * (attempt % 2)

NOT_OURS = {"申报不存在或不属于本单位。", "人员不存在或不属于本单位。", "业绩档案不存在或不属于本单位。"}


def actor(account_id):
    return db.session.get(Account, account_id)


def history(subject, record_id) -> list[tuple]:
    """(action, unit) of each step of a record's timeline, oldest first."""
    return [(row.action, row.unit_id) for row in db.session.scalars(
        sa.select(ReviewRecord).where(ReviewRecord.subject == subject,
                                      ReviewRecord.subject_id == record_id)
        .order_by(ReviewRecord.id))]


def refused_in_chinese(error) -> bool:
    return isinstance(error, workflow.WorkflowError) and any(
        "\u4e00" <= character <= "\u9fff" for character in str(error))


@pytest.fixture
def two_units(app):
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    return dict(a=a, b=b, officer_a=factories.employer(a), officer_b=factories.employer(b))


# --- 1. a record moves to another unit while the first one decides --------------------------------

def move_to(person, unit):
    """The applicant changes unit; the new unit approves the basic information."""
    workflow.choose_unit(person.account, unit)
    workflow.review_profile(factories.employer(unit), person, "approve")


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_an_application_resubmitted_to_another_unit_is_not_decided_by_the_first(
        two_units, app, attempt):
    a, b = two_units["a"], two_units["b"]
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    application = factories.application(person, ApplicationStatus.PENDING)
    # 甲单位's officer opened the page while it was pending; another click returned it since.
    workflow.review_application(two_units["officer_a"], application, "return", "请补充论文")
    move_to(person, b)
    items = factories.mandatory_items(person)
    for item in items:  # what 乙单位 approved goes into the application
        workflow.save_item(person.account, item, title=item.title)
        workflow.review_item(two_units["officer_b"], item, "approve")
    workflow.extract_items(person.account, application, [item.id for item in items])
    db.session.commit()
    ids = dict(applicant=person.account.id, officer=two_units["officer_a"].id,
               application=application.id)

    race = run_together(app, [
        Step(lambda: (actor(ids["applicant"]), db.session.get(Application, ids["application"])),
             lambda prepared: workflow.submit_application(*prepared, declared=True).id),
        Step(lambda: (actor(ids["officer"]),
                      Application.get_for(actor(ids["officer"]), ids["application"])),
             lambda prepared: workflow.review_application(*prepared, "approve", "同意推荐。").id,
             delay=later(attempt)),
    ], expected=workflow.WorkflowError)

    assert race.errors == []
    resubmitted, decided = race.outcomes
    assert resubmitted == application.id
    assert refused_in_chinese(decided), decided
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING and application.unit_id == b.id
    assert (Action.APPROVE, a.id) not in history(Subject.APPLICATION, application.id)


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_basic_information_moved_to_another_unit_is_not_decided_by_the_first(
        two_units, app, attempt):
    a, b = two_units["a"], two_units["b"]
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.PENDING)
    db.session.commit()
    ids = dict(applicant=person.account.id, officer=two_units["officer_a"].id,
               person=person.id, b=b.id)

    race = run_together(app, [
        Step(lambda: actor(ids["applicant"]),
             lambda applicant: workflow.choose_unit(
                 applicant, db.session.get(type(b), ids["b"])).id),
        Step(lambda: (actor(ids["officer"]),
                      Applicant.get_for(actor(ids["officer"]), ids["person"])),
             lambda prepared: workflow.review_profile(*prepared, "approve").id,
             delay=later(attempt)),
    ], expected=workflow.WorkflowError)

    assert race.errors == []
    moved, decided = race.outcomes
    assert moved == person.id
    db.session.expire_all()
    # Whatever came first, the basic information now waits for 乙单位.
    assert person.unit_id == b.id and person.profile_status == ReviewStatus.PENDING
    steps = history(Subject.PROFILE, person.id)
    if isinstance(decided, Exception):
        # It had moved when 甲单位 took the row: refused, and nothing of 甲单位's is recorded.
        assert str(decided) in NOT_OURS, decided
        assert (Action.APPROVE, a.id) not in steps
    else:
        # 甲单位 decided first; the change of unit came after and sent it to 乙单位.
        assert steps.index((Action.APPROVE, a.id)) < steps.index((Action.CHANGE_UNIT, b.id))


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_an_item_resubmitted_to_another_unit_is_not_decided_by_the_first(
        two_units, app, attempt):
    a, b = two_units["a"], two_units["b"]
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    item = factories.archive_item(person, ReviewStatus.RETURNED, title="某大学 本科")
    move_to(person, b)
    db.session.commit()
    ids = dict(applicant=person.account.id, officer=two_units["officer_a"].id, item=item.id)

    race = run_together(app, [
        Step(lambda: (actor(ids["applicant"]), db.session.get(ArchiveItem, ids["item"])),
             lambda prepared: workflow.submit_item(*prepared).id),
        Step(lambda: (actor(ids["officer"]),
                      ArchiveItem.get_for(actor(ids["officer"]), ids["item"])),
             lambda prepared: workflow.review_item(*prepared, "approve").id,
             delay=later(attempt)),
    ], expected=workflow.WorkflowError)

    assert race.errors == []
    resubmitted, decided = race.outcomes
    assert resubmitted == item.id
    assert refused_in_chinese(decided), decided
    db.session.expire_all()
    assert item.status == ReviewStatus.PENDING and item.unit_id == b.id
    assert (Action.APPROVE, a.id) not in history(Subject.ARCHIVE_ITEM, item.id)


def test_a_decision_on_a_record_that_moved_is_refused_after_the_lock(two_units):
    """The same on any database, one step after the other: the page was opened while the record
    was 甲单位's; the decision is refused once it is 乙单位's."""
    a, b = two_units["a"], two_units["b"]
    person = factories.applicant(a, "申报人甲", with_account=True,
                                 profile_status=ReviewStatus.PENDING)
    item = factories.archive_item(person, ReviewStatus.RETURNED)
    db.session.commit()
    seen_person = Applicant.get_for(two_units["officer_a"], person.id)
    seen_item = ArchiveItem.get_for(two_units["officer_a"], item.id)
    assert seen_person is not None and seen_item is not None
    workflow.choose_unit(person.account, b)
    workflow.review_profile(two_units["officer_b"], person, "approve")
    workflow.submit_item(person.account, item)
    db.session.commit()
    with pytest.raises(workflow.WorkflowError, match="人员不存在或不属于本单位"):
        workflow.review_profile(two_units["officer_a"], seen_person, "approve")
    db.session.rollback()
    with pytest.raises(workflow.WorkflowError, match="业绩档案不存在或不属于本单位"):
        workflow.review_item(two_units["officer_a"], seen_item, "approve")
    db.session.rollback()
    assert item.status == ReviewStatus.PENDING and item.unit_id == b.id
    # 乙单位 decides it.
    workflow.review_item(two_units["officer_b"], item, "approve")
    db.session.commit()
    assert item.status == ReviewStatus.APPROVED


# --- 2. an objection entered while the unit recommends ---------------------------------------------

@pytest.fixture
def publicized(app, clock):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    application = factories.application(factories.applicant(unit, "申报人甲"),
                                        ApplicationStatus.PUBLICIZED)
    point = factories.acceptance_point("杭州市受理点", application.plan)
    db.session.commit()
    return dict(officer=officer, application=application, point=point)


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_an_objection_entered_while_recommending_never_leaves_a_recommendation_with_it_open(
        app, publicized, attempt):
    application = publicized["application"]
    publicity = application.publicity
    received = publicity.end_date
    ids = dict(officer=publicized["officer"].id, application=application.id,
               point=publicized["point"].id)

    def loaded():
        record = db.session.get(Application, ids["application"])
        # What the recommending page read: no objection yet.
        assert workflow.recommendation_blocker(record) is None
        return actor(ids["officer"]), record

    race = run_together(app, [
        Step(loaded, lambda prepared: workflow.record_objection(
            *prepared, "论文署名存疑", received, "匿名来信").id),
        Step(loaded, lambda prepared: workflow.recommend_application(
            *prepared, db.session.get(type(publicized["point"]), ids["point"]), "同意推荐。").id,
             delay=later(attempt)),
    ], expected=workflow.WorkflowError)

    assert race.errors == []
    assert len(race.results) == 1 and len(race.refused) == 1, race.outcomes
    assert refused_in_chinese(race.refused[0])
    db.session.expire_all()
    open_objections = db.session.scalar(sa.select(sa.func.count()).select_from(Objection).where(
        Objection.application_id == application.id, Objection.status == ObjectionStatus.OPEN))
    if application.status == ApplicationStatus.RECOMMENDED:
        assert open_objections == 0
    else:
        assert application.status == ApplicationStatus.PUBLICIZED and open_objections == 1


def test_an_objection_entered_after_the_page_was_read_stops_the_recommendation(publicized):
    """One after the other: the page read no objection, the objection came, 推荐 is refused."""
    application = publicized["application"]
    assert workflow.recommendation_blocker(application) is None
    workflow.record_objection(publicized["officer"], application, "论文署名存疑",
                              application.publicity.end_date, "匿名来信")
    db.session.commit()
    with pytest.raises(workflow.WorkflowError, match="有未处理的异议"):
        workflow.recommend_application(publicized["officer"], application, publicized["point"],
                                       "同意推荐。")
    db.session.rollback()
    assert application.status == ApplicationStatus.PUBLICIZED


# --- 3. steps that could deadlock --------------------------------------------------------------------

@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_overlapping_publicity_batches_give_one_batch_and_no_error(app, clock, attempt):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    applications = factories.applications(
        [factories.applicant(unit, f"申报人{n}") for n in range(6)], ApplicationStatus.APPROVED)
    db.session.commit()
    ids, officer_id = [application.id for application in applications], officer.id
    start = workdays.today() + timedelta(days=1)

    def batch(chosen):
        return Step(lambda: (actor(officer_id),
                             [db.session.get(Application, each) for each in chosen]),
                    lambda prepared: workflow.start_publicity(
                        *prepared, start, past_deadline_confirmed=True,
                        **factories.OBJECTION).id)

    # The same applications picked in opposite orders, and overlapping only in part.
    chosen = [ids, list(reversed(ids)), ids[3:] + ids[:2]]
    race = run_together(app, [batch(each) for each in chosen], expected=workflow.WorkflowError)

    assert race.errors == []
    assert len(race.results) == 1, race.outcomes
    assert all("只有审核通过的申报可以公示" in str(error) for error in race.refused)
    winner = chosen[race.outcomes.index(race.results[0])]
    db.session.expire_all()
    for application in applications:
        if application.id in winner:
            assert application.status == ApplicationStatus.PUBLICIZING
            assert application.publicity_id == race.results[0]
        else:
            assert application.status == ApplicationStatus.APPROVED


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_a_unit_switch_and_the_approval_of_basic_information_at_once_give_no_error(
        two_units, app, attempt):
    a, b = two_units["a"], two_units["b"]
    people = [factories.applicant(a, f"申报人{n}", with_account=True,
                                  profile_status=ReviewStatus.PENDING) for n in range(4)]
    db.session.commit()
    officer, target = two_units["officer_a"].id, b.id
    steps = []
    for person in people:
        account_id, person_id = person.account.id, person.id
        steps.append(Step(lambda account_id=account_id: actor(account_id),
                          lambda applicant: workflow.choose_unit(
                              applicant, db.session.get(type(b), target)).id))
        steps.append(Step(lambda person_id=person_id: (actor(officer),
                                                       db.session.get(Applicant, person_id)),
                          lambda prepared: workflow.review_profile(*prepared, "approve").id))

    race = run_together(app, steps, expected=workflow.WorkflowError)

    assert race.errors == []
    assert all(str(error) in NOT_OURS for error in race.refused), race.refused
    db.session.expire_all()
    for person in people:
        assert person.unit_id == b.id and person.profile_status == ReviewStatus.PENDING
