"""The curator's decision on mentor candidates (§6.4.5): recorded once, with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ConsentKind, MentorStatus
from models.errors import AlreadyDecided, NotFound
from models.profiles import (
    count_mentor_candidates,
    decide_mentor,
    list_mentor_candidates,
    register_mentor,
)
from models.withdrawal import withdraw_consent
from tests.conftest import CURATOR_ID
from tests.factories import MENTOR, document, make_teacher


async def test_the_curator_accepts_a_candidate_and_the_decision_is_recorded(
    session: AsyncSession,
) -> None:
    candidate = await make_teacher(session, mentee=False, mentor=True)
    when = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
    profile = await decide_mentor(
        session, candidate.id, accept=True, decided_by=CURATOR_ID, now=when
    )
    assert profile.status == MentorStatus.ACCEPTED
    assert (profile.decided_by_telegram_id, profile.decided_at) == (CURATOR_ID, when)
    with pytest.raises(AlreadyDecided):
        await decide_mentor(session, candidate.id, accept=False, decided_by=CURATOR_ID)


async def test_candidates_are_listed_until_decided(session: AsyncSession) -> None:
    first = await make_teacher(session, mentee=False, mentor=True)
    second = await make_teacher(session, mentor=True)
    await make_teacher(session)  # a mentee only
    assert [p.id for p in await list_mentor_candidates(session)] == [first.id, second.id]

    await decide_mentor(session, first.id, accept=False, decided_by=CURATOR_ID)
    assert [p.id for p in await list_mentor_candidates(session)] == [second.id]
    assert await count_mentor_candidates(session) == 1


async def test_a_rejected_candidate_may_apply_again(session: AsyncSession) -> None:
    candidate = await make_teacher(session, mentee=False, mentor=True)
    await decide_mentor(session, candidate.id, accept=False, decided_by=CURATOR_ID)
    profile = await register_mentor(session, candidate, MENTOR, document(ConsentKind.MENTORING))
    assert profile.status == MentorStatus.CANDIDATE
    assert profile.decided_at is None


async def test_no_decision_on_someone_who_withdrew(session: AsyncSession) -> None:
    candidate = await make_teacher(session, mentee=False, mentor=True)
    await withdraw_consent(session, candidate, ConsentKind.PERSONAL_DATA)
    with pytest.raises(NotFound):
        await decide_mentor(session, candidate.id, accept=True, decided_by=CURATOR_ID)
    with pytest.raises(NotFound):
        await decide_mentor(session, 999_999, accept=True, decided_by=CURATOR_ID)
