"""Matching understands Russian word forms (pymorphy3): «Информатике» is «Информатика»,
«проектной деятельности» meets «проектная деятельность», «уроки» meets «урок»; and a shared
beginning of two different words («методика», «методист») is no match."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.matching import lemmas, score_mentor
from tests.factories import make_mentor, make_teacher


def test_word_forms_meet_in_their_dictionary_form() -> None:
    assert lemmas("проектной деятельности") == lemmas("Проектная деятельность")
    assert lemmas("с родителями и в группе") == {"родитель", "группа"}  # no function words
    assert lemmas("Moodle, ИКТ") == {"moodle", "икт"}


async def _reasons(session: AsyncSession, mentee_fields: dict, mentor_fields: dict) -> list:
    mentee = await make_teacher(session, **mentee_fields)
    mentor = await make_mentor(session, **mentor_fields)
    for key, value in mentor_fields.items():
        if hasattr(mentor.mentor_profile, key):
            setattr(mentor.mentor_profile, key, value)
    for key, value in mentee_fields.items():
        if hasattr(mentee.mentee_profile, key):
            setattr(mentee.mentee_profile, key, value)
    await session.commit()
    return [text for text, _params in score_mentor(mentee, mentor).reasons]


async def test_subjects_in_another_case_are_the_same_subject(session: AsyncSession) -> None:
    match_reasons = await _reasons(
        session,
        {"subjects": "Информатике; основам программирования", "department": "А"},
        {"subjects": "История", "mentor_subjects": "основы программирования, информатика"},
    )
    assert "same subjects: {subjects}" in match_reasons


async def test_goals_meet_competences_in_other_forms(session: AsyncSession) -> None:
    match_reasons = await _reasons(
        session,
        {"learning_goals": "хочу вести уроки", "difficulties": [], "department": "А"},
        {"competences": "Урок", "department": "Б"},
    )
    assert "competences match what the mentee wants to learn" in match_reasons


async def test_a_shared_beginning_is_not_a_match(session: AsyncSession) -> None:
    match_reasons = await _reasons(
        session,
        {"learning_goals": "методист", "difficulties": [], "department": "А"},
        {"competences": "методика", "department": "Б"},
    )
    assert "competences match what the mentee wants to learn" not in match_reasons
