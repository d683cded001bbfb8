"""Sign-in accounts: one role each, tied to the unit, applicant or acceptance point it acts for."""
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from zcps.extensions import db

from .base import Scoped, TimestampMixin, enum_column, prefix_index, word_index
from .enums import AdminKind, OfficerDuty, Role

OFFICER_LABEL = lazy_gettext("经办人")


class Account(UserMixin, Scoped, TimestampMixin, db.Model):
    __tablename__ = "account"
    # A unit sees its own accounts (经办人管理); nobody else's.
    __scope__ = {"employer": "unit_id"}
    __table_args__ = (
        # An officer signs in by 手机号码 as well as by 身份证号 (the user name).
        sa.UniqueConstraint("role", "officer_mobile"),
        # Officers are a unit's; their duties are a list, possibly empty (a stopped role set).
        sa.CheckConstraint("officer_duties IS NULL OR role = 'employer'",
                           name="officers_are_units"),
        # Sign-in is per role page, so a user name is unique within its role.
        sa.UniqueConstraint("role", "username"),
        sa.CheckConstraint(
            "(role = 'employer' AND unit_id IS NOT NULL AND applicant_id IS NULL"
            " AND acceptance_point_id IS NULL)"
            " OR (role = 'applicant' AND applicant_id IS NOT NULL AND unit_id IS NULL"
            " AND acceptance_point_id IS NULL)"
            " OR (role = 'acceptance' AND acceptance_point_id IS NOT NULL AND unit_id IS NULL"
            " AND applicant_id IS NULL)"
            " OR (role = 'platform_admin' AND unit_id IS NULL AND applicant_id IS NULL"
            " AND acceptance_point_id IS NULL)",
            name="one_role_one_owner",
        ),
        # 三员分立: every platform admin holds exactly one of the three duties, nobody else any.
        sa.CheckConstraint(
            "(role = 'platform_admin' AND admin_kind IS NOT NULL)"
            " OR (role <> 'platform_admin' AND admin_kind IS NULL)",
            name="admin_kind_for_admins",
        ),
        # The account lists of one role, searched by user name and display name.
        prefix_index("ix_account_role_username_prefix", "role", "username"),
        word_index("ix_account_display_name_words", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[Role] = enum_column(Role, nullable=False, index=True)
    # Which of the three admin duties (系统管理员, 安全管理员, 审计管理员) a platform admin holds.
    admin_kind: Mapped[AdminKind | None] = enum_column(AdminKind)
    # 经办人: an employer account that is not the unit's own (USCC) account holds a list of
    # duties (OfficerDuty codes), its 身份证号 as user name, a mobile, a department and an
    # optional last day. The unit's own account (officer_duties NULL) may do everything.
    officer_duties: Mapped[list | None] = mapped_column(sa.JSON(none_as_null=True))
    officer_mobile: Mapped[str | None] = mapped_column(sa.String(11))
    department: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="",
                                            server_default="")
    end_date: Mapped[date | None]
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applicant.id"), index=True)
    acceptance_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acceptance_point.id"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    last_login_at: Mapped[datetime | None]
    # Stored in the session at sign-in and compared on every request: raising it ends every
    # session of the account at once (sign-out, password change or reset, deactivation).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0",
                                                    nullable=False)
    # Set by an admin's reset: every page leads to 修改密码 until the account has chosen one.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                                       nullable=False)
    # Consecutive failed sign-ins, and until when the account is locked after too many.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    locked_until: Mapped[datetime | None]

    unit = relationship("Unit", back_populates="accounts")
    applicant = relationship("Applicant", back_populates="account")
    acceptance_point = relationship("AcceptancePoint", back_populates="accounts")

    def __repr__(self) -> str:
        return f"<Account {self.role.value}:{self.username}>"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def acting_name(self) -> str:
        """Who the history says acted: the unit or acceptance point the account acts for, so
        that an applicant reads 杭州市职称受理点 rather than a staff member's user name."""
        if self.role == Role.EMPLOYER and self.unit is not None:
            return self.unit.name
        if self.role == Role.ACCEPTANCE and self.acceptance_point is not None:
            return self.acceptance_point.name
        return str(self)

    # Flask-Login: a disabled account, or one of a deactivated unit or acceptance point, or an
    # officer past their last day, is signed out.
    @property
    def is_active(self) -> bool:
        return (bool(self.active) and (self.unit is None or bool(self.unit.active))
                and (self.acceptance_point is None or bool(self.acceptance_point.active))
                and not self.expired)

    @property
    def expired(self) -> bool:
        """An officer whose last day (Beijing) has passed."""
        if self.end_date is None:
            return False
        from zcps import clock

        return self.end_date < clock.today()

    @property
    def is_officer(self) -> bool:
        """A unit's 经办人, as opposed to the unit's own account (its administrator)."""
        return self.role == Role.EMPLOYER and self.officer_duties is not None

    @property
    def duties(self) -> list[OfficerDuty]:
        """An officer's duties, in the order of OfficerDuty (unknown codes left out)."""
        held = set(self.officer_duties or ())
        return [duty for duty in OfficerDuty if duty.value in held]

    def may(self, duty: OfficerDuty | None) -> bool:
        """Whether this unit account may do ``duty`` (None: what every officer of the unit
        may do): the unit's own account always, an officer when it holds the duty."""
        if self.role != Role.EMPLOYER:
            return False
        return duty is None or not self.is_officer or duty.value in (self.officer_duties or ())

    def is_person(self, id_number: str | None) -> bool:
        """Whether this officer is the person with ``id_number`` (no one reviews themselves)."""
        return bool(self.is_officer and id_number and self.username == id_number)

    @property
    def mobile(self) -> str:
        """Where the account's own SMS go: an officer's own mobile, the unit's contact or the
        applicant's mobile."""
        if self.is_officer:
            return self.officer_mobile or ""
        if self.role == Role.EMPLOYER and self.unit is not None:
            return self.unit.contact_mobile or ""
        if self.role == Role.APPLICANT and self.applicant is not None:
            return self.applicant.mobile or ""
        return ""

    @property
    def identifiers(self) -> list[str]:
        """What identifies the account, which its password may not contain."""
        return [self.username, self.mobile,
                self.unit.uscc if self.unit is not None else "",
                self.applicant.id_number if self.applicant is not None else ""]

    def locked_at(self, moment: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > moment

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN

    def is_admin(self, *kinds: AdminKind) -> bool:
        """A platform admin holding one of ``kinds`` (三员分立)."""
        return self.role == Role.PLATFORM_ADMIN and self.admin_kind in kinds

    @property
    def role_label(self) -> str:
        """系统管理员 / 安全管理员 / 审计管理员 for a platform admin, a reviewing level's kind
        (主管部门 …) for its accounts, else the role's name."""
        if self.role == Role.PLATFORM_ADMIN and self.admin_kind is not None:
            return self.admin_kind.label
        if self.is_officer:
            return str(OFFICER_LABEL)
        if self.acceptance_point is not None and self.acceptance_point.reviews:
            return self.acceptance_point.kind.label  # 主管部门, 区县人社, 人事代理机构
        return self.role.label

    @property
    def scope_key(self):
        """The id that rows must carry to be visible to this account."""
        return {
            Role.EMPLOYER: self.unit_id,
            Role.APPLICANT: self.applicant_id,
            Role.ACCEPTANCE: self.acceptance_point_id,
        }.get(self.role)


def password_hash_method() -> str:
    """How new passwords are hashed: ``PASSWORD_HASH_METHOD`` if set, else Werkzeug's scrypt."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
    return method or "scrypt"


_dummy_hashes: dict[str, str] = {}


def dummy_password_hash() -> str:
    """A hash that no password matches, for refusing an unknown account in the time a wrong
    password takes: made with the method the accounts' own hashes are made with."""
    method = password_hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("zcps-no-such-account", method=method)
    return _dummy_hashes[method]
