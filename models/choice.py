"""The mentee's choice (§4.2.5, §9.1.2, §9.2: pairs are formed voluntarily, with the mentees'
direct participation). A mentor may agree to be shown to mentees looking for a mentor; a mentee
without a pair sees those mentors ranked for them and may ask for one, with a reason. The wish
goes to the curators, who see it in /pair and on the desk; the pair is still proposed by the
curator and formed only with both sides' consent."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, ForeignKey, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import MentorStatus, ParticipantStatus
from models.errors import InvalidValue, NotFound, WrongState
from models.i18n_marker import N_
from models.matching import MentorMatch, rank_mentors
from models.outbox import queue_notice_to_chats
from models.pairs import OPEN_PAIR, Pair, PairMember, mentees_without_pair, pairs_of
from models.participant import Participant, get_participant_by_id

MAX_REASON = 1000


class MentorWish(Base):
    """One row per wish; a mentee's latest row is their current wish (rows are the history)."""

    __tablename__ = "mentor_wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int] = mapped_column(BigInteger)
    # The mentee took the wish back: it is no longer shown or counted (the row stays history).
    withdrawn_at: Mapped[datetime | None]


async def set_shown(session: AsyncSession, actor: Actor, shown: bool) -> Participant:
    """An accepted mentor agrees (or no longer agrees) to be shown to mentees choosing."""
    person = await get_participant_by_id(session, actor.require_participant())
    profile = person.mentor_profile if person is not None else None
    if person is None or profile is None or profile.status != MentorStatus.ACCEPTED:
        raise WrongState(N_("Only a mentor accepted into the bank can be shown to mentees."))
    profile.shown_to_mentees = shown
    await session.commit()
    return person


async def _choosing_mentee(session: AsyncSession, actor: Actor) -> Participant:
    person = await get_participant_by_id(session, actor.require_participant())
    if person is None or person.mentee_profile is None:
        raise WrongState(N_("Choosing a mentor is for the bank of mentees: fill in /profile."))
    if person.archived_at is not None:
        raise WrongState(N_("Your entry is in the archive: ask the curator."))
    if any(person.id in pair.mentee_ids for pair in await pairs_of(session, person.id)):
        raise WrongState(N_("You already have a mentor or a proposed pair."))
    return person


async def mentors_for(session: AsyncSession, actor: Actor, limit: int = 5) -> list[MentorMatch]:
    """The mentors who agreed to be shown, with a free place, best match first."""
    mentee = await _choosing_mentee(session, actor)
    return await rank_mentors(session, mentee.id, limit=limit, shown_only=True)


async def ask_for_mentor(
    session: AsyncSession,
    actor: Actor,
    mentor_id: int,
    reason: str,
    curator_chat_ids: Collection[int],
    now: datetime | None = None,
) -> MentorWish:
    """Record the mentee's wish and tell the curators (through the outbox, same transaction)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidValue(N_("Write in a few words why this mentor."))
    if len(reason) > MAX_REASON:
        raise InvalidValue(N_("The text is too long: at most {n} characters."), n=MAX_REASON)
    mentee = await _choosing_mentee(session, actor)
    offered = await rank_mentors(session, mentee.id, limit=10_000, shown_only=True)
    if mentor_id not in {match.mentor.id for match in offered}:
        raise NotFound(N_("This mentor is no longer shown or has no free place."))
    now = now or utcnow()
    wish = MentorWish(
        mentee_id=mentee.id,
        mentor_id=mentor_id,
        reason=reason,
        created_at=now,
        created_by=actor.telegram_id,
    )
    session.add(wish)
    await session.flush()
    audit(session, actor.telegram_id, "wish.create", "participant", mentee.id, mentor=mentor_id)
    await queue_notice_to_chats(session, "wish.created", wish.id, curator_chat_ids, now)
    await session.commit()
    return wish


async def withdraw_wish(
    session: AsyncSession, actor: Actor, now: datetime | None = None
) -> list[MentorWish]:
    """The mentee takes back their wish (§4.2.5: choosing is voluntary, so is changing one's
    mind); the curators' /pair and desk no longer show it."""
    mentee_id = actor.require_participant()
    wishes = list(
        await session.scalars(
            select(MentorWish).where(
                MentorWish.mentee_id == mentee_id, MentorWish.withdrawn_at.is_(None)
            )
        )
    )
    if not wishes:
        raise WrongState(N_("You have no wish to withdraw."))
    now = now or utcnow()
    for wish in wishes:
        wish.withdrawn_at = now
    audit(session, actor.telegram_id, "wish.withdraw", "participant", mentee_id)
    await session.commit()
    return wishes


async def current_wishes(
    session: AsyncSession, mentee_ids: Collection[int]
) -> dict[int, MentorWish]:
    """Each mentee's latest wish not withdrawn."""
    if not mentee_ids:
        return {}
    latest = (
        select(func.max(MentorWish.id))
        .where(MentorWish.mentee_id.in_(list(mentee_ids)), MentorWish.withdrawn_at.is_(None))
        .group_by(MentorWish.mentee_id)
    )
    rows = await session.scalars(select(MentorWish).where(MentorWish.id.in_(latest)))
    return {row.mentee_id: row for row in rows}


async def open_wishes(session: AsyncSession) -> dict[int, MentorWish]:
    """Wishes of mentees still without a pair (what the curator has to look at)."""
    waiting = await mentees_without_pair(session, limit=10_000)
    return await current_wishes(session, [m.id for m in waiting])


def open_wish_count() -> ColumnElement[int]:
    """Mentees still without a pair who asked for a mentor (a scalar subquery for the desk)."""
    in_open_pair = (
        select(PairMember.mentee_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(
            Pair.status.in_(OPEN_PAIR),
            PairMember.declined_at.is_(None),
            PairMember.left_at.is_(None),
        )
    )
    return (
        select(func.count(func.distinct(MentorWish.mentee_id)))
        .join(Participant, Participant.id == MentorWish.mentee_id)
        .where(
            MentorWish.withdrawn_at.is_(None),
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.archived_at.is_(None),
            Participant.id.not_in(in_open_pair),
        )
        .scalar_subquery()
    )
