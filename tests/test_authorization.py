"""Seed step 2: 委托证明 — the gate, the upload, the platform admin's decision and its SMS."""
import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from models import (
    Account,
    Authorization,
    AuthorizationStatus,
    Notification,
    ReviewRecord,
    Role,
    StoredFile,
    Subject,
    Unit,
)
from tests import factories
from tests.helpers import csrf_token, post, signed_in
from zcps import workflow
from zcps.documents import entrustment_code
from zcps.extensions import db
from zcps.notifications import send_due

OFFICER = {"officer_name": "赵经办", "officer_id_number": "330106199003071236",
           "officer_mobile": "13911112222"}


@pytest.fixture
def new_unit(app):
    unit = factories.unit("新单位", authorized=False)
    account = factories.employer(unit)
    db.session.commit()
    return unit, account


def upload(client, data: bytes, name="scan.pdf", **fields):
    form = {**OFFICER, **fields, "action": "submit",
            "csrf_token": csrf_token(client, "/unit/authorization/"),
            "scan": (BytesIO(data), name)}
    return client.post("/unit/authorization/", data=form, content_type="multipart/form-data")


def unit_urls(app):
    """Every GET URL of the employer area, with 1 for any id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/unit/") or "GET" not in rule.methods:
            continue
        if "static" in rule.endpoint:
            continue
        values = {argument: 1 for argument in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        if rule.endpoint.endswith(("details_view", "edit_view", "decide_view")):
            url += "?id=1"
        urls.append((rule.endpoint, url))
    return urls


OPEN_BEFORE_AUTHORIZATION = ("unit_authorization.", "unit_profile.", "unit_guide.",
                             "unit_password.")


# --- the gate --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [AuthorizationStatus.NONE, AuthorizationStatus.PENDING,
                                    AuthorizationStatus.REJECTED])
def test_every_employer_url_is_refused_before_approval(app, client, new_unit, status):
    unit, account = new_unit
    if status != AuthorizationStatus.NONE:
        factories.authorization(unit, status)
    db.session.commit()
    signed_in(client, account)
    urls = unit_urls(app)
    assert len(urls) > 10
    for endpoint, url in urls:
        response = client.get(url)
        if endpoint.startswith(OPEN_BEFORE_AUTHORIZATION):
            assert response.status_code in (200, 404), url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"] == "/unit/authorization/", url
    page = client.get("/unit/authorization/").get_data(as_text=True)
    expected = "等待平台管理员审核" if status == AuthorizationStatus.PENDING else "下载委托证明"
    assert expected in page
    # A post is refused the same way.
    response = post(client, "/unit/unit_archive/action/", {"action": "x", "rowid": "1"},
                    token_from="/unit/authorization/")
    assert response.headers["Location"] == "/unit/authorization/"


CLOSED_MENU = ("archive-review", "unit_archive", "unit_application", "publicity", "recommendation",
               "unit_applicant", "opinions")


def test_before_approval_the_menu_lists_only_what_opens(client, new_unit):
    unit, account = new_unit
    db.session.commit()
    signed_in(client, account)
    page = client.get("/unit/authorization/").get_data(as_text=True)
    for opens in ("authorization", "profile", "guide"):
        assert f'href="/unit/{opens}/"' in page, opens
    for closed in CLOSED_MENU:
        assert f'href="/unit/{closed}/"' not in page, closed
    # An old link to a closed page says which page needs the authorization; home says nothing.
    client.get("/unit/unit_application/")
    page = client.get("/unit/authorization/").get_data(as_text=True)
    assert "「申报资料审核」需单位授权通过后才能使用。" in page
    client.get("/unit/")
    page = client.get("/unit/authorization/").get_data(as_text=True)
    assert "需单位授权通过后才能使用" not in page

    factories.authorization(unit, AuthorizationStatus.APPROVED)
    db.session.commit()
    page = client.get("/unit/").get_data(as_text=True)
    for opens in CLOSED_MENU:
        assert f'href="/unit/{opens}/"' in page, opens


def test_every_employer_url_opens_after_approval(app, client, new_unit):
    unit, account = new_unit
    factories.authorization(unit, AuthorizationStatus.APPROVED)
    db.session.commit()
    signed_in(client, account)
    for endpoint, url in unit_urls(app):
        response = client.get(url)
        assert response.headers.get("Location") != "/unit/authorization/", url


# --- download and upload ---------------------------------------------------------------------

def test_download_gives_the_pre_filled_entrustment_certificate(client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    response = client.post("/unit/authorization/", data={
        **OFFICER, "action": "download", "csrf_token": csrf_token(client, "/unit/authorization/")})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(response.get_data()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (unit.name, unit.uscc, OFFICER["officer_name"], OFFICER["officer_id_number"]):
        assert expected in text


def test_download_needs_valid_officer_data(client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    response = client.post("/unit/authorization/", data={
        **OFFICER, "officer_id_number": "330106199003071237", "action": "download",
        "csrf_token": csrf_token(client, "/unit/authorization/")})
    assert response.mimetype == "text/html"
    assert "身份证号校验不正确" in response.get_data(as_text=True)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name,data", [
    ("text", b"this is not a pdf at all\n" * 20),
    ("truncated", factories.pdf_bytes(3)[:300]),
    ("encrypted", None),
    ("empty", b""),
    ("too_big", b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)),
])
def test_anything_but_a_real_pdf_is_refused_and_nothing_is_stored(app, client, new_unit, name,
                                                                  data):
    unit, account = new_unit
    signed_in(client, account)
    response = upload(client, encrypted_pdf() if data is None else data, name="scan.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "invalid-feedback" in page
    assert OFFICER["officer_name"] in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Authorization.id))) == 0
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
    assert db.session.get(Unit, unit.id).authorization_status == AuthorizationStatus.NONE


def test_a_real_pdf_is_submitted_and_waits_for_review(app, client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    data = factories.pdf_bytes()
    response = upload(client, data)
    assert response.status_code == 302
    authorization = db.session.scalar(db.select(Authorization))
    assert authorization.status == AuthorizationStatus.PENDING
    assert authorization.officer_name == OFFICER["officer_name"]
    assert db.session.get(Unit, unit.id).authorization_status == AuthorizationStatus.PENDING
    stored = authorization.file
    assert stored.size == len(data) and len(stored.sha256) == 64
    path = Path(app.config["UPLOAD_DIR"]) / stored.storage_name
    assert path.read_bytes() == data and "scan" not in stored.storage_name
    page = client.get("/unit/authorization/").get_data(as_text=True)
    assert "待审核" in page
    # Submitting again while it waits is refused.
    assert "提交审核" not in page
    again = upload(client, data)
    assert db.session.scalar(db.select(db.func.count(Authorization.id))) == 1
    assert again.status_code in (200, 302)


# --- who may open the scan -------------------------------------------------------------------

def test_only_the_unit_itself_and_the_admin_can_open_the_scan(app, new_unit):
    unit, account = new_unit
    authorization = factories.authorization(unit)
    other_unit = factories.unit("别的单位")
    other_officer = factories.employer(other_unit)
    person = factories.applicant(other_unit, with_account=True)
    root = factories.admin()
    db.session.commit()
    own = f"/unit/authorization/file/{authorization.id}"
    admin_url = f"/admin/admin_authorization/file/{authorization.id}"

    anonymous = app.test_client()
    assert anonymous.get(own).status_code == 302
    assert anonymous.get(admin_url).status_code == 302

    other = signed_in(app.test_client(), other_officer)
    assert other.get(own).status_code == 404
    assert other.get(admin_url).status_code == 403

    applicant = signed_in(app.test_client(), person.account)
    assert applicant.get(own).status_code == 403
    assert applicant.get(admin_url).status_code == 403

    mine = signed_in(app.test_client(), account)
    response = mine.get(own)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]

    admin = signed_in(app.test_client(), root)
    response = admin.get(admin_url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "inline" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- the platform admin's decision ------------------------------------------------------------

@pytest.fixture
def pending(app):
    unit = factories.unit("待审单位", authorized=False)
    account = factories.employer(unit)
    authorization = factories.authorization(unit)
    root = factories.admin()
    db.session.commit()
    return unit, account, authorization, root


def decide(client, authorization, decision, opinion=""):
    url = f"/admin/admin_authorization/decide/?id={authorization.id}"
    return post(client, url, {"decision": decision, "opinion": opinion}, token_from=url)


def test_admin_approves_and_the_unit_is_told_and_let_in(app, client, pending):
    unit, account, authorization, root = pending
    signed_in(client, root)
    response = decide(client, authorization, "approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert authorization.status == AuthorizationStatus.APPROVED
    assert unit.authorization_status == AuthorizationStatus.APPROVED
    history = db.session.scalar(db.select(ReviewRecord).filter_by(
        subject=Subject.AUTHORIZATION, subject_id=authorization.id, action="approve"))
    assert history.actor_id == root.id and history.from_status == "pending"
    assert history.to_status == "approved" and history.created_at is not None
    message = db.session.scalar(db.select(Notification))
    assert message.mobile == unit.contact_mobile
    assert unit.name in message.text and "审核通过" in message.text
    assert send_due()["sent"] == 1
    line = json.loads(Path(app.config["SMS_FILE"]).read_text(encoding="utf-8").splitlines()[0])
    assert unit.name in line["text"]
    officer = signed_in(app.test_client(), account)
    assert officer.get("/unit/unit_application/").status_code == 200


def test_reject_needs_a_reason_and_the_sms_gives_it(app, client, pending):
    unit, account, authorization, root = pending
    signed_in(client, root)
    response = decide(client, authorization, "reject", "  ")
    assert "不通过时必须填写原因。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert authorization.status == AuthorizationStatus.PENDING
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    decide(client, authorization, "reject", "公章不清晰")
    db.session.expire_all()
    assert authorization.status == AuthorizationStatus.REJECTED
    assert authorization.opinion == "公章不清晰"
    assert unit.authorization_status == AuthorizationStatus.REJECTED
    message = db.session.scalar(db.select(Notification))
    assert unit.name in message.text and "未通过" in message.text and "公章不清晰" in message.text
    history = db.session.scalar(db.select(ReviewRecord).filter_by(action="reject"))
    assert history.opinion == "公章不清晰"
    # The unit sees the reason and can upload again; every submission is kept.
    officer = signed_in(app.test_client(), account)
    page = officer.get("/unit/authorization/").get_data(as_text=True)
    assert "公章不清晰" in page and "提交审核" in page
    assert upload(officer, factories.pdf_bytes()).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Authorization.id))) == 2


def test_a_decision_on_an_already_decided_authorization_changes_nothing(app, client, pending):
    unit, account, authorization, root = pending
    signed_in(client, root)
    url = f"/admin/admin_authorization/decide/?id={authorization.id}"
    token = csrf_token(client, url)  # the page was opened before the other admin decided
    other_admin = factories.admin("other")
    workflow.approve_authorization(other_admin, authorization)
    db.session.commit()
    response = client.post(url, data={"decision": "reject", "opinion": "晚了",
                                      "csrf_token": token}, follow_redirects=True)
    assert "已被处理" in response.get_data(as_text=True)
    db.session.expire_all()
    assert authorization.status == AuthorizationStatus.APPROVED
    assert authorization.decided_by_id == other_admin.id
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 1
    assert db.session.scalars(db.select(ReviewRecord.action).filter_by(
        subject=Subject.AUTHORIZATION, subject_id=authorization.id)
        .order_by(ReviewRecord.id)).all() == ["submit", "approve"]


def test_a_rolled_back_decision_leaves_no_message(app, pending):
    unit, account, authorization, root = pending
    workflow.approve_authorization(root, authorization)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    assert db.session.get(Authorization, authorization.id).status == AuthorizationStatus.PENDING


@pytest.mark.parametrize("who", ["employer", "applicant", "acceptance"])
def test_only_the_platform_admin_decides(app, pending, who):
    unit, account, authorization, root = pending
    actor = {"employer": account,
             "applicant": factories.applicant(unit, with_account=True).account,
             "acceptance": factories.acceptance_account(factories.acceptance_point())}[who]
    with pytest.raises(workflow.WorkflowError):
        workflow.approve_authorization(actor, authorization)


def test_bulk_approval_and_the_queue_tabs(app, client, pending):
    unit, account, authorization, root = pending
    second = factories.authorization(factories.unit("第二家", authorized=False))
    decided = factories.authorization(factories.unit("已通过的", authorized=False),
                                      AuthorizationStatus.APPROVED)
    db.session.commit()
    signed_in(client, root)
    page = client.get("/admin/admin_authorization/").get_data(as_text=True)
    assert "待审核 (2)" in page and "审核通过 (1)" in page and "全部 (3)" in page
    assert "已通过的" not in page  # the default tab is 待审核
    response = post(client, "/admin/admin_authorization/action/",
                    {"action": "approve", "rowid": [str(authorization.id), str(second.id),
                                                    str(decided.id)]},
                    token_from="/admin/admin_authorization/")
    assert response.status_code == 302
    db.session.expire_all()
    assert {authorization.status, second.status} == {AuthorizationStatus.APPROVED}
    texts = db.session.scalars(db.select(Notification.text)).all()
    assert len(texts) == 3  # 已通过的 was told before; the bulk action told the other two
    assert [sum(name in text for text in texts) for name in ("待审单位", "第二家")] == [1, 1]
    searched = client.get("/admin/admin_authorization/?tab=all&search=第二家").get_data(as_text=True)
    assert "第二家" in searched and "待审单位" not in searched


# --- platform admin management ----------------------------------------------------------------

def test_admin_deactivates_a_unit_and_its_officer_is_locked_out(app, client, admin_client):
    unit = factories.unit("要停用的")
    officer = factories.employer(unit)
    root = factories.security_admin()
    db.session.commit()
    browser = signed_in(app.test_client(), officer)
    # 三员分立: the 系统管理员 has no 停用 on the units; the 安全管理员 has.
    post(admin_client, "/admin/admin_unit/action/", {"action": "deactivate", "rowid": str(unit.id)},
         token_from="/admin/admin_unit/")
    db.session.expire_all()
    assert unit.active is True
    client = signed_in(app.test_client(), root)
    post(client, "/admin/admin_unit/action/", {"action": "deactivate", "rowid": str(unit.id)},
         token_from="/admin/admin_unit/")
    db.session.expire_all()
    assert unit.active is False
    assert browser.get("/unit/").status_code == 302
    post(client, "/admin/admin_unit/action/", {"action": "activate", "rowid": str(unit.id)},
         token_from="/admin/admin_unit/")
    db.session.expire_all()
    assert unit.active is True


def test_admin_resets_a_units_password_and_sees_it_once(app, client):
    unit = factories.unit()
    officer = factories.employer(unit)
    root = factories.security_admin()
    db.session.commit()
    signed_in(client, root)
    url = f"/admin/admin_unit/reset-password/?id={unit.id}"
    assert "data-testid=\"one-time-password\"" not in client.get(url).get_data(as_text=True)
    page = post(client, url, {"id": str(unit.id)}, token_from=url).get_data(as_text=True)
    password = page.split('data-testid="one-time-password">')[1].split("<")[0]
    assert len(password) >= 8
    db.session.expire_all()
    assert officer.check_password(password)
    assert not officer.check_password(factories.PASSWORD)


def test_admin_creates_an_acceptance_point_account_that_can_sign_in(app, client):
    point = factories.acceptance_point("西湖区受理点")
    root = factories.admin()
    db.session.commit()
    signed_in(client, root)
    url = "/admin/admin_acceptance_account/new/"
    response = post(client, url, {"username": "xihu", "display_name": "西湖区受理点",
                                  "acceptance_point": str(point.id), "active": "y",
                                  "new_password": "Accept2026"}, token_from=url)
    assert response.status_code == 302
    account = db.session.scalar(db.select(Account).filter_by(username="xihu"))
    assert account.role == Role.ACCEPTANCE and account.acceptance_point_id == point.id
    assert account.check_password("Accept2026")
    browser = app.test_client()
    response = post(browser, "/login/acceptance", {"username": "xihu", "password": "Accept2026"},
                    token_from="/login/acceptance")
    assert response.headers["Location"] == "/acceptance/"
    # Only acceptance accounts are listed and editable there.
    officer = factories.employer(factories.unit())
    db.session.commit()
    listing = client.get("/admin/admin_acceptance_account/").get_data(as_text=True)
    assert "xihu" in listing and officer.username not in listing
    assert client.get(f"/admin/admin_acceptance_account/edit/?id={officer.id}").status_code == 302


def test_admin_forms_offer_chinese_choices_not_codes(client):
    root = factories.admin()
    factories.acceptance_point("西湖区受理点")
    db.session.commit()
    signed_in(client, root)
    account_form = client.get("/admin/admin_acceptance_account/new/").get_data(as_text=True)
    assert ">__None<" not in account_form and "请选择受理点" in account_form
    qualification_form = client.get(
        "/admin/admin_title_qualification/new/").get_data(as_text=True)
    assert ">副高级<" in qualification_form and ">sub_senior<" not in qualification_form


# --- the letter: verification code, download again, the admin's check -------------------------

def download(client, **fields):
    return client.post("/unit/authorization/", data={
        **OFFICER, **fields, "action": "download",
        "csrf_token": csrf_token(client, "/unit/authorization/")})


def letter_text(response) -> str:
    assert response.mimetype == "application/pdf"
    return "".join(PdfReader(BytesIO(response.get_data())).pages[0].extract_text().split())


def test_the_letter_carries_the_code_the_admin_page_expects(app, client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    text = letter_text(download(client))
    code = entrustment_code(unit.uscc, OFFICER["officer_name"], OFFICER["officer_id_number"],
                            OFFICER["officer_mobile"])
    assert f"验证码：{code}" in text
    upload(client, factories.pdf_bytes())
    authorization = db.session.scalar(db.select(Authorization).filter_by(unit_id=unit.id))
    assert authorization.status == AuthorizationStatus.PENDING
    admin = signed_in(app.test_client(), factories.admin())
    db.session.commit()
    url = f"/admin/admin_authorization/decide/?id={authorization.id}"
    page = admin.get(url).get_data(as_text=True)
    assert code in page
    # The code read off the scan (or the QR code's text) is checked against the record.
    page = admin.get(f"{url}&code={code.replace('-', '')}").get_data(as_text=True)
    assert "一致：扫描件是为本单位和该经办人生成的委托证明。" in page
    other = entrustment_code("91330100MA28E7F6G9", OFFICER["officer_name"],
                             OFFICER["officer_id_number"], OFFICER["officer_mobile"])
    page = admin.get(f"{url}&code={other}").get_data(as_text=True)
    assert "不一致：扫描件上的验证码不是本次提交的委托证明的验证码" in page


def test_a_letter_for_another_officer_has_another_code(client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    first = letter_text(download(client))
    second = letter_text(download(client, officer_name="钱经办"))
    code = re.compile(r"验证码：(\d{4}-\d{4}-\d{4})")
    assert code.search(first).group(1) != code.search(second).group(1)


def test_the_letter_downloads_again_while_pending_and_not_after(app, client, pending):
    unit, account, authorization, root = pending
    officer = signed_in(app.test_client(), account)
    page = officer.get("/unit/authorization/").get_data(as_text=True)
    assert f"/unit/authorization/letter/{authorization.id}" in page
    response = officer.get(f"/unit/authorization/letter/{authorization.id}")
    code = entrustment_code(unit.uscc, authorization.officer_name,
                            authorization.officer_id_number, authorization.officer_mobile)
    assert f"验证码：{code}" in letter_text(response)
    signed_in(client, root)
    decide(client, authorization, "approve")
    # Decided: the letter is gone (a new submission starts from a new letter), and so is the link.
    assert officer.get(f"/unit/authorization/letter/{authorization.id}").status_code == 404
    page = officer.get("/unit/authorization/").get_data(as_text=True)
    assert f"/unit/authorization/letter/{authorization.id}" not in page


def test_another_units_letter_is_not_found(app, pending):
    unit, account, authorization, root = pending
    other = factories.unit("另一单位", authorized=False)
    other_account = factories.employer(other)
    db.session.commit()
    client = signed_in(app.test_client(), other_account)
    assert client.get(f"/unit/authorization/letter/{authorization.id}").status_code == 404


def test_an_officer_name_the_font_lacks_is_refused_on_input(client, new_unit):
    unit, account = new_unit
    signed_in(client, account)
    response = download(client, officer_name="王𬌗")
    assert response.mimetype == "text/html"
    assert "“𬌗”是生僻字，打印的证明材料中无法显示" in response.get_data(as_text=True)


def test_unit_data_the_font_lacks_is_named_instead_of_printed_blank(client, new_unit):
    unit, account = new_unit
    unit.address = "浙江省温州市𬌗路1号"  # written before the check on input existed
    db.session.commit()
    signed_in(client, account)
    response = download(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "单位信息或经办人信息中的“𬌗”是生僻字，委托证明中无法打印" in page
