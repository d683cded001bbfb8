"""业绩档案审核's kept rows (``archive_review_summary``): after every kind of change to an
archive item or a person — an item written, submitted, approved, returned, rejected, edited
again, deleted; basic information submitted and decided; a person changing unit; the bulk
全部通过; a rollback; two officers deciding at the same moment — each unit's row of each person
equals what the items say, and the repair command finds and mends any difference."""
import pytest
import sqlalchemy as sa

from models import ArchiveCategory, ArchiveItem, ArchiveReviewSummary, ReviewStatus
from tests import factories
from tests.helpers import ON_SERVERS, Step, run_together
from zcps import archive_summary, workflow
from zcps.extensions import db


def kept(person, unit) -> dict | None:
    row = db.session.get(ArchiveReviewSummary, (unit.id, person.id), populate_existing=True)
    if row is None:
        return None
    return {"draft": row.draft, "pending": row.pending, "approved": row.approved,
            "returned": row.returned, "rejected": row.rejected, "total": row.total,
            "waiting": row.waiting, "profile": row.profile_pending}


def counts(draft=0, pending=0, approved=0, returned=0, rejected=0, profile=False) -> dict:
    return {"draft": draft, "pending": pending, "approved": approved, "returned": returned,
            "rejected": rejected, "total": draft + pending + approved + returned + rejected,
            "waiting": pending > 0, "profile": profile}


def agrees():
    db.session.commit()
    assert archive_summary.differences(db.session) == []


@pytest.fixture
def world(app):
    """甲单位's 张三 with an item in every status and basic information waiting; 乙单位 empty."""
    a, b = factories.unit("甲单位"), factories.unit("乙单位")
    person = factories.applicant(a, "张三")
    items = {status: factories.archive_item(person, status, list(ArchiveCategory)[n])
             for n, status in enumerate(ReviewStatus)}
    owner = factories.applicant_account(person)
    workflow.submit_profile(owner)
    db.session.commit()
    return {"a": a, "b": b, "person": person, "items": items, "owner": owner,
            "officer": factories.employer(a)}


def test_every_status_is_counted_and_the_waiting_person_is_marked(world):
    a, person = world["a"], world["person"]
    # The draft was never submitted: it has no unit yet.
    assert kept(person, a) == counts(pending=1, approved=1, returned=1, rejected=1,
                                     profile=True)
    assert kept(person, world["b"]) is None
    row = db.session.get(ArchiveReviewSummary, (a.id, person.id))
    oldest = db.session.scalar(sa.select(sa.func.min(ArchiveItem.submitted_at)).where(
        ArchiveItem.unit_id == a.id, ArchiveItem.status == ReviewStatus.PENDING))
    assert row.waiting_since == min(oldest, person.profile_submitted_at)
    agrees()


def test_each_item_step_moves_the_row_in_the_same_commit(world):
    a, person, owner, officer = world["a"], world["person"], world["owner"], world["officer"]
    items = world["items"]
    draft = items[ReviewStatus.DRAFT]
    workflow.submit_item(owner, draft)
    db.session.commit()
    assert kept(person, a) == counts(pending=2, approved=1, returned=1, rejected=1,
                                     profile=True)
    agrees()
    workflow.review_item(officer, draft, "approve")
    db.session.commit()
    assert kept(person, a) == counts(pending=1, approved=2, returned=1, rejected=1,
                                     profile=True)
    workflow.review_item(officer, items[ReviewStatus.PENDING], "return", "请补充证书。")
    db.session.commit()
    assert kept(person, a) == counts(approved=2, returned=2, rejected=1, profile=True)
    agrees()
    # A returned item edited and sent again waits again; an approved one edited goes back too.
    returned = items[ReviewStatus.RETURNED]
    workflow.save_item(owner, returned, title="改后的标题", submit=True)
    workflow.save_item(owner, items[ReviewStatus.APPROVED], title="又改了")
    db.session.commit()
    assert kept(person, a) == counts(pending=2, approved=1, returned=1, rejected=1,
                                     profile=True)
    agrees()
    workflow.review_item(officer, returned, "reject", "与事实不符。")
    db.session.commit()
    assert kept(person, a)["rejected"] == 2
    agrees()


def test_the_basic_information_decided_clears_the_mark_and_since(world):
    a, person = world["a"], world["person"]
    workflow.review_profile(world["officer"], person, "approve")
    db.session.commit()
    assert kept(person, a)["profile"] is False
    row = db.session.get(ArchiveReviewSummary, (a.id, person.id))
    assert row.waiting_since == world["items"][ReviewStatus.PENDING].submitted_at
    agrees()


def test_a_deleted_draft_and_the_last_item_gone_leave_no_row(app):
    a = factories.unit("甲单位")
    person = factories.applicant(a)
    owner = factories.applicant_account(person)
    item = workflow.create_item(owner, ArchiveCategory.EDUCATION, title="某大学 本科")
    db.session.commit()
    assert kept(person, a) is None  # a draft never submitted is at no unit
    workflow.submit_item(owner, item)
    db.session.commit()
    assert kept(person, a) == counts(pending=1)
    # Deleted without the workflow (a repair), the person's row goes with the recount.
    db.session.delete(item)
    db.session.commit()
    assert kept(person, a) is None
    agrees()
    draft = workflow.create_item(owner, ArchiveCategory.EDUCATION, title="草稿")
    db.session.commit()
    workflow.delete_item(owner, draft)
    agrees()


def test_a_person_changing_unit_moves_the_basic_information_and_new_items(world):
    a, b, person, owner = world["a"], world["b"], world["person"], world["owner"]
    workflow.choose_unit(owner, b)
    db.session.commit()
    # What 甲单位 has stays there; the basic information now waits for 乙单位, which has
    # no item of the person yet.
    assert kept(person, a) == counts(pending=1, approved=1, returned=1, rejected=1)
    assert kept(person, b) is None
    agrees()
    workflow.submit_item(owner, world["items"][ReviewStatus.DRAFT])
    db.session.commit()
    assert kept(person, b) == counts(pending=1, profile=True)
    # Edited and sent again, a returned item goes to the new unit.
    workflow.save_item(owner, world["items"][ReviewStatus.RETURNED], title="改", submit=True)
    db.session.commit()
    assert kept(person, a) == counts(pending=1, approved=1, rejected=1)
    assert kept(person, b) == counts(pending=2, profile=True)
    agrees()


def test_the_bulk_approval_empties_the_waiting(world):
    a, person = world["a"], world["person"]
    other = factories.applicant(a)
    factories.archive_item(other)
    db.session.commit()
    workflow.review_archives(world["officer"], [person.id, other.id])
    db.session.commit()
    assert kept(person, a) == counts(approved=2, returned=1, rejected=1)
    assert kept(other, a) == counts(approved=1)
    agrees()


def test_a_rolled_back_change_leaves_the_row_as_it_was(world):
    a, person = world["a"], world["person"]
    item = world["items"][ReviewStatus.PENDING]
    item.status = ReviewStatus.APPROVED
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert kept(person, a) == counts(pending=1, approved=1, returned=1, rejected=1,
                                     profile=True)
    agrees()


def test_the_command_finds_a_difference_and_the_rebuild_mends_it(world, runner):
    a, person = world["a"], world["person"]
    db.session.execute(sa.update(ArchiveReviewSummary)
                       .where(ArchiveReviewSummary.unit_id == a.id).values(pending=7, total=11))
    db.session.commit()

    result = runner.invoke(args=["zcps", "archive-summary"])
    assert result.exit_code == 1
    assert f"人员 {person.id} 单位 {a.id}：统计 11 项，实际 4 项" in result.output
    assert "1 处不一致。" in result.output

    result = runner.invoke(args=["zcps", "archive-summary", "--rebuild"])
    assert result.exit_code == 0 and "已重新统计 1 人次的业绩档案待审核情况。" in result.output
    result = runner.invoke(args=["zcps", "archive-summary"])
    assert result.exit_code == 0 and "业绩档案审核统计与业绩档案一致。" in result.output
    db.session.rollback()
    assert kept(person, a)["total"] == 4


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(3))
def test_decisions_and_submissions_at_once_leave_the_row_right(app, world, attempt):
    a, person, owner, officer = world["a"], world["person"], world["owner"], world["officer"]
    waiting = [factories.archive_item(person, ReviewStatus.PENDING) for _ in range(3)]
    drafts = [factories.archive_item(person, ReviewStatus.DRAFT) for _ in range(2)]
    db.session.commit()
    officer_id, owner_id = officer.id, owner.id

    def decide(item_id):
        return Step(lambda: (db.session.get(type(officer), officer_id),
                             db.session.get(ArchiveItem, item_id)),
                    lambda prepared: workflow.review_item(*prepared, "approve"))

    def submit(item_id):
        return Step(lambda: (db.session.get(type(owner), owner_id),
                             db.session.get(ArchiveItem, item_id)),
                    lambda prepared: workflow.submit_item(*prepared))

    race = run_together(app, [decide(item.id) for item in waiting]
                        + [submit(item.id) for item in drafts])

    assert race.errors == []
    assert kept(person, a) == counts(pending=3, approved=4, returned=1, rejected=1,
                                     profile=True)
    assert archive_summary.differences(db.session) == []
