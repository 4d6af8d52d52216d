"""Catch-alls, registered last: unknown commands, stray messages, stale or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import CURATOR_COMMANDS
from models.participant import Participant

router = Router(name=__name__)
CURATOR_ONLY = {f"/{name}" for name, _description in CURATOR_COMMANDS}


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message, is_curator: bool) -> None:
    command = (message.text or "/").split(maxsplit=1)[0].split("@", 1)[0].lower()
    if command in CURATOR_ONLY and not is_curator:
        await message.answer(_("This command is only for the programme's curators."))
        return
    await message.answer(_("I do not know this command. /help lists what I can do."))


@router.message()
async def unexpected_message(message: Message, participant: Participant | None) -> None:
    if participant is None or not participant.is_registered:
        await message.answer(_("To join the mentoring programme, send /start."))
        return
    await message.answer(_("I did not understand that. /help lists what I can do."))


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    await query.answer(
        _("This button is no longer valid. Send the command again."), show_alert=True
    )
