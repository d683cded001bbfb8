"""Units (用人单位), their authorizations (委托证明), acceptance points (受理点) and stored files."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zcps.extensions import db

from .base import Scoped, TimestampMixin, enum_column, prefix_index, utcnow, word_index
from .enums import AuthorizationStatus, OrganisationKind, Role

# A unit's route passes at most this many reviewing levels before the acceptance point.
MAX_ROUTE_LEVELS = 2


class Unit(Scoped, TimestampMixin, db.Model):
    __tablename__ = "unit"
    __table_args__ = (word_index("ix_unit_name_words", "name"),
                      prefix_index("ix_unit_uscc_prefix", "uscc"))
    __scope__ = {"employer": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), nullable=False, unique=True)
    address: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    legal_representative: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    contact_mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False, default="")
    # The current state of the unit's authorization; each submission is an Authorization row.
    authorization_status: Mapped[AuthorizationStatus] = enum_column(
        AuthorizationStatus, nullable=False, default=AuthorizationStatus.NONE, index=True
    )
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    # Its 主管部门 (or 区县人社, 人事代理机构): the first reviewing level of its route; NULL
    # sends its recommendations straight to the acceptance point it picks.
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acceptance_point.id"),
                                                      index=True)

    accounts = relationship("Account", back_populates="unit")
    supervisor = relationship("AcceptancePoint")
    authorizations = relationship(
        "Authorization", back_populates="unit", order_by="Authorization.id.desc()"
    )
    applicants = relationship("Applicant", back_populates="unit")

    def __str__(self) -> str:
        return self.name

    @property
    def is_authorized(self) -> bool:
        return self.authorization_status == AuthorizationStatus.APPROVED

    @classmethod
    def scope_clause(cls, actor):
        # An applicant chooses the employing unit among the authorized, active units.
        if getattr(actor, "is_authenticated", False) and actor.role == Role.APPLICANT:
            return sa.and_(
                cls.authorization_status == AuthorizationStatus.APPROVED, cls.active.is_(True)
            )
        return super().scope_clause(actor)


# What a 单位信息变更 may change: the USCC never changes (another code is another unit).
CHANGEABLE = ("name", "address", "legal_representative", "contact_name", "contact_mobile")


class UnitChange(Scoped, TimestampMixin, db.Model):
    """单位信息变更: a unit's request to change its name, address, legal representative or
    contact, with a reason and a PDF proof, decided by the platform admin. Kept for good: the
    ``before`` of approved ones are the unit's earlier names (曾用名)."""

    __tablename__ = "unit_change"
    __scope__ = {"employer": "unit_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), nullable=False, index=True)
    # {field: value} of CHANGEABLE fields: what the unit asks for, and what it had then.
    after: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    before: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    status: Mapped[AuthorizationStatus] = enum_column(
        AuthorizationStatus, nullable=False, default=AuthorizationStatus.PENDING, index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    unit = relationship("Unit")
    file = relationship("StoredFile")

    __mapper_args__ = {"version_id_col": version}


class StoredFile(Scoped, db.Model):
    """An uploaded PDF, kept outside the web root under a random name."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(
        sa.String(100), nullable=False, default="application/pdf"
    )
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class Authorization(Scoped, TimestampMixin, db.Model):
    """One submission of the stamped 委托证明; every submission is kept."""

    __tablename__ = "unit_authorization"
    __scope__ = {"employer": "unit_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), nullable=False, index=True)
    officer_name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    officer_id_number: Mapped[str] = mapped_column(sa.String(18), nullable=False)
    officer_mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    status: Mapped[AuthorizationStatus] = enum_column(
        AuthorizationStatus, nullable=False, default=AuthorizationStatus.PENDING, index=True
    )
    # Indexed: the admin's 授权审核 list is ordered by it (bench/RESULTS.md).
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # 经办人变更: a new 委托证明 submitted while the unit is authorized; the unit stays
    # authorized whatever the decision (a rejection keeps the officer approved before).
    officer_change: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                                 nullable=False)
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    unit = relationship("Unit", back_populates="authorizations")
    file = relationship("StoredFile")
    decided_by = relationship("Account", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}


class AcceptancePoint(Scoped, TimestampMixin, db.Model):
    """An organisation that receives a unit's recommendations: the office that takes them in
    (受理点), or a reviewing level of a route (主管部门, 区县人社, 人事代理机构) that passes them on
    to its ``parent`` level, or, with none, to the acceptance point the unit picked."""

    __tablename__ = "acceptance_point"
    __scope__ = {"acceptance": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    region: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    address: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    kind: Mapped[OrganisationKind] = enum_column(
        OrganisationKind, nullable=False, default=OrganisationKind.ACCEPTANCE,
        server_default=OrganisationKind.ACCEPTANCE.value)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acceptance_point.id"),
                                                  index=True)

    accounts = relationship("Account", back_populates="acceptance_point")
    parent = relationship("AcceptancePoint", remote_side=[id])

    @property
    def reviews(self) -> bool:
        """A reviewing level of a route (通过/退回), not an acceptance point (受理/退回)."""
        return self.kind != OrganisationKind.ACCEPTANCE

    def levels(self) -> list["AcceptancePoint"]:
        """This level and the levels above it, in the order a recommendation passes them."""
        chain, seen = [], set()
        organisation = self
        while organisation is not None and organisation.id not in seen:
            seen.add(organisation.id)
            chain.append(organisation)
            organisation = organisation.parent
        return chain

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, actor):
        # A unit picks the acceptance point to recommend to among the active ones.
        if getattr(actor, "is_authenticated", False) and actor.role == Role.EMPLOYER:
            return sa.and_(cls.active.is_(True), cls.kind == OrganisationKind.ACCEPTANCE)
        return super().scope_clause(actor)
