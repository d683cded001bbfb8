"""What the tests that walk the whole URL map share: the app's URL rules, and the demo world with
one of its people signed in.

``test_isolation.py``, ``test_bad_input.py``, ``test_csrf.py`` and ``test_chinese_pages.py`` walk
every URL rule of the app (or of an area), so a new page is covered the day it arrives. Each test
still starts from an empty database: ``demo_client`` loads the demo data into it.
"""
from models import Account
from tests.helpers import sign_in
from zcps.demo import DEMO_PASSWORD, load_demo
from zcps.extensions import db

# One demo account of each area, and a signed-out visitor (None): platform admin, a unit's legal
# person (authorized, applicants in every state), an applicant, an acceptance point.
DEMO_ROLES = [None, "admin", "91330106MA2B3C4D5D", "330106199003071236", "accept1"]


def role_id(username) -> str:
    """The test id of a parametrized demo role."""
    return username or "signed-out"


def url_rules(app, prefix: str = "", method: str | None = None) -> list:
    """The app's URL rules under ``prefix`` (taking ``method``, if given), sorted by their path;
    static files are left out."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith(prefix)
                   and rule.endpoint != "static" and not rule.endpoint.endswith(".static")
                   and (method is None or method in rule.methods)),
                  key=lambda rule: rule.rule)


def demo_client(app, username):
    """The demo data in the test's database, and a client of ``app`` signed in as the demo
    account ``username`` (signed out for None). Returns the client and where the sign-in led
    (``"/"`` when signed out)."""
    assert load_demo()
    client = app.test_client()
    if username is None:
        return client, "/"
    account = db.session.scalar(db.select(Account).filter_by(username=username))
    response = sign_in(client, account, password=DEMO_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client, response.headers["Location"]
