"""/meeting (the mentoring journal), /ask (a question to the mentor, §8.1.3) and /propose
(an improvement to the programme, §8.1.4); the mentor's reply is relayed back."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.forms import STALE, Form, Question, Step, Turn
from handlers.notify import Notifier
from handlers.programme.common import my_pairs, pick_pair
from models.access import Actor
from models.comentors import journal_side
from models.enums import MessageKind, Side
from models.errors import InvalidValue
from models.fields import check_not_future, parse_date
from models.i18n_marker import N_
from models.journal import PairMessage, answer_message, log_meeting, send_message
from models.pairs import Pair, get_pair
from rendering.ui import (
    FormOption,
    MessageReply,
    PairPurpose,
    PickPair,
    button_rows,
    chat_of,
    shown,
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


async def _start(message: Message, state: FSMContext, pair: Pair, action: str, today: date) -> None:
    await state.clear()
    turn = Turn(message, state, {"today": today})
    if action == "meeting":
        await MEETING.start(turn, {"pair_id": pair.id, "action": action})
        return
    await WRITING.start(turn, {"pair_id": pair.id, "action": action})


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


async def _meeting_date_question(turn: Turn) -> Question:
    today_button = button_rows(
        [
            (
                _("Today, {date}").format(date=day(turn.today)),
                FormOption(field="meeting_date", code="today"),
            )
        ]
    )
    return _("Date of the meeting (DD.MM.YYYY):"), today_button


async def _meeting_date_typed(turn: Turn) -> Any:
    return check_not_future(parse_date(turn.text, turn.today, "past"), turn.today).isoformat()


async def _meeting_today(turn: Turn, code: str) -> Any:
    if code != "today":
        raise InvalidValue(STALE)
    return turn.today.isoformat()


async def _meeting_saved(turn: Turn) -> None:
    data = await turn.answers()
    meeting = await log_meeting(
        turn.session,
        turn.actor,
        data["pair_id"],
        held_on=date.fromisoformat(data["meeting_date"]),
        topic=data["meeting_topic"],
        done=data["meeting_done"],
        result=data["meeting_result"],
        next_assignment=data.get("meeting_next"),
        today=turn.today,
    )
    await turn.state.clear()
    await turn.message.answer(_("The meeting is in the journal. /plan shows it."))
    await turn.notifier.notices("meeting.logged", meeting.id, to_curators=False)


MEETING = Form(
    [
        Step(
            LoggingMeeting.entering_date,
            "meeting_date",
            question=_meeting_date_question,
            read=_meeting_date_typed,
            press=_meeting_today,
            summary=False,
        ),
        Step(LoggingMeeting.entering_topic, "meeting_topic"),
        Step(LoggingMeeting.entering_done, "meeting_done"),
        Step(LoggingMeeting.entering_result, "meeting_result"),
        Step(LoggingMeeting.entering_next, "meeting_next", summary=False),
    ],
    _meeting_saved,
)
MEETING.register(router)


async def _question_or_proposal(turn: Turn) -> Question:
    if (await turn.answers())["action"] == MessageKind.QUESTION:
        return _("Type your question to the mentor:"), None
    return _(
        "Type your proposal to improve the programme (it goes to the mentor and the curator):"
    ), None


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""  # the domain checks it (models.journal.send_message)


async def _message_sent(turn: Turn) -> None:
    data = await turn.answers()
    sent = await send_message(
        turn.session, turn.actor, data["pair_id"], data["action"], data["message_text"]
    )
    await turn.state.clear()
    await turn.message.answer(_("Sent to your mentor."))
    notifier: Notifier = turn.deps["notifier"]
    await notifier.notices("message.sent", sent.id)  # with the settings: curators expanded


WRITING = Form(
    [Step(Writing.entering_text, "message_text", question=_question_or_proposal, read=_as_typed)],
    _message_sent,
)
WRITING.register(router)


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
    await REPLY.start(Turn(chat_of(query), state), {"message_id": question.id})
    await query.answer()


async def _reply_sent(turn: Turn) -> None:
    data = await turn.answers()
    answered = await answer_message(turn.session, turn.actor, data["message_id"], data["reply"])
    await turn.state.clear()
    await turn.message.answer(_("Your reply is sent."))
    await turn.notifier.notices("message.answered", answered.id, to_curators=False)


REPLY = Form(
    [Step(Writing.entering_reply, "reply", question=N_("Type your reply:"), read=_as_typed)],
    _reply_sent,
)
REPLY.register(router)
