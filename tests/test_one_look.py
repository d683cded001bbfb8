"""One look for the public pages and the four areas: every page has the same header (the platform
and the area's name) and footer (主办单位, 技术支持, 操作指南) from the deployment's settings, a
record's page has breadcrumbs back to its list, and a required field is marked beside its label."""
import re

import pytest

from models import ApplicationStatus, ReviewStatus
from tests import factories
from tests.crawl import demo_client, reachable_pages, walked_roles
from tests.helpers import shown_text, signed_in

HEADER = re.compile(r'<header class="site-header" data-testid="site-header">(.*?)</header>', re.S)
FOOTER = re.compile(r'<footer class="site-footer" data-testid="site-footer">(.*?)</footer>', re.S)
BREADCRUMBS = re.compile(r'<nav aria-label="当前位置" data-testid="breadcrumbs">(.*?)</nav>', re.S)
AREA_NAMES = {"/unit": "用人单位", "/me": "个人中心", "/acceptance": "受理点", "/admin": "平台管理"}
PUBLIC_AREAS = {"/login/person": "个人中心", "/login/unit": "用人单位", "/login/officer": "用人单位",
                "/login/acceptance": "受理点", "/login/admin": "平台管理",
                "/register/unit": "用人单位", "/register/person": "个人中心",
                "/activate": "个人中心", "/forgot/person": "个人中心", "/forgot/unit": "用人单位",
                "/": "服务门户", "/guide": "服务门户"}
# The demo's reviewing level (杭州市示例主管局) and its kind, the name its area shows.
LEVEL_AREAS = {"dept1": "主管部门"}
# The marker beside a required field's label: a star to see, 必填 for a screen reader.
MARK = ('<span class="required-mark" aria-hidden="true">*</span>'
        '<span class="sr-only">必填</span>')


def header_and_footer(page: str) -> tuple[str, str]:
    header, footer = HEADER.findall(page), FOOTER.findall(page)
    assert len(header) == 1 and len(footer) == 1, (len(header), len(footer))
    return header[0], footer[0]


def area_name(header: str) -> str:
    return re.search(r'data-testid="area-name">([^<]*)<', header).group(1)


def expected_area(url: str, signed_in_area: str | None) -> str | None:
    """The area a page names: its area's, or on the home page and the guide the signed-in
    person's own."""
    path = url.split("?", 1)[0]
    if path in ("/", "/guide") and signed_in_area:
        return signed_in_area
    for prefix, name in {**AREA_NAMES, **PUBLIC_AREAS}.items():
        if path == prefix or (prefix != "/" and path.startswith(prefix + "/")):
            return name
    return None


@walked_roles
def test_every_reachable_page_has_the_one_header_and_footer(app, username):
    client, start = demo_client(app, username)
    pages = reachable_pages(client, start)
    if username is None:
        pages.update({url: client.get(url).get_data(as_text=True) for url in PUBLIC_AREAS})
    own_area = expected_area(start, None) if username else None
    # A reviewing level's accounts work in the acceptance area under their kind's name.
    level = LEVEL_AREAS.get(username)
    wrong = {}
    for url, page in pages.items():
        header, footer = header_and_footer(page)
        if "浙江省专业技术职务任职资格申报与评审管理服务平台" not in header:
            wrong[url] = "no platform name"
        elif area_name(header) != (level if level and expected_area(url, own_area) == "受理点"
                                   else expected_area(url, own_area) or area_name(header) or "?"):
            wrong[url] = area_name(header)
        text = shown_text(footer)
        if not all(word in text for word in ("主办单位", "技术支持", "操作指南")):
            wrong[url] = text
    assert wrong == {}


def test_the_footer_says_what_the_deployment_set(app, client):
    page = client.get("/login/person").get_data(as_text=True)
    _, footer = header_and_footer(page)
    assert "主办单位：浙江省人力资源和社会保障厅" in shown_text(footer)
    assert 'href="/guide"' in footer and "电话 12345" in shown_text(footer)
    app.config.update(SITE_ORGANIZER="杭州市人力资源和社会保障局", SUPPORT_PHONE="0571-87000000",
                      SUPPORT_EMAIL="help@example.gov.cn", GUIDE_URL="https://intranet.example/guide")
    _, footer = header_and_footer(client.get("/login/person").get_data(as_text=True))
    text = shown_text(footer)
    assert "主办单位：杭州市人力资源和社会保障局" in text and "浙江省人力资源和社会保障厅" not in text
    assert "电话 0571-87000000" in text and 'href="mailto:help@example.gov.cn"' in footer
    assert 'href="https://intranet.example/guide"' in footer and 'href="/guide"' not in footer
    app.config.update(SUPPORT_PHONE="", SUPPORT_EMAIL="")
    _, footer = header_and_footer(client.get("/").get_data(as_text=True))
    assert "技术支持" not in shown_text(footer)


def test_the_guide_is_open_to_everyone(client):
    page = client.get("/guide")
    assert page.status_code == 200
    assert "职称申报分六步" in shown_text(page.get_data(as_text=True))


def test_the_busy_page_has_the_header_and_footer(app, client, monkeypatch):
    from zcps import errors

    with app.test_request_context("/unit/"):
        body, code, _ = errors.busy_page(503)
    header, footer = header_and_footer(body)
    assert code == 503 and area_name(header) == "服务门户" and "操作指南" in footer


def crumbs(page: str) -> list[tuple[str | None, str]]:
    """The breadcrumbs as (address or None for the current page, text)."""
    found = BREADCRUMBS.findall(page)
    assert len(found) == 1, "no breadcrumbs" if not found else "breadcrumbs twice"
    items = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', found[0], re.S)
    result = []
    for item in items:
        link = re.search(r'<a href="([^"]*)">(.*?)</a>', item)
        result.append((link.group(1), link.group(2)) if link else (None, shown_text(item)))
    return result


def test_a_persons_review_page_has_breadcrumbs_back_to_the_list(client):
    unit = factories.unit()
    person = factories.applicant(unit, "张三", profile_status=ReviewStatus.PENDING)
    factories.archive_item(person, ReviewStatus.PENDING)
    signed_in(client, factories.employer(unit))
    page = client.get(f"/unit/unit_archive/review/?applicant_id={person.id}").get_data(as_text=True)
    assert crumbs(page) == [("/unit/", "首页"), ("/unit/archive-review/", "业绩档案审核"),
                            (None, "张三")]
    assert 'aria-current="page">张三' in page
    # A list is no record's page: no breadcrumbs there.
    assert not BREADCRUMBS.search(client.get("/unit/archive-review/").get_data(as_text=True))


def test_a_flask_admin_details_page_has_breadcrumbs_back_to_its_list(client):
    point = factories.acceptance_point("杭州市职称受理点")
    signed_in(client, factories.admin())
    page = client.get(f"/admin/admin_acceptance_point/details/?id={point.id}")
    assert page.status_code == 200
    trail = crumbs(page.get_data(as_text=True))
    assert trail[0] == ("/admin/", "首页")
    assert trail[1][0].startswith("/admin/admin_acceptance_point/")
    assert trail[2] == (None, "杭州市职称受理点")


@pytest.mark.parametrize("url, required, optional", [
    ("/register/person", ["姓名", "身份证号", "手机号码", "短信验证码", "密码", "确认密码"], []),
    ("/login/person", ["身份证号", "密码"], []),
])
def test_hand_written_forms_mark_each_required_field(client, url, required, optional):
    page = client.get(url).get_data(as_text=True)
    for label in required:
        assert re.search(rf'<label for="[^"]+">{label}</label>{re.escape(MARK)}', page), label
    assert "text-danger\">&#42;" not in page


def test_a_field_that_may_stay_empty_has_no_marker(app, client):
    unit = factories.unit()
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/publicity/start/").get_data(as_text=True)
    assert re.search(rf"公示开始日期</label>{re.escape(MARK)}", page)
    assert re.search(r"异议受理联系人</label>\s*<input", page)  # optional: no marker


def test_flask_admin_forms_mark_required_fields_the_same_way(client):
    signed_in(client, factories.admin())
    page = client.get("/admin/admin_acceptance_point/new/").get_data(as_text=True)
    assert page.count(MARK) >= 1
    assert '<strong class="text-danger">&#42;</strong>' not in page
    # The marker sits inside the label of a required field.
    assert re.search(rf'<label for="name"[^>]*>名称\s*{re.escape(MARK)}\s*</label>', page)


H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def headings_of(page: str) -> list[str]:
    return [" ".join(shown_text(h1).split()) for h1 in H1.findall(page)]


@walked_roles
def test_a_record_page_names_its_view_and_record_and_has_one_way_back(app, username):
    """Every page with breadcrumbs: its heading is "the list's view · the record", as the
    breadcrumbs' last two say, and no second 返回 link beside the breadcrumbs."""
    client, start = demo_client(app, username)
    wrong = {}
    for url, page in reachable_pages(client, start).items():
        if not BREADCRUMBS.search(page):
            continue
        trail = crumbs(page)
        headings = headings_of(page)
        if headings != [f"{trail[-2][1]} · {trail[-1][1]}"]:
            wrong[url] = headings
        elif "&larr;" in page:
            wrong[url] = "a 返回 link beside the breadcrumbs"
    assert wrong == {}


def test_the_recommendation_page_has_breadcrumbs_and_marks_the_return_reason(client):
    unit = factories.unit()
    person = factories.applicant(unit, "张三", with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    application = factories.application(person, ApplicationStatus.ACCEPTANCE_RETURNED)
    signed_in(client, factories.employer(unit))
    page = client.get(f"/unit/recommendation/recommend/?ids={application.id}").get_data(
        as_text=True)
    assert crumbs(page) == [("/unit/", "首页"), ("/unit/recommendation/", "资格审查推荐"),
                            (None, "张三")]
    assert headings_of(page) == ["资格审查推荐 · 张三"]
    assert "&larr;" not in page
    # 退回申报人修改 needs its reason: the marker beside the label, and said to screen readers.
    assert re.search(rf'<label for="return_reason">退回原因</label>{re.escape(MARK)}', page)
    assert re.search(r'<textarea id="return_reason"[^>]*aria-required="true"', page)


def test_the_recommendation_page_of_several_people_says_how_many(client):
    unit = factories.unit()
    people = [factories.applicant(unit, name, with_account=True,
                                  profile_status=ReviewStatus.APPROVED) for name in ("张三", "李四")]
    ids = [application.id for application in
           factories.applications(people, ApplicationStatus.PUBLICIZED)]
    signed_in(client, factories.employer(unit))
    page = client.get("/unit/recommendation/recommend/?"
                      + "&".join(f"ids={i}" for i in ids)).get_data(as_text=True)
    assert crumbs(page)[-1] == (None, "共2人")


def test_the_release_page_has_breadcrumbs_back_to_the_accounts(client):
    person = factories.applicant(factories.unit(), "张三", with_account=True)
    account = factories.applicant_account(person)
    signed_in(client, factories.security_admin())
    page = client.get(f"/admin/admin_applicant_account/release/?id={account.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    trail = crumbs(text)
    assert trail[0] == ("/admin/", "首页") and trail[2] == (None, "张三")
    assert trail[1][0].startswith("/admin/admin_applicant_account/")
    assert headings_of(text) == [f"{trail[1][1]} · 张三"]
    assert "&larr;" not in text
