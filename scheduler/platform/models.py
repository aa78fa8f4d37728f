"""The model base every domain's tables derive from: one metadata with one naming convention."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    DateTime,
    MetaData,
    Table,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: type[StrEnum]) -> str:
    """The SQL of a CHECK that ``column`` holds one of an enum's values (the enum is the one
    list; the migrations created the same text)."""
    return f"{column} IN ({', '.join(sql_literal(value) for value in values)})"


def sql_literal(value: StrEnum) -> str:
    """A value of one of our enums as an SQL literal, for raw statements and predicates (the
    values are identifiers we chose: no quote to escape, which the assert keeps true)."""
    assert "'" not in value
    return f"'{value.value}'"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # SQLAlchemy types __table__ as any FromClause, since a class may be mapped to a select;
        # every model here is declared with __tablename__, so it is a Table (insert(), .c, ...).
        __table__: ClassVar[Table]


def server_now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )
