"""The banks of mentors and mentees as the curator keeps them (§6.4.2, §6.4.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.audit import audit
from models.base import utcnow
from models.enums import PairStatus, ParticipantStatus
from models.errors import NotFound
from models.pairs import OPEN_PAIR, Pair
from models.participant import Participant, get_participant_by_id

STATUSES = ("registered", "in_pair", "finished", "withdrawn", "unreachable", "archived")


@dataclass(frozen=True)
class BankEntry:
    person: Participant
    status: str


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def name_matches(full_name: str | None, query: str) -> bool:
    """A surname (or a first name) typed in any case matches from the start of a word:
    «иванов» finds «Иванова Мария Петровна» (done in Python: SQLite folds only Latin case)."""
    wanted = _fold(query).split()
    words = _fold(full_name or "").split()
    return bool(wanted) and all(any(w.startswith(part) for w in words) for part in wanted)


async def bank(
    session: AsyncSession,
    *,
    role: str = "all",
    status: str = "all",
    department: str | None = None,
    name: str = "",
    include_year: int | None = None,
) -> list[BankEntry]:
    """Everyone who gave consent at least once, with the status the curator filters by."""
    pairs = list(await session.scalars(select(Pair).where(Pair.status != PairStatus.DECLINED)))
    in_pair = {pid for p in pairs if p.status in OPEN_PAIR for pid in (p.mentor_id, *p.mentee_ids)}
    finished = {
        pid for p in pairs if p.status == PairStatus.CLOSED for pid in (p.mentor_id, *p.mentee_ids)
    }
    people = await session.scalars(
        select(Participant)
        .where(Participant.status.in_((ParticipantStatus.ACTIVE, ParticipantStatus.WITHDRAWN)))
        .order_by(Participant.full_name.asc().nulls_last(), Participant.id)  # erased: last
    )
    entries = []
    for person in people:
        if person.status == ParticipantStatus.WITHDRAWN:
            current = "withdrawn"
        elif person.archived_at is not None:
            current = "archived"
        elif person.unreachable_at is not None:
            current = "unreachable"
        elif person.id in in_pair:
            current = "in_pair"
        elif person.id in finished:
            current = "finished"
        else:
            current = "registered"
        if status != "all" and current != status:
            continue
        if role == "mentors" and person.mentor_profile is None:
            continue
        if role == "mentees" and person.mentee_profile is None:
            continue
        if department is not None and person.department != department:
            continue
        if name and not name_matches(person.full_name, name):
            continue
        if include_year is not None and person.include_year != include_year:
            continue
        entries.append(BankEntry(person, current))
    return entries


async def _person(session: AsyncSession, actor: Actor, participant_id: int) -> Participant:
    actor.require_curator()
    person = await get_participant_by_id(session, participant_id)
    if person is None or person.status != ParticipantStatus.ACTIVE:
        raise NotFound()
    return person


async def set_archived(
    session: AsyncSession,
    actor: Actor,
    participant_id: int,
    archived: bool,
    now: datetime | None = None,
) -> Participant:
    person = await _person(session, actor, participant_id)
    person.archived_at = (now or utcnow()) if archived else None
    audit(
        session,
        actor.telegram_id,
        "bank.archive" if archived else "bank.unarchive",
        "participant",
        person.id,
    )
    await session.commit()
    return person


async def set_include_year(
    session: AsyncSession, actor: Actor, participant_id: int, year: int | None
) -> Participant:
    """§6.4.2: at least yearly the curator marks who must be included in mentoring."""
    person = await _person(session, actor, participant_id)
    person.include_year = year
    audit(
        session,
        actor.telegram_id,
        "bank.include_year",
        "participant",
        person.id,
        year=year or "none",
    )
    await session.commit()
    return person


async def find_people(session: AsyncSession, name: str) -> list[Participant]:
    """Participants whose full name matches what the curator typed (see `name_matches`)."""
    people = await session.scalars(
        select(Participant).where(Participant.full_name.is_not(None)).order_by(Participant.id)
    )
    return [person for person in people if name_matches(person.full_name, name)]
