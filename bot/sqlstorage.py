"""aiogram's FSM storage in the bot's own database, used when REDIS_URL is not set: a form
typed half-way (registration, a programme draft, a broadcast…) survives a restart.

Without Redis the bot runs as one process, so what this process wrote is also kept in memory:
reads cost no query after a person's first update, writes go to the database first."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import rowcount, utcnow
from models.forms import FormDraft

Form = tuple[str | None, dict[str, Any]]
_TABLE = FormDraft.__table__
assert isinstance(_TABLE, Table)
_UPDATE = (  # a known form's next step (SqlStorage._update), compiled once
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("name"))
    .values(state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("moment"))
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
        """State and data in one transaction (bot.unit flushes an update's form with it)."""
        name = self.key_builder.build(key)
        stored: dict[str, Any] = copied(dict(data))
        known = self._known.get(name)
        if known is not None and (known[0] is not None or known[1]) and (state or stored):
            # The row is there (this process wrote or read it): its UPDATE without reading it
            # first. Should it be gone after all (erased by another path), read and write.
            async with self.pool() as session:
                written = await self._update(session, name, state, stored)
            if written:
                self._known[name] = (state, stored)
                return
        async with self.pool() as session:
            row = await session.get(FormDraft, name)
            if state is None and not stored:
                if row is not None:
                    await session.execute(delete(FormDraft).where(FormDraft.key == name))
            elif row is None:
                session.add(FormDraft(key=name, user_id=key.user_id, state=state, data=stored))
            else:
                row.state, row.data = state, stored
            await session.commit()
        self._known[name] = (state, stored)

    @staticmethod
    async def _update(
        session: AsyncSession, name: str, state: str | None, data: dict[str, Any]
    ) -> bool:
        """The known row's new step and answers, one UPDATE; False if the row is gone. On
        SQLite within an update, the statement and its COMMIT go at once (no ORM flush)."""
        values = {"name": name, "state": state, "data": data, "moment": utcnow()}
        write_now = getattr(session, "write_now", None)
        count = await write_now(_UPDATE, values) if write_now is not None else None
        if count is None:
            count = rowcount(await session.execute(_UPDATE, values))
            await session.commit()
        return count == 1

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
