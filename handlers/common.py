"""/cancel (registered first so it works inside any form), /help and /lang."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.drafts import pause_registration
from models.enums import ParticipantStatus
from models.errors import InvalidValue
from models.participant import Participant, set_locale
from rendering.texts import help_text
from rendering.ui import Keyboard, LanguageChoice, show_outcome

router = Router(name=__name__)
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


@router.message(Command("cancel"))
async def cmd_cancel(message: Message, state: FSMContext, participant: Participant | None) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
        return
    kept = await pause_registration(state)
    if not kept:
        await state.clear()
    text = _("Cancelled.")
    if kept and participant is not None and participant.status == ParticipantStatus.REGISTERING:
        text += " " + _("Your answers are kept; send /start to continue the registration.")
    elif kept:
        text += " " + _("Your answers are kept; /start offers to continue where you stopped.")
    await message.answer(text)


@router.message(Command("help"))
async def cmd_help(message: Message, participant: Participant | None, is_curator: bool) -> None:
    await message.answer(help_text(participant, is_curator))


@router.message(Command("lang"))
async def cmd_lang(message: Message, i18n: I18n) -> None:
    builder = Keyboard()
    for code in i18n.available_locales:
        builder.button(text=LANGUAGE_NAMES.get(code, code), callback_data=LanguageChoice(code=code))
    await message.answer(_("Choose the language:"), reply_markup=builder.as_markup())


@router.callback_query(LanguageChoice.filter())
async def language_chosen(
    query: CallbackQuery, callback_data: LanguageChoice, session: AsyncSession, i18n: I18n
) -> None:
    if callback_data.code not in i18n.available_locales:
        raise InvalidValue()
    await set_locale(session, query.from_user.id, callback_data.code)
    with i18n.use_locale(callback_data.code):
        await show_outcome(query, _("Language: English. /help shows what I can do."))
        await query.answer()
