"""Signed paper copies of the consents (§6.2, §6.3.5, 152-FZ) the curator has received.

The bot records each consent electronically; the college also keeps the paper a person signed.
The curator marks, per person and per consent, that the signed paper is in hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import PaperKind
from models.errors import InvalidValue, NotFound
from models.participant import Participant, enum_column


class SignedPaper(Base):
    __tablename__ = "signed_papers"
    __table_args__ = (UniqueConstraint("participant_id", "kind", "pair_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PaperKind] = mapped_column(enum_column(PaperKind))
    # The pair a §6.3.5 consent is about (0 for the personal-data and mentor consents).
    pair_id: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime]
    received_by: Mapped[int] = mapped_column(BigInteger)


async def papers_of(session: AsyncSession, participant_id: int) -> list[SignedPaper]:
    result = await session.scalars(
        select(SignedPaper)
        .where(SignedPaper.participant_id == participant_id)
        .order_by(SignedPaper.id)
    )
    return list(result)


async def mark_paper(
    session: AsyncSession,
    actor: Actor,
    participant_id: int,
    kind: str,
    pair_id: int = 0,
    *,
    received: bool = True,
    now: datetime | None = None,
) -> SignedPaper | None:
    """The curator marks (or unmarks) the signed paper of this consent as received."""
    actor.require_curator()
    try:
        kind = PaperKind(kind)
    except ValueError:
        raise InvalidValue() from None
    person = await session.get(Participant, participant_id)
    if person is None or person.full_name is None:
        raise NotFound()
    if kind != PaperKind.PAIR:
        pair_id = 0
    existing = await session.scalar(
        select(SignedPaper).where(
            SignedPaper.participant_id == participant_id,
            SignedPaper.kind == kind,
            SignedPaper.pair_id == pair_id,
        )
    )
    if received and existing is None:
        existing = SignedPaper(
            participant_id=participant_id,
            kind=kind,
            pair_id=pair_id,
            received_at=now or utcnow(),
            received_by=actor.telegram_id,
        )
        session.add(existing)
    elif not received and existing is not None:
        await session.delete(existing)
        existing = None
    audit(
        session,
        actor.telegram_id,
        "paper.received" if received else "paper.unmarked",
        "participant",
        participant_id,
        kind=kind.value,
        pair=pair_id,
    )
    await session.commit()
    return existing
