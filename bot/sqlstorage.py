"""aiogram's FSM storage in the bot's own database, used when REDIS_URL is not set: a form
typed half-way (registration, a programme draft, a broadcast…) survives a restart.

Without Redis the bot runs as one process, so what this process wrote is also kept in memory:
reads cost no query after a person's first update, writes go to the database first."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import dialect_name, utcnow
from models.forms import FormDraft

Form = tuple[str | None, dict[str, Any]]
_TABLE = cast(Table, FormDraft.__table__)  # Core statements: their values are bound parameters
_DELETE = delete(_TABLE).where(_TABLE.c.key == bindparam("name"))


@cache
def _upsert(dialect: str) -> Any:
    """A form's step and answers written whether or not its row exists yet: one statement,
    no read first (SQLite and PostgreSQL both have INSERT … ON CONFLICT DO UPDATE)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_TABLE).values(
        key=bindparam("name"),
        user_id=bindparam("user"),
        state=bindparam("state"),
        data=bindparam("data"),
        updated_at=bindparam("moment"),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"state": new.state, "data": new.data, "updated_at": new.updated_at},
    )


def copied(value: Any) -> Any:
    """A copy of a form's data: JSON-like values (dicts, lists, strings, numbers), so no
    shared list or dict can be changed behind the storage's back. copy.deepcopy did the same
    with a memo and a dispatch per value: ~80 µs a form, on every read and write."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    if kind is list:
        return [copied(item) for item in value]
    if kind in (str, int, float, bool, type(None)):
        return value
    return copy.deepcopy(value)  # anything else a handler put there, as before


class SqlStorage(BaseStorage):
    def __init__(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        self.pool = session_pool
        self.key_builder = DefaultKeyBuilder(with_bot_id=True)
        self._known: dict[str, Form] = {}

    async def _read(self, key: StorageKey) -> Form:
        name = self.key_builder.build(key)
        if name not in self._known:
            async with self.pool() as session:
                row = await session.get(FormDraft, name)
                self._known[name] = (row.state, dict(row.data or {})) if row else (None, {})
        return self._known[name]

    async def write_form(self, key: StorageKey, state: str | None, data: Mapping[str, Any]) -> None:
        """State and data in one statement and its commit (bot.unit flushes an update's form
        with it); an empty form is deleted. On SQLite within an update the statement and its
        COMMIT go at once, with no ORM read or flush (models.database.OneHopSession.write_now)."""
        name = self.key_builder.build(key)
        stored: dict[str, Any] = copied(dict(data))
        empty = state is None and not stored
        if empty and self._known.get(name) == (None, {}):
            return  # no row: nothing to delete
        values: dict[str, Any] = (
            {"name": name}
            if empty
            else {
                "name": name,
                "user": key.user_id,
                "state": state,
                "data": stored,
                "moment": utcnow(),
            }
        )
        async with self.pool() as session:
            statement = _DELETE if empty else _upsert(dialect_name(session))
            write_now = getattr(session, "write_now", None)
            if write_now is None or await write_now(statement, values) is None:
                await session.execute(statement, values)
                await session.commit()
        self._known[name] = (state, stored)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.write_form(key, value, (await self._read(key))[1])

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.write_form(key, (await self._read(key))[0], data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copied((await self._read(key))[1])  # type: ignore[no-any-return]

    def forget_cached(self) -> None:
        """Read every form from the database again (after an erasure changed some there)."""
        self._known.clear()

    async def close(self) -> None:
        self._known.clear()
