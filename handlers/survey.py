"""The monitoring questionnaire at the end of a programme (roadmap stage 6)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.forms import STALE, Form, Question, Step, Turn
from models.access import Actor
from models.errors import InvalidValue, WrongState
from models.i18n_marker import N_
from models.programmes import FINISHED, get_programme
from models.surveys import SURVEY_QUESTIONS, answered, submit_survey
from rendering.ui import (
    FormOption,
    Keyboard,
    ProgrammeAction,
    ProgrammeVerb,
    chat_of,
)

router = Router(name=__name__)
QUESTION_KEYS = list(SURVEY_QUESTIONS)


class Surveying(StatesGroup):
    rating_goals = State()  # one step per question of models.surveys.SURVEY_QUESTIONS
    rating_support = State()
    rating_organisation = State()
    rating_growth = State()
    entering_comment = State()


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.SURVEY))
async def survey_started(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await get_programme(session, actor, callback_data.programme_id)
    programme.pair.require_member(actor, curator_allowed=False)
    if programme.status not in FINISHED:
        raise WrongState()
    if await answered(session, programme.id, actor.require_participant()):
        raise WrongState(N_("You have already answered this questionnaire. Thank you!"))
    await SURVEY.start(Turn(chat_of(query), state), {"programme_id": programme.id})
    await query.answer()


RATINGS = ("1", "2", "3", "4", "5")  # a question's answers, tapped or typed


def _rating(key: str) -> Step:
    async def question(turn: Turn) -> Question:
        programme_id = (await turn.answers())["programme_id"]
        builder = Keyboard()
        for value in RATINGS:
            code = f"{programme_id}.{value}"  # a button of another programme's survey is stale
            builder.button(text=value, callback_data=FormOption(field=key, code=code))
        number = QUESTION_KEYS.index(key) + 1
        text = _("Question {n} of {total}. {question}\n(1: not at all … 5: fully)").format(
            n=number, total=len(QUESTION_KEYS), question=_(SURVEY_QUESTIONS[key])
        )
        return text, builder.as_markup()

    async def press(turn: Turn, code: str) -> Any:
        programme_id, _dot, value = code.partition(".")
        expected = str((await turn.answers())["programme_id"])
        if programme_id != expected or value not in RATINGS:
            raise InvalidValue(STALE)
        return int(value)

    async def read(turn: Turn) -> Any:
        """A rating typed instead of tapped («4»), as the registration's buttons take it."""
        typed = (turn.text or "").strip()
        if typed not in RATINGS:
            raise InvalidValue(N_("Please tap a number from 1 to 5, or type it."))
        return int(typed)

    def line(value: Any, _answers: dict[str, Any]) -> str:
        return f"{_(SURVEY_QUESTIONS[key])} — {value}"

    state: State = getattr(Surveying, f"rating_{key}")
    return Step(state, key, question=question, press=press, read=read, line=line)


async def _submit(turn: Turn) -> None:
    data = await turn.answers()
    ratings = {key: data[key] for key in QUESTION_KEYS}
    comment = data.get("survey_comment")
    await submit_survey(turn.session, turn.actor, data["programme_id"], ratings, comment)
    await turn.state.clear()
    await turn.message.answer(_("Thank you! Your answers help the curator improve the programme."))


SURVEY = Form(
    [
        *(_rating(key) for key in QUESTION_KEYS),
        Step(Surveying.entering_comment, "survey_comment", summary=False),
    ],
    _submit,
)
SURVEY.register(router)
