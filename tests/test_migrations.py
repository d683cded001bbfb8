"""Migrations are code: upgrading an empty database gives exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import app_config
from tests.databases import create_server_database, drop_server_database, server_url
from zcps import create_app
from zcps.database import schema_filter
from zcps.extensions import db


def test_flask_db_upgrade_on_an_empty_database_matches_the_models(tmp_path):
    base = server_url()
    uri = f"sqlite:///{tmp_path / 'empty.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={
                    "compare_type": True, "include_object": schema_filter(connection.dialect.name)})
                differences = compare_metadata(context, db.metadata)
                tables = set(db.inspect(connection).get_table_names())
            db.engine.dispose()
        assert differences == []
        assert set(db.metadata.tables) <= tables
    finally:
        if base is not None:
            drop_server_database(uri, base)


def test_every_migration_goes_down_to_base_and_up_again(tmp_path):
    base = server_url()
    uri = f"sqlite:///{tmp_path / 'updown.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_updown")
    try:
        app = create_app(app_config(tmp_path, uri))
        runner = app.test_cli_runner()
        for step in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
            result = runner.invoke(args=step)
            assert result.exit_code == 0, (step, result.output, result.exception)
        with app.app_context():
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={
                    "compare_type": True, "include_object": schema_filter(connection.dialect.name)})
                assert compare_metadata(context, db.metadata) == []
            db.engine.dispose()
    finally:
        if base is not None:
            drop_server_database(uri, base)


def test_applications_before_plans_are_put_under_a_plan_per_year(tmp_path):
    """0003 gives every existing application a plan of its year (all series, the active
    acceptance points, deadlines late enough to refuse nothing in progress) and a status_since
    from the step that reached its state."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    base = server_url()
    uri = f"sqlite:///{tmp_path / 'old.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context():
            upgrade(revision="0002")
            stamp = "2025-09-01 08:00:00"
            rows = [
                "INSERT INTO unit (id, name, uscc, address, legal_representative, contact_name,"
                " contact_mobile, authorization_status, active, created_at, updated_at) VALUES"
                f" (1, '甲单位', '91330106MA2B3C4D5D', '', '', '', '', 'approved', TRUE,"
                f" '{stamp}', '{stamp}')",
                "INSERT INTO applicant (id, name, id_number, sex, birth_date, mobile,"
                " highest_education, current_title, profile_status, profile_remark, version,"
                " created_at, updated_at) VALUES (1, '张三', '330106199003071236', 'male',"
                f" '1990-03-07', '', '', '', 'approved', '', 1, '{stamp}', '{stamp}')",
                "INSERT INTO title_series (id, name, sort_order, active) VALUES"
                " (1, '工程', 1, TRUE), (2, '卫生', 2, TRUE)",
                "INSERT INTO title_qualification (id, series_id, level, name, sort_order, active)"
                " VALUES (1, 1, 'sub_senior', '高级工程师', 1, TRUE)",
                "INSERT INTO acceptance_point (id, name, region, address, contact_phone, active,"
                f" created_at, updated_at) VALUES (1, '受理点', '', '', '', TRUE, '{stamp}',"
                f" '{stamp}'), (2, '停用的受理点', '', '', '', FALSE, '{stamp}', '{stamp}')",
            ]
            for number, (year, status, submitted) in enumerate(
                    [(2025, "pending", "2025-09-02 01:00:00"), (2025, "draft", None),
                     (2024, "accepted", "2024-09-02 01:00:00")], start=1):
                rows.append(
                    "INSERT INTO application (id, applicant_id, unit_id, year, series_id,"
                    " specialty, level, qualification_id, review_method, current_title, status,"
                    " round, profile_snapshot, opinion, recommendation_opinion,"
                    " acceptance_opinion, version, created_at, updated_at, submitted_at,"
                    f" acceptance_decided_at) VALUES ({number}, 1, 1, {year}, 1, '', 'sub_senior',"
                    f" 1, 'review', '', '{status}', 1, '{{}}', '', '', '', 1, '{stamp}',"
                    f" '{stamp}', {repr(submitted) if submitted else 'NULL'},"
                    f" {repr(submitted) if status == 'accepted' else 'NULL'})")
            with db.engine.begin() as connection:
                for statement in rows:
                    connection.execute(sa.text(statement))
            upgrade()
            with db.engine.connect() as connection:
                plans = connection.execute(sa.text(
                    "SELECT id, year, name, apply_start, personal_deadline, unit_deadline,"
                    " acceptance_deadline FROM review_plan ORDER BY year")).all()
                assert [(row.year, row.name) for row in plans] == [
                    (2024, "2024年度职称评审"), (2025, "2025年度职称评审")]
                plan_2025 = plans[1]
                # 18:00 Beijing is 10:00 UTC.
                assert str(plan_2025.personal_deadline)[:16] == "2025-12-31 10:00"
                assert str(plan_2025.unit_deadline)[:16] == "2026-03-31 10:00"
                assert str(plan_2025.acceptance_deadline)[:16] == "2026-06-30 10:00"
                assert str(plan_2025.apply_start)[:16] == "2024-12-31 16:00"
                applications = connection.execute(sa.text(
                    "SELECT id, plan_id, status_since FROM application ORDER BY id")).all()
                assert [row.plan_id for row in applications] == [
                    plan_2025.id, plan_2025.id, plans[0].id]
                assert [str(row.status_since)[:19] for row in applications] == [
                    "2025-09-02 01:00:00", stamp, "2024-09-02 01:00:00"]
                covered = connection.execute(sa.text(
                    "SELECT series_id, level FROM plan_series WHERE plan_id = :plan"
                    " ORDER BY series_id"), {"plan": plan_2025.id}).all()
                assert [tuple(row) for row in covered] == [(1, None), (2, None)]
                points = connection.execute(sa.text(
                    "SELECT acceptance_point_id FROM plan_acceptance_point WHERE plan_id = :plan"),
                    {"plan": plan_2025.id}).scalars().all()
                assert points == [1]
            db.engine.dispose()
    finally:
        if base is not None:
            drop_server_database(uri, base)


def test_the_archive_review_summary_is_filled_from_the_items_as_they_are(tmp_path):
    """0028 fills 业绩档案审核's rows from the items and people already there: the same rows
    the workflow would have kept."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from models import ArchiveReviewSummary, ReviewStatus
    from tests import factories
    from zcps import archive_summary, workflow

    base = server_url()
    uri = f"sqlite:///{tmp_path / 'summary.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context(), app.test_request_context():
            upgrade()
            a, b = factories.unit("甲单位"), factories.unit("乙单位")
            waiting = factories.applicant(a, "张三")
            for status in ReviewStatus:
                factories.archive_item(waiting, status)
            workflow.submit_profile(factories.applicant_account(waiting))
            moved = factories.applicant(a, "李四", profile_status=ReviewStatus.APPROVED)
            factories.archive_item(moved, ReviewStatus.APPROVED)
            workflow.choose_unit(factories.applicant_account(moved), b)
            factories.archive_item(moved, ReviewStatus.PENDING)
            db.session.commit()
            ids = {"a": a.id, "b": b.id, "waiting": waiting.id, "moved": moved.id}
            kept = {(row.unit_id, row.applicant_id): row for row in db.session.execute(
                sa.select(ArchiveReviewSummary.__table__)).all()}
            assert len(kept) == 3
            db.session.remove()
            downgrade(revision="0026")
            upgrade()
            assert archive_summary.differences(db.session) == []
            filled = {(row.unit_id, row.applicant_id): row for row in db.session.execute(
                sa.select(ArchiveReviewSummary.__table__)).all()}
            assert filled == kept
            assert filled[(ids["a"], ids["waiting"])].profile_pending
            assert not filled[(ids["a"], ids["moved"])].profile_pending
            assert filled[(ids["b"], ids["moved"])].profile_pending
            db.session.remove()
            db.engine.dispose()
    finally:
        if base is not None:
            drop_server_database(uri, base)


def test_the_plan_history_summaries_are_filled_from_the_history_as_it_is(tmp_path):
    """0031 fills 统计分析's summaries of the history (each day's steps, the reasons, the
    returns) from the history already there: the same rows the workflow would have kept."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from models import ApplicationStatus, PlanHistoryDay, PlanHistoryReason, PlanUnitReturns
    from tests import factories
    from zcps import history_summary

    base = server_url()
    uri = f"sqlite:///{tmp_path / 'history.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context(), app.test_request_context():
            upgrade()
            unit = factories.unit("甲单位")
            for status, opinion in [(ApplicationStatus.RETURNED, "缺少学历证书。"),
                                    (ApplicationStatus.RETURNED, "缺少学历证书。"),
                                    (ApplicationStatus.REJECTED, "年限不足。"),
                                    (ApplicationStatus.ACCEPTANCE_RETURNED, None),
                                    (ApplicationStatus.PENDING, None)]:
                factories.application(factories.applicant(unit), status, opinion=opinion)
            db.session.commit()

            def rows():
                return [sorted(tuple(row) for row in db.session.execute(
                    sa.select(model.__table__)).all())
                    for model in (PlanHistoryDay, PlanHistoryReason, PlanUnitReturns)]
            kept = rows()
            assert all(kept)
            db.session.remove()
            downgrade(revision="0028")
            upgrade()
            assert history_summary.differences(db.session) == []
            assert rows() == kept
            db.session.remove()
            db.engine.dispose()
    finally:
        if base is not None:
            drop_server_database(uri, base)


def test_the_inbox_sorted_by_waiting_is_read_in_the_order_of_an_index(tmp_path):
    """On PostgreSQL and SQLite the inbox's 已等待 order (views/acceptance.py) is the order of
    ix_application_point_waited: the planner can read a page without sorting the point's
    applications. (Any change to INBOX_WAITED_ORDER that the index does not follow brings the
    sort back.) MariaDB has no index on an expression: there the rows are sorted."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from models import (
        AcceptancePoint,
        Account,
        Application,
        ApplicationStatus,
        OrganisationKind,
        Role,
    )
    from models.application import INBOX_WAITED_ORDER

    base = server_url()
    if base is not None and not base.startswith("postgresql"):
        import pytest
        pytest.skip("MariaDB has no index on an expression")
    uri = f"sqlite:///{tmp_path / 'plan.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_migrate")
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context():
            upgrade()
            waiting_last, since = INBOX_WAITED_ORDER
            shown = [ApplicationStatus.RECOMMENDED, ApplicationStatus.ACCEPTED,
                     ApplicationStatus.ACCEPTANCE_RETURNED]
            # The longest wait first, as the inbox asks for it.
            # The point's own scope (a reviewing level's reads the route's stops instead).
            point = AcceptancePoint(id=1, name="受理点", kind=OrganisationKind.ACCEPTANCE, active=True)
            reader = Account(role=Role.ACCEPTANCE, acceptance_point_id=1, acceptance_point=point,
                             active=True)
            page = (sa.select(Application.id)
                    .where(Application.scope_clause(reader), Application.status.in_(shown))
                    .order_by(waiting_last, since.asc(), Application.id.asc()).limit(20))
            with db.engine.begin() as connection:
                # The statement and parameters as the database receives them from a page.
                sent = []
                sa.event.listen(connection, "before_cursor_execute",
                                lambda *args: sent.append(args[2:4]))
                connection.execute(page)
                sql, parameters = sent[0]
                if base is None:
                    # The statistics ANALYZE keeps of a province's applications (200,000; the
                    # busiest point 18,000 in its three statuses): the planner weighs the
                    # indexes as it would there.
                    connection.execute(sa.text("ANALYZE"))
                    for index, stat in (("ix_application_point_waited", "200000 18000 9000 2 1 1 1"),
                                        ("ix_application_point_inbox", "200000 18000 2 2 1 1"),
                                        ("ix_application_point_status", "200000 18000 6000"),
                                        ("ix_application__acceptance_point_id", "200000 18000"),
                                        ("ix_application__status", "200000 20000")):
                        connection.execute(sa.text(
                            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
                            "('application', :index, :stat)"), {"index": index, "stat": stat})
                    connection.execute(sa.text("ANALYZE sqlite_schema"))  # reload them
                    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}",
                                                      parameters).all()
                else:
                    connection.execute(sa.text("SET enable_sort = off"))
                    connection.execute(sa.text("SET enable_seqscan = off"))
                    rows = connection.exec_driver_sql(f"EXPLAIN {sql}", parameters).all()
                plan = "\n".join(str(row[-1]) for row in rows)
            db.engine.dispose()
        assert "ix_application_point_waited" in plan, plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
    finally:
        if base is not None:
            drop_server_database(uri, base)
