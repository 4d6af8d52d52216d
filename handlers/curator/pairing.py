"""/pair: the curator forms a pair or group from the banks (§9.1), everyone is asked (§9.2),
then the curator records the director's order (§6.3.5)."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.onboarding.options import STALE, press_option, show_answer
from handlers.pairs import ask_pair_consent, notify_pair
from handlers.ui import (
    FormOption,
    PairApproval,
    PickMentee,
    PickMentor,
    button_rows,
    prompt_of,
    step_keyboard,
)
from handlers.views import day, pair_card, pair_names
from models.access import Actor
from models.director import require_order_entry
from models.errors import InvalidValue
from models.fields import FIELDS, parse_date
from models.matching import rank_mentors
from models.pairs import approve_pair, get_pair, mentees_without_pair, pairs_of, propose_pair
from models.participant import Participant, get_participant_by_id

router = Router(name=__name__)


class PairForming(StatesGroup):
    choosing_forms = State()
    choosing_type = State()


class PairApproving(StatesGroup):
    entering_order_number = State()
    entering_order_date = State()


@router.message(Command("pair"))
async def cmd_pair(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()
    mentees = await mentees_without_pair(session)
    if not mentees:
        await message.answer(_("Every mentee in the bank has a mentor or a pending proposal."))
        return
    buttons = [
        (f"{m.display_name} — {m.department or '—'}", PickMentee(mentee_id=m.id)) for m in mentees
    ]
    await message.answer(
        _("Choose a mentee (the bank of mentees without a mentor):"),
        reply_markup=button_rows(buttons),
    )


@router.callback_query(PickMentee.filter())
async def mentee_picked(
    query: CallbackQuery, callback_data: PickMentee, session: AsyncSession
) -> None:
    mentee = await get_participant_by_id(session, callback_data.mentee_id)
    ranked = await rank_mentors(session, callback_data.mentee_id)
    if mentee is None or not ranked:
        await query.message.edit_text(_("No mentor in the bank has a free place for this mentee."))
        await query.answer()
        return
    lines = [
        _("Mentors for <b>{name}</b>, best match first:").format(name=escape(mentee.display_name))
    ]
    buttons = []
    for number, match in enumerate(ranked, 1):
        reasons = "; ".join(_(text).format(**params) for text, params in match.reasons)
        lines.append(
            _("{n}. <b>{name}</b>: {score} points, {load} of {capacity} places taken").format(
                n=number,
                name=escape(match.mentor.display_name),
                score=match.score,
                load=match.load,
                capacity=match.mentor.mentor_profile.capacity,
            )
        )
        lines.append("   " + (escape(reasons) or _("no matching criteria")))
        buttons.append(
            (
                _("{n}. {name}").format(n=number, name=match.mentor.display_name),
                PickMentor(mentee_id=mentee.id, mentor_id=match.mentor.id),
            )
        )
        for pair in await pairs_of(session, match.mentor.id):
            if pair.mentor_id == match.mentor.id:
                buttons.append(
                    (
                        _("{n}. add to group #{pair}").format(n=number, pair=pair.id),
                        PickMentor(
                            mentee_id=mentee.id, mentor_id=match.mentor.id, join_pair_id=pair.id
                        ),
                    )
                )
    await query.message.edit_text("\n".join(lines), reply_markup=button_rows(buttons))
    await query.answer()


@router.callback_query(PickMentor.filter())
async def mentor_picked(
    query: CallbackQuery,
    callback_data: PickMentor,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    if callback_data.join_pair_id:
        pair = await propose_pair(
            session,
            actor,
            mentee_id=callback_data.mentee_id,
            mentor_id=callback_data.mentor_id,
            forms=[],
            pair_type="teacher_teacher",
            join_pair_id=callback_data.join_pair_id,
        )
        await query.message.edit_text(_("Proposed; I am asking the new member for consent."))
        await query.answer()
        await ask_pair_consent(bot, session, i18n, pair, [callback_data.mentee_id])
        return
    mentee = await get_participant_by_id(session, callback_data.mentee_id)
    mentor = await get_participant_by_id(session, callback_data.mentor_id)
    if mentee is None or mentor is None or not mentee.mentee_profile or not mentor.mentor_profile:
        raise InvalidValue(STALE)
    shared = [
        f for f in mentee.mentee_profile.mentee_forms if f in mentor.mentor_profile.mentor_forms
    ]
    await state.set_state(PairForming.choosing_forms)
    await state.set_data({"mentee_id": mentee.id, "mentor_id": mentor.id, "pair_forms": shared})
    spec = FIELDS["pair_forms"]
    await query.message.answer(_(spec.prompt), reply_markup=step_keyboard(spec, shared))
    await query.answer()


@router.callback_query(FormOption.filter(), PairForming.choosing_forms)
async def forms_chosen(query: CallbackQuery, callback_data: FormOption, state: FSMContext) -> None:
    spec = FIELDS["pair_forms"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    answer = await press_option(query, state, spec, callback_data.code, back=False)
    if answer is None:
        return
    await state.update_data(pair_forms=answer.value)
    await show_answer(query, spec, answer.value)
    await state.set_state(PairForming.choosing_type)
    kind = FIELDS["pair_type"]
    await query.message.answer(_(kind.prompt), reply_markup=step_keyboard(kind))


@router.callback_query(FormOption.filter(), PairForming.choosing_type)
async def type_chosen(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    spec = FIELDS["pair_type"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    pair_type = spec.option(callback_data.code)
    data = await state.get_data()
    pair = await propose_pair(
        session,
        actor,
        mentee_id=data["mentee_id"],
        mentor_id=data["mentor_id"],
        forms=data["pair_forms"],
        pair_type=pair_type,
    )
    await state.clear()
    await show_answer(query, spec, pair_type)
    names = await pair_names(session, pair)
    await query.message.answer(
        _("Proposed. Both are asked for consent; I will tell you their answers.")
        + "\n\n"
        + pair_card(pair, names)
    )
    await ask_pair_consent(bot, session, i18n, pair, [pair.mentor_id, *pair.mentee_ids])


@router.callback_query(PairApproval.filter())
async def approval_started(
    query: CallbackQuery,
    callback_data: PairApproval,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    settings: Settings,
) -> None:
    require_order_entry(participant, settings.order_entered_by)
    await get_pair(session, callback_data.pair_id)
    await state.set_state(PairApproving.entering_order_number)
    await state.set_data({"pair_id": callback_data.pair_id})
    await query.message.answer(prompt_of("order_number"))
    await query.answer()


@router.message(PairApproving.entering_order_number, F.text)
async def order_number_entered(message: Message, state: FSMContext) -> None:
    await state.update_data(order_number=FIELDS["order_number"].clean(message.text))
    await state.set_state(PairApproving.entering_order_date)
    await message.answer(_("Date of the order (DD.MM.YYYY):"))


@router.message(PairApproving.entering_order_date, F.text)
async def order_date_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    participant: Participant | None,
    settings: Settings,
) -> None:
    data = await state.get_data()
    require_order_entry(participant, settings.order_entered_by)
    pair = await approve_pair(
        session,
        actor,
        data["pair_id"],
        order_number=data["order_number"],
        order_date=parse_date(message.text),
    )
    await state.clear()
    names = await pair_names(session, pair)
    await message.answer(_("The pair is approved.") + "\n\n" + pair_card(pair, names))

    def render() -> tuple[str, None]:
        text = _(
            "Your mentoring pair is approved by order No. {number} of {date}. Mentor: draft the "
            "personalised programme with /programme; the mentee takes part in drafting it."
        ).format(number=escape(pair.order_number or ""), date=day(pair.order_date))
        return text, None

    await notify_pair(bot, session, i18n, pair, render)


@router.message(PairApproving.entering_order_number)
@router.message(PairApproving.entering_order_date)
async def order_not_text(message: Message) -> None:
    await message.answer(_("Please send the answer as text."))
