"""/programme: the mentor drafts the personalised programme (§3) and its plan of activities."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.confirm import Confirmed, ask_confirmation
from handlers.dates import plausible, start_date_doubt
from handlers.onboarding.options import STALE, press_option, show_answer
from handlers.outcome import ORIGIN, redraw, remember_origin, show_decided
from handlers.programme.common import my_pairs, pick_pair, programme_text, show_programme
from handlers.programme.review import send_draft_to_mentees
from models.access import Actor
from models.enums import Side
from models.errors import InvalidValue
from models.fields import FIELDS, parse_date
from models.i18n_marker import N_
from models.pairs import Pair, get_pair
from models.participant import get_participant_by_id
from models.programmes import (
    EDITABLE,
    Programme,
    ProgrammeDraft,
    add_activity,
    check_deadline,
    check_mentor_can_edit,
    get_activity,
    get_programme,
    programme_of_pair,
    remove_activity,
    save_draft,
    submit_programme,
)
from rendering.texts import format_value
from rendering.ui import (
    SKIP,
    FormOption,
    PairPurpose,
    PickPair,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    prompt_of,
    shown,
    step_keyboard,
)
from rendering.views import day

router = Router(name=__name__)


class Drafting(StatesGroup):
    entering_goal = State()
    entering_difficulties = State()
    entering_strengths = State()
    choosing_forms = State()
    entering_start = State()
    entering_end = State()


class AddingActivity(StatesGroup):
    entering_title = State()
    entering_description = State()
    entering_deadline = State()
    choosing_responsible = State()
    entering_expected_result = State()


TEXT_STEPS = {
    Drafting.entering_goal.state: ("goal", Drafting.entering_difficulties),
    Drafting.entering_difficulties.state: ("programme_difficulties", Drafting.entering_strengths),
    Drafting.entering_strengths.state: ("strengths", Drafting.choosing_forms),
    AddingActivity.entering_title.state: ("activity_title", AddingActivity.entering_description),
    AddingActivity.entering_description.state: (
        "activity_description",
        AddingActivity.entering_deadline,
    ),
}


def draft_actions(programme: Programme) -> InlineKeyboardMarkup:
    buttons = [
        (
            _("➕ Add an activity"),
            ProgrammeAction(action=ProgrammeVerb.ADD, programme_id=programme.id),
        ),
        (
            _("✏ Rewrite goal, forms and dates"),
            ProgrammeAction(action=ProgrammeVerb.HEADER, programme_id=programme.id),
        ),
    ]
    buttons += [
        (
            _("🗑 {n}. {title}").format(n=n, title=a.title[:40]),
            ProgrammeAction(action=ProgrammeVerb.REMOVE, programme_id=programme.id, item=a.id),
        )
        for n, a in enumerate(programme.activities, 1)
    ]
    buttons.append(
        (
            _("📨 Send to the mentee"),
            ProgrammeAction(action=ProgrammeVerb.SUBMIT, programme_id=programme.id),
        )
    )
    return button_rows(buttons)


async def start_drafting(
    message: Message, state: FSMContext, session: AsyncSession, pair: Pair
) -> None:
    mentee = await get_participant_by_id(session, pair.mentee_ids[0])
    hint = ""
    if mentee is not None and mentee.mentee_profile is not None:
        hint = "\n\n" + _("The mentee's difficulties: {list}; wants to learn: {goals}").format(
            list=format_value("difficulties", mentee.mentee_profile.difficulties),
            goals=format_value("learning_goals", mentee.mentee_profile.learning_goals),
        )
    await state.set_state(Drafting.entering_goal)
    await state.set_data({"pair_id": pair.id, "pair_forms": pair.forms})
    await message.answer(_("Let us draft the programme. /cancel stops at any time.") + hint)
    await message.answer(prompt_of("goal"))


async def open_programme(
    message: Message, state: FSMContext, session: AsyncSession, pair: Pair, today: date
) -> None:
    programme = await programme_of_pair(session, pair.id)
    if programme is None:
        await start_drafting(message, state, session, pair)
    elif programme.status in EDITABLE:
        await show_programme(message, session, programme, today, draft_actions(programme))
    else:
        await show_programme(
            message,
            session,
            programme,
            today,
            prefix=_(
                "The programme is approved: a change is proposed from /plan and takes effect "
                "when the mentor and every mentee agree (§10.2)."
            ),
        )


@router.message(Command("programme"))
async def cmd_programme(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    await state.clear()
    pair = await pick_pair(
        message, session, await my_pairs(session, actor, side=Side.MENTOR), "programme"
    )
    if pair is not None:
        await open_programme(message, state, session, pair, today)


@router.callback_query(PickPair.filter(F.action == PairPurpose.PROGRAMME))
async def programme_pair_picked(
    query: CallbackQuery,
    callback_data: PickPair,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
) -> None:
    pair = await get_pair(session, callback_data.pair_id)
    if pair.side_of(actor.participant_id) != Side.MENTOR:
        raise InvalidValue(STALE)
    await query.answer()
    await open_programme(shown(query), state, session, pair, today)


@router.message(StateFilter(*TEXT_STEPS), F.text)
async def draft_text_entered(message: Message, state: FSMContext) -> None:
    key, following = TEXT_STEPS[await state.get_state()]
    await state.update_data({key: FIELDS[key].clean(message.text)})
    await _ask(message, state, following)


async def _ask(message: Message, state: FSMContext, step: State) -> None:
    await state.set_state(step)
    data = await state.get_data()
    if step == Drafting.choosing_forms:
        spec = FIELDS["pair_forms"]
        await message.answer(
            _(spec.prompt), reply_markup=step_keyboard(spec, data.get("pair_forms") or ())
        )
    elif step == AddingActivity.entering_description:
        spec = FIELDS["activity_description"]
        await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))
    elif step == AddingActivity.choosing_responsible:
        spec = FIELDS["responsible"]
        await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))
    elif step == AddingActivity.entering_expected_result:
        spec = FIELDS["expected_result"]
        await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))
    elif step == Drafting.entering_start:
        await message.answer(_("Start date of the programme (DD.MM.YYYY):"))
    elif step == Drafting.entering_end:
        await message.answer(_("End date (3 months to 1 year after the start, DD.MM.YYYY):"))
    elif step == AddingActivity.entering_deadline:
        await message.answer(_("Deadline of the activity (DD.MM.YYYY):"))
    else:
        key = next(k for s, (k, _n) in TEXT_STEPS.items() if s == step.state)
        await message.answer(_(FIELDS[key].prompt))


@router.callback_query(FormOption.filter(), Drafting.choosing_forms)
async def draft_forms_chosen(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext
) -> None:
    spec = FIELDS["pair_forms"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    answer = await press_option(query, state, spec, callback_data.code, back=False)
    if answer is None:
        return
    await state.update_data(pair_forms=answer.value)
    await show_answer(query, spec, answer.value)
    await _ask(shown(query), state, Drafting.entering_start)


@router.message(Drafting.entering_start, F.text)
async def start_entered(message: Message, state: FSMContext, today: date) -> None:
    start = parse_date(message.text, today, "future")
    if not await plausible(message, state, start, start_date_doubt(start, today)):
        return
    await state.update_data(start=start.isoformat())
    await _ask(message, state, Drafting.entering_end)


@router.message(Drafting.entering_end, F.text)
async def end_entered(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, today: date
) -> None:
    data = await state.get_data()
    draft = ProgrammeDraft(
        goal=data["goal"],
        difficulties=data["programme_difficulties"],
        strengths=data["strengths"],
        forms=data["pair_forms"],
        start_date=date.fromisoformat(data["start"]),
        end_date=parse_date(message.text, today, "future"),
    )
    programme = await save_draft(session, actor, data["pair_id"], draft)
    await state.clear()
    await show_programme(
        message,
        session,
        programme,
        today,
        draft_actions(programme),
        _("Saved. Now add the activities of the plan."),
    )


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.HEADER))
async def header_rewritten(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await get_programme(session, actor, callback_data.programme_id)
    check_mentor_can_edit(programme, actor)
    await query.answer()
    await start_drafting(shown(query), state, session, programme.pair)


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.ADD))
async def activity_started(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await get_programme(session, actor, callback_data.programme_id)
    check_mentor_can_edit(programme, actor)
    await state.set_data({"programme_id": programme.id})
    await query.answer()
    await chat_of(query).answer(
        _("Activities must fall between {start} and {end}.").format(
            start=day(programme.start_date), end=day(programme.end_date)
        )
    )
    await _ask(shown(query), state, AddingActivity.entering_title)


@router.callback_query(FormOption.filter(), AddingActivity.entering_description)
async def description_skipped(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext
) -> None:
    spec = FIELDS["activity_description"]
    if callback_data.field != spec.key or callback_data.code != SKIP:
        raise InvalidValue(STALE)
    await state.update_data(activity_description=None)
    await show_answer(query, spec, None)
    await _ask(shown(query), state, AddingActivity.entering_deadline)


@router.message(AddingActivity.entering_deadline, F.text)
async def deadline_entered(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, today: date
) -> None:
    deadline = parse_date(message.text, today, "future")
    programme = await get_programme(session, actor, (await state.get_data())["programme_id"])
    check_deadline(programme, deadline)  # refused here, not after the next question
    await state.update_data(deadline=deadline.isoformat())
    await _ask(message, state, AddingActivity.choosing_responsible)


@router.callback_query(FormOption.filter(), AddingActivity.choosing_responsible)
async def responsible_chosen(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext
) -> None:
    spec = FIELDS["responsible"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    responsible = spec.option(callback_data.code)
    await state.update_data(responsible=responsible)
    await show_answer(query, spec, responsible)
    await _ask(shown(query), state, AddingActivity.entering_expected_result)


@router.message(AddingActivity.entering_expected_result, F.text)
async def expected_result_entered(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, today: date
) -> None:
    result = FIELDS["expected_result"].text(message.text)
    await _activity_added(message, state, session, actor, today, result)


@router.callback_query(FormOption.filter(), AddingActivity.entering_expected_result)
async def expected_result_skipped(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
) -> None:
    spec = FIELDS["expected_result"]
    if callback_data.field != spec.key or callback_data.code != SKIP:
        raise InvalidValue(STALE)
    await show_answer(query, spec, None)
    await _activity_added(shown(query), state, session, actor, today, None)


async def _activity_added(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
    expected_result: str | None,
) -> None:
    data = await state.get_data()
    await add_activity(
        session,
        actor,
        data["programme_id"],
        title=data["activity_title"],
        description=data.get("activity_description"),
        deadline=date.fromisoformat(data["deadline"]),
        responsible=data["responsible"],
        expected_result=expected_result,
    )
    await state.clear()
    programme = await get_programme(session, actor, data["programme_id"])
    await show_programme(
        message,
        session,
        programme,
        today,
        draft_actions(programme),
        _("The activity is added."),
    )


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.REMOVE))
async def activity_removal_asked(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    activity = await get_activity(session, actor, callback_data.item)
    if activity.programme_id != callback_data.programme_id:
        raise InvalidValue(N_("This button is no longer valid."))
    check_mentor_can_edit(activity.programme, actor)
    await query.answer()
    summary = _(
        "<b>Delete the activity from the draft?</b>\n«{title}», until {date}\n\n"
        "It cannot be restored: it would have to be typed again."
    ).format(title=escape(activity.title), date=day(activity.deadline))
    payload = {"programme_id": activity.programme_id, "activity_id": activity.id}
    await remember_origin(state, query.message)
    payload[ORIGIN] = (await state.get_data())[ORIGIN]
    await ask_confirmation(chat_of(query), state, "remove", summary, _("🗑 Delete"), payload)


@router.callback_query(Confirmed("remove"))
async def activity_removed(
    query: CallbackQuery,
    confirmed: dict[str, Any],
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    today: date,
    stamp: Stamp,
) -> None:
    programme = await remove_activity(
        session, actor, confirmed["activity_id"], programme_id=confirmed["programme_id"]
    )
    await query.answer(_("Removed."))
    await show_decided(query, stamp, _("🗑 Removed."))
    # The draft the 🗑 was pressed on shows the plan without it, in place.
    await redraw(
        bot, confirmed, await programme_text(session, programme, today), draft_actions(programme)
    )


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.SUBMIT))
async def draft_submitted(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    today: date,
    stamp: Stamp,
) -> None:
    programme = await submit_programme(session, actor, callback_data.programme_id)
    await query.answer()
    outcome = "📨 " + _("Sent to the mentee. I will tell you their answer.")
    await show_decided(query, stamp, outcome)
    await send_draft_to_mentees(bot, session, i18n, programme, today)
