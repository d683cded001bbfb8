"""三员分立: the platform admin's work split between 系统管理员, 安全管理员 and 审计管理员, each
reaching only their own pages, buttons and steps; decisions in the audit log."""
import io

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from models import (
    Account,
    AdminKind,
    ApplicationStatus,
    AuditAction,
    AuditLog,
    ReviewStatus,
    Role,
)
from tests import factories
from tests.conftest import app_config
from tests.databases import create_server_database, drop_server_database, server_url
from tests.helpers import post, shown_text, signed_in
from zcps import create_app, workflow
from zcps.extensions import db
from zcps.workflow import WorkflowError

S, SEC, AUD = AdminKind.SYSTEM, AdminKind.SECURITY, AdminKind.AUDIT

# Every list of 平台管理 and the duties that open it. A new view must be added here, with the
# duty its work belongs to.
LISTS = {
    "admin_authorization": {S},
    "admin_unit": {S, SEC},
    "admin_unit_change": {S},
    "admin_acceptance_point": {S},
    "admin_acceptance_account": {S, SEC},
    "admin_applicant_account": {S, SEC},
    "admin_plan": {S},
    "admin_title_series": {S},
    "admin_title_specialty": {S},
    "admin_title_qualification": {S},
    "admin_notification": {S},
    "admin_audit": {AUD},
    "admin_audit_archive": {AUD},
    "admin_calendar": {S},
    "admin_statistics": {S},
}


def list_url(app, endpoint) -> str:
    view = next(view for view in app.extensions["zcps_admins"]["admin"]._views
                if view.endpoint == endpoint)
    return f"{view.url}/"


@pytest.fixture
def admins(app):
    made = {S: factories.admin(), SEC: factories.security_admin(), AUD: factories.audit_admin()}
    db.session.commit()
    return {kind: signed_in(app.test_client(), account) for kind, account in made.items()}


def test_the_table_names_every_list_of_the_admin_area(app):
    views = {view.endpoint: set(view.admin_kinds)
             for view in app.extensions["zcps_admins"]["admin"]._views
             if hasattr(view, "admin_kinds")}
    assert views == LISTS


@pytest.mark.parametrize("endpoint", sorted(LISTS))
def test_each_list_opens_for_its_duties_only(app, admins, endpoint):
    for kind, client in admins.items():
        response = client.get(list_url(app, endpoint))
        assert response.status_code == (200 if kind in LISTS[endpoint] else 403), (endpoint, kind)


def test_the_menu_and_home_show_each_admin_their_own_pages(app, admins):
    for kind, client in admins.items():
        page = client.get("/admin/").get_data(as_text=True)
        shown = shown_text(page)
        assert kind.zh in shown  # 系统管理员：… in the masthead and the home
        assert ("审计日志" in shown) == (kind == AUD), kind
        assert ("授权审核" in shown) == (kind == S), kind
        assert ("申报人账号" in shown) == (kind in (S, SEC)), kind
        for endpoint, kinds in LISTS.items():
            assert (f'href="{list_url(app, endpoint)}"' in page) == (kind in kinds), (kind, endpoint)


def test_only_the_system_admin_decides_authorizations(app):
    unit = factories.unit("待授权单位", authorized=False)
    authorization = factories.authorization(unit)
    db.session.commit()
    for kind in (SEC, AUD):
        admin = factories.admin(f"a-{kind.value}", kind)
        with pytest.raises(WorkflowError, match="系统管理员"):
            workflow.approve_authorization(admin, authorization, "同意")
        db.session.rollback()
    workflow.approve_authorization(factories.admin(), authorization, "同意")
    db.session.commit()
    assert authorization.unit.is_authorized


def test_only_the_security_admin_resets_a_password(admins, app):
    unit = factories.unit()
    officer = factories.employer(unit)
    db.session.commit()
    url = f"/admin/admin_unit/reset-password/?id={unit.id}"
    # The 系统管理员 sees the units without the button; the page refuses them and the auditor.
    assert "重置密码或解除锁定" not in admins[S].get("/admin/admin_unit/").get_data(as_text=True)
    assert "重置密码或解除锁定" in admins[SEC].get("/admin/admin_unit/").get_data(as_text=True)
    for kind in (S, AUD):
        assert admins[kind].get(url).status_code == 403
        assert post(admins[kind], url, {"id": str(unit.id)},
                    token_from="/admin/").status_code == 403
    db.session.expire_all()
    assert officer.check_password(factories.PASSWORD) and not officer.must_change_password
    assert post(admins[SEC], url, {"id": str(unit.id)}, token_from=url).status_code == 200
    db.session.expire_all()
    assert officer.must_change_password


def test_the_auditor_exports_the_log_masked_and_the_export_is_itself_logged(audit_client, app):
    person = factories.applicant(factories.unit(), with_account=True)
    db.session.commit()
    from zcps import audit

    audit.record(AuditAction.SIGN_IN_FAILED, target=f"applicant:{person.id_number}",
                 typed=person.id_number)
    db.session.commit()
    response = audit_client.get("/admin/admin_audit/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [str(cell.value or "") for row in sheet.iter_rows() for cell in row]
    assert {"时间", "操作人", "操作", "对象", "详情", "IP地址"} <= set(cells)
    assert "登录失败" in cells
    assert not any(person.id_number in cell for cell in cells)
    assert any(person.id_number[:4] + "*" * 10 in cell for cell in cells)
    db.session.expire_all()
    exported = db.session.scalars(sa.select(AuditLog).filter_by(action=AuditAction.EXPORT)).all()
    assert len(exported) == 1 and exported[0].actor.admin_kind == AUD


def test_nobody_but_the_auditor_reads_or_exports_the_log(admins):
    for kind in (S, SEC):
        assert admins[kind].get("/admin/admin_audit/").status_code == 403
        assert admins[kind].get("/admin/admin_audit/export.xlsx").status_code == 403
        assert admins[kind].get("/admin/admin_audit/details/?id=1").status_code == 403


def test_unit_and_acceptance_decisions_are_in_the_audit_log(app, client):
    unit = factories.unit("审计单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, profile_status=ReviewStatus.APPROVED)
    item = factories.archive_item(person)
    db.session.commit()
    workflow.review_item(officer, item, "return", "请补充证明")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DECISION).order_by(AuditLog.id.desc())).first()
    assert entry.actor_id == officer.id and entry.target == f"archive_item:{item.id}"
    assert entry.detail == {"step": "return", "before": "pending", "after": "returned"}

    point = factories.acceptance_point("审计受理点")
    application = factories.application(factories.applicant(unit), ApplicationStatus.RECOMMENDED,
                                        acceptance_point=point)
    receiver = factories.acceptance_account(point)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditLog.id)).filter_by(
        action=AuditAction.DECISION))
    workflow.accept_application(receiver, application, "材料齐全")
    db.session.commit()
    entries = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DECISION).order_by(AuditLog.id)).all()
    assert len(entries) == before + 1
    assert entries[-1].actor_id == receiver.id
    assert entries[-1].target == f"application:{application.id}"
    assert entries[-1].detail["after"] == "accepted"


def test_the_audit_log_names_decisions_and_who_took_them(audit_client, app):
    unit = factories.unit("审计单位")
    officer = factories.employer(unit)
    person = factories.applicant(unit, profile_status=ReviewStatus.APPROVED)
    item = factories.archive_item(person)
    db.session.commit()
    workflow.review_item(officer, item, "approve", "")
    db.session.commit()
    page = shown_text(audit_client.get("/admin/admin_audit/").get_data(as_text=True))
    assert "审核决定" in page and f"业绩档案 #{item.id}" in page
    assert f"用人单位 {officer.username}" in page
    entry = db.session.scalars(sa.select(AuditLog).filter_by(
        action=AuditAction.DECISION, target=f"archive_item:{item.id}")).one()
    details = shown_text(audit_client.get(f"/admin/admin_audit/details/?id={entry.id}")
                         .get_data(as_text=True))
    assert "审核通过：待审核 → 审核通过" in details


def test_an_applicants_own_steps_are_not_decisions(app):
    person = factories.applicant(factories.unit(), with_account=True,
                                 profile_status=ReviewStatus.APPROVED)
    factories.application(person, ApplicationStatus.PENDING)
    db.session.commit()
    actors = db.session.scalars(sa.select(AuditLog.actor_id).filter_by(
        action=AuditAction.DECISION)).all()
    assert person.account.id not in actors


@pytest.mark.parametrize("role, kind", [(Role.PLATFORM_ADMIN, None),
                                        (Role.EMPLOYER, AdminKind.SYSTEM)])
def test_the_database_holds_one_duty_per_admin_and_none_for_others(app, role, kind):
    owner = {"unit_id": factories.unit().id} if role == Role.EMPLOYER else {}
    db.session.commit()
    account = Account(role=role, username="x-duty", display_name="x", admin_kind=kind,
                      password_hash="x", **owner)
    db.session.add(account)
    with pytest.raises(DBAPIError):  # MariaDB reports a failed CHECK as an OperationalError
        db.session.flush()
    db.session.rollback()


def test_existing_platform_admins_become_system_admins(tmp_path):
    from flask_migrate import upgrade

    base = server_url()
    uri = f"sqlite:///{tmp_path / 'old.sqlite3'}" if base is None else create_server_database(
        base, prefix="zcps_duties")
    try:
        app = create_app(app_config(tmp_path, uri))
        with app.app_context():
            upgrade(revision="0012")
            stamp = "2026-09-01 08:00:00"
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO account (id, username, display_name, password_hash, role, active,"
                    " created_at, updated_at) VALUES (1, 'old', '平台管理员', 'x',"
                    f" 'platform_admin', TRUE, '{stamp}', '{stamp}')"))
            upgrade()
            with db.engine.connect() as connection:
                assert connection.execute(sa.text(
                    "SELECT admin_kind FROM account WHERE id = 1")).scalar() == "system"
            db.engine.dispose()
    finally:
        if base is not None:
            drop_server_database(uri, base)
