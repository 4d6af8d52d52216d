"""Updates processed once: a redelivered update (same update_id: a crash before the offset was
confirmed, a webhook retry) changes nothing a second time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

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
    """The mark joins the handler's first commit, so it commits together with the handler's
    first change, and a crash before that leaves the update free to be processed again.

    It is added only as that commit begins, not before: an INSERT flushed at the start would
    hold SQLite's single write lock through the whole update, Telegram calls included, and
    every other writer (other updates, the scheduler) would wait for it."""

    def add_mark(sync_session: Session) -> None:
        sync_session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, processed_at=utcnow()))

    event.listen(session.sync_session, "before_commit", add_mark, once=True)


async def forget_old(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP))
    await session.commit()
