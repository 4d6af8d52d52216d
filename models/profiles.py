"""The banks of mentees and mentors (§6.4.5, roadmap stages 2-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import audit
from models.base import Base, TimestampMixin, utcnow
from models.concurrency import decision
from models.consent import ConsentDocument, record_consent
from models.enums import ConsentKind, MentorStatus
from models.errors import InvalidValue, NotFound, already_decided
from models.fields import FIELDS, MENTEE_KEYS, MENTOR_KEYS, check_difficulties
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.participant import Participant, enum_column, get_participant_by_id


class MenteeProfile(TimestampMixin, Base):
    __tablename__ = "mentee_profiles"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    difficulties: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulties_other: Mapped[str | None] = mapped_column(Text)
    learning_goals: Mapped[str] = mapped_column(Text)
    mentee_forms: Mapped[list[str]] = mapped_column(JSON, default=list)

    participant: Mapped[Participant] = relationship(back_populates="mentee_profile")


class MentorProfile(TimestampMixin, Base):
    __tablename__ = "mentor_profiles"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    competences: Mapped[str] = mapped_column(Text)
    mentor_subjects: Mapped[str] = mapped_column(Text)
    mentor_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int]
    status: Mapped[MentorStatus] = mapped_column(
        enum_column(MentorStatus), default=MentorStatus.CANDIDATE, index=True
    )
    decided_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    # The mentor agreed to be shown to mentees choosing a mentor (models.choice, §9.1.2).
    shown_to_mentees: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Checked in every UPDATE: a concurrent decision makes the loser decide again (concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    participant: Mapped[Participant] = relationship(
        back_populates="mentor_profile", foreign_keys=[participant_id]
    )


def _clean_answers(keys: tuple[str, ...], answers: dict[str, Any]) -> dict[str, Any]:
    return {key: FIELDS[key].coerce(answers.get(key)) for key in keys}


async def save_mentee_questionnaire(
    session: AsyncSession, participant: Participant, answers: dict[str, Any]
) -> MenteeProfile:
    """Put the participant into the bank of mentees (or update their questionnaire)."""
    participant.require_consent()
    values = _clean_answers(MENTEE_KEYS, answers)
    check_difficulties(values["difficulties"], values["difficulties_other"])
    profile = participant.mentee_profile
    if profile is None:
        profile = MenteeProfile(participant_id=participant.id, **values)
        participant.mentee_profile = profile
    else:
        for key, value in values.items():
            setattr(profile, key, value)
    await session.commit()
    return profile


async def update_mentee_field(
    session: AsyncSession, participant: Participant, key: str, value: Any
) -> MenteeProfile:
    participant.require_consent()
    profile = participant.mentee_profile
    if profile is None or key not in MENTEE_KEYS:
        raise InvalidValue(N_("This field cannot be changed here."))
    answers = {name: getattr(profile, name) for name in MENTEE_KEYS} | {key: value}
    return await save_mentee_questionnaire(session, participant, answers)


async def register_mentor(
    session: AsyncSession,
    participant: Participant,
    answers: dict[str, Any],
    consent: ConsentDocument,
    now: datetime | None = None,
) -> MentorProfile:
    """A mentor candidate joins with the written consent to act as a mentor (§6.2), atomically."""
    participant.require_consent()
    if consent.kind != ConsentKind.MENTORING:
        raise InvalidValue(N_("A mentor needs the consent to act as a mentor."))
    values = _clean_answers(MENTOR_KEYS, answers)
    profile = participant.mentor_profile
    if profile is None:
        profile = MentorProfile(participant_id=participant.id, **values)
        participant.mentor_profile = profile
    else:  # a rejected candidate or someone who withdrew the mentor consent applies again
        for key, value in values.items():
            setattr(profile, key, value)
        profile.status = MentorStatus.CANDIDATE
        profile.decided_by_telegram_id = None
        profile.decided_at = None
    record_consent(session, participant, consent, now)
    await session.commit()
    return profile


async def update_mentor_field(
    session: AsyncSession, participant: Participant, key: str, value: Any
) -> MentorProfile:
    participant.require_consent()
    profile = participant.mentor_profile
    if profile is None or key not in MENTOR_KEYS:
        raise InvalidValue(N_("This field cannot be changed here."))
    setattr(profile, key, FIELDS[key].coerce(value))
    await session.commit()
    return profile


@decision
async def decide_mentor(
    session: AsyncSession,
    participant_id: int,
    *,
    accept: bool,
    decided_by: int,
    now: datetime | None = None,
) -> MentorProfile:
    """The curator accepts a candidate into the bank of mentors or rejects them."""
    participant = await get_participant_by_id(session, participant_id)
    if participant is None or not participant.has_consent:
        raise NotFound()
    profile = participant.mentor_profile
    if profile is None:
        raise NotFound(N_("This person is no longer a mentor candidate."))
    if profile.status != MentorStatus.CANDIDATE:
        raise already_decided(profile.status)
    profile.status = MentorStatus.ACCEPTED if accept else MentorStatus.REJECTED
    profile.decided_by_telegram_id = decided_by
    profile.decided_at = now or utcnow()
    audit(
        session,
        decided_by,
        "mentor.accept" if accept else "mentor.reject",
        "participant",
        participant_id,
    )
    await queue_notice(session, "mentor.decided", participant_id, [participant_id])
    await session.commit()
    return profile


async def list_mentor_candidates(session: AsyncSession, limit: int = 20) -> list[Participant]:
    result = await session.scalars(
        select(Participant)
        .join(MentorProfile, MentorProfile.participant_id == Participant.id)
        .where(MentorProfile.status == MentorStatus.CANDIDATE)
        .order_by(MentorProfile.created_at, Participant.id)
        .limit(limit)
    )
    return list(result)


async def count_mentor_candidates(session: AsyncSession) -> int:
    return (
        await session.scalar(
            select(func.count()).where(MentorProfile.status == MentorStatus.CANDIDATE)
        )
        or 0
    )
