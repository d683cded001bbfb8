"""SQLAlchemy models of zcps. Importing this package registers every table on ``db.metadata``."""
from zcps.extensions import db

from .account import DUMMY_PASSWORD_HASH, Account
from .application import (
    HOLDER_BY_STATUS,
    Application,
    ApplicationItem,
    Objection,
    Publicity,
)
from .archive import Applicant, ArchiveItem, ArchiveItemAttachment
from .base import MAX_ID, LabeledEnum, Scoped, to_id, utcnow
from .catalogue import TitleQualification, TitleSeries, TitleSpecialty
from .enums import (
    MANDATORY_CATEGORIES,
    ApplicationStatus,
    ArchiveCategory,
    AuthorizationStatus,
    Holder,
    NotificationStatus,
    ObjectionOutcome,
    ObjectionStatus,
    OpinionKind,
    ReviewMethod,
    ReviewStatus,
    Role,
    Sex,
    Subject,
    TitleLevel,
    category_order,
)
from .organisation import AcceptancePoint, Authorization, StoredFile, Unit
from .system import (
    AuditLog,
    Notification,
    OpinionTemplate,
    ReviewRecord,
    SmsTemplate,
    WorkdayOverride,
)

__all__ = [name for name in dir() if not name.startswith("_")]
