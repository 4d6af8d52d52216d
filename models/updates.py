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
