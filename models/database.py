"""Engine, session pool and schema upgrades (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import UpdateBase
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


# Connections a SQLite engine keeps open. Each is a thread and a sqlite3 connection; one that
# opens costs a thread start, the connect and its PRAGMAs (several hand-offs), and one beyond
# the pool is closed again when returned. With SQLAlchemy's 5, ten people writing at once
# opened and closed 21 connections in a 200-update round (benchmarks/latency.py), in bursts.
SQLITE_POOL_SIZE = 20


def create_engine(url: str, *, busy_timeout: float = 5.0, **kwargs: Any) -> AsyncEngine:
    """An async engine; for a SQLite file the directory is created and WAL + FKs turned on,
    and a writer waits up to `busy_timeout` seconds for another one to finish. PostgreSQL
    connections are checked before use, so one the server dropped is replaced."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1].split("?", 1)[0].removeprefix("file:")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _one_hop_statements(busy_timeout), insert=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout))
        _skip_idle_commits(engine, _serialize_writers(engine, busy_timeout))
    return engine


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement costs one hand-off to aiosqlite's thread.

    SQLAlchemy's aiosqlite cursor makes four: open the cursor, execute, fetch all, close —
    each a trip through aiosqlite's queue and back through a turn of the event loop
    (issue 18: ~65 µs each, more when the loop is busy with other updates). Here one function
    does all four in SQLite's thread; the rows, description, row count and last row id come
    back together. Nothing else changes: the same sqlite3 connection, the same statements, the
    same transaction handling."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        # SQLAlchemy's adapted cursor declares these for its threaded form; here there is no
        # cursor until a statement runs (the one-hop cursor of bot speed, see the class).
        self._cursor = None  # type: ignore[assignment]  # set per statement
        self._soft_closed_memoized = {}  # type: ignore[assignment]  # SQLAlchemy's own attribute
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: Any = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, many: bool, operation: Any, parameters: Any) -> None:
        def in_thread(connection: sqlite3.Connection) -> tuple[Any, ...]:
            cursor = connection.cursor()
            try:
                if many:
                    cursor.executemany(operation, parameters)
                elif parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                description = cursor.description
                rows = cursor.fetchall() if description else ()
                return description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        connection = self._connection
        result: tuple[Any, ...] | None = None
        if _DIRECT.on:  # inside a whole commit handed to SQLite's thread
            result = in_thread(connection._conn)
            self._description, rows, self._rowcount, self._lastrowid = result
            self._rows = collections.deque(rows)
            return
        async with self._adapt_connection._execute_mutex:
            if not many and INLINE_READS.get() and _is_read(operation):
                result = _read_inline(connection._conn, in_thread, self._adapt_connection)
            if result is None:
                result = await connection._execute(in_thread, connection._conn)
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            if _DIRECT.on:
                return _run_now(self._run(False, operation, parameters))
            return await_(self._run(False, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            if _DIRECT.on:
                return _run_now(self._run(True, operation, seq_of_parameters))
            return await_(self._run(True, operation, seq_of_parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


INLINE_READS: ContextVar[bool] = ContextVar("sqlite_inline_reads", default=False)


class _Direct(threading.local):
    on = False


# Set while a whole commit runs (OneHopSession): in the event loop, or in SQLite's thread when
# it has to wait for another process; its statements then run directly, in that thread.
_DIRECT = _Direct()


def _run_now(coroutine: Any) -> Any:
    """Run a coroutine that never suspends (the direct branch of OneHopCursor._run)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("a statement in SQLite's thread tried to wait")


def _is_read(operation: str) -> bool:
    return operation.lstrip()[:6].upper() == "SELECT"


def _read_inline(
    connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], Any], adapted: Any
) -> Any:
    """Run a SELECT in the event loop's thread, without waiting on any lock: SQLite's busy
    handler is off for it (busy_timeout 0). In WAL mode a reader does not wait for writers;
    in the rare case it would (another process recovering the WAL), SQLITE_BUSY comes back at
    once and None sends the statement to aiosqlite's thread as usual, where it may wait."""
    try:
        with _busy_handler_off(connection, type(adapted).busy_ms):
            return work(connection)
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", None) not in _BUSY:
            raise
        return None


@contextmanager
def _busy_handler_off(connection: sqlite3.Connection, wait_ms: int) -> Iterator[None]:
    """SQLite answers SQLITE_BUSY at once instead of waiting in its busy handler; the
    connection's own wait (`wait_ms`) comes back afterwards."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA busy_timeout={wait_ms}")


_BUSY = {
    sqlite3.SQLITE_BUSY,
    getattr(sqlite3, "SQLITE_BUSY_RECOVERY", 261),
    getattr(sqlite3, "SQLITE_BUSY_SNAPSHOT", 517),
}


def _one_hop_statements(busy_timeout: float) -> Callable[[Any, Any], None]:
    """Give this engine's aiosqlite connections the one-hop cursor (the same object, moved to
    a subclass with an identical layout; other engines in the process are untouched)."""

    class OneHopConnection(AsyncAdapt_aiosqlite_connection):
        __slots__ = ()
        _cursor_cls = OneHopCursor
        busy_ms = int(busy_timeout * 1000)

        def commit(self) -> None:
            if _DIRECT.on:  # inside OneHopSession's commit (in the loop or SQLite's thread)
                self._connection._conn.commit()
            else:
                super().commit()

        def rollback(self) -> None:
            if _DIRECT.on:
                self._connection._conn.rollback()
            else:
                super().rollback()

    connection_class = OneHopConnection

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
            dbapi_connection.__class__ = connection_class

    return on_connect


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

    async def take(self, dbapi_connection: Any) -> None:
        """Wait for the turn before a whole commit runs (OneHopSession)."""
        if id(dbapi_connection) in self._holders:
            return
        lock = self._lock()
        try:
            if lock.locked():
                await asyncio.wait_for(lock.acquire(), self.timeout)
            else:
                await lock.acquire()  # free: taken at once (wait_for would start a task)
        except TimeoutError:
            locked = sqlite3.OperationalError("database is locked (by this process's writer)")
            raise OperationalError("COMMIT", None, locked) from None
        self._holders.add(id(dbapi_connection))

    def release(self, dbapi_connection: Any) -> None:
        if _DIRECT.on:
            return  # inside a whole commit: OneHopSession lets go once it is over
        if id(dbapi_connection) in self._holders:
            self._holders.discard(id(dbapi_connection))
            self._lock().release()


def _serialize_writers(engine: AsyncEngine, timeout: float) -> WriterQueue:
    queue = WriterQueue(max(timeout, WRITER_WAIT))
    engine.sync_engine.info_writers = queue  # type: ignore[attr-defined]  # ours: the session reads it
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


class OneHopSession(AsyncSession):
    """On SQLite, within an update (INLINE_READS), a commit with changes to write runs whole —
    the flush's statements and the COMMIT — in the event loop, or in one hand-off to SQLite's
    thread when it has to wait for another process.

    A transaction holds SQLite's single write lock (and the process's WriterQueue turn) from
    its first write to its COMMIT. Statement by statement, each hand-off waits for a turn of
    an event loop busy with the other updates (issue 18: ~80 ms per write with 10 users at
    once, the writers one after another); even one hand-off there and one back were two
    thirds of the time a writer held its turn. Here the turn is taken in the event loop first
    (no thread waits for it), then SQLite's write lock without waiting (`_write_lock_at_once`)
    and the flush and COMMIT run at once, in the loop. If another process holds the lock, one
    function in SQLite's thread flushes and commits, waiting there while the loop serves the
    others. The ORM work is the same code (Session.commit) with the same events; only where
    its statements run changes."""

    async def commit(self) -> None:
        sync = self.sync_session
        if (
            not INLINE_READS.get()
            or self.bind is None
            or self.bind.dialect.name != "sqlite"
            or not (sync.new or sync.dirty or sync.deleted)
        ):
            await super().commit()
            return
        transaction = sync.get_transaction()
        assert transaction is not None

        def flush_and_commit(sqlite: sqlite3.Connection) -> None:
            # Session.commit's first half (before_commit, the flush) and SQLite's COMMIT; the
            # second half (after_commit, the connection back to the pool) stays in the loop.
            # A failed flush rolls back here, as it would in the loop, and raises.
            _DIRECT.on = True
            try:
                transaction._prepare_impl()
                if sqlite.in_transaction:
                    sqlite.commit()
            finally:
                _DIRECT.on = False

        await self._write_whole(flush_and_commit)

    async def write_now(self, statement: UpdateBase, values: dict[str, Any]) -> int | None:
        """One Core INSERT, UPDATE or DELETE with these bound `values` and its COMMIT, at once,
        as `commit` writes (in the loop when SQLite's lock is free): no ORM flush around it,
        the statement compiled once. Returns the row count; None when this is not SQLite
        within an update (the caller then writes as usual)."""
        if not INLINE_READS.get() or self.bind is None or self.bind.dialect.name != "sqlite":
            return None
        sql, order = _compiled_for_sqlite(statement, self.bind.dialect)
        parameters = [process(values[name]) if process else values[name] for name, process in order]

        def execute_and_commit(sqlite: sqlite3.Connection) -> int:
            try:
                count = sqlite.execute(sql, parameters).rowcount
                if sqlite.in_transaction:
                    sqlite.commit()
            except BaseException:
                if sqlite.in_transaction:
                    sqlite.rollback()
                raise
            return count

        try:
            count: int = await self._write_whole(execute_and_commit)
        except sqlite3.Error as error:  # as SQLAlchemy would raise it (IntegrityError, …)
            raise DBAPIError.instance(
                sql, parameters, error, sqlite3.Error, dialect=self.bind.dialect
            ) from error
        return count

    async def _write_whole(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `work` (statements and their COMMIT on SQLite's connection) in this process's
        writer turn: in the loop if SQLite's write lock is free at once, else in one hand-off
        to SQLite's thread, waiting there. Then SQLAlchemy's own commit, with nothing left to
        send, ends the session's transaction and returns the connection."""
        connection = await self.connection()  # checked out and begun here, in the loop
        raw = await connection.get_raw_connection()
        dbapi_connection: Any = raw.dbapi_connection  # the OneHopConnection (aiosqlite)
        assert self.bind is not None
        queue: WriterQueue | None = getattr(self.bind.sync_engine, "info_writers", None)
        if queue is not None:
            await queue.take(dbapi_connection)
        sqlite: sqlite3.Connection = dbapi_connection._connection._conn
        try:
            if _write_lock_at_once(dbapi_connection):
                result = work(sqlite)  # in the loop: SQLite's write lock is ours, nothing waits
            else:
                result = await dbapi_connection._connection._execute(work, sqlite)
            await super().commit()  # nothing left to send: SQLite has no transaction open
        finally:
            if queue is not None:
                queue.release(dbapi_connection)
        return result


_COMPILED: weakref.WeakKeyDictionary[Any, tuple[str, list[tuple[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _compiled_for_sqlite(statement: Any, dialect: Any) -> tuple[str, list[tuple[str, Any]]]:
    """A statement's SQL and, in its parameters' order, each bound name with its type's
    converter (JSON, moments), worked out once per statement object."""
    found = _COMPILED.get(statement)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        order = [
            (name, compiled.binds[name].type.bind_processor(dialect))
            for name in compiled.positiontup or ()
        ]
        found = _COMPILED[statement] = (compiled.string, order)
    return found


def _write_lock_at_once(dbapi_connection: Any) -> bool:
    """Take SQLite's write lock now (BEGIN IMMEDIATE) if nobody holds it, without waiting:
    then a commit's statements and its COMMIT cannot meet a lock and run in the event loop,
    with no hand-off to SQLite's thread and back (each waits for a turn of a loop busy with
    the other updates, and they were two thirds of the time a writer held its turn). When
    another process holds the lock, or the transaction is already open, nothing is done and
    the commit goes to SQLite's thread, where it may wait (README, «Speed»)."""
    sqlite: sqlite3.Connection = dbapi_connection._connection._conn
    if sqlite.in_transaction:
        return False
    try:
        with _busy_handler_off(sqlite, type(dbapi_connection).busy_ms):
            sqlite.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", None) not in _BUSY:
            raise
        return False
    return True


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, class_=OneHopSession)


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
