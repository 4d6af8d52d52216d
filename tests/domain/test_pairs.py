"""Pairs and groups (§9): curator proposes, everyone consents, the order approves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import PairStatus
from models.errors import AccessDenied, NotFound, WrongState
from models.matching import rank_mentors
from models.pairs import (
    answer_pair,
    approve_pair,
    excluded,
    mentees_without_pair,
    mentor_load,
    propose_pair,
    propose_replacement,
)
from tests.factories import (
    CURATOR,
    actor,
    college_today,
    make_active_pair,
    make_mentor,
    make_teacher,
)


async def propose(session: AsyncSession, mentee, mentor, **kwargs):
    return await propose_pair(
        session,
        CURATOR,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        forms=kwargs.pop("forms", ["traditional", "virtual"]),
        pair_type="teacher_young",
        **kwargs,
    )


async def test_only_a_curator_proposes_and_only_from_the_banks(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    candidate = await make_teacher(session, mentee=False, mentor=True)  # not accepted yet
    with pytest.raises(AccessDenied):
        await propose_pair(
            session,
            actor(mentor),
            mentee_id=mentee.id,
            mentor_id=mentor.id,
            forms=["traditional"],
            pair_type="teacher_teacher",
        )
    with pytest.raises(WrongState):
        await propose(session, mentee, candidate)
    with pytest.raises(NotFound):
        await propose(session, mentor, mentor)  # a mentor who is no mentee


async def test_everyone_accepts_then_the_order_approves(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    pair = await propose(session, mentee, mentor)
    assert pair.status == PairStatus.PROPOSED
    with pytest.raises(WrongState):
        await approve_pair(session, CURATOR, pair.id, order_number="1", order_date=college_today())

    first = await answer_pair(session, actor(mentor), pair.id, accept=True)
    assert not first.everyone_accepted
    second = await answer_pair(session, actor(mentee), pair.id, accept=True)
    assert second.everyone_accepted
    assert pair.status == PairStatus.ACCEPTED
    with pytest.raises(WrongState):
        await answer_pair(session, actor(mentee), pair.id, accept=False)

    approved = await approve_pair(
        session, CURATOR, pair.id, order_number="62-н", order_date=date(2026, 9, 15)
    )
    assert approved.status == PairStatus.ACTIVE
    assert (approved.order_number, approved.order_date) == ("62-н", date(2026, 9, 15))
    assert approved.approved_by == CURATOR.telegram_id
    assert approved.approved_at is not None


async def test_a_decline_goes_back_and_frees_the_mentee(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    pair = await propose(session, mentee, mentor)
    await answer_pair(session, actor(mentor), pair.id, accept=False, reason="Нет времени")
    assert pair.status == PairStatus.DECLINED
    assert pair.mentor_decline_reason == "Нет времени"
    assert [p.id for p in await mentees_without_pair(session)] == [mentee.id]
    again = await propose(session, mentee, await make_mentor(session))
    assert again.status == PairStatus.PROPOSED


async def test_no_stranger_answers_and_no_double_proposal(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    pair = await propose(session, mentee, mentor)
    stranger = await make_teacher(session)
    with pytest.raises(AccessDenied):
        await answer_pair(session, actor(stranger), pair.id, accept=True)
    with pytest.raises(WrongState):
        await propose(session, mentee, await make_mentor(session))


async def test_a_group_and_the_mentors_capacity(session: AsyncSession) -> None:
    mentor = await make_mentor(session)  # capacity 2 (factories.MENTOR)
    first, second, third = [await make_teacher(session) for _ in range(3)]
    pair = await propose(session, first, mentor)
    group = await propose(session, second, mentor, join_pair_id=pair.id)
    assert group.id == pair.id
    assert group.is_group
    assert await mentor_load(session, mentor.id) == 2
    with pytest.raises(WrongState):
        await propose(session, third, mentor)


async def test_mentors_are_ranked_by_how_well_they_match(session: AsyncSession) -> None:
    mentee = await make_teacher(session, subjects="Информатика, Базы данных")
    strong = await make_mentor(
        session, subjects="Информатика", department="ПЦК информационных технологий"
    )
    strong.mentor_profile.competences = "Методика занятий, цифровые инструменты, Moodle"
    weak = await make_mentor(session, subjects="История", department="ПЦК истории")
    weak.mentor_profile.competences = "Воспитательная работа"
    weak.mentor_profile.mentor_subjects = "История"
    full = await make_mentor(session, subjects="Информатика")
    full.mentor_profile.capacity = 1
    await make_active_pair(session, mentor=full)
    await session.commit()

    ranked = await rank_mentors(session, mentee.id)
    assert [m.mentor.id for m in ranked] == [strong.id, weak.id]  # the full one is left out
    assert ranked[0].score > ranked[1].score
    reasons = [text for text, _params in ranked[0].reasons]
    assert "same subjects: {subjects}" in reasons
    assert "same department" in reasons
    # A reason with a count carries its singular and plural ids (translated with ngettext).
    assert (
        "competences answer {count} of the difficulties",
        "competences answer {count} of the difficulties",
    ) in reasons


async def test_a_replacement_needs_the_new_mentors_consent_and_is_remembered(
    session: AsyncSession,
) -> None:
    pair = await make_active_pair(session)
    old_mentor, mentee_id = pair.mentor_id, pair.mentee_ids[0]
    new_mentor = await make_mentor(session)
    await propose_replacement(session, CURATOR, pair.id, new_mentor.id)
    assert pair.mentor_id == old_mentor  # not yet: the new mentor must agree

    result = await answer_pair(session, actor(new_mentor), pair.id, accept=True)
    assert result.replacement
    assert result.replaced_mentor_id == old_mentor
    assert pair.mentor_id == new_mentor.id
    assert pair.status == PairStatus.ACTIVE
    assert await excluded(session, old_mentor, mentee_id)
    ranked = await rank_mentors(session, mentee_id)
    assert old_mentor not in [m.mentor.id for m in ranked]
