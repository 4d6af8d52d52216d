"""Curator and director roles granted in chat; those named in CURATOR_IDS stay by configuration."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.audit import audit
from models.enums import StaffRole
from models.errors import NotFound, WrongState
from models.fields import check_id
from models.i18n_marker import N_
from models.participant import Participant, get_participant_by_id


async def set_staff_role(
    session: AsyncSession,
    actor: Actor,
    participant_id: int,
    role: StaffRole | None,
    configured: frozenset[int],
) -> Participant:
    """Grant a role to a registered participant, or revoke one from anyone who has it, whatever
    their state (a role never outlives consent, but an old database may still hold one)."""
    actor.require_curator()
    person = await get_participant_by_id(session, check_id(participant_id))
    if person is None or (role is not None and not person.is_registered):
        raise NotFound(N_("There is no registered participant with this number."))
    if role is None and person.telegram_id in configured:
        raise WrongState(N_("This curator is named in CURATOR_IDS: change the configuration."))
    person.staff_role = role
    audit(session, actor.telegram_id, "role.set", "participant", person.id, role=role or "none")
    await session.commit()
    return person
