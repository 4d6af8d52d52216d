"""The director's place (§6.3): who of the staff is the director, who enters the number and
date of the director's order fixing a pair (a college's setting, §6.3.5, §9.2)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import RequestKind, StaffRole
from models.errors import AccessDenied, WrongState
from models.i18n_marker import N_
from models.participant import Participant

ORDER_ENTRY = ("curator", "director")
# Applications the regulation addresses to the curator and the director (§7.1.3, §8.1.5): the
# curator decides them; the director gets a copy and the decision.
TO_DIRECTOR = (RequestKind.REPLACEMENT, RequestKind.RELEASE)
# §4.3: only the director releases a mentor or a mentee from their duties for a plan activity,
# in exceptional cases; the curators get a copy.
DIRECTOR_DECIDES = (RequestKind.DUTY_RELEASE,)


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


async def director_ids(session: AsyncSession) -> list[int]:
    """The directors' participant ids (for notices through the outbox)."""
    return sorted(
        await session.scalars(
            select(Participant.id).where(Participant.staff_role == StaffRole.DIRECTOR)
        )
    )


async def require_director_decides(session: AsyncSession, kind: str, telegram_id: int) -> None:
    """A §4.3 release is the director's decision alone."""
    if kind in DIRECTOR_DECIDES and telegram_id not in await director_telegram_ids(session):
        raise AccessDenied(N_("Only the director releases from duties (§4.3)."))


async def require_a_director(session: AsyncSession, kind: str) -> None:
    """A §4.3 application needs someone with the director's role to decide it."""
    if kind in DIRECTOR_DECIDES and not await director_ids(session):
        raise WrongState(
            N_("Nobody has the director's role in the bot yet: ask the curator to give it.")
        )
