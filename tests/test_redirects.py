"""Where a request may send the browser next: only a path on this site (issue 14, findings 1
and 10)."""
from urllib.parse import quote

import pytest

from models import ReviewStatus
from tests import factories
from tests.helpers import post, sign_in, signed_in
from zcps.extensions import db
from zcps.redirects import safe_return_path

# Each would leave the site, run script, or be read by some browser as another host.
UNSAFE_TARGETS = [
    "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "https://evil.example/", "http:/evil.example",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", " //evil.example",
    "/%09/evil.example", "/%5Cevil.example", "/ /evil.example", "\x00/x", "/x\x00",
    "/\u3000/evil.example", "/\u200b/evil.example", "evil.example", "unit/x", "", None,
]
SAFE_TARGETS = ["/", "/unit/", "/unit/unit_archive_people/?tab=all&page=2",
                "/me/applications/3#history", "/unit/unit_archive/?search=%E5%BC%A0"]


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_a_return_address_off_the_site_falls_back_to_the_default(target):
    assert safe_return_path(target, "/fallback") == "/fallback"
    assert safe_return_path(target) is None


@pytest.mark.parametrize("target", SAFE_TARGETS)
def test_a_path_on_the_site_is_a_return_address(target):
    assert safe_return_path(target, "/fallback") == target


@pytest.fixture
def unit_world(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, "甲员工", profile_status=ReviewStatus.PENDING)
    factories.archive_item(person, ReviewStatus.PENDING)
    db.session.commit()
    signed_in(client, officer)
    return {"unit": unit, "officer": officer, "person": person}


# --- finding 1: the review page's way back to its list ----------------------------------------

@pytest.mark.parametrize("target", ["javascript:alert(document.cookie)", "//evil.example/",
                                    "/%09/evil.example", "https://evil.example/"])
def test_the_archive_review_back_link_never_leaves_the_site(client, unit_world, target):
    person = unit_world["person"]
    page = client.get(f"/unit/unit_archive/review/?applicant_id={person.id}"
                      f"&url={quote(target)}").get_data(as_text=True)
    assert 'href="/unit/archive-review/">业绩档案审核</a>' in page  # the breadcrumbs' way back
    assert 'href="javascript:alert' not in page and 'href="//evil' not in page
    assert 'href="https://evil' not in page and 'href="/%09' not in page


def test_the_archive_review_back_link_keeps_the_list_it_came_from(client, unit_world):
    person = unit_world["person"]
    back = "/unit/archive-review/?tab=all&page=0"
    page = client.get(f"/unit/unit_archive/review/?applicant_id={person.id}"
                      f"&url={quote(back)}").get_data(as_text=True)
    assert 'href="/unit/archive-review/?tab=all&amp;page=0">业绩档案审核</a>' in page


@pytest.mark.parametrize("target", ["//evil.example/", "/%09/evil.example",
                                    "http://localhost/unit/"])
def test_flask_admin_return_links_and_redirects_stay_on_the_site(client, unit_world, target):
    # The opinion templates' create form: its 取消 link and the redirect after saving.
    page = client.get(f"/unit/opinions/new/?url={quote(target)}").get_data(as_text=True)
    assert 'href="/unit/opinions/"' in page
    for attribute in ("href", "value", "action"):
        assert f'{attribute}="{target}' not in page and f'{attribute}="{quote(target)}' not in page
    assert 'href="http://localhost' not in page
    response = post(client, f"/unit/opinions/new/?url={quote(target)}",
                    {"kind": "approve", "text": "同意推荐。", "sort_order": "1"},
                    token_from="/unit/opinions/new/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/unit/opinions/"


# --- finding 10: the language switch and the sign-in -----------------------------------------

@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/\\evil.example",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_the_language_switch_never_redirects_off_the_site(client, target):
    response = post(client, "/lang/en", {"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_language_switch_returns_to_the_page_it_was_on(client):
    response = post(client, "/lang/en", {"next": "/login/unit?next=/unit/"})
    assert response.headers["Location"] == "/login/unit?next=/unit/"


@pytest.mark.parametrize("target", ["/unit/\t/x", "//evil.example/unit/", "/unit\\..\\x",
                                    "https://evil.example/unit/", "/me/"])
def test_sign_in_goes_home_when_next_is_not_a_page_of_the_area(app, client, target):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    db.session.commit()
    response = sign_in(client, officer, next_url=quote(target))
    assert response.headers["Location"] == "/unit/"


def test_sign_in_goes_to_the_page_asked_for(app, client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    db.session.commit()
    response = sign_in(client, officer, next_url=quote("/unit/unit_archive/?tab=all"))
    assert response.headers["Location"] == "/unit/unit_archive/?tab=all"
