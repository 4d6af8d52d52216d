"""Nothing typed is lost: a command in the middle of a form asks «continue or start over»
instead of silently throwing the answers away; /cancel in the registration keeps them, and the
next /start offers to go on where the person stopped."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.commands import CURATOR_COMMANDS, PARTICIPANT_COMMANDS
from bot.config import Settings
from handlers.onboarding.steps import Registration, ask, registration_step
from handlers.ui import button_rows
from models.fields import FIELDS

router = Router(name=__name__)
PAUSED = "paused_registration"  # FSM data key: {"state": ..., "data": {...}} after /cancel
INTERRUPTED_BY = "interrupted_by"  # FSM data key: the command that interrupted a form


class DraftChoice(CallbackData, prefix="dft"):
    keep: bool


class ResumeChoice(CallbackData, prefix="rsm"):
    resume: bool


def draft_keyboard() -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("▶ Continue where I was"), DraftChoice(keep=True)),
            (_("🗑 Start over (the answers are deleted)"), DraftChoice(keep=False)),
        ]
    )


KNOWN_COMMANDS = {
    f"/{name}" for name, _description in (*PARTICIPANT_COMMANDS, *CURATOR_COMMANDS)
} | {"/pair", "/role"}


def _command(text: str | None) -> str:
    return (text or "").split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""


@router.message(~StateFilter(None), F.text.func(lambda text: _command(text) in KNOWN_COMMANDS))
async def command_inside_a_form(message: Message, state: FSMContext) -> None:
    """/cancel, /help and /lang are handled before (handlers.common); any other command of the
    bot would throw the answers away, so the person chooses. (An unknown «/…» is left to the
    form, which says it looks like a command.)"""
    command = _command(message.text)
    await state.update_data({INTERRUPTED_BY: command[:32]})
    await message.answer(
        _(
            "You have not finished the form you are filling in. Continue it, or start over "
            "and then send {command} again?"
        ).format(command=command[:32]),
        reply_markup=draft_keyboard(),
    )


@router.callback_query(DraftChoice.filter(), ~StateFilter(None), F.message.as_("message"))
async def draft_choice_made(
    query: CallbackQuery,
    callback_data: DraftChoice,
    message: Message,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    command = data.get(INTERRUPTED_BY) or "/start"
    await query.answer()
    if not callback_data.keep:
        await state.clear()
        await message.edit_text(
            _("The unfinished answers are deleted. Send {command} again.").format(command=command)
        )
        return
    await state.update_data({INTERRUPTED_BY: None})
    step = registration_step(await state.get_state())
    if step is None:
        await message.edit_text(_("Let us continue: answer the last question above."))
        return
    await message.edit_text(_("Let us continue."))
    await ask(message, state, step, settings.organization_name, i18n)


@router.callback_query(DraftChoice.filter())
async def draft_choice_stale(query: CallbackQuery) -> None:
    await query.answer(_("This form is already finished or cancelled."), show_alert=True)


async def pause_registration(state: FSMContext) -> bool:
    """On /cancel: keep the registration's answers for the next /start. True if kept."""
    current = await state.get_state()
    if registration_step(current) is None:
        return False
    data = await state.get_data()
    data.pop(INTERRUPTED_BY, None)
    await state.set_state(None)
    await state.set_data({PAUSED: {"state": current, "data": data}})
    return True


async def offer_to_resume(message: Message, state: FSMContext) -> bool:
    """On /start: a registration stopped with /cancel is offered to continue. True if offered."""
    paused = (await state.get_data()).get(PAUSED)
    if not paused or registration_step(paused.get("state")) is None:
        return False
    answered = sum(
        1 for key, value in paused["data"].items() if key in FIELDS and value not in (None, "", [])
    )
    await message.answer(
        ngettext(
            "You stopped the registration with {count} answer given. Continue where you "
            "stopped, or start it again?",
            "You stopped the registration with {count} answers given. Continue where you "
            "stopped, or start it again?",
            answered,
        ).format(count=answered),
        reply_markup=button_rows(
            [
                (_("▶ Continue where I stopped"), ResumeChoice(resume=True)),
                (_("↺ Start the registration again"), ResumeChoice(resume=False)),
            ]
        ),
    )
    return True


@router.callback_query(ResumeChoice.filter(), F.message.as_("message"))
async def resume_chosen(
    query: CallbackQuery,
    callback_data: ResumeChoice,
    message: Message,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    paused = (await state.get_data()).get(PAUSED)
    step = registration_step(paused.get("state")) if paused else None
    await query.answer()
    if step is None or paused is None:
        await message.edit_text(_("This form is already finished or cancelled."))
        return
    if callback_data.resume:
        await state.set_data(paused["data"])
        await message.edit_text(_("Let us continue."))
    else:
        await state.set_data({})
        step = Registration.entering_full_name
        await message.edit_text(_("Let us start the registration again."))
    await ask(message, state, step, settings.organization_name, i18n)
