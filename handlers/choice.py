"""/mentors: a mentee without a pair sees the mentors ranked for them (only those who agreed to
be shown) and may ask for one, with a reason; a mentor agrees or stops agreeing to be shown
(§4.2.5, §9.1.2, §9.2). The curator sees the wish in /pair and on the desk."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.forms import Form, Step, Turn
from models.access import Actor
from models.choice import (
    ask_for_mentor,
    current_wishes,
    mentors_for,
    set_shown,
    withdraw_wish,
)
from models.enums import MentorStatus
from models.errors import NotRegistered, WrongState
from models.fields import printable
from models.i18n_marker import N_
from models.participant import Participant, curator_telegram_ids
from rendering.ui import DbInt, button_rows, chat_of, show_outcome
from rendering.views import names_of, reason_text

router = Router(name=__name__)


class ShowMe(CallbackData, prefix="shm"):
    shown: bool


class AskMentor(CallbackData, prefix="askm"):
    mentor_id: DbInt


class WishWithdraw(CallbackData, prefix="wwd"):
    """The mentee takes their wish back."""


class Wishing(StatesGroup):
    reason = State()


def _short(text: str | None, size: int = 160) -> str:
    text = " ".join((text or "").split())
    return escape(text if len(text) <= size else text[: size - 1] + "…")


def _shown_offer(shown: bool) -> tuple[str, InlineKeyboardMarkup]:
    """Whether mentees choosing see this mentor, with the button that changes it."""
    if shown:
        text = _("Mentees choosing a mentor see you in /mentors.")
        button = (_("Do not show me"), ShowMe(shown=False))
    else:
        text = _("Mentees choosing a mentor do not see you. Agree to be shown?")
        button = (_("Show me to mentees"), ShowMe(shown=True))
    return text, button_rows([button])


async def _mentor_part(message: Message, person: Participant) -> bool:
    profile = person.mentor_profile
    if profile is None or profile.status != MentorStatus.ACCEPTED:
        return False
    text, markup = _shown_offer(profile.shown_to_mentees)
    await message.answer(text, reply_markup=markup)
    return True


async def _wish_lines(
    session: AsyncSession, participant: Participant
) -> tuple[list[str], list[tuple[str, CallbackData]]]:
    """The mentee's current wish, if any, with «withdraw» (§4.2.5: voluntary both ways)."""
    wish = (await current_wishes(session, [participant.id])).get(participant.id)
    if wish is None:
        return [], []
    mentor = (await names_of(session, [wish.mentor_id])).get(wish.mentor_id, "—")
    text = _("Your wish: {mentor} as your mentor — «{reason}». The curator sees it.").format(
        mentor=mentor, reason=escape(wish.reason or "")
    )
    return [text, ""], [(_("Withdraw my wish"), WishWithdraw())]


@router.message(Command("mentors"))
async def cmd_mentors(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    actor: Actor | None,
) -> None:
    await state.clear()
    if participant is None or actor is None or actor.participant_id is None:
        raise NotRegistered()
    mentor = await _mentor_part(message, participant)
    if participant.mentee_profile is None:
        if not mentor:
            await message.answer(
                _("Choosing a mentor is for the bank of mentees: fill in /profile.")
            )
        return
    try:
        ranked = await mentors_for(session, actor)
    except WrongState as error:
        if not mentor:
            raise
        await message.answer(_(error.message))
        return
    wish_lines, wish_buttons = await _wish_lines(session, participant)
    if not ranked:
        text = _(
            "No mentor who agreed to be shown has a free place now. The curator will "
            "offer you a mentor."
        )
        await message.answer(
            "\n".join([*wish_lines, text]),
            reply_markup=button_rows(wish_buttons) if wish_buttons else None,
        )
        return
    lines = [*wish_lines, _("Mentors who agreed to be shown, best match for you first:")]
    buttons: list[tuple[str, CallbackData]] = []
    for number, match in enumerate(ranked, 1):
        mentor_person = match.mentor
        offers = mentor_person.mentor_profile
        assert offers is not None  # ranked from the bank of mentors
        reasons = "; ".join(reason_text(text, params) for text, params in match.reasons)
        lines += [
            "",
            f"{number}. <b>{escape(mentor_person.display_name)}</b>",
            _("Subjects: {subjects}").format(subjects=_short(offers.mentor_subjects)),
            _("Competences: {competences}").format(competences=_short(offers.competences)),
            _("Why: {reasons}").format(reasons=escape(reasons) or _("no matching criteria")),
        ]
        buttons.append(
            (
                _("{n}. Ask for {name}").format(n=number, name=mentor_person.display_name),
                AskMentor(mentor_id=mentor_person.id),
            )
        )
    lines += ["", _("Asking is a wish: the curator proposes the pair, and both sides agree.")]
    buttons += wish_buttons
    await message.answer("\n".join(lines), reply_markup=button_rows(buttons))


@router.callback_query(ShowMe.filter())
async def show_me_changed(
    query: CallbackQuery, callback_data: ShowMe, session: AsyncSession, actor: Actor
) -> None:
    await set_shown(session, actor, callback_data.shown)
    await query.answer(
        _("Mentees choosing a mentor see you now.")
        if callback_data.shown
        else _("Mentees choosing a mentor no longer see you.")
    )
    await show_outcome(query, *_shown_offer(callback_data.shown))


@router.callback_query(AskMentor.filter())
async def mentor_asked(
    query: CallbackQuery,
    callback_data: AskMentor,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    offered = {match.mentor.id for match in await mentors_for(session, actor, limit=10_000)}
    if callback_data.mentor_id not in offered:
        await query.answer(
            _("This mentor is no longer shown or has no free place."), show_alert=True
        )
        return
    await WISH.start(Turn(chat_of(query), state), {"mentor_id": callback_data.mentor_id})
    await query.answer()


async def _wish_reason(turn: Turn) -> Any:
    return printable(turn.text or "")


async def _wished(turn: Turn) -> None:
    context: Context = turn.deps["context"]
    data = await turn.answers()
    curators = await curator_telegram_ids(context.session, context.settings.curator_ids)
    wish = await ask_for_mentor(
        context.session, context.actor, int(data.get("mentor_id", 0)), data["reason"], curators
    )
    await turn.state.clear()
    await turn.message.answer(
        _("Your wish is sent to the curator. You will be asked before any pair is formed."),
        reply_markup=button_rows([(_("Withdraw my wish"), WishWithdraw())]),
    )
    await context.notifier.notices("wish.created", wish.id, to_curators=False)


WISH = Form(
    [
        Step(
            Wishing.reason,
            "reason",
            question=N_("Why this mentor? A few words for the curator (or /cancel)."),
            read=_wish_reason,
        )
    ],
    _wished,
)
WISH.register(router)


@router.callback_query(WishWithdraw.filter())
async def wish_withdrawn(query: CallbackQuery, session: AsyncSession, actor: Actor) -> None:
    await withdraw_wish(session, actor)
    await query.answer()
    await show_outcome(
        query,
        _("Your wish is withdrawn; the curator no longer sees it. /mentors to choose again."),
    )
