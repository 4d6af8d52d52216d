"""Errors become a clear reply, never a crash: domain errors say what is wrong."""

from __future__ import annotations

import logging
from enum import StrEnum
from html import escape

from aiogram import Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message, Update
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.resilience import describe, transient_database_error
from models.base import utcnow
from models.database import read_only_database_error
from models.enums import label_id
from models.errors import AlreadyDecided, DomainError
from models.outbox import mark_unreachable

router = Router(name=__name__)
logger = logging.getLogger(__name__)
_STALE = ("query is too old", "query ID is invalid", "message is not modified")


async def tell(update: Update, text: str) -> None:
    """As an alert on the pressed button, or as a message when that is not possible (the
    button press was already answered)."""
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(text[:200], show_alert=True)
                return
            except TelegramBadRequest:
                if update.callback_query.message is None:
                    raise
                await update.callback_query.message.answer(text)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError as error:
        logger.warning("could not report an error to the user: %s", error.message)


@router.error(ExceptionTypeFilter(DomainError))
async def domain_error_explained(event: ErrorEvent) -> None:
    error = event.exception
    assert isinstance(error, DomainError)  # the router's filter
    params = {key: _translated(value) for key, value in error.params.items()}
    text = _(error.message).format(**params)
    await tell(event.update, text)
    query = event.update.callback_query
    if isinstance(error, AlreadyDecided) and query is not None:
        await _show_decided(query.message, text)


async def _show_decided(message: object, text: str) -> None:
    """A copy of a decision's buttons pressed after someone else decided (another curator's
    copy, an old notice): the buttons go and the message says what it came to."""
    if not isinstance(message, Message) or not message.text:
        return
    try:
        await message.edit_text(f"{message.html_text}\n\n{text}", reply_markup=None)
    except TelegramAPIError as error:
        logger.info("the decided copy was not edited: %s", error.message)


def _translated(value: object) -> object:
    """A state named in a domain error (an enum member) in the user's language; a stored
    text (a name, an order number) escaped, as every message is sent as HTML."""
    if isinstance(value, StrEnum) and (label := label_id(value)) is not None:
        return _(label)
    if isinstance(value, str) and not isinstance(value, StrEnum):
        return escape(value)
    return value


@router.error(ExceptionTypeFilter(StaleDataError))
async def changed_meanwhile(event: ErrorEvent) -> None:
    """Someone changed the same row at the same moment and the decision could not be re-run
    (models.concurrency): nothing of this try was committed."""
    logger.warning("update %s: the row changed meanwhile", event.update.update_id)
    await tell(
        event.update,
        _("Someone changed this at the same moment, so it was not saved. Please open it again."),
    )


@router.error(ExceptionTypeFilter(DBAPIError))
async def database_error_explained(event: ErrorEvent) -> None:
    """Retried already (DbSessionMiddleware): tell the user it was not saved, to send it again.
    Nothing half-done was committed and a form stays at the same step."""
    if read_only_database_error(event.exception):
        logger.error(
            "update %s: THE DATABASE IS READ-ONLY (%s): nothing can be saved until it is "
            "writable again",
            event.update.update_id,
            describe(event.exception),
        )
        await tell(
            event.update,
            _(
                "The bot cannot save anything right now: its database is read-only. This is "
                "not your mistake; the administrator has to fix it. What you sent was not saved."
            ),
        )
        return
    if not transient_database_error(event.exception):
        await unexpected_error_reported(event)
        return
    logger.warning(
        "update %s: database unavailable (%s); the user was asked to try again",
        event.update.update_id,
        describe(event.exception),
    )
    await tell(
        event.update,
        _(
            "The database is busy right now, so this was not saved. "
            "Please send it again in a minute."
        ),
    )


@router.error(ExceptionTypeFilter(TelegramForbiddenError))
async def user_blocked_the_bot(
    event: ErrorEvent, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """The person blocked the bot while we were answering: what they did is saved; they are
    marked unreachable so reminders stop and the curators hear of it."""
    user = getattr(event.update.event, "from_user", None)  # every update kind here has one
    logger.info("update %s: the user blocked the bot", event.update.update_id)
    if user is not None:
        async with session_pool() as session:
            await mark_unreachable(session, user.id, utcnow())


@router.error(ExceptionTypeFilter(TelegramBadRequest))
async def stale_request_ignored(event: ErrorEvent) -> None:
    """A button pressed long ago, or an edit to what is already shown: nothing to tell."""
    error = event.exception
    assert isinstance(error, TelegramBadRequest)  # the router's filter
    if any(stale in error.message for stale in _STALE):
        logger.info("update %s: %s", event.update.update_id, error.message[:120])
        return
    await unexpected_error_reported(event)


@router.error(ExceptionTypeFilter(TelegramRetryAfter, TelegramServerError, TelegramNetworkError))
async def telegram_unavailable(event: ErrorEvent) -> None:
    """Telegram kept refusing after the retries (bot.resilience): what the handler committed
    stays, the reply could not be shown. The user sees no answer and will ask again."""
    logger.warning(
        "update %s: Telegram unavailable, the reply was not delivered: %s",
        event.update.update_id,
        type(event.exception).__name__,
    )


@router.error()
async def unexpected_error_reported(event: ErrorEvent) -> None:
    logger.error(
        "update %s failed: %s",
        event.update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    await tell(
        event.update,
        _("Something went wrong on our side. Please try again in a minute."),
    )
