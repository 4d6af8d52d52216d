"""With REDIS_URL the FSM lives in Redis: a restarted bot keeps a half-filled form."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_dispatcher, create_storage
from tests.conftest import REDIS_URL, make_settings
from tests.driver import Person, detach_routers, said
from tests.handlers.flows import give_consent
from tests.mocked_bot import MockedBot

pytestmark = pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set")


async def forget(storage: RedisStorage, bot_id: int) -> None:
    """Remove this test's keys from the shared Redis and close the storage."""
    keys = [key async for key in storage.redis.scan_iter(f"fsm:{bot_id}:*")]
    if keys:
        await storage.redis.delete(*keys)
    await storage.close()


async def test_a_half_filled_form_survives_a_restart(
    sqlite_url: str,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    settings = make_settings(sqlite_url, redis_url=REDIS_URL)
    # A random bot id keeps this test's keys apart from anything else in the local Redis.
    bot_id = secrets.randbelow(10**9) + 1
    token = f"{bot_id}:TEST-redis-token-abcdef"

    first_storage = create_storage(settings)
    assert isinstance(first_storage, RedisStorage)
    first = create_dispatcher(settings, session_pool, storage=first_storage)
    teacher = Person(first, MockedBot(token), 6001)
    await give_consent(teacher)
    await teacher.send("Иванова Мария")
    await first_storage.close()
    detach_routers(first)

    second_storage = create_storage(settings)
    second = create_dispatcher(settings, session_pool, storage=second_storage)
    resumed = Person(second, MockedBot(token), 6001)
    try:
        assert said(await resumed.send("преподаватель"), "предметно-цикловая комиссия")
    finally:
        await forget(second_storage, bot_id)
        detach_routers(second)


async def test_two_workers_take_one_persons_updates_one_at_a_time(
    sqlite_url: str,
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A person's three quick answers handled at once as if by different worker processes
    (the in-process lock is switched off): the Redis lock per person makes each answer read the
    step the previous one left."""
    settings = make_settings(sqlite_url, redis_url=REDIS_URL)
    bot_id = secrets.randbelow(10**9) + 1
    storage = create_storage(settings)
    dispatcher = create_dispatcher(settings, session_pool, storage=storage)
    monkeypatch.setattr(dispatcher.per_person, "hold", lambda _key: contextlib.nullcontext())
    teacher = Person(dispatcher, MockedBot(f"{bot_id}:TEST-redis-token-abcdef"), 6002)
    answers = ["Иванова Мария Петровна", "преподаватель", "ПЦК информационных технологий"]
    try:
        await give_consent(teacher)
        await asyncio.gather(*(teacher.send(answer) for answer in answers))
        data = await storage.get_data(StorageKey(bot_id=bot_id, chat_id=6002, user_id=6002))
        stored = [data.get(key) for key in ("full_name", "position", "department")]
        assert sorted(map(str, stored)) == sorted(answers)
    finally:
        await forget(storage, bot_id)
        detach_routers(dispatcher)


async def test_erased_traces_are_replaced_in_forms_kept_in_redis() -> None:
    """bot.forms over Redis: another person's draft keeps its place, loses the erased name."""
    from bot.forms import scrub_forms

    storage = RedisStorage.from_url(REDIS_URL)
    bot_id = 900_000 + secrets.randbelow(99_999)
    key = StorageKey(bot_id=bot_id, chat_id=31, user_id=31)
    other = StorageKey(bot_id=bot_id, chat_id=32, user_id=32)
    try:
        await storage.set_data(key, {"text": "Урок ведёт Смирнова Елена", "ids": [5]})
        await storage.set_data(other, {"text": "Ничего о ней"})
        assert await scrub_forms(storage, ["Смирнова Елена"]) >= 1
        assert await storage.get_data(key) == {"text": "Урок ведёт —", "ids": [5]}
        assert await storage.get_data(other) == {"text": "Ничего о ней"}
    finally:
        await forget(storage, bot_id)
