"""Factories that build participants through the domain functions, as the bot does."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from models.access import Actor
from models.base import utcnow
from models.consent import CONSENT_VERSIONS, ConsentDocument, give_personal_data_consent
from models.enums import ConsentKind
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import Pair, answer_pair, approve_pair, propose_pair
from models.participant import Participant, complete_registration, ensure_participant, save_profile
from models.profiles import decide_mentor, register_mentor, save_mentee_questionnaire
from models.programmes import (
    Programme,
    ProgrammeDraft,
    add_activity,
    add_months,
    respond_to_draft,
    review_programme,
    save_draft,
    submit_programme,
)

COLLEGE_ZONE = ZoneInfo(Settings.model_fields["bot_timezone"].default)


def college_today() -> date:
    """The college's date (the default BOT_TIMEZONE), the one the bot stamps and names files by.

    The machine's own date (`date.today()`, UTC here) is the day before from 21:00 to 24:00 UTC,
    when Moscow's day has already begun.
    """
    return datetime.now(COLLEGE_ZONE).date()


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
    telegram_id: int | None = None,
    **profile: Any,
) -> Participant:
    participant = await make_consented(session, telegram_id)
    await save_profile(session, participant, PROFILE | profile)
    if mentee:
        await save_mentee_questionnaire(session, participant, MENTEE)
    if mentor:
        await register_mentor(session, participant, MENTOR, document(ConsentKind.MENTORING))
    await complete_registration(session, participant)
    # a seeded past: the curators heard of this registration when it happened
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.key.startswith(f"notice:participant.registered:{participant.id}."),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="seeded")
    )
    await session.commit()
    return participant


CURATOR = Actor(telegram_id=1000, participant_id=None, is_curator=True)
START = date(2026, 9, 1)
END = date(2026, 12, 31)


def actor(participant: Participant) -> Actor:
    return Actor(participant.telegram_id, participant.id, is_curator=False)


async def make_mentor(session: AsyncSession, **profile: Any) -> Participant:
    mentor = await make_teacher(session, mentee=False, mentor=True, **profile)
    await decide_mentor(session, mentor.id, accept=True, decided_by=CURATOR.telegram_id)
    return mentor


async def make_accepted_pair(
    session: AsyncSession, mentee: Participant | None = None, mentor: Participant | None = None
) -> Pair:
    """Proposed by the curator and accepted by both: waiting for the director's order."""
    mentee = mentee or await make_teacher(session)
    mentor = mentor or await make_mentor(session)
    pair = await propose_pair(
        session,
        CURATOR,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        forms=["traditional"],
        pair_type="teacher_young",
    )
    await answer_pair(session, actor(mentor), pair.id, accept=True)
    await answer_pair(session, actor(mentee), pair.id, accept=True)
    return pair


async def make_active_pair(
    session: AsyncSession, mentee: Participant | None = None, mentor: Participant | None = None
) -> Pair:
    pair = await make_accepted_pair(session, mentee, mentor)
    return await approve_pair(
        session, CURATOR, pair.id, order_number="62-н", order_date=date(2026, 9, 1)
    )


async def make_running_programme(
    session: AsyncSession,
    activities: int = 3,
    pair: Pair | None = None,
    *,
    start: date = START,
    deadlines: list[date] | None = None,
    approved: bool = True,
) -> Programme:
    """Drafted, agreed by the mentee and (unless `approved=False`) approved by the curator."""
    pair = pair or await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    assert mentor is not None
    assert mentee is not None
    draft = ProgrammeDraft(
        goal="Освоить проектное обучение",
        difficulties="Планирование занятий",
        strengths="Владение цифровыми инструментами",
        forms=["traditional"],
        start_date=start,
        end_date=END if start == START else add_months(start, 4),
    )
    programme = await save_draft(session, actor(mentor), pair.id, draft)
    deadlines = deadlines or [date(2026, 9 + n, 15) for n in range(1, activities + 1)]
    for number, deadline in enumerate(deadlines, 1):
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title=f"Мероприятие {number}",
            description=None,
            deadline=deadline,
            responsible="mentee",
        )
    await submit_programme(session, actor(mentor), programme.id)
    programme = await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    if not approved:
        return programme
    return await review_programme(session, CURATOR, programme.id, approve=True)


async def notices_already_delivered(session: AsyncSession) -> None:
    """A seeded past: the notices of the decisions that built it (a pair approved, a mentor
    accepted) went out when those were made, so the scheduler has none of them to send."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.payload.is_not(None), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="seeded")
    )
    await session.commit()
