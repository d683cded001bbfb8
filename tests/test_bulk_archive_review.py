"""业绩档案审核 in bulk: the people ticked on the list have all their pending parts approved at
once, and a person's page approves what is pending with per-item exceptions in one submit."""
import re

import pytest
import sqlalchemy as sa

from models import (
    Applicant,
    ArchiveCategory,
    ArchiveItem,
    AuditLog,
    Notification,
    OfficerDuty,
    ReviewRecord,
    ReviewStatus,
    Subject,
)
from tests import factories
from tests.helpers import ON_SERVERS, page_text, post, run_together, signed_in
from zcps import workflow
from zcps.extensions import db

QUEUE = "/unit/archive-review/"
ACTION = "/unit/archive-review/action/"
APPROVE_ALL = "/unit/unit_archive/approve-all/"


def people_with_items(unit, count: int, items: int = 2, prefix: str = "员工"):
    """``count`` people of ``unit``, each with pending basic information and ``items`` pending
    items."""
    people = []
    for n in range(count):
        person = factories.applicant(unit, f"{prefix}{n}", with_account=True,
                                     profile_status=ReviewStatus.PENDING)
        for m in range(items):
            factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.WORK,
                                   title=f"{prefix}{n}-工作{m}")
        people.append(person)
    return people


def statuses(person) -> list:
    return [item.status for item in db.session.scalars(
        sa.select(ArchiveItem).where(ArchiveItem.applicant_id == person.id)
        .order_by(ArchiveItem.id))]


def profile_status(person) -> ReviewStatus:
    return db.session.get(Applicant, person.id).profile_status


def review_page(client, person) -> str:
    return client.get(f"/unit/unit_archive/review/?applicant_id={person.id}").get_data(
        as_text=True)


def seen_fields(page: str) -> dict:
    """The hidden fields of the 全部通过 form: what the officer saw pending, with its version."""
    return dict(re.findall(r'name="(seen-(?:item|profile)-\d+)" value="(\d+)"', page))


@pytest.fixture
def world(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    people = people_with_items(unit, 3)
    other_unit = factories.unit("乙单位")
    stranger = people_with_items(other_unit, 1, prefix="乙员工")[0]
    db.session.commit()
    signed_in(client, officer)
    return {"unit": unit, "officer": officer, "people": people, "stranger": stranger}


# --- the list: people ticked, everything pending approved ------------------------------------

def test_ticked_people_have_all_their_pending_parts_approved_and_others_are_untouched(
        client, world):
    first, second, third = world["people"]
    # One item of the first person was already returned: it is not pending and stays so.
    returned = factories.archive_item(first, ReviewStatus.RETURNED, title="已退回")
    db.session.commit()
    response = post(client, ACTION, {"action": "approve_pending",
                                     "rowid": [str(first.id), str(second.id)]},
                    token_from=QUEUE, follow_redirects=True)
    assert "已通过 2 人的 6 项待审核材料。" in page_text(response)
    db.session.expire_all()
    for person in (first, second):
        assert profile_status(person) == ReviewStatus.APPROVED
    assert statuses(first) == [ReviewStatus.APPROVED] * 2 + [ReviewStatus.RETURNED]
    assert statuses(second) == [ReviewStatus.APPROVED] * 2
    assert db.session.get(ArchiveItem, returned.id).status == ReviewStatus.RETURNED
    # Not ticked, or another unit's: untouched.
    assert statuses(third) == [ReviewStatus.PENDING] * 2
    assert profile_status(third) == ReviewStatus.PENDING
    assert statuses(world["stranger"]) == [ReviewStatus.PENDING] * 2


def test_every_bulk_decision_has_its_history_row_and_audit_record(client, world):
    person = world["people"][0]
    audits_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    post(client, ACTION, {"action": "approve_pending", "rowid": str(person.id)},
         token_from=QUEUE)
    db.session.expire_all()
    items = db.session.scalars(sa.select(ArchiveItem.id).where(
        ArchiveItem.applicant_id == person.id)).all()
    for subject, record_id in [(Subject.PROFILE, person.id)] + [
            (Subject.ARCHIVE_ITEM, item_id) for item_id in items]:
        history = db.session.scalars(sa.select(ReviewRecord).where(
            ReviewRecord.subject == subject, ReviewRecord.subject_id == record_id)
            .order_by(ReviewRecord.id)).all()
        assert history[-1].to_status == ReviewStatus.APPROVED.value
        assert history[-1].actor_id == world["officer"].id
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
            AuditLog.target == f"{subject.value}:{record_id}"))
        assert audited >= 1
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    assert after - audits_before >= 3


def test_the_list_offers_the_bulk_button_with_the_numbers_in_its_question(client, world):
    page = client.get(QUEUE).get_data(as_text=True)
    assert "通过所选人员的待审核材料" in page
    assert "确定通过所选 {rows} 人的全部待审核材料（共 {count} 项，含基本信息）吗？" in page
    # Each row says how many of its parts wait: two items and the basic information.
    assert page.count('data-count="3"') == 3


def test_another_units_people_are_refused_and_nothing_changes(client, world):
    mine, stranger = world["people"][0], world["stranger"]
    response = post(client, ACTION, {"action": "approve_pending",
                                     "rowid": [str(mine.id), str(stranger.id)]},
                    token_from=QUEUE)
    assert response.status_code == 404
    db.session.expire_all()
    assert statuses(mine) == [ReviewStatus.PENDING] * 2
    assert statuses(stranger) == [ReviewStatus.PENDING] * 2
    assert profile_status(stranger) == ReviewStatus.PENDING


def test_the_workflow_refuses_another_units_people_itself(app, world):
    officer, stranger = world["officer"], world["stranger"]
    with pytest.raises(workflow.WorkflowError, match="不属于本单位，本次未作任何处理"):
        workflow.review_archives(officer, [world["people"][0].id, stranger.id])
    db.session.rollback()
    # Another unit's item named on a page of one's own person: refused whole.
    person = world["people"][0]
    foreign = db.session.scalars(sa.select(ArchiveItem.id).where(
        ArchiveItem.applicant_id == stranger.id)).first()
    with pytest.raises(workflow.WorkflowError, match="1 项材料不存在或不属于本单位"):
        workflow.review_archives(officer, [person.id], seen={
            (workflow.ITEM_PART, foreign): None, (workflow.PROFILE_PART, person.id): None})
    db.session.rollback()
    assert statuses(stranger) == [ReviewStatus.PENDING] * 2
    assert statuses(person) == [ReviewStatus.PENDING] * 2
    assert profile_status(person) == ReviewStatus.PENDING


def test_an_officer_without_the_archive_duty_is_refused(app, world):
    clerk = factories.officer(world["unit"], OfficerDuty.APPLICATION, name="赵敏")
    db.session.commit()
    client = signed_in(app.test_client(), clerk)
    person = world["people"][0]
    response = client.post(ACTION, data={"action": "approve_pending", "rowid": str(person.id)})
    assert response.status_code in (302, 400, 403)
    with pytest.raises(workflow.WorkflowError, match="您没有「业绩档案审核」权限"):
        workflow.review_archives(clerk, [person.id])
    db.session.rollback()
    db.session.expire_all()
    assert statuses(person) == [ReviewStatus.PENDING] * 2
    assert profile_status(person) == ReviewStatus.PENDING


def test_an_officer_who_is_also_an_applicant_leaves_their_own_records(app, world):
    me, colleague = world["people"][0], world["people"][1]
    reviewer = factories.officer(world["unit"], OfficerDuty.ARCHIVE, name=me.name,
                                 id_number=me.id_number)
    db.session.commit()
    # Only their own: refused with the reason.
    with pytest.raises(workflow.WorkflowError, match=f"不能审核本人的材料（{me.name}）"):
        workflow.review_archives(reviewer, [me.id])
    db.session.rollback()
    # With a colleague: the colleague's parts are approved, their own left and said so.
    client = signed_in(app.test_client(), reviewer)
    response = post(client, ACTION, {"action": "approve_pending",
                                     "rowid": [str(me.id), str(colleague.id)]},
                    token_from=QUEUE, follow_redirects=True)
    text = page_text(response)
    assert "已通过 1 人的 3 项待审核材料。" in text
    assert f"不能审核本人的材料（{me.name}），未处理" in text
    db.session.expire_all()
    assert statuses(me) == [ReviewStatus.PENDING] * 2
    assert profile_status(me) == ReviewStatus.PENDING
    assert statuses(colleague) == [ReviewStatus.APPROVED] * 2


def test_nothing_pending_is_said_in_chinese(app, client, world):
    person = world["people"][0]
    post(client, ACTION, {"action": "approve_pending", "rowid": str(person.id)},
         token_from=QUEUE)
    response = post(client, ACTION, {"action": "approve_pending", "rowid": str(person.id)},
                    token_from=QUEUE, follow_redirects=True)
    assert "所选人员没有待审核的材料。" in page_text(response)


# --- one person's page: 全部通过 with exceptions ------------------------------------------------

def test_approve_all_on_a_persons_page_returns_the_exception_and_approves_the_rest(
        client, world):
    person = world["people"][0]
    page = review_page(client, person)
    assert "全部通过" in page and "全部通过时退回" in page
    seen = seen_fields(page)
    assert len(seen) == 3  # the basic information and two items
    first, second = db.session.scalars(sa.select(ArchiveItem).where(
        ArchiveItem.applicant_id == person.id).order_by(ArchiveItem.id)).all()
    response = post(client, APPROVE_ALL, {
        "applicant_id": str(person.id), **seen, f"return-item-{first.id}": "1",
        f"return-reason-item-{first.id}": "请补充离职证明。"},
        token_from=f"/unit/unit_archive/review/?applicant_id={person.id}", follow_redirects=True)
    text = page_text(response)
    assert "已通过 1 人的 2 项待审核材料。" in text
    assert "1 项已退回修改，已短信通知申报人。" in text
    db.session.expire_all()
    assert db.session.get(ArchiveItem, first.id).status == ReviewStatus.RETURNED
    assert db.session.get(ArchiveItem, first.id).remark == "请补充离职证明。"
    assert db.session.get(ArchiveItem, second.id).status == ReviewStatus.APPROVED
    assert profile_status(person) == ReviewStatus.APPROVED
    # The return is told by SMS, as a single 退回修改 is.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.mobile == person.mobile, Notification.text.contains(first.title),
        Notification.text.contains("退回修改"))) == 1


def test_an_exception_without_its_reason_refuses_the_whole_submit(client, world):
    person = world["people"][0]
    url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    seen = seen_fields(review_page(client, person))
    first = db.session.scalars(sa.select(ArchiveItem).where(
        ArchiveItem.applicant_id == person.id).order_by(ArchiveItem.id)).first()
    response = post(client, APPROVE_ALL, {
        "applicant_id": str(person.id), **seen, f"return-item-{first.id}": "1",
        f"return-reason-item-{first.id}": "   "}, token_from=url, follow_redirects=True)
    assert "有 1 项勾选了退回修改但未填写退回原因" in page_text(response)
    db.session.expire_all()
    assert statuses(person) == [ReviewStatus.PENDING] * 2
    assert profile_status(person) == ReviewStatus.PENDING


def test_items_no_longer_pending_or_changed_since_the_page_are_left_and_reported(
        client, world):
    person = world["people"][0]
    url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    seen = seen_fields(review_page(client, person))
    first, second = db.session.scalars(sa.select(ArchiveItem).where(
        ArchiveItem.applicant_id == person.id).order_by(ArchiveItem.id)).all()
    # Meanwhile another officer approves the first item, and the applicant edits the second.
    workflow.review_item(factories.employer(world["unit"]), first, "approve")
    workflow.save_item(person.account, second, title="改过的工作经历")
    db.session.commit()
    response = post(client, APPROVE_ALL, {"applicant_id": str(person.id), **seen},
                    token_from=url, follow_redirects=True)
    text = page_text(response)
    assert "已通过 1 人的 1 项待审核材料。" in text
    assert "1 项已不在待审核状态，未处理。" in text
    assert "1 项在页面打开后已被修改，未处理，请刷新后重新审核。" in text
    db.session.expire_all()
    assert profile_status(person) == ReviewStatus.APPROVED
    assert db.session.get(ArchiveItem, second.id).status == ReviewStatus.PENDING


def test_approve_all_for_another_units_person_or_item_is_refused(client, world):
    person, stranger = world["people"][0], world["stranger"]
    url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    foreign = db.session.scalars(sa.select(ArchiveItem).where(
        ArchiveItem.applicant_id == stranger.id)).first()
    # Another unit's person: not found.
    response = post(client, APPROVE_ALL, {"applicant_id": str(stranger.id),
                                          f"seen-item-{foreign.id}": str(foreign.version)},
                    token_from=url)
    assert response.status_code == 404
    # Another unit's item on one's own person's form: refused whole, in words.
    seen = seen_fields(review_page(client, person))
    response = post(client, APPROVE_ALL, {"applicant_id": str(person.id), **seen,
                                          f"seen-item-{foreign.id}": str(foreign.version)},
                    token_from=url, follow_redirects=True)
    assert "1 项材料不存在或不属于本单位，本次未作任何处理。" in page_text(response)
    db.session.expire_all()
    assert statuses(person) == [ReviewStatus.PENDING] * 2
    assert statuses(stranger) == [ReviewStatus.PENDING] * 2


@pytest.mark.parametrize("field", ["seen-item-x", "seen-item-1"])
def test_a_malformed_form_is_a_bad_request(client, world, field):
    person = world["people"][0]
    url = f"/unit/unit_archive/review/?applicant_id={person.id}"
    value = "1" if field.endswith("x") else "v2"
    response = post(client, APPROVE_ALL, {"applicant_id": str(person.id), field: value},
                    token_from=url)
    assert response.status_code == 400
    db.session.expire_all()
    assert statuses(person) == [ReviewStatus.PENDING] * 2


def test_approve_all_and_the_bulk_action_need_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        unit = factories.unit("甲单位")
        officer = factories.employer(unit)
        person = people_with_items(unit, 1)[0]
        db.session.commit()
        client = app.test_client()
        signed_in(client, officer)
        page = review_page(client, person)
        seen = seen_fields(page)
        for url, form in ((APPROVE_ALL, {"applicant_id": str(person.id), **seen}),
                          (ACTION, {"action": "approve_pending", "rowid": str(person.id)})):
            for token in ({}, {"csrf_token": "forged"}):
                assert client.post(url, data={**form, **token}).status_code == 400, url
        db.session.expire_all()
        assert statuses(person) == [ReviewStatus.PENDING] * 2
        assert profile_status(person) == ReviewStatus.PENDING
        db.session.remove()


# --- lists remember the page size ----------------------------------------------------------

def test_each_list_remembers_the_page_size_chosen_on_it(client, world):
    assert "每页20条" in client.get(QUEUE).get_data(as_text=True)
    assert "每页50条" in client.get(QUEUE + "?page_size=50").get_data(as_text=True)
    # Back on the list later: still 50; another list keeps its own.
    assert ">每页50条<" in client.get(QUEUE).get_data(as_text=True).replace("\n", "")
    assert "每页20条</a>" in client.get("/unit/unit_archive/").get_data(as_text=True)
    # A size the list does not offer changes nothing; choosing 20 again is remembered too.
    client.get(QUEUE + "?page_size=7")
    assert "每页50条</a>" in client.get(QUEUE).get_data(as_text=True)
    client.get(QUEUE + "?page_size=20")
    assert "每页20条</a>" in client.get(QUEUE).get_data(as_text=True)


# --- two officers at once ----------------------------------------------------------------------

@ON_SERVERS
@pytest.mark.parametrize("attempt", range(2))
def test_two_bulk_approvals_over_the_same_people_decide_each_part_once(app, attempt):
    unit = factories.unit("甲单位")
    first = factories.officer(unit, OfficerDuty.ARCHIVE, name="王丽")
    second = factories.officer(unit, OfficerDuty.ARCHIVE, name="李强")
    people = people_with_items(unit, 4, items=3)
    db.session.commit()
    ids = [person.id for person in people]
    officer_ids = (first.id, second.id)

    def bulk(officer_id, chosen):
        from models import Account

        return lambda: workflow.review_archives(db.session.get(Account, officer_id), chosen)

    # In opposite orders, and overlapping in part.
    race = run_together(app, [bulk(officer_ids[0], ids), bulk(officer_ids[1], ids[::-1]),
                              bulk(officer_ids[1], ids[2:])],
                        expected=workflow.WorkflowError)
    assert race.errors == [], race.errors
    decided = sum(done.approved for done in race.results)
    assert decided == 4 * 4  # each person's basic information and three items, once
    for error in race.refused:
        assert "没有待审核的材料" in str(error) or "未处理" in str(error)
    for person in people:
        assert statuses(person) == [ReviewStatus.APPROVED] * 3
        assert profile_status(person) == ReviewStatus.APPROVED
        history = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRecord).where(
            ReviewRecord.applicant_id == person.id,
            ReviewRecord.to_status == ReviewStatus.APPROVED.value))
        assert history == 4
