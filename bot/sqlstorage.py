"""aiogram's FSM storage in the bot's own database, used when REDIS_URL is not set: a form
typed half-way (registration, a programme draft, a broadcast…) survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.forms import FormDraft


class SqlStorage(BaseStorage):
    def __init__(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        self.pool = session_pool
        self.key_builder = DefaultKeyBuilder(with_bot_id=True)

    async def _row(self, session: AsyncSession, key: StorageKey) -> FormDraft | None:
        return await session.get(FormDraft, self.key_builder.build(key))

    async def _write(self, key: StorageKey, **values: Any) -> None:
        async with self.pool() as session:
            row = await self._row(session, key)
            if row is None:
                row = FormDraft(key=self.key_builder.build(key), user_id=key.user_id)
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            if row.state is None and not row.data:
                await session.execute(delete(FormDraft).where(FormDraft.key == row.key))
            await session.commit()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self.pool() as session:
            row = await self._row(session, key)
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data) or None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self.pool() as session:
            row = await self._row(session, key)
            return dict(row.data or {}) if row else {}

    async def write_form(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        """State and data in one transaction (bot.unit flushes an update's form with it)."""
        await self._write(key, state=state, data=data or None)

    async def close(self) -> None:
        pass
