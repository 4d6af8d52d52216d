"""Mentor and mentees answer a pair proposal: nobody is paired without consent (§4.2, §9.2)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.loaded import PairOf
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.pairs import Pair, PairAnswer, answer_pair
from rendering.ui import (
    PairReply,
    chat_of,
    set_buttons,
)

router = Router(name=__name__)


class PairDeclining(StatesGroup):
    entering_reason = State()


async def ask_pair_consent(notifier: Notifier, pair: Pair) -> None:
    """Send the consent requests the proposal queued in its own transaction (models.pairs):
    each person gets the proposal, the other side's questionnaire and agree/decline."""
    await notifier.notices("pair.consent", pair.id, to_curators=False)


@router.callback_query(PairReply.filter(F.accept))
async def pair_accepted(query: CallbackQuery, callback_data: PairReply, context: Context) -> None:
    result = await answer_pair(context.session, context.actor, callback_data.pair_id, accept=True)
    await show_decided(query, context.stamp, _("✅ Agreed"))
    await query.answer(_("Thank you, your consent is recorded."))
    await _after_answer(context.notifier, result)


@router.callback_query(PairReply.filter(~F.accept), PairOf(member=False))
async def pair_declined(query: CallbackQuery, pair: Pair, state: FSMContext) -> None:
    await set_buttons(query, None)
    await DECLINE.start(Turn(chat_of(query), state), {"pair_id": pair.id})
    await remember_origin(state, query.message)
    await query.answer()


async def _declined(turn: Turn) -> None:
    """The reason typed, or Skip (None)."""
    context: Context = turn.deps["context"]
    data = await turn.answers()
    await turn.state.clear()
    reason = data.get("decline_reason")
    result = await answer_pair(
        context.session,
        context.actor,
        data["pair_id"],
        accept=False,
        reason=None if reason is None else str(reason),
    )
    await show_outcome_later(context.bot, data, context.stamp, _("✖ Declined"))
    await turn.message.answer(_("Your answer is recorded. Thank you for letting us know."))
    await _after_answer(context.notifier, result)


DECLINE = Form([Step(PairDeclining.entering_reason, "decline_reason", summary=False)], _declined)
DECLINE.register(router)


async def _after_answer(notifier: Notifier, result: PairAnswer) -> None:
    """Send what the answer queued in its own transaction: the curators are told what it
    changed; after a replacement, the old mentor, the mentees and the curators."""
    pair = result.pair
    if result.joining is not None:  # a newcomer to an approved group: the order comes next
        await notifier.notices("pair.join_answered", result.joining.id)
        return
    if not result.replacement:
        await notifier.notices("pair.answered", pair.id)
    elif result.replaced_mentor_id is None:  # the proposed mentor declined: pick another
        await notifier.notices("pair.replacement_declined", pair.id)
    else:
        await notifier.notices("pair.replaced", result.replacement_id or 0)
