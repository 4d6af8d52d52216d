"""The audit log (§4.2 personal responsibility): who did what, to what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.paging import Page, page_of


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


async def record_view(
    session: AsyncSession,
    actor_telegram_id: int,
    action: str,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> None:
    """A curator read something the log must show (a document made, a card opened, an
    export): the entry is the whole change, committed at once."""
    audit(session, actor_telegram_id, action, object_type, object_id, **details)
    await session.commit()


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


# Kinds of entries the curator filters the log by: action prefixes.
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "people": ("role.", "bank.", "mentor.", "department.", "participant.", "retention."),
    "pairs": ("pair.",),
    "programmes": ("programme.", "publish.best_case"),
    "requests": ("request.",),
    "papers": ("report", "docs", "paper", "export", "publish", "broadcast", "invite", "site."),
}


async def audit_page(
    session: AsyncSession,
    *,
    page: int = 0,
    size: int = 10,
    kind: str | None = None,
    people: tuple[list[int], list[int]] | None = None,
) -> Page[AuditEntry]:
    """One page of the log, newest first, and whether there is a next page (LIMIT size + 1).

    `people` is (telegram ids, participant ids): entries made by those people or about them.
    """
    query = select(AuditEntry)
    if kind in AUDIT_KINDS:
        query = query.where(or_(*(AuditEntry.action.startswith(p) for p in AUDIT_KINDS[kind])))
    if people is not None:
        telegram_ids, participant_ids = people
        query = query.where(
            or_(
                AuditEntry.actor_telegram_id.in_(telegram_ids),
                and_(
                    AuditEntry.object_type == "participant",
                    AuditEntry.object_id.in_(participant_ids),
                ),
            )
        )
    ordered = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return await page_of(session, ordered, page, size)
