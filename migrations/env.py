"""Alembic environment: runs on a connection handed over by the bot, or from the CLI."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from models import Base
from models.database import create_engine

config = context.config
target_metadata = Base.metadata
DEFAULT_URL = "sqlite+aiosqlite:///data/mentoring.db"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_cli() -> None:
    engine = create_engine(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    async with engine.begin() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=os.environ.get("DATABASE_URL") or DEFAULT_URL,
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _configure(connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(_run_from_cli())
