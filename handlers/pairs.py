"""Mentor and mentees answer a pair proposal: nobody is paired without consent (§4.2, §9.2)."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from bot.sender import Delivery
from handlers.notify import Render, notify_curators, notify_participants
from handlers.onboarding.options import STALE
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from handlers.replacement import render_offer, replacement_candidates
from handlers.texts import format_value
from handlers.ui import (
    SKIP,
    FormOption,
    JoinApproval,
    PairApproval,
    PairReply,
    button_rows,
    chat_of,
    set_buttons,
    shown,
    step_keyboard,
)
from handlers.views import pair_card, pair_names
from models.access import Actor
from models.errors import InvalidValue, NotFound
from models.fields import FIELDS
from models.pairs import Pair, PairAnswer, PairMember, answer_pair, get_pair
from models.participant import get_participant_by_id

router = Router(name=__name__)


class PairDeclining(StatesGroup):
    entering_reason = State()


async def notify_pair(
    bot: Bot, session: AsyncSession, i18n: I18n, pair: Pair, render: Render
) -> dict[int, Delivery]:
    return await notify_participants(bot, session, i18n, [pair.mentor_id, *pair.mentee_ids], render)


async def ask_pair_consent(
    bot: Bot, session: AsyncSession, i18n: I18n, pair: Pair, participant_ids: list[int]
) -> None:
    """Each person gets the proposal, the other side's questionnaire and agree/decline."""
    names = await pair_names(session, pair)
    mentee = await get_participant_by_id(session, pair.mentee_ids[-1])
    mentor = await get_participant_by_id(session, pair.pending_mentor_id or pair.mentor_id)
    if mentee is None or mentor is None:  # erased between the proposal and now
        raise NotFound()
    mentee_profile, mentor_profile = mentee.mentee_profile, mentor.mentor_profile
    for participant_id in participant_ids:
        as_mentor = participant_id in (pair.mentor_id, pair.pending_mentor_id)

        def render(as_mentor: bool = as_mentor) -> tuple[str, InlineKeyboardMarkup]:
            if as_mentor:
                about = _(
                    "Mentee: {name}\nDifficulties: {difficulties}\nWants to learn: {goals}"
                ).format(
                    name=escape(mentee.display_name),
                    difficulties=format_value(
                        "difficulties", mentee_profile and mentee_profile.difficulties
                    ),
                    goals=format_value(
                        "learning_goals", mentee_profile and mentee_profile.learning_goals
                    ),
                )
            else:
                about = _("Mentor: {name}\nCompetences: {competences}").format(
                    name=escape(mentor.display_name),
                    competences=format_value(
                        "competences", mentor_profile and mentor_profile.competences
                    ),
                )
            text = "{intro}\n\n{card}\n\n{about}".format(
                intro=_(
                    "The curator proposes a mentoring pair. Taking part is voluntary: do you agree?"
                ),
                card=pair_card(pair, names),
                about=about,
            )
            markup = button_rows(
                [
                    (_("I agree"), PairReply(pair_id=pair.id, accept=True)),
                    (_("I decline"), PairReply(pair_id=pair.id, accept=False)),
                ]
            )
            return text, markup

        await notify_participants(bot, session, i18n, [participant_id], render)


@router.callback_query(PairReply.filter(F.accept))
async def pair_accepted(
    query: CallbackQuery,
    callback_data: PairReply,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
    stamp: Stamp,
) -> None:
    result = await answer_pair(session, actor, callback_data.pair_id, accept=True)
    await show_decided(query, stamp, _("✅ Agreed"))
    await query.answer(_("Thank you, your consent is recorded."))
    await _after_answer(bot, session, settings, i18n, result, actor, accepted=True)


@router.callback_query(PairReply.filter(~F.accept))
async def pair_declined(
    query: CallbackQuery, callback_data: PairReply, state: FSMContext, session: AsyncSession
) -> None:
    await get_pair(session, callback_data.pair_id)
    await state.set_state(PairDeclining.entering_reason)
    await state.set_data({"pair_id": callback_data.pair_id})
    await remember_origin(state, query.message)
    spec = FIELDS["decline_reason"]
    await set_buttons(query, None)
    await chat_of(query).answer(_(spec.prompt), reply_markup=step_keyboard(spec))
    await query.answer()


@router.message(PairDeclining.entering_reason, F.text)
async def decline_reason_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
    stamp: Stamp,
) -> None:
    reason = FIELDS["decline_reason"].clean(message.text)
    await _decline(message, state, session, actor, bot, settings, i18n, stamp, str(reason))


@router.callback_query(FormOption.filter(F.code == SKIP), PairDeclining.entering_reason)
async def decline_reason_skipped(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
    stamp: Stamp,
) -> None:
    if callback_data.field != "decline_reason":
        raise InvalidValue(STALE)
    await set_buttons(query, None)
    await query.answer()
    await _decline(shown(query), state, session, actor, bot, settings, i18n, stamp, None)


async def _decline(message, state, session, actor, bot, settings, i18n, stamp, reason) -> None:  # type: ignore[no-untyped-def]
    data = await state.get_data()
    await state.clear()
    result = await answer_pair(session, actor, data["pair_id"], accept=False, reason=reason)
    await show_outcome_later(bot, data, stamp, _("✖ Declined"))
    await message.answer(_("Your answer is recorded. Thank you for letting us know."))
    await _after_answer(bot, session, settings, i18n, result, actor, accepted=False, reason=reason)


async def _after_answer(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    result: PairAnswer,
    actor: Actor,
    *,
    accepted: bool,
    reason: str | None = None,
) -> None:
    """Tell the curators (and, after a replacement, the pair) what the answer changed."""
    pair = result.pair
    names = await pair_names(session, pair)
    who = await names_of_actor(session, actor)
    if result.replacement:
        await _after_replacement_answer(bot, session, settings, i18n, result, who, names)
        return
    if result.joining is not None:
        render = join_answer(pair, result.joining, who, reason)
        await notify_curators(bot, session, settings, i18n, render)
        return

    def to_curators() -> tuple[str, InlineKeyboardMarkup | None]:
        card = pair_card(pair, names)  # rendered in each curator's language
        if not accepted:
            note = _("{name} declined the pair.").format(name=who)
            if reason:
                note += " " + _("Reason: {reason}").format(reason=escape(reason))
            return f"{note}\n\n{card}", None
        if result.everyone_accepted:
            note = _("Everyone agreed. Enter the director's order to approve the pair.")
            approve = button_rows([(_("Approve by order"), PairApproval(pair_id=pair.id))])
            return f"{note}\n\n{card}", approve
        return _("{name} agreed.").format(name=who) + f"\n\n{card}", None

    await notify_curators(bot, session, settings, i18n, to_curators)


def join_answer(pair: Pair, member: PairMember, who: str, reason: str | None = None) -> Render:
    """For the curators: a newcomer's answer about joining an approved group."""

    def render() -> tuple[str, InlineKeyboardMarkup | None]:
        if member.declined_at is not None:
            note = _("{name} declined to join group #{id}.").format(name=who, id=pair.id)
            if reason:
                note += " " + _("Reason: {reason}").format(reason=escape(reason))
            return note, None
        note = _(
            "{name} agreed to join group #{id}. They become a member once a new or "
            "supplementary order covers them: enter its number and date."
        ).format(name=who, id=pair.id)
        order = JoinApproval(pair_id=pair.id, mentee_id=member.mentee_id)
        return note, button_rows([(_("Enter the order"), order)])

    return render


async def _after_replacement_answer(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    result: PairAnswer,
    who: str,
    names: dict[int, str],
) -> None:
    pair = result.pair
    if result.replaced_mentor_id is None:  # the proposed mentor declined: pick another
        ranked = await replacement_candidates(session, pair)

        def offer() -> tuple[str, InlineKeyboardMarkup | None]:
            text, markup = render_offer(pair, ranked)
            return _("{name} declined to take over the pair.").format(
                name=who
            ) + "\n\n" + text, markup

        await notify_curators(bot, session, settings, i18n, offer)
        return

    def to_old() -> tuple[str, None]:
        return _(
            "You are released from mentoring pair #{id}; a new mentor takes over. "
            "Thank you for your work!"
        ).format(id=pair.id), None

    def to_mentees() -> tuple[str, None]:
        return _("Your new mentor is {name}. Your programme and its history stay with you.").format(
            name=who
        ), None

    def to_curators() -> tuple[str, None]:
        note = _("{name} accepted to become the new mentor.").format(name=who)
        return f"{note}\n\n{pair_card(pair, names)}", None

    await notify_participants(bot, session, i18n, [result.replaced_mentor_id], to_old)
    await notify_participants(bot, session, i18n, pair.mentee_ids, to_mentees)
    await notify_curators(bot, session, settings, i18n, to_curators)


async def names_of_actor(session: AsyncSession, actor: Actor) -> str:
    person = await get_participant_by_id(session, actor.participant_id or 0)
    return escape(person.display_name) if person else "—"
