"""Declarative base, shared column types and mixins."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Telegram ids exceed 32 bits: those columns say BigInteger explicitly.
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012
        int: Integer(),
        datetime: UTCDateTime(),
    }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def dialect_name(session: AsyncSession) -> str:
    """ "sqlite" or "postgresql": the few statements that differ between the two ask this."""
    return session.get_bind().dialect.name


def among(
    session: AsyncSession, column: Any, ids: Iterable[int] | Iterable[str]
) -> ColumnElement[bool]:
    """`column IN (ids)` with the ids in one bound parameter: a JSON array read by json_each on
    SQLite, an array on PostgreSQL. SQLAlchemy renders a plain IN list anew on each execution,
    one parameter per id, which cost the reminder sweep more than SQLite's own work; this
    statement's text stays the same, so it is compiled once."""
    values = list(ids)
    if dialect_name(session) == "postgresql":
        kind = String if values and isinstance(values[0], str) else BigInteger
        array = bindparam(None, values, type_=ARRAY(kind))
        return column == any_(array)  # type: ignore[no-any-return]  # column is Any
    return column.in_(  # type: ignore[no-any-return]  # column is Any
        select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(values), type_=String))
        )
    )


def rowcount(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched (DML returns a cursor result)."""
    return cast(CursorResult[Any], result).rowcount
