"""The meeting journal, questions to the mentor, and the monitoring questionnaire."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EndReason
from models.errors import AccessDenied, InvalidValue, WrongState
from models.journal import answer_message, log_meeting, meetings_of, send_message
from models.participant import Participant
from models.programmes import end_early
from models.surveys import SURVEY_QUESTIONS, submit_survey
from tests.factories import CURATOR, actor, make_active_pair, make_running_programme, make_teacher

TODAY = date(2026, 10, 1)
RATINGS = dict.fromkeys(SURVEY_QUESTIONS, 4)


async def test_either_side_logs_a_meeting_that_took_place(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    outsider = await make_teacher(session)
    fields = {
        "topic": "Анализ урока",
        "done": "Разобрали открытый урок",
        "result": "Список приёмов",
        "next_assignment": None,
    }
    with pytest.raises(WrongState):
        await log_meeting(
            session, actor(mentee), pair.id, held_on=date(2026, 10, 2), today=TODAY, **fields
        )
    with pytest.raises(AccessDenied):
        await log_meeting(session, actor(outsider), pair.id, held_on=TODAY, today=TODAY, **fields)
    await log_meeting(session, actor(mentee), pair.id, held_on=TODAY, today=TODAY, **fields)
    assert [m.topic for m in await meetings_of(session, pair.id)] == ["Анализ урока"]


async def test_a_question_goes_to_the_mentor_and_is_answered_once(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    with pytest.raises(AccessDenied):
        await send_message(session, actor(mentor), pair.id, "question", "?")
    question = await send_message(session, actor(mentee), pair.id, "question", "Как вести КТП?")
    with pytest.raises(AccessDenied):
        await answer_message(session, actor(mentee), question.id, "сам себе")
    await answer_message(session, actor(mentor), question.id, "Покажу на встрече")
    assert question.answer == "Покажу на встрече"
    with pytest.raises(WrongState):
        await answer_message(session, actor(mentor), question.id, "ещё")


async def test_the_questionnaire_opens_at_the_end_and_is_answered_once(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    with pytest.raises(WrongState):
        await submit_survey(session, actor(mentee), programme.id, RATINGS, None)
    await end_early(session, CURATOR, programme.id, reason=EndReason.BY_CURATOR, comment="x")
    with pytest.raises(InvalidValue):
        await submit_survey(session, actor(mentee), programme.id, RATINGS | {"goals": 6}, None)
    with pytest.raises(InvalidValue):
        await submit_survey(session, actor(mentee), programme.id, {"goals": 5}, None)
    answer = await submit_survey(session, actor(mentee), programme.id, RATINGS, "Спасибо")
    assert answer.role == "mentee"
    with pytest.raises(WrongState):
        await submit_survey(session, actor(mentee), programme.id, RATINGS, None)
