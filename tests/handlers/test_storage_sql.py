"""Without REDIS_URL the forms live in the bot's database: a restarted bot keeps a
half-filled form (registration here; every form goes through the same storage)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_dispatcher, create_storage
from bot.sqlstorage import SqlStorage, copied
from bot.unit import LAST_QUESTION
from models.database import INLINE_READS
from models.forms import FormDraft
from tests.conftest import make_settings
from tests.driver import Person, detach_routers, said
from tests.handlers.flows import give_consent
from tests.mocked_bot import MockedBot


async def test_a_half_filled_form_survives_a_restart_without_redis(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(database_url, redis_url=None)
    assert isinstance(create_storage(settings, session_pool), SqlStorage)
    first = create_dispatcher(settings, session_pool)  # the storage the bot picks itself
    teacher = Person(first, MockedBot(), 6101)
    await give_consent(teacher)
    await teacher.send("Иванова Мария Петровна")
    await first.storage.close()
    detach_routers(first)
    async with session_pool() as session:
        row = await session.scalar(select(FormDraft).where(FormDraft.user_id == 6101))
    assert row is not None
    assert row.data["full_name"] == "Иванова Мария Петровна"

    second = create_dispatcher(settings, session_pool)  # a new process: nothing in memory
    resumed = Person(second, MockedBot(), 6101)
    try:
        assert said(await resumed.send("преподаватель"), "предметно-цикловая комиссия")
    finally:
        detach_routers(second)


def record_form_writes(
    storage: SqlStorage, writes: list[tuple[str | None, dict[str, Any]]]
) -> None:
    """Each form the storage writes from now on is appended to `writes` as (state, data)."""
    write_form = storage.write_form

    async def recorded(key: Any, state: str | None, data: Mapping[str, Any]) -> None:
        writes.append((state, dict(data)))
        await write_form(key, state, data)

    storage.write_form = recorded  # type: ignore[method-assign]


@asynccontextmanager
async def forms_in_the_database(
    database_url: str, session_pool: async_sessionmaker[AsyncSession], user_id: int
) -> AsyncIterator[tuple[Person, SqlStorage]]:
    """A bot keeping its forms in its database (no Redis) and one person talking to it."""
    settings = make_settings(database_url, redis_url=None)
    dispatcher = create_dispatcher(settings, session_pool)
    storage = dispatcher.storage
    assert isinstance(storage, SqlStorage)
    try:
        yield Person(dispatcher, MockedBot(), user_id), storage
    finally:
        await storage.close()
        detach_routers(dispatcher)


async def test_a_form_answer_is_stored_in_one_write_with_its_question(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """A typed answer moves the form to its next step: the step, the answer and the question
    about to be sent are one write, made before the question goes out (it was two: the step
    before the question, the question itself after it — each a turn of SQLite's single
    writer, which every person's answer waits for; benchmarks/latency.py)."""
    writes: list[tuple[str | None, dict[str, Any]]] = []
    async with forms_in_the_database(database_url, session_pool, 6102) as (teacher, storage):
        await give_consent(teacher)
        record_form_writes(storage, writes)
        replies = await teacher.send("Иванова Мария Петровна")
        assert said(replies, "должность")
        assert len(writes) == 1, writes
        state, data = writes[0]
        assert state is not None
        assert data["full_name"] == "Иванова Мария Петровна"
        question, _keyboard = data[LAST_QUESTION]
        assert "должность" in question  # stored with the step, before it was sent
        writes.clear()
        assert said(await teacher.send("/help"), "/")  # nothing changed: nothing written
        assert writes == []


async def test_a_pressed_option_and_the_next_question_are_one_write(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """A pressed option is shown in its message (an edit), then the next step's question is
    sent: the answer waits for the step's move and goes with it, one write (it was two — the
    answer alone before the edit, then the step and its question; issue 18)."""
    writes: list[tuple[str | None, dict[str, Any]]] = []
    async with forms_in_the_database(database_url, session_pool, 6104) as (teacher, storage):
        await give_consent(teacher)
        for answer in ("Иванова Мария Петровна", "преподаватель", "ПЦК информатики", "Информатика"):
            await teacher.send(answer)
        assert said(await teacher.send("3"), "категория")
        record_form_writes(storage, writes)
        replies = await teacher.press("Первая категория")
        assert said(replies, "Квалификационная категория: Первая категория")  # the edit
        assert said(replies, "В какой роли")
        assert len(writes) == 1, writes
        state, data = writes[0]
        assert state == "Registration:choosing_role"
        assert data["qualification"] == "first"
        assert "В какой роли" in data[LAST_QUESTION][0]


async def test_a_newcomers_start_writes_no_form(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """/start clears the form of whoever sends it; a newcomer has none, and clearing nothing is
    not a write (it was one: a row holding only the update's mark, a second turn of SQLite's
    single writer after the person's own row, for every newcomer)."""
    writes: list[tuple[str | None, dict[str, Any]]] = []
    async with forms_in_the_database(database_url, session_pool, 6103) as (teacher, storage):
        record_form_writes(storage, writes)
        assert said(await teacher.send("/start"), "Согласие")
        assert writes == []
        await teacher.press("Согласен")  # the registration begins: its first step is stored
        assert writes != []
    async with session_pool() as session:
        row = await session.scalar(select(FormDraft).where(FormDraft.user_id == 6103))
    assert row is not None
    assert row.state is not None


async def test_a_form_is_written_in_one_statement_without_reading_it_first(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """A form's step is one INSERT … ON CONFLICT DO UPDATE, not a SELECT of the row and then
    an INSERT or UPDATE through the ORM (issue 18: a read and a flush in front of most
    updates' one write); on SQLite within an update the statement and its COMMIT go straight
    to SQLite. A row that disappeared behind the storage's back (an erasure) is written
    again; an emptied form is deleted, and a form never stored is not deleted again."""
    storage = SqlStorage(session_pool)
    key = StorageKey(bot_id=42, chat_id=6103, user_id=6103)
    engine = session_pool.kw["bind"]
    sqlite = engine.dialect.name == "sqlite"
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split()[0].upper())

    async def stored() -> tuple[str | None, Any]:
        async with session_pool() as session:
            row = await session.get(FormDraft, storage.key_builder.build(key))
            return (row.state, row.data) if row is not None else (None, None)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        await storage.write_form(key, "Form:first", {"a": [1, 2]})
        assert statements == ["INSERT"]
        await storage.write_form(key, "Form:second", {"a": [1, 2], "b": "x"})
        assert statements == ["INSERT", "INSERT"]
        assert await stored() == ("Form:second", {"a": [1, 2], "b": "x"})
        statements.clear()
        token = INLINE_READS.set(True)  # as within an update
        try:
            await storage.write_form(key, "Form:third", {"c": "т", "d": None})
        finally:
            INLINE_READS.reset(token)
        assert statements == ([] if sqlite else ["INSERT"])
        assert await stored() == ("Form:third", {"c": "т", "d": None})
        async with session_pool() as session:
            await session.execute(delete(FormDraft))
            await session.commit()
        statements.clear()
        await storage.write_form(key, "Form:fourth", {"e": 5})
        assert statements == ["INSERT"]
        storage.forget_cached()
        assert await storage.get_state(key) == "Form:fourth"
        assert await storage.get_data(key) == {"e": 5}
        statements.clear()
        await storage.write_form(key, None, {})
        await storage.write_form(key, None, {})
        assert statements == ["DELETE"]
        assert await stored() == (None, None)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)


def test_a_forms_data_is_copied_not_shared() -> None:
    data: dict[str, Any] = {"list": [1, {"x": [2]}], "text": "т", "n": 1.5, "none": None}
    copy = copied(data)
    assert copy == data
    assert copy["list"] is not data["list"]
    assert copy["list"][1]["x"] is not data["list"][1]["x"]
    odd = {"set": {1, 2}}
    assert copied(odd)["set"] == {1, 2}
    assert copied(odd)["set"] is not odd["set"]
