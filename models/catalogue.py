"""The title catalogue: series (申报系列), their specialties and qualification names per level."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zcps.extensions import db

from .base import SharedReference as Catalogue
from .base import enum_column
from .enums import TitleLevel


class TitleSeries(Catalogue, db.Model):
    __tablename__ = "title_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    sort_order: Mapped[int] = mapped_column(nullable=False, default=0)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)

    specialties = relationship(
        "TitleSpecialty", back_populates="series", order_by="TitleSpecialty.sort_order"
    )
    qualifications = relationship(
        "TitleQualification", back_populates="series", order_by="TitleQualification.sort_order"
    )

    def __str__(self) -> str:
        return self.name


class TitleSpecialty(Catalogue, db.Model):
    __tablename__ = "title_specialty"
    __table_args__ = (sa.UniqueConstraint("series_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("title_series.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sort_order: Mapped[int] = mapped_column(nullable=False, default=0)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)

    series = relationship("TitleSeries", back_populates="specialties")

    def __str__(self) -> str:
        return self.name


class TitleQualification(Catalogue, db.Model):
    """A qualification name (资格名称) of a series at one level, e.g. 工程 · 副高级 · 高级工程师."""

    __tablename__ = "title_qualification"
    __table_args__ = (sa.UniqueConstraint("series_id", "level", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        sa.ForeignKey("title_series.id"), nullable=False, index=True
    )
    level: Mapped[TitleLevel] = enum_column(TitleLevel, nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sort_order: Mapped[int] = mapped_column(nullable=False, default=0)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)

    series = relationship("TitleSeries", back_populates="qualifications")

    def __str__(self) -> str:
        return self.name
