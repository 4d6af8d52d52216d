"""Shared fixtures: settings, a real database (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import Settings
from models.database import create_engine, create_session_pool, upgrade_database

CURATOR_ID = 1000
# pytest-xdist runs the suite in several processes (.ci/run: `-n`); each worker gets its own
# PostgreSQL database and Redis database, so one worker's reset never meets another's test.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_number() -> int | None:
    return int(WORKER.removeprefix("gw")) if WORKER.startswith("gw") else None


def _postgres_for_worker(url: str | None) -> str | None:
    number = _worker_number()
    if url is None or number is None:
        return url
    base, _, name = url.rpartition("/")
    own = f"{name}_w{number}"
    asyncio.run(_create_database(url, own))
    return f"{base}/{own}"


async def _create_database(url: str, name: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


def _redis_for_worker(url: str | None) -> str | None:
    number = _worker_number()
    if url is None or number is None:
        return url
    base, _, index = url.rpartition("/")
    return f"{base}/{(int(index or 0) + 8 + number) % 16}"


POSTGRES_URL = _postgres_for_worker(os.environ.get("TEST_POSTGRES_URL") or None)
REDIS_URL = _redis_for_worker(os.environ.get("TEST_REDIS_URL") or None)

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
