"""Forms that behave: a decision is checked before it is confirmed, every irreversible step asks
first, the reason of a return is where the next person looks, and choices fit what was chosen."""
import html
import json
import re

from markupsafe import escape

from models import ApplicationStatus, AuthorizationStatus, TitleQualification
from tests import factories
from tests.helpers import shown_text, signed_in
from tests.test_publicity_pages import (  # noqa: F401
    ENDED,
    publicized,
    recommended,
    returned_by_the_point,
    world,
)
from zcps.extensions import db


def button(page: str, value: str) -> str:
    """The opening tag of the submit button with ``value``."""
    return re.search(rf'<button[^>]*value="{value}"[^>]*>', page).group(0)


def test_the_acceptance_decision_names_both_meanings_and_asks_before_either(
        client, world, clock):  # noqa: F811
    recommended(world, clock)
    signed_in(client, world["point_account"])
    page = client.get(f"/acceptance/inbox/review/?id={world['application'].id}").get_data(
        as_text=True)
    assert '<label for="opinion">受理意见 / 退回原因</label>' in page
    assert "data-confirm" in button(page, "accept")
    returning = button(page, "return")
    assert 'data-requires="opinion"' in returning and "请填写退回原因。" in returning
    assert "data-confirm" in returning


def test_the_units_decision_on_an_application_asks_before_passing_and_needs_a_reason_to_refuse(
        client, clock):
    unit = factories.unit()
    application = factories.application(factories.applicant(unit), ApplicationStatus.PENDING)
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get(f"/unit/unit_application/review/?id={application.id}").get_data(
        as_text=True)
    assert "data-confirm" in button(page, "approve")
    assert 'data-requires="opinion"' in button(page, "return")
    assert "data-confirm" not in button(page, "return")  # the applicant fixes and resubmits
    assert 'data-requires="opinion"' in button(page, "reject")


def test_the_unit_reads_why_the_point_returned_it_and_recommends_to_that_point_again(
        client, world, clock):  # noqa: F811
    returned_by_the_point(world, clock)
    plan = factories.usual_plan()
    factories.acceptance_point("另一受理点", plan)
    db.session.commit()
    signed_in(client, world["officer"])
    listing = client.get("/unit/recommendation/?tab=returned").get_data(as_text=True)
    assert re.search(r'data-testid="acceptance-reason">缺少学历证明<', listing)
    page = client.get(f"/unit/recommendation/recommend/?ids={world['application'].id}"
                      ).get_data(as_text=True)
    chosen = re.findall(r'<option value="(\d+)" selected>', page)
    assert chosen == [str(world["point"].id)]


def test_a_first_recommendation_chooses_no_point_for_the_unit(client, world, clock):  # noqa: F811
    plan = factories.usual_plan()
    factories.acceptance_point("另一受理点", plan)
    publicized(world)
    clock(ENDED)
    db.session.commit()
    signed_in(client, world["officer"])
    page = client.get(f"/unit/recommendation/recommend/?ids={world['application'].id}"
                      ).get_data(as_text=True)
    assert " selected>" not in page.split('id="acceptance_point_id"')[1].split("</select>")[0]


def test_a_rejected_unit_reads_the_reason_in_its_status_banner(client):
    unit = factories.unit("被退回单位", authorized=False)
    factories.authorization(unit, AuthorizationStatus.REJECTED, reason="委托证明未加盖公章。")
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/authorization/").get_data(as_text=True)
    banner = page.split('data-testid="authorization-status"')[1].split("</div>")[0]
    assert "委托证明未加盖公章。" in shown_text(banner + "</div>")


def test_each_qualification_names_its_series_and_level_for_the_page_to_narrow(client):
    person = factories.applicant(factories.unit(), with_account=True)
    qualification = factories.qualification()
    factories.usual_plan()
    db.session.commit()
    signed_in(client, person.account)
    page = client.get("/me/applications/new").get_data(as_text=True)
    page = page.split('id="qualification"')[1].split("</select>")[0]
    for record in db.session.scalars(db.select(TitleQualification).filter_by(active=True)):
        option = re.search(rf'<option[^>]*value="{record.id}"[^>]*>', page).group(0)
        assert f'data-series="{record.series_id}"' in option, option
        assert f'data-level="{record.level.value}"' in option, option
    assert escape(qualification.name) in page


def listed_names(page: str, names) -> set:
    return {name for name in names if name in shown_text(page)}


def test_the_application_lists_filter_by_series_level_method_and_days(client, clock):
    from datetime import datetime

    from models import ReviewMethod, TitleLevel
    unit = factories.unit()
    first = factories.application(factories.applicant(unit, "张一"), ApplicationStatus.PENDING)
    second = factories.application(factories.applicant(unit, "李二"), ApplicationStatus.PENDING)
    second.level = TitleLevel.JUNIOR if first.level != TitleLevel.JUNIOR else TitleLevel.SENIOR
    second.review_method = (ReviewMethod.RECOGNITION if first.review_method == ReviewMethod.REVIEW
                            else ReviewMethod.REVIEW)
    # 00:30 on 29 September in Beijing is still the 28th in UTC.
    first.submitted_at = datetime(2026, 9, 28, 16, 30)
    second.submitted_at = datetime(2026, 9, 28, 15, 30)  # 23:30 on the 28th in Beijing
    db.session.commit()
    signed_in(client, factories.employer(unit))
    names = ("张一", "李二")
    base = "/unit/unit_application/?tab=all"
    assert listed_names(client.get(base).get_data(as_text=True), names) == set(names)
    cases = {
        f"flt0_1={first.level.value}": {"张一"},
        f"flt0_2={second.review_method.value}": {"李二"},
        "flt0_3=2026-09-29+to+2026-09-29": {"张一"},
        "flt0_3=2026-09-28+to+2026-09-28": {"李二"},
        f"flt0_0={first.series_id}": set(names),
        "flt0_0=999999": set(names),  # not a series: ignored, not an error
        "flt0_3=2026-09-30+to+2026-09-01": set(names),  # backwards: ignored
        "flt0_1=nonsense": set(names),
    }
    for query, expected in cases.items():
        response = client.get(f"{base}&{query}")
        assert response.status_code == 200, query
        assert listed_names(response.get_data(as_text=True), names) == expected, query


def filter_groups(page: str) -> dict:
    return json.loads(html.unescape(re.search(
        r'<div id="filter-groups-data" class="d-none">(.*?)</div>', page).group(1)))


def test_the_filters_offer_the_catalogues_series_by_name(client):
    from models import TitleSeries
    unit = factories.unit()
    factories.qualification()
    db.session.commit()
    signed_in(client, factories.employer(unit))
    groups = filter_groups(client.get("/unit/unit_application/").get_data(as_text=True))
    assert set(groups) == {"申报系列", "申报级别", "评审方式", "提交时间"}
    offered = {name for _code, name in groups["申报系列"][0]["options"]}
    assert offered == {series.name for series in db.session.scalars(db.select(TitleSeries))}
    # A series added while the site runs is offered at once.
    db.session.add(TitleSeries(name="新增系列", sort_order=99))
    db.session.commit()
    groups = filter_groups(client.get("/unit/unit_application/").get_data(as_text=True))
    assert "新增系列" in {name for _code, name in groups["申报系列"][0]["options"]}


def test_an_archive_items_refusals_need_the_reason_field_beside_them(client):
    from models import ReviewStatus
    unit = factories.unit()
    person = factories.applicant(unit, "张一")
    factories.archive_item(person, ReviewStatus.PENDING, title="学历一")
    db.session.commit()
    signed_in(client, factories.employer(unit))
    page = client.get(f"/unit/unit_archive/review/?applicant_id={person.id}").get_data(
        as_text=True)
    for value in ("return", "reject"):
        buttons = re.findall(rf'<button[^>]*name="decision" value="{value}"[^>]*>', page)
        assert buttons, value
        for tag in buttons:
            needed = re.search(r'data-requires="([^"]+)"', tag).group(1)
            assert f'id="{needed}"' in page, needed


def test_the_admins_refusal_asks_for_its_reason_before_the_question(client):
    """授权审核: 不通过 without a reason is said beside the opinion first (data-requires), then
    confirmed; 通过 only confirmed."""
    authorization = factories.authorization(factories.unit(authorized=False))
    db.session.commit()
    signed_in(client, factories.deciding_admin())
    page = client.get(f"/admin/admin_authorization/decide/?id={authorization.id}").get_data(
        as_text=True)
    assert 'data-requires="opinion"' in button(page, "reject")
    assert "data-confirm" in button(page, "reject")
    assert "data-requires" not in button(page, "approve") and "data-confirm" in button(page, "approve")
