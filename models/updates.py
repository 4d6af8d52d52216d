"""Updates processed once: a redelivered update (same update_id: a crash before the offset was
confirmed, a webhook retry) changes nothing a second time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

KEEP = timedelta(days=7)  # Telegram keeps undelivered updates for 24 hours


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


async def seen(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    found = await session.scalar(
        select(ProcessedUpdate.update_id).where(
            ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
        )
    )
    return found is not None


def mark_processing(session: AsyncSession, bot_id: int, update_id: int) -> None:
    """Added to the handler's session: it commits together with the handler's first change,
    so a crash before that leaves the update free to be processed again."""
    session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, processed_at=utcnow()))


async def forget_old(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP))
    await session.commit()
