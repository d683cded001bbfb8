"""Title applications (职称申报), their extracted item snapshots, publicity and objections."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship
from sqlalchemy.sql.elements import Grouping

from zcps.extensions import db

from .base import Scoped, TimestampMixin, enum_column, utcnow
from .enums import (
    ApplicationStatus,
    ArchiveCategory,
    Holder,
    ObjectionOutcome,
    ObjectionStatus,
    ReviewMethod,
    Role,
    RouteDecision,
    TitleLevel,
    category_order,
)

HOLDER_BY_STATUS = {
    ApplicationStatus.DRAFT: Holder.APPLICANT,
    ApplicationStatus.RETURNED: Holder.APPLICANT,
    ApplicationStatus.PENDING: Holder.UNIT,
    ApplicationStatus.APPROVED: Holder.UNIT,
    ApplicationStatus.PUBLICIZING: Holder.UNIT,
    ApplicationStatus.PUBLICIZED: Holder.UNIT,
    ApplicationStatus.ACCEPTANCE_RETURNED: Holder.UNIT,
    ApplicationStatus.ROUTE_RETURNED: Holder.UNIT,
    ApplicationStatus.RECOMMENDED: Holder.ACCEPTANCE,
    ApplicationStatus.ACCEPTED: Holder.ACCEPTANCE,
    ApplicationStatus.REJECTED: Holder.NONE,
    ApplicationStatus.NOT_RECOMMENDED: Holder.NONE,
}


# An application in one of these states is over; any other is its applicant's open one of its year.
CLOSED_APPLICATION_STATES = (ApplicationStatus.REJECTED, ApplicationStatus.NOT_RECOMMENDED)


class Publicity(Scoped, TimestampMixin, db.Model):
    """A publicity batch (信息公示) of one unit."""

    __tablename__ = "publicity"
    # What close_ended_publicities reads on every request: the few ended batches not yet closed.
    __table_args__ = (sa.Index("ix_publicity_open", "closed_at", "end_date"),)
    __scope__ = {"employer": "unit_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    start_date: Mapped[date] = mapped_column(nullable=False, index=True)
    end_date: Mapped[date] = mapped_column(nullable=False, index=True)
    earliest_end_date: Mapped[date] = mapped_column(nullable=False)
    count_start_day: Mapped[bool] = mapped_column(nullable=False, default=False)
    objection_contact: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    # Where objections are received, printed above the 公示表 (required of a new batch).
    objection_phone: Mapped[str] = mapped_column(sa.String(40), nullable=False, default="",
                                                 server_default="")
    objection_address: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="",
                                                   server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    # When its applications were marked 公示期满 (the first request after the end date).
    closed_at: Mapped[datetime | None]

    unit = relationship("Unit")
    applications = relationship("Application", back_populates="publicity")


class Application(Scoped, TimestampMixin, db.Model):
    __tablename__ = "application"
    __table_args__ = (
        # A unit's tabs and their counts, newest first: the page's rows are the index's.
        sa.Index("ix_application_unit_status_id", "unit_id", "status", "id"),
        # …and over several statuses: 资格审查推荐 in id order, 申报资料审核 by 提交时间, the
        # status checked in the index.
        sa.Index("ix_application_unit_id_status", "unit_id", "id", "status"),
        sa.Index("ix_application_unit_submitted", "unit_id", "submitted_at", "status"),
        # The acceptance point's inbox: a page of ids in 推荐时间 order, however deep, or sorted
        # by 已等待 (status, status_since), read from the index alone; and its tab counts.
        sa.Index("ix_application_point_inbox", "acceptance_point_id", "recommended_at", "status",
                 "status_since", "id"),
        sa.Index("ix_application_point_status", "acceptance_point_id", "status"),
        # 超期与待办: a plan's applications waiting for their units, grouped by unit, read from
        # the index alone.
        sa.Index("ix_application_plan_work", "plan_id", "status", "unit_id", "status_since"),
        # One open application per applicant and year, kept by the database whatever races.
        sa.UniqueConstraint("applicant_id", "open_year", name="uq_application_open_year"),
    )
    __scope__ = {
        "employer": "unit_id",
        "applicant": "applicant_id",
        "acceptance": "acceptance_point_id",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applicant.id"), nullable=False, index=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(nullable=False, index=True)
    # The year while the application is open, NULL once it is closed (CLOSED_APPLICATION_STATES):
    # unique with applicant_id, and NULLs never collide.
    open_year: Mapped[int | None]
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("title_series.id"), nullable=False, index=True
    )
    specialty: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    level: Mapped[TitleLevel] = enum_column(TitleLevel, nullable=False)
    qualification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("title_qualification.id"), nullable=False, index=True
    )
    review_method: Mapped[ReviewMethod] = enum_column(ReviewMethod, nullable=False)
    current_title: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    status: Mapped[ApplicationStatus] = enum_column(
        ApplicationStatus, nullable=False, default=ApplicationStatus.DRAFT, index=True
    )
    # Since when it is in its status (已等待N天); every status change moves it.
    status_since: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("review_plan.id"), nullable=False,
                                         index=True)
    round: Mapped[int] = mapped_column(nullable=False, default=0)
    # Basic information as submitted (a snapshot, like the items).
    profile_snapshot: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # The round that returned the application: {"round": n, "items": [its items as the unit
    # saw them, with its remarks]}, what the next round is compared against.
    previous_round: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    submitted_at: Mapped[datetime | None]
    # When the applicant confirmed the declaration of truthfulness on submitting.
    declared_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    publicity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("publicity.id"), index=True)
    acceptance_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acceptance_point.id"), index=True
    )
    recommendation_opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    recommended_at: Mapped[datetime | None]
    acceptance_decided_at: Mapped[datetime | None]
    acceptance_opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    # Since when it waits for the reader (已等待N天): loaded by the list that shows it.
    waiting_since: Mapped[datetime | None] = query_expression()

    applicant = relationship("Applicant", back_populates="applications")
    unit = relationship("Unit")
    series = relationship("TitleSeries")
    qualification = relationship("TitleQualification")
    publicity = relationship("Publicity", back_populates="applications")
    acceptance_point = relationship("AcceptancePoint")
    plan = relationship("ReviewPlan")
    items = relationship(
        "ApplicationItem", back_populates="application",
        order_by=lambda: [category_order(ApplicationItem.category), ApplicationItem.id]
    )
    objections = relationship("Objection", back_populates="application")
    # Every stop of every recommendation, for a list to load with its rows (selectinload):
    # current_stop and returned_by then read it rather than query.
    route_stops = relationship(
        "ApplicationRouteStop", viewonly=True,
        order_by=lambda: [ApplicationRouteStop.attempt, ApplicationRouteStop.position])

    __mapper_args__ = {"version_id_col": version}

    @property
    def holder(self) -> Holder:
        return HOLDER_BY_STATUS.get(self.status, Holder.NONE)

    def _loaded_stops(self):
        """Its route stops if its list loaded them with it, else None."""
        if "route_stops" in sa.inspect(self).unloaded:
            return None
        return self.route_stops

    @property
    def current_stop(self) -> "ApplicationRouteStop | None":
        """The stop of its route that holds it now: reached and not yet decided."""
        if self.id is None:
            return None
        stops = self._loaded_stops()
        if stops is not None:
            waiting = [stop for stop in stops
                       if stop.reached_at is not None and stop.decided_at is None]
            waiting.sort(key=lambda stop: (-stop.attempt, stop.position))
            return waiting[0] if waiting else None
        return db.session.scalar(
            sa.select(ApplicationRouteStop).where(
                ApplicationRouteStop.application_id == self.id,
                ApplicationRouteStop.reached_at.is_not(None),
                ApplicationRouteStop.decided_at.is_(None))
            .order_by(ApplicationRouteStop.attempt.desc(), ApplicationRouteStop.position)
            .limit(1))

    @property
    def returned_by(self):
        """The organisation that sent it back to the unit (审核机构退回 or 受理点退回), if it was."""
        if self.status == ApplicationStatus.ACCEPTANCE_RETURNED:
            return self.acceptance_point
        if self.status != ApplicationStatus.ROUTE_RETURNED or self.id is None:
            return None
        stops = self._loaded_stops()
        if stops is None:
            stops = db.session.scalars(sa.select(ApplicationRouteStop).where(
                ApplicationRouteStop.application_id == self.id,
                ApplicationRouteStop.decision == RouteDecision.RETURNED))
        returns = [stop for stop in stops if stop.decision == RouteDecision.RETURNED]
        if not returns:
            return None
        return max(returns, key=lambda stop: (stop.attempt, stop.position)).organisation

    @property
    def holder_name(self) -> str:
        """Who holds it now, by name: the unit's, the reviewing level's or the acceptance
        point's, else the label."""
        holder = self.holder
        if holder == Holder.UNIT and self.unit is not None:
            return self.unit.name
        if self.status == ApplicationStatus.RECOMMENDED:
            stop = self.current_stop
            if stop is not None:
                return stop.organisation.name
        if holder == Holder.ACCEPTANCE and self.acceptance_point is not None:
            return self.acceptance_point.name
        return str(holder.label)

    @classmethod
    def scope_clause(cls, actor):
        clause = super().scope_clause(actor)
        if not getattr(actor, "is_authenticated", False):
            return clause
        # A draft is the applicant's alone until it is first submitted.
        if actor.role == Role.EMPLOYER:
            return sa.and_(clause, cls.status != ApplicationStatus.DRAFT)
        # A reviewing level of a route sees what reached it or passed through it, on whatever
        # route it was sent. An acceptance point sees what was passed on to it: its own column,
        # so that its inbox, the busiest list, is paged from its indexes alone.
        organisation = getattr(actor, "acceptance_point", None)
        if (actor.role == Role.ACCEPTANCE and actor.scope_key is not None
                and (organisation is None or organisation.reviews)):
            # One IN over a UNION, not "column OR IN": each side is read from its index (an OR
            # with a subquery makes PostgreSQL read every application).
            return cls.id.in_(sa.union_all(
                sa.select(cls.id).where(clause).correlate(None),
                sa.select(ApplicationRouteStop.application_id).where(
                    ApplicationRouteStop.organisation_id == actor.scope_key,
                    ApplicationRouteStop.reached_at.is_not(None))).scalar_subquery())
        return clause


# The acceptance point's inbox sorted by 已等待 on 全部: the waiting (已推荐) rows first, the
# longest-waiting first, then the rest in id order, read in the index's order — its expressions
# are the ORDER BY's (INBOX_WAITING, views/acceptance.py). PostgreSQL and SQLite: MariaDB has no
# index on an expression (only on a generated column); there the point's rows are sorted.
INBOX_WAITING = Application.status == sa.literal_column("'recommended'")
# 0 and 1 written out, not bound: a database matches the index's expressions by their text.
INBOX_WAITED_ORDER = (sa.case((INBOX_WAITING, sa.literal_column("0")), else_=sa.literal_column("1")),
                      sa.case((INBOX_WAITING, Application.status_since)))
sa.Index("ix_application_point_waited", Application.acceptance_point_id,
         *(Grouping(expression) for expression in INBOX_WAITED_ORDER),  # (…): an expression
         # status_since again as itself: SQLite reads the page from the index alone (covering)
         Application.id, Application.status, Application.status_since,
         ).ddl_if(dialect=("postgresql", "sqlite"))


@sa.event.listens_for(Application, "before_insert")
def _holds_its_year(mapper, connection, application):
    if application.status not in CLOSED_APPLICATION_STATES:
        application.open_year = application.year


@sa.event.listens_for(Application, "before_update")
def _frees_its_year(mapper, connection, application):
    # A closed application never reopens. (A bulk UPDATE to a closed state must set it too.)
    if application.status in CLOSED_APPLICATION_STATES:
        application.open_year = None


@sa.event.listens_for(Application.status, "set")
def _status_moved(application, value, before, initiator):
    if value != before:
        application.status_since = utcnow()


class ApplicationRouteStop(Scoped, db.Model):
    """One organisation on the route of one recommendation, as the unit's binding was when it
    recommended: its reviewing levels first (position 0, 1), the chosen acceptance point
    last. Each recommendation of an application is a new ``attempt``; earlier ones are kept."""

    __tablename__ = "application_route_stop"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "attempt", "position",
                            name="uq_application_route_stop_position"),
        # A level's inbox and its tabs: what reached it, what it decided.
        sa.Index("ix_application_route_stop_organisation", "organisation_id", "decided_at",
                 "reached_at", "application_id"),
    )
    __scope_parent__ = ("application_id", Application)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"),
                                                nullable=False)
    # The application's recommendation it belongs to (1, 2, …) and its place on that route.
    attempt: Mapped[int] = mapped_column(nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("acceptance_point.id"),
                                                 nullable=False)
    round: Mapped[int] = mapped_column(nullable=False, default=0)
    reached_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[RouteDecision | None] = enum_column(RouteDecision)
    opinion: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)

    application = relationship("Application")
    organisation = relationship("AcceptancePoint")


def at_stop(organisation_id: int, decision: RouteDecision | None = None):
    """The applications whose route reached ``organisation_id`` and wait there (no
    ``decision``), or that it decided so (a level's 待审核, 已通过, 已退回)."""
    stops = sa.select(ApplicationRouteStop.application_id).where(
        ApplicationRouteStop.organisation_id == organisation_id,
        ApplicationRouteStop.reached_at.is_not(None))
    if decision is None:
        stops = stops.where(ApplicationRouteStop.decided_at.is_(None))
    else:
        stops = stops.where(ApplicationRouteStop.decision == decision)
    return Application.id.in_(stops.scalar_subquery())


class ApplicationItem(Scoped, db.Model):
    """An archive item extracted into an application: a snapshot that later edits do not touch."""

    __tablename__ = "application_item"
    __scope_parent__ = ("application_id", Application)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id"), nullable=False, index=True
    )
    archive_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("archive_item.id"), index=True
    )
    category: Mapped[ArchiveCategory] = enum_column(ArchiveCategory, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    organisation: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    details: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # Stored file ids of the attachments at extraction time.
    file_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    # The reviewer's remark on this item in the current round.
    remark: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # The applicant's answer to the remark of the round that returned the application, when the
    # item is resubmitted unchanged.
    reply: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="",
                                       server_default="")

    application = relationship("Application", back_populates="items")
    archive_item = relationship("ArchiveItem")


class Objection(Scoped, TimestampMixin, db.Model):
    """An objection (异议) received during a publicity."""

    __tablename__ = "objection"
    # The same form posted twice (a double click, a resent request) records one objection.
    __table_args__ = (sa.UniqueConstraint("unit_id", "entry_token",
                                          name="uq_objection_entry_token"),)
    __scope__ = {"employer": "unit_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id"), nullable=False, index=True
    )
    publicity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("publicity.id"), nullable=False, index=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), nullable=False, index=True)
    content: Mapped[str] = mapped_column(sa.Text, nullable=False)
    received_on: Mapped[date] = mapped_column(nullable=False)
    raised_by: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    status: Mapped[ObjectionStatus] = enum_column(
        ObjectionStatus, nullable=False, default=ObjectionStatus.OPEN, index=True
    )
    outcome: Mapped[ObjectionOutcome | None] = enum_column(ObjectionOutcome)
    resolution: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"), index=True)
    # The random token of the form it was entered with (NULL when entered otherwise).
    entry_token: Mapped[str | None] = mapped_column(sa.String(32))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    application = relationship("Application", back_populates="objections")
    publicity = relationship("Publicity")

    __mapper_args__ = {"version_id_col": version}
