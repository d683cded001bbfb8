"""Sign-in accounts: one role each, tied to the unit, applicant or acceptance point it acts for."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from zcps.extensions import db

from .base import Scoped, TimestampMixin, enum_column, prefix_index, word_index
from .enums import Role


class Account(UserMixin, Scoped, TimestampMixin, db.Model):
    __tablename__ = "account"
    __table_args__ = (
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
        # The account lists of one role, searched by user name and display name.
        prefix_index("ix_account_role_username_prefix", "role", "username"),
        word_index("ix_account_display_name_words", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[Role] = enum_column(Role, nullable=False, index=True)
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

    # Flask-Login: a disabled account, or one of a deactivated unit or acceptance point, is
    # signed out.
    @property
    def is_active(self) -> bool:
        return (bool(self.active) and (self.unit is None or bool(self.unit.active))
                and (self.acceptance_point is None or bool(self.acceptance_point.active)))

    @property
    def mobile(self) -> str:
        """Where the account's own SMS go: the unit's contact or the applicant's mobile."""
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
