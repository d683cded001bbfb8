"""Budget: a list page runs a fixed number of SQL queries, whatever the number of rows."""
import pytest
from sqlalchemy import event

from models import ApplicationStatus
from tests import factories
from tests.helpers import signed_in
from zcps.extensions import db


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def fill(unit, point, people):
    for _ in range(people):
        person = factories.applicant(unit)
        factories.archive_item(person)
        factories.application(person, ApplicationStatus.PENDING)
        factories.application(person, ApplicationStatus.RECOMMENDED, acceptance_point=point)
    db.session.commit()


@pytest.mark.parametrize("who,url", [
    ("employer", "/unit/unit_archive/"),
    ("employer", "/unit/archive-review/?tab=all"),
    ("employer", "/unit/unit_application/"),
    ("employer", "/unit/unit_applicant/"),
    ("admin", "/admin/admin_unit/"),
    ("admin", "/admin/admin_authorization/"),
    ("acceptance", "/acceptance/inbox/"),
])
def test_list_pages_do_not_query_per_row(app, client, who, url):
    unit = factories.unit()
    point = factories.acceptance_point()
    accounts = {"employer": factories.employer(unit), "admin": factories.admin(),
                "acceptance": factories.acceptance_account(point)}
    db.session.commit()
    signed_in(client, accounts[who])
    fill(unit, point, 2)
    client.get(url)  # warm-up
    with QueryCounter(db.engine) as few:
        assert client.get(url).status_code == 200
    fill(unit, point, 15)
    with QueryCounter(db.engine) as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count
