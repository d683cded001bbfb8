"""Shared building blocks of the models: labelled enums, timestamps and row scoping."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale, gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from markupsafe import escape
from sqlalchemy.orm import Mapped, mapped_column

from zcps import clock
from zcps.extensions import db

# The largest primary key a table holds (INTEGER on every database the app runs on).
MAX_ID = 2**31 - 1


def to_id(value) -> int | None:
    """``value`` (from a form, an address or a query string) as a primary key, or ``None``
    when it cannot be one: not a whole number, below 1, or beyond any INTEGER column."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def word_index(name: str, column: str) -> sa.Index:
    """A pg_trgm index on ``column``: a search for a word within it (``ILIKE '%word%'``) reads
    the index rather than the table. PostgreSQL only; MariaDB and SQLite scan the column."""
    return sa.Index(name, column, postgresql_using="gin",
                    postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")


def prefix_index(name: str, *columns: str) -> sa.Index:
    """A b-tree serving ``LIKE 'beginning%'`` on the last of ``columns`` under PostgreSQL's
    collations (varchar_pattern_ops); the other databases' own b-trees already do."""
    return sa.Index(name, *columns, postgresql_ops={columns[-1]: "varchar_pattern_ops"}
                    ).ddl_if(dialect="postgresql")


def code_index(name: str, column: str) -> sa.Index:
    """A b-tree on a code column serving equality and ``LIKE 'beginning%'`` on every database
    (on PostgreSQL with varchar_pattern_ops, which its collations need for the prefix)."""
    return sa.Index(name, column, postgresql_ops={column: "varchar_pattern_ops"})


def utcnow() -> datetime:
    """Now as naive UTC (what the columns hold), from the movable clock."""
    return clock.now()


# (reader's locale, Chinese label) → the label in that language; a few hundred entries at most.
_LABELS: dict = {}


class LabeledEnum(str, enum.Enum):
    """A status value: stored as its code, shown as the words of the real platform.

    ``label`` is the word in the reader's language (Chinese unless they switched); ``zh`` is the
    Chinese source, for what is written down whatever the reader's language (SMS, documents).
    """

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        # Labels are written _l("…") so that Babel extracts them; the source text is its msgid.
        member.zh = label._args[0] if isinstance(label, LazyString) else label
        member.lazy_label = lazy_gettext(member.zh)
        return member

    @property
    def label(self) -> str:
        # Lists show a label in every row: the words of a language are looked up once.
        key = (get_locale(), self.zh)
        label = _LABELS.get(key)
        if label is None:
            label = _LABELS[key] = gettext(self.zh)
        return label

    def __str__(self) -> str:
        return self.label

    def __html__(self) -> str:
        # In a template a member reads as its label; its code never reaches a page.
        return str(escape(self.label))

    @classmethod
    def unknown(cls, code: str) -> "LabeledEnum":
        """A stand-in for a code this version does not know: it reads as the raw code and
        equals no member (never built from what a form posts: ``cls(code)`` refuses it)."""
        member = str.__new__(cls, code)
        member._value_ = code
        member._name_ = code
        member.zh = code
        member.lazy_label = code
        return member

    @property
    def known(self) -> bool:
        return self._value_ in type(self)._value2member_map_

    @classmethod
    def choices(cls):
        """(code, label) pairs for a select; the labels follow the reader's language."""
        return [(member.value, member.lazy_label) for member in cls]


class CodeEnum(sa.Enum):
    """A ``LabeledEnum`` stored as its code. A code the enum does not know (a row written
    around the CHECK constraint, or by a newer version of zcps) is read as an unknown member
    showing the raw code, so the pages holding it still render."""

    cache_ok = True

    def _object_value_for_elem(self, elem):
        try:
            return super()._object_value_for_elem(elem)
        except LookupError:
            return self.enum_class.unknown(elem)


def codes(enum_cls) -> list[str]:
    """The codes an enum column may hold (its CHECK constraint's list)."""
    return [member.value for member in enum_cls]


def code_check(column_name: str, enum_cls) -> sa.CheckConstraint:
    """The CHECK constraint of an enum column: its code is one of the enum's (NULL allowed
    where the column is nullable). Named ``ck_<table>_<column>``."""
    listed = ", ".join(f"'{code}'" for code in codes(enum_cls))
    return sa.CheckConstraint(f"{column_name} IN ({listed})", name=column_name)


def enum_column(enum_cls, length: int = 20, **kwargs):
    """A portable enum column: VARCHAR holding the code (no native ENUM types to migrate), and
    a CHECK constraint listing the enum's codes, generated here from the enum (a migration
    brings the database's constraint along when a code is added)."""
    longest = max(len(member.value) for member in enum_cls)
    column = mapped_column(
        CodeEnum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=max(longest, length),
            values_callable=codes,
            validate_strings=True,
        ),
        **kwargs,
    )

    def add_check(attached, table):
        table.append_constraint(code_check(attached.name, enum_cls))

    sa.event.listen(column.column, "after_parent_attach", add_check)
    return column


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class Scoped:
    """Row scoping by actor: the one place that decides who sees which rows.

    A model names, per role, the column that must equal the actor's own key
    (``unit_id`` for an employer, ``applicant_id`` for an applicant, ``acceptance_point_id`` for
    an acceptance point). A role that is not named sees nothing; the platform admin sees all.
    Models with a rule that is not a single column override :meth:`scope_clause`.
    """

    __scope__: dict = {}
    # (foreign key column, parent model): rows are visible when their parent is.
    __scope_parent__: tuple | None = None

    @classmethod
    def scope_clause(cls, actor):
        if actor is None or not getattr(actor, "is_authenticated", False):
            return sa.false()
        if actor.is_platform_admin:
            return sa.true()
        if cls.__scope_parent__ is not None:
            fk_name, parent = cls.__scope_parent__
            return getattr(cls, fk_name).in_(
                sa.select(parent.id).where(parent.scope_clause(actor)).scalar_subquery()
            )
        column_name = cls.__scope__.get(actor.role.value)
        key = actor.scope_key
        if column_name is None or key is None:
            return sa.false()
        return getattr(cls, column_name) == key

    @classmethod
    def query_for(cls, actor):
        """Legacy ``Query`` (what Flask-Admin's SQLAlchemy views work with)."""
        return db.session.query(cls).filter(cls.scope_clause(actor))

    @classmethod
    def select_for(cls, actor):
        return sa.select(cls).where(cls.scope_clause(actor))

    @classmethod
    def get_for(cls, actor, pk):
        """One row by primary key, or ``None`` when it does not exist or is outside the scope."""
        pk = to_id(pk)
        if pk is None:
            return None
        return db.session.execute(cls.select_for(actor).where(cls.id == pk)).scalar_one_or_none()

    def assign_owner(self, actor) -> None:
        """Set the scope column from the actor, so a forged form field cannot move a row."""
        if actor is None or actor.is_platform_admin:
            return
        column_name = self.__scope__.get(actor.role.value)
        if column_name is not None:
            setattr(self, column_name, actor.scope_key)


class SharedReference(Scoped):
    """Reference data (catalogue, calendar) every signed-in account may read; the admin edits it."""

    @classmethod
    def scope_clause(cls, actor):
        if actor is not None and getattr(actor, "is_authenticated", False):
            return sa.true()
        return sa.false()
