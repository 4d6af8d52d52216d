"""Updates processed once: a redelivered update (same update_id: a crash before the offset was
confirmed, a webhook retry) changes nothing a second time. The mark is written with the
update's first change (bot.unit.UnitOfWork); an update that changed only a form is marked in
the form's data; a read-only update is not marked at all (answering it again changes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

KEEP = timedelta(days=7)  # Telegram keeps undelivered updates for 24 hours


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


async def forget_old(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP))
    await session.commit()


class UpdateAttempt(Base):
    """An update being handled in the first moments after a start, with how many starts have
    tried it. A row left behind means the process died while handling it; an update that
    keeps killing the process is skipped after MAX_TRIES (bot.factory)."""

    __tablename__ = "update_attempts"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tries: Mapped[int] = mapped_column(default=1)
    tried_at: Mapped[datetime] = mapped_column(default=utcnow)


MAX_TRIES = 3  # a process killed three times by the same update does not get a fourth


async def begin_attempt(session: AsyncSession, bot_id: int, update_id: int) -> int:
    """Count one more try of this update, committed before it is handled; returns the count."""
    attempt = await session.get(UpdateAttempt, (bot_id, update_id))
    if attempt is None:
        attempt = UpdateAttempt(bot_id=bot_id, update_id=update_id, tries=0)
        session.add(attempt)
    attempt.tries += 1
    attempt.tried_at = utcnow()
    tries = attempt.tries
    await session.commit()
    return tries


async def end_attempt(session: AsyncSession, bot_id: int, update_id: int) -> None:
    """The update was handled (or refused with an answer): the process survived it. Deleted
    through the ORM, so that on SQLite the DELETE and its COMMIT are one hand-off."""
    attempt = await session.get(UpdateAttempt, (bot_id, update_id))
    if attempt is not None:
        await session.delete(attempt)
        await session.commit()
