"""Nothing typed is lost: a command in the middle of a form asks «continue or start over»
instead of silently throwing the answers away; /cancel in a form (the registration, a programme
draft, a meeting, a request, a broadcast…) keeps them, and the next /start offers to go on
where the person stopped."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.commands import CURATOR_COMMANDS, PARTICIPANT_COMMANDS
from bot.unit import LAST_QUESTION
from handlers.confirm import Confirming
from handlers.forms import Turn, engine_step
from handlers.forms import resume as asked_again
from handlers.onboarding.registration import REGISTRATION
from models.fields import FIELDS
from models.i18n_marker import N_
from rendering.ui import button_rows

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
    words = (text or "").split(maxsplit=1)  # a text of spaces only has no first word
    return words[0].split("@", 1)[0].lower() if words else ""


@router.message(
    ~StateFilter(None, Confirming.deciding),  # an open summary is not a draft: the command runs
    F.text.func(lambda text: _command(text) in KNOWN_COMMANDS),
)
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
    **deps: Any,
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
    if engine_step(await state.get_state()) is not None:
        await message.edit_text(_("Let us continue."))
        await asked_again(message, state, deps)
    elif not await ask_again(message, data):
        await message.edit_text(_("Let us continue: answer the last question above."))


@router.callback_query(DraftChoice.filter())
async def draft_choice_stale(query: CallbackQuery) -> None:
    await query.answer(_("This form is already finished or cancelled."), show_alert=True)


# Forms kept by /cancel and offered again by /start (the group of the FSM state → its name).
FORM_NAMES = {
    "Registration": N_("the registration"),
    "ProfileEditing": N_("the profile change"),
    "Drafting": N_("the programme draft"),
    "AddingActivity": N_("the new activity"),
    "LoggingMeeting": N_("the meeting record"),
    "Requesting": N_("the request"),
    "Broadcasting": N_("the broadcast"),
    "Reporting": N_("the activity report"),
    "Writing": N_("the message"),
    "Editing": N_("the site item"),
    "RoadmapEditing": N_("the roadmap event"),
    "Describing": N_("the best practice's description"),
}


def _form(state_name: str | None) -> str | None:
    group = (state_name or "").split(":", 1)[0]
    return group if group in FORM_NAMES else None


async def pause_registration(state: FSMContext) -> bool:
    """On /cancel: keep a form's answers for the next /start (a confirmation or an answer to
    someone's decision is not a draft: it is dropped). True if kept."""
    current = await state.get_state()
    if _form(current) is None:
        return False
    data = await state.get_data()
    data.pop(INTERRUPTED_BY, None)
    await state.set_state(None)
    await state.set_data({PAUSED: {"state": current, "data": data}})
    return True


async def offer_to_resume(message: Message, state: FSMContext) -> bool:
    """On /start: a form stopped with /cancel is offered to continue. True if offered."""
    paused = (await state.get_data()).get(PAUSED)
    form = _form(paused.get("state")) if paused else None
    if form is None or paused is None:
        return False
    if form != "Registration":
        await message.answer(
            _("You stopped {form} with /cancel. Continue where you stopped, or drop it?").format(
                form=_(FORM_NAMES[form])
            ),
            reply_markup=button_rows(
                [
                    (_("▶ Continue where I stopped"), ResumeChoice(resume=True)),
                    (_("🗑 Drop it"), ResumeChoice(resume=False)),
                ]
            ),
        )
        return True
    given: dict[str, Any] = paused["data"]
    answered = len([k for k, v in given.items() if k in FIELDS and v not in (None, "", [])])
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
    **deps: Any,
) -> None:
    paused = (await state.get_data()).get(PAUSED)
    form = _form(paused.get("state")) if paused else None
    await query.answer()
    if form is None or paused is None:
        await message.edit_text(_("This form is already finished or cancelled."))
        return
    if form != "Registration":
        await _resume_form(message, state, paused, deps, resume=callback_data.resume)
        return
    found = engine_step(paused["state"])
    step = found[1] if found else REGISTRATION.steps[0]
    if callback_data.resume:
        await state.set_data(paused["data"])
        await message.edit_text(_("Let us continue."))
    else:
        await state.set_data({})
        step = REGISTRATION.steps[0]
        await message.edit_text(_("Let us start the registration again."))
    await REGISTRATION.ask(Turn(message, state, deps), step)


async def _resume_form(
    message: Message,
    state: FSMContext,
    paused: dict[str, Any],
    deps: dict[str, Any],
    *,
    resume: bool,
) -> None:
    if not resume:
        await state.clear()
        await message.edit_text(_("The unfinished answers are deleted."))
        return
    await state.set_state(paused["state"])
    await state.set_data(paused["data"])
    if engine_step(paused["state"]) is not None:  # the step asks its question again
        await message.edit_text(_("Let us continue."))
        await asked_again(message, state, deps)
        return
    if not await ask_again(message, paused["data"]):  # a summary waiting for «Send»
        await message.edit_text(
            _("Let us continue: send the answer the form asked for last (/cancel stops).")
        )


async def ask_again(message: Message, data: dict[str, Any]) -> bool:
    """The question the form asked last (bot.unit.remember_question), sent again with its
    buttons. False if none was remembered."""
    question = data.get(LAST_QUESTION)
    if not question:
        return False
    text, keyboard = question
    markup = InlineKeyboardMarkup.model_validate(keyboard) if keyboard else None
    await message.edit_text(_("Let us continue."))
    await message.answer(text, reply_markup=markup)
    return True
