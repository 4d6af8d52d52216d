"""Mentor and mentees answer a pair proposal: nobody is paired without consent (§4.2, §9.2)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.context import Context
from handlers.forms import STALE
from handlers.loaded import PairOf
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.errors import InvalidValue
from models.fields import FIELDS
from models.pairs import Pair, PairAnswer, answer_pair
from rendering.ui import (
    SKIP,
    FormOption,
    PairReply,
    chat_of,
    set_buttons,
    shown,
    step_keyboard,
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
    await state.set_state(PairDeclining.entering_reason)
    await state.set_data({"pair_id": pair.id})
    await remember_origin(state, query.message)
    spec = FIELDS["decline_reason"]
    await set_buttons(query, None)
    await chat_of(query).answer(_(spec.prompt), reply_markup=step_keyboard(spec))
    await query.answer()


@router.message(PairDeclining.entering_reason, F.text)
async def decline_reason_typed(message: Message, state: FSMContext, context: Context) -> None:
    reason = FIELDS["decline_reason"].clean(message.text)
    await _decline(message, state, context, str(reason))


@router.callback_query(FormOption.filter(F.code == SKIP), PairDeclining.entering_reason)
async def decline_reason_skipped(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext, context: Context
) -> None:
    if callback_data.field != "decline_reason":
        raise InvalidValue(STALE)
    await set_buttons(query, None)
    await query.answer()
    await _decline(shown(query), state, context, None)


async def _decline(
    message: Message, state: FSMContext, context: Context, reason: str | None
) -> None:
    data = await state.get_data()
    await state.clear()
    result = await answer_pair(
        context.session, context.actor, data["pair_id"], accept=False, reason=reason
    )
    await show_outcome_later(context.bot, data, context.stamp, _("✖ Declined"))
    await message.answer(_("Your answer is recorded. Thank you for letting us know."))
    await _after_answer(context.notifier, result)


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
