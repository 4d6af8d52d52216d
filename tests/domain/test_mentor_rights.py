"""The mentor's rights (§7.1.2, §7.2.6, §7.2.7): only the mentor of an approved pair opens the
mentee's card (audited) and proposes; proposals reach the curators, are counted by kind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import AuditEntry
from models.errors import AccessDenied, InvalidValue
from models.mentor_rights import mentee_card, proposal_counts, propose
from models.outbox import OutboxMessage
from models.participant import Participant
from models.statistics import collect_statistics
from tests.factories import (
    actor,
    make_accepted_pair,
    make_active_pair,
    make_mentor,
    make_teacher,
)


async def test_only_the_mentor_of_an_approved_pair(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    stranger = await make_mentor(session)
    waiting = await make_accepted_pair(session)  # no order yet
    other_mentor = await session.get(Participant, waiting.mentor_id)
    for who, pair_id in ((actor(mentee), pair.id), (actor(stranger), pair.id)):
        with pytest.raises(AccessDenied):
            await mentee_card(session, who, pair_id, mentee.id)
    with pytest.raises(AccessDenied):
        await mentee_card(session, actor(other_mentor), waiting.id, waiting.mentee_ids[0])
    assert (await mentee_card(session, actor(mentor), pair.id, mentee.id)).id == mentee.id
    viewed = await session.scalars(
        select(AuditEntry).where(AuditEntry.action == "participant.view")
    )
    assert [(e.actor_telegram_id, e.object_id) for e in viewed] == [(mentor.telegram_id, mentee.id)]


async def test_proposals_reach_the_curators_and_are_counted(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    mentee_id = pair.mentee_ids[0]
    with pytest.raises(InvalidValue):
        await propose(session, actor(mentor), pair.id, mentee_id, "contest", "  ", [1000])
    with pytest.raises(InvalidValue):
        await propose(session, actor(mentor), pair.id, mentee_id, "prize", "Да", [1000])
    await propose(
        session, actor(mentor), pair.id, mentee_id, "contest", "«Педагогический дебют»", [1000]
    )
    await propose(session, actor(mentor), pair.id, mentee_id, "encourage", "Грамота", [1000])
    rows = await session.scalars(select(OutboxMessage))
    assert [r.chat_id for r in rows if (r.payload or {}).get("notice") == "proposal.created"] == [
        1000,
        1000,
    ]
    counts = await proposal_counts(
        session, datetime(2026, 9, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    assert counts == {"contest": 1, "encourage": 1}


async def test_the_report_counts_the_yearly_list(session: AsyncSession) -> None:
    """§6.4.2: the report says how many of those on this year's list are in a pair."""
    pair = await make_active_pair(session)
    listed_in_pair = await session.get(Participant, pair.mentee_ids[0])
    listed_alone = await make_teacher(session)
    for person in (listed_in_pair, listed_alone):
        person.include_year = 2026
    await session.commit()
    stats = await collect_statistics(
        session, date(2026, 9, 1), date(2027, 8, 31), date(2026, 11, 25), ZoneInfo("UTC")
    )
    assert (stats.people["listed"], stats.people["listed_paired"]) == (2, 1)
