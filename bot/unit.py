"""One update = one unit of work: its database session and its form (FSM) changes.

- The form's state and data are changed in memory while the update runs and written to the
  FSM storage when the bot is about to say something after moving the form to a new step,
  with nothing uncommitted in the database, or when the update ends without a database error
  (`BufferedFSMContext`); answers kept at the same step wait for one of those. A form therefore
  advances only after its answer is saved: when a commit fails on a locked SQLite file, the
  next try repeats the same step; and the next question is shown only once its step is stored.
- An update that changed only the form (a typed answer in the middle of a form) writes
  nothing to the database: its update id is remembered in the form data itself, written
  together with the state (one Redis transaction), so a redelivered answer is not applied to
  the next step.
- An update that wrote to the database records itself as processed in the same commit
  (`UnitOfWork.before_commit`), and only then: a read-only update (/help, /plan) commits nothing.
- Before the bot talks to Telegram, a read-only transaction is ended, so the database
  connection goes back to the pool: a slow or hanging Telegram never holds connections
  (`release_before_telegram`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StateType
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from models.base import utcnow
from models.updates import ProcessedUpdate

logger = logging.getLogger(__name__)

APPLIED = "__applied_updates__"  # form data key: ids of the last updates that changed the form
KEEP_APPLIED = 32  # a redelivered batch is at most 100 updates, of one person far fewer
MARKER_TTL = 7 * 24 * 3600  # seconds a bare marker (a finished form) is kept in Redis
_UNSET: Any = object()

_release: ContextVar[Callable[[TelegramMethod[Any] | None], Awaitable[None]] | None] = ContextVar(
    "release_db_connection", default=None
)
_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


def update_session() -> AsyncSession | None:
    """The session of the update being handled (for a best-effort follow-up such as editing
    the other curators' copies of a decided notice); None outside an update."""
    return _session.get()


async def release_before_telegram(method: TelegramMethod[Any] | None = None) -> None:
    """Called right before a Bot API call (and before waiting for a send slot): ends the
    current update's read-only transaction so its connection is free while we wait.
    `method` is the call about to be made (None: not known yet)."""
    release = _release.get()
    if release is not None:
        await release(method)


Said = tuple[str, dict[str, Any] | None]  # a text the bot sent or edited in, and its keyboard


def said_by(method: TelegramMethod[Any]) -> tuple[int, Said] | None:
    """(chat id, (text, inline keyboard as JSON)) of a message `method` shows, if it is one."""
    if (
        isinstance(method, SendMessage | EditMessageText)
        and isinstance(method.chat_id, int)
        and method.text is not None
    ):
        markup = method.reply_markup
        keyboard = (
            markup.model_dump(mode="json", exclude_none=True)
            if isinstance(markup, InlineKeyboardMarkup)
            else None
        )
        return method.chat_id, (method.text, keyboard)
    return None


class UnitSession(Session):
    """The session of an update (`DbSessionMiddleware` opens it with this class): its unit of
    work hears its flushes, statements, commits and rollbacks through listeners registered
    once on this class, not five `event.listen` calls per update (~0.2 ms of its CPU)."""


_UNIT = "unit_of_work"  # UnitSession.info key: the update's UnitOfWork


def _unit_of(session: Session) -> UnitOfWork | None:
    unit: UnitOfWork | None = session.info.get(_UNIT)
    return unit


@event.listens_for(UnitSession, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if (unit := _unit_of(session)) is not None:
        unit.wrote = True


@event.listens_for(UnitSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and (
        unit := _unit_of(state.session)
    ) is not None:
        unit.wrote = True


@event.listens_for(UnitSession, "before_commit")
def _before_commit(session: Session) -> None:
    if (unit := _unit_of(session)) is not None:
        unit.before_commit(session)


@event.listens_for(UnitSession, "after_commit")
def _after_commit(session: Session) -> None:
    if (unit := _unit_of(session)) is not None:
        if unit.wrote:
            unit.committed_writes = True
        unit.wrote = False


@event.listens_for(UnitSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    if (unit := _unit_of(session)) is not None:
        unit.wrote = False


class UnitOfWork:
    """Watches one update's session (a UnitSession): did it write, and record the update as
    processed with its first write."""

    def __init__(
        self,
        session: AsyncSession,
        bot_id: int | None,
        update_id: int | None,
        form: BufferedFSMContext | None = None,
    ) -> None:
        if not isinstance(session.sync_session, UnitSession):
            raise TypeError("a unit of work watches a UnitSession (its listeners are on the class)")
        self.session = session
        self.form = form
        self.bot_id = bot_id
        self.update_id = update_id
        self.wrote = False  # something was flushed or executed as DML (maybe not committed)
        self.committed_writes = False
        self.step: str | None = None  # the form's step when the update came
        self.chat: Any = None  # the update's chat
        session.sync_session.info[_UNIT] = self

    def _pending(self, session: Session) -> bool:
        return bool(session.new or session.deleted or session.dirty)

    def before_commit(self, session: Session) -> None:
        """The processed-update mark joins the first commit that changes something, so a
        crash before it leaves the update free to be processed again. It is added only as
        that commit begins: an INSERT flushed at the start would hold SQLite's single write
        lock through the whole update, Telegram calls included."""
        if self.committed_writes or self.update_id is None or self.bot_id is None:
            return
        if self.wrote or self._pending(session):
            session.add(
                ProcessedUpdate(bot_id=self.bot_id, update_id=self.update_id, processed_at=utcnow())
            )

    async def release(self, method: TelegramMethod[Any] | None = None) -> None:
        """Before the bot says something: end a transaction that only read, so the connection
        returns to the pool, and store the form's new step, so the person never sees a
        question whose step is not stored (a crash right after it would shift the answers).
        A new step is stored with the message about to be sent as its question, so a form
        answer is one write, not a second one at the end (`remember_question` then finds it
        stored; it writes again only when a later message of the update is the question).
        Answers kept at the same step (a pressed option shown in its message before the next
        question comes) wait for the step's move or the update's end: one write, not one
        before each message (issue 18). A transaction that wrote and is not committed yet
        keeps its connection and the form waits for it: its commit is the handler's call,
        the form follows at the end."""
        session = self.session
        if self.wrote or self._pending(session.sync_session):
            return
        if session.in_transaction():
            await session.commit()  # nothing to write: ends the read, keeps the loaded objects
        if self.form is not None and await self.form.moved():
            if method is not None and (said := said_by(method)):
                await remember_question(self.form, self.step, dict([said]), self.chat)
            await self.form.flush()

    @contextmanager
    def releasing(self) -> Iterator[None]:
        token = _release.set(self.release)
        session_token = _session.set(self.session)
        try:
            yield
        finally:
            _session.reset(session_token)
            _release.reset(token)


LAST_QUESTION = "__last_question__"  # form data key: [text, inline keyboard] last shown


async def remember_question(
    form: FSMContext,
    before: str | None,
    said: Mapping[int, Said],
    chat: Any,
) -> None:
    """When an update moves a form to a new step, what the bot said last to the person is
    that step's question: kept with the form, so resuming it after /cancel asks it again, with
    its buttons. (An update that leaves the step as it was — /help, a wrong answer — keeps
    the question remembered before.)"""
    chat_id = getattr(chat, "id", None)
    if not isinstance(chat_id, int) or chat_id not in said:
        return
    if await form.get_state() in (None, before):
        return
    text, keyboard = said[chat_id]
    if (await form.get_data()).get(LAST_QUESTION) != [text, keyboard]:
        await form.update_data({LAST_QUESTION: [text, keyboard]})


class BufferedFSMContext(FSMContext):
    """The update's view of its form: reads once from the storage, keeps changes in memory
    until `flush()`; `discard()` forgets them (the update failed: the step stays)."""

    def __init__(self, context: FSMContext, update_id: int | None) -> None:
        super().__init__(storage=context.storage, key=context.key)
        self.update_id = update_id
        self._stored_state: Any = _UNSET
        self._stored_data: Any = _UNSET
        self._state: Any = _UNSET
        self._data: Any = _UNSET

    @property
    def changed(self) -> bool:
        return self._state is not _UNSET or self._data is not _UNSET

    async def moved(self) -> bool:
        """The update has set the form to another step than the stored one."""
        if self._state is _UNSET:
            return False
        return bool(self._state != await self._load_state())

    async def _load_state(self) -> str | None:
        if self._stored_state is _UNSET:
            self._stored_state = await self.storage.get_state(key=self.key)
        return self._stored_state  # type: ignore[no-any-return]  # a str or None once loaded

    async def _load_data(self) -> dict[str, Any]:
        if self._stored_data is _UNSET:
            self._stored_data = await self.storage.get_data(key=self.key)
        return self._stored_data  # type: ignore[no-any-return]  # a dict once loaded

    async def already_applied(self) -> bool:
        """This update (a redelivery) already changed the form."""
        if self.update_id is None:
            return False
        return self.update_id in (await self._load_data()).get(APPLIED, ())

    async def set_state(self, state: StateType = None) -> None:
        self._state = state.state if isinstance(state, State) else state

    async def get_state(self) -> str | None:
        if self._state is not _UNSET:
            return self._state  # type: ignore[no-any-return]  # a str or None once set
        return await self._load_state()

    async def set_data(self, data: Mapping[str, Any]) -> None:
        self._data = {k: v for k, v in data.items() if k != APPLIED}

    async def get_data(self) -> dict[str, Any]:
        if self._data is not _UNSET:
            return dict(self._data)
        return {k: v for k, v in (await self._load_data()).items() if k != APPLIED}

    async def get_value(self, key: str, default: Any | None = None) -> Any | None:
        return (await self.get_data()).get(key, default)

    async def update_data(
        self, data: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        if data:
            kwargs.update(data)
        current = await self.get_data()
        current.update(kwargs)
        await self.set_data(current)
        return dict(current)

    async def clear(self) -> None:
        await self.set_state(None)
        await self.set_data({})

    def discard(self) -> None:
        self._state = self._data = _UNSET

    async def flush(self) -> None:
        """Write the changes (state, data and this update's mark) to the storage, in one
        Redis transaction when the storage is Redis."""
        if not self.changed:
            return
        data = await self.get_data()
        state = await self.get_state()
        stored = await self._load_data()
        answers = {k: v for k, v in stored.items() if k != APPLIED}
        if state == await self._load_state() and data == answers:
            # The same step and answers (a newcomer's /start clears a form that never was):
            # nothing to store, and nothing a redelivery could apply twice.
            self.discard()
            return
        applied = list(stored.get(APPLIED, ()))
        if self.update_id is not None and self.update_id not in applied:
            applied = [*applied, self.update_id][-KEEP_APPLIED:]
        if applied:
            data[APPLIED] = applied
        redis = getattr(self.storage, "redis", None)
        write_form = getattr(self.storage, "write_form", None)
        if write_form is not None:  # bot.sqlstorage: one transaction
            await write_form(self.key, state, data)
        elif redis is None:
            await self.storage.set_data(key=self.key, data=data)
            await self.storage.set_state(key=self.key, state=state)
        else:
            await self._flush_redis(redis, state, data)
        self._stored_state, self._stored_data = state, data
        self.discard()

    async def _flush_redis(self, redis: Any, state: str | None, data: dict[str, Any]) -> None:
        storage: Any = self.storage
        state_key = storage.key_builder.build(self.key, "state")
        data_key = storage.key_builder.build(self.key, "data")
        only_marker = set(data) <= {APPLIED}
        async with redis.pipeline(transaction=True) as pipe:
            if state is None:
                pipe.delete(state_key)
            else:
                pipe.set(state_key, state, ex=storage.state_ttl)
            pipe.set(
                data_key,
                storage.json_dumps(data),
                ex=MARKER_TTL if only_marker and storage.data_ttl is None else storage.data_ttl,
            )
            await pipe.execute()
