"""The outbox: every scheduled message is a row, created once under a unique key (the ledger),
then claimed and delivered by one process; retried later on failure, never dropped."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Index,
    Select,
    String,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, dialect_name, rowcount, utcnow
from models.director import director_telegram_ids
from models.participant import Participant, curator_telegram_ids, enum_column

MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=2)  # a claim older than this was lost with its process
UNCONFIRMED = "unconfirmed: the process stopped while sending"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked the bot (403) or never started it
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


class OutboxMessage(Base):
    __tablename__ = "outbox"
    # What a delivery round reads (claim_due): the pending rows due by now, oldest first, and
    # a chosen chat's unsent rows in the order they were queued — neither walking the ledger
    # of every message ever sent.
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before", "id"),
        Index("ix_outbox_chat", "chat_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    media_kind: Mapped[str | None] = mapped_column(String(16))  # "photo" or "document"
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    attempted_at: Mapped[datetime | None]  # committed just before Telegram is called
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A notice rendered at delivery: {"notice": name, "id": object id}; `text` stays empty, so
    # no name or typed text is stored in the row (rendering.notices renders it).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Telegram's id of the message sent: a decision on one curator's copy edits the others.
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    chat_id: int,
    text: str,
    reply_markup: dict[str, Any] | None = None,
    media: tuple[str, str] | None = None,
    now: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue a message once: a second call with the same key changes nothing (False)."""
    now = now or utcnow()
    values = {
        "payload": payload,
        "key": key,
        "kind": kind,
        "chat_id": chat_id,
        "text": text,
        "reply_markup": reply_markup,
        "media_kind": media[0] if media else None,
        "media_file_id": media[1] if media else None,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "not_before": now,
        "created_at": now,
    }
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(statement)
    return bool(rowcount(result))


CURATORS_KIND = "notice.curators"  # one row for «every curator», expanded at delivery


async def queue_notice(
    session: AsyncSession,
    notice: str,
    object_id: int,
    participant_ids: list[int],
    now: datetime | None = None,
    *,
    occasion: str | int | None = None,
    to_curators: bool = False,
    extra: dict[str, Any] | None = None,
) -> list[str]:
    """Notices to other people about a decision, written in the decision's own transaction
    (the caller commits): a crash after the commit cannot lose them. Only ids are stored; the
    text is rendered at delivery in the recipient's language. Returns the keys (one notice per
    decision and recipient: queued once, delivered once). `occasion` tells apart two notices
    of the same kind about one object (a second proposal after a decline); `to_curators`
    queues one row for all curators, expanded into one row per curator at delivery (who is a
    curator is known to the bot's settings, not to the domain); `extra` holds more ids."""
    payload: dict[str, Any] = {"notice": notice, "id": object_id, **(extra or {})}
    prefix = notice_prefix(notice, object_id, occasion)
    keys = []
    if to_curators:
        key = f"{prefix}curators"
        await enqueue(
            session,
            key=key,
            kind=CURATORS_KIND,
            chat_id=0,
            text="",
            payload=payload,
            now=now,
        )
        keys.append(key)
    if not participant_ids:
        return keys
    chat_ids = await session.scalars(
        select(Participant.telegram_id).where(Participant.id.in_(participant_ids))
    )
    for chat_id in chat_ids:
        key = f"{prefix}{chat_id}"
        await enqueue(
            session, key=key, kind="notice", chat_id=chat_id, text="", payload=payload, now=now
        )
        keys.append(key)
    return keys


async def queue_notice_to_chats(
    session: AsyncSession,
    notice: str,
    object_id: int,
    chat_ids: Collection[int],
    now: datetime | None = None,
) -> None:
    """`queue_notice` by chat ids: for curators named in CURATOR_IDS, who may have no row."""
    for chat_id in sorted(set(chat_ids)):
        await enqueue(
            session,
            key=f"{notice_prefix(notice, object_id)}{chat_id}",
            kind="notice",
            chat_id=chat_id,
            text="",
            payload={"notice": notice, "id": object_id},
            now=now,
        )


def notice_prefix(notice: str, object_id: int, occasion: str | int | None = None) -> str:
    return f"notice:{notice}:{object_id}{'' if occasion is None else f'.{occasion}'}:"


async def expand_curator_notices(
    session: AsyncSession, curator_chat_ids: list[int], now: datetime
) -> int:
    """Turn each queued «to every curator» row into one row per curator (same key prefix, so
    each curator gets it once; with `not_directors` in its payload, the directors left out)
    and remove it, in one commit. Returns how many were expanded."""
    rows = list(
        await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == CURATORS_KIND,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
    )
    directors: set[int] = set()
    if any((row.payload or {}).get("not_directors") for row in rows):
        directors = set(await director_telegram_ids(session))
    for row in rows:
        prefix = row.key.removesuffix("curators")
        # an application also addressed to the director: the director has a copy of their own
        skip = directors if (row.payload or {}).get("not_directors") else set()
        for chat_id in (c for c in curator_chat_ids if c not in skip):
            await enqueue(
                session,
                key=f"{prefix}{chat_id}",
                kind="notice",
                chat_id=chat_id,
                text="",
                payload=row.payload,
                now=now,
            )
        # its keys per curator keep it from being sent twice; a statement, not session.delete:
        # two updates expanding the same row at once must not fail on the one already gone
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
    if rows:
        await session.commit()
    return len(rows)


async def claim_notices(
    session: AsyncSession,
    notice: str,
    object_id: int,
    now: datetime,
    occasion: str | int | None = None,
) -> list[OutboxMessage]:
    """Claim the queued notices of one decision (just committed), to send them at once."""
    about: ColumnElement[bool]
    if occasion is None:  # every occasion of this notice about this object
        base = f"notice:{notice}:{object_id}"
        about = OutboxMessage.key.startswith(
            f"{base}:", autoescape=True
        ) | OutboxMessage.key.startswith(f"{base}.", autoescape=True)
    else:
        about = OutboxMessage.key.startswith(
            notice_prefix(notice, object_id, occasion), autoescape=True
        )
    keys = await session.scalars(
        select(OutboxMessage.key).where(
            about,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind == "notice",
        )
    )
    return await claim_keys(session, list(keys), now)


async def claim_keys(session: AsyncSession, keys: list[str], now: datetime) -> list[OutboxMessage]:
    """Claim these queued messages for this process (one process wins each row)."""
    claimed = []
    for key in keys:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING, claimed_at=now, attempted_at=None)
        )
        if rowcount(result):
            claimed.append(key)
    await session.commit()
    if not claimed:
        return []
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.key.in_(claimed)).order_by(OutboxMessage.id)
    )
    return list(rows)


async def queue_retry(
    session: AsyncSession, chat_id: int, text: str, reply_markup: dict[str, Any] | None
) -> None:
    """A notice Telegram kept refusing: the delivery job sends it later, on its own schedule."""
    await enqueue(
        session,
        key=f"notice:{uuid4().hex}",
        kind="notice",
        chat_id=chat_id,
        text=text,
        reply_markup=reply_markup,
    )
    await session.commit()


async def enqueue_many(
    session: AsyncSession, rows: list[dict[str, Any]], now: datetime | None = None
) -> int:
    """`enqueue` for many messages in one statement (rows: key, kind, chat_id, text and
    optionally reply_markup); a key already queued is skipped. Returns how many were new."""
    if not rows:
        return 0
    now = now or utcnow()
    values = [
        {
            "key": row["key"],
            "kind": row["kind"],
            "chat_id": row["chat_id"],
            "text": row["text"],
            "reply_markup": row.get("reply_markup"),
            "media_kind": None,
            "media_file_id": None,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }
        for row in rows
    ]
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__  # Core: one executemany, its row count
    # A Core Table where the stubs expect a mapped class; both dialects accept it.
    statement = insert(table).on_conflict_do_nothing(index_elements=["key"])  # type: ignore[arg-type]
    queued = 0
    if dialect_name(session) == "sqlite":
        return await _insert_many_sqlite(session, statement, values)
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        if dialect_name(session) == "postgresql":
            # one multi-row INSERT; RETURNING counts the rows another sweep had not queued
            returned = await session.execute(statement.values(chunk).returning(table.c.id))
            queued += len(returned.all())
        else:
            # executemany: exact count
            queued += rowcount(await session.execute(statement, chunk))
    return queued


async def _insert_many_sqlite(
    session: AsyncSession, statement: Any, values: list[dict[str, Any]]
) -> int:
    """One executemany of the statement's SQL with the parameters converted here: SQLAlchemy's
    own executemany builds and converts every row's parameters one by one (the larger part of a
    first sweep queueing a hundred thousand messages). Each value goes through its column
    type's own converter, and a value the same for every row (status, moments) once."""
    connection = await session.connection()
    dialect = connection.dialect
    names = list(values[0])
    compiled = statement.compile(dialect=dialect, column_keys=names)
    table = statement.table
    convert = {name: table.c[name].type.bind_processor(dialect) for name in names}
    first = values[0]
    same = {
        name: (convert[name] or _unchanged)(first[name])
        for name in names
        if all(row[name] == first[name] for row in values)
    }
    order = [(name, convert[name], name in same) for name in compiled.positiontup]
    rows = [
        tuple(
            same[name] if constant else (row[name] if to_db is None else to_db(row[name]))
            for name, to_db, constant in order
        )
        for row in values
    ]
    return rowcount(await connection.exec_driver_sql(compiled.string, rows))


def _unchanged(value: Any) -> Any:
    return value


async def already_queued(session: AsyncSession, key: str) -> bool:
    return (
        await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None
    )


async def recover_stale(session: AsyncSession, now: datetime) -> None:
    """Claims older than CLAIM_TIMEOUT belong to a process that died. Never attempted: queued
    again. Attempted: Telegram may already have delivered it, and a duplicate reminder is the
    visible failure, so it is closed as sent but unconfirmed (the ledger says so)."""
    stale = (OutboxMessage.status == OutboxStatus.SENDING) & (
        OutboxMessage.claimed_at < now - CLAIM_TIMEOUT
    )
    await session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempted_at.is_(None))
        .values(status=OutboxStatus.PENDING, claimed_at=None)
    )
    await session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempted_at.is_not(None))
        .values(status=OutboxStatus.SENT, sent_at=now, last_error=UNCONFIRMED)
    )
    await session.commit()


# A claim takes at most this many rows of one chat. Telegram takes about one message a second
# in a chat (the sender spaces them 1.1 s) and `limit` rows go out in about two seconds at the
# overall rate, so three rows of a chat is what one claim can send without holding the others:
# 80 notices queued for the curator at once no longer fill a claim after claim (a minute and a
# half) while a mentee's «your pair is approved», queued a second later, waits behind them.
PER_CHAT_CLAIM = 3
CLAIM_PAGE = 200  # due rows read at a time, oldest first, to choose the chats to serve
CLAIM_SCAN = 10_000  # …and at most this many rows of new chats in one claim (an outage)


def due_page(
    now: datetime, after: tuple[datetime, int] | None, seen: Collection[int] = ()
) -> Select[int, int, datetime]:
    """The next CLAIM_PAGE pending rows due by `now` after (not_before, id) `after`, oldest
    first, of chats not `seen` yet: read through ix_outbox_due, in its order (no sort)."""
    query = select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.not_before).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.not_before <= now,
        OutboxMessage.kind != CURATORS_KIND,  # expanded first (expand_curator_notices)
    )
    if seen:  # a chat's backlog is not read again page after page
        query = query.where(OutboxMessage.chat_id.not_in(seen))
    if after is not None:
        query = query.where(
            OutboxMessage.not_before >= after[0],
            or_(OutboxMessage.not_before > after[0], OutboxMessage.id > after[1]),
        )
    return query.order_by(OutboxMessage.not_before, OutboxMessage.id).limit(CLAIM_PAGE)


def first_of_chats(chats: Collection[int], per_chat: int) -> Select[int, int, str, datetime]:
    """The first `per_chat` rows of each of these chats still to send or being sent, in the
    order they were queued, with their status and moment: read in one statement through
    ix_outbox_chat (chat_id, status, id), each chat's unsent rows only, not its history."""
    place = (
        func.row_number()
        .over(partition_by=OutboxMessage.chat_id, order_by=OutboxMessage.id)
        .label("place")
    )
    unsent = (
        select(
            OutboxMessage.id,
            OutboxMessage.chat_id,
            OutboxMessage.status,
            OutboxMessage.not_before,
            place,
        )
        .where(
            OutboxMessage.chat_id.in_(chats),
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
            OutboxMessage.kind != CURATORS_KIND,
        )
        .subquery()
    )
    return (
        select(unsent.c.id, unsent.c.chat_id, unsent.c.status, unsent.c.not_before)
        .where(unsent.c.place <= per_chat)
        .order_by(unsent.c.id)
    )


async def _held_chats(session: AsyncSession, now: datetime) -> dict[int, int]:
    """Per chat, its oldest unsent row that must be waited for: one being sent (by a handler,
    another worker) or waiting for its moment (Telegram's retry_after, a backoff). Only to
    choose the chats worth a look; each chosen chat is judged again in `first_of_chats`."""
    held: dict[int, int] = {}
    for waiting in (
        OutboxMessage.status == OutboxStatus.SENDING,
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.not_before > now),
    ):
        for chat_id, oldest in await session.execute(
            select(OutboxMessage.chat_id, func.min(OutboxMessage.id))
            .where(waiting)
            .group_by(OutboxMessage.chat_id)
        ):
            held[chat_id] = min(oldest, held.get(chat_id, oldest))
    return held


async def claim_due(
    session: AsyncSession, now: datetime, limit: int = 50, per_chat: int = PER_CHAT_CLAIM
) -> list[OutboxMessage]:
    """Claim due messages for this process. The conditional UPDATE lets exactly one process win
    a row even when several look at the same rows (PostgreSQL re-checks the WHERE under lock).

    A chat's messages go in the order they were queued: a row waits while an older row of its
    chat is being sent by someone else (a handler sending a decision's notices right after its
    commit, another worker) or waits for its own moment (a 429's retry_after, a backoff), so
    «Поздравляем…» is never overtaken by the questionnaire queued after it, and the claim takes
    each chat's first rows by that order (`deliver` sends them so); once one of a chat's rows
    is not won (someone else took it meanwhile), its later rows are not taken either. Chats are
    served fairly, the longest waiting first: a row of each, then a second of each…, at most
    `per_chat` of one chat, so one chat's backlog cannot fill the claim. The due rows are read
    through indexes of the unsent ones: a claim costs what is due, not the whole ledger of what
    was ever sent."""
    await recover_stale(session, now)
    held = await _held_chats(session, now)
    chats: dict[int, None] = {}  # in the order of their longest-waiting due row
    seen: set[int] = set()
    after: tuple[datetime, int] | None = None
    scanned = 0
    while len(chats) < limit and scanned < CLAIM_SCAN:
        page = (await session.execute(due_page(now, after, seen))).all()
        for message_id, chat_id, _not_before in page:
            if message_id < held.get(chat_id, message_id + 1) and len(chats) < limit:
                chats.setdefault(chat_id)  # a due row before anything of its chat that waits
            seen.add(chat_id)
        if len(page) < CLAIM_PAGE:
            break
        scanned += len(page)
        after = (page[-1].not_before, page[-1].id)
    queues: dict[int, list[tuple[int, int]]] = {chat_id: [] for chat_id in chats}
    cut: set[int] = set()
    if chats:
        for message_id, chat_id, status, not_before in await session.execute(
            first_of_chats(chats, per_chat)
        ):
            if status != OutboxStatus.PENDING or not_before > now:
                cut.add(chat_id)  # it, and the chat's later rows, wait
            if chat_id not in cut:
                queues[chat_id].append((message_id, chat_id))
    candidates = [  # each chat's first row, then each one's second…: as many chats as can be
        queue[rank] for rank in range(per_chat) for queue in queues.values() if rank < len(queue)
    ][:limit]
    claimed = []
    lost: set[int] = set()
    for message_id, chat_id in sorted(candidates):  # in one order in every process
        if chat_id in lost:
            continue
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.not_before <= now,
            )
            .values(status=OutboxStatus.SENDING, claimed_at=now, attempted_at=None)
        )
        if rowcount(result):
            claimed.append(message_id)
        else:
            lost.add(chat_id)
    await session.commit()
    if not claimed:
        return []
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
    )
    return list(rows)


async def attempting(session: AsyncSession, message: OutboxMessage, now: datetime) -> None:
    """Recorded before the send: a crash after this point is not sent again (see above)."""
    message.attempted_at = now
    await session.commit()


async def release(session: AsyncSession, message: OutboxMessage, not_before: datetime) -> None:
    """Give back a claimed message that was not attempted (its chat must wait)."""
    message.status, message.claimed_at, message.not_before = (
        OutboxStatus.PENDING,
        None,
        not_before,
    )
    await session.commit()


async def unreachable_chat(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Telegram refused the chat (403): its other messages due now are not sent either, as one
    round's rows of the chat were not before (each would be one more refused call)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
        )
        .values(status=OutboxStatus.UNREACHABLE)
    )
    await session.commit()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


async def mark(
    session: AsyncSession,
    message: OutboxMessage,
    status: OutboxStatus,
    now: datetime,
    *,
    error: str | None = None,
    retry_after: float | None = None,
    sent_message_id: int | None = None,
) -> None:
    """Record the outcome; a retryable failure goes back to pending for later."""
    message.last_error = error
    if status == OutboxStatus.SENT:
        message.status, message.sent_at = OutboxStatus.SENT, now
        message.sent_message_id = sent_message_id
    elif status == OutboxStatus.PENDING and retry_after is not None:
        # 429: Telegram says "later", not "failed"; it never counts toward giving up.
        message.attempted_at = None
        message.status = OutboxStatus.PENDING
        message.not_before = now + timedelta(seconds=retry_after)
    elif status == OutboxStatus.PENDING:
        message.attempts += 1
        message.attempted_at = None
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            message.status, message.not_before = (
                OutboxStatus.PENDING,
                now + backoff(message.attempts),
            )
    else:
        message.status = status
    await session.commit()


async def mark_reachable(session: AsyncSession, participant: Participant) -> None:
    """The person wrote to the bot again: reminders reach them again."""
    participant.unreachable_at = None
    await session.commit()


async def mark_unreachable(
    session: AsyncSession, chat_id: int, now: datetime
) -> Participant | None:
    """The person behind this chat blocked the bot; returns them if this is news."""
    participant = await session.scalar(
        select(Participant).where(Participant.telegram_id == chat_id)
    )
    if participant is None or participant.unreachable_at is not None:
        return None
    participant.unreachable_at = now
    await session.commit()
    return participant


COPY_KIND = "notice.copy"  # a record of a copy sent directly (not through the queue)


async def record_copies(
    session: AsyncSession, copies: list[tuple[int, int]], now: datetime
) -> None:
    """Remember the copies of one notice sent directly to several chats, as (chat id,
    message id): a decision on one of them edits the others. No text is stored."""
    batch = uuid4().hex
    for chat_id, message_id in copies:
        session.add(
            OutboxMessage(
                key=f"copy:{batch}:{chat_id}",
                kind=COPY_KIND,
                chat_id=chat_id,
                text="",
                status=OutboxStatus.SENT,
                not_before=now,
                created_at=now,
                sent_at=now,
                sent_message_id=message_id,
            )
        )
    await session.commit()


async def other_copies(
    session: AsyncSession, chat_id: int, message_id: int, configured: frozenset[int]
) -> list[tuple[int, int]]:
    """The same notice's copies sent to the other curators, as (chat id, message id), found
    from a curator's copy: its chat and Telegram message id. Only curators' copies (the
    configured ones and those given the role): a notice to a pair's two sides is not one
    decision."""
    curators = set(await curator_telegram_ids(session, configured))
    if chat_id not in curators:
        return []
    copy = await session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.sent_message_id == message_id,
            OutboxMessage.kind.in_(("notice", COPY_KIND)),
        )
    )
    if copy is None or not copy.key.endswith(f":{chat_id}"):
        return []
    prefix = copy.key.removesuffix(str(chat_id))
    rows = await session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.sent_message_id).where(
            OutboxMessage.key.startswith(prefix, autoescape=True),
            OutboxMessage.kind == copy.kind,
            OutboxMessage.chat_id != chat_id,
            OutboxMessage.sent_message_id.is_not(None),
        )
    )
    return [(row[0], row[1]) for row in rows if row[1] is not None and row[0] in curators]
