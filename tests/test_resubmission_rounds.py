"""Resubmission rounds: a returned application's remarked items are each dealt with before it
goes back, and the unit's next round shows what changed against the round that returned it."""
import re

import pytest

from models import ApplicationStatus, ArchiveCategory, ReviewStatus
from tests import factories
from tests.helpers import post, shown_text, signed_in, signed_in_applicant
from zcps import workflow
from zcps.extensions import db


@pytest.fixture
def me(app, client):
    return signed_in_applicant(client)


def archive(person):
    """The person's approved items: the three mandatory ones and an award."""
    return {category: factories.archive_item(person, ReviewStatus.APPROVED, category,
                                             category.label)
            for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                             ArchiveCategory.ASSESSMENT, ArchiveCategory.AWARD)}


def returned(person, items, remarks):
    """An application of ``items`` returned by the unit with ``remarks`` ({category: text})."""
    application = factories.application(person, ApplicationStatus.PENDING,
                                        items=list(items.values()))
    by_category = {extracted.category: extracted for extracted in application.items}
    workflow.review_application(
        factories.employer(person.unit), application, "return", "请按备注修改",
        remarks={by_category[category].id: remark for category, remark in remarks.items()})
    db.session.commit()
    return application, by_category


def extracted_of(application, category):
    db.session.expire_all()
    return next(item for item in application.items if item.category == category)


def test_a_returned_application_shows_each_remarked_item_as_needing_change(client, me):
    items = archive(me)
    application, rows = returned(me, items, {ArchiveCategory.EDUCATION: "毕业证书不清晰",
                                             ArchiveCategory.WORK: "起止时间有误"})
    page = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK):
        assert f'data-testid="needs-change-{rows[category].id}"' in page
    assert f'data-testid="needs-change-{rows[ArchiveCategory.ASSESSMENT].id}"' not in page
    text = shown_text(page)
    assert "毕业证书不清晰" in text and "起止时间有误" in text
    assert text.count("需修改") >= 4  # the badge in both tables, for each remarked item
    assert "单位审核通过后才能重新提取" in text


def test_resubmitting_is_refused_while_a_remarked_item_is_untouched(client, me):
    items = archive(me)
    application, rows = returned(me, items, {ArchiveCategory.EDUCATION: "毕业证书不清晰",
                                             ArchiveCategory.WORK: "起止时间有误"})
    url = f"/me/applications/{application.id}"
    post(client, f"{url}/submit", {
        "declared": "1", "extraction": "1", "item_id": [str(i.id) for i in items.values()],
        f"reply-{rows[ArchiveCategory.EDUCATION].id}": "证书原件已核对"}, token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.RETURNED and application.round == 1
    text = shown_text(client.get(url).get_data(as_text=True))
    assert "以下需修改的业绩尚未处理：工作经历「工作经历」" in text
    assert "教育经历「教育经历」" not in text.split("以下需修改的业绩尚未处理")[1][:40]
    # The reply given was kept, though the submission was refused.
    assert extracted_of(application, ArchiveCategory.EDUCATION).reply == "证书原件已核对"

    # The workflow refuses the same, whatever the page.
    with pytest.raises(workflow.WorkflowError, match="工作经历「工作经历」"):
        workflow.submit_application(me.account, application, declared=True)
    db.session.rollback()


def test_resubmitting_is_allowed_once_each_is_reextracted_removed_or_answered(client, me):
    items = archive(me)
    owner = me.account
    application, rows = returned(me, items, {ArchiveCategory.EDUCATION: "毕业证书不清晰",
                                             ArchiveCategory.WORK: "起止时间有误",
                                             ArchiveCategory.AWARD: "与申报专业无关"})
    education = items[ArchiveCategory.EDUCATION]
    url = f"/me/applications/{application.id}"
    ticked = [str(i.id) for i in items.values()]

    # Edited, the item waits for the unit: the extracted version is kept, not yet re-extracted.
    workflow.save_item(owner, education, title="某大学 本科（重新上传证书）")
    db.session.commit()
    text = shown_text(client.get(url).get_data(as_text=True))
    assert "修改已提交，待单位审核通过后才能重新提取" in text
    post(client, f"{url}/items", {"extraction": "1", "item_id": ticked}, token_from=url)
    assert extracted_of(application, ArchiveCategory.EDUCATION).id == \
        rows[ArchiveCategory.EDUCATION].id
    with pytest.raises(workflow.WorkflowError, match="教育经历「教育经历」"):
        workflow.submit_application(owner, application, declared=True)
    db.session.rollback()

    # Approved by the unit, it is re-extracted; the award is removed; the work item answered.
    workflow.review_item(factories.employer(me.unit), education, "approve")
    db.session.commit()
    assert "已有单位审核通过的新版本" in shown_text(client.get(url).get_data(as_text=True))
    kept = [str(items[c].id) for c in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                                        ArchiveCategory.ASSESSMENT)]
    post(client, f"{url}/submit", {
        "declared": "1", "extraction": "1", "item_id": kept,
        f"reply-{rows[ArchiveCategory.WORK].id}": "起止时间与劳动合同一致"}, token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING and application.round == 2
    assert extracted_of(application, ArchiveCategory.EDUCATION).title == "某大学 本科（重新上传证书）"
    assert ArchiveCategory.AWARD not in {item.category for item in application.items}


def test_the_units_second_round_shows_what_changed_with_the_first_rounds_remarks(client, me):
    items = archive(me)
    owner = me.account
    application, rows = returned(me, items, {ArchiveCategory.EDUCATION: "毕业证书不清晰",
                                             ArchiveCategory.WORK: "起止时间有误",
                                             ArchiveCategory.AWARD: "与申报专业无关"})
    unit_officer = factories.employer(me.unit)
    workflow.save_item(owner, items[ArchiveCategory.EDUCATION], title="某大学 本科（新证书）")
    workflow.review_item(unit_officer, items[ArchiveCategory.EDUCATION], "approve")
    paper = factories.archive_item(me, ReviewStatus.APPROVED, ArchiveCategory.PAPER, "新论文")
    keep = [items[c].id for c in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                                  ArchiveCategory.ASSESSMENT)] + [paper.id]
    workflow.extract_items(owner, application, keep,
                           replies={rows[ArchiveCategory.WORK].id: "时间以劳动合同为准"})
    workflow.submit_application(owner, application, declared=True)
    db.session.commit()

    signed_in(client, unit_officer)
    page = client.get(f"/unit/unit_application/review/?id={application.id}").get_data(
        as_text=True)
    db.session.expire_all()
    now = {item.category: item for item in application.items}

    def change(category):
        cell = re.search(rf'data-testid="round-change-{now[category].id}">(.*?)</td>', page, re.S)
        return shown_text(cell.group(1))

    assert "已修改" in change(ArchiveCategory.EDUCATION)
    assert "毕业证书不清晰" in change(ArchiveCategory.EDUCATION)
    assert "未修改" in change(ArchiveCategory.WORK)
    assert "起止时间有误" in change(ArchiveCategory.WORK)
    assert "时间以劳动合同为准" in change(ArchiveCategory.WORK)
    assert "未修改" in change(ArchiveCategory.ASSESSMENT)
    assert "新增" in change(ArchiveCategory.PAPER)
    removed = re.search(r'data-testid="round-removed">(.*?)</tr>', page, re.S)
    removed_text = shown_text(removed.group(1))
    assert "已移除" in removed_text and "获奖" in removed_text and "与申报专业无关" in removed_text
    assert "与第1轮相比" in shown_text(page)


def test_the_first_round_shows_no_comparison(client, me):
    application = factories.application(me, ApplicationStatus.PENDING, items=[])
    signed_in(client, factories.employer(me.unit))
    db.session.commit()
    page = client.get(f"/unit/unit_application/review/?id={application.id}").get_data(
        as_text=True)
    assert "round-change-" not in page and "与第" not in shown_text(page)


def test_ticking_items_and_submitting_keeps_the_ticks(client, me):
    items = archive(me)
    application = factories.application(me, ApplicationStatus.DRAFT)
    db.session.commit()
    url = f"/me/applications/{application.id}"
    ticked = [str(items[c].id) for c in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                                         ArchiveCategory.ASSESSMENT)]
    # Refused for the missing declaration: the ticks are saved all the same.
    post(client, f"{url}/submit", {"extraction": "1", "item_id": ticked}, token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.DRAFT
    assert sorted(str(item.archive_item_id) for item in application.items) == sorted(ticked)
    page = client.get(url).get_data(as_text=True)
    for item_id in ticked:
        assert re.search(rf'value="{item_id}" id="item-{item_id}" checked', page)
    assert not re.search(rf'id="item-{items[ArchiveCategory.AWARD].id}" checked', page)
    # The submit button is in the form with the ticks.
    form = re.search(r'<form[^>]*id="extraction-form".*?</form>', page, re.S).group(0)
    assert 'formaction="/me/applications/' in form and 'name="item_id"' in form
    post(client, f"{url}/submit", {"declared": "1", "extraction": "1",
                                   "item_id": ticked + [str(items[ArchiveCategory.AWARD].id)]},
         token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING and len(application.items) == 4


def test_another_applicants_application_is_refused(client, me):
    other = factories.applicant(me.unit, "申报人乙", with_account=True,
                                profile_status=ReviewStatus.APPROVED)
    theirs, rows = returned(other, archive(other), {ArchiveCategory.WORK: "起止时间有误"})
    url = f"/me/applications/{theirs.id}"
    for path in (url, f"{url}/items", f"{url}/submit"):
        data = {"declared": "1", "extraction": "1",
                f"reply-{rows[ArchiveCategory.WORK].id}": "我来回复"}
        response = client.get(path) if path == url else post(client, path, data)
        assert response.status_code == 404
    with pytest.raises(workflow.WorkflowError, match="不属于您"):
        workflow.reply_to_remarks(me.account, theirs, {rows[ArchiveCategory.WORK].id: "x"})
    db.session.rollback()
    db.session.expire_all()
    assert extracted_of(theirs, ArchiveCategory.WORK).reply == ""
    assert theirs.status == ApplicationStatus.RETURNED


def test_an_over_long_reply_is_a_form_error_and_saves_nothing(client, me):
    items = archive(me)
    application, rows = returned(me, items, {ArchiveCategory.WORK: "起止时间有误"})
    url = f"/me/applications/{application.id}"
    work = rows[ArchiveCategory.WORK].id
    too_long = "长" * (workflow.REPLY_MAX + 1)
    for path in (f"{url}/items", f"{url}/submit"):
        response = post(client, path, {"declared": "1", "extraction": "1",
                                       "item_id": [str(items[ArchiveCategory.EDUCATION].id)],
                                       f"reply-{work}": too_long}, token_from=url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "回复不能超过200字（现为201字）" in shown_text(page)
        assert f'id="reply-{work}"' in page and too_long in page  # what was typed is kept
        db.session.expire_all()
        assert application.status == ApplicationStatus.RETURNED and len(application.items) == 4
        assert extracted_of(application, ArchiveCategory.WORK).reply == ""
    with pytest.raises(workflow.WorkflowError, match="回复不能超过200字"):
        workflow.reply_to_remarks(me.account, application, {work: too_long})
    db.session.rollback()
    # A reply id that is not a number is a bad request.
    response = post(client, f"{url}/items", {"extraction": "1", "reply-x": "回复"}, token_from=url)
    assert response.status_code == 400
