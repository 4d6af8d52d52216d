"""Notifications sent directly, each rendered in the recipient's language.

Every notice about a decision goes through the outbox (models.outbox.queue_notice, rendered at
delivery by rendering.notices). Left direct, on purpose, are the notices of a consent withdrawal
(handlers.consent) — to the curators, who must read who left, and to the partners: the erasure
of the person is in the same transaction, so a row rendered at delivery could no longer name
them. A crash between that commit and these sends loses them; a withdrawal of the personal-data
consent that Telegram keeps refusing is dropped (logged), never queued: a queued text would
store the name just erased. Other direct notices Telegram keeps refusing are queued as text
(an erasure later scrubs the names in them, models.erasure)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.sender import Delivery, sender_for
from models.base import utcnow
from models.outbox import mark_unreachable, queue_retry, record_copies
from models.participant import Participant, curator_telegram_ids, locales_of
from rendering.notices import send_notices

logger = logging.getLogger(__name__)
Render = Callable[[], tuple[str, InlineKeyboardMarkup | None]]


async def notify_curators(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    render: Render,
    *,
    queue_if_refused: bool = True,
) -> dict[int, Delivery]:
    chat_ids = await curator_telegram_ids(session, settings.curator_ids)
    how = Sending(keep_copies=True, queue_if_refused=queue_if_refused)
    return await notify(bot, session, i18n, chat_ids, render, how)


async def notify_participants(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    participant_ids: list[int],
    render: Render,
    *,
    queue_if_refused: bool = True,
) -> dict[int, Delivery]:
    rows = await session.scalars(
        select(Participant.telegram_id).where(Participant.id.in_(participant_ids))
    )
    how = Sending(queue_if_refused=queue_if_refused)
    return await notify(bot, session, i18n, list(rows), render, how)


@dataclass(frozen=True)
class Sending:
    """How a direct notice is sent. `keep_copies` (a notice to every curator): the copies with
    buttons are recorded, so a decision on one edits the others (handlers.outcome). Without
    `queue_if_refused` a notice Telegram keeps refusing is logged and dropped (it names
    someone just erased)."""

    keep_copies: bool = False
    queue_if_refused: bool = True


async def notify(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    chat_ids: list[int],
    render: Render,
    how: Sending | None = None,
) -> dict[int, Delivery]:
    keep_copies, queue_if_refused = (
        (how or Sending()).keep_copies,
        (how or Sending()).queue_if_refused,
    )
    sender = sender_for(bot)
    locales = await locales_of(session, chat_ids)
    results: dict[int, Delivery] = {}
    copies: list[tuple[int, int]] = []  # (chat, message) of a notice with buttons
    for chat_id in chat_ids:
        with i18n.use_locale(locales.get(chat_id) or i18n.default_locale):
            text, markup = render()
        outcome = await sender.send_now(chat_id, text, reply_markup=markup)
        results[chat_id] = outcome.delivery
        if markup is not None and outcome.message_id is not None:
            copies.append((chat_id, outcome.message_id))
        if results[chat_id] == Delivery.UNREACHABLE:
            await mark_unreachable(session, chat_id, utcnow())  # curators: next sweep
        elif results[chat_id] == Delivery.FAILED and not queue_if_refused:
            logger.warning(
                "a notice to chat %s was given up (not queued: it names someone erased)", chat_id
            )
        elif results[chat_id] == Delivery.FAILED:
            # Telegram kept refusing: the outbox delivers it later, on its own retry schedule.
            await queue_retry(
                session, chat_id, text, markup.model_dump(exclude_none=True) if markup else None
            )
            logger.warning("a notice to chat %s was queued for a later attempt", chat_id)
    if (
        keep_copies and len(copies) > 1
    ):  # a decision on one copy edits the others (handlers.outcome)
        await record_copies(session, copies, utcnow())
    return results


@dataclass(frozen=True)
class Notifier:
    """Telling people about what a handler just did, each in their own language: made for
    every update (handlers.context.ContextMiddleware), so a handler takes `notifier` instead of
    the bot, the session, the settings and the translations (it carries them, for a handler
    that needs one of them too)."""

    bot: Bot
    session: AsyncSession
    settings: Settings
    i18n: I18n

    async def curators(
        self, render: Render, *, queue_if_refused: bool = True
    ) -> dict[int, Delivery]:
        return await notify_curators(
            self.bot,
            self.session,
            self.settings,
            self.i18n,
            render,
            queue_if_refused=queue_if_refused,
        )

    async def participants(
        self, participant_ids: list[int], render: Render, *, queue_if_refused: bool = True
    ) -> dict[int, Delivery]:
        return await notify_participants(
            self.bot,
            self.session,
            self.i18n,
            participant_ids,
            render,
            queue_if_refused=queue_if_refused,
        )

    async def notices(
        self,
        notice: str,
        object_id: int,
        *,
        occasion: str | int | None = None,
        to_curators: bool = True,
        today: date | None = None,
    ) -> None:
        """Send now the notices a domain decision queued (models.outbox.queue_notice). With
        `to_curators`, those queued «to every curator» are first expanded for the curators of
        the settings; without it (a notice only to participants) nothing is expanded. `today`
        (the handler's) is for the notices that show a programme (WITH_DAY)."""
        await send_notices(
            self.bot,
            self.session,
            self.i18n,
            notice,
            object_id,
            settings=self.settings if to_curators else None,
            occasion=occasion,
            today=today,
        )
