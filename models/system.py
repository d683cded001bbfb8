"""History, audit, notifications, the working-day calendar and opinion templates."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zcps.extensions import db

from .base import Scoped, SharedReference, code_index, enum_column, utcnow, word_index
from .enums import (
    Action,
    AuditAction,
    CodePurpose,
    NotificationStatus,
    OpinionKind,
    Role,
    Subject,
)


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
    action: Mapped[Action] = enum_column(Action, length=40, nullable=False)
    from_status: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    to_status: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Item remarks sent with a return: [{"item_id": …, "title": …, "remark": …}, …]
    remarks: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    round: Mapped[int] = mapped_column(nullable=False, default=0)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    actor_role: Mapped[Role | None] = enum_column(Role)
    actor_name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    # The unit's officer who took the step (经办人), shown to the unit only: 审核人：王丽.
    officer_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="",
                                              server_default="")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applicant.id"), index=True)
    acceptance_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acceptance_point.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)

    actor = relationship("Account")

    @classmethod
    def scope_clause(cls, actor):
        clause = super().scope_clause(actor)
        if getattr(actor, "is_authenticated", False) and actor.role == Role.ACCEPTANCE:
            # An acceptance point reads the whole timeline of what was recommended to it,
            # from the first submission on (those rows name no acceptance point).
            from .application import Application

            return sa.or_(clause, sa.and_(
                cls.subject == Subject.APPLICATION,
                cls.subject_id.in_(sa.select(Application.id).where(
                    Application.scope_clause(actor)).scalar_subquery())))
        return clause


class AuditLog(Scoped, db.Model):
    """Security-relevant events: sign-ins, refusals, password resets, admin changes."""

    __tablename__ = "audit_log"
    # Searched by 对象 (words within it) and IP address (whole or its beginning).
    __table_args__ = (code_index("ix_audit_log_ip_address", "ip_address"),
                      word_index("ix_audit_log_target_words", "target"),
                      # 对象 searched as "kind:what", by its beginning (views/platform.py).
                      code_index("ix_audit_log_target", "target"))

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    action: Mapped[AuditAction] = enum_column(AuditAction, length=60, nullable=False, index=True)
    target: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)

    actor = relationship("Account")


class AuditArchive(Scoped, db.Model):
    """An archive of audit log entries moved out of the database (``flask zcps archive-audit``):
    the entries created before ``cut_off`` with ids ``first_id``…``last_id``, as gzip'd JSON
    lines in the instance folder's ``archive/``, read back and matched before they were deleted.

    The database deletes an audit log entry only when a row here covers it (the triggers of
    migration 0022), and, like the log, never changes or deletes a row here."""

    __tablename__ = "audit_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    # The first entry's time, and the cut-off: the archive holds the entries created before it.
    period_start: Mapped[datetime] = mapped_column(nullable=False)
    cut_off: Mapped[datetime] = mapped_column(nullable=False)
    row_count: Mapped[int] = mapped_column(nullable=False)
    first_id: Mapped[int] = mapped_column(nullable=False)
    last_id: Mapped[int] = mapped_column(nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # When the written file was read back with the same entries and digest (before deletion).
    verified_at: Mapped[datetime] = mapped_column(nullable=False)
    # Who ran the command (the operating system's user and host).
    created_by: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class Notification(Scoped, db.Model):
    """The SMS outbox: queued in the transaction of the change, drained by the sender."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_due", "status", "next_attempt_at"),
        # The outbox: its tabs (status) newest first, sorted by 创建时间, searched by mobile
        # (whole or its beginning) and by words of the text.
        sa.Index("ix_notification_status_id", "status", "id"),
        sa.Index("ix_notification_created_at", "created_at"),
        code_index("ix_notification_mobile", "mobile"),
        word_index("ix_notification_text_words", "text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False)
    template: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[NotificationStatus] = enum_column(
        NotificationStatus, nullable=False, default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    # Sends cut off before the gateway's answer came back (the sender crashed or was killed):
    # each may have reached the phone, so the message may have arrived twice.
    interruptions: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # When to try next; while 发送中, until when the sender that took it may take.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class SmsCode(Scoped, db.Model):
    """A 短信验证码: six digits sent to a mobile for one purpose, kept only as an HMAC, valid a
    few minutes, used once, with a bounded number of tries (zcps/verification.py)."""

    __tablename__ = "sms_code"
    __table_args__ = (
        # Per number, one code a minute and ten a day, even when several workers send at once.
        sa.UniqueConstraint("mobile", "minute"),
        sa.UniqueConstraint("mobile", "day", "day_number"),
        sa.CheckConstraint("day_number BETWEEN 1 AND 10", name="daily_limit"),
        sa.CheckConstraint("attempts BETWEEN 0 AND 5", name="attempt_limit"),
        sa.Index("ix_sms_code_lookup", "mobile", "purpose", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(sa.String(11), nullable=False)
    purpose: Mapped[CodePurpose] = enum_column(CodePurpose, nullable=False)
    # The account a password-reset code was sent for (none for a registration).
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # Minutes since the epoch and the UTC day the code was made on, and its number that day.
    minute: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    day: Mapped[date] = mapped_column(nullable=False)
    day_number: Mapped[int] = mapped_column(nullable=False)
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    used_at: Mapped[datetime | None]


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
