"""Errors become a clear reply, never a crash: domain errors say what is wrong."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update
from aiogram.utils.i18n import gettext as _

from models.errors import DomainError

router = Router(name=__name__)
logger = logging.getLogger(__name__)


async def tell(update: Update, text: str) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError as error:
        logger.warning("could not report an error to the user: %s", error.message)


@router.error(ExceptionTypeFilter(DomainError))
async def domain_error_explained(event: ErrorEvent) -> None:
    error: DomainError = event.exception  # type: ignore[assignment]
    await tell(event.update, _(error.message).format(**error.params))


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
