"""Notices written in the decision's transaction (issue 12, item 2): when the process dies right
after a decision's commit, before anyone was told, the notices are still in the outbox and the
scheduler's delivery sends each exactly once; the rows hold ids, not names or typed text."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.notify
from bot.config import Settings
from models.enums import PairStatus, RequestStatus
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import Pair
from models.participant import Participant
from models.requests import Request, create_request
from rendering.ui import PairApproval, RequestAction, RequestVerb
from scheduler.clock import SystemClock
from scheduler.jobs import deliver
from tests.driver import Person, said, texts
from tests.factories import actor, make_accepted_pair, make_mentor
from tests.mocked_bot import MockedBot
from tests.story import on


async def dies_right_after_the_commit(*_args: object, **_kwargs: object) -> None:
    raise asyncio.CancelledError  # the process is killed before anyone is told


def sent_to(bot: MockedBot, chat_id: int, fragment: str) -> list[str]:
    return [
        m.text
        for m in bot.session.requests
        if isinstance(m, SendMessage) and m.chat_id == chat_id and fragment in m.text
    ]


async def restart_and_deliver(
    bot: MockedBot, pool: async_sessionmaker[AsyncSession], settings: Settings, i18n
) -> None:
    settings = settings.model_copy(update={"quiet_hours": None})
    for _ in range(2):  # a second run sends nothing again
        await deliver(bot, pool, settings, i18n, SystemClock())


@pytest.fixture
def i18n(dispatcher):  # type: ignore[no-untyped-def]
    return dispatcher["i18n"]


async def test_a_pair_approved_just_before_a_crash_is_still_told_once(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        people = [await session.get(Participant, i) for i in (pair.mentor_id, *pair.mentee_ids)]
    await curator.press_data(PairApproval(pair_id=pair.id).pack())
    await curator.send("62-н")
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await curator.send(on("15.09.2026"))
    async with session_pool() as session:
        stored = await session.get(Pair, pair.id)
        rows = list(await session.scalars(select(OutboxMessage)))
    assert stored is not None
    assert stored.status == PairStatus.ACTIVE  # committed
    assert {row.text for row in rows if row.payload} == {""}  # ids only, no text stored
    for person in people:
        assert person is not None
        assert sent_to(bot, person.telegram_id, "утверждена приказом") == []

    await restart_and_deliver(bot, session_pool, settings, i18n)
    for person in people:
        told = sent_to(bot, person.telegram_id, f"утверждена приказом № 62-н от {on('15.09.2026')}")
        assert len(told) == 1
    assert await curator.redeliver() == []  # the update was processed: skipped, not re-run


async def test_a_request_decided_just_before_a_crash_is_still_told_once(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        mentee = await session.get(Participant, pair.mentee_ids[0])
        request = await create_request(session, actor(mentee), pair.id, "replacement", reason="x")
    await curator.press_data(RequestAction(action=RequestVerb.REJECT, request_id=request.id).pack())
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await curator.send("Пока рано")
    async with session_pool() as session:
        stored = await session.get(Request, request.id)
    assert stored is not None
    assert stored.status == RequestStatus.REJECTED
    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentee.telegram_id, f"Обращение №{request.id}")
    assert len(told) == 1
    assert "Пока рано" in told[0]
    async with session_pool() as session:
        rows = await session.scalars(select(OutboxMessage))
        statuses = {
            r.status for r in rows if r.payload and r.payload["notice"] == "request.decided"
        }
    assert statuses == {OutboxStatus.SENT}


async def test_without_a_crash_the_notices_go_at_once(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        mentee = await session.get(Participant, pair.mentee_ids[0])
    await curator.press_data(PairApproval(pair_id=pair.id).pack())
    await curator.send("62-н")
    await curator.send(on("15.09.2026"))
    assert len(sent_to(bot, mentee.telegram_id, "утверждена приказом")) == 1
    async with session_pool() as session:
        rows = await session.scalars(select(OutboxMessage))
        statuses = {r.status for r in rows if r.payload and r.payload["notice"] == "pair.approved"}
    assert statuses == {OutboxStatus.SENT}


async def test_an_approved_replacement_can_be_continued_from_requests_after_a_crash(
    curator: Person,
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        await make_mentor(session, full_name="Орлова Нина")
        mentee = await session.get(Participant, pair.mentee_ids[0])
        request = await create_request(session, actor(mentee), pair.id, "replacement", reason="x")
    await curator.press_data(
        RequestAction(action=RequestVerb.APPROVE, request_id=request.id).pack()
    )
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await curator.send("Одобряю")  # the offer of new mentors was never shown
    monkeypatch.undo()
    replies = await curator.send("/requests")
    assert said(replies, f"(пара №{pair.id})"), texts(replies)
    await curator.press("1. Орлова Нина")
    async with session_pool() as session:
        stored = await session.get(Pair, pair.id)
    assert stored is not None
    assert stored.pending_mentor_id is not None
    assert not said(await curator.send("/requests"), "Выберите нового наставника")
