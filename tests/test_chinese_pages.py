"""No English word and no raw code on any page of the Chinese interface: every page each demo
role can reach by following links from its home page (lists with every tab, details, forms), and
the pages of a signed-out visitor."""
import re

from tests.crawl import demo_client, reachable_pages, walked_roles
from tests.helpers import shown_text

# Words the Chinese pages may show: the language switch, the names of formats, and the demo
# platform admins' user names (data, not interface).
LATIN_ALLOWED = {"English", "PDF", "MB", "Excel", "IP", "admin", "security", "auditor"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9])")


@walked_roles
def test_every_reachable_page_reads_in_chinese(app, username):
    client, start = demo_client(app, username)
    english = {}
    for url, page in reachable_pages(client, start).items():
        words = set(LATIN_WORD.findall(shown_text(page))) - LATIN_ALLOWED
        if words:
            english[url] = sorted(words)
    assert english == {}, "\n".join(f"{url}: {words}" for url, words in english.items())
