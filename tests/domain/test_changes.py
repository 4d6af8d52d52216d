"""Changes to an approved programme by mutual consent (§10.2): proposed by either side, applied
when the mentor and every mentee agree, one refusal rejects; versioned with its history."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.changes import Change, answer_change, history, propose_change, withdraw_change
from models.enums import ChangeStatus, ConsentKind, ProgrammeStatus
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound, WrongState
from models.outbox import OutboxMessage
from models.pairs import answer_pair, approve_pair, propose_pair
from models.participant import Participant
from models.programmes import (
    Programme,
    ProgrammeDraft,
    add_activity,
    check_extension,
    respond_to_draft,
    review_programme,
    save_draft,
    submit_programme,
)
from models.requests import create_request
from models.withdrawal import withdraw_consent
from tests.factories import (
    CURATOR,
    END,
    START,
    actor,
    make_mentor,
    make_running_programme,
    make_teacher,
)


async def make_group_programme(session: AsyncSession) -> tuple[Programme, list[Participant]]:
    """A mentor with two mentees, approved by order, with an approved programme of 2 activities.
    Returns the programme and [mentor, first mentee, second mentee]."""
    mentor = await make_mentor(session)
    first, second = await make_teacher(session), await make_teacher(session)
    pair = await propose_pair(
        session,
        CURATOR,
        mentee_id=first.id,
        mentor_id=mentor.id,
        forms=["traditional"],
        pair_type="teacher_young",
    )
    await propose_pair(
        session,
        CURATOR,
        mentee_id=second.id,
        mentor_id=mentor.id,
        forms=["traditional"],
        pair_type="teacher_young",
        join_pair_id=pair.id,
    )
    for person in (mentor, first, second):
        await answer_pair(session, actor(person), pair.id, accept=True)
    await approve_pair(session, CURATOR, pair.id, order_number="7", order_date=date(2026, 9, 1))
    draft = ProgrammeDraft("Цель", "Затруднения", "Сильные стороны", ["traditional"], START, END)
    programme = await save_draft(session, actor(mentor), pair.id, draft)
    for number, deadline in enumerate((date(2026, 10, 15), date(2026, 11, 15)), 1):
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title=f"Мероприятие {number}",
            description=None,
            deadline=deadline,
            responsible="mentee",
            expected_result="План урока" if number == 1 else None,
        )
    await submit_programme(session, actor(mentor), programme.id)
    for mentee in (first, second):
        await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    programme = await review_programme(session, CURATOR, programme.id, approve=True)
    assert programme.status == ProgrammeStatus.APPROVED
    assert len(programme.pair.mentee_ids) == 2
    return programme, [mentor, first, second]


def edit_deadline(programme: Programme, new: date) -> Change:
    return Change("edit", programme.activities[0].id, {"deadline": new})


async def test_a_change_takes_effect_when_the_mentor_and_each_mentee_agree(
    session: AsyncSession,
) -> None:
    programme, (mentor, first, second) = await make_group_programme(session)
    activity_id = programme.activities[0].id
    proposal = await propose_change(
        session,
        actor(first),
        programme.id,
        [
            Change(
                "edit",
                activity_id,
                {"deadline": date(2026, 10, 30), "expected_result": "Открытый урок"},
            )
        ],
        reason="Урок перенесён",
    )
    assert proposal.status == ChangeStatus.OPEN
    assert proposal.changes[0]["before"] == {
        "deadline": "2026-10-15",
        "expected_result": "План урока",
    }
    assert proposal.changes[0]["after"] == {
        "deadline": "2026-10-30",
        "expected_result": "Открытый урок",
    }
    assert proposal.agreed_ids == [first.id]  # the author's consent counts

    await answer_change(session, actor(mentor), proposal.id, agree=True)
    await session.refresh(programme)
    assert programme.activities[0].deadline == date(2026, 10, 15)  # one mentee still to agree
    assert programme.revision == 1

    proposal = await answer_change(session, actor(second), proposal.id, agree=True)
    assert proposal.status == ChangeStatus.AGREED
    assert proposal.revision == 2
    await session.refresh(programme)
    activity = next(a for a in programme.activities if a.id == activity_id)
    assert activity.deadline == date(2026, 10, 30)
    assert activity.expected_result == "Открытый урок"
    assert programme.revision == 2
    assert [v["participant_id"] for v in proposal.votes] == [first.id, mentor.id, second.id]
    # The others were told through the outbox, each once.
    keys = set(await session.scalars(select(OutboxMessage.key)))
    assert f"notice:change.decided:{proposal.id}:{first.telegram_id}" in keys
    assert f"notice:change.decided:{proposal.id}:{mentor.telegram_id}" in keys


async def test_one_refusal_rejects_and_nothing_changes(session: AsyncSession) -> None:
    programme, (mentor, first, second) = await make_group_programme(session)
    proposal = await propose_change(
        session,
        actor(mentor),
        programme.id,
        [Change("remove", programme.activities[1].id)],
        reason="Лишнее",
    )
    await answer_change(session, actor(first), proposal.id, agree=True)
    proposal = await answer_change(
        session, actor(second), proposal.id, agree=False, comment="Мне это нужно"
    )
    assert proposal.status == ChangeStatus.REJECTED
    assert proposal.votes[-1]["comment"] == "Мне это нужно"
    await session.refresh(programme)
    assert len(programme.activities) == 2
    assert programme.revision == 1
    # A late or repeated answer changes nothing: «Уже решено».
    with pytest.raises(AlreadyDecided):
        await answer_change(session, actor(first), proposal.id, agree=True)
    assert [p.status for p in await history(session, programme.id)] == [ChangeStatus.REJECTED]


async def test_stale_forged_and_outsiders_buttons_change_nothing(session: AsyncSession) -> None:
    programme, (mentor, first, _second) = await make_group_programme(session)
    outsider = await make_teacher(session)
    proposal = await propose_change(
        session, actor(mentor), programme.id, [edit_deadline(programme, date(2026, 10, 20))],
        reason="Перенос",
    )  # fmt: skip
    with pytest.raises(AlreadyDecided):  # the author already agreed
        await answer_change(session, actor(mentor), proposal.id, agree=True)
    with pytest.raises(AccessDenied):
        await answer_change(session, actor(outsider), proposal.id, agree=True)
    with pytest.raises(AccessDenied):  # a curator answers nothing: §10.2 is the pair's consent
        await answer_change(session, CURATOR, proposal.id, agree=True)
    with pytest.raises(NotFound):
        await answer_change(session, actor(first), proposal.id + 1000, agree=True)
    with pytest.raises(WrongState):  # one proposal at a time
        await propose_change(
            session, actor(first), programme.id, [Change("forms", values={"forms": ["group"]})],
            reason="x",
        )  # fmt: skip
    await session.refresh(proposal)
    assert proposal.status == ChangeStatus.OPEN
    assert proposal.agreed_ids == [mentor.id]


async def test_every_kind_of_change_is_validated_and_applied(session: AsyncSession) -> None:
    programme, (mentor, first, second) = await make_group_programme(session)
    with pytest.raises(InvalidValue):  # a deadline outside the period
        await propose_change(
            session, actor(mentor), programme.id, [edit_deadline(programme, date(2027, 3, 1))],
            reason="x",
        )  # fmt: skip
    with pytest.raises(InvalidValue):  # nothing changes
        await propose_change(
            session, actor(mentor), programme.id, [edit_deadline(programme, date(2026, 10, 15))],
            reason="x",
        )  # fmt: skip
    with pytest.raises(InvalidValue):  # shorter than 3 months (§3)
        await propose_change(
            session, actor(mentor), programme.id,
            [Change("end_date", values={"end_date": date(2026, 11, 20)})], reason="x",
        )  # fmt: skip
    new_activity = {
        "title": "Взаимопосещение",
        "description": "Два урока",
        "deadline": date(2027, 1, 20),  # inside the new period only
        "responsible": "both",
        "expected_result": "Анализ уроков",
    }
    proposal = await propose_change(
        session,
        actor(second),
        programme.id,
        [
            Change("end_date", values={"end_date": date(2027, 2, 28)}),
            Change("add", values=new_activity),
            Change("forms", values={"forms": ["traditional", "group"]}),
        ],
        reason="Нужно больше времени",
    )
    for person in (mentor, first):
        proposal = await answer_change(session, actor(person), proposal.id, agree=True)
    assert proposal.status == ChangeStatus.AGREED
    await session.refresh(programme)
    assert programme.end_date == date(2027, 2, 28)
    assert programme.forms == ["traditional", "group"]
    added = programme.activities[-1]
    assert (added.title, added.expected_result) == ("Взаимопосещение", "Анализ уроков")
    assert programme.revision == 2


async def test_the_collegess_limit_caps_a_moved_end_date(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    mentor = await session.get(Participant, programme.pair.mentor_id)
    late = date(2027, 12, 31)  # 16 months after the start
    with pytest.raises(InvalidValue) as refused:
        await propose_change(
            session, actor(mentor), programme.id, [Change("end_date", values={"end_date": late})],
            reason="x", max_months=12,
        )  # fmt: skip
    assert refused.value.params == {"months": 12, "latest": "01.09.2027"}
    proposal = await propose_change(
        session, actor(mentor), programme.id, [Change("end_date", values={"end_date": late})],
        reason="x", max_months=24,
    )  # fmt: skip
    assert proposal.status == ChangeStatus.OPEN


async def test_an_extension_request_follows_the_setting_not_two_years(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    with pytest.raises(InvalidValue) as refused:
        check_extension(programme, date(2027, 10, 1), 12)
    assert "12" in str(refused.value)
    with pytest.raises(InvalidValue):
        await create_request(
            session, actor(mentee), programme.pair_id, "extension", reason="x",
            new_date=date(2027, 10, 1), max_months=12,
        )  # fmt: skip
    # 0: no limit; 30 months fits where the old hard-coded 24 refused.
    check_extension(programme, date(2029, 1, 1), 0)
    request = await create_request(
        session, actor(mentee), programme.pair_id, "extension", reason="x",
        new_date=date(2029, 1, 1), max_months=36,
    )  # fmt: skip
    assert request.new_date == date(2029, 1, 1)


async def test_two_last_answers_at_once_both_count(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        programme, (mentor, first, second) = await make_group_programme(session)
        proposal = await propose_change(
            session, actor(mentor), programme.id, [edit_deadline(programme, date(2026, 10, 25))],
            reason="Перенос",
        )  # fmt: skip
        change_id, programme_id = proposal.id, programme.id

    async def agree(person: Participant) -> None:
        async with session_pool() as session:
            await answer_change(session, actor(person), change_id, agree=True)

    await asyncio.gather(agree(first), agree(second))
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
        assert proposal.status == ChangeStatus.AGREED
        assert sorted(proposal.agreed_ids) == sorted([mentor.id, first.id, second.id])
        programme = await session.get(Programme, programme_id)
        assert programme.revision == 2


async def test_what_a_person_wrote_in_proposals_is_erased_with_their_data(
    session: AsyncSession,
) -> None:
    programme, (_mentor, first, second) = await make_group_programme(session)
    proposal = await propose_change(
        session, actor(first), programme.id, [edit_deadline(programme, date(2026, 10, 20))],
        reason="Личная причина Первой",
    )  # fmt: skip
    await answer_change(session, actor(second), proposal.id, agree=False, comment="Не смогу")
    await withdraw_consent(session, first, ConsentKind.PERSONAL_DATA)
    await withdraw_consent(session, second, ConsentKind.PERSONAL_DATA)
    (proposal,) = await history(session, programme.id)
    await session.refresh(proposal)
    assert proposal.reason == "—"
    assert [v["comment"] for v in proposal.votes] == [None, None]
    assert proposal.status == ChangeStatus.REJECTED  # the record itself stays


async def test_the_author_withdraws_an_open_proposal_and_may_propose_again(
    session: AsyncSession,
) -> None:
    programme, (mentor, first, _second) = await make_group_programme(session)
    proposal = await propose_change(
        session, actor(first), programme.id, [edit_deadline(programme, date(2026, 10, 20))],
        reason="Перенос",
    )  # fmt: skip
    with pytest.raises(AccessDenied):  # only its author
        await withdraw_change(session, actor(mentor), proposal.id)
    proposal = await withdraw_change(session, actor(first), proposal.id)
    assert proposal.status == ChangeStatus.WITHDRAWN
    with pytest.raises(AlreadyDecided):
        await withdraw_change(session, actor(first), proposal.id)
    with pytest.raises(AlreadyDecided):
        await answer_change(session, actor(mentor), proposal.id, agree=True)
    again = await propose_change(
        session, actor(mentor), programme.id, [edit_deadline(programme, date(2026, 10, 21))],
        reason="Перенос",
    )  # fmt: skip
    assert again.status == ChangeStatus.OPEN
