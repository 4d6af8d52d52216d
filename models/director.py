"""The director's place (§6.3): who of the staff is the director, who enters the number and
date of the director's order fixing a pair (a college's setting, §6.3.5, §9.2)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import StaffRole
from models.errors import AccessDenied
from models.i18n_marker import N_
from models.participant import Participant

ORDER_ENTRY = ("curator", "director")


def is_director(person: Participant | None) -> bool:
    return person is not None and person.staff_role == StaffRole.DIRECTOR


def require_order_entry(person: Participant | None, entered_by: str) -> None:
    """With ORDER_ENTERED_BY=director only the director records the order; with «curator»
    the curators do (the director, who issues the order, always may)."""
    if entered_by == "director" and not is_director(person):
        raise AccessDenied(
            N_(
                "In this college the director enters the number and date of the order; the "
                "pair waits for the director."
            )
        )


async def director_telegram_ids(session: AsyncSession) -> list[int]:
    return sorted(
        await session.scalars(
            select(Participant.telegram_id).where(Participant.staff_role == StaffRole.DIRECTOR)
        )
    )
