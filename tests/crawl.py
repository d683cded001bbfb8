"""Walking the pages a person can reach: every page a demo role reaches by following links from
its home page (lists with every tab, details, forms), in the language it chose."""
import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from models import Account
from tests.helpers import post, sign_in
from zcps.demo import DEMO_PASSWORD, load_demo
from zcps.extensions import db

# Each demo sign-in, and a signed-out visitor.
DEMO_ROLES = pytest.mark.parametrize(
    "username", [None, "admin", "91330106MA2B3C4D5D", "91330100MA28E7F6G9",
                 "330106199003071236", "accept1"],
    ids=lambda name: name or "signed-out")

HREF = re.compile(r'href="([^"#]+)"')
# Links that leave the page's kind (files, exports, the other language), or show the same words
# in another order or amount (sorting, paging).
NOT_PAGES = re.compile(r"/(file|export|static)/|export\.xlsx|/lang/|/logout|\.(css|js|ico|png)\b"
                       r"|[?&](sort|desc|page_size|page)=")
LIMIT = 400


def demo_visitor(app, username: str | None, language: str | None = None):
    """A client on the demo data, switched to ``language`` on the home page (as a visitor does
    before signing in) and signed in as ``username``; returns it and the page it lands on."""
    assert load_demo()
    client = app.test_client()
    start = "/"
    if language:
        response = post(client, f"/lang/{language}", {"next": "/"})
        assert response.status_code == 302, response.status_code
    if username:
        account = db.session.scalar(db.select(Account).filter_by(username=username))
        response = sign_in(client, account, password=DEMO_PASSWORD)
        start = response.headers["Location"]
    return client, start


def reachable_pages(client, start: str) -> dict[str, str]:
    """Every HTML page reached from ``start`` by following links: {address: page}."""
    queue, seen, pages = [start], {start}, {}
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code in (301, 302) and response.headers["Location"] not in seen:
            seen.add(response.headers["Location"])
            queue.append(response.headers["Location"])
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = response.get_data(as_text=True)
        pages[url] = page
        for link in HREF.findall(page):
            target = urljoin(url, html.unescape(link))
            parts = urlsplit(target)
            if parts.netloc or NOT_PAGES.search(parts.path + "?" + parts.query):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert 5 < len(seen) < LIMIT, len(seen)
    return pages
