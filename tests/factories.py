"""Factories that build participants through the domain functions, as the bot does."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.consent import CONSENT_VERSIONS, ConsentDocument, give_personal_data_consent
from models.enums import ConsentKind
from models.participant import Participant, complete_registration, ensure_participant, save_profile
from models.profiles import register_mentor, save_mentee_questionnaire

_telegram_ids = itertools.count(5_000_000_000)  # beyond 32 bits on purpose

PROFILE = {
    "full_name": "Иванова Мария Петровна",
    "position": "преподаватель",
    "department": "ПЦК информационных технологий",
    "subjects": "Информатика, Базы данных",
    "experience_years": 2,
    "qualification": "none",
}
MENTEE = {
    "difficulties": ["lesson_design", "digital"],
    "difficulties_other": None,
    "learning_goals": "Проводить практические занятия интереснее",
    "mentee_forms": ["traditional", "virtual"],
}
MENTOR = {
    "competences": "Проектное обучение, WorldSkills",
    "mentor_subjects": "Информатика",
    "mentor_forms": ["traditional", "group"],
    "capacity": 2,
}


def document(kind: ConsentKind, text: str = "consent text", locale: str = "ru") -> ConsentDocument:
    return ConsentDocument(kind=kind, version=CONSENT_VERSIONS[kind], text=text, locale=locale)


async def make_consented(session: AsyncSession, telegram_id: int | None = None) -> Participant:
    participant = await ensure_participant(session, telegram_id or next(_telegram_ids))
    await give_personal_data_consent(session, participant, document(ConsentKind.PERSONAL_DATA))
    return participant


async def make_teacher(
    session: AsyncSession,
    *,
    mentee: bool = True,
    mentor: bool = False,
    **profile: Any,
) -> Participant:
    participant = await make_consented(session)
    await save_profile(session, participant, PROFILE | profile)
    if mentee:
        await save_mentee_questionnaire(session, participant, MENTEE)
    if mentor:
        await register_mentor(session, participant, MENTOR, document(ConsentKind.MENTORING))
    await complete_registration(session, participant)
    return participant
