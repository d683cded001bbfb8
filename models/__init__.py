"""SQLAlchemy models of zcps. Importing this package registers every table on ``db.metadata``."""
from zcps.extensions import db

from .account import Account, dummy_password_hash
from .application import (
    CLOSED_APPLICATION_STATES,
    HOLDER_BY_STATUS,
    Application,
    ApplicationItem,
    ApplicationRouteStop,
    Objection,
    Publicity,
)
from .archive import Applicant, ArchiveItem, ArchiveItemAttachment, ArchiveReviewSummary
from .base import MAX_ID, LabeledEnum, Scoped, to_id, utcnow
from .catalogue import TitleQualification, TitleSeries, TitleSpecialty
from .enums import (
    MANDATORY_CATEGORIES,
    Action,
    AdminKind,
    ApplicationStatus,
    ArchiveCategory,
    AuditAction,
    AuthorizationStatus,
    CodePurpose,
    Holder,
    NotificationStatus,
    ObjectionOutcome,
    ObjectionStatus,
    OfficerDuty,
    OpinionKind,
    OrganisationKind,
    PlanStage,
    PlanState,
    ReviewMethod,
    ReviewStatus,
    Role,
    RouteDecision,
    Sex,
    Subject,
    TitleLevel,
    category_order,
)
from .organisation import (
    CHANGEABLE,
    MAX_ROUTE_LEVELS,
    AcceptancePoint,
    Authorization,
    StoredFile,
    Unit,
    UnitChange,
)
from .plan import (
    PlanHistoryDay,
    PlanHistoryReason,
    PlanSeries,
    PlanUnitReturns,
    PlanUnitWork,
    ReminderSent,
    ReviewPlan,
    plan_acceptance_point,
)
from .system import (
    AuditArchive,
    AuditLog,
    Notification,
    OpinionTemplate,
    ReviewRecord,
    SmsCode,
    WorkdayOverride,
)

__all__ = [name for name in dir() if not name.startswith("_")]
