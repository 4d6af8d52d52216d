"""Two people decide the same thing at the same moment (two updates of one getUpdates batch,
handled concurrently by the real dispatcher; on PostgreSQL two connections, as two workers
would have): exactly one decision wins, the loser is told «Уже решено: …» with the current
state, and an agreement is never stuck half-way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from handlers.curator.approvals import EntryAction, Verb
from models.approvals import BankDecision, BankRole
from models.audit import AuditEntry
from models.enums import MentorStatus, PairStatus, ProgrammeStatus, RequestStatus, StaffRole
from models.pairs import MentorReplacement, Pair, PairMember, answer_pair, propose_pair
from models.participant import Participant
from models.profiles import MentorProfile
from models.programmes import Programme
from models.progress import report_part, review_part
from models.requests import Request, create_request
from rendering.ui import (
    JoinApproval,
    MentorDecision,
    PairApproval,
    PairReply,
    ProgrammeAction,
    ProgrammeVerb,
    ReplacementOrder,
    RequestAction,
    RequestVerb,
)
from tests.conftest import CURATOR_ID, make_settings
from tests.driver import Person, texts
from tests.factories import (
    CURATOR,
    actor,
    make_accepted_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
)
from tests.groups import join, make_group, make_programme
from tests.story import on

SECOND_CURATOR = 1001
Replies = list[TelegramMethod[Any]]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, curator_ids=f"{CURATOR_ID},{SECOND_CURATOR}")


@pytest.fixture
def curators(person: Callable[..., Person]) -> tuple[Person, Person]:
    return person(CURATOR_ID, first_name="Анна"), person(SECOND_CURATOR, first_name="Ольга")


async def together(*calls: Any) -> Replies:
    """The updates are in flight at once, as in one getUpdates batch; all that the bot said."""
    results = await asyncio.gather(*calls)
    return max(results, key=len)  # each saw every request from its start on


def sent_to(replies: Replies, chat_id: int) -> list[str]:
    return texts([m for m in replies if not isinstance(m, AnswerCallbackQuery)], chat_id)


def seen_by(replies: Replies, who: Person) -> list[str]:
    """What this person was shown: messages to their chat and alerts on their button press."""
    query = who.last_update.callback_query if who.last_update else None
    shown = sent_to(replies, who.user_id)
    if query is not None:
        shown += [
            m.text
            for m in replies
            if isinstance(m, AnswerCallbackQuery) and m.callback_query_id == query.id and m.text
        ]
    return shown


async def audits(pool: async_sessionmaker[AsyncSession], kind: str, object_id: int) -> int:
    async with pool() as session:
        return (
            await session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.object_type == kind, AuditEntry.object_id == object_id
                )
            )
            or 0
        )


def winner_and_loser(
    replies: Replies, first: Person, second: Person, first_won: bool
) -> tuple[list[str], list[str]]:
    winner, loser = (first, second) if first_won else (second, first)
    to_winner, to_loser = seen_by(replies, winner), seen_by(replies, loser)
    assert any("Уже решено: " in t for t in to_loser), to_loser
    assert not any("Уже решено" in t for t in to_winner), to_winner
    return to_winner, to_loser


async def test_simultaneous_acceptance_activates_the_pair(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    for order in ("mentor first", "mentee first", "mentor first"):
        async with session_pool() as session:
            mentee = await make_teacher(session)
            mentor = await make_mentor(session)
            pair = await propose_pair(
                session,
                CURATOR,
                mentee_id=mentee.id,
                mentor_id=mentor.id,
                forms=["traditional"],
                pair_type="teacher_young",
            )
        data = PairReply(pair_id=pair.id, accept=True).pack()
        sides = [person(mentor.telegram_id), person(mentee.telegram_id)]
        if order == "mentee first":
            sides.reverse()
        replies = await together(*(side.press_data(data) for side in sides))
        async with session_pool() as session:
            stored = await session.get(Pair, pair.id)
            assert stored is not None
            assert stored.status == PairStatus.ACCEPTED, order
            assert stored.mentor_accepted_at is not None
            assert all(m.accepted_at for m in stored.members)
        told = [t for t in texts(replies, CURATOR_ID) if "Все согласны" in t]
        assert len(told) == 1, order


async def test_two_curators_deciding_one_request(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        mentee = await session.get(Participant, pair.mentee_ids[0])
        request = await create_request(session, actor(mentee), pair.id, "replacement", reason="x")
    one, two = curators
    await one.press_data(RequestAction(action=RequestVerb.APPROVE, request_id=request.id).pack())
    await two.press_data(RequestAction(action=RequestVerb.REJECT, request_id=request.id).pack())
    replies = await together(one.send("Одобряю"), two.send("Отклоняю"))
    async with session_pool() as session:
        stored = await session.get(Request, request.id)
    assert stored is not None
    winner, _loser = winner_and_loser(replies, one, two, stored.status == RequestStatus.APPROVED)
    assert any("Решение записано" in t for t in winner)
    assert await audits(session_pool, "request", request.id) == 1
    told = [t for t in texts(replies, mentee.telegram_id) if f"№{request.id}" in t]
    assert len(told) == 1


async def test_two_curators_approving_one_pair_with_different_orders(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        mentee = await session.get(Participant, pair.mentee_ids[0])
    one, two = curators
    for curator, number in ((one, "62-н"), (two, "63-н")):
        await curator.press_data(PairApproval(pair_id=pair.id).pack())
        await curator.send(number)
    replies = await together(one.send(on("15.09.2026")), two.send(on("16.09.2026")))
    async with session_pool() as session:
        stored = await session.get(Pair, pair.id)
    assert stored is not None
    assert stored.status == PairStatus.ACTIVE
    winner_and_loser(replies, one, two, stored.order_number == "62-н")
    told = [t for t in texts(replies, mentee.telegram_id) if "утверждена приказом" in t]
    assert len(told) == 1
    assert stored.order_number in told[0]
    assert await audits(session_pool, "pair", pair.id) == 2  # the proposal and one approval


async def test_two_curators_ending_one_programme(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        mentee_id = programme.pair.mentee_ids[0]
        mentee = await session.get(Participant, mentee_id)
    one, two = curators
    for curator in curators:
        await curator.press_data(
            ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id).pack()
        )
    await one.send("Причина первая")
    await two.send("Причина вторая")
    replies = await together(one.press("Завершить программу"), two.press("Завершить программу"))
    async with session_pool() as session:
        stored = await session.get(Programme, programme.id)
    assert stored is not None
    assert stored.status == ProgrammeStatus.ENDED_EARLY
    winner_and_loser(replies, one, two, stored.end_comment == "Причина первая")
    told = [t for t in texts(replies, mentee.telegram_id) if "завершил(а) вашу" in t]
    assert len(told) == 1
    assert stored.end_comment in told[0]


async def test_one_curator_accepts_a_candidate_while_another_rejects(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        candidate = await make_teacher(session, mentee=False, mentor=True)
    one, two = curators
    replies = await together(
        one.press_data(MentorDecision(participant_id=candidate.id, accept=True).pack()),
        two.press_data(MentorDecision(participant_id=candidate.id, accept=False).pack()),
    )
    async with session_pool() as session:
        profile = await session.get(MentorProfile, candidate.id)
    assert profile is not None
    accepted = profile.status == MentorStatus.ACCEPTED
    winner_and_loser(replies, one, two, accepted)
    to_candidate = sent_to(replies, candidate.telegram_id)
    assert len(to_candidate) == 1
    assert ("Хорошая новость" in to_candidate[0]) == accepted
    assert await audits(session_pool, "participant", candidate.id) == 1


# Decision kinds added since (issue 12, Done-when: two updates of one batch for each kind).


async def test_two_directors_approving_and_returning_one_bank_entry(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    async with session_pool() as session:
        mentee = await make_teacher(session, full_name="Лебедева Ольга")
        for telegram_id in (5711, 5712):
            boss = await make_teacher(session, mentee=False, telegram_id=telegram_id)
            boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    one, two = person(5711), person(5712)
    await one.press_data(
        EntryAction(verb=Verb.RETURN, participant_id=mentee.id, role=BankRole.MENTEE).pack()
    )
    approve = EntryAction(verb=Verb.APPROVE, participant_id=mentee.id, role=BankRole.MENTEE)
    replies = await together(one.send("Нет даты приёма"), two.press_data(approve.pack()))
    async with session_pool() as session:
        rows = list(await session.scalars(select(BankDecision)))
    assert len(rows) == 1  # one decision of this round
    returned = not rows[0].approved
    winner_and_loser(replies, one, two, returned)
    assert len([t for t in texts(replies, CURATOR_ID) if "Нет даты приёма" in t]) == returned
    approved = [t for t in texts(replies, CURATOR_ID) if "Директор утвердил(а)" in t]
    assert len(approved) == (not returned)


async def test_two_curators_entering_the_order_for_one_newcomer(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        pair, _mentor, _mentees = await make_group(session, size=1)
        newcomer = await make_teacher(session, full_name="Новикова Ирина")
        await join(session, pair, newcomer)
        await answer_pair(session, actor(newcomer), pair.id, accept=True)
    one, two = curators
    for curator, number in ((one, "81-н"), (two, "82-н")):
        await curator.press_data(JoinApproval(pair_id=pair.id, mentee_id=newcomer.id).pack())
        await curator.send(number)
    replies = await together(one.send(on("01.10.2026")), two.send(on("02.10.2026")))
    async with session_pool() as session:
        member = await session.scalar(select(PairMember).where(PairMember.mentee_id == newcomer.id))
    assert member is not None
    assert member.joined_at is not None
    winner_and_loser(replies, one, two, member.order_number == "81-н")
    to_loser = " ".join(seen_by(replies, two if member.order_number == "81-н" else one))
    assert f"Новикова Ирина включён(а) в группу приказом № {member.order_number}" in to_loser
    told = [t for t in texts(replies, newcomer.telegram_id) if "Вы включены в группу" in t]
    assert len(told) == 1
    assert str(member.order_number) in told[0]


async def test_two_mentees_of_a_group_agreeing_to_the_draft_at_once(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    async with session_pool() as session:
        pair, mentor, mentees = await make_group(session, size=2)
        programme = await make_programme(session, pair, mentor, mentees, approve=False)
    agree = ProgrammeAction(action=ProgrammeVerb.AGREE, programme_id=programme.id).pack()
    replies = await together(*(person(m.telegram_id).press_data(agree) for m in mentees))
    async with session_pool() as session:
        stored = await session.get(Programme, programme.id)
    assert stored is not None
    assert stored.status == ProgrammeStatus.AGREED  # the last agreement completes it
    assert sorted(stored.agreed_by) == sorted([mentor.id, *(m.id for m in mentees)])
    for chat in (CURATOR_ID, SECOND_CURATOR):
        assert len([t for t in texts(replies, chat) if "ждёт вашего утверждения" in t]) == 1


async def test_the_mentor_and_the_mentee_completing_at_once(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session, activities=1)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        activity = programme.activities[0].id
        await report_part(session, actor(mentee), activity, comment="Готово")
        await review_part(session, actor(mentor), activity, mentee.id, confirm=True)
    complete = ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme.id).pack()
    sides = (person(mentor.telegram_id), person(mentee.telegram_id))
    replies = await together(*(side.press_data(complete) for side in sides))
    async with session_pool() as session:
        stored = await session.get(Programme, programme.id)
    assert stored is not None
    assert stored.status == ProgrammeStatus.COMPLETED
    for someone in (mentor, mentee):
        said_to = texts(replies, someone.telegram_id)
        assert len([t for t in said_to if "Поздравляем: программа завершена" in t]) == 1
        assert len([t for t in said_to if "заполните короткую анкету" in t]) == 1


async def test_two_partners_of_a_group_agreeing_to_a_request_at_once(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    async with session_pool() as session:
        pair, mentor, mentees = await make_group(session, size=2)
        programme = await make_programme(session, pair, mentor, mentees)
        request = await create_request(
            session, actor(mentor), pair.id, "deadline", reason="Болезнь",
            activity_id=programme.activities[0].id, new_date=date(2026, 12, 20),
        )  # fmt: skip
    agree = RequestAction(action=RequestVerb.AGREE, request_id=request.id).pack()
    replies = await together(*(person(m.telegram_id).press_data(agree) for m in mentees))
    async with session_pool() as session:
        stored = await session.get(Request, request.id)
    assert stored is not None
    assert stored.status == RequestStatus.PENDING  # both consents count
    assert sorted(stored.partner_agreed) == sorted(m.id for m in mentees)
    for chat in (CURATOR_ID, SECOND_CURATOR):
        assert len([t for t in texts(replies, chat) if "Новое обращение ждёт" in t]) == 1


async def test_two_curators_entering_the_order_for_one_change_of_mentor(
    session_pool: async_sessionmaker[AsyncSession], curators: tuple[Person, Person]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        successor = await make_mentor(session, full_name="Сменова Анна")
        change = MentorReplacement(
            pair_id=pair.id, old_mentor_id=pair.mentor_id, new_mentor_id=successor.id
        )
        session.add(change)
        for chat, name in ((CURATOR_ID, "Кураторова Анна"), (SECOND_CURATOR, "Кураторова Ольга")):
            await make_teacher(session, mentee=False, telegram_id=chat, full_name=name)
        await session.commit()
    one, two = curators
    for curator, number in ((one, "91-н"), (two, "92-н")):
        await curator.press_data(ReplacementOrder(replacement_id=change.id).pack())
        await curator.send(number)
    replies = await together(one.send(on("05.10.2026")), two.send(on("06.10.2026")))
    async with session_pool() as session:
        stored = await session.get(MentorReplacement, change.id)
        entered = await session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "pair.replacement_order")
        )
    assert stored is not None
    assert entered == 1
    first_won = stored.order_number == "91-н"
    _winner, to_loser = winner_and_loser(replies, one, two, first_won)
    winner_name = "Кураторова Анна" if first_won else "Кураторова Ольга"
    assert any(
        f"замена наставника оформлена приказом № {stored.order_number} от "
        f"{stored.order_date:%d.%m.%Y}, внёс(ла) {winner_name}" in t
        for t in to_loser
    ), to_loser
    told = [t for t in sent_to(replies, CURATOR_ID) + sent_to(replies, SECOND_CURATOR)]
    assert len([t for t in told if "оформлена приказом директора" in t]) == 1
