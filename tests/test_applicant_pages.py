"""The applicant's pages (/me): what a person does in the browser, and what others cannot do."""
from datetime import date
from io import BytesIO

import pytest

from models import (
    Application,
    ApplicationItem,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    ArchiveItemAttachment,
    ReviewStatus,
)
from tests import factories
from tests.helpers import csrf_token, post, signed_in, signed_in_applicant, sms_code
from zcps import workflow
from zcps.extensions import db


@pytest.fixture
def me(app, client):
    return signed_in_applicant(client)


def test_choosing_the_employing_unit_by_search(client, app):
    person = factories.applicant(None, "新人", with_account=True)
    target = factories.unit("杭州目标科技")
    factories.unit("杭州未授权公司", authorized=False)
    db.session.commit()
    signed_in(client, person.account)
    page = client.get("/me/profile/?q=杭州").get_data(as_text=True)
    assert "杭州目标科技" in page and "杭州未授权公司" not in page
    post(client, "/me/profile/unit", {"unit_id": str(target.id)}, token_from="/me/profile/")
    db.session.expire_all()
    assert person.unit_id == target.id
    unauthorized = factories.unit("另一家未授权", authorized=False)
    db.session.commit()
    post(client, "/me/profile/unit", {"unit_id": str(unauthorized.id)}, token_from="/me/profile/")
    db.session.expire_all()
    assert person.unit_id == target.id


def test_basic_information_is_saved_and_submitted(client, app):
    me = factories.applicant(factories.unit("甲单位"), "申报人甲", with_account=True)
    db.session.commit()
    signed_in(client, me.account)
    code = sms_code(client, "/me/profile/", "mobile", "13912345678")
    post(client, "/me/profile/", {"action": "save", "mobile": "13912345678", "code": code,
                                  "highest_education": "大学本科", "current_title": "工程师",
                                  "current_title_date": "2020-12-31"}, token_from="/me/profile/")
    post(client, "/me/profile/", {"action": "submit", "mobile": "13912345678",
                                  "highest_education": "大学本科", "current_title": "工程师",
                                  "current_title_date": "2020-12-31"}, token_from="/me/profile/")
    db.session.expire_all()
    assert me.current_title == "工程师" and me.mobile == "13912345678"
    assert me.profile_status == ReviewStatus.PENDING


def test_submitting_without_saving_first_keeps_what_was_typed(client, me):
    me.profile_status = ReviewStatus.DRAFT
    db.session.commit()
    page = post(client, "/me/profile/", {"action": "submit", "mobile": me.mobile,
                                         "highest_education": "硕士研究生",
                                         "current_title": "高级工程师",
                                         "current_title_date": "2021-06-30"},
                token_from="/me/profile/", follow_redirects=True).get_data(as_text=True)
    assert "基本信息已提交单位审核。" in page
    db.session.expire_all()
    assert (me.current_title, me.highest_education) == ("高级工程师", "硕士研究生")
    assert me.profile_status == ReviewStatus.PENDING


def test_a_bad_field_on_submit_submits_nothing(client, me):
    me.profile_status = ReviewStatus.DRAFT
    db.session.commit()
    page = post(client, "/me/profile/", {"action": "submit", "mobile": "123",
                                         "current_title": "高级工程师"},
                token_from="/me/profile/").get_data(as_text=True)
    assert "手机号码应为以1开头的11位数字。" in page and 'value="高级工程师"' in page
    db.session.expire_all()
    assert me.profile_status == ReviewStatus.DRAFT


def test_a_bad_mobile_is_refused_beside_the_field(client, me):
    before = (me.mobile, me.current_title)
    response = post(client, "/me/profile/", {"action": "save", "mobile": "12345",
                                             "current_title": "正高级工程师"},
                    token_from="/me/profile/")
    assert "手机号码应为以1开头的11位数字。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (me.mobile, me.current_title) == before


def test_a_new_mobile_is_kept_only_with_its_code(client, me):
    """Finding 4: the texts follow a mobile its holder proved, not one typed in."""
    before = me.mobile
    for code in ("", "000000"):
        page = post(client, "/me/profile/", {"action": "save", "mobile": "13800001111",
                                             "code": code, "current_title": "工程师"},
                    token_from="/me/profile/").get_data(as_text=True)
        assert "更换手机号码须填写发送到新号码的短信验证码" in page or "短信验证码错误或已失效" in page
        db.session.expire_all()
        assert me.mobile == before and me.current_title != "工程师"
    code = sms_code(client, "/me/profile/", "mobile", "13800001111")
    assert code
    # A code sent for registration does not change a profile's mobile.
    other = sms_code(client, "/register/person", "mobile", "13800002222")
    page = post(client, "/me/profile/", {"action": "save", "mobile": "13800002222",
                                         "code": other}, token_from="/me/profile/")
    assert "短信验证码错误或已失效" in page.get_data(as_text=True)
    response = post(client, "/me/profile/", {"action": "save", "mobile": "13800001111",
                                             "code": code, "current_title": "工程师"},
                    token_from="/me/profile/")
    assert response.status_code == 302
    db.session.expire_all()
    assert me.mobile == "13800001111" and me.current_title == "工程师"


def test_the_workflow_refuses_an_unproven_mobile(app, me):
    with pytest.raises(workflow.WorkflowError, match="更换手机号码"):
        workflow.save_profile(me.account, mobile="13800003333")
    db.session.rollback()
    workflow.save_profile(me.account, mobile=me.mobile, current_title="工程师")  # unchanged: fine


def test_an_item_is_created_and_submitted_with_an_attachment(client, me):
    url = "/me/archive/new/education"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "title": "浙江大学", "major": "计算机",
        "degree": "大学本科", "end_date": "2012-06-30", "action": "submit",
        "attachment": (BytesIO(factories.pdf_bytes()), "毕业证.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.scalar(db.select(ArchiveItem))
    assert item.status == ReviewStatus.PENDING and item.details["major"] == "计算机"
    assert len(item.attachments) == 1
    page = client.get("/me/archive/").get_data(as_text=True)
    assert "浙江大学" in page and "待审核" in page
    download = client.get(f"/me/archive/file/{item.attachments[0].id}")
    # Opened in the browser's PDF viewer, under the name it was uploaded with.
    disposition = download.headers["Content-Disposition"]
    assert download.status_code == 200 and disposition.startswith("inline")
    assert "filename*=UTF-8''%E6%AF%95%E4%B8%9A%E8%AF%81.pdf" in disposition


def test_the_archive_shows_a_table_per_required_or_filled_category(client, me):
    page = client.get("/me/archive/").get_data(as_text=True)
    for required in ("教育经历", "工作经历", "考核情况"):
        assert f"暂无{required}" in page  # required: its table shows even when empty
    assert "暂无论文论著" not in page and "暂无获奖" not in page
    more = page[page.index('data-testid="more-categories"'):]
    assert "新增论文论著" in more and "新增获奖" in more and "新增教育经历" not in more

    factories.archive_item(me, ReviewStatus.DRAFT, category=ArchiveCategory.PAPER,
                           title="一篇论文")
    db.session.commit()
    page = client.get("/me/archive/").get_data(as_text=True)
    more = page[page.index('data-testid="more-categories"'):]
    assert "一篇论文" in page and "新增论文论著" not in more and "新增获奖" in more


def test_a_bad_attachment_or_missing_field_saves_nothing(client, me):
    url = "/me/archive/new/paper"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "title": "论文", "organisation": "期刊",
        "start_date": "2024-01-01", "author_rank": "1", "action": "save",
        "attachment": (BytesIO(b"not a pdf"), "论文.pdf")}, content_type="multipart/form-data")
    assert "不是PDF" in response.get_data(as_text=True)
    response = post(client, url, {"title": "论文", "action": "save"}, token_from=url)
    assert "请填写刊物/出版社。" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ArchiveItem.id))) == 0


def test_a_returned_item_shows_its_reason_and_goes_back_when_edited(client, me):
    item = factories.archive_item(me, ReviewStatus.RETURNED, ArchiveCategory.WORK, "某公司",
                                  reason="请写明起止时间", details={"position": "工程师"},
                                  start_date=date(2015, 7, 1))
    db.session.commit()
    url = f"/me/archive/{item.id}/edit"
    assert "请写明起止时间" in client.get(url).get_data(as_text=True)
    post(client, url, {"title": "某公司", "position": "高级工程师", "start_date": "2015-07-01",
                       "end_date": "2020-01-01", "action": "save"}, token_from=url)
    db.session.expire_all()
    assert item.status == ReviewStatus.PENDING and item.details["position"] == "高级工程师"


def test_another_applicants_records_are_refused_on_every_endpoint(client, me, app):
    other = factories.applicant(me.unit, "别人", with_account=True)
    item = factories.archive_item(other, ReviewStatus.DRAFT, title="别人的学历")
    attachment = ArchiveItemAttachment(archive_item=item, file=factories.store_bytes(
        factories.pdf_bytes(), "x.pdf"))
    db.session.add(attachment)
    application = factories.application(other, ApplicationStatus.DRAFT)
    db.session.commit()
    token = csrf_token(client, "/me/archive/")
    gets = [f"/me/archive/{item.id}/edit", f"/me/archive/file/{attachment.id}",
            f"/me/applications/{application.id}", f"/me/applications/{application.id}/edit"]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [f"/me/archive/{item.id}/edit", f"/me/archive/{item.id}/submit",
             f"/me/archive/{item.id}/delete", f"/me/applications/{application.id}/items",
             f"/me/applications/{application.id}/submit",
             f"/me/applications/{application.id}/edit"]
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "title": "x"}).status_code == 404, url
    assert "别人的学历" not in client.get("/me/archive/").get_data(as_text=True)
    db.session.expire_all()
    assert item.status == ReviewStatus.DRAFT and item.title == "别人的学历"
    assert db.session.get(ArchiveItem, item.id) is not None


def make_full_archive(person):
    return [factories.archive_item(person, ReviewStatus.APPROVED, category, category.label)
            for category in (ArchiveCategory.EDUCATION, ArchiveCategory.WORK,
                             ArchiveCategory.ASSESSMENT)]


def test_an_application_is_made_of_approved_items_and_submitted(client, me):
    items = make_full_archive(me)
    pending = factories.archive_item(me, ReviewStatus.PENDING, ArchiveCategory.AWARD, "未审奖项")
    title = factories.qualification()
    plan = factories.usual_plan()
    db.session.commit()
    response = post(client, "/me/applications/new", {
        "plan": str(plan.id), "series": str(title.series_id), "specialty": "计算机应用", "level": title.level.value,
        "qualification": str(title.id), "review_method": "review"},
        token_from="/me/applications/new")
    application = db.session.scalar(db.select(Application))
    assert response.headers["Location"] == f"/me/applications/{application.id}"
    url = f"/me/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert "未审奖项" not in page  # only approved items are offered
    # Posting an unapproved id directly is refused and extracts nothing.
    post(client, f"{url}/items", {"item_id": [str(items[0].id), str(pending.id)]}, token_from=url)
    assert db.session.scalar(db.select(db.func.count(ApplicationItem.id))) == 0
    # Missing a mandatory category: submission names it.
    post(client, f"{url}/items", {"item_id": [str(items[0].id), str(items[1].id)]},
         token_from=url)
    response = post(client, f"{url}/submit", {"declared": "1"}, token_from=url,
                    follow_redirects=True)
    assert "缺少必备业绩：考核情况" in response.get_data(as_text=True)
    post(client, f"{url}/items", {"item_id": [str(item.id) for item in items]}, token_from=url)
    # The declaration of truthfulness is confirmed on submitting, or nothing is submitted.
    page = client.get(url).get_data(as_text=True)
    assert workflow.DECLARATION in page and 'name="declared"' in page
    response = post(client, f"{url}/submit", token_from=url, follow_redirects=True)
    assert "请阅读并勾选诚信承诺后再提交。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert application.status == ApplicationStatus.DRAFT and application.declared_at is None
    response = post(client, f"{url}/submit", {"declared": "1"}, token_from=url,
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "申报已提交单位审核。" in page and "提交单位审核" in page
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING
    assert application.declared_at == application.submitted_at is not None
    assert application.holder.label in page


def test_a_second_open_application_in_the_year_is_refused(client, me):
    factories.application(me, ApplicationStatus.PENDING)
    title = factories.qualification()
    plan = factories.usual_plan()
    db.session.commit()
    response = post(client, "/me/applications/new", {
        "plan": str(plan.id), "series": str(title.series_id), "specialty": "x", "level": title.level.value,
        "qualification": str(title.id), "review_method": "review"},
        token_from="/me/applications/new")
    assert "每年度只能有一份" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1
    # The list says so instead of offering a button that can only be refused.
    listing = client.get("/me/applications/").get_data(as_text=True)
    assert "已有一份在办申报（待审核）" in listing and 'href="/me/applications/new"' not in listing


def test_a_returned_application_shows_why_and_is_resubmitted(client, me):
    items = make_full_archive(me)
    application = factories.application(me, ApplicationStatus.PENDING, items=items)
    education = next(item for item in application.items
                     if item.category == ArchiveCategory.EDUCATION)
    workflow.review_application(factories.employer(me.unit), application, "return",
                                "请补充继续教育", remarks={education.id: "毕业证书不清晰"})
    db.session.commit()
    url = f"/me/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert "请补充继续教育" in page and "毕业证书不清晰" in page and "本人" in page
    # The remarked item is dealt with first (here answered: tests/test_resubmission_rounds.py).
    post(client, f"{url}/submit", {"declared": "1"}, token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.RETURNED
    post(client, f"{url}/submit", {"declared": "1", "extraction": "1",
                                   "item_id": [str(item.id) for item in items],
                                   f"reply-{education.id}": "已核对，证书清晰件见附件"},
         token_from=url)
    db.session.expire_all()
    assert application.status == ApplicationStatus.PENDING and application.round == 2
