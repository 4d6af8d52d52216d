"""The meeting journal (журнал наставничества) and messages between mentee and mentor:
questions (§8.1.3) and proposals to improve the programme (§8.1.4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.base import Base, utcnow
from models.comentors import journal_side, tell_co_mentors
from models.enums import MessageKind, PairStatus, Side
from models.errors import AccessDenied, NotFound, WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import get_pair
from models.participant import enum_column


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(200))
    done: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    next_assignment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairMessage(Base):
    __tablename__ = "pair_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def log_meeting(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    *,
    held_on: date,
    topic: str,
    done: str,
    result: str,
    next_assignment: str | None,
    today: date,
) -> Meeting:
    pair = await get_pair(session, pair_id)
    await journal_side(session, pair, actor)  # the mentor, a mentee or a co-mentor (§7.1.1)
    if pair.status != PairStatus.ACTIVE:
        raise WrongState(N_("Meetings are logged for an approved, running pair."))
    if held_on > today:
        raise WrongState(N_("A meeting is logged after it took place: the date is in the future."))
    meeting = Meeting(
        pair_id=pair_id,
        author_id=actor.participant_id,
        held_on=held_on,
        topic=FIELDS["meeting_topic"].coerce(topic),
        done=FIELDS["meeting_done"].coerce(done),
        result=FIELDS["meeting_result"].coerce(result),
        next_assignment=FIELDS["meeting_next"].coerce(next_assignment),
    )
    session.add(meeting)
    await session.flush()
    others = [p for p in (pair.mentor_id, *pair.mentee_ids) if p != actor.participant_id]
    await queue_notice(session, "meeting.logged", meeting.id, others)  # in the same commit
    await tell_co_mentors(session, "meeting.logged", meeting.id, pair.id, but=actor.participant_id)
    await session.commit()
    return meeting


async def meetings_of(session: AsyncSession, pair_id: int) -> list[Meeting]:
    result = await session.scalars(
        select(Meeting).where(Meeting.pair_id == pair_id).order_by(Meeting.held_on, Meeting.id)
    )
    return list(result)


async def send_message(
    session: AsyncSession, actor: Actor, pair_id: int, kind: str, text: str
) -> PairMessage:
    """A mentee asks the mentor (§8.1.3) or proposes an improvement (§8.1.4)."""
    pair = await get_pair(session, pair_id)
    if pair.require_member(actor, curator_allowed=False) != Side.MENTEE:
        raise AccessDenied()
    if pair.status != PairStatus.ACTIVE:
        raise WrongState(N_("Messages go to the mentor of an approved, running pair."))
    message = PairMessage(
        pair_id=pair_id,
        author_id=actor.participant_id,
        kind=MessageKind(kind),
        text=FIELDS["message_text"].coerce(text),
    )
    session.add(message)
    await session.flush()
    # relayed through the outbox, in the same commit: a crash cannot lose it; the proposal
    # goes to the curators too (§8.1.4)
    await queue_notice(
        session,
        "message.sent",
        message.id,
        [pair.mentor_id],
        to_curators=message.kind == MessageKind.PROPOSAL,
    )
    await session.commit()
    return message


async def answer_message(
    session: AsyncSession, actor: Actor, message_id: int, text: str
) -> PairMessage:
    message = await session.get(PairMessage, message_id)
    if message is None:
        raise NotFound()
    pair = await get_pair(session, message.pair_id)
    if pair.require_member(actor, curator_allowed=False) != Side.MENTOR:
        raise AccessDenied()
    if message.answered_at is not None:
        raise WrongState(N_("This question has already been answered."))
    message.answer = FIELDS["message_text"].text(text)
    message.answered_at = utcnow()
    await queue_notice(session, "message.answered", message.id, [message.author_id])
    await session.commit()
    return message
