"""本单位人员 导入: template, preview with every kind of bad row, one-transaction import with SMS
invitations, and 激活账号 with a single-use 激活码 valid 7 days."""
import io
import re
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from models import (
    Account,
    Applicant,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    Notification,
    OfficerDuty,
    ReviewStatus,
)
from tests import factories
from tests.helpers import csrf_token, every_row, post, shown_text, signed_in
from zcps import roster
from zcps.extensions import db

PAGE = "/unit/roster/"
HEADERS = list(roster.HEADERS)


def workbook(rows, headers=HEADERS, extra_sheet=False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "本单位人员"
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        book.create_sheet("说明").append(["随便写点什么"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client, data: bytes, name="名单.xlsx"):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE),
                                   "sheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def sealed_rows(page: str) -> str:
    return re.search(r'name="rows" type="hidden" value="([^"]+)"', page).group(1)


def commit(client, page: str):
    return post(client, f"{PAGE}commit", {"rows": sealed_rows(page)}, token_from=PAGE)


@pytest.fixture
def unit(app):
    record = factories.unit("导入测试单位")
    factories.employer(record)
    db.session.commit()
    return record


@pytest.fixture
def client(app, unit):
    return signed_in(app.test_client(), factories.employer(unit))


def test_the_template_has_the_columns(client):
    response = client.get(f"{PAGE}template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_the_preview_shows_every_problem_and_changes_nothing(app, client, unit):
    other = factories.unit("别处的单位")
    elsewhere = factories.applicant(other, "已在别处")
    here = factories.applicant(unit, "已在本单位")
    db.session.commit()
    good = factories.make_id_number(401)
    rows = [
        ("李雷", good, "13900000401", "人事处", "工程师", "2019-12-31"),
        ("韩梅梅", good[:-1] + ("0" if good[-1] != "0" else "1"), "13900000402", "", "", ""),
        ("重复甲", factories.make_id_number(403), "13900000403", "", "", ""),
        ("重复乙", factories.make_id_number(403), "13900000404", "", "", ""),
        ("手机错", factories.make_id_number(405), "12345", "", "", ""),
        ("别处", elsewhere.id_number, "13900000406", "", "", ""),
        ("本处", here.id_number, "13900000407", "", "", ""),
        ("日期错", factories.make_id_number(408), "13900000408", "", "", "去年"),
        ("", factories.make_id_number(409), "13900000409", "", "", ""),
    ]
    before = every_row()
    page = upload(client, workbook(rows)).get_data(as_text=True)
    shown = shown_text(page)
    assert "共9人：可导入2人，有问题7人" in shown, re.findall(r"共\d+人[^。]*", shown)
    for problem in ("校验", "与第4行身份证号重复", "手机号码应为以1开头的11位数字",
                    "该身份证号已在平台注册", "已是本单位人员", "取得时间应为日期", "姓名未填写"):
        assert problem in shown, problem
    assert "别处的单位" not in shown  # who holds the number is not told
    assert every_row() == before


def test_the_valid_rows_are_imported_at_once_and_invited(app, client, unit):
    rows = [(f"员工{n}", factories.make_id_number(500 + n), f"139000005{n:02d}", "研发部",
             "助理工程师", "2020-06") for n in range(3)]
    rows.append(("坏行", "123", "13900000599", "", "", ""))
    page = upload(client, workbook(rows)).get_data(as_text=True)
    response = commit(client, page)
    assert response.status_code == 302
    people = db.session.scalars(sa.select(Applicant).where(Applicant.unit_id == unit.id)
                                .order_by(Applicant.id)).all()
    assert [person.name for person in people] == ["员工0", "员工1", "员工2"]
    assert people[0].department == "研发部" and people[0].current_title_date.isoformat() \
        == "2020-06-01"
    assert people[0].profile_status == ReviewStatus.DRAFT and people[0].account is None
    invitations = db.session.scalars(sa.select(Notification).filter_by(
        template="roster_invitation")).all()
    assert len(invitations) == 3 and "导入测试单位" in invitations[0].text
    entry = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.ROSTER_IMPORT)).one()
    assert entry.detail["count"] == 3
    listing = shown_text(client.get("/unit/unit_applicant/?tab=all").get_data(as_text=True))
    assert "员工0" in listing and "研发部" in listing


def test_a_person_registered_between_preview_and_import_is_said_in_words(app, client, unit,
                                                                          monkeypatch):
    """The re-check passed (it ran just before someone registered): the unique 身份证号 decides
    and nothing of the file is imported."""
    number = factories.make_id_number(611)
    page = upload(client, workbook([("王五", number, "13900000611", "", "", ""),
                                    ("赵六", factories.make_id_number(612), "13900000612",
                                     "", "", "")])).get_data(as_text=True)
    factories.applicant(factories.unit("别处"), "王五", id_number=number)
    db.session.commit()
    monkeypatch.setattr(roster, "check", lambda actor, rows: rows)
    assert commit(client, page).status_code == 302
    assert "刚刚已在平台登记" in shown_text(client.get(PAGE).get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Applicant.id)).where(
        Applicant.unit_id == unit.id)) == 0


def test_a_tampered_or_replayed_preview_imports_nothing_twice(app, client, unit):
    page = upload(client, workbook([("王五", factories.make_id_number(601), "13900000601",
                                     "", "", "")])).get_data(as_text=True)
    token = sealed_rows(page)
    forged = post(client, f"{PAGE}commit", {"rows": token[:-3] + "abc"}, token_from=PAGE)
    assert forged.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Applicant.id))) == 0
    assert commit(client, page).status_code == 302
    again = post(client, f"{PAGE}commit", {"rows": token}, token_from=PAGE)
    assert again.status_code == 302  # refused: now 已是本单位人员
    assert db.session.scalar(sa.select(sa.func.count(Applicant.id))) == 1


@pytest.mark.parametrize("data, message", [
    (b"not a spreadsheet", "不是Excel工作簿"),
    (workbook([("张三", "x", "y", "", "", "")], headers=["名字", "号码"]), "第一行应为模板的列名"),
    (workbook([]), "没有人员信息"),
])
def test_a_file_that_is_not_the_template_is_refused(client, data, message):
    page = shown_text(upload(client, data).get_data(as_text=True))
    assert message in page


def test_extra_sheets_and_columns_are_left_out_with_a_note(client):
    rows = [("赵六", factories.make_id_number(701), "13900000701", "", "", "", "多余")]
    page = shown_text(upload(client, workbook(rows, headers=[*HEADERS, "备注"],
                                              extra_sheet=True)).get_data(as_text=True))
    assert "其他工作表已忽略" in page and "模板以外的列已忽略" in page and "可导入1人" in page


def test_only_unit_management_imports(app, unit):
    reviewer = factories.officer(unit, OfficerDuty.ARCHIVE)
    manager = factories.officer(unit, OfficerDuty.UNIT_ADMIN, name="管理员")
    db.session.commit()
    assert signed_in(app.test_client(), reviewer).get(PAGE).status_code == 403
    listing = signed_in(app.test_client(), reviewer).get("/unit/unit_applicant/")
    assert 'data-testid="roster-import"' not in listing.get_data(as_text=True)
    assert signed_in(app.test_client(), manager).get(PAGE).status_code == 200


def _invited(client, unit, number=801, mobile="13900000801"):
    page = upload(client, workbook([("孙七", factories.make_id_number(number), mobile,
                                     "", "", "")])).get_data(as_text=True)
    commit(client, page)
    text = db.session.scalars(sa.select(Notification.text).filter_by(
        template="roster_invitation").order_by(Notification.id.desc())).first()
    return factories.make_id_number(number), re.search(r"激活码(\d{6})", text).group(1)


def activate(app, id_number, code, password="Sun-qi-2026"):
    browser = app.test_client()
    return browser, post(browser, "/activate", {"id_number": id_number, "code": code,
                                                "password": password, "confirm": password},
                         token_from="/activate")


def test_the_invited_person_activates_once_with_the_code(app, client, unit):
    id_number, code = _invited(client, unit)
    _, wrong = activate(app, id_number, "000000" if code != "000000" else "111111")
    assert "错误或已失效" in wrong.get_data(as_text=True)
    _, weak = activate(app, id_number, code, password="abc12345")
    assert "过于常见" in weak.get_data(as_text=True)
    browser, response = activate(app, id_number, code)
    assert response.status_code == 302
    account = db.session.scalar(sa.select(Account).filter_by(username=id_number))
    assert account is not None and account.applicant.unit_id == unit.id
    assert browser.get("/me/").status_code == 200
    _, again = activate(app, id_number, code, password="Sun-qi-2027")
    assert "错误或已失效" in again.get_data(as_text=True)
    _, stranger = activate(app, factories.make_id_number(999), code)
    assert "错误或已失效" in stranger.get_data(as_text=True)


def test_a_new_code_can_be_asked_for_and_says_nothing_of_who_is_registered(app, client, unit,
                                                                            clock):
    from datetime import date

    id_number, first = _invited(client, unit, 803, "13900000803")
    clock(date(2026, 9, 30))  # a day later: the number may have another code
    answers = []
    for number in (id_number, factories.make_id_number(998)):
        browser = app.test_client()
        page = post(browser, "/activate", {"id_number": number, "send_code": "1"},
                    token_from="/activate")
        answers.append(shown_text(page.get_data(as_text=True)).count("激活码已发送"))
    assert answers == [1, 1]
    texts = db.session.scalars(sa.select(Notification.text).filter_by(
        template="roster_invitation").order_by(Notification.id)).all()
    assert len(texts) == 2
    second = re.search(r"激活码(\d{6})", texts[-1]).group(1)
    _, response = activate(app, id_number, second)
    assert response.status_code == 302


def test_a_code_lasts_seven_days(app, client, unit, clock):
    from datetime import date

    id_number, code = _invited(client, unit, 802, "13900000802")
    clock(date(2026, 9, 29) + timedelta(days=8))
    _, late = activate(app, id_number, code)
    assert "错误或已失效" in late.get_data(as_text=True)
    assert db.session.scalar(sa.select(Account).filter_by(username=id_number)) is None


def test_the_roster_shows_who_activated_waits_and_applied(app, client, unit):
    active = factories.applicant(unit, "已激活者", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    factories.archive_item(active)
    factories.application(active, ApplicationStatus.PENDING)
    factories.applicant(unit, "未激活者")
    db.session.commit()
    page = client.get("/unit/unit_applicant/?tab=all").get_data(as_text=True)
    rows = {name: shown_text(row) for row in re.findall(r"<tr.*?</tr>", page, re.S)
            for name in ("已激活者", "未激活者") if name in row}
    assert "是" in rows["已激活者"] and "待审核" in rows["已激活者"]
    assert "否" in rows["未激活者"]


def test_two_thousand_rows_import_in_one_go(app, client, unit):
    rows = [(f"批量{n}", factories.make_id_number(n, birth=f"1985{1 + n // 1000:02d}01"),
             f"137{n:08d}", "", "", "") for n in range(2000)]
    page = upload(client, workbook(rows)).get_data(as_text=True)
    assert "可导入2000人" in shown_text(page)
    assert commit(client, page).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Applicant.id)).where(
        Applicant.unit_id == unit.id)) == 2000
