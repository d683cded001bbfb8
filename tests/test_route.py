"""The recommendation route (issue 19): unit → zero, one or two reviewing levels (主管部门,
区县人社, 人事代理机构) → the acceptance point, each level passing on (通过) or returning (退回)."""
import re

import pytest

from models import (
    AcceptancePoint,
    Account,
    Application,
    ApplicationRouteStop,
    ApplicationStatus,
    Notification,
    OrganisationKind,
    ReviewRecord,
    RouteDecision,
    Subject,
)
from models import Action as A
from tests import factories
from tests.helpers import ON_SERVERS, Step, page_text, post, run_together, signed_in
from zcps import history_summary, workflow
from zcps.extensions import db

PASS_OPINION = "经审核，推荐材料齐全，同意报送。"


@pytest.fixture
def route(app):
    """受理点 ← 区县人社 ← 主管部门; 甲单位 bound to the 主管部门 (two levels), 乙单位 to
    another 主管部门 straight under the point (one level), 丙单位 to none."""
    point = factories.acceptance_point("杭州市受理点")
    county = factories.reviewing_level("西湖区人社局", OrganisationKind.COUNTY)
    department = factories.reviewing_level("示例主管局", parent=county)
    other = factories.reviewing_level("另一主管局")
    two, one, none = factories.unit("甲单位"), factories.unit("乙单位"), factories.unit("丙单位")
    two.supervisor_id, one.supervisor_id = department.id, other.id
    db.session.commit()
    yield dict(point=point, county=county, department=department, other=other, two=two,
               one=one, none=none, accounts={
                   organisation.id: factories.acceptance_account(organisation)
                   for organisation in (point, county, department, other)})
    # The levels' decisions are kept in the statistics' history summary as they happened.
    db.session.rollback()
    assert history_summary.differences(db.session) == []


def ready(unit, name):
    """A publicized application of ``unit``, ready to recommend."""
    person = factories.applicant(unit, name, with_account=True)
    application = factories.application(person, ApplicationStatus.PUBLICIZED)
    db.session.commit()
    return application


def recommend(route, application):
    workflow.recommend_application(factories.employer(application.unit), application,
                                   route["point"], factories.REASONS["recommend"])
    db.session.commit()


def account(route, key):
    return route["accounts"][route[key].id]


def actions(application):
    return [row.action for row in db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).order_by(ReviewRecord.id))]


def visible(route, key):
    """The ids of the applications organisation ``key`` may see."""
    return set(db.session.scalars(Application.select_for(account(route, key))
                                  .with_only_columns(Application.id)))


def step(function, *args):
    result = function(*args)
    db.session.commit()
    return result


def test_a_unit_without_levels_recommends_straight_to_the_acceptance_point(route):
    application = ready(route["none"], "丙一")
    recommend(route, application)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.acceptance_point_id == route["point"].id
    assert application.holder_name == "杭州市受理点"
    stops = workflow.route_of(application)
    assert [stop.organisation_id for stop in stops] == [route["point"].id]
    step(workflow.accept_application, account(route, "point"), application, "")
    assert application.status == ApplicationStatus.ACCEPTED
    assert workflow.route_of(application)[0].decision == RouteDecision.PASSED
    assert actions(application)[-2:] == [A.RECOMMEND, A.ACCEPT]


def test_one_level_passes_it_on_to_the_acceptance_point(route):
    application = ready(route["one"], "乙一")
    recommend(route, application)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.acceptance_point_id is None
    assert application.holder_name == "另一主管局"
    assert application.id in visible(route, "other")
    assert application.id not in visible(route, "point")  # not there yet
    with pytest.raises(workflow.WorkflowError):
        workflow.accept_application(account(route, "point"), application, "")
    db.session.rollback()

    step(workflow.pass_on, account(route, "other"), application, PASS_OPINION)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.acceptance_point_id == route["point"].id
    assert application.holder_name == "杭州市受理点"
    assert application.id in visible(route, "other")  # it passed through
    level_row = db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id, action=A.LEVEL_PASS)).one()
    assert (level_row.acceptance_point_id, level_row.actor_name, level_row.opinion) == (
        route["other"].id, "另一主管局", PASS_OPINION)
    # The acceptance point reads the whole timeline, the level's opinion in it.
    timeline = ReviewRecord.query_for(account(route, "point")).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).all()
    assert A.LEVEL_PASS in [row.action for row in timeline]
    assert A.SUBMIT in [row.action for row in timeline]

    step(workflow.accept_application, account(route, "point"), application, "")
    assert application.status == ApplicationStatus.ACCEPTED
    assert actions(application)[-3:] == [A.RECOMMEND, A.LEVEL_PASS, A.ACCEPT]


def test_a_level_returns_it_to_the_unit_with_a_reason_and_the_unit_recommends_again(route):
    application = ready(route["one"], "乙二")
    recommend(route, application)
    with pytest.raises(workflow.WorkflowError, match="退回时必须填写退回原因"):
        workflow.return_from_level(account(route, "other"), application, "  ")
    db.session.rollback()
    reason = factories.REASONS["level_return"]
    step(workflow.return_from_level, account(route, "other"), application, reason)
    assert application.status == ApplicationStatus.ROUTE_RETURNED
    assert application.status.label == "审核机构退回"
    assert application.holder_name == "乙单位"
    assert application.acceptance_opinion == reason
    sms = db.session.scalars(db.select(Notification).where(
        Notification.mobile == application.unit.contact_mobile,
        Notification.text.contains(reason))).all()
    assert len(sms) == 1 and "另一主管局" in sms[0].text
    # The unit recommends again: a new route, at the level again.
    recommend(route, application)
    assert application.status == ApplicationStatus.RECOMMENDED
    assert application.holder_name == "另一主管局"
    stops = db.session.scalars(db.select(ApplicationRouteStop).filter_by(
        application_id=application.id).order_by(ApplicationRouteStop.id)).all()
    assert [(stop.attempt, stop.position, stop.decision) for stop in stops] == [
        (1, 0, RouteDecision.RETURNED), (1, 1, None), (2, 0, None), (2, 1, None)]
    assert actions(application)[-3:] == [A.RECOMMEND, A.LEVEL_RETURN, A.RECOMMEND]


def test_the_unit_may_hand_a_level_return_to_the_applicant(route):
    application = ready(route["one"], "乙三")
    recommend(route, application)
    step(workflow.return_from_level, account(route, "other"), application, "缺少年度考核表。")
    step(workflow.return_to_applicant, factories.employer(route["one"]), application,
         "请补充年度考核表。")
    assert application.status == ApplicationStatus.RETURNED
    assert application.holder_name == "本人"


def test_two_levels_end_to_end_with_a_return_at_each_level(route):
    application = ready(route["two"], "甲一")
    department, county, point = (account(route, key) for key in ("department", "county", "point"))
    holders = []

    recommend(route, application)
    holders.append(application.holder_name)
    step(workflow.return_from_level, department, application, "主管部门：缺少公示证明。")
    holders.append(application.holder_name)

    recommend(route, application)
    step(workflow.pass_on, department, application, "")
    assert application.acceptance_point_id is None  # still on its way
    holders.append(application.holder_name)
    step(workflow.return_from_level, county, application, "区县人社：推荐意见未盖章。")
    holders.append(application.holder_name)

    recommend(route, application)
    step(workflow.pass_on, department, application, PASS_OPINION)
    step(workflow.pass_on, county, application, "同意报送。")
    holders.append(application.holder_name)
    step(workflow.return_to_unit, point, application, "受理点：缺少单位推荐意见盖章页。")
    holders.append(application.holder_name)

    recommend(route, application)
    holders.append(application.holder_name)
    step(workflow.pass_on, department, application, PASS_OPINION)
    step(workflow.pass_on, county, application, "同意报送。")
    step(workflow.accept_application, point, application, "")
    holders.append(application.holder_name)

    assert application.status == ApplicationStatus.ACCEPTED
    assert holders == ["示例主管局", "甲单位", "西湖区人社局", "甲单位", "杭州市受理点", "甲单位",
                       "示例主管局", "杭州市受理点"]
    assert actions(application)[actions(application).index(A.RECOMMEND):] == [
        A.RECOMMEND, A.LEVEL_RETURN,
        A.RECOMMEND, A.LEVEL_PASS, A.LEVEL_RETURN,
        A.RECOMMEND, A.LEVEL_PASS, A.LEVEL_PASS, A.ACCEPTANCE_RETURN,
        A.RECOMMEND, A.LEVEL_PASS, A.LEVEL_PASS, A.ACCEPT]
    # Each level's history row names it (scoped like the acceptance point's).
    rows = db.session.scalars(db.select(ReviewRecord).filter_by(
        subject=Subject.APPLICATION, subject_id=application.id).where(
            ReviewRecord.action.in_([A.LEVEL_PASS, A.LEVEL_RETURN]))).all()
    assert {(row.actor_name, row.acceptance_point_id) for row in rows} == {
        ("示例主管局", route["department"].id), ("西湖区人社局", route["county"].id)}
    stops = workflow.route_of(application)
    assert [(stop.organisation_id, stop.decision) for stop in stops] == [
        (route["department"].id, RouteDecision.PASSED), (route["county"].id, RouteDecision.PASSED),
        (route["point"].id, RouteDecision.PASSED)]
    assert all(stop.decided_at and stop.reached_at for stop in stops)


def test_a_level_is_refused_out_of_turn_out_of_route_and_twice(route):
    application = ready(route["two"], "甲二")
    recommend(route, application)
    # Not reached yet: the county and the point do not see it.
    for key in ("county", "point", "other"):
        with pytest.raises(workflow.WorkflowError, match="申报不存在或未送至本机构"):
            workflow.pass_on(account(route, key), application, "")
        db.session.rollback()
    with pytest.raises(workflow.WorkflowError):
        workflow.return_from_level(account(route, "other"), application, "不是我的。")
    db.session.rollback()
    with pytest.raises(workflow.WorkflowError, match="无权"):
        workflow.pass_on(factories.employer(route["two"]), application, "")
    db.session.rollback()

    step(workflow.pass_on, account(route, "department"), application, "")
    # Already passed: the department still sees it, and is told it was handled.
    with pytest.raises(workflow.AlreadyHandled, match="已被处理或不在本机构待审核"):
        workflow.pass_on(account(route, "department"), application, "")
    db.session.rollback()
    with pytest.raises(workflow.AlreadyHandled):
        workflow.return_from_level(account(route, "department"), application, "再退一次。")
    db.session.rollback()
    step(workflow.pass_on, account(route, "county"), application, "")
    # At the acceptance point: 受理/退回 there, not 通过.
    with pytest.raises(workflow.WorkflowError, match="已到受理点"):
        workflow.pass_on(account(route, "point"), application, "")
    db.session.rollback()
    assert actions(application).count(A.LEVEL_PASS) == 2


def test_the_point_that_returned_it_cannot_decide_it_while_a_level_holds_it(route):
    """Recommended again, it is the level's until passed on: out of the point's lists (the
    point's inbox is read from its own column) and not the point's to decide."""
    application = ready(route["one"], "乙四")
    recommend(route, application)
    step(workflow.pass_on, account(route, "other"), application, "")
    step(workflow.return_to_unit, account(route, "point"), application, "缺页。")
    recommend(route, application)  # at the level again
    assert application.id not in visible(route, "point")
    with pytest.raises(workflow.WorkflowError, match="未推荐至本受理点"):
        workflow.accept_application(account(route, "point"), application, "")
    db.session.rollback()
    step(workflow.pass_on, account(route, "other"), application, "")
    assert application.id in visible(route, "point")
    step(workflow.accept_application, account(route, "point"), application, "")


def test_an_organisation_sees_what_reached_it_or_passed_through_it_and_nothing_else(route):
    at_department = ready(route["two"], "甲三")
    passed = ready(route["two"], "甲四")
    elsewhere = ready(route["one"], "乙五")
    direct = ready(route["none"], "丙二")
    waiting = ready(route["two"], "甲五")  # publicized, not recommended
    for application in (at_department, passed, elsewhere, direct):
        recommend(route, application)
    step(workflow.pass_on, account(route, "department"), passed, "")
    assert visible(route, "department") == {at_department.id, passed.id}
    assert visible(route, "county") == {passed.id}
    assert visible(route, "other") == {elsewhere.id}
    assert visible(route, "point") == {direct.id}
    assert waiting.id not in set().union(*(visible(route, key) for key in
                                           ("department", "county", "other", "point")))
    # History rows: a level reads the timelines of what it sees, not others'.
    rows = ReviewRecord.query_for(account(route, "county")).all()
    assert {row.subject_id for row in rows if row.subject == Subject.APPLICATION} == {passed.id}


def test_a_unit_rebound_mid_year_keeps_what_is_in_flight_on_its_old_route(route):
    in_flight = ready(route["two"], "甲六")
    later = ready(route["two"], "甲七")
    recommend(route, in_flight)
    route["two"].supervisor_id = route["other"].id  # the admin rebinds the unit
    db.session.commit()
    db.session.expire(route["two"])
    recommend(route, later)
    assert in_flight.holder_name == "示例主管局"
    assert later.holder_name == "另一主管局"
    with pytest.raises(workflow.WorkflowError):
        workflow.pass_on(account(route, "other"), in_flight, "")
    db.session.rollback()
    step(workflow.pass_on, account(route, "department"), in_flight, "")
    step(workflow.pass_on, account(route, "county"), in_flight, "")
    assert in_flight.acceptance_point_id == route["point"].id
    assert visible(route, "other") == {later.id}


def test_routes_are_refused_beyond_two_levels_or_in_a_cycle(route):
    assert workflow.routes_problem() is None
    top = factories.reviewing_level("省主管厅")
    route["county"].parent_id = top.id  # 主管部门 → 区县人社 → 省主管厅: three levels
    assert "最多经过2级审核机构" in workflow.routes_problem()
    route["county"].parent_id = route["department"].id  # 主管部门 ⇄ 区县人社
    assert "形成循环" in workflow.routes_problem()
    route["county"].parent_id = route["point"].id  # on to an acceptance point
    assert "是受理点" in workflow.routes_problem()
    db.session.rollback()
    route["point"].parent_id = route["county"].id
    assert "不能设置上级机构" in workflow.routes_problem()
    db.session.rollback()


# --- the pages: a level's inbox, and the admin's configuration -------------------------------

def test_a_level_reviews_in_its_inbox_and_passes_on_or_returns(route, client):
    waiting, returned = ready(route["one"], "乙六"), ready(route["one"], "乙七")
    elsewhere = ready(route["two"], "甲八")
    for application in (waiting, returned, elsewhere):
        recommend(route, application)
    signed_in(client, account(route, "other"))
    home = page_text(client.get("/acceptance/"))
    assert "另一主管局" in home and "待审核" in home
    inbox = client.get("/acceptance/inbox/").get_data(as_text=True)
    assert "待审核" in inbox and "已通过" in inbox and "乙六" in inbox and "甲八" not in inbox
    assert "推荐花名册" not in inbox  # a unit's roster to a point, not a level's
    review = client.get(f"/acceptance/inbox/review/?id={waiting.id}").get_data(as_text=True)
    assert "审核意见 / 退回原因" in review and 'value="pass"' in review
    assert 'value="accept"' not in review  # 受理 is the acceptance point's
    # The header names the level's kind, as area and as the account's role; the point's says 受理点.
    area = re.compile(r'data-testid="area-name">([^<]*)<')
    assert area.findall(inbox) == ["主管部门"] and "主管部门：" in page_text(inbox)
    # 退回 without a reason: refused, nothing changes.
    response = post(client, f"/acceptance/inbox/review/?id={returned.id}",
                    {"id": returned.id, "decision": "return", "opinion": ""},
                    token_from="/acceptance/inbox/")
    assert "退回时必须填写退回原因" in page_text(response)
    db.session.refresh(returned)
    assert returned.status == ApplicationStatus.RECOMMENDED
    response = post(client, f"/acceptance/inbox/review/?id={returned.id}",
                    {"id": returned.id, "decision": "return", "opinion": "缺少考核表。"},
                    token_from="/acceptance/inbox/")
    assert response.status_code == 302
    response = post(client, f"/acceptance/inbox/review/?id={waiting.id}",
                    {"id": waiting.id, "decision": "pass", "opinion": PASS_OPINION},
                    token_from="/acceptance/inbox/")
    assert response.status_code == 302
    db.session.expire_all()
    assert returned.status == ApplicationStatus.ROUTE_RETURNED
    assert waiting.acceptance_point_id == route["point"].id
    # The tabs follow the level's decisions.
    passed = client.get("/acceptance/inbox/?tab=passed").get_data(as_text=True)
    assert "乙六" in passed and "乙七" not in passed
    sent_back = client.get("/acceptance/inbox/?tab=returned").get_data(as_text=True)
    assert "乙七" in sent_back and "乙六" not in sent_back
    # Passed on, it shows the route with the level's opinion; no buttons any more.
    review = client.get(f"/acceptance/inbox/review/?id={waiting.id}").get_data(as_text=True)
    assert PASS_OPINION in review and 'value="pass"' not in review
    # An unknown decision is a bad request; another route's application is not found.
    response = post(client, f"/acceptance/inbox/review/?id={waiting.id}",
                    {"id": waiting.id, "decision": "accept"}, token_from="/acceptance/inbox/")
    assert response.status_code == 400
    assert client.get(f"/acceptance/inbox/review/?id={elsewhere.id}").status_code == 404


def test_a_levels_tabs_and_home_count_what_waits_passed_and_returned(route, client):
    waiting, passed, returned = (ready(route["one"], name) for name in ("乙一", "乙二", "乙三"))
    for application in (waiting, passed, returned, ready(route["two"], "甲四")):
        recommend(route, application)
    step(workflow.pass_on, account(route, "other"), passed, PASS_OPINION)
    step(workflow.return_from_level, account(route, "other"), returned, "缺少考核表。")
    # Passed on, then accepted by the point: still 已通过 at the level.
    step(workflow.accept_application, account(route, "point"), passed, "")
    signed_in(client, account(route, "other"))
    tabs = page_text(client.get("/acceptance/inbox/"))
    for tab in ("待审核 (1)", "已通过 (1)", "已退回 (1)", "全部 (3)"):
        assert tab in tabs
    home = " ".join(page_text(client.get("/acceptance/")).split())
    assert "待审核 1 份" in home and "已通过 1 份" in home and "已退回 1 份" in home


def test_the_acceptance_point_reads_the_levels_opinion_and_keeps_its_buttons(route, client):
    application = ready(route["one"], "乙八")
    recommend(route, application)
    step(workflow.pass_on, account(route, "other"), application, PASS_OPINION)
    signed_in(client, account(route, "point"))
    review = client.get(f"/acceptance/inbox/review/?id={application.id}").get_data(as_text=True)
    assert 'value="accept"' in review and 'value="pass"' not in review
    assert re.findall(r'data-testid="area-name">([^<]*)<', review) == ["受理点"]
    assert "另一主管局" in review and PASS_OPINION in review and "审核机构通过" in review


def test_the_applicant_sees_which_level_holds_it(route, client):
    application = ready(route["two"], "甲九")
    recommend(route, application)
    signed_in(client, factories.applicant_account(application.applicant))
    page = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert '<td data-testid="holder">示例主管局</td>' in page


def test_the_units_list_names_who_holds_it_and_who_returned_it(route, client):
    at_level, returned, at_point = (ready(route["two"], name) for name in ("甲十", "甲十一", "甲十二"))
    for application in (at_level, returned, at_point):
        recommend(route, application)
    step(workflow.return_from_level, account(route, "department"), returned, "缺少考核表。")
    step(workflow.pass_on, account(route, "department"), at_point, PASS_OPINION)
    step(workflow.pass_on, account(route, "county"), at_point, PASS_OPINION)
    signed_in(client, factories.employer(route["two"]))
    listing = client.get("/unit/recommendation/?tab=all").get_data(as_text=True)
    assert "待审机构" in listing and "审核意见" in listing and "受理点意见" not in listing

    def cells(name):
        row = next(row for row in listing.split("<tr")[1:] if f">{name}</a>" in row)
        return page_text(row)

    assert "示例主管局（主管部门）" in cells("甲十")
    assert "杭州市受理点" in cells("甲十二") and "（区县人社）" not in cells("甲十二")
    # Returned by the level: the unit holds it, and the reason says who gave it.
    assert "本单位" in cells("甲十一")
    assert "示例主管局（主管部门）：缺少考核表。" in cells("甲十一")
    assert 'data-testid="acceptance-reason">缺少考核表。<' in listing
    # The tab of what was sent back holds a level's returns as well as the point's.
    step(workflow.return_to_unit, account(route, "point"), at_point, "缺页。")
    sent_back = client.get("/unit/recommendation/?tab=returned").get_data(as_text=True)
    assert "已退回 (2)" in page_text(sent_back) and ">甲十一</a>" in sent_back
    assert ">甲十二</a>" in sent_back and ">甲十</a>" not in sent_back


def test_the_unit_reads_on_recommending_which_level_reviews_it_first(route, client):
    application = ready(route["two"], "甲十四")
    signed_in(client, factories.employer(route["two"]))
    url = f"/unit/recommendation/recommend/?ids={application.id}"
    page = post(client, url, {"ids": str(application.id),
                              "acceptance_point_id": str(route["point"].id),
                              f"opinion-{application.id}": "同意推荐。"},
                token_from=url, follow_redirects=True)
    assert "已推荐：甲十四，经示例主管局（主管部门）审核后报送杭州市受理点" in page_text(page)


def test_the_applicants_home_says_which_level_it_waits_for(route, client):
    application = ready(route["two"], "甲十三")
    recommend(route, application)
    signed_in(client, factories.applicant_account(application.applicant))
    home = client.get("/me/").get_data(as_text=True)
    assert 'data-testid="card-holder">示例主管局<' in home
    assert "等待示例主管局（主管部门）审核" in page_text(home) and "等待受理点受理" not in home
    step(workflow.pass_on, account(route, "department"), application, PASS_OPINION)
    step(workflow.pass_on, account(route, "county"), application, PASS_OPINION)
    home = client.get("/me/").get_data(as_text=True)
    assert 'data-testid="card-holder">杭州市受理点<' in home and "等待受理点受理" in home


def admin_post(client, url, data):
    return post(client, url, data, token_from=url, follow_redirects=True)


def test_the_admin_adds_a_level_and_binds_units_but_not_a_third_level_or_a_cycle(route, client):
    signed_in(client, factories.admin())
    # A new 主管部门 under the county: a second level for its units.
    response = admin_post(client, "/admin/admin_acceptance_point/new/", {
        "name": "新主管局", "kind": "department", "parent": str(route["county"].id),
        "active": "y"})
    assert response.status_code == 200
    new = db.session.scalar(db.select(AcceptancePoint).filter_by(name="新主管局"))
    assert new.kind == OrganisationKind.DEPARTMENT and new.parent_id == route["county"].id
    # Bind 丙单位 to it (the unit then goes through two levels).
    url = f"/admin/admin_unit/edit/?id={route['none'].id}"
    admin_post(client, url, {"supervisor": str(new.id)})
    db.session.expire_all()
    assert route["none"].supervisor_id == new.id
    # A third level above: refused with the reason, nothing saved.
    top = factories.reviewing_level("省主管厅")
    db.session.commit()
    url = f"/admin/admin_acceptance_point/edit/?id={route['county'].id}"
    response = admin_post(client, url, {"name": "西湖区人社局", "kind": "county_hr",
                                        "parent": str(top.id), "active": "y"})
    assert "最多经过2级审核机构" in page_text(response)
    db.session.expire_all()
    assert route["county"].parent_id is None
    # A cycle: the county under the department that is under it.
    response = admin_post(client, url, {"name": "西湖区人社局", "kind": "county_hr",
                                        "parent": str(route["department"].id), "active": "y"})
    assert "形成循环" in page_text(response)
    db.session.expire_all()
    assert route["county"].parent_id is None
    # A unit cannot be bound to an acceptance point as its 主管部门 (not even offered).
    url = f"/admin/admin_unit/edit/?id={route['one'].id}"
    response = admin_post(client, url, {"supervisor": str(route["point"].id)})
    db.session.expire_all()
    assert route["one"].supervisor_id == route["other"].id


@ON_SERVERS
@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_of_a_level_deciding_at_once_give_one_decision(route, app, attempt):
    """通过 and 退回 on the same recommendation at the same moment, each page read (with its
    route) before either: one decision lands, the other is refused in Chinese after the lock."""
    application = ready(route["one"], f"乙race{attempt}")
    recommend(route, application)
    level = route["other"]
    first = account(route, "other").id
    second = factories.acceptance_account(level, username=f"level-second-{attempt}").id
    db.session.commit()
    level_id, application_id = level.id, application.id  # the threads use their own sessions

    def prepare(account_id):
        reader = db.session.get(Account, account_id)
        seen = Application.get_for(reader, application_id)
        assert seen.current_stop.organisation_id == level_id and seen.route_stops
        return reader, seen

    race = run_together(app, [
        Step(lambda: prepare(first),
             lambda prepared: workflow.pass_on(*prepared, PASS_OPINION).status),
        Step(lambda: prepare(second),
             lambda prepared: workflow.return_from_level(*prepared, "缺少考核表。").status,
             delay=0.05 * (attempt % 2)),
    ], expected=workflow.WorkflowError)

    assert race.errors == []
    assert len(race.results) == 1 and len(race.refused) == 1, race.outcomes
    assert any("\u4e00" <= character <= "\u9fff" for character in str(race.refused[0]))
    db.session.expire_all()
    decided = [stop for stop in workflow.route_of(application) if stop.decided_at is not None]
    assert len(decided) == 1
    assert actions(application).count(A.LEVEL_PASS) + actions(application).count(
        A.LEVEL_RETURN) == 1
