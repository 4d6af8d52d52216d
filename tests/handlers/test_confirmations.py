"""Nothing that cannot be taken back happens before a summary is confirmed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.pairs import Pair
from tests.driver import Person, said
from tests.factories import make_mentor, make_teacher


async def pairs_count(session_pool: async_sessionmaker[AsyncSession]) -> int:
    async with session_pool() as session:
        return await session.scalar(select(func.count()).select_from(Pair)) or 0


async def test_a_pair_proposal_is_sent_only_after_the_summary_is_confirmed(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, full_name="Зайцева Мария Андреевна")
        await make_mentor(session, full_name="Иванов Сергей Петрович")
    await curator.send("/pair")
    await curator.press("Зайцева")
    await curator.press("1. Иванов")
    await curator.press("Готово")
    summary = await curator.press("преподаватель – молодой преподаватель")
    assert said(summary, "Проверьте предложение")
    assert said(summary, "Наставляемый: Зайцева Мария Андреевна")
    assert await pairs_count(session_pool) == 0
    cancelled = await curator.press("Отмена")
    assert said(cancelled, "Отменено, ничего не отправлено")
    assert await pairs_count(session_pool) == 0
    # The «Send» button of the cancelled summary is stale now: nothing is sent by it.
    stale = await curator.press_data("ppc:1")
    assert said(stale, "Это предложение уже не открыто")
    assert await pairs_count(session_pool) == 0
