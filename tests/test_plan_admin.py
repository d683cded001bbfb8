"""评审计划 in the platform area: the admin creates and edits plans in Beijing time, every refusal
is a Chinese message with nothing written, a moved deadline is audited and told by SMS to exactly
those it binds, and 超期与待办 counts each unit's waiting work (page and export)."""
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models import (
    AcceptancePoint,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    Notification,
    PlanSeries,
    ReviewPlan,
    Role,
    TitleLevel,
    TitleSeries,
    Unit,
)
from tests import factories
from tests.helpers import ON_SERVERS, Step, login_url, post, run_together, shown_text, signed_in
from zcps import plans
from zcps.extensions import db

BASE = "/admin/plans/"
NEW = BASE + "new/"
OVERDUE = BASE + "overdue/"


def beijing(text: str) -> datetime:
    return plans.from_beijing(datetime.fromisoformat(text))


@pytest.fixture
def catalogue(app):
    """The series 工程 and 经济, and two acceptance points, none of them in a plan yet."""
    engineering = factories.qualification().series
    economics = TitleSeries(name="经济", sort_order=20)
    points = [AcceptancePoint(name="杭州市职称受理点"), AcceptancePoint(name="宁波市职称受理点")]
    db.session.add_all([economics, *points])
    db.session.commit()
    return {"engineering": engineering, "economics": economics, "points": points}


def form_data(catalogue, **changes) -> dict:
    data = {
        "year": "2026", "name": "2026年度浙江省工程系列职称评审",
        "series": [str(catalogue["engineering"].id), str(catalogue["economics"].id)],
        "levels": ["sub_senior", "senior"],
        "acceptance_points": [str(catalogue["points"][0].id)],
        "apply_start": "2026-08-01T09:00", "personal_deadline": "2026-08-31T18:00",
        "unit_deadline": "2026-09-05 18:00", "acceptance_deadline": "2026-09-20T18:00",
        "contact": "省职改办 0571-87000000", "notes": "请按时完成。",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def plan_rows() -> list[ReviewPlan]:
    db.session.expire_all()
    return db.session.scalars(db.select(ReviewPlan).order_by(ReviewPlan.id)).all()


def outbox() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(message.mobile, message.template) for message in db.session.scalars(
        db.select(Notification).order_by(Notification.id))]


# --- creating ------------------------------------------------------------------------------------

def test_admin_creates_a_plan_typed_in_beijing_time(admin_client, root, catalogue, clock):
    listing = admin_client.get(BASE).get_data(as_text=True)
    assert "评审计划" in listing and f'href="{NEW}' in listing and f'href="{OVERDUE}"' in listing
    page = admin_client.get(NEW).get_data(as_text=True)
    for label in ("年度", "计划名称", "申报系列", "申报级别", "受理点", "申报开始", "个人申报截止",
                  "单位审核推荐截止", "受理截止", "联系方式", "说明", "北京时间"):
        assert label in page, label
    assert 'type="datetime-local"' in page

    response = post(admin_client, NEW, form_data(catalogue), token_from=NEW)
    assert response.status_code == 302, shown_text(response.get_data(as_text=True))[:2000]
    (plan,) = plan_rows()
    assert plan.name == "2026年度浙江省工程系列职称评审" and plan.year == 2026
    # 18:00 typed in Beijing is 10:00 UTC in the column.
    assert plan.unit_deadline == datetime(2026, 9, 5, 10, 0)
    assert plan.apply_start == datetime(2026, 8, 1, 1, 0)
    assert plan.personal_deadline == datetime(2026, 8, 31, 10, 0)
    assert plan.acceptance_deadline == datetime(2026, 9, 20, 10, 0)
    assert {(row.series.name, row.level) for row in plan.coverage} == {
        ("工程", TitleLevel.SUB_SENIOR), ("工程", TitleLevel.SENIOR),
        ("经济", TitleLevel.SUB_SENIOR), ("经济", TitleLevel.SENIOR)}
    assert [point.name for point in plan.acceptance_points] == ["杭州市职称受理点"]
    assert (plan.contact, plan.notes) == ("省职改办 0571-87000000", "请按时完成。")
    entry = db.session.scalar(db.select(AuditLog).filter_by(action=AuditAction.PLAN_CREATE))
    assert entry.actor_id == root.id and entry.target == f"plan:{plan.id}"
    assert entry.detail["unit_deadline"] == "2026-09-05 18:00"
    assert outbox() == []

    # The list and the form read it back in Beijing time.
    listing = shown_text(admin_client.get(BASE).get_data(as_text=True))
    assert "2026年9月5日 18:00" in listing and "以上时间均为北京时间。" in listing
    # Series with the same levels are named together.
    assert "工程、经济（副高级、正高级）" in listing
    assert "已结束" in listing  # 9月29日: after the acceptance deadline of 9月20日18:00
    edit = admin_client.get(f"{BASE}edit/?id={plan.id}").get_data(as_text=True)
    assert 'value="2026-09-05T18:00"' in edit and 'value="2026-08-01T09:00"' in edit


def test_no_levels_chosen_covers_every_level(admin_client, catalogue):
    post(admin_client, NEW, form_data(catalogue, levels=None,
                                      series=[str(catalogue["economics"].id)]), token_from=NEW)
    (plan,) = plan_rows()
    assert [(row.series.name, row.level) for row in plan.coverage] == [("经济", None)]
    assert "经济（全部级别）" in shown_text(admin_client.get(BASE).get_data(as_text=True))


REFUSALS = [
    ({"name": "  "}, "请填写计划名称。"),
    ({"year": "1999"}, "年度应为2000年至2028年之间的年份。"),
    ({"year": "abc"}, "年度应为四位数字，例如 2026。"),
    ({"year": "²"}, "年度应为四位数字，例如 2026。"),
    ({"apply_start": ""}, "请填写申报开始。"),
    ({"unit_deadline": "2026-09-31 18:00"}, "请按“年-月-日 时:分”填写单位审核推荐截止，例如 2026-09-05 18:00。"),
    ({"personal_deadline": "2026-08-01T09:00"}, "个人申报截止时间必须晚于申报开始时间。"),
    ({"unit_deadline": "2026-08-31T17:59"}, "单位审核推荐截止时间不能早于个人申报截止时间。"),
    ({"acceptance_deadline": "2026-09-05T17:00"}, "受理截止时间不能早于单位审核推荐截止时间。"),
    ({"series": None}, "请至少选择一个申报系列。"),
    ({"acceptance_points": None}, "请至少选择一个受理点。"),
    ({"series": ["abc"]}, "所选申报系列无效，请重新选择。"),
    ({"levels": ["zzz"]}, "所选申报级别无效，请重新选择。"),
    ({"acceptance_points": ["99999"]}, "所选受理点无效，请重新选择。"),
]


@pytest.mark.parametrize("changes,message", REFUSALS, ids=[str(c) for c, _m in REFUSALS])
def test_a_plan_that_cannot_be_published_is_refused_and_nothing_is_written(
        admin_client, catalogue, clock, changes, message):
    data = form_data(catalogue, **changes)
    response = post(admin_client, NEW, data, token_from=NEW)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in shown_text(page)
    # What was typed is still there.
    assert "省职改办 0571-87000000" in page and "请按时完成。" in page
    assert plan_rows() == []
    assert db.session.scalar(db.select(db.func.count(AuditLog.id))
                             .filter_by(action=AuditAction.PLAN_CREATE)) == 0


def test_a_name_already_used_is_refused(admin_client, catalogue):
    factories.plan("2026年度浙江省工程系列职称评审")
    db.session.commit()
    response = post(admin_client, NEW, form_data(catalogue), token_from=NEW)
    assert "已有名为「2026年度浙江省工程系列职称评审」的评审计划，请换一个计划名称。" in shown_text(
        response.get_data(as_text=True))
    assert len(plan_rows()) == 1


def test_a_plan_cannot_be_deleted(admin_client, catalogue):
    plan = factories.plan("2026年度测试计划")
    db.session.commit()
    assert f'action="{BASE}delete/"' not in admin_client.get(BASE).get_data(as_text=True)
    post(admin_client, BASE + "delete/", {"id": str(plan.id)}, token_from=BASE)
    assert len(plan_rows()) == 1


# --- a deadline moved ----------------------------------------------------------------------------

@pytest.fixture
def binding(app, clock, catalogue):
    """Plan P (today 9月29日: 个人 10月9日, 单位 10月16日, 受理 10月23日, 18:00) with a unit whose
    applications wait for it (one returned to its applicant), a draft, a unit with one
    recommended, and a unit whose application is under another plan."""
    plan = factories.plan(
        "2026年度测试评审", apply_start=beijing("2026-09-01 09:00"),
        personal_deadline=beijing("2026-10-09 18:00"), unit_deadline=beijing("2026-10-16 18:00"),
        acceptance_deadline=beijing("2026-10-23 18:00"), year=2026,
        series=catalogue["engineering"], points=[catalogue["points"][0]])
    other = factories.plan("另一评审计划", series=catalogue["engineering"])
    working, recommending, elsewhere = (factories.unit(name) for name in ("甲单位", "乙单位", "丙单位"))
    for number, unit in enumerate((working, recommending, elsewhere), start=1):
        unit.contact_mobile = f"1380000000{number}"
    returned_person = factories.applicant(working, "退回人")
    draft_person = factories.applicant(working, "草稿人")
    factories.application(factories.applicant(working, "待审人"), plan=plan)
    factories.application(returned_person, ApplicationStatus.RETURNED, plan=plan)
    factories.application(draft_person, ApplicationStatus.DRAFT, plan=plan)
    factories.application(factories.applicant(recommending, "推荐人"), ApplicationStatus.RECOMMENDED,
                          plan=plan, acceptance_point=catalogue["points"][0])
    factories.application(factories.applicant(elsewhere, "他人"), plan=other)
    db.session.commit()
    db.session.execute(db.delete(Notification))
    db.session.commit()
    return {"plan": plan, "returned": returned_person.mobile, "draft": draft_person.mobile}


def edit(admin_client, plan, **changes):
    url = f"{BASE}edit/?id={plan.id}"
    data = {"year": "2026", "name": plan.name, "series": [str(row.series_id) for row in plan.coverage],
            "acceptance_points": [str(point.id) for point in plan.acceptance_points],
            "apply_start": "2026-09-01T09:00", "personal_deadline": "2026-10-09T18:00",
            "unit_deadline": "2026-10-16T18:00", "acceptance_deadline": "2026-10-23T18:00",
            "contact": plan.contact, "notes": ""}
    data.update(changes)
    response = post(admin_client, url, data, token_from=url)
    assert response.status_code == 302, shown_text(response.get_data(as_text=True))[:2000]
    return response


def last_update() -> AuditLog:
    return db.session.scalars(db.select(AuditLog).filter_by(action=AuditAction.PLAN_UPDATE)
                              .order_by(AuditLog.id.desc())).first()


def test_extending_the_unit_deadline_tells_the_units_with_work_and_the_returned(
        admin_client, root, binding):
    plan = binding["plan"]
    response = edit(admin_client, plan, unit_deadline="2026-10-20T18:00")
    assert "已调整单位审核推荐截止，已短信通知1个单位、1名申报人。" in shown_text(
        admin_client.get(response.headers["Location"]).get_data(as_text=True))
    assert sorted(outbox()) == [("13800000001", "plan_deadline_changed"),
                                (binding["returned"], "plan_deadline_changed")]
    texts = [message.text for message in db.session.scalars(db.select(Notification))]
    assert all("2026年度测试评审的单位审核推荐截止时间调整为2026年10月20日18:00" in text
               for text in texts)
    assert any(text.startswith("【浙江职称】甲单位：") for text in texts)
    entry = last_update()
    assert entry.actor_id == root.id and entry.target == f"plan:{plan.id}"
    assert entry.detail["changed"] == {"unit_deadline": {"from": "2026-10-16 18:00",
                                                         "to": "2026-10-20 18:00"}}
    db.session.expire_all()
    assert db.session.get(ReviewPlan, plan.id).unit_deadline == datetime(2026, 10, 20, 10, 0)


def test_the_personal_deadline_tells_the_drafts_and_acceptance_the_recommending_units(
        admin_client, binding):
    edit(admin_client, binding["plan"], personal_deadline="2026-10-08T18:00")  # brought forward
    assert outbox() == [(binding["draft"], "plan_deadline_changed")]
    db.session.execute(db.delete(Notification))
    db.session.commit()
    edit(admin_client, binding["plan"], personal_deadline="2026-10-08T18:00",
         acceptance_deadline="2026-10-30T18:00")
    assert outbox() == [("13800000002", "plan_deadline_changed")]
    assert "13800000003" not in [mobile for mobile, _template in outbox()]


def test_changing_only_contact_or_notes_sends_nothing(admin_client, binding):
    edit(admin_client, binding["plan"], notes="材料请按时报送。", contact="省职改办 0571-87000001")
    assert outbox() == []
    assert last_update().detail["changed"] == {}
    plan = plan_rows()[0]
    assert (plan.notes, plan.contact) == ("材料请按时报送。", "省职改办 0571-87000001")


def test_a_refused_edit_changes_nothing_and_sends_nothing(admin_client, binding):
    url = f"{BASE}edit/?id={binding['plan'].id}"
    response = post(admin_client, url, {
        "year": "2026", "name": "2026年度测试评审", "series": [],
        "acceptance_points": [str(binding["plan"].acceptance_points[0].id)],
        "apply_start": "2026-09-01T09:00", "personal_deadline": "2026-10-09T18:00",
        "unit_deadline": "2026-10-25T18:00", "acceptance_deadline": "2026-10-23T18:00"},
        token_from=url)
    assert "受理截止时间不能早于单位审核推荐截止时间。" in shown_text(response.get_data(as_text=True))
    assert 'value="2026-10-25T18:00"' in response.get_data(as_text=True)
    plan = plan_rows()[0]
    assert plan.unit_deadline == beijing("2026-10-16 18:00") and len(plan.coverage) == 1
    assert outbox() == [] and last_update() is None


def test_a_save_made_on_a_page_opened_before_another_save_is_refused(admin_client, binding):
    import re

    plan = binding["plan"]
    url = f"{BASE}edit/?id={plan.id}"
    opened = admin_client.get(url).get_data(as_text=True)
    seen = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', opened)
    seen = seen.group(1) or seen.group(2)
    edit(admin_client, plan, notes="第一位管理员的修改。")  # saved from a page opened later
    response = post(admin_client, url, {
        "year": "2026", "name": plan.name, "series": [str(row.series_id) for row in plan.coverage],
        "acceptance_points": [str(point.id) for point in plan.acceptance_points],
        "apply_start": "2026-09-01T09:00", "personal_deadline": "2026-10-09T18:00",
        "unit_deadline": "2026-10-30T18:00", "acceptance_deadline": "2026-10-30T18:00",
        "contact": plan.contact, "notes": "第二位管理员的修改。", "version": seen}, token_from=url)
    assert response.status_code == 200
    assert "该评审计划已被他人修改，您的修改未保存。" in shown_text(response.get_data(as_text=True))
    db.session.expire_all()
    plan = plan_rows()[0]
    assert plan.notes == "第一位管理员的修改。"
    assert plan.unit_deadline == beijing("2026-10-16 18:00")
    assert [row.action for row in db.session.scalars(
        db.select(AuditLog).filter_by(action=AuditAction.PLAN_UPDATE))] == [AuditAction.PLAN_UPDATE]
    assert outbox() == []


def test_a_change_of_coverage_alone_moves_the_version(admin_client, binding, catalogue):
    plan = binding["plan"]
    before = plan.version
    edit(admin_client, plan, acceptance_points=[str(point.id) for point in catalogue["points"]])
    db.session.expire_all()
    assert plan_rows()[0].version == before + 1


@ON_SERVERS
def test_two_admins_saving_one_plan_at_once_keep_exactly_one_save(app, binding, root):
    from sqlalchemy.orm.exc import StaleDataError

    from zcps import workflow

    plan_id, root_id = binding["plan"].id, root.id

    def save(notes):
        def prepare():
            plan = db.session.get(ReviewPlan, plan_id)
            return (db.session.get(type(root), root_id), plan, workflow.plan_moments(plan),
                    plan.version)

        def act(prepared):
            actor, plan, before, seen = prepared
            plan.notes = notes
            workflow.save_plan(actor, plan, before, seen_version=seen)
            return notes

        return Step(prepare, act)

    race = run_together(app, [save(f"修改{n}") for n in range(2)], expected=StaleDataError)
    saved = race.results
    assert race.errors == []
    assert len(saved) == 1 and len(race.refused) == 1
    db.session.expire_all()
    assert plan_rows()[0].notes == saved[0]
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog).filter_by(
        action=AuditAction.PLAN_UPDATE)) == 1


# --- 超期与待办 ----------------------------------------------------------------------------------

@pytest.fixture
def waiting(app, clock, catalogue):
    """Today 9月29日. 甲: 待审核 since 9月10日, 审核通过 since 9月25日, a return to its applicant
    (not the unit's work); 乙: 待审核 since 9月21日 and a 受理点退回; 丙: 待审核 since 9月22日, and
    one under another plan since 9月1日; 丁: only a draft."""
    plan = factories.plan("2026年度测试评审", apply_start=beijing("2026-08-01 09:00"),
                          year=2026, series=catalogue["engineering"],
                          points=[catalogue["points"][0]])
    other = factories.plan("另一评审计划", series=catalogue["engineering"])
    a, b, c, d = (factories.unit(name) for name in ("甲单位", "乙单位", "丙单位", "丁单位"))
    for day, unit, status, under in (
            (date(2026, 9, 1), c, ApplicationStatus.PENDING, other),
            (date(2026, 9, 10), a, ApplicationStatus.PENDING, plan),
            (date(2026, 9, 10), a, ApplicationStatus.RETURNED, plan),
            (date(2026, 9, 21), b, ApplicationStatus.PENDING, plan),
            (date(2026, 9, 22), c, ApplicationStatus.PENDING, plan),
            (date(2026, 9, 25), a, ApplicationStatus.APPROVED, plan),
            (date(2026, 9, 29), d, ApplicationStatus.DRAFT, plan)):
        clock(day)
        factories.application(factories.applicant(unit), status, plan=plan if under is plan else other)
    clock(date(2026, 9, 29))
    returned = factories.application(factories.applicant(b), ApplicationStatus.ACCEPTANCE_RETURNED,
                                     plan=plan, acceptance_point=catalogue["points"][0])
    db.session.commit()
    return {"plan": plan, "other": other, "returned_waited": plans.waited_days(returned.status_since)}


def table_rows(page: str, testid: str) -> list[list[str]]:
    import re

    table = re.search(rf'data-testid="{testid}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [[shown_text(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_overdue_page_counts_each_units_waiting_work(admin_client, waiting):
    plan = waiting["plan"]
    returned_waited = waiting["returned_waited"]
    assert returned_waited > 7
    page = admin_client.get(f"{OVERDUE}?plan={plan.id}").get_data(as_text=True)
    a_uscc, b_uscc = (unit.uscc for unit in db.session.scalars(
        db.select(Unit).order_by(Unit.id)).all()[:2])
    # Waiting longer than 7 days: 甲's 待审核 (19 days); 乙's 待审核 (8 days) and 受理点退回.
    # 丙's 7 days is not longer than 7.
    assert table_rows(page, "overdue-units") == [
        ["甲单位", a_uscc, "1", "19"],
        ["乙单位", b_uscc, "2", str(returned_waited)]]
    # Work left: 待审核, 审核通过待公示, 公示中, 公示期满待推荐, 受理点退回, 合计.
    assert table_rows(page, "working-units") == [
        ["甲单位", "1", "1", "0", "0", "0", "2"],
        ["乙单位", "1", "0", "0", "0", "1", "2"],
        ["丙单位", "1", "0", "0", "0", "0", "1"]]
    text = shown_text(page)
    assert "等待超过7天的单位" in text and "距截止还有" in text
    assert f'href="{OVERDUE}export.xlsx?plan={plan.id}&amp;days=7"' in page

    longer = admin_client.get(f"{OVERDUE}?plan={plan.id}&days=19").get_data(as_text=True)
    assert "没有等待超过19天的申报。" in shown_text(longer)
    shorter = admin_client.get(f"{OVERDUE}?plan={plan.id}&days=6").get_data(as_text=True)
    assert [row[0] for row in table_rows(shorter, "overdue-units")] == ["甲单位", "乙单位", "丙单位"]
    for bad in ("abc", "-1", "99999999999999999999", "", "²", "%EF%BC%93"):
        response = admin_client.get(f"{OVERDUE}?plan={plan.id}&days={bad}")
        assert response.status_code == 200
        assert "等待超过7天的单位" in shown_text(response.get_data(as_text=True))
    # Without a plan asked for: the first current plan (the other one opened earlier).
    default = admin_client.get(OVERDUE).get_data(as_text=True)
    assert f'<option value="{waiting["other"].id}" selected>' in default


def test_overdue_page_shows_the_first_units_and_sends_to_the_export_for_the_rest(
        admin_client, waiting, monkeypatch):
    from views import platform_plans

    monkeypatch.setattr(platform_plans, "SHOWN_UNITS", 2)
    page = admin_client.get(f"{OVERDUE}?plan={waiting['plan'].id}&days=6").get_data(as_text=True)
    assert "每个列表最多显示2个单位，完整名单请导出Excel。" in shown_text(page)
    # The longest waits and the most work first.
    assert [row[0] for row in table_rows(page, "overdue-units")] == ["甲单位", "乙单位"]
    assert [row[:3] for row in table_rows(page, "overdue-units")][0][2] == "1"
    assert [row[0] for row in table_rows(page, "working-units")] == ["甲单位", "乙单位"]


def test_overdue_export_has_the_same_rows(admin_client, waiting):
    plan = waiting["plan"]
    response = admin_client.get(f"{OVERDUE}export.xlsx?plan={plan.id}&days=7")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "2026年度测试评审 超期与待办"
    assert rows[0][0] == "2026年度测试评审 超期与待办"
    assert rows[1][0].startswith("导出单位：平台管理员　导出时间：")
    assert rows[2] == ["单位名称", "统一社会信用代码", "待审核", "审核通过待公示", "公示中",
                       "公示期满待推荐", "受理点退回", "合计", "等待超过7天", "最长已等待（天）",
                       "单位审核推荐截止", "距截止"]
    # The deadline is a date cell, in Beijing time.
    deadline = plans.in_beijing(plan.unit_deadline).replace(tzinfo=None, microsecond=0)
    body = [(row[0], row[2:10], row[10]) for row in rows[3:]]
    assert body == [
        ("甲单位", ["1", "1", "0", "0", "0", "2", "1", "19"], deadline),
        ("乙单位", ["1", "0", "0", "0", "1", "2", "2", str(waiting["returned_waited"])], deadline),
        ("丙单位", ["1", "0", "0", "0", "0", "1", "0", "7"], deadline)]


def test_overdue_page_without_any_plan(admin_client):
    response = admin_client.get(OVERDUE)
    assert response.status_code == 200
    assert "暂无评审计划。" in shown_text(response.get_data(as_text=True))
    assert admin_client.get(OVERDUE + "export.xlsx").status_code == 200


# --- who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [BASE, NEW, OVERDUE, OVERDUE + "export.xlsx"])
def test_only_the_platform_admin_reaches_the_plan_pages(app, client, url, catalogue):
    unit = factories.unit()
    point = factories.acceptance_point()
    person = factories.applicant(unit, with_account=True)
    db.session.commit()
    for account in (factories.employer(unit), factories.acceptance_account(point), person.account):
        db.session.commit()
        browser = app.test_client()
        signed_in(browser, account)
        assert browser.get(url).status_code == 403, (account.role, url)
    response = app.test_client().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(Role.PLATFORM_ADMIN))


def test_a_non_admin_cannot_save_a_plan_through_the_workflow(app, catalogue):
    from zcps import workflow

    unit = factories.unit()
    plan = ReviewPlan(year=2026, name="伪造计划", apply_start=beijing("2026-09-01 09:00"),
                      personal_deadline=beijing("2026-10-09 18:00"),
                      unit_deadline=beijing("2026-10-16 18:00"),
                      acceptance_deadline=beijing("2026-10-23 18:00"))
    plan.coverage.append(PlanSeries(series=catalogue["engineering"]))
    plan.acceptance_points.append(catalogue["points"][0])
    with pytest.raises(workflow.WorkflowError, match="无权"):
        workflow.save_plan(factories.employer(unit), plan)


def test_the_plan_list_and_the_overdue_page_do_not_query_per_row(admin_client, catalogue, clock):
    from tests.helpers import StatementLog

    def fill(count):
        """``count`` more plans, and units with an application of the first waiting 19 days."""
        clock(date(2026, 9, 10))
        for _ in range(count):
            factories.plan(series=catalogue["engineering"], points=catalogue["points"])
            factories.application(factories.applicant(factories.unit()), plan=first)
        clock(date(2026, 9, 29))
        db.session.commit()

    first = factories.plan(series=catalogue["engineering"], points=catalogue["points"],
                           apply_start=beijing("2026-08-01 09:00"))
    counted = []
    for count in (2, 8):
        fill(count)
        for url in (BASE, f"{OVERDUE}?plan={first.id}"):
            admin_client.get(url)
            with StatementLog(db.engine) as log:
                page = admin_client.get(url).get_data(as_text=True)
            counted.append(log.count)
        assert len(table_rows(page, "overdue-units")) == len(table_rows(page, "working-units"))
    assert len(table_rows(page, "overdue-units")) == 10
    assert counted[:2] == counted[2:]
