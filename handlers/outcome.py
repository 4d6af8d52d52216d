"""A message shows the state it leads to: after a decision the message that carried the buttons
keeps its text, loses its buttons and ends with the outcome, who decided and when.

A decision that needs a typed comment first (a request, ending a programme) remembers the
message in the form's data and edits it when the comment arrives."""

from __future__ import annotations

import logging
from datetime import UTC
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessageUnion,
    Message,
)
from aiogram.utils.i18n import gettext as _

from bot.middlewares import Stamp
from bot.unit import update_session
from models.formatting import moment
from models.outbox import other_copies
from rendering.ui import set_buttons, show_outcome

logger = logging.getLogger(__name__)
ORIGIN = "origin_message"  # FSM data key: [chat_id, message_id, html text] of the button message
_KEEP = 3000  # the original text kept above the outcome line (Telegram's limit is 4096)


def outcome_line(stamp: Stamp, outcome: str) -> str:
    return _("{outcome} — {who}, {when}").format(
        outcome=outcome, who=escape(stamp.who), when=moment(stamp.at, stamp.at.tzinfo or UTC)
    )


def _with_outcome(text: str, line: str) -> str:
    if len(text) > _KEEP:
        text = text[:_KEEP].rsplit("\n", 1)[0] + "\n…"
    return f"{text}\n\n{line}" if text else line


async def show_decided(
    query: CallbackQuery,
    stamp: Stamp,
    outcome: str,
    *,
    text: str | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit the pressed message: its text (or `text`, re-rendered with the new figures), the
    outcome line, and `markup` instead of the decision's buttons. A message too old to edit
    gets the outcome as a new message under it (rendering.ui.show_outcome)."""
    message = query.message
    if text is None:
        text = message.html_text if isinstance(message, Message) and message.text else ""
    decided = _with_outcome(text, outcome_line(stamp, outcome))
    try:
        await show_outcome(query, decided, markup)
    except TelegramBadRequest as error:  # e.g. «message can't be edited»: keep its text
        logger.info("the decided message was not edited: %s", error.message)
        await set_buttons(query, markup)
    # Other copies exist only of a notice to the curators (models.outbox.other_copies): a
    # teacher's or a mentor's press does not look for them (a read of the staff each time).
    if stamp.by_curator and isinstance(message, Message) and query.bot is not None:
        copy = (message.chat.id, message.message_id)
        await decide_other_copies(query.bot, copy, decided, stamp.curators)


async def decide_other_copies(
    bot: Bot, copy: tuple[int, int], decided: str, curators: frozenset[int]
) -> None:
    """The same notice sent to the other curators: their copies lose the buttons and show the
    outcome too. Best effort: a copy that cannot be edited is logged, never the presser's
    error."""
    session = update_session()
    if session is None:
        return
    try:
        copies = await other_copies(session, *copy, curators)
    except Exception:  # the decision is made; a lookup failure only leaves the copies as they are
        logger.exception("the other copies of a decided notice were not looked up")
        return
    for other_chat, other_message in copies:
        try:
            await bot.edit_message_text(
                chat_id=other_chat, message_id=other_message, text=decided, reply_markup=None
            )
        except TelegramAPIError as error:
            logger.info("a copy of the decided notice was not edited: %s", error.message)


async def remember_origin(state: FSMContext, message: MaybeInaccessibleMessageUnion | None) -> None:
    """Before a typed step: which message carried the buttons (edited when the step ends)."""
    if isinstance(message, Message):
        text = message.html_text if message.text else ""
        await state.update_data({ORIGIN: [message.chat.id, message.message_id, text[:_KEEP]]})


async def show_outcome_later(bot: Bot, data: dict[str, Any], stamp: Stamp, outcome: str) -> None:
    origin = data.get(ORIGIN)
    if not origin:
        return
    chat_id, message_id, text = origin
    decided = _with_outcome(text, outcome_line(stamp, outcome))
    try:
        await bot.edit_message_text(
            chat_id=chat_id, message_id=message_id, text=decided, reply_markup=None
        )
    except TelegramBadRequest as error:
        logger.info("the decided message was not edited: %s", error.message)
    if stamp.by_curator:
        await decide_other_copies(bot, (chat_id, message_id), decided, stamp.curators)


async def redraw(
    bot: Bot, data: dict[str, Any], text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """The remembered message (a list, a draft) re-rendered in place with the new figures."""
    origin = data.get(ORIGIN)
    if not origin:
        return
    try:
        await bot.edit_message_text(
            chat_id=origin[0], message_id=origin[1], text=text, reply_markup=markup
        )
    except TelegramBadRequest as error:
        logger.info("the list was not redrawn: %s", error.message)
