"""One update = one unit of work (bot.unit): a form advances only after its answer is saved,
read-only commands never claim something was not saved, a hanging Telegram holds no database
connection, a redelivered form answer is not applied twice, and a read-only update writes
nothing to the database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import TrackingDispatcher, create_dispatcher
from models.database import (
    create_engine,
    create_session_pool,
    sqlite_in_transaction,
    upgrade_database,
)
from models.participant import Participant
from models.updates import ProcessedUpdate
from tests.conftest import make_settings
from tests.driver import Person, detach_routers, said
from tests.factories import make_running_programme
from tests.handlers.flows import ROLE_MENTEE, fill_mentee, give_consent, register, stored
from tests.mocked_bot import MockedBot

BUSY = "База данных сейчас занята"
NOT_SAVED = "не сохранилось"


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
    """Another writer holds the database for as long as the test says."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


async def answer_as_told(person: Person, text: str) -> None:
    """Type an answer; when the bot says it was not saved, type it again, as it asks."""
    replies = await person.send(text)
    if said(replies, BUSY):
        await person.send(text)


async def test_a_locked_database_during_each_form_step_shifts_no_answer(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]],
    local_person: Callable[..., Person],
) -> None:
    path, pool = sqlite_file
    teacher = local_person(7101)
    await give_consent(teacher)
    answers = ("Петрова Анна", "методист", "ПЦК экономики", "Экономика", "7")
    for answer in answers:
        holder = lock(path)  # every typed step meets a locked file
        try:
            await answer_as_told(teacher, answer)
        finally:
            holder.rollback()
            holder.close()
    await teacher.press("Без категории")  # saves the profile: the file is free now
    person = await stored(pool, teacher.user_id)
    assert person is not None
    assert (
        person.full_name,
        person.position,
        person.department,
        person.subjects,
        person.experience_years,
    ) == ("Петрова Анна", "методист", "ПЦК экономики", "Экономика", 7)


async def test_a_form_step_whose_save_fails_is_asked_again_not_skipped(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]],
    local_person: Callable[..., Person],
) -> None:
    """The step that writes (the category saves the profile) fails on the lock: the form
    stays at that step, so pressing again saves it, and the next question follows."""
    path, pool = sqlite_file
    teacher = local_person(7102)
    await give_consent(teacher)
    for answer in ("Петрова Анна", "методист", "ПЦК экономики", "Экономика", "7"):
        await teacher.send(answer)
    holder = lock(path)
    try:
        replies = await teacher.press("Без категории")
    finally:
        holder.rollback()
        holder.close()
    assert said(replies, BUSY)
    person = await stored(pool, teacher.user_id)
    assert person is not None
    assert person.full_name is None
    await teacher.send("/help")  # something in between changes nothing
    await teacher.press("Без категории")
    assert said(await teacher.press(ROLE_MENTEE), "затруднения")
    await fill_mentee(teacher)
    person = await stored(pool, teacher.user_id)
    assert person is not None
    assert person.is_registered
    assert person.position == "методист"


async def test_read_only_commands_on_a_locked_database_never_say_not_saved(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]],
    local_person: Callable[..., Person],
) -> None:
    path, pool = sqlite_file
    async with pool() as session:
        programme = await make_running_programme(session)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    assert mentee is not None
    teacher = local_person(mentee.telegram_id)
    holder = lock(path)
    try:
        for command in ("/help", "/plan", "/profile", "/cancel", "/programme"):
            replies = await teacher.send(command)
            assert replies, command
            assert not said(replies, BUSY), command
            assert not said(replies, NOT_SAVED), command
    finally:
        holder.rollback()
        holder.close()


async def test_a_redelivered_form_answer_is_not_applied_to_the_next_step(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(7103)
    await give_consent(teacher)
    await teacher.send("Петрова Анна")
    await teacher.send("методист")
    assert not await teacher.redeliver()  # the same update again: nothing happens
    for answer in ("ПЦК экономики", "Экономика", "7"):
        await teacher.send(answer)
    await teacher.press("Без категории")
    person_row = await stored(session_pool, teacher.user_id)
    assert person_row is not None
    assert (person_row.position, person_row.department) == ("методист", "ПЦК экономики")


async def test_read_only_updates_write_nothing_and_changes_are_marked_once(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(7104)
    await register(teacher)
    async with session_pool() as session:
        before = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    await teacher.send("/help")
    await teacher.send("/profile")
    await teacher.send("/cancel")
    async with session_pool() as session:
        after = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert after == before  # nothing to protect from a redelivery: no mark, no commit
    await teacher.send("/lang")
    replies = await teacher.press("English")
    assert said(replies, "English")
    assert not await teacher.redeliver()  # a change: marked with it, skipped when redelivered


async def test_hanging_sends_in_20_chats_leave_the_others_answered_within_5_s(
    person: Callable[..., Person], bot: MockedBot
) -> None:
    """Telegram never answers 20 chats. Their updates wait on Telegram holding no database
    connection, so the pool (5 + 10 by default) stays free for everyone else."""
    stuck = [person(7200 + i) for i in range(20)]
    for each in stuck:
        await register(each)
    bot.session.hanging.update(each.user_id for each in stuck)
    waiting = [asyncio.create_task(each.send("/help")) for each in stuck]
    waiting += [asyncio.create_task(each.send("/profile")) for each in stuck[:10]]
    await asyncio.sleep(0.2)
    try:
        bystanders = [person(7300), person(7301)]
        await register(bystanders[1])
        async with asyncio.timeout(5):
            assert said(await bystanders[0].send("/start"), "Наставник")
            assert said(await bystanders[1].send("/help"), "/plan")
            assert said(await bystanders[1].send("/profile"), "Иванова Мария")
    finally:
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
    assert not any(task.done() and not task.cancelled() for task in waiting)


async def test_help_and_cancel_and_a_form_answer_take_at_most_two_statements(
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
    dispatcher: TrackingDispatcher,
) -> None:
    """What issue 18 measures: a read-only command or a typed form answer reads the person
    (and whether the update was processed) and nothing else; no commit. (Past the first
    updates after a start, whose tries are counted in the database: bot.factory.WATCH_FIRST.)"""
    dispatcher.watch_left = 0
    teacher = person(7105)
    await register(teacher)
    newcomer = person(7106)
    await give_consent(newcomer)
    engine = session_pool.kw["bind"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0].upper())

    def commit(connection) -> None:  # type: ignore[no-untyped-def]
        # a COMMIT that reaches the database: on SQLite only one with a transaction open
        if engine.dialect.name != "sqlite" or sqlite_in_transaction(
            connection.connection.dbapi_connection
        ):
            statements.append("COMMIT")

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    event.listen(engine.sync_engine, "commit", commit)
    try:
        for who, text in ((teacher, "/help"), (teacher, "/cancel"), (newcomer, "Петрова Анна")):
            statements.clear()
            await who.send(text)
            assert statements, text
            assert set(statements) <= {"SELECT", "COMMIT"}, (text, statements)
            # PostgreSQL ends the read with a COMMIT before replying (no connection held)
            assert len([s for s in statements if s == "SELECT"]) <= 2, (text, statements)
            if engine.dialect.name == "sqlite":
                assert len(statements) <= 2, (text, statements)
                assert "COMMIT" not in statements, (text, statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        event.remove(engine.sync_engine, "commit", commit)


async def test_a_read_only_database_is_reported_as_read_only_not_busy(
    sqlite_file: tuple[Path, async_sessionmaker[AsyncSession]], bot: MockedBot
) -> None:
    """Issue 12: a database that refuses every write was reported «busy, send it again» —
    which never helps. The person is told it is read-only; reading still answers."""
    path, pool = sqlite_file
    async with pool() as session:
        programme = await make_running_programme(session)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    assert mentee is not None
    read_only_url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    engine = create_engine(read_only_url, busy_timeout=0.2)
    dispatcher = create_dispatcher(
        make_settings(read_only_url), create_session_pool(engine), storage=MemoryStorage()
    )
    try:
        teacher = Person(dispatcher, bot, mentee.telegram_id)
        assert said(await teacher.send("/plan"), "░")  # reading works
        await teacher.send("/request")
        replies = await teacher.press("Заменить наставника")
        await teacher.send("Не совпадают расписания")
        replies = await teacher.press("Отправить обращение")
        assert said(replies, "база данных открыта только для чтения"), replies
        assert not said(replies, BUSY)
    finally:
        detach_routers(dispatcher)
        await engine.dispose()
