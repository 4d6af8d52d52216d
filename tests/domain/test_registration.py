"""Registration rules on a real database: consent first, validated answers, both banks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Consent, MenteeProfile, Participant
from models.consent import decline_personal_data_consent
from models.enums import ConsentKind, MentorStatus, ParticipantStatus, Qualification
from models.errors import ConsentRequired, InvalidValue
from models.participant import (
    complete_registration,
    ensure_participant,
    get_participant,
    save_profile,
    update_profile_field,
)
from models.profiles import register_mentor, save_mentee_questionnaire, update_mentee_field
from tests.factories import MENTEE, MENTOR, PROFILE, document, make_consented, make_teacher


async def test_nothing_but_the_telegram_id_is_kept_for_a_newcomer_who_declines(
    session: AsyncSession,
) -> None:
    participant = await ensure_participant(session, 7_000_000_001)
    await decline_personal_data_consent(session, participant)

    stored = await get_participant(session, 7_000_000_001)
    assert stored is not None
    assert stored.status == ParticipantStatus.DECLINED
    assert stored.telegram_id == 7_000_000_001
    assert (stored.full_name, stored.position, stored.department, stored.locale) == (
        None,
        None,
        None,
        None,
    )
    assert await session.scalar(select(func.count()).select_from(Consent)) == 0


async def test_no_personal_data_is_stored_before_consent(session: AsyncSession) -> None:
    participant = await ensure_participant(session, 7_000_000_002)
    with pytest.raises(ConsentRequired):
        await save_profile(session, participant, PROFILE)
    with pytest.raises(ConsentRequired):
        await save_mentee_questionnaire(session, participant, MENTEE)
    await session.refresh(participant)
    assert participant.full_name is None


async def test_a_mentee_registers_with_profile_and_questionnaire(session: AsyncSession) -> None:
    participant = await make_teacher(session)

    session.expunge_all()
    stored = await get_participant(session, participant.telegram_id)
    assert stored is not None
    assert stored.status == ParticipantStatus.ACTIVE
    assert stored.registered_at is not None
    assert stored.qualification == Qualification.NONE
    assert stored.experience_years == 2
    assert stored.mentee_profile is not None
    assert stored.mentee_profile.difficulties == ["lesson_design", "digital"]
    assert stored.mentee_profile.mentee_forms == ["traditional", "virtual"]
    assert stored.mentor_profile is None


async def test_profile_values_are_validated(session: AsyncSession) -> None:
    participant = await make_consented(session)
    for bad in (
        {"experience_years": 61},
        {"experience_years": "много"},
        {"full_name": "A" * 151},
        {"full_name": "R2-D2"},
        {"qualification": "doctor"},
        {"position": "   "},
    ):
        with pytest.raises(InvalidValue):
            await save_profile(session, participant, PROFILE | bad)
    await save_profile(session, participant, PROFILE | {"experience_years": "60"})
    assert participant.experience_years == 60


async def test_a_profile_field_can_be_corrected(session: AsyncSession) -> None:
    participant = await make_teacher(session)
    await update_profile_field(session, participant, "department", "ПЦК экономики")
    with pytest.raises(InvalidValue):
        await update_profile_field(session, participant, "telegram_id", 1)
    session.expunge_all()
    stored = await get_participant(session, participant.telegram_id)
    assert stored is not None
    assert stored.department == "ПЦК экономики"


async def test_a_mentee_names_at_least_one_difficulty(session: AsyncSession) -> None:
    participant = await make_consented(session)
    await save_profile(session, participant, PROFILE)
    with pytest.raises(InvalidValue):
        await save_mentee_questionnaire(
            session, participant, MENTEE | {"difficulties": [], "difficulties_other": None}
        )
    own_words = MENTEE | {"difficulties": [], "difficulties_other": "Страх публичных выступлений"}
    profile = await save_mentee_questionnaire(session, participant, own_words)
    assert profile.difficulties_other == "Страх публичных выступлений"


async def test_questionnaire_options_outside_the_list_are_refused(session: AsyncSession) -> None:
    participant = await make_teacher(session)
    with pytest.raises(InvalidValue):
        await update_mentee_field(session, participant, "mentee_forms", ["hypnosis"])
    with pytest.raises(InvalidValue):
        await update_mentee_field(session, participant, "mentee_forms", [])
    await update_mentee_field(session, participant, "mentee_forms", ["speed", "group"])
    session.expunge_all()
    stored = await session.get(MenteeProfile, participant.id)
    assert stored is not None
    assert stored.mentee_forms == ["group", "speed"]  # declared order, not click order


async def test_a_mentor_candidate_joins_only_with_the_mentoring_consent(
    session: AsyncSession,
) -> None:
    participant = await make_consented(session)
    await save_profile(session, participant, PROFILE)
    with pytest.raises(InvalidValue):
        await register_mentor(session, participant, MENTOR, document(ConsentKind.PERSONAL_DATA))
    with pytest.raises(InvalidValue):
        await register_mentor(
            session, participant, MENTOR | {"capacity": 11}, document(ConsentKind.MENTORING)
        )
    profile = await register_mentor(
        session, participant, MENTOR, document(ConsentKind.MENTORING, text="mentor text")
    )
    await complete_registration(session, participant)

    assert profile.status == MentorStatus.CANDIDATE
    consents = (
        await session.scalars(select(Consent).where(Consent.participant_id == participant.id))
    ).all()
    assert sorted(c.kind for c in consents) == [ConsentKind.MENTORING, ConsentKind.PERSONAL_DATA]


async def test_telegram_ids_beyond_32_bits_round_trip(session: AsyncSession) -> None:
    participant = await make_teacher(session)
    assert participant.telegram_id > 2**32
    session.expunge_all()
    assert await get_participant(session, participant.telegram_id) is not None
    assert await session.scalar(select(func.count()).select_from(Participant)) == 1
