"""The audit log (§4.2 personal responsibility): who did what, to what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def audit(
    session: AsyncSession,
    actor_telegram_id: int,
    action: str,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> None:
    """Add an entry to the session: it is committed together with the change it records."""
    session.add(
        AuditEntry(
            actor_telegram_id=actor_telegram_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details={k: str(v) for k, v in details.items()},
            created_at=utcnow(),
        )
    )


async def latest(session: AsyncSession, limit: int = 20) -> list[AuditEntry]:
    result = await session.scalars(
        select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)
    )
    return list(result)
