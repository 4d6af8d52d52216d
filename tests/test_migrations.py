"""Migrations you can trust: the stairway, and models that match the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base
from models.database import alembic_config, create_engine, downgrade_database, upgrade_database


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def test_stairway_upgrades_downgrades_and_upgrades_every_revision(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        previous = "base"
        for revision in revisions():
            await upgrade_database(engine, revision)
            await downgrade_database(engine, previous)
            await upgrade_database(engine, revision)
            previous = revision
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert {"participants", "consents", "mentee_profiles", "mentor_profiles"} <= set(tables)
    finally:
        await engine.dispose()


async def test_models_match_the_migrated_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        await upgrade_database(engine)
        async with engine.connect() as connection:
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        assert (journal, foreign_keys) == ("wal", 1)
    finally:
        await engine.dispose()
