"""The monitoring questionnaire at the end of a programme (roadmap stage 6)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.onboarding.options import STALE
from models.access import Actor
from models.errors import InvalidValue, WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.programmes import FINISHED, get_programme
from models.surveys import SURVEY_QUESTIONS, answered, submit_survey
from rendering.ui import (
    SKIP,
    FormOption,
    ProgrammeAction,
    ProgrammeVerb,
    SurveyRating,
    chat_of,
    set_buttons,
    show_outcome,
    shown,
    step_keyboard,
)

router = Router(name=__name__)
QUESTION_KEYS = list(SURVEY_QUESTIONS)


class Surveying(StatesGroup):
    rating = State()
    entering_comment = State()


def _question(programme_id: int, key: str) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for value in range(1, 6):
        builder.button(
            text=str(value),
            callback_data=SurveyRating(programme_id=programme_id, question=key, value=value),
        )
    number = QUESTION_KEYS.index(key) + 1
    text = _("Question {n} of {total}. {question}\n(1: not at all … 5: fully)").format(
        n=number, total=len(QUESTION_KEYS), question=_(SURVEY_QUESTIONS[key])
    )
    return text, builder.as_markup()


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
    await state.set_state(Surveying.rating)
    await state.set_data({"programme_id": programme.id, "ratings": {}})
    text, markup = _question(programme.id, QUESTION_KEYS[0])
    await chat_of(query).answer(text, reply_markup=markup)
    await query.answer()


@router.callback_query(SurveyRating.filter(), Surveying.rating)
async def rating_given(
    query: CallbackQuery, callback_data: SurveyRating, state: FSMContext
) -> None:
    data = await state.get_data()
    ratings: dict[str, int] = data["ratings"]
    expected = QUESTION_KEYS[len(ratings)]
    valid = 1 <= callback_data.value <= 5 and callback_data.programme_id == data["programme_id"]
    if callback_data.question != expected or not valid:
        raise InvalidValue(STALE)
    ratings[expected] = callback_data.value
    await state.update_data(ratings=ratings)
    await show_outcome(
        query, f"{_(SURVEY_QUESTIONS[expected])} — {callback_data.value}", reply_markup=None
    )
    await query.answer()
    if len(ratings) < len(QUESTION_KEYS):
        text, markup = _question(data["programme_id"], QUESTION_KEYS[len(ratings)])
        await chat_of(query).answer(text, reply_markup=markup)
        return
    await state.set_state(Surveying.entering_comment)
    spec = FIELDS["survey_comment"]
    await chat_of(query).answer(_(spec.prompt), reply_markup=step_keyboard(spec))


@router.message(Surveying.entering_comment, F.text)
async def survey_comment_typed(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await _submit(message, state, session, actor, str(FIELDS["survey_comment"].clean(message.text)))


@router.callback_query(FormOption.filter(F.code == SKIP), Surveying.entering_comment)
async def survey_comment_skipped(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await set_buttons(query, None)
    await query.answer()
    await _submit(shown(query), state, session, actor, None)


async def _submit(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, comment: str | None
) -> None:
    data = await state.get_data()
    await submit_survey(session, actor, data["programme_id"], data["ratings"], comment)
    await state.clear()
    await message.answer(_("Thank you! Your answers help the curator improve the programme."))
