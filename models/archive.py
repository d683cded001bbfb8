"""Applicants (申报人), their basic information and their performance archive (业绩档案)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from zcps.extensions import db
from zcps.i18n import colon_text

from .base import Scoped, TimestampMixin, enum_column, prefix_index, word_index
from .enums import ArchiveCategory, ReviewStatus, Sex


class Applicant(Scoped, TimestampMixin, db.Model):
    """A professional applying for titles; the row is also the reviewable basic information."""

    __tablename__ = "applicant"
    # Searched by name (words within it) and 身份证号 (whole or its beginning).
    __table_args__ = (word_index("ix_applicant_name_words", "name"),
                      prefix_index("ix_applicant_id_number_prefix", "id_number"))
    __scope__ = {"employer": "unit_id", "applicant": "id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False, index=True)
    id_number: Mapped[str] = mapped_column(sa.String(18), nullable=False, unique=True)
    sex: Mapped[Sex] = enum_column(Sex, nullable=False)
    birth_date: Mapped[date] = mapped_column(nullable=False)
    mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False, default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    highest_education: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    current_title: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    current_title_date: Mapped[date | None]
    # 部门, as the unit's roster import gave it (本单位人员).
    department: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="",
                                            server_default="")
    # Review of the basic information by the unit.
    profile_status: Mapped[ReviewStatus] = enum_column(
        ReviewStatus, nullable=False, default=ReviewStatus.DRAFT, index=True
    )
    profile_remark: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    profile_submitted_at: Mapped[datetime | None]
    profile_reviewed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    # Since when the person waits for the reader (已等待N天): loaded by the list that shows it.
    waiting_since: Mapped[datetime | None] = query_expression()

    unit = relationship("Unit", back_populates="applicants")
    account = relationship("Account", back_populates="applicant", uselist=False)
    archive_items = relationship(
        "ArchiveItem", back_populates="applicant", order_by="ArchiveItem.id"
    )
    applications = relationship("Application", back_populates="applicant")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name


class ArchiveItem(Scoped, TimestampMixin, db.Model):
    """One item of the archive. ``unit_id`` is the unit it was submitted to for review."""

    __tablename__ = "archive_item"
    # 业绩档案审核: a unit's people per status are counted from this index alone.
    __table_args__ = (sa.Index("ix_archive_item_unit_status_person", "unit_id", "status",
                               "applicant_id"),
                      # 业绩档案审核: the unit's people in id order, each once, from the index.
                      sa.Index("ix_archive_item_unit_person_status", "unit_id", "applicant_id",
                               "status"))
    __scope__ = {"employer": "unit_id", "applicant": "applicant_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applicant.id"), nullable=False, index=True
    )
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    category: Mapped[ArchiveCategory] = enum_column(ArchiveCategory, nullable=False, index=True)
    status: Mapped[ReviewStatus] = enum_column(
        ReviewStatus, nullable=False, default=ReviewStatus.DRAFT, index=True
    )
    # Common fields; what differs by category (school, journal, rank …) lives in ``details``.
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    organisation: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    details: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    remark: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    # Since when the item waits for the reader (已等待N天): loaded by the list that shows it.
    waiting_since: Mapped[datetime | None] = query_expression()

    applicant = relationship("Applicant", back_populates="archive_items")
    unit = relationship("Unit")
    reviewed_by = relationship("Account")
    attachments = relationship(
        "ArchiveItemAttachment", back_populates="archive_item", order_by="ArchiveItemAttachment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return colon_text(self.category.label) + self.title


class ArchiveItemAttachment(Scoped, db.Model):
    __tablename__ = "archive_item_attachment"
    __scope_parent__ = ("archive_item_id", ArchiveItem)

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("archive_item.id"), nullable=False, index=True
    )
    file_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stored_file.id"), nullable=False, index=True
    )

    archive_item = relationship("ArchiveItem", back_populates="attachments")
    file = relationship("StoredFile")


class ArchiveReviewSummary(Scoped, db.Model):
    """业绩档案审核 per unit and person: how many of the person's items sent to the unit are in
    each status, whether any waits (the 待审核 tab), whether the person's basic information
    waits for this unit and since when the person waits (已等待). A row exists while the person
    has items at the unit. Kept by ``zcps.archive_summary`` in the transaction of every change
    to an item or a person, so that a unit of thousands lists its people without counting
    their items."""

    __tablename__ = "archive_review_summary"
    __table_args__ = (
        # The 待审核 tab of a unit, newest person first, and the tabs' counts, from the index
        # alone.
        sa.Index("ix_archive_review_summary_waiting", "unit_id", "waiting", "applicant_id",
                 "approved", "returned", "rejected"),
        sa.Index("ix_archive_review_summary_since", "unit_id", "waiting_since"),
    )
    __scope__ = {"employer": "unit_id"}

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"),
                                         primary_key=True)
    applicant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applicant.id", ondelete="CASCADE"), primary_key=True, index=True)
    draft: Mapped[int] = mapped_column(nullable=False, default=0)
    pending: Mapped[int] = mapped_column(nullable=False, default=0)
    approved: Mapped[int] = mapped_column(nullable=False, default=0)
    returned: Mapped[int] = mapped_column(nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(nullable=False, default=0)
    total: Mapped[int] = mapped_column(nullable=False, default=0)
    waiting: Mapped[bool] = mapped_column(nullable=False, default=False)  # pending > 0
    profile_pending: Mapped[bool] = mapped_column(nullable=False, default=False)
    # The oldest pending item's submission, or the basic information's when it waits longer.
    waiting_since: Mapped[datetime | None]
