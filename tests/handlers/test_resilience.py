"""Bad moments through the real dispatcher: Telegram refusing replies for a while, a user who
blocks the bot mid-conversation, a locked SQLite file, a dropped PostgreSQL connection.
Whatever happens, a report is either saved once or the user is asked to send it again."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import SendMessage
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import models.progress
from bot.config import Settings
from bot.factory import create_dispatcher
from models.database import create_engine, create_session_pool, upgrade_database
from models.outbox import OutboxMessage
from models.participant import Participant
from models.programmes import Activity
from tests.conftest import CURATOR_ID, POSTGRES_URL, make_settings, reset_postgres
from tests.driver import Person, detach_routers, said
from tests.factories import make_running_programme
from tests.handlers.flows import register
from tests.mocked_bot import MockedBot

BUSY = "База данных сейчас занята"
REPORTED = "Отмечено"


async def at_the_evidence_step(
    pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> tuple[Person, Person]:
    """A running programme; the mentee has chosen activity 1 and written the comment."""
    async with pool() as session:
        programme = await make_running_programme(session)
        pair = programme.pair
        mentee = await session.get(Participant, pair.mentee_ids[0])
        mentor = await session.get(Participant, pair.mentor_id)
    assert mentee is not None
    assert mentor is not None
    teacher, adviser = person(mentee.telegram_id), person(mentor.telegram_id)
    await teacher.send("/done")
    await teacher.press("Мероприятие 1")
    assert said(await teacher.send("Провела открытый урок"), "Пропустить")
    return teacher, adviser


async def reports(pool: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with pool() as session:
        rows = await session.execute(
            select(Activity.status, Activity.report_comment).order_by(Activity.id)
        )
        return [(status.value, comment) for status, comment in rows]


# --- Telegram refusing ------------------------------------------------------------------


async def test_a_reply_refused_with_429_5xx_and_a_timeout_still_arrives_once(
    person: Callable[..., Person], bot: MockedBot
) -> None:
    teacher = person(5301)
    bot.session.faults = [
        TelegramRetryAfter(
            method=SendMessage(chat_id=5301, text="x"), message="429", retry_after=1
        ),
        TelegramServerError(method=SendMessage(chat_id=5301, text="x"), message="Bad Gateway"),
        TelegramNetworkError(method=SendMessage(chat_id=5301, text="x"), message="timeout"),
    ]
    requests = await teacher.send("/start")
    intro = [m for m in requests if isinstance(m, SendMessage) and "Наставник" in m.text]
    assert len(intro) == 4  # three refusals, then delivered
    assert not bot.session.faults


async def test_a_notice_telegram_keeps_refusing_goes_to_the_outbox(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    bot.session.down.add(CURATOR_ID)  # every call to the curator's chat fails with 502
    teacher = person(5302)
    await register(teacher)  # the curators are told of each registration
    async with session_pool() as session:
        queued = (await session.scalars(select(OutboxMessage))).all()
    assert [(m.kind, m.chat_id) for m in queued] == [("notice", CURATOR_ID)]
    # queued with the registration itself; the name is rendered at delivery, never stored
    assert queued[0].payload["notice"] == "participant.registered"
    assert queued[0].text == ""
    assert queued[0].status == "pending"  # the delivery job sends it when Telegram is back


async def test_a_user_who_blocks_the_bot_mid_conversation_is_marked_and_nothing_is_lost(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    teacher, _adviser = await at_the_evidence_step(session_pool, person)
    bot.session.blocked.add(teacher.user_id)  # blocks the bot right after pressing
    await teacher.press("Пропустить")
    assert (await reports(session_pool))[0] == ("reported", "Провела открытый урок")
    async with session_pool() as session:
        stored = await session.scalar(
            select(Participant).where(Participant.telegram_id == teacher.user_id)
        )
    assert stored is not None
    assert stored.unreachable_at is not None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


# --- a locked SQLite file -----------------------------------------------------------------


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[tuple[Path, async_sessionmaker]]:
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_timeout=0.2)
    await upgrade_database(engine)
    yield path, create_session_pool(engine)
    await engine.dispose()


@pytest.fixture
def local_person(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]], bot: MockedBot
) -> AsyncIterator[Callable[..., Person]]:
    path, pool = sqlite_file
    dispatcher = create_dispatcher(
        make_settings(f"sqlite+aiosqlite:///{path}"), pool, storage=MemoryStorage()
    )
    yield lambda user_id: Person(dispatcher, bot, user_id)
    detach_routers(dispatcher)


def lock(path: Path) -> sqlite3.Connection:
    """Another writer holds the database (e.g. an export or a second process)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


async def test_a_lock_released_during_the_retries_saves_the_report_once(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]],
    local_person: Callable[..., Person],
) -> None:
    path, pool = sqlite_file
    teacher, adviser = await at_the_evidence_step(pool, local_person)
    holder = lock(path)
    asyncio.get_running_loop().call_later(0.4, holder.rollback)  # the other writer finishes
    replies = await teacher.press("Пропустить")
    holder.close()
    assert said(replies, REPORTED, chat_id=teacher.user_id)
    assert not said(replies, BUSY)
    assert len([t for t in replies if isinstance(t, SendMessage) and REPORTED in t.text]) == 1
    assert said(replies, "отметил(а) выполнение мероприятия", chat_id=adviser.user_id)
    assert (await reports(pool))[0] == ("reported", "Провела открытый урок")


async def test_a_lock_that_outlasts_the_retries_asks_to_send_again_and_loses_nothing(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]],
    local_person: Callable[..., Person],
) -> None:
    path, pool = sqlite_file
    teacher, _adviser = await at_the_evidence_step(pool, local_person)
    holder = lock(path)
    try:
        replies = await teacher.press("Пропустить")
    finally:
        holder.rollback()
        holder.close()
    assert said(replies, BUSY)
    assert not said(replies, REPORTED)
    assert (await reports(pool))[0] == ("planned", None)  # nothing half-written
    # The button is still there and the form still at the same step: press it again.
    replies = await teacher.press("Пропустить")
    assert said(replies, REPORTED, chat_id=teacher.user_id)
    assert (await reports(pool))[0] == ("reported", "Провела открытый урок")


# --- a dropped PostgreSQL connection ------------------------------------------------------


@pytest.fixture
async def postgres() -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Settings]]:
    if POSTGRES_URL is None:
        pytest.skip("TEST_POSTGRES_URL is not set")
    await reset_postgres(POSTGRES_URL)
    engine = create_engine(POSTGRES_URL)
    await upgrade_database(engine)
    yield create_session_pool(engine), make_settings(POSTGRES_URL)
    await engine.dispose()


@pytest.fixture
def pg_person(
    postgres: tuple[async_sessionmaker[AsyncSession], Settings], bot: MockedBot
) -> AsyncIterator[Callable[..., Person]]:
    pool, settings = postgres
    dispatcher: Dispatcher = create_dispatcher(settings, pool, storage=MemoryStorage())
    yield lambda user_id: Person(dispatcher, bot, user_id)
    detach_routers(dispatcher)


async def drop_connections() -> None:
    """The server closes every other connection (a restart, a failover, an idle cut)."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    async with engine.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await engine.dispose()


async def test_connections_dropped_between_updates_are_replaced(
    postgres: tuple[async_sessionmaker[AsyncSession], Settings],
    pg_person: Callable[..., Person],
) -> None:
    pool, _settings = postgres
    teacher, _adviser = await at_the_evidence_step(pool, pg_person)
    await drop_connections()
    replies = await teacher.press("Пропустить")
    assert said(replies, REPORTED, chat_id=teacher.user_id)
    assert (await reports(pool))[0] == ("reported", "Провела открытый урок")


async def test_a_connection_dropped_in_the_middle_of_an_update_is_retried(
    postgres: tuple[async_sessionmaker[AsyncSession], Settings],
    pg_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, _settings = postgres
    teacher, _adviser = await at_the_evidence_step(pool, pg_person)
    report_part = models.progress.report_part
    dropped: list[bool] = []

    async def dropping_once(session: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        if not dropped:  # the server goes away while this update is in its transaction
            dropped.append(True)
            await drop_connections()
            await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return await report_part(session, *args, **kwargs)

    monkeypatch.setattr("handlers.activities.report_part", dropping_once)
    replies = await teacher.press("Пропустить")
    assert dropped
    assert said(replies, REPORTED, chat_id=teacher.user_id)
    assert not said(replies, BUSY)
    assert (await reports(pool))[0] == ("reported", "Провела открытый урок")
    assert [s for s, _ in await reports(pool)].count("reported") == 1


# --- a person typing faster than the bot answers ----------------------------------------------


async def test_answers_sent_in_quick_succession_land_in_their_own_steps(
    dispatcher: Dispatcher, person: Callable[..., Person], bot: MockedBot
) -> None:
    teacher = person(5311)
    await teacher.send("/start")
    await teacher.press("Согласен")
    # Three answers before the bot has replied to the first (aiogram runs updates as tasks).
    await asyncio.gather(
        teacher.send("Иванова Мария Петровна"),
        teacher.send("преподаватель"),
        teacher.send("ПЦК информационных технологий"),
    )
    key = StorageKey(bot_id=bot.id, chat_id=5311, user_id=5311)
    data = await dispatcher.storage.get_data(key)
    assert (data.get("full_name"), data.get("position"), data.get("department")) == (
        "Иванова Мария Петровна",
        "преподаватель",
        "ПЦК информационных технологий",
    )
