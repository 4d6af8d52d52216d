"""Consent versioning and withdrawal: what is kept and what is erased."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Consent, MenteeProfile, MentorProfile
from models.consent import (
    CONSENT_VERSIONS,
    ConsentDocument,
    active_consent,
    consent_history,
    give_personal_data_consent,
)
from models.enums import ConsentKind, EndReason, PairStatus, ParticipantStatus, ProgrammeStatus
from models.errors import InvalidValue, NotFound
from models.pairs import answer_pair, propose_pair
from models.participant import Participant, ensure_participant, get_participant
from models.withdrawal import withdraw_consent
from tests.factories import CURATOR, actor, make_active_pair, make_running_programme, make_teacher


async def test_a_consent_records_version_text_hash_locale_and_time(session: AsyncSession) -> None:
    participant = await ensure_participant(session, 8_000_000_001)
    given = datetime(2026, 9, 1, 9, 30, tzinfo=UTC)
    document = ConsentDocument(
        ConsentKind.PERSONAL_DATA, CONSENT_VERSIONS[ConsentKind.PERSONAL_DATA], "Текст", "ru"
    )
    await give_personal_data_consent(session, participant, document, now=given)

    session.expunge_all()
    consent = await active_consent(session, participant.id, ConsentKind.PERSONAL_DATA)
    assert consent is not None
    assert consent.version == CONSENT_VERSIONS[ConsentKind.PERSONAL_DATA]
    assert consent.text_hash == hashlib.sha256("Текст".encode()).hexdigest()
    assert consent.locale == "ru"
    assert consent.given_at == given
    stored = await get_participant(session, 8_000_000_001)
    assert stored is not None
    assert stored.status == ParticipantStatus.REGISTERING


async def test_an_outdated_consent_version_is_refused(session: AsyncSession) -> None:
    participant = await ensure_participant(session, 8_000_000_002)
    old = ConsentDocument(ConsentKind.PERSONAL_DATA, "pd-2020.1", "old text", "ru")
    with pytest.raises(InvalidValue):
        await give_personal_data_consent(session, participant, old)
    assert await consent_history(session, participant.id) == []


async def test_withdrawal_erases_personal_data_and_keeps_only_the_consent_facts(
    session: AsyncSession,
) -> None:
    participant = await make_teacher(session, mentor=True)
    withdrawn_at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    await withdraw_consent(session, participant, ConsentKind.PERSONAL_DATA, now=withdrawn_at)

    session.expunge_all()
    stored = await get_participant(session, participant.telegram_id)
    assert stored is not None
    assert stored.status == ParticipantStatus.WITHDRAWN
    assert stored.withdrawn_at == withdrawn_at
    personal = (
        stored.full_name,
        stored.position,
        stored.department,
        stored.subjects,
        stored.experience_years,
        stored.qualification,
    )
    assert personal == (None,) * 6
    assert await session.get(MenteeProfile, participant.id) is None
    assert await session.get(MentorProfile, participant.id) is None
    consents = (
        await session.scalars(select(Consent).where(Consent.participant_id == participant.id))
    ).all()
    assert len(consents) == 2
    assert all(consent.withdrawn_at == withdrawn_at for consent in consents)
    assert all(consent.version and consent.given_at for consent in consents)


async def test_withdrawing_the_mentor_consent_keeps_the_mentee(session: AsyncSession) -> None:
    participant = await make_teacher(session, mentor=True)
    await withdraw_consent(session, participant, ConsentKind.MENTORING)

    session.expunge_all()
    stored = await get_participant(session, participant.telegram_id)
    assert stored is not None
    assert stored.status == ParticipantStatus.ACTIVE
    assert stored.full_name == "Иванова Мария Петровна"
    assert stored.mentor_profile is None
    assert stored.mentee_profile is not None
    assert await active_consent(session, participant.id, ConsentKind.PERSONAL_DATA) is not None
    assert await active_consent(session, participant.id, ConsentKind.MENTORING) is None


async def test_a_withdrawn_person_can_consent_again_and_nothing_is_withdrawn_twice(
    session: AsyncSession,
) -> None:
    participant = await make_teacher(session)
    await withdraw_consent(session, participant, ConsentKind.PERSONAL_DATA)
    with pytest.raises(NotFound):
        await withdraw_consent(session, participant, ConsentKind.PERSONAL_DATA)

    document = ConsentDocument(
        ConsentKind.PERSONAL_DATA, CONSENT_VERSIONS[ConsentKind.PERSONAL_DATA], "t", "en"
    )
    await give_personal_data_consent(session, participant, document)
    history = await consent_history(session, participant.id)
    assert [consent.is_active for consent in history] == [False, True]
    assert participant.status == ParticipantStatus.REGISTERING


async def test_a_mentee_who_withdraws_ends_their_programme_early(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor_id = programme.pair.mentor_id
    assert mentee is not None
    affected = await withdraw_consent(session, mentee, ConsentKind.PERSONAL_DATA)
    assert affected == [mentor_id]
    assert programme.status == ProgrammeStatus.ENDED_EARLY
    assert programme.end_reason == EndReason.BY_PARTICIPANT
    assert programme.pair.status == PairStatus.CLOSED
    assert programme.pair.mentees == []


async def test_a_mentor_who_withdraws_the_mentor_consent_ends_the_pair_but_stays(
    session: AsyncSession,
) -> None:
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    assert mentor is not None
    affected = await withdraw_consent(session, mentor, ConsentKind.MENTORING)
    assert affected == pair.mentee_ids
    assert pair.status == PairStatus.CLOSED
    assert mentor.status == ParticipantStatus.ACTIVE


async def test_one_member_leaving_a_group_does_not_end_it(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    second = await make_teacher(session)
    await propose_pair(
        session,
        CURATOR,
        mentee_id=second.id,
        mentor_id=pair.mentor_id,
        forms=[],
        pair_type="teacher_teacher",
        join_pair_id=pair.id,
    )
    await answer_pair(session, actor(second), pair.id, accept=True)
    assert await withdraw_consent(session, second, ConsentKind.PERSONAL_DATA) == []
    assert pair.status == PairStatus.ACTIVE
    assert second.id not in pair.mentee_ids
