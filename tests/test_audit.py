"""The audit log (等保2.0): append-only in the database itself, kept at least 180 days, leaving
the database only into an archive (tests/test_retention.py), and never holding a whole 身份证号."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditAction, AuditLog, Role, utcnow
from tests import factories
from tests.helpers import login_url, post, shown_text, signed_in
from zcps import audit
from zcps.extensions import db

ID_NUMBER = factories.make_id_number(7)


def entry(**fields) -> AuditLog:
    record = AuditLog(action=AuditAction.SIGN_IN, target="unit:1", detail={}, **fields)
    db.session.add(record)
    db.session.commit()
    return record


def test_an_id_number_is_masked_wherever_it_is_written(app):
    written = audit.record(AuditAction.SIGN_IN_FAILED, target=f"applicant:{ID_NUMBER}",
                           typed=ID_NUMBER, others=[f"账号{ID_NUMBER}", 3], uscc="91330106MA2B3C4D5D")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditLog, written.id)
    masked = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert stored.target == f"applicant:{masked}"
    assert stored.detail == {"typed": masked, "others": [f"账号{masked}", 3],
                             "uscc": "91330106MA2B3C4D5D"}  # a unit's code is public
    assert ID_NUMBER not in repr(stored.detail) + stored.target


def test_a_failed_sign_in_with_an_id_number_shows_it_masked_to_the_admin(client):
    root = factories.audit_admin()
    person = factories.applicant(factories.unit(), with_account=True)
    db.session.commit()
    post(client, login_url(Role.APPLICANT), {"username": person.id_number, "password": "x"},
         token_from=login_url(Role.APPLICANT))
    signed_in(client, root)
    page = shown_text(client.get("/admin/admin_audit/").get_data(as_text=True))
    assert "登录失败" in page
    assert person.id_number not in page
    assert person.id_number[:4] + "*" * 10 + person.id_number[-4:] in page


def test_the_database_refuses_to_change_an_entry(app):
    record = entry()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(AuditLog).where(AuditLog.id == record.id)
                           .values(target="unit:2"))
    db.session.rollback()
    assert db.session.get(AuditLog, record.id, populate_existing=True).target == "unit:1"


def test_the_database_refuses_to_delete_an_entry_younger_than_180_days(app):
    record = entry(created_at=utcnow() - timedelta(days=179))
    with pytest.raises(sa.exc.DatabaseError, match="180 days"):
        db.session.execute(sa.delete(AuditLog).where(AuditLog.id == record.id))
    db.session.rollback()
    assert db.session.get(AuditLog, record.id) is not None


def test_an_old_entry_leaves_only_through_an_archive(app, runner):
    old = entry(created_at=utcnow() - timedelta(days=400)).id
    kept = entry(created_at=utcnow() - timedelta(days=170)).id
    with pytest.raises(sa.exc.DatabaseError, match="only once archived"):
        db.session.execute(sa.delete(AuditLog).where(AuditLog.id == old))
    db.session.rollback()

    before = (utcnow() - timedelta(days=300)).date().isoformat()
    result = runner.invoke(args=["zcps", "archive-audit", "--before", before])
    assert result.exit_code == 0, result.output
    assert "已归档 1 条审计日志" in result.output
    db.session.rollback()
    assert db.session.scalars(sa.select(AuditLog.id).filter_by(
        action=AuditAction.SIGN_IN)).all() == [kept]


def test_every_export_is_in_the_audit_log(client):
    unit = factories.unit("甲单位")
    officer = factories.employer(unit)
    db.session.commit()
    signed_in(client, officer)
    response = client.get("/unit/unit_archive/export.xlsx?tab=all")
    assert response.status_code == 200
    exported = db.session.scalars(sa.select(AuditLog).filter_by(action=AuditAction.EXPORT)).all()
    assert len(exported) == 1
    assert exported[0].actor_id == officer.id and exported[0].ip_address
    assert exported[0].target.startswith("export:") and exported[0].target.endswith(".xlsx")
    assert audit.target_label(exported[0].target).startswith("导出文件 ")
