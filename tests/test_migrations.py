"""Migrations you can trust: the stairway, and models that match the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
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


async def test_the_departments_directory_starts_from_what_people_typed(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        await upgrade_database(engine, "2c0084c569c7")
        async with engine.begin() as connection:
            for number, department in enumerate(
                ["ПЦК истории", "пцк  истории", "ПЦК ИТ", None], start=1
            ):
                await connection.execute(
                    text(
                        "INSERT INTO participants (id, telegram_id, status, locale, department, "
                        "created_at, updated_at) VALUES (:id, :tg, 'active', 'ru', :dept, "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "tg": 1000 + number, "dept": department},
                )
        await upgrade_database(engine)
        async with engine.connect() as connection:
            names = list((await connection.execute(text("SELECT name FROM departments"))).scalars())
        # One entry per department whatever the case and spaces typed; no empty one.
        assert len(names) == 2
        assert {" ".join(n.casefold().split()) for n in names} == {"пцк ит", "пцк истории"}
    finally:
        await engine.dispose()
