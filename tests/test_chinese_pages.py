"""No English word and no raw code on any page of the Chinese interface: every page each demo
role can reach by following links from its home page (lists with every tab, details, forms), and
the pages of a signed-out visitor."""
import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.crawl import DEMO_ROLES, demo_client, role_id
from tests.helpers import shown_text

# Words the Chinese pages may show: the language switch, the names of formats, and the demo
# platform admin's user name (data, not interface).
LATIN_ALLOWED = {"English", "PDF", "MB", "Excel", "IP", "admin"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9])")
HREF = re.compile(r'href="([^"#]+)"')
# Links that leave the page's kind (files, exports, the other language), or show the same words
# in another order or amount (sorting, paging).
NOT_PAGES = re.compile(r"/(file|export|static)/|export\.xlsx|/lang/|/logout|\.(css|js|ico|png)\b"
                       r"|[?&](sort|desc|page_size|page)=")
LIMIT = 400


# The demo roles, and the unit whose authorization waits for review.
@pytest.mark.parametrize("username", DEMO_ROLES + ["91330100MA28E7F6G9"], ids=role_id)
def test_every_reachable_page_reads_in_chinese(app, username):
    client, start = demo_client(app, username)
    queue, seen, english = [start], {start}, {}
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code in (301, 302) and response.headers["Location"] not in seen:
            seen.add(response.headers["Location"])
            queue.append(response.headers["Location"])
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = response.get_data(as_text=True)
        words = set(LATIN_WORD.findall(shown_text(page))) - LATIN_ALLOWED
        if words:
            english[url] = sorted(words)
        for link in HREF.findall(page):
            target = urljoin(url, html.unescape(link))
            parts = urlsplit(target)
            if parts.netloc or NOT_PAGES.search(parts.path + "?" + parts.query):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert len(seen) > 5 and len(seen) < LIMIT, len(seen)
    assert english == {}, "\n".join(f"{url}: {words}" for url, words in english.items())
