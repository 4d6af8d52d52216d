"""Shared fixtures: settings, a real database (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from models.database import create_engine, create_session_pool, upgrade_database

CURATOR_ID = 1000
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL") or None
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(POSTGRES_URL is None, reason="TEST_POSTGRES_URL is not set"),
    ),
]


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        assert POSTGRES_URL is not None
        await reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


async def _migrated(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url)
    await upgrade_database(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async for engine in _migrated(database_url):
        yield engine


@pytest.fixture
async def session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_pool(engine)


@pytest.fixture
async def session(session_pool: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_pool() as session:
        yield session


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": "42:TEST-token-for-handler-tests",
        "database_url": database_url,
        "curator_ids": str(CURATOR_ID),
        "organization_name": "ГБПОУ «МТТК»",
        "default_locale": "ru",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
