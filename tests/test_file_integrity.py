"""A stored file is served only when its bytes are still those uploaded: every download URL
checks the size and SHA-256 kept with the row, and a file cut short, replaced or gone gives a
Chinese error page (409 / 410) and an audit entry, never the wrong bytes with a 200."""
from pathlib import Path

import pytest

from models import (
    ApplicationStatus,
    ArchiveCategory,
    AuditAction,
    AuditLog,
    AuthorizationStatus,
    ReviewStatus,
)
from tests import factories
from tests.crawl import url_rules
from tests.helpers import page_text, signed_in
from zcps import workflow
from zcps.extensions import db
from zcps.storage import path_of, store_bytes

# Every URL rule that serves a stored file, and who may open it.
FILE_RULES = {
    "/unit/authorization/file/<int:authorization_id>": "employer",
    "/admin/admin_authorization/file/<int:authorization_id>": "admin",
    "/unit/unit_archive/file/<int:file_id>": "employer",
    "/unit/unit_application/file/<int:application_id>/<int:file_id>": "employer",
    "/unit/recommendation/file/<int:application_id>/<int:file_id>": "employer",
    "/me/archive/file/<int:attachment_id>": "applicant",
    "/acceptance/inbox/file/<int:application_id>/<int:file_id>": "acceptance",
    "/unit/profile/file/<int:change_id>": "employer",
    "/admin/unit-changes/file/<int:change_id>": "admin",
}


# Every URL rule that merges stored files into one PDF (the whole application), and who may
# open it: one damaged file refuses the whole download.
BUNDLE_RULES = {
    "/unit/unit_application/bundle/<int:application_id>": "employer",
    "/unit/recommendation/bundle/<int:application_id>": "employer",
    "/acceptance/inbox/bundle/<int:application_id>": "acceptance",
}


def test_every_download_url_is_checked_here(app):
    served = {rule.rule for rule in url_rules(app) if "/file/" in rule.rule}
    assert served == set(FILE_RULES), "a new download URL needs its case in FILE_RULES"
    merged = {rule.rule for rule in url_rules(app) if "/bundle/" in rule.rule}
    assert merged == set(BUNDLE_RULES), "a new merged download needs its case in BUNDLE_RULES"


@pytest.fixture
def world(app):
    """A unit's 委托证明 and an applicant's attachment, in an application sent to a point."""
    unit = factories.unit("甲单位", authorized=False)
    authorization = factories.authorization(unit, AuthorizationStatus.APPROVED)
    person = factories.applicant(unit, "张三", with_account=True)
    item = factories.archive_item(person, ReviewStatus.PENDING, ArchiveCategory.EDUCATION,
                                  "某大学 本科")
    attachment = workflow.attach_file(person.account, item,
                                      store_bytes(factories.pdf_bytes(2), "毕业证.pdf"))
    workflow.review_item(factories.employer(unit), item, "approve")
    point = factories.acceptance_point("杭州市受理点")
    application = factories.application(person, ApplicationStatus.RECOMMENDED, items=[item],
                                        acceptance_point=point)
    accounts = {"employer": factories.employer(unit), "admin": factories.admin(),
                "applicant": person.account, "acceptance": factories.acceptance_account(point)}
    change = workflow.request_unit_change(accounts["employer"], {"name": "甲单位新名"}, "更名",
                                          store_bytes(factories.pdf_bytes(), "变更证明.pdf"))
    db.session.commit()
    file_id = attachment.file_id
    urls = {
        "/unit/authorization/file/<int:authorization_id>":
            f"/unit/authorization/file/{authorization.id}",
        "/admin/admin_authorization/file/<int:authorization_id>":
            f"/admin/admin_authorization/file/{authorization.id}",
        "/unit/unit_archive/file/<int:file_id>": f"/unit/unit_archive/file/{file_id}",
        "/unit/unit_application/file/<int:application_id>/<int:file_id>":
            f"/unit/unit_application/file/{application.id}/{file_id}",
        "/unit/recommendation/file/<int:application_id>/<int:file_id>":
            f"/unit/recommendation/file/{application.id}/{file_id}",
        "/me/archive/file/<int:attachment_id>": f"/me/archive/file/{attachment.id}",
        "/acceptance/inbox/file/<int:application_id>/<int:file_id>":
            f"/acceptance/inbox/file/{application.id}/{file_id}",
        "/unit/profile/file/<int:change_id>": f"/unit/profile/file/{change.id}",
        "/admin/unit-changes/file/<int:change_id>": f"/admin/unit-changes/file/{change.id}",
    }
    files = {rule: (authorization.file if "authorization" in rule
                    else change.file if "change_id" in rule else attachment.file)
             for rule in urls}
    for rule in BUNDLE_RULES:
        urls[rule] = rule.replace("<int:application_id>", str(application.id))
        files[rule] = attachment.file
    return urls, files, accounts


def integrity_entries():
    return db.session.scalars(db.select(AuditLog).filter_by(
        action=AuditAction.FILE_INTEGRITY).order_by(AuditLog.id)).all()


@pytest.mark.parametrize("rule", sorted(FILE_RULES))
def test_a_file_cut_replaced_or_gone_is_not_served(app, world, rule):
    urls, files, accounts = world
    stored = files[rule]
    path = Path(path_of(stored))
    original = path.read_bytes()
    client = signed_in(app.test_client(), accounts[FILE_RULES[rule]])

    served = client.get(urls[rule])
    assert served.status_code == 200 and served.get_data() == original

    path.write_bytes(original[: len(original) // 2])  # cut in half
    cut = client.get(urls[rule])
    assert cut.status_code == 409
    assert "文件已损坏" in page_text(cut) and "%PDF" not in cut.get_data(as_text=True)

    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0xFF  # same size, one byte different
    path.write_bytes(changed)
    replaced = client.get(urls[rule])
    assert replaced.status_code == 409 and "文件已损坏" in page_text(replaced)

    path.unlink()
    gone = client.get(urls[rule])
    assert gone.status_code == 410 and "文件已丢失" in page_text(gone)

    entries = integrity_entries()
    assert [entry.detail["problem"] for entry in entries] == ["damaged", "damaged", "missing"]
    assert {entry.target for entry in entries} == {f"file:{stored.id}"}
    assert {entry.actor_id for entry in entries} == {accounts[FILE_RULES[rule]].id}

    path.write_bytes(original)  # restored from a backup: served again
    assert client.get(urls[rule]).get_data() == original


def test_a_checked_file_still_answers_ranges_and_revalidation(app, world):
    urls, files, accounts = world
    rule = "/admin/admin_authorization/file/<int:authorization_id>"
    stored = files[rule]
    client = signed_in(app.test_client(), accounts["admin"])
    full = client.get(urls[rule])
    assert full.headers["ETag"] == f'"{stored.sha256}"'
    assert full.headers["Content-Length"] == str(stored.size)
    assert full.headers["Accept-Ranges"] == "bytes"
    part = client.get(urls[rule], headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.get_data() == full.get_data()[:8]
    again = client.get(urls[rule], headers={"If-None-Match": f'"{stored.sha256}"'})
    assert again.status_code == 304


def test_the_admins_framed_scan_shows_the_error_in_its_frame(app, world):
    urls, files, accounts = world
    rule = "/admin/admin_authorization/file/<int:authorization_id>"
    path_of(files[rule]).unlink()
    client = signed_in(app.test_client(), accounts["admin"])
    response = client.get(urls[rule])
    assert response.status_code == 410
    # The decision page frames this URL: the error page may be framed by this site too.
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("rule", sorted(BUNDLE_RULES))
def test_a_file_cut_or_gone_refuses_the_merged_pdf_it_is_in(app, world, rule):
    urls, files, accounts = world
    stored = files[rule]
    path = Path(path_of(stored))
    original = path.read_bytes()
    client = signed_in(app.test_client(), accounts[BUNDLE_RULES[rule]])

    served = client.get(urls[rule])
    assert served.status_code == 200 and served.mimetype == "application/pdf"

    path.write_bytes(original[: len(original) // 2])
    cut = client.get(urls[rule])
    assert cut.status_code == 409 and "%PDF" not in cut.get_data(as_text=True)
    assert "文件已损坏" in page_text(cut) and "“毕业证.pdf”与上传时的内容不一致" in page_text(cut)

    path.unlink()
    gone = client.get(urls[rule])
    assert gone.status_code == 410 and "“毕业证.pdf”在服务器上找不到" in page_text(gone)

    entries = integrity_entries()
    assert [entry.detail["problem"] for entry in entries] == ["damaged", "missing"]
    assert {entry.target for entry in entries} == {f"file:{stored.id}"}
