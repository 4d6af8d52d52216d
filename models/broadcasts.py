"""Broadcasts from the curator (§11.1, roadmap stage 7): queued in the outbox, summarised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import ParticipantStatus
from models.errors import InvalidValue
from models.i18n_marker import N_
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile

TEXT_LIMIT, CAPTION_LIMIT = 4000, 1000


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_telegram_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[str] = mapped_column(String(200))  # all | mentors | mentees | dept:<name>
    recipients: Mapped[int] = mapped_column(default=0)
    # Shown as news on the college site only when the curator chose so when sending (§11.1).
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def departments(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(Participant.department)
        .where(Participant.status == ParticipantStatus.ACTIVE, Participant.department.is_not(None))
        .distinct()
        .order_by(Participant.department)
    )
    return [row for row in rows if row]


async def audience_chats(session: AsyncSession, audience: str) -> list[int]:
    """Registered people of the audience (anyone who blocked the bot is still counted: the
    summary reports them)."""
    query = select(Participant.telegram_id).where(Participant.status == ParticipantStatus.ACTIVE)
    if audience == "mentors":
        query = query.join(MentorProfile, MentorProfile.participant_id == Participant.id)
    elif audience == "mentees":
        query = query.join(MenteeProfile, MenteeProfile.participant_id == Participant.id)
    elif audience.startswith("dept:"):
        query = query.where(Participant.department == audience.removeprefix("dept:"))
    elif audience != "all":
        raise InvalidValue(N_("This button is no longer valid."))
    return sorted(set(await session.scalars(query)))


def check_text(text: str, media: tuple[str, str] | None) -> str:
    text = (text or "").strip()
    limit = CAPTION_LIMIT if media else TEXT_LIMIT
    if not text and media is None:
        raise InvalidValue(N_("Please send the answer as text."))
    if len(text) > limit:
        raise InvalidValue(
            N_("That is too long: at most {limit} characters, you sent {length}."),
            limit=limit,
            length=len(text),
        )
    return text


async def send_broadcast(
    session: AsyncSession,
    actor: Actor,
    *,
    text: str,
    media: tuple[str, str] | None,
    audience: str,
    rendered: str,
    publish: bool = False,
    now: datetime | None = None,
) -> Broadcast:
    """Record the broadcast and queue one outbox message per recipient, atomically."""
    actor.require_curator()
    now = now or utcnow()
    chats = await audience_chats(session, audience)
    broadcast = Broadcast(
        author_telegram_id=actor.telegram_id,
        text=check_text(text, media),
        media_kind=media[0] if media else None,
        media_file_id=media[1] if media else None,
        audience=audience,
        recipients=len(chats),
        published=publish,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    for chat_id in chats:
        await enqueue(
            session,
            key=f"broadcast:{broadcast.id}:{chat_id}",
            kind="broadcast",
            chat_id=chat_id,
            text=rendered,
            media=media,
            now=now,
        )
    audit(
        session,
        actor.telegram_id,
        "broadcast",
        "broadcast",
        broadcast.id,
        audience=audience,
        recipients=len(chats),
        published=publish,
    )
    await session.commit()
    return broadcast


async def delivery_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.key.like(f"broadcast:{broadcast_id}:%"))
        .group_by(OutboxMessage.status)
    )
    return {str(status): count for status, count in rows.all()}


FINAL = {OutboxStatus.SENT.value, OutboxStatus.UNREACHABLE.value, OutboxStatus.FAILED.value}
