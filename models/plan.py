"""The year's review plan (评审计划): which series and levels it takes, where recommendations go,
and the deadline of each stage."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zcps.extensions import db

from .base import SharedReference, TimestampMixin, enum_column, utcnow
from .enums import PlanStage, PlanState, TitleLevel

plan_acceptance_point = sa.Table(
    "plan_acceptance_point", db.metadata,
    sa.Column("plan_id", sa.ForeignKey("review_plan.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("acceptance_point_id", sa.ForeignKey("acceptance_point.id"), primary_key=True,
              index=True),
)


class ReviewPlan(SharedReference, TimestampMixin, db.Model):
    """A published plan. Every moment is stored as naive UTC like the other columns; the admin
    types and reads them in Beijing time (``zcps.plans``). A stage is open while the clock is
    before its deadline: a deadline of 18:00 admits 17:59:59 and refuses 18:00:00."""

    __tablename__ = "review_plan"
    __table_args__ = (sa.Index("ix_review_plan_window", "apply_start", "acceptance_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    apply_start: Mapped[datetime] = mapped_column(nullable=False)
    personal_deadline: Mapped[datetime] = mapped_column(nullable=False)
    unit_deadline: Mapped[datetime] = mapped_column(nullable=False)
    acceptance_deadline: Mapped[datetime] = mapped_column(nullable=False)
    contact: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    notes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Two admins editing one plan: the second save, made from the page as it was before the
    # first, is refused instead of silently undoing the first (``workflow.save_plan``).
    version: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")

    coverage = relationship("PlanSeries", back_populates="plan", cascade="all, delete-orphan",
                            order_by="PlanSeries.id")
    acceptance_points = relationship("AcceptancePoint", secondary=plan_acceptance_point,
                                     order_by="AcceptancePoint.id")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name

    def deadline(self, stage: PlanStage) -> datetime:
        return getattr(self, stage.value + "_deadline")

    def deadlines(self) -> dict:
        return {stage: self.deadline(stage) for stage in PlanStage}

    def state_at(self, moment: datetime | None = None) -> PlanState:
        moment = moment or utcnow()
        if moment < self.apply_start:
            return PlanState.NOT_STARTED
        if moment < self.personal_deadline:
            return PlanState.OPEN
        if moment < self.acceptance_deadline:
            return PlanState.CLOSED
        return PlanState.ENDED

    @property
    def state(self) -> PlanState:
        return self.state_at()

    def offers(self, series_id: int, level: TitleLevel) -> bool:
        """Whether the plan takes applications of this series at this level."""
        return any(row.series_id == series_id and row.level in (None, level)
                   for row in self.coverage)


class PlanSeries(SharedReference, db.Model):
    """A series a plan covers; at every level when ``level`` is empty, else at that level."""

    __tablename__ = "plan_series"
    __table_args__ = (sa.UniqueConstraint("plan_id", "series_id", "level",
                                          name="uq_plan_series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("title_series.id"), nullable=False,
                                           index=True)
    level: Mapped[TitleLevel | None] = enum_column(TitleLevel)

    plan = relationship("ReviewPlan", back_populates="coverage")
    series = relationship("TitleSeries")

    def __str__(self) -> str:
        return f"{self.series.name}（{self.level.label if self.level else '全部级别'}）"


class ReminderSent(db.Model):
    """One reminder that went out. The unique key is what makes a reminder go out once, also
    when two processes run the reminders at the same moment."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("plan_id", "stage", "recipient", "deadline",
                                          "days_before", name="uq_reminder_sent_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    stage: Mapped[PlanStage] = enum_column(PlanStage, nullable=False)
    # "unit:12" or "applicant:34"
    recipient: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    days_before: Mapped[int] = mapped_column(nullable=False)
    # The deadline it was about: after an extension, the reminders before the new one are due.
    deadline: Mapped[datetime] = mapped_column(nullable=False)
    waiting: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class PlanUnitWork(db.Model):
    """Per plan and unit, what of the plan's applications waits for the unit: how many in each
    status of ``zcps.plans.UNIT_WORK`` and since when the longest-waiting one waits. Kept by
    ``zcps.unit_work`` in the transaction of every change to an application, so that the
    platform's 超期与待办 reads a row per unit instead of counting a province's applications."""

    __tablename__ = "plan_unit_work"
    __table_args__ = (sa.Index("ix_plan_unit_work_total", "plan_id", "total"),
                      sa.Index("ix_plan_unit_work_oldest", "plan_id", "oldest"))

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    pending: Mapped[int] = mapped_column(nullable=False, default=0)
    approved: Mapped[int] = mapped_column(nullable=False, default=0)
    publicizing: Mapped[int] = mapped_column(nullable=False, default=0)
    publicized: Mapped[int] = mapped_column(nullable=False, default=0)
    returned: Mapped[int] = mapped_column(nullable=False, default=0)
    total: Mapped[int] = mapped_column(nullable=False, default=0)
    # The longest-waiting one's status_since; empty when nothing waits.
    oldest: Mapped[datetime | None]


class PlanHistoryDay(db.Model):
    """Per plan, Beijing day and action, how many steps of the plan's applications' history
    were taken: the daily line of 统计分析 without reading the history. The history is only
    ever appended to, so ``zcps.history_summary`` adds each transaction's new rows at its
    commit."""

    __tablename__ = "plan_history_day"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    # The action's code as the history holds it; no list of codes here to migrate each time
    # the workflow gains an action (every action is counted).
    action: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    times: Mapped[int] = mapped_column(nullable=False, default=0)


class PlanHistoryReason(db.Model):
    """Per plan, action and written reason (word for word), how many steps of the plan's
    history gave it: the commonest reasons of 统计分析. ``reason_key`` is the SHA-256 of the
    reason (a reason is any length; the key must be unique). Kept like ``PlanHistoryDay``."""

    __tablename__ = "plan_history_reason"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # as above
    reason_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    times: Mapped[int] = mapped_column(nullable=False, default=0)


class PlanUnitReturns(db.Model):
    """Per plan and unit, how many of the unit's applications of the plan were returned at
    least once by the unit (or after an objection) and by an acceptance point; recounted by
    ``zcps.history_summary`` at the commit of a transaction that returned one of them."""

    __tablename__ = "plan_unit_returns"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id", ondelete="CASCADE"),
                                         primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    unit_returned: Mapped[int] = mapped_column(nullable=False, default=0)
    point_returned: Mapped[int] = mapped_column(nullable=False, default=0)
