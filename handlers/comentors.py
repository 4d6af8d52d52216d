"""/comentor: the mentor brings in other teachers of the college to help the mentee (§7.1.1),
with their consent; the invitee agrees or declines; the mentor, the co-mentor or a curator ends
it. A co-mentor reads the programme (/plan) and logs meetings (/meeting), nothing more."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.forms import HOLD, Form, Step, Turn
from handlers.notify import Notifier
from handlers.outcome import show_decided
from handlers.programme.common import my_pairs
from models.access import Actor
from models.comentors import (
    answer_invitation,
    candidates,
    co_mentors_of,
    co_mentorships_of,
    end_co_mentorship,
    invite_co_mentor,
    mentors_pair,
)
from models.enums import CoMentorStatus, Side
from models.i18n_marker import N_
from models.pairs import Pair
from rendering.ui import CoMentorAction, CoMentorVerb, button_rows, chat_of, label, show_outcome
from rendering.views import names_of

router = Router(name=__name__)


class InvitingCoMentor(StatesGroup):
    entering_name = State()


async def _pair_card(session: AsyncSession, pair: Pair) -> tuple[str, InlineKeyboardMarkup]:
    """The mentor's pair with its co-mentors, «End» for each and «Invite a teacher»."""
    rows = await co_mentors_of(session, pair.id)
    names = await names_of(session, [*pair.mentee_ids, *(r.participant_id for r in rows)])
    mentees = ", ".join(names.get(i, "—") for i in pair.mentee_ids)
    lines = [_("<b>Pair №{id}</b>: {mentees}").format(id=pair.id, mentees=mentees)]
    buttons = []
    for row in rows:
        name = names.get(row.participant_id, "—")
        lines.append(f"• {name}: {label(row.status)}")
        end = CoMentorAction(action=CoMentorVerb.END, item=row.id)
        buttons.append((_("End: {name}").format(name=name), end))
    if not rows:
        lines.append(_("No co-mentors yet."))
    invite = CoMentorAction(action=CoMentorVerb.INVITE, item=pair.id)
    buttons.append((_("➕ Invite a teacher"), invite))
    return "\n".join(lines), button_rows(buttons)


@router.message(Command("comentor"))
async def cmd_comentor(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None
) -> None:
    await state.clear()
    mentored = await my_pairs(session, actor, side=Side.MENTOR)
    assert actor is not None  # my_pairs refused an unregistered person
    assert actor.participant_id is not None
    helped = await co_mentorships_of(session, actor.participant_id)
    if not mentored and not helped:
        await message.answer(
            _(
                "You have no approved pair as a mentor and help no pair as a co-mentor. A mentor "
                "may bring in other teachers to help the mentee, with their consent (§7.1.1)."
            )
        )
        return
    if mentored:
        await message.answer(
            _(
                "Co-mentors (§7.1.1): teachers you bring in to help your mentee, with their "
                "consent. They see the programme and log meetings; they do not vote, approve "
                "or check reports."
            )
        )
    for pair in mentored:
        text, markup = await _pair_card(session, pair)
        await message.answer(text, reply_markup=markup)
    for row, pair in helped:
        names = await names_of(session, [pair.mentor_id])
        leave = CoMentorAction(action=CoMentorVerb.END, item=row.id)
        await message.answer(
            _("You help pair №{id} (mentor {mentor}) as a co-mentor: /plan, /meeting.").format(
                id=pair.id, mentor=names.get(pair.mentor_id, "—")
            ),
            reply_markup=button_rows([(_("Stop being a co-mentor"), leave)]),
        )


@router.callback_query(CoMentorAction.filter(F.action == CoMentorVerb.INVITE))
async def invite_started(
    query: CallbackQuery,
    callback_data: CoMentorAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    await mentors_pair(session, actor, callback_data.item)
    await query.answer()
    await INVITE.start(Turn(chat_of(query), state), {"pair_id": callback_data.item})


async def _invitee_name(turn: Turn) -> Any:
    """The surname typed; none registered matches: say so, and the step stays."""
    pair_id = int((await turn.answers()).get("pair_id", 0))
    typed = (turn.text or "").strip()[:100]
    if await candidates(turn.session, turn.actor, pair_id, typed):
        return typed
    await turn.message.answer(
        _(
            "No registered teacher matches «{name}» (or they are in the pair already). "
            "Type another surname, or /cancel."
        ).format(name=escape(typed))
    )
    return HOLD


async def _invitee_named(turn: Turn) -> None:
    data = await turn.answers()
    pair_id = int(data.get("pair_id", 0))
    found = await candidates(turn.session, turn.actor, pair_id, data["invitee_name"])
    await turn.state.clear()
    buttons = [
        (
            f"{person.display_name}, {person.position or '—'}",
            CoMentorAction(action=CoMentorVerb.PICK, item=pair_id, person=person.id),
        )
        for person in found
    ]
    await turn.message.answer(_("Whom do you invite?"), reply_markup=button_rows(buttons))


INVITE = Form(
    [
        Step(
            InvitingCoMentor.entering_name,
            "invitee_name",
            question=N_(
                "Type the surname of the teacher to invite (registered in the bot), or /cancel:"
            ),
            read=_invitee_name,
        )
    ],
    _invitee_named,
)
INVITE.register(router)


@router.callback_query(CoMentorAction.filter(F.action == CoMentorVerb.PICK))
async def invitee_picked(
    query: CallbackQuery,
    callback_data: CoMentorAction,
    session: AsyncSession,
    actor: Actor,
    notifier: Notifier,
) -> None:
    row = await invite_co_mentor(session, actor, callback_data.item, callback_data.person)
    name = (await names_of(session, [row.participant_id])).get(row.participant_id, "—")
    await query.answer()
    await show_outcome(
        query,
        _("The invitation is sent to {name}: they agree or decline in the bot.").format(name=name),
    )
    await notifier.notices("comentor.invited", row.id)


@router.callback_query(
    CoMentorAction.filter(F.action.in_({CoMentorVerb.ACCEPT, CoMentorVerb.DECLINE}))
)
async def invitation_answered(
    query: CallbackQuery, callback_data: CoMentorAction, context: Context
) -> None:
    accept = callback_data.action == CoMentorVerb.ACCEPT
    row = await answer_invitation(context.session, context.actor, callback_data.item, accept=accept)
    agreed = row.status == CoMentorStatus.ACCEPTED
    await query.answer()
    await show_decided(query, context.stamp, _("✅ Agreed") if agreed else _("✖ Declined"))
    await context.notifier.notices("comentor.answered", row.id)


@router.callback_query(CoMentorAction.filter(F.action == CoMentorVerb.END))
async def co_mentorship_ended(
    query: CallbackQuery, callback_data: CoMentorAction, context: Context
) -> None:
    row = await end_co_mentorship(context.session, context.actor, callback_data.item)
    await query.answer()
    await show_decided(query, context.stamp, _("⏹ No longer a co-mentor"))
    await context.notifier.notices("comentor.ended", row.id)
