"""The list search (views/base.py, ``search_clause``): codes match whole or by their beginning,
text by the words it contains; on every database, without leaking what the list masks."""
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from models import Account, Applicant, AuditAction, AuditLog, Notification, Unit
from tests import factories
from tests.helpers import StatementLog, shown_text, signed_in
from views.base import search_clause
from zcps.extensions import db
from zcps.identifiers import mask_id_number


def rows(page: str) -> int:
    """How many rows the search found, as the toolbar says."""
    found = re.search(r"搜索结果：(\d+)条", page)
    assert found, "no search count on the page"
    return int(found.group(1))


@pytest.fixture
def unit_people(app, client):
    unit = factories.unit()
    people = [factories.applicant(unit, name=name) for name in ("欧阳明华", "李明", "王小红")]
    other = factories.applicant(factories.unit(), name="张明远")
    db.session.commit()
    signed_in(client, factories.employer(unit))
    return people, other


def search(client, url, term):
    path, _, query = url.partition("?")
    response = client.get(path, query_string=f"{query}&{urlencode({'search': term})}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_whole_id_number_finds_the_person_and_the_list_still_masks_it(client, unit_people):
    people, other = unit_people
    person = people[1]
    page = search(client, "/unit/unit_applicant/", person.id_number)
    assert rows(page) == 1
    assert person.name in page and "欧阳明华" not in page
    # The number is only in the search box the officer typed it into, never in a row.
    assert person.id_number not in shown_text(page)
    assert mask_id_number(person.id_number) in page
    # Typed with a small x, it is still found.
    if person.id_number.endswith("X"):
        assert rows(search(client, "/unit/unit_applicant/", person.id_number.lower())) == 1
    # Another unit's person is not found by their number.
    assert rows(search(client, "/unit/unit_applicant/", other.id_number)) == 0


def test_the_beginning_of_an_id_number_finds_and_its_middle_or_mask_does_not(client, unit_people):
    people, _other = unit_people
    person = people[0]
    page = search(client, "/unit/unit_applicant/", person.id_number[:14])
    assert person.name in page
    assert person.id_number not in page
    # A code is matched from its beginning: digits from its middle or the masked form shown in
    # the list find nobody (the mask reveals nothing more through the search box).
    assert rows(search(client, "/unit/unit_applicant/", person.id_number[6:14])) == 0
    assert rows(search(client, "/unit/unit_applicant/", mask_id_number(person.id_number))) == 0


def test_a_name_is_found_by_any_word_within_it(client, unit_people):
    page = search(client, "/unit/unit_applicant/", "明")
    assert rows(page) == 2 and "欧阳明华" in page and "李明" in page
    assert "张明远" not in page  # another unit's
    assert rows(search(client, "/unit/unit_applicant/", "阳明")) == 1
    # Words narrow the rows: each must match.
    assert rows(search(client, "/unit/unit_applicant/", "明 欧阳")) == 1
    assert rows(search(client, "/unit/unit_applicant/", "明 王")) == 0


@pytest.mark.parametrize("term", ["%", "_", "!", "%明", "明_", "'", "\\"])
def test_wildcards_in_a_search_are_plain_characters(client, unit_people, term):
    assert rows(search(client, "/unit/unit_applicant/", term)) == 0


def test_a_search_through_a_join_finds_applications_by_name_and_id_number(app, client):
    unit = factories.unit()
    person = factories.applicant(unit, name="赵一鸣")
    factories.application(person)
    factories.application(factories.applicant(unit, name="钱二"))
    db.session.commit()
    signed_in(client, factories.employer(unit))
    url = "/unit/unit_application/?tab=all"
    assert rows(search(client, url, "一鸣")) == 1
    assert rows(search(client, url, person.id_number)) == 1
    assert rows(search(client, url, person.id_number[:17])) == 1
    assert rows(search(client, url, person.id_number[:10])) == 2  # both begin so
    assert rows(search(client, url, "赵一鸣 " + person.id_number)) == 1
    assert rows(search(client, url, "钱二 " + person.id_number)) == 0
    # The applicant's columns are searched in the applicant table, whose ids pick the
    # applications: no join of every applicant to the list and its count.
    with StatementLog(db.engine) as log:
        search(client, url, "一鸣")
    searched = [s for s in log.statements if "like" in s]
    assert len(searched) == 2
    assert all("application.applicant_id in (select applicant.id" in " ".join(s.split())
               for s in searched)
    assert not any("applicant_1.name" in s and "like" in s.split("applicant_1.name", 1)[1][:30]
                   for s in searched)
    assert "join" not in next(s for s in searched if "count(" in s)


def test_the_admin_finds_units_by_uscc_and_name_and_accounts_by_id_number(admin_client):
    unit = factories.unit(name="杭州市第一人民医院")
    factories.unit(name="宁波市第二医院")
    person = factories.applicant(unit, name="孙三", with_account=True)
    db.session.commit()
    assert rows(search(admin_client, "/admin/admin_unit/", unit.uscc)) == 1
    assert rows(search(admin_client, "/admin/admin_unit/", unit.uscc.lower())) == 1
    assert rows(search(admin_client, "/admin/admin_unit/", unit.uscc[:12])) >= 1
    assert rows(search(admin_client, "/admin/admin_unit/", "医院")) == 2
    assert rows(search(admin_client, "/admin/admin_unit/", "人民医院")) == 1
    page = search(admin_client, "/admin/admin_applicant_account/", person.id_number)
    assert rows(page) == 1 and "孙三" in page
    assert person.id_number not in shown_text(page)


def test_the_outbox_and_the_audit_log_are_searched_by_code_and_by_word(admin_client,
                                                                       audit_client):
    db.session.add_all([
        Notification(mobile="13912345678", template="t", text="您的申报已通过单位审核。"),
        Notification(mobile="13800001111", template="t", text="请补充业绩材料。"),
        AuditLog(action=AuditAction.SIGN_IN_FAILED, target="employer:91330106", ip_address="10.1.2.3"),
        AuditLog(action=AuditAction.SIGN_IN_FAILED, target="applicant:7", ip_address="192.168.0.9"),
    ])
    db.session.commit()
    outbox = "/admin/admin_notification/?tab=all"
    assert rows(search(admin_client, outbox, "13912345678")) == 1
    assert rows(search(admin_client, outbox, "1391")) == 1
    assert rows(search(admin_client, outbox, "139")) == 1
    assert rows(search(admin_client, outbox, "12345678")) == 0  # not a beginning
    assert rows(search(admin_client, outbox, "业绩")) == 1
    audit = "/admin/admin_audit/"  # the 审计管理员's
    assert rows(search(audit_client, audit, "10.1.")) == 1
    assert rows(search(audit_client, audit, "192.168.0.9")) == 1
    assert rows(search(audit_client, audit, "employer")) == 1


def test_a_code_is_compared_whole_or_by_its_beginning_and_never_cast(app):
    def sql(column, term):
        clause = search_clause(column, term)
        return None if clause is None else str(clause.compile(
            dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})).replace("%%", "%")

    whole = sql(Applicant.id_number, "33010619900307123X")
    assert "LIKE" not in whole.upper() and "'33010619900307123X'" in whole
    assert "'330106%'" in sql(Applicant.id_number, "330106")
    assert "%330106" not in sql(Applicant.id_number, "330106")
    assert sql(Applicant.id_number, "李明") is None  # a code has no Chinese in it
    assert sql(Applicant.id_number, "3" * 19) is None  # longer than any
    name = sql(Applicant.name, "明")
    assert "CAST" not in name.upper() and "'%明%'" in name
    assert "'%李明%'" in sql(Unit.name, "李明")
    assert "'13912%'" in sql(Notification.mobile, "13912")
    assert "role" not in sql(Account.username, "abc")


def test_a_search_is_two_statements_and_neither_casts_a_column(client, unit_people):
    with StatementLog(db.engine) as log:
        search(client, "/unit/unit_applicant/", "明")
    searched = [s for s in log.statements if "like" in s]
    assert len(searched) == 2  # the page and its count
    assert not any("cast(" in s for s in searched)


def test_postgresql_serves_name_and_code_searches_from_indexes(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm and varchar_pattern_ops indexes exist on PostgreSQL only")
    checks = [
        (sa.select(Applicant.id).where(search_clause(Applicant.name, "明华")),
         "ix_applicant_name_words"),
        (sa.select(Applicant.id).where(search_clause(Applicant.id_number, "33010619")),
         "ix_applicant_id_number_prefix"),
        (sa.select(Unit.id).where(search_clause(Unit.name, "人民医院")), "ix_unit_name_words"),
        (sa.select(Unit.id).where(search_clause(Unit.uscc, "9133")), "ix_unit_uscc_prefix"),
        (sa.select(Notification.id).where(search_clause(Notification.mobile, "1391")),
         "ix_notification_mobile"),
        (sa.select(Notification.id).where(search_clause(Notification.text, "业绩材料")),
         "ix_notification_text_words"),
        (sa.select(AuditLog.id).where(search_clause(AuditLog.target, "employer")),
         "ix_audit_log_target_words"),
        (sa.select(AuditLog.id).where(search_clause(AuditLog.ip_address, "10.1.")),
         "ix_audit_log_ip_address"),
    ]
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for query, index in checks:
            sql = str(query.compile(dialect=connection.dialect,
                                    compile_kwargs={"literal_binds": True})).replace("%%", "%")
            plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql.replace("%", "%%"))
                             .scalars())
            assert index in plan, plan


# --- lists that grow without end: the audit log and the SMS outbox -----------------------------

@pytest.fixture
def small_caps(monkeypatch):
    from views.platform import AuditLogView, NotificationView

    monkeypatch.setattr(AuditLogView, "count_cap", 5)
    monkeypatch.setattr(NotificationView, "count_cap", 5)


def test_the_audit_log_counts_up_to_its_cap_and_pages_only_through_it(audit_client, small_caps):
    db.session.add_all([AuditLog(action=AuditAction.SIGN_IN_FAILED, target=f"applicant:{n}",
                                 ip_address=f"10.0.0.{n}") for n in range(8)])
    db.session.commit()
    with StatementLog(db.engine) as log:
        page = audit_client.get("/admin/admin_audit/?page_size=20").get_data(as_text=True)
    assert "共5+条" in page
    counts = [s for s in log.statements if "count(" in s]
    assert len(counts) == 1 and "limit" in counts[0]
    # A page past the counted rows shows the last counted one, not an endless OFFSET.
    page = audit_client.get("/admin/admin_audit/?page_size=20&page=400").get_data(as_text=True)
    assert "#7" in page
    # A page size the list does not offer pages by the default size (no negative OFFSET).
    for size in ("-1", "0", "7"):
        response = audit_client.get(f"/admin/admin_audit/?page_size={size}&page=3")
        assert response.status_code == 200, size
    # A search finding fewer rows than the cap says exactly how many.
    assert rows(search(audit_client, "/admin/admin_audit/", "10.0.0.3")) == 1
    assert "搜索结果：5+条" in search(audit_client, "/admin/admin_audit/", "10.0.")


def test_the_outbox_tabs_count_up_to_the_cap_in_one_statement(admin_client, small_caps):
    from models import NotificationStatus

    db.session.add_all([Notification(mobile="13900000000", template="t", text="已发送",
                                     status=NotificationStatus.SENT) for _ in range(7)]
                       + [Notification(mobile="13900000001", template="t", text="失败",
                                       status=NotificationStatus.FAILED) for _ in range(2)])
    db.session.commit()
    with StatementLog(db.engine) as log:
        page = admin_client.get("/admin/admin_notification/?tab=sent").get_data(as_text=True)
    assert "(5+)" in page  # 已发送 and 全部
    assert "(2)" in page and "(0)" in page  # 发送失败, 待发送
    counts = [s for s in log.statements if "count(" in s]
    assert len(counts) == 1 and "group by" not in counts[0]


def test_postgresql_knows_how_a_points_applications_spread_over_the_statuses(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with db.engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT stxname FROM pg_statistic_ext").scalars().all()
    assert "application_point_status" in names


# --- the inbox: searched by applicant or by unit, paged deep, sorted by 已等待 ------------------

@pytest.fixture
def inbox(app, client):
    """An acceptance point's inbox of 25 applications from two units (推荐时间 one minute apart,
    the oldest first), another point's 李明; the point signed in."""
    from datetime import timedelta

    from models import ApplicationStatus

    point, other_point = factories.acceptance_point(), factories.acceptance_point()
    hospital, institute = factories.unit("人民医院"), factories.unit("李明研究所")
    people = ([factories.applicant(hospital, name="李明")]
              + [factories.applicant(institute, name=f"王{n:02d}") for n in range(24)])
    found = factories.applications(people[:1], ApplicationStatus.RECOMMENDED,
                                   acceptance_point=point)
    found += factories.applications(people[1:], ApplicationStatus.RECOMMENDED,
                                    acceptance_point=point)
    elsewhere = factories.applications([factories.applicant(hospital, name="李明")],
                                       ApplicationStatus.RECOMMENDED, acceptance_point=other_point)
    start = found[0].recommended_at
    for n, application in enumerate(found):
        application.recommended_at = start + timedelta(minutes=n)
        application.status_since = start - timedelta(days=n % 7, minutes=n)
    db.session.commit()
    signed_in(client, factories.acceptance_account(point))
    return found, elsewhere


def listed_names(page: str) -> list[str]:
    return re.findall(r'review/\?id=\d+">([^<]+)</a>', page)


def test_the_inbox_finds_by_the_applicant_or_the_unit_through_a_union(client, inbox):
    found, _elsewhere = inbox
    with StatementLog(db.engine) as log:
        page = search(client, "/acceptance/inbox/?tab=all", "李明")
    # 李明 by name, the 24 of 李明研究所 by their unit; not the other point's 李明.
    assert rows(page) == 25
    searched = [s for s in log.statements if "like" in s]
    assert len(searched) == 2  # the page and its count
    # Each relationship's matches fetch the rows through its own key, merged by a UNION (an
    # OR of the two IN lists would test every application of the point against both).
    assert all("union" in s for s in searched)
    assert rows(search(client, "/acceptance/inbox/?tab=all", "王03")) == 1
    assert rows(search(client, "/acceptance/inbox/?tab=all", "人民医院")) == 1
    assert rows(search(client, "/acceptance/inbox/?tab=all", found[0].applicant.id_number)) == 1
    assert rows(search(client, "/acceptance/inbox/?tab=all", "李明 人民医院")) == 1


def test_a_deep_inbox_page_and_the_waiting_sort_show_the_rows_in_order(client, inbox):
    from views.acceptance import InboxView
    from views.columns import WAITED

    found, _elsewhere = inbox
    names = [application.applicant.name for application in found]
    assert listed_names(client.get("/acceptance/inbox/?tab=all").get_data(as_text=True)) \
        == names[:20]
    with StatementLog(db.engine) as log:
        page = client.get("/acceptance/inbox/?tab=all&page=1").get_data(as_text=True)
    assert listed_names(page) == names[20:]
    # The page's ids are picked first, then those rows are read.
    listed = [s for s in log.statements if "recommended_at" in s and "limit" in s]
    assert len(listed) == 1 and listed[0].count("limit") == 2
    # 已等待, longest first: the oldest status_since first, ties by id.
    longest = sorted(found, key=lambda a: (a.status_since, a.id))
    sort = InboxView.column_list.index(WAITED)
    page = client.get(f"/acceptance/inbox/?tab=all&sort={sort}&desc=1").get_data(as_text=True)
    assert listed_names(page) == [a.applicant.name for a in longest[:20]]
    page = client.get(f"/acceptance/inbox/?tab=all&sort={sort}&desc=1&page=1"
                      ).get_data(as_text=True)
    assert listed_names(page) == [a.applicant.name for a in longest[20:]]


def test_the_audit_log_finds_a_kind_and_what_by_its_beginning(audit_client):
    db.session.add_all([
        AuditLog(action=AuditAction.SIGN_IN_FAILED, target="employer:91330106MA1", ip_address="1"),
        AuditLog(action=AuditAction.SIGN_IN, target="applicant:7", ip_address="2"),
        AuditLog(action=AuditAction.SIGN_IN, target="applicant:77", ip_address="3"),
        AuditLog(action=AuditAction.SIGN_IN, target="unit:7", ip_address="4"),
    ])
    db.session.commit()
    audit = "/admin/admin_audit/"
    assert rows(search(audit_client, audit, "applicant:7")) == 2
    assert rows(search(audit_client, audit, "applicant:77")) == 1
    assert rows(search(audit_client, audit, "Applicant:77")) == 1
    assert rows(search(audit_client, audit, "employer:91330106ma")) == 1
    assert rows(search(audit_client, audit, "unit:7")) == 1
    # A word that names no kind is looked for within 对象, as before.
    assert rows(search(audit_client, audit, "cant:7")) == 2
    assert rows(search(audit_client, audit, "employer")) == 1


def test_the_audit_search_for_a_kind_and_what_compares_the_beginning(app):
    from views.platform import AuditLogView

    view = AuditLogView.__new__(AuditLogView)
    sql = str(view.search_clause(AuditLog.target, "applicant:7").compile(
        dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})).replace("%%", "%")
    assert "'applicant:7%'" in sql and "'%applicant" not in sql
    word = str(view.search_clause(AuditLog.target, "employer").compile(
        dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})).replace("%%", "%")
    assert "'%employer%'" in word


def test_recommendation_pages_are_picked_by_id_over_its_statuses(client):
    from models import ApplicationStatus

    unit = factories.unit()
    people = [factories.applicant(unit, name=f"赵{n:02d}") for n in range(24)]
    made = (factories.applications(people[:12], ApplicationStatus.PUBLICIZED)
            + factories.applications(people[12:], ApplicationStatus.PUBLICIZING))
    factories.application(factories.applicant(unit), ApplicationStatus.PENDING)  # not listed
    db.session.commit()
    signed_in(client, factories.employer(unit))
    names = [a.applicant.name for a in sorted(made, key=lambda a: a.id)]
    with StatementLog(db.engine) as log:
        first = client.get("/unit/recommendation/?tab=all").get_data(as_text=True)
    second = client.get("/unit/recommendation/?tab=all&page=1").get_data(as_text=True)
    found = re.compile(r'recommend/\?ids=\d+">([^<]+)</a>')
    assert found.findall(first) == names[:20] and found.findall(second) == names[20:]
    listed = [s for s in log.statements if "limit" in s and "count(" not in s]
    assert len(listed) == 1 and listed[0].count("limit") == 2
