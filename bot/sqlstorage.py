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
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.forms import FormDraft

Form = tuple[str | None, dict[str, Any]]


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
        stored: dict[str, Any] = copy.deepcopy(dict(data))
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

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.write_form(key, value, (await self._read(key))[1])

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.write_form(key, (await self._read(key))[0], data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._read(key))[1])

    def forget_cached(self) -> None:
        """Read every form from the database again (after an erasure changed some there)."""
        self._known.clear()

    async def close(self) -> None:
        self._known.clear()
