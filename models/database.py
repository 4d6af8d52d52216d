"""Engine, session pool and schema upgrades (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def _sqlite_pragmas(busy_timeout: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    return on_connect


def create_engine(url: str, *, busy_timeout: float = 5.0, **kwargs: Any) -> AsyncEngine:
    """An async engine; for a SQLite file the directory is created and WAL + FKs turned on,
    and a writer waits up to `busy_timeout` seconds for another one to finish. PostgreSQL
    connections are checked before use, so one the server dropped is replaced."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1].split("?", 1)[0].removeprefix("file:")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout))
        _skip_idle_commits(engine, _serialize_writers(engine, busy_timeout))
    return engine


def sqlite_in_transaction(dbapi_connection: Any) -> bool:
    """Whether SQLite has a transaction open on this (aiosqlite) connection. Python's sqlite3
    opens one only before a write, so after reads alone there is none."""
    inner = getattr(dbapi_connection, "_connection", None)  # the aiosqlite.Connection
    try:
        return bool(getattr(inner, "in_transaction"))  # noqa: B009  # aiosqlite is untyped here
    except (AttributeError, ValueError):  # not an aiosqlite connection, or closed
        return True


WRITER_WAIT = 10.0  # seconds a write waits for the process's other writers at most
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "DROP", "ALTER")


class WriterQueue:
    """One SQLite writer at a time within the process, queued in the event loop.

    SQLite lets one transaction write at a time; the others get "busy" and its busy handler
    sleeps and tries again (1, 2, 5 … 100 ms steps). With many updates writing at once that
    polling, not the work, made the latency (50 users at once ≈ 10× the echo bot in
    benchmarks/latency.py).
    Here a transaction's first write waits its turn on an asyncio lock (no thread blocked, the
    loop keeps serving the others, first come first served) and lets go at its COMMIT or
    ROLLBACK. SQLite's busy_timeout still guards against other processes. The wait is bounded
    (busy_timeout, at least WRITER_WAIT) and then fails like a locked file (retried)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()
        self._holders: set[int] = set()

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()  # an engine may outlive a test's event loop
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def before_execute(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if id(dbapi_connection) in self._holders:
            return
        if not statement.lstrip()[:6].upper().startswith(_WRITES):
            return
        lock = self._lock()
        try:
            if lock.locked():
                await_(asyncio.wait_for(lock.acquire(), self.timeout))
            else:
                await_(lock.acquire())  # free: taken at once
        except TimeoutError:
            locked = sqlite3.OperationalError("database is locked (by this process's writer)")
            raise OperationalError(statement, None, locked) from None
        self._holders.add(id(dbapi_connection))

    def release(self, dbapi_connection: Any) -> None:
        if id(dbapi_connection) in self._holders:
            self._holders.discard(id(dbapi_connection))
            self._lock().release()


def _serialize_writers(engine: AsyncEngine, timeout: float) -> WriterQueue:
    queue = WriterQueue(max(timeout, WRITER_WAIT))
    event.listen(engine.sync_engine, "before_cursor_execute", queue.before_execute)
    for name in ("checkin", "close", "invalidate", "soft_invalidate"):  # never leak a turn
        event.listen(engine.sync_engine.pool, name, lambda conn, *_: queue.release(conn))
    return queue


def _skip_idle_commits(engine: AsyncEngine, writers: WriterQueue) -> None:
    """aiosqlite hands every COMMIT and ROLLBACK to its thread and back (~65 µs and a turn of
    the event loop), also when SQLite has nothing open: after a read-only unit of work, and
    the pool's reset when the connection is returned. Those are skipped; a transaction that
    wrote is committed or rolled back as before."""
    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            if sqlite_in_transaction(dbapi_connection):
                commit(dbapi_connection)
        finally:
            writers.release(dbapi_connection)

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            if sqlite_in_transaction(dbapi_connection):
                rollback(dbapi_connection)
        finally:
            writers.release(dbapi_connection)

    # Wrapping the dialect's own methods is SQLAlchemy's documented hook point for this.
    dialect.do_commit = do_commit  # type: ignore[method-assign]  # a wrapper, same signature
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]  # a wrapper, same signature


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`; runs on every start."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


READ_ONLY_SIGNS = (
    "readonly database",  # SQLite: attempt to write a readonly database
    "read-only transaction",  # PostgreSQL: cannot execute … in a read-only transaction
    "read-only file system",
)


def read_only_database_error(error: BaseException) -> bool:
    """The database refuses every write (a read-only file or file system, a PostgreSQL
    standby or default_transaction_read_only): trying again will not help, and «busy» would
    be a lie."""
    original: Any = getattr(error, "orig", None) or error
    if getattr(original, "sqlstate", None) == "25006":  # read_only_sql_transaction
        return True
    text = str(original).lower()
    return any(sign in text for sign in READ_ONLY_SIGNS)


async def writable_problem(engine: AsyncEngine) -> str | None:
    """None when the database accepts writes; otherwise why not. A write that changes no row
    is tried and rolled back: SQLite and PostgreSQL both refuse it on a read-only database."""
    try:
        async with engine.connect() as connection, connection.begin() as transaction:
            await connection.exec_driver_sql(
                "UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"
            )
            await transaction.rollback()
    except Exception as error:
        if read_only_database_error(error):
            return str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        raise
    return None


async def downgrade_database(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
