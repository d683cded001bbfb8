"""History, audit, notifications, the working-day calendar and opinion templates."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zcps.extensions import db

from .base import LabeledEnum, Scoped, SharedReference, enum_column, utcnow
from .enums import NotificationStatus, OpinionKind, Role, Subject


class ReviewRecord(Scoped, db.Model):
    """One step in the life of a reviewed record: who did what, when, from which state to which.

    The unit, applicant and acceptance point concerned are copied onto the row so that each of
    them sees its own history through the ordinary scoping.
    """

    __tablename__ = "review_record"
    __table_args__ = (sa.Index("ix_review_record_subject", "subject", "subject_id"),)
    __scope__ = {
        "employer": "unit_id",
        "applicant": "applicant_id",
        "acceptance": "acceptance_point_id",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[Subject] = enum_column(Subject, nullable=False)
    subject_id: Mapped[int] = mapped_column(nullable=False)
    action: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    from_status: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    to_status: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Item remarks sent with a return: [{"item_id": …, "title": …, "remark": …}, …]
    remarks: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    round: Mapped[int] = mapped_column(nullable=False, default=0)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    actor_role: Mapped[Role | None] = enum_column(Role)
    actor_name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applicant.id"), index=True)
    acceptance_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acceptance_point.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)

    actor = relationship("Account")


class AuditLog(Scoped, db.Model):
    """Security-relevant events: sign-ins, refusals, password resets, admin changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False, index=True)
    target: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)

    actor = relationship("Account")


class SmsTemplate(LabeledEnum):
    """What an outbox message is about, by the workflow's template code."""

    AUTHORIZATION_APPROVED = ("authorization_approved", "授权审核通过")
    AUTHORIZATION_REJECTED = ("authorization_rejected", "授权审核未通过")
    PROFILE_RETURN = ("profile_return", "基本信息退回修改")
    PROFILE_REJECT = ("profile_reject", "基本信息审核未通过")
    ARCHIVE_ITEM_RETURN = ("archive_item_return", "业绩档案退回修改")
    ARCHIVE_ITEM_REJECT = ("archive_item_reject", "业绩档案审核未通过")
    APPLICATION_APPROVE = ("application_approve", "申报审核通过")
    APPLICATION_RETURN = ("application_return", "申报退回修改")
    APPLICATION_REJECT = ("application_reject", "申报审核未通过")
    PUBLICITY_STARTED = ("publicity_started", "信息公示")
    OBJECTION_UPHELD = ("objection_upheld", "异议属实，不予推荐")
    OBJECTION_RETURN = ("objection_return", "异议属实，退回修改")
    RECOMMENDED = ("recommended", "资格审查推荐")
    ACCEPTED = ("accepted", "受理点受理")
    ACCEPTANCE_RETURNED = ("acceptance_returned", "受理点退回")


class TemplateCode(sa.types.TypeDecorator):
    """A template code stored as text; a known one is read back as its :class:`SmsTemplate`
    (shown by its Chinese name), one the list does not know yet stays the code."""

    impl = sa.String(60)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return getattr(value, "value", value)

    def process_result_value(self, value, dialect):
        try:
            return SmsTemplate(value)
        except ValueError:
            return value


class Notification(Scoped, db.Model):
    """The SMS outbox: queued in the transaction of the change, drained by the sender."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False)
    template: Mapped[str] = mapped_column(TemplateCode(), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[NotificationStatus] = enum_column(
        NotificationStatus, nullable=False, default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class WorkdayOverride(SharedReference, db.Model):
    """An admin's entry in the working-day calendar: this date is (not) a working day."""

    __tablename__ = "workday_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(nullable=False, unique=True)
    is_workday: Mapped[bool] = mapped_column(nullable=False)
    note: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class OpinionTemplate(Scoped, db.Model):
    """A ready sentence for an opinion; ``unit_id`` empty means offered to every unit."""

    __tablename__ = "opinion_template"
    __scope__ = {"employer": "unit_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    kind: Mapped[OpinionKind] = enum_column(OpinionKind, nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    sort_order: Mapped[int] = mapped_column(nullable=False, default=0)

    @classmethod
    def scope_clause(cls, actor):
        clause = super().scope_clause(actor)
        if getattr(actor, "is_authenticated", False) and actor.role == Role.EMPLOYER:
            return sa.or_(clause, cls.unit_id.is_(None))
        return clause
