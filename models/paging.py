"""One page of a list: from SQL with LIMIT size + 1 (the extra row only says whether a next
page exists), or of a list already ranked in Python (bank search, the staff list)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # from 0
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 0


async def page_of(session: AsyncSession, statement: Select[T], number: int, size: int) -> Page[T]:
    """Rows of `statement` (already ordered) on page `number`: reads size + 1 rows, no more."""
    number = max(number, 0)
    rows = list(await session.scalars(statement.offset(number * size).limit(size + 1)))
    return Page(rows[:size], number, len(rows) > size)


def slice_page(items: Sequence[T], number: int, size: int) -> Page[T]:
    number = max(number, 0)
    return Page(
        list(items[number * size : (number + 1) * size]), number, len(items) > (number + 1) * size
    )
