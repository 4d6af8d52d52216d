"""/programme: the mentor drafts the personalised programme (§3) and its plan of activities."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.confirm import Confirmed, ask_confirmation
from handlers.dates import plausible, start_date_doubt
from handlers.forms import HOLD, STALE, Form, Step, Turn
from handlers.notify import Notifier
from handlers.outcome import ORIGIN, redraw, remember_origin, show_decided
from handlers.plan import plan_actions
from handlers.programme.common import my_pairs, pick_pair, programme_text, show_programme
from handlers.programme.review import send_draft_to_mentees
from models.access import Actor
from models.enums import Side
from models.errors import InvalidValue
from models.fields import parse_date
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
from rendering.texts import format_value, shorten
from rendering.ui import (
    PairPurpose,
    PickPair,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    shown,
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
            _("🗑 {n}. {title}").format(n=n, title=shorten(a.title, 40)),
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
    await message.answer(_("Let us draft the programme. /cancel stops at any time.") + hint)
    await DRAFT.start(Turn(message, state), {"pair_id": pair.id, "pair_forms": pair.forms})


async def open_programme(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    pair: Pair,
    actor: Actor,
    today: date,
) -> None:
    programme = await programme_of_pair(session, pair.id)
    if programme is None:
        await start_drafting(message, state, session, pair)
    elif programme.status in EDITABLE:
        await show_programme(message, session, programme, today, draft_actions(programme))
    else:  # approved: the plan's own buttons (a change proposal among them), not a dead end
        await show_programme(
            message,
            session,
            programme,
            today,
            await plan_actions(session, programme, actor),
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
    if pair is not None and actor is not None:
        await open_programme(message, state, session, pair, actor, today)


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
    await open_programme(shown(query), state, session, pair, actor, today)


async def _start_date(turn: Turn) -> Any:
    start = parse_date(turn.text, turn.today, "future")
    if not await plausible(turn.sent, turn.state, start, start_date_doubt(start, turn.today)):
        return HOLD
    return start.isoformat()


async def _end_date(turn: Turn) -> Any:
    return parse_date(turn.text, turn.today, "future").isoformat()


async def _draft_saved(turn: Turn) -> None:
    data = await turn.answers()
    draft = ProgrammeDraft(
        goal=data["goal"],
        difficulties=data["programme_difficulties"],
        strengths=data["strengths"],
        forms=data["pair_forms"],
        start_date=date.fromisoformat(data["start"]),
        end_date=date.fromisoformat(data["end"]),
    )
    programme = await save_draft(turn.session, turn.actor, data["pair_id"], draft)
    await turn.state.clear()
    await show_programme(
        turn.sent,
        turn.session,
        programme,
        turn.today,
        draft_actions(programme),
        _("Saved. Now add the activities of the plan."),
    )


DRAFT = Form(
    [
        Step(Drafting.entering_goal, "goal"),
        Step(Drafting.entering_difficulties, "programme_difficulties"),
        Step(Drafting.entering_strengths, "strengths"),
        Step(Drafting.choosing_forms, "pair_forms"),
        Step(
            Drafting.entering_start,
            "start",
            question=N_("Start date of the programme (DD.MM.YYYY):"),
            read=_start_date,
        ),
        Step(
            Drafting.entering_end,
            "end",
            question=N_("End date (3 months to 1 year after the start, DD.MM.YYYY):"),
            read=_end_date,
        ),
    ],
    _draft_saved,
)
DRAFT.register(router)


async def _deadline(turn: Turn) -> Any:
    deadline = parse_date(turn.text, turn.today, "future")
    programme = await get_programme(
        turn.session, turn.actor, (await turn.answers())["programme_id"]
    )
    check_deadline(programme, deadline)  # refused here, not after the next question
    return deadline.isoformat()


async def _activity_added(turn: Turn) -> None:
    data = await turn.answers()
    await add_activity(
        turn.session,
        turn.actor,
        data["programme_id"],
        title=data["activity_title"],
        description=data.get("activity_description"),
        deadline=date.fromisoformat(data["deadline"]),
        responsible=data["responsible"],
        expected_result=data.get("expected_result"),
    )
    await turn.state.clear()
    programme = await get_programme(turn.session, turn.actor, data["programme_id"])
    await show_programme(
        turn.sent,
        turn.session,
        programme,
        turn.today,
        draft_actions(programme),
        _("The activity is added."),
    )


ACTIVITY = Form(
    [
        Step(AddingActivity.entering_title, "activity_title"),
        Step(AddingActivity.entering_description, "activity_description"),
        Step(
            AddingActivity.entering_deadline,
            "deadline",
            question=N_("Deadline of the activity (DD.MM.YYYY):"),
            read=_deadline,
        ),
        Step(AddingActivity.choosing_responsible, "responsible"),
        Step(AddingActivity.entering_expected_result, "expected_result"),
    ],
    _activity_added,
)
ACTIVITY.register(router)


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
    await ACTIVITY.ask(Turn(shown(query), state), ACTIVITY.steps[0])


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
    actor: Actor,
    today: date,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    bot, session = notifier.bot, notifier.session
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
    actor: Actor,
    today: date,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    programme = await submit_programme(notifier.session, actor, callback_data.programme_id)
    await query.answer()
    outcome = "📨 " + _("Sent to the mentee. I will tell you their answer.")
    await show_decided(query, stamp, outcome)
    await send_draft_to_mentees(notifier, programme, today)
