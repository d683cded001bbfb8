"""Make any record in one line: a unit, its officer, an applicant, an application in any state."""
import itertools
from datetime import date

from stdnum.cn import ric, uscc

from models import (
    AcceptancePoint,
    Account,
    Applicant,
    Application,
    ApplicationStatus,
    ArchiveCategory,
    ArchiveItem,
    Authorization,
    AuthorizationStatus,
    ReviewMethod,
    ReviewStatus,
    Role,
    TitleLevel,
    TitleQualification,
    TitleSeries,
    Unit,
    utcnow,
)
from zcps.extensions import db
from zcps.identifiers import id_birth_date, id_sex
from zcps.storage import store_bytes

PASSWORD = "Secret-2026"
_sequence = itertools.count(1)


def next_number() -> int:
    return next(_sequence)


def make_uscc(n: int) -> str:
    body = f"91330106MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_id_number(n: int, birth: str = "19900307") -> str:
    body = f"330106{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function reads the first 17 of 18


def account(role: Role, username: str, password: str = PASSWORD, **owner) -> Account:
    record = Account(role=role, username=username, display_name=owner.pop("display_name", username),
                     **owner)
    record.set_password(password)
    db.session.add(record)
    db.session.flush()
    return record


def admin(username: str = "root") -> Account:
    return account(Role.PLATFORM_ADMIN, username)


def unit(name: str | None = None, authorized: bool = True, **fields) -> Unit:
    n = next_number()
    record = Unit(
        name=name or f"测试单位{n}", uscc=fields.pop("uscc", make_uscc(n)),
        address="杭州市", legal_representative="法人", contact_name="联系人",
        contact_mobile="13800000000",
        authorization_status=AuthorizationStatus.APPROVED if authorized
        else AuthorizationStatus.NONE,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


def employer(unit_record: Unit) -> Account:
    return account(Role.EMPLOYER, unit_record.uscc, unit_id=unit_record.id,
                   display_name=unit_record.name)


def applicant(unit_record: Unit | None, name: str | None = None, with_account: bool = False,
              **fields) -> Applicant:
    n = next_number()
    number = fields.pop("id_number", make_id_number(n))
    record = Applicant(
        name=name or f"申报人{n}", id_number=number, sex=id_sex(number),
        birth_date=id_birth_date(number), mobile=f"139{n:08d}"[:11], unit=unit_record,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    if with_account:
        account(Role.APPLICANT, number, applicant_id=record.id, display_name=record.name)
    return record


def acceptance_point(name: str | None = None) -> AcceptancePoint:
    record = AcceptancePoint(name=name or f"受理点{next_number()}")
    db.session.add(record)
    db.session.flush()
    return record


def acceptance_account(point: AcceptancePoint, username: str | None = None) -> Account:
    return account(Role.ACCEPTANCE, username or f"accept{point.id}",
                   acceptance_point_id=point.id)


def archive_item(person: Applicant, status: ReviewStatus = ReviewStatus.PENDING,
                 category: ArchiveCategory = ArchiveCategory.EDUCATION, title: str = "某大学 本科",
                 **fields) -> ArchiveItem:
    record = ArchiveItem(
        applicant=person, unit_id=person.unit_id if status != ReviewStatus.DRAFT else None,
        category=category, status=status, title=title, **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


def qualification() -> TitleQualification:
    series = db.session.scalar(db.select(TitleSeries).filter_by(name="工程"))
    if series is None:
        series = TitleSeries(name="工程", sort_order=10)
        db.session.add(series)
        db.session.flush()
    record = db.session.scalar(db.select(TitleQualification).filter_by(series_id=series.id))
    if record is None:
        record = TitleQualification(series=series, level=TitleLevel.SUB_SENIOR, name="高级工程师")
        db.session.add(record)
        db.session.flush()
    return record


def application(person: Applicant, status: ApplicationStatus = ApplicationStatus.PENDING,
                **fields) -> Application:
    title = qualification()
    record = Application(
        applicant=person, unit_id=person.unit_id, year=date.today().year,
        series_id=title.series_id, level=title.level, qualification=title,
        review_method=ReviewMethod.REVIEW, status=status, **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


def pdf_bytes(pages: int = 1) -> bytes:
    """A small valid PDF."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def authorization(unit_record: Unit, status: AuthorizationStatus = AuthorizationStatus.PENDING,
                  officer_name: str = "经办人") -> Authorization:

    stored = store_bytes(pdf_bytes(), "委托证明.pdf")
    record = Authorization(unit_id=unit_record.id, officer_name=officer_name,
                           officer_id_number=make_id_number(next_number()),
                           officer_mobile="13900000001", file=stored, status=status,
                           submitted_at=utcnow())
    unit_record.authorization_status = status
    db.session.add(record)
    db.session.flush()
    return record
