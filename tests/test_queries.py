"""Budget: a list page runs a fixed number of SQL queries, whatever the number of rows."""
import pytest

from models import ApplicationStatus
from tests import factories
from tests.helpers import StatementLog, page_text, signed_in
from zcps.extensions import db


def fill(unit, point, people):
    """``people`` rows in the first tab of each list: an archive item and an application
    waiting for the unit, and a colleague's application recommended to ``point`` (one
    application in progress a year each). Returns a name of each list's first tab."""
    for _ in range(people):
        person = factories.applicant(unit)
        factories.archive_item(person)
        factories.application(person, ApplicationStatus.PENDING)
    colleagues = [factories.applicant(unit) for _ in range(people)]
    factories.applications(colleagues, ApplicationStatus.RECOMMENDED, acceptance_point=point)
    db.session.commit()
    return {"employer": person.name, "acceptance": colleagues[-1].name}


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
    with StatementLog(db.engine) as few:
        assert client.get(url).status_code == 200
    fill(unit, point, 15)
    client.get(url)  # warm-up: the new publicity batches made the next request look for ended ones
    with StatementLog(db.engine) as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


@pytest.mark.parametrize("who,url", [
    ("employer", "/unit/unit_archive/"),
    ("employer", "/unit/unit_application/"),
    ("acceptance", "/acceptance/inbox/"),
])
def test_a_tabbed_list_counts_its_rows_once_and_pages_by_that_count(app, client, who, url):
    unit = factories.unit()
    point = factories.acceptance_point()
    accounts = {"employer": factories.employer(unit),
                "acceptance": factories.acceptance_account(point)}
    db.session.commit()
    signed_in(client, accounts[who])
    names = fill(unit, point, 21)  # one row more than a page in the first tab of each list
    client.get(url)
    with StatementLog(db.engine) as log:
        page = client.get(url).get_data(as_text=True)
    counts = [statement for statement in log.statements if "count(" in statement]
    assert len(counts) == 1, counts  # the tabs' grouped count, which also sizes the pager
    assert "group by" in counts[0]
    assert "page=1" in page  # a second page of one row
    assert page.count('name="rowid"') == 20
    # A row-buttons column only where a row has a button (the inbox opens by the name).
    assert ('class="list-buttons-column"' in page) == (who == "employer")
    second = client.get(url + "?page=1").get_data(as_text=True)
    assert second.count('name="rowid"') == 1

    # A search counts what it found: the pager and the toolbar say so.
    with StatementLog(db.engine) as log:
        page = client.get(url + "?search=" + names[who]).get_data(as_text=True)
    assert len([s for s in log.statements if "count(" in s]) == 2
    assert "搜索结果：1条" in page


def test_the_recommendation_list_reads_who_holds_each_row_with_the_page(app, client):
    """Rows waiting at a reviewing level and rows a level returned: their holder and the
    returning level come with the list's own queries."""
    from models import OrganisationKind
    from zcps import workflow

    point = factories.acceptance_point()
    county = factories.reviewing_level(kind=OrganisationKind.COUNTY)
    department = factories.reviewing_level(parent=county)
    unit = factories.unit()
    unit.supervisor_id = department.id
    officer = factories.employer(unit)
    level = factories.acceptance_account(department)
    db.session.commit()
    signed_in(client, officer)

    def send(people):
        for _ in range(people):
            person = factories.applicant(unit)
            for returned in (False, True):
                application = factories.application(person, ApplicationStatus.PUBLICIZED) \
                    if not returned else factories.application(
                        factories.applicant(unit), ApplicationStatus.PUBLICIZED)
                db.session.commit()
                workflow.recommend_application(officer, application, point, "同意推荐。")
                if returned:
                    workflow.return_from_level(level, application, "缺少考核表。")
                db.session.commit()

    url = "/unit/recommendation/?tab=all"
    send(1)
    client.get(url)
    with StatementLog(db.engine) as few:
        page = client.get(url).get_data(as_text=True)
    assert "（主管部门）" in page
    send(6)
    client.get(url)
    with StatementLog(db.engine) as many:
        page = client.get(url).get_data(as_text=True)
    assert page_text(page).count("（主管部门）：缺少考核表。") == 7
    assert many.count == few.count
