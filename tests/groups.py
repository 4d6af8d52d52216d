"""Groups for the tests: one mentor and several mentees approved by one order, a running
programme agreed by everyone, a newcomer joining an approved group."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.pairs import Pair, answer_pair, approve_pair, propose_pair
from models.participant import Participant
from models.programmes import (
    Programme,
    ProgrammeDraft,
    add_activity,
    respond_to_draft,
    review_programme,
    save_draft,
    submit_programme,
)
from tests.factories import CURATOR, END, START, actor, make_mentor, make_teacher

ORDER = {"order_number": "71-н", "order_date": date(2026, 10, 1)}


async def join(session: AsyncSession, pair: Pair, mentee: Participant) -> Pair:
    return await propose_pair(
        session,
        CURATOR,
        mentee_id=mentee.id,
        mentor_id=pair.mentor_id,
        forms=[],
        pair_type="teacher_teacher",
        join_pair_id=pair.id,
    )


async def make_group(
    session: AsyncSession, size: int = 2, names: tuple[str, ...] = ()
) -> tuple[Pair, Participant, list[Participant]]:
    """A group approved by one order: the mentor and `size` mentees, everyone agreed."""
    mentor = await make_mentor(session)
    mentor.mentor_profile.capacity = 5
    mentees = [
        await make_teacher(session, **({"full_name": names[n]} if n < len(names) else {}))
        for n in range(size)
    ]
    pair = await propose_pair(
        session,
        CURATOR,
        mentee_id=mentees[0].id,
        mentor_id=mentor.id,
        forms=["group"],
        pair_type="teacher_teacher",
    )
    for mentee in mentees[1:]:
        await join(session, pair, mentee)
    for person in (mentor, *mentees):
        await answer_pair(session, actor(person), pair.id, accept=True)
    pair = await approve_pair(session, CURATOR, pair.id, order_number="62-н", order_date=START)
    return pair, mentor, mentees


async def make_programme(
    session: AsyncSession,
    pair: Pair,
    mentor: Participant,
    mentees: list[Participant],
    responsible: tuple[str, ...] = ("mentee",),
    *,
    approve: bool = True,
) -> Programme:
    draft = ProgrammeDraft("Цель", "Затруднения", "Сильные", ["group"], START, END)
    programme = await save_draft(session, actor(mentor), pair.id, draft)
    for number, who in enumerate(responsible, 1):
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title=f"Мероприятие {number}",
            description=None,
            deadline=date(2026, 10, number),
            responsible=who,
        )
    await submit_programme(session, actor(mentor), programme.id)
    if not approve:
        return programme
    for mentee in mentees:
        await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    return await review_programme(session, CURATOR, programme.id, approve=True)
