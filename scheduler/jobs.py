"""The two periodic jobs: `sweep` queues what is due, `deliver` sends the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import bindparam, false, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.sender import Delivery, Outcome, sender_for
from models.base import among
from models.enums import ParticipantStatus, Responsible
from models.outbox import (
    OutboxMessage,
    OutboxStatus,
    attempting,
    claim_due,
    enqueue_many,
    expand_curator_notices,
    mark,
    release,
    unreachable_chat,
)
from models.pairs import Pair
from models.participant import Participant, curator_telegram_ids
from models.updates import forget_old
from rendering.notices import record_outcome, render_notice
from rendering.views import names_of
from scheduler import rules
from scheduler.clock import Clock
from scheduler.messages import rendered
from scheduler.rules import Due, DueKind

logger = logging.getLogger(__name__)


async def collect(session: AsyncSession, settings: Settings, clock: Clock) -> list[Due]:
    """The rules that look at a few rows each time (the ones that could grow with the region
    run in `sweep` in batches: activities, programmes, pairs)."""
    now = clock.now()
    local_now = now.astimezone(settings.timezone)
    today = local_now.date()
    return [
        *await rules.survey_reminders(session, now, settings.survey_reminder_days),
        *await rules.pending_requests(session, now, settings.request_reminder_days),
        *await rules.weekly_digest(session, local_now, settings.digest_day, settings.digest_time),
        *rules.yearly_list_update(today, settings.yearly_reminder),
        *await rules.unreachable_people(session),
        *await rules.broadcast_summaries(session, now),
        *await rules.event_reminders(session, today, settings.timezone),
    ]


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    locale: str | None
    to_mentor: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """What the sweep needs of a recipient, read as a plain row (no ORM objects)."""

    id: int
    telegram_id: int
    locale: str | None
    reachable: bool
    registered: bool


def _recipients(
    due: Due, people: dict[int, Person], locales: dict[int, str | None], curators: list[int]
) -> list[Recipient]:
    found = []
    mentor_id = getattr(due.params.get("pair"), "mentor_id", None)
    # A reminder about the mentee's own activity reaches the mentor as a copy (whose it is, no
    # report button); an activity the mentor reports too (theirs, or both's) is theirs to mark.
    mentees_only = getattr(due.params.get("activity"), "responsible", None) == Responsible.MENTEE
    for participant_id in due.participants:
        person = people.get(participant_id)
        if person is None or not person.reachable or not person.registered:
            continue
        copy = (
            due.kind in (DueKind.DEADLINE, DueKind.OVERDUE)
            and mentees_only
            and participant_id == mentor_id
        )
        found.append(Recipient(person.telegram_id, person.locale, copy))
    if due.curators:
        found += [Recipient(chat_id, locales.get(chat_id)) for chat_id in curators]
    found += [Recipient(chat_id, locales.get(chat_id)) for chat_id in due.chats]
    return found


async def _existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    existing: set[str] = set()
    for start in range(0, len(keys), rules.IN_CHUNK):
        chunk = keys[start : start + rules.IN_CHUNK]
        existing.update(
            await session.scalars(
                select(OutboxMessage.key).where(among(session, OutboxMessage.key, chunk))
            )
        )
    return existing


QUEUE_CHUNK = 2000  # rendered messages inserted at a time (a batch may hold ten times more)


async def _queue(
    session: AsyncSession, dues: list[Due], settings: Settings, i18n: I18n, now: datetime
) -> int:
    """Render and queue the messages of `dues` not queued yet (one INSERT for all)."""
    if not dues:
        return 0
    curators = await curator_telegram_ids(session, settings.curator_ids)
    ids = {pid for due in dues for pid in due.participants}
    for due in dues:
        pair = due.params.get("pair") or getattr(due.params.get("programme"), "pair", None)
        if pair is not None:
            ids.update({pair.mentor_id, *pair.mentee_ids})
    chats = [*curators, *(c for d in dues for c in d.chats)]
    people: dict[int, Person] = {}
    id_list = sorted(ids)
    for start in range(0, max(len(id_list), 1), rules.IN_CHUNK):
        found = await session.execute(
            select(
                Participant.id,
                Participant.telegram_id,
                Participant.locale,
                Participant.unreachable_at.is_(None),
                Participant.status == ParticipantStatus.ACTIVE,  # Participant.is_registered
            ).where(
                among(session, Participant.id, id_list[start : start + rules.IN_CHUNK])
                | (Participant.telegram_id.in_(chats) if start == 0 else false())
            )
        )
        people.update((row[0], Person(*row)) for row in found.all())
    names = await names_of(session, ids)
    locales = {person.telegram_id: person.locale for person in people.values()}
    planned = [
        (due, recipient, f"{due.key}:{recipient.chat_id}")
        for due in dues
        for recipient in _recipients(due, people, locales, curators)
    ]
    existing = await _existing_keys(session, [key for _, _, key in planned])
    queued, rows = 0, []
    for due, recipient, key in planned:
        if key in existing:
            continue
        existing.add(key)
        text, markup = rendered(i18n, recipient.locale, due, names, to_mentor=recipient.to_mentor)
        rows.append(
            {
                "key": key,
                "kind": due.kind,
                "chat_id": recipient.chat_id,
                "text": text,
                "reply_markup": markup,
            }
        )
        if len(rows) == QUEUE_CHUNK:  # the rendered texts of a batch never all at once
            queued += await enqueue_many(session, rows, now=now)
            rows = []
    return queued + await enqueue_many(session, rows, now=now)


async def _advance(session: AsyncSession, found: rules.Found) -> None:
    """When to look at each object of the batch next; in the transaction of its notices.
    Objects that wait for a change (most, on a first sweep) get one UPDATE per 500 ids."""
    for statement in found.advance_in_sql:
        await session.execute(statement)
    if not found.advance:
        return
    table = found.model.__table__  # type: ignore[attr-defined]  # a mapped class (Found.model)
    column = table.c.next_notice_at if found.model is Pair else table.c.next_notice_on
    keep: dict[str, Any] = {}
    if "updated_at" in table.c:  # bookkeeping, not a change of the object
        keep["updated_at"] = table.c.updated_at
    far = rules.FAR_MOMENT if found.model is Pair else rules.FAR_DAY
    waiting = [key for key, moment in found.advance.items() if moment == far]
    for start in range(0, len(waiting), rules.IN_CHUNK):
        await session.execute(
            update(table)
            .where(among(session, table.c.id, waiting[start : start + rules.IN_CHUNK]))
            .values({column: far, **keep})
        )
    timed = [
        {"object_id": key, "next_moment": moment}
        for key, moment in found.advance.items()
        if moment != far
    ]
    if timed:
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("object_id"))
            .values({column: bindparam("next_moment"), **keep}),
            timed,
        )


async def sweep(
    session_pool: async_sessionmaker[AsyncSession],
    settings: Settings,
    i18n: I18n,
    clock: Clock,
    batch: int = rules.BATCH,
) -> int:
    """Queue everything due that is not queued yet; returns how many messages were queued.

    Costs what is due, not what exists: activities, programmes and pairs are read only when
    their next moment has come, in batches of `batch`, each committed with its notices and
    its next moments (a crash loses nothing: the batch is looked at again)."""
    now = clock.now()
    local_now = now.astimezone(settings.timezone)
    today = local_now.date()
    queued = 0
    async with session_pool() as session:
        await forget_old(session, now)
        batches: tuple[Callable[[], Awaitable[rules.Found]], ...] = (
            lambda: rules.activities_due(
                session, today, settings.reminder_days, settings.escalate_after_days, batch
            ),
            lambda: rules.programmes_ending(session, today, settings.programme_end_days, batch),
            lambda: rules.pairs_inactive(
                session, now, settings.inactivity_days, settings.escalate_after_days, batch
            ),
        )
        for next_batch in batches:
            while True:
                found = await next_batch()
                if not found.size:
                    break
                queued += await _queue(session, found.dues, settings, i18n, now)
                await _advance(session, found)
                await session.commit()
                session.expunge_all()  # bounded memory: the batch's objects are done
                if found.size < batch:
                    break
        queued += await _queue(
            session, await collect(session, settings, clock), settings, i18n, now
        )
        await session.commit()
    if queued:
        logger.info("sweep queued %d message(s)", queued)
    return queued


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    unreachable: int = 0
    failed: int = 0  # refused by Telegram for what the message is (a 400 about it)


async def deliver(
    bot: Bot,
    session_pool: async_sessionmaker[AsyncSession],
    settings: Settings,
    i18n: I18n,
    clock: Clock,
) -> DeliveryReport:
    """Send what is due from the outbox, outside quiet hours, within Telegram's limits.

    Chats are served side by side (one waiting for its per-chat second does not hold up the
    others); within a chat the messages go in order, and after a 429 the rest of that chat's
    batch goes back to the queue until retry_after has passed."""
    report = DeliveryReport()
    now = clock.now()
    if settings.is_quiet(now):
        return report
    sender = sender_for(bot, settings.send_rate_per_second)
    async with session_pool() as session:
        # «to every curator» notices become one row per curator of today's settings
        await expand_curator_notices(
            session, await curator_telegram_ids(session, settings.curator_ids), now
        )
        claimed = await claim_due(session, now)
        by_chat: dict[int, list[OutboxMessage]] = {}
        for message in claimed:
            by_chat.setdefault(message.chat_id, []).append(message)
        database = asyncio.Lock()  # one session: its statements one at a time

        today = now.astimezone(settings.timezone).date()  # a programme's view marks overdue

        async def serve(queue: list[OutboxMessage]) -> None:
            for index, message in enumerate(queue):
                text, markup = (
                    message.text,
                    (
                        InlineKeyboardMarkup.model_validate(message.reply_markup)
                        if message.reply_markup
                        else None
                    ),
                )
                # media_kind is "photo" or "document" whenever a file id is stored
                media = (
                    (message.media_kind or "document", message.media_file_id)
                    if message.media_file_id
                    else None
                )
                if message.payload is not None:  # a notice: rendered now, from ids
                    async with database:
                        rendered = await render_notice(session, i18n, message, today)
                        if rendered is None:
                            await mark(
                                session, message, OutboxStatus.FAILED, clock.now(), error="gone"
                            )
                            continue
                    text, markup, media = rendered

                async def mark_attempt(message: OutboxMessage = message) -> None:
                    # right before the HTTP call, after the rate limiter's wait: a crash while
                    # waiting leaves the row unattempted, so it is simply queued again
                    async with database:
                        await attempting(session, message, clock.now())

                outcome = await sender.deliver_once(
                    message.chat_id,
                    text,
                    media,
                    reply_markup=markup,
                    before_send=mark_attempt,
                )
                async with database:
                    await _record(session, message, outcome, clock.now(), report)
                    if outcome.delivery == Delivery.RETRY:
                        # the rest of the chat follows the message that must wait, in order
                        later = (
                            message.not_before
                            if message.status == OutboxStatus.PENDING
                            else clock.now()
                        )
                        for waiting in queue[index + 1 :]:
                            await release(session, waiting, later)
                        return
                    if outcome.delivery == Delivery.UNREACHABLE:
                        for waiting in queue[index + 1 :]:
                            await mark(session, waiting, OutboxStatus.UNREACHABLE, clock.now())
                        await unreachable_chat(session, message.chat_id, clock.now())
                        return

        # Every chat finishes its step before the session closes; then the first error, if any.
        results = await asyncio.gather(
            *(serve(queue) for queue in by_chat.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
    return report


async def _record(
    session: AsyncSession,
    message: OutboxMessage,
    outcome: Outcome,
    now: datetime,
    report: DeliveryReport,
) -> None:
    await record_outcome(session, message, outcome, now)
    if outcome.delivery == Delivery.SENT:
        report.sent += 1
    elif outcome.delivery == Delivery.UNREACHABLE:
        report.unreachable += 1
    elif outcome.delivery == Delivery.REFUSED:  # the message itself was refused
        report.failed += 1
    else:
        report.retried += 1
