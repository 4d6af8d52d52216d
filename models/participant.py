"""A participant of the programme: one row per Telegram user who has written to the bot."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    BigInteger,
    Enum,
    Index,
    String,
    Text,
    bindparam,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models.base import Base, TimestampMixin, utcnow
from models.enums import ParticipantStatus, Qualification, StaffRole
from models.errors import ConsentRequired, InvalidValue, NotRegistered
from models.fields import FIELDS, PROFILE_KEYS
from models.i18n_marker import N_
from models.updates import ProcessedUpdate

if TYPE_CHECKING:
    from models.profiles import MenteeProfile, MentorProfile


def enum_column(enum: type, length: int = 32) -> Enum:
    return Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Participant(TimestampMixin, Base):
    __tablename__ = "participants"
    # The staff (a few people among tens of thousands) are read on every sweep and every
    # delivery round (curator_telegram_ids): a partial index finds them without a scan.
    __table_args__ = (
        Index(
            "ix_participants_staff",
            "staff_role",
            sqlite_where=text("staff_role IS NOT NULL"),
            postgresql_where=text("staff_role IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_column(ParticipantStatus), default=ParticipantStatus.NEW
    )
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole))

    # Personal data: stored only under an active personal-data consent, erased on withdrawal.
    full_name: Mapped[str | None] = mapped_column(String(150))
    position: Mapped[str | None] = mapped_column(String(150))
    department: Mapped[str | None] = mapped_column(String(150))
    subjects: Mapped[str | None] = mapped_column(Text)
    experience_years: Mapped[int | None]
    qualification: Mapped[Qualification | None] = mapped_column(enum_column(Qualification))

    registered_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # Set when Telegram answered 403 (blocked the bot); cleared when they write again.
    unreachable_at: Mapped[datetime | None]
    # The curator's bank keeping (§6.4.2, §6.4.5): archived people leave the pairing lists;
    # include_year marks who must be included in mentoring in that academic year.
    archived_at: Mapped[datetime | None]
    include_year: Mapped[int | None]

    mentee_profile: Mapped[MenteeProfile | None] = relationship(
        back_populates="participant", lazy="selectin", cascade="all, delete-orphan"
    )
    mentor_profile: Mapped[MentorProfile | None] = relationship(
        back_populates="participant",
        lazy="selectin",
        cascade="all, delete-orphan",
        foreign_keys="MentorProfile.participant_id",
    )

    @property
    def has_consent(self) -> bool:
        return self.status in (ParticipantStatus.REGISTERING, ParticipantStatus.ACTIVE)

    @property
    def is_registered(self) -> bool:
        return self.status == ParticipantStatus.ACTIVE

    @property
    def display_name(self) -> str:
        return self.full_name or f"#{self.id}"

    def require_consent(self) -> None:
        if not self.has_consent:
            raise ConsentRequired()

    def require_registered(self) -> None:
        if not self.is_registered:
            raise NotRegistered()


_CACHE = "participant_by_telegram_id"
_ABSENT = "telegram_ids_without_participant"  # read in this session: no participant yet


def _with_profiles() -> tuple[Any, ...]:
    # One statement (LEFT JOINs) instead of the two SELECT ... IN of the relationships.
    return (joinedload(Participant.mentee_profile), joinedload(Participant.mentor_profile))


async def get_participant(session: AsyncSession, telegram_id: int) -> Participant | None:
    """The participant of this Telegram id. Within one session (one update) the person read
    once is answered from the session's cache while they are still in it."""
    cached = session.info.get(_CACHE, {}).get(telegram_id)
    if cached is not None and inspect(cached).persistent and cached in session:
        return cast(Participant, cached)  # the cache holds only participants
    if telegram_id in session.info.get(_ABSENT, ()):
        return None  # read at the update's start; only ensure_participant creates one
    participant = await session.scalar(
        select(Participant).where(Participant.telegram_id == telegram_id).options(*_with_profiles())
    )
    if participant is not None:
        session.info.setdefault(_CACHE, {})[telegram_id] = participant
    return participant


@cache
def _person_and_processed() -> Any:
    """Built once (statement building is a good part of an update's CPU): the person of
    :telegram_id, if any, beside whether (:bot_id, :update_id) was processed — one row even
    for a newcomer."""
    processed = (
        select(ProcessedUpdate.update_id)
        .where(
            ProcessedUpdate.bot_id == bindparam("bot_id"),
            ProcessedUpdate.update_id == bindparam("update_id"),
        )
        .exists()
    )
    one = select(literal(1).label("one")).subquery()
    return (
        select(Participant, processed.label("processed"))
        .select_from(one)
        .outerjoin(Participant, Participant.telegram_id == bindparam("telegram_id"))
        .options(*_with_profiles())
    )


async def load_for_update(
    session: AsyncSession, telegram_id: int | None, bot_id: int | None, update_id: int | None
) -> tuple[Participant | None, bool]:
    """The person behind an update and whether the update was processed already, in one
    statement."""
    if update_id is None or bot_id is None:
        if telegram_id is None:
            return None, False
        participant = await get_participant(session, telegram_id)
        processed = False
    else:
        parameters = {"telegram_id": telegram_id, "bot_id": bot_id, "update_id": update_id}
        row = (await session.execute(_person_and_processed(), parameters)).first()
        participant = row[0] if row is not None else None
        processed = bool(row is not None and tuple(row)[1])
    if telegram_id is None:
        return None, processed
    if participant is None:
        session.info.setdefault(_ABSENT, set()).add(telegram_id)
    else:
        session.info.setdefault(_CACHE, {})[telegram_id] = participant
    return participant, processed


async def get_participant_by_id(session: AsyncSession, participant_id: int) -> Participant | None:
    return await session.get(Participant, participant_id)


async def ensure_participant(session: AsyncSession, telegram_id: int) -> Participant:
    """The participant for this Telegram id, creating a bare row (id only) for a newcomer."""
    participant = await get_participant(session, telegram_id)
    if participant is None:
        participant = Participant(
            telegram_id=telegram_id,
            status=ParticipantStatus.NEW,
            mentee_profile=None,  # known to be empty: no lazy load on a fresh row
            mentor_profile=None,
        )
        session.add(participant)
        await session.commit()
        session.info.get(_ABSENT, set()).discard(telegram_id)
        session.info.setdefault(_CACHE, {})[telegram_id] = participant
    return participant


async def set_locale(session: AsyncSession, telegram_id: int, locale: str) -> Participant:
    participant = await ensure_participant(session, telegram_id)
    participant.locale = locale
    await session.commit()
    return participant


async def save_profile(
    session: AsyncSession, participant: Participant, answers: dict[str, Any]
) -> Participant:
    """Store the registration profile (all PROFILE_KEYS) under the personal-data consent."""
    participant.require_consent()
    missing = [key for key in PROFILE_KEYS if answers.get(key) in (None, "")]
    if missing:
        raise InvalidValue(N_("The profile is incomplete: {fields}."), fields=", ".join(missing))
    for key in PROFILE_KEYS:
        setattr(participant, key, FIELDS[key].coerce(answers[key]))
    await session.commit()
    return participant


async def update_profile_field(
    session: AsyncSession, participant: Participant, key: str, value: Any
) -> Participant:
    if key not in PROFILE_KEYS:
        raise InvalidValue(N_("This field cannot be changed here."))
    participant.require_consent()
    setattr(participant, key, FIELDS[key].coerce(value))
    await session.commit()
    return participant


async def complete_registration(
    session: AsyncSession,
    participant: Participant,
    now: datetime | None = None,
    *,
    updated: bool = False,
) -> Participant:
    """The registration (or a questionnaire added later, `updated`) is complete; the curators'
    notice is queued in the same commit (models.outbox)."""
    from models.outbox import queue_notice  # models.outbox imports this module

    now = now or utcnow()
    participant.require_consent()
    if participant.full_name is None:
        raise InvalidValue(N_("The profile is incomplete: {fields}."), fields="full_name")
    if participant.status != ParticipantStatus.ACTIVE:
        participant.status = ParticipantStatus.ACTIVE
        participant.registered_at = now
    await queue_notice(
        session,
        "participant.registered",
        participant.id,
        [],
        now,
        occasion=int(now.timestamp() * 1000),
        to_curators=True,
        extra={"updated": updated},
    )
    await session.commit()
    return participant


async def curator_telegram_ids(session: AsyncSession, configured: frozenset[int]) -> list[int]:
    """Curators: those named in the settings plus those given the role in the database."""
    granted = await session.scalars(
        select(Participant.telegram_id).where(Participant.staff_role.is_not(None))
    )
    return sorted(configured | set(granted))


async def locales_of(session: AsyncSession, telegram_ids: list[int]) -> dict[int, str | None]:
    rows = await session.execute(
        select(Participant.telegram_id, Participant.locale).where(
            Participant.telegram_id.in_(telegram_ids)
        )
    )
    return {telegram_id: locale for telegram_id, locale in rows.all()}
