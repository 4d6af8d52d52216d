"""/meeting (the mentoring journal), /ask (a question to the mentor, §8.1.3) and /propose
(an improvement to the programme, §8.1.4); the mentor's reply is relayed back."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.onboarding.options import STALE
from handlers.programme.common import my_pairs, pick_pair
from models.access import Actor
from models.comentors import journal_side
from models.enums import MessageKind, Side
from models.errors import InvalidValue
from models.fields import FIELDS, check_not_future, parse_date
from models.journal import PairMessage, answer_message, log_meeting, send_message
from models.pairs import Pair, get_pair
from rendering.notices import send_notices
from rendering.ui import (
    SKIP,
    FormOption,
    MessageReply,
    PairPurpose,
    PickPair,
    button_rows,
    chat_of,
    prompt_of,
    set_buttons,
    shown,
    step_keyboard,
)
from rendering.views import day

router = Router(name=__name__)


class LoggingMeeting(StatesGroup):
    entering_date = State()
    entering_topic = State()
    entering_done = State()
    entering_result = State()
    entering_next = State()


class Writing(StatesGroup):
    entering_text = State()  # a question or a proposal
    entering_reply = State()  # the mentor's reply


MEETING_STEPS = {
    LoggingMeeting.entering_topic.state: ("meeting_topic", LoggingMeeting.entering_done),
    LoggingMeeting.entering_done.state: ("meeting_done", LoggingMeeting.entering_result),
    LoggingMeeting.entering_result.state: ("meeting_result", LoggingMeeting.entering_next),
}


async def _start(message: Message, state: FSMContext, pair: Pair, action: str, today: date) -> None:
    await state.clear()
    await state.set_data({"pair_id": pair.id, "action": action})
    if action == "meeting":
        await state.set_state(LoggingMeeting.entering_date)
        today_button = button_rows(
            [
                (
                    _("Today, {date}").format(date=day(today)),
                    FormOption(field="meeting_date", code="today"),
                )
            ]
        )
        await message.answer(_("Date of the meeting (DD.MM.YYYY):"), reply_markup=today_button)
        return
    await state.set_state(Writing.entering_text)
    if action == MessageKind.QUESTION:
        await message.answer(_("Type your question to the mentor:"))
    else:
        await message.answer(
            _(
                "Type your proposal to improve the programme "
                "(it goes to the mentor and the curator):"
            )
        )


async def _command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    today: date,
) -> None:
    meeting = action == "meeting"  # the journal: co-mentors log meetings too (§7.1.1)
    side = None if meeting else Side.MENTEE
    pairs = await my_pairs(session, actor, side=side, co_mentored=meeting)
    pair = await pick_pair(message, session, pairs, action)
    if pair is not None:
        await _start(message, state, pair, action, today)


@router.message(Command("meeting"))
async def cmd_meeting(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    await _command(message, state, session, actor, "meeting", today)


@router.message(Command("ask"))
async def cmd_ask(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    await _command(message, state, session, actor, MessageKind.QUESTION, today)


@router.message(Command("propose"))
async def cmd_propose(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    await _command(message, state, session, actor, MessageKind.PROPOSAL, today)


@router.callback_query(
    PickPair.filter(F.action.in_({PairPurpose.MEETING, PairPurpose.QUESTION, PairPurpose.PROPOSAL}))
)
async def journal_pair_picked(
    query: CallbackQuery,
    callback_data: PickPair,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
) -> None:
    pair = await get_pair(session, callback_data.pair_id)
    if callback_data.action == PairPurpose.MEETING:
        await journal_side(session, pair, actor)  # a member or a co-mentor (§7.1.1)
    else:
        pair.require_member(actor, curator_allowed=False)
    await query.answer()
    await _start(shown(query), state, pair, callback_data.action, today)


async def _meeting_date(message: Message, state: FSMContext, held_on: date) -> None:
    await state.update_data(held_on=held_on.isoformat())
    await state.set_state(LoggingMeeting.entering_topic)
    await message.answer(prompt_of("meeting_topic"))


@router.message(LoggingMeeting.entering_date, F.text)
async def meeting_date_typed(message: Message, state: FSMContext, today: date) -> None:
    await _meeting_date(
        message, state, check_not_future(parse_date(message.text, today, "past"), today)
    )


@router.callback_query(FormOption.filter(F.field == "meeting_date"), LoggingMeeting.entering_date)
async def meeting_today(query: CallbackQuery, state: FSMContext, today: date) -> None:
    await set_buttons(query, None)
    await query.answer()
    await _meeting_date(shown(query), state, today)


@router.message(LoggingMeeting.entering_topic, F.text)
@router.message(LoggingMeeting.entering_done, F.text)
@router.message(LoggingMeeting.entering_result, F.text)
async def meeting_text_entered(message: Message, state: FSMContext) -> None:
    key, following = MEETING_STEPS[await state.get_state()]
    await state.update_data({key: FIELDS[key].clean(message.text)})
    await state.set_state(following)
    spec = FIELDS[
        "meeting_next"
        if following == LoggingMeeting.entering_next
        else MEETING_STEPS[following.state][0]
    ]
    await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))


@router.message(LoggingMeeting.entering_next, F.text)
async def next_assignment_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
    bot: Bot,
    i18n: I18n,
) -> None:
    await _save_meeting(
        message,
        state,
        session,
        actor,
        today,
        bot,
        i18n,
        str(FIELDS["meeting_next"].clean(message.text)),
    )


@router.callback_query(FormOption.filter(F.code == SKIP), LoggingMeeting.entering_next)
async def next_assignment_skipped(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
    bot: Bot,
    i18n: I18n,
) -> None:
    await set_buttons(query, None)
    await query.answer()
    await _save_meeting(shown(query), state, session, actor, today, bot, i18n, None)


async def _save_meeting(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    today: date,
    bot: Bot,
    i18n: I18n,
    next_assignment: str | None,
) -> None:
    data = await state.get_data()
    meeting = await log_meeting(
        session,
        actor,
        data["pair_id"],
        held_on=date.fromisoformat(data["held_on"]),
        topic=data["meeting_topic"],
        done=data["meeting_done"],
        result=data["meeting_result"],
        next_assignment=next_assignment,
        today=today,
    )
    await state.clear()
    await message.answer(_("The meeting is in the journal. /plan shows it."))
    await send_notices(bot, session, i18n, "meeting.logged", meeting.id)


@router.message(Writing.entering_text, F.text)
async def message_written(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    sent = await send_message(session, actor, data["pair_id"], data["action"], (message.text or ""))
    await state.clear()
    await message.answer(_("Sent to your mentor."))
    await send_notices(bot, session, i18n, "message.sent", sent.id, settings=settings)


@router.callback_query(MessageReply.filter())
async def reply_started(
    query: CallbackQuery,
    callback_data: MessageReply,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    question = await session.get(PairMessage, callback_data.message_id)
    if question is None or question.answered_at is not None:
        raise InvalidValue(STALE)
    pair = await get_pair(session, question.pair_id)
    if pair.side_of(actor.participant_id) != Side.MENTOR:
        raise InvalidValue(STALE)
    await state.set_state(Writing.entering_reply)
    await state.set_data({"message_id": question.id})
    await chat_of(query).answer(_("Type your reply:"))
    await query.answer()


@router.message(Writing.entering_reply, F.text)
async def reply_written(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, bot: Bot, i18n: I18n
) -> None:
    answered = await answer_message(
        session, actor, (await state.get_data())["message_id"], (message.text or "")
    )
    await state.clear()
    await message.answer(_("Your reply is sent."))
    await send_notices(bot, session, i18n, "message.answered", answered.id)
