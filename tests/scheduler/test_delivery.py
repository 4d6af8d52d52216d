"""Delivery: Telegram's limits, 429 and 5xx retried later (never dropped), 403 marks the person
unreachable and the curators are told once; writing again makes them reachable."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sender import RateLimiter, sender_for
from models import outbox
from models.base import utcnow
from models.outbox import (
    MAX_ATTEMPTS,
    UNCONFIRMED,
    OutboxStatus,
    attempting,
    claim_due,
    enqueue,
    mark,
)
from models.participant import Participant, get_participant
from models.programmes import ProgrammeDraft, add_activity, save_draft, submit_programme
from scheduler.jobs import deliver
from tests.conftest import CURATOR_ID
from tests.factories import actor, make_active_pair, make_running_programme
from tests.scheduler.conftest import FakeClock, Scheduler


async def due_reminder(session: AsyncSession, clock: FakeClock) -> tuple[Participant, Participant]:
    programme = await make_running_programme(session, activities=1)
    clock.set(2026, 10, 8, 10)  # the 7-day reminder is due
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor = await session.get(Participant, programme.pair.mentor_id)
    assert mentee is not None
    assert mentor is not None
    return mentee, mentor


def sends_to(scheduler: Scheduler, chat_id: int) -> list[SendMessage]:
    return [
        m
        for m in scheduler.bot.session.requests
        if isinstance(m, SendMessage) and m.chat_id == chat_id
    ]


def unlimited(scheduler: Scheduler) -> None:
    """No waiting for send slots: what is claimed is what is sent, at once."""
    sender_for(scheduler.bot).limiter = RateLimiter(rate=1e9, per_chat=0)


def sent_texts(scheduler: Scheduler, chat_id: int) -> list[str]:
    return [m.text for m in sends_to(scheduler, chat_id)]


async def test_a_429_is_retried_after_retry_after_and_arrives_once(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    mentee, _ = await due_reminder(session, clock)
    await scheduler.sweep()
    scheduler.bot.session.faults.append(
        TelegramRetryAfter(method=None, message="Too Many Requests", retry_after=30)  # type: ignore[arg-type]
    )
    first = await scheduler.deliver()
    assert first.retried == 1
    clock.advance(seconds=10)
    assert (await scheduler.deliver()).sent == 0  # not before retry_after
    clock.advance(seconds=25)
    assert (await scheduler.deliver()).sent == 1
    delivered = [m for m in await scheduler.ledger() if m.chat_id == mentee.telegram_id]
    # A 429 is Telegram saying "later": it does not count toward giving up (MAX_ATTEMPTS).
    assert [(m.status, m.attempts) for m in delivered] == [(OutboxStatus.SENT, 0)]
    assert len(sends_to(scheduler, mentee.telegram_id)) == 2  # the refused try and the real one


async def test_server_errors_back_off_and_nothing_is_dropped(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    mentee, _ = await due_reminder(session, clock)
    await scheduler.sweep()
    faults = [TelegramServerError(method=None, message="Bad Gateway") for _ in range(4)]  # type: ignore[arg-type]
    scheduler.bot.session.faults.extend(faults)
    for _ in range(4):
        await scheduler.deliver()
        clock.advance(hours=2)
    await scheduler.deliver()
    statuses = {m.chat_id: m.status for m in await scheduler.ledger()}
    assert set(statuses.values()) == {OutboxStatus.SENT}
    assert sends_to(scheduler, mentee.telegram_id)


async def test_a_blocked_user_is_marked_and_curators_are_told_once(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    mentee, mentor = await due_reminder(session, clock)
    scheduler.bot.session.blocked.add(mentee.telegram_id)
    await scheduler.run()
    session.expunge_all()
    marked = await get_participant(session, mentee.telegram_id)
    assert marked is not None
    assert marked.unreachable_at is not None
    statuses = {m.chat_id: m.status for m in await scheduler.ledger() if m.kind == "deadline"}
    assert statuses == {mentee.telegram_id: "unreachable", mentor.telegram_id: "sent"}

    for _ in range(3):
        await scheduler.run()
        clock.advance(hours=1)
    notices = [m for m in sends_to(scheduler, CURATOR_ID) if "заблокировал(а) бота" in m.text]
    assert len(notices) == 1
    assert "Иванова Мария Петровна" in notices[0].text

    clock.advance(days=4)  # the 3-day reminder: a blocked person is not even queued
    await scheduler.run()
    assert len(sends_to(scheduler, mentee.telegram_id)) == 1


async def test_the_limiter_spaces_messages_per_chat_and_overall() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(rate=25, per_chat=1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        await limiter.acquire(7)
    assert waits == [1.0, 1.0]  # one a second to the same chat
    waits.clear()
    now[0] = 100.0
    for chat in range(50):
        await limiter.acquire(1000 + chat)
    assert round(now[0] - 100.0, 3) == round(49 / 25, 3)  # 25 a second overall
    assert max(waits) <= 1 / 25 + 1e-9


async def test_quiet_hours_hold_delivery_but_not_the_ledger(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await due_reminder(session, clock)
    clock.set(2026, 10, 8, 21, 30)
    assert await scheduler.sweep() > 0
    assert (await scheduler.deliver()).sent == 0
    clock.advance(hours=10, minutes=31)
    assert (await scheduler.deliver()).sent > 0


async def test_claims_of_a_dead_process_are_recovered_without_duplicates(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await due_reminder(session, clock)
    await scheduler.sweep()
    async with scheduler.pool() as dead:  # a process claims two messages, attempts one, dies
        first, second = (await claim_due(dead, clock.now()))[:2]
        await attempting(dead, first, clock.now())
    assert (await scheduler.deliver()).sent == 0  # still claimed by the dead process

    clock.advance(minutes=3)  # past the claim timeout
    report = await scheduler.deliver()
    by_id = {m.id: m for m in await scheduler.ledger()}
    assert by_id[first.id].status == OutboxStatus.SENT  # maybe delivered: not sent again
    assert by_id[first.id].last_error == UNCONFIRMED
    assert by_id[second.id].status == OutboxStatus.SENT  # never attempted: sent now, once
    assert by_id[second.id].last_error is None
    assert report.sent == 1 + sum(1 for m in by_id.values() if m.kind == "digest")
    assert [m.chat_id for m in scheduler.bot.session.requests if isinstance(m, SendMessage)] == [
        second.chat_id
    ] + [m.chat_id for m in by_id.values() if m.kind == "digest"]


async def queue(session: AsyncSession, clock: FakeClock, chats: list[int]) -> None:
    for number, chat in enumerate(chats):
        await enqueue(
            session,
            key=f"t:{number}",
            kind="test",
            chat_id=chat,
            text=f"№{number}",
            now=clock.now(),
        )
    await session.commit()


async def test_a_429_in_one_chat_holds_back_that_chat_only(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await queue(session, clock, [601, 601, 602, 601, 602])
    scheduler.bot.session.faults.append(
        TelegramRetryAfter(method=None, message="Too Many Requests", retry_after=5)  # type: ignore[arg-type]
    )  # the first send, to 601, is refused
    report = await scheduler.deliver()
    assert (report.sent, report.retried) == (2, 1)
    assert [m.text for m in sends_to(scheduler, 602)] == ["№2", "№4"]
    ledger = {m.text: m for m in await scheduler.ledger()}
    for waiting in ("№0", "№1", "№3"):  # back in the queue, untried, until retry_after
        assert ledger[waiting].status == OutboxStatus.PENDING
        assert ledger[waiting].attempts == 0
        assert ledger[waiting].not_before == clock.now() + timedelta(seconds=5)
    assert (await scheduler.deliver()).sent == 0
    clock.advance(seconds=5)
    assert (await scheduler.deliver()).sent == 3
    sent = [m.text for m in sends_to(scheduler, 601)]
    assert sent == ["№0", "№0", "№1", "№3"]  # the refused try, then in order, each once


async def test_429s_alone_never_make_a_message_give_up(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await queue(session, clock, [603])
    for _ in range(MAX_ATTEMPTS + 2):
        scheduler.bot.session.faults.append(
            TelegramRetryAfter(method=None, message="Too Many Requests", retry_after=1)  # type: ignore[arg-type]
        )
        assert (await scheduler.deliver()).retried == 1
        clock.advance(seconds=1)
    assert (await scheduler.deliver()).sent == 1
    assert [m.status for m in await scheduler.ledger()] == [OutboxStatus.SENT]


async def test_after_a_server_error_the_rest_of_the_chat_waits_for_it_in_order(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await queue(session, clock, [604, 604])
    scheduler.bot.session.faults.append(
        TelegramServerError(method=None, message="Bad Gateway")  # type: ignore[arg-type]
    )
    assert (await scheduler.deliver()).retried == 1
    first, second = await scheduler.ledger()
    assert first.status == second.status == OutboxStatus.PENDING
    assert second.not_before == first.not_before > clock.now()  # the backoff of the first
    clock.advance(hours=1)
    assert (await scheduler.deliver()).sent == 2
    assert [m.text for m in sends_to(scheduler, 604)] == ["№0", "№0", "№1"]


async def test_a_crash_while_waiting_for_the_rate_limiter_attempts_nothing(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    """The attempt is recorded right before the HTTP call: rows still waiting for their send
    slot when the process dies are queued again, never closed as «sent, unconfirmed»."""
    await queue(session, clock, [7001] * 8)
    sender = sender_for(scheduler.bot)
    slots = 0

    async def dies_on_the_second_wait(_seconds: float) -> None:
        nonlocal slots
        slots += 1
        if slots == 2:  # the claim's third row (a claim takes three of a chat's rows)
            raise asyncio.CancelledError  # the process is killed while waiting

    sender.limiter = RateLimiter(rate=1e9, per_chat=1.0, sleep=dies_on_the_second_wait)
    with pytest.raises(asyncio.CancelledError):
        await scheduler.deliver()
    sent = [m for m in scheduler.bot.session.requests if isinstance(m, SendMessage)]
    assert 0 < len(sent) < 8
    unlimited(scheduler)
    clock.advance(minutes=3)  # past the claim timeout
    while (await scheduler.deliver()).sent:
        pass
    rows = [m for m in await scheduler.ledger() if m.kind == "test"]
    assert [m.status for m in rows] == [OutboxStatus.SENT] * 8
    assert [m.text for m in rows if m.last_error == UNCONFIRMED] == []
    texts_sent = [m.text for m in scheduler.bot.session.requests if isinstance(m, SendMessage)]
    assert sorted(texts_sent) == sorted(f"№{n}" for n in range(8))  # each exactly once


async def test_a_message_telegram_refuses_does_not_make_the_person_unreachable(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    mentee, _ = await due_reminder(session, clock)
    await scheduler.sweep()
    scheduler.bot.session.faults.append(
        TelegramBadRequest(method=None, message="Bad Request: can't parse entities")  # type: ignore[arg-type]
    )
    await scheduler.deliver()
    async with scheduler.pool() as fresh:
        person = await get_participant(fresh, mentee.telegram_id)
    assert person is not None
    assert person.unreachable_at is None
    statuses = sorted(m.status for m in await scheduler.ledger())
    assert OutboxStatus.UNREACHABLE not in statuses
    assert OutboxStatus.FAILED in statuses


async def test_a_programme_in_a_notice_is_shown_as_of_the_day_in_the_bots_timezone(
    scheduler: Scheduler,
) -> None:
    """Issue 12: a draft notice delivered by the scheduler shows the programme with today's
    date in the bot's timezone (01:30 in Moscow is still the day before in UTC): an activity
    due the day before is overdue, as the handler would have shown it."""
    today = utcnow().date()
    due = today + timedelta(days=1)
    async with scheduler.pool() as session:
        pair = await make_active_pair(session)
        mentor = await session.get(Participant, pair.mentor_id)
        mentee = await session.get(Participant, pair.mentee_ids[0])
        start, end = today - timedelta(days=30), today + timedelta(days=120)
        draft = ProgrammeDraft("Цель", "Затруднения", "Сильные", ["traditional"], start, end)
        programme = await save_draft(session, actor(mentor), pair.id, draft)
        await add_activity(session, actor(mentor), programme.id, title="Урок",
                           description=None, deadline=due, responsible="mentee")  # fmt: skip
        await submit_programme(session, actor(mentor), programme.id)
    after = today + timedelta(days=2)  # 01:30 in Moscow: the day before, 22:30, in UTC
    scheduler.clock.set(after.year, after.month, after.day, 1, 30)
    settings = scheduler.settings.model_copy(update={"quiet_hours": None})
    await deliver(scheduler.bot, scheduler.pool, settings, scheduler.i18n, scheduler.clock)
    (draft_notice,) = [
        m.text
        for m in scheduler.bot.session.requests
        if isinstance(m, SendMessage)
        and m.chat_id == mentee.telegram_id
        and "Наставник составил(а) проект" in m.text
    ]
    assert "Просрочено мероприятий: 1" in draft_notice


async def test_a_chats_message_waits_while_an_older_one_is_being_sent_elsewhere(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    """A handler sends a decision's first notice (claimed, in flight) when the scheduler looks:
    the chat's later notice waits for it, so the two arrive in the order they were queued."""
    for number, chat in enumerate((501, 501, 502)):
        await enqueue(
            session,
            key=f"order:{number}",
            kind="test",
            chat_id=chat,
            text=f"№{number}",
            now=clock.now(),
        )
    await session.commit()
    async with scheduler.pool() as handler:  # the handler's claim of the first notice
        [first] = [m for m in await claim_due(handler, clock.now(), limit=1)]
        assert first.key == "order:0"
        report = await scheduler.deliver()
        assert report.sent == 1  # only the other chat's message
        assert [
            m.chat_id for m in scheduler.bot.session.requests if isinstance(m, SendMessage)
        ] == [502]
        await attempting(handler, first, clock.now())
        await mark(handler, first, OutboxStatus.SENT, clock.now())
    assert (await scheduler.deliver()).sent == 1  # now the second, after the first
    by_key = {m.key: m for m in await scheduler.ledger()}
    assert by_key["order:1"].status == OutboxStatus.SENT


async def test_one_chats_backlog_does_not_hold_up_the_other_chats(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    """60 notices queued for the curator at once (the morning after many programmes ended),
    then a mentee's: the mentee's goes out with the first delivery, not after the curator's
    backlog (Telegram takes about one message a second in a chat: 50 of them fill a minute)."""
    unlimited(scheduler)
    await queue(session, clock, [CURATOR_ID] * 60 + [602])
    report = await scheduler.deliver()
    assert sent_texts(scheduler, 602) == ["№60"]
    assert sent_texts(scheduler, CURATOR_ID) == ["№0", "№1", "№2"]
    assert report.sent == 4
    while (await scheduler.deliver()).sent:
        pass
    assert sent_texts(scheduler, CURATOR_ID) == [f"№{n}" for n in range(60)]  # in order, once


async def test_after_a_429_none_of_the_chats_later_messages_overtakes(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    """A claim takes three of a chat's messages; Telegram refuses the first with a 429: the
    two claimed with it, the two no claim took yet and one queued during the wait all wait for
    it, and the chat then gets them in the order they were queued."""
    unlimited(scheduler)
    await queue(session, clock, [601] * 5)
    scheduler.bot.session.faults.append(
        TelegramRetryAfter(method=None, message="Too Many Requests", retry_after=30)  # type: ignore[arg-type]
    )
    assert (await scheduler.deliver()).retried == 1
    clock.advance(seconds=5)
    await enqueue(session, key="t:5", kind="test", chat_id=601, text="№5", now=clock.now())
    await session.commit()
    assert (await scheduler.deliver()).sent == 0
    clock.advance(hours=10)  # everything due at once (after quiet hours, a restart…)
    while (await scheduler.deliver()).sent:
        pass
    assert sent_texts(scheduler, 601) == ["№0", "№0", "№1", "№2", "№3", "№4", "№5"]


async def test_a_chat_that_blocked_the_bot_is_not_called_again_for_its_queue(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    """A 403 on the first of nine messages: the chat's other eight are not sent either, not
    three more calls a round (a round claims three of a chat's messages)."""
    unlimited(scheduler)
    await queue(session, clock, [603] * 9)
    scheduler.bot.session.faults.append(
        TelegramForbiddenError(method=None, message="Forbidden: bot was blocked by the user")  # type: ignore[arg-type]
    )
    while (await scheduler.deliver()).sent:
        pass
    assert len(sends_to(scheduler, 603)) == 1
    statuses = {m.status for m in await scheduler.ledger() if m.kind == "test"}
    assert statuses == {OutboxStatus.UNREACHABLE}


async def test_a_chat_another_worker_is_sending_to_is_left_to_it(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two schedulers: one claims a chat's first three messages between the other's look at
    what waits and its look at the chat. The other judges the chat on what it reads then, in
    one statement (the first row is being sent), and takes none of the chat's later rows."""
    await queue(session, clock, [701] * 6 + [702])
    async with scheduler.pool() as first_worker:
        taken = await claim_due(first_worker, clock.now())
    assert [m.text for m in taken if m.chat_id == 701] == ["№0", "№1", "№2"]

    async def stale(_session: AsyncSession, _now: object) -> dict[int, int]:
        return {}  # read before the first worker's claim

    monkeypatch.setattr(outbox, "_held_chats", stale)
    async with scheduler.pool() as second_worker:
        assert await claim_due(second_worker, clock.now()) == []


async def test_once_a_chats_row_is_lost_to_another_its_later_rows_are_not_taken(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler takes a chat's first message between the claim's look and its update: the
    claim does not take the chat's second and third (they would go before or beside the
    first), and the other chats' rows are taken as ever."""
    await queue(session, clock, [801, 801, 801, 802])
    real = outbox.rowcount
    taken: list[int] = []

    def counted(result: Any) -> int:
        won = real(result) if taken else 0  # the first update: the handler has the row
        taken.append(won)
        return won

    monkeypatch.setattr(outbox, "rowcount", counted)
    async with scheduler.pool() as worker:
        claimed = await claim_due(worker, clock.now())
    assert [m.text for m in claimed] == ["№3"]
    assert taken == [0, 1]  # №0 lost, №1 and №2 not tried, №3 won


async def test_a_chats_long_backlog_is_read_once_a_claim(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim reads the due rows a page at a time and at most so many; one chat's backlog
    ahead of everyone (here ten rows, pages of two, four rows at most) is not read page after
    page until that bound, which left the other chats unserved."""
    monkeypatch.setattr(outbox, "CLAIM_PAGE", 2)
    monkeypatch.setattr(outbox, "CLAIM_SCAN", 4)
    await queue(session, clock, [901] * 10 + [902])
    async with scheduler.pool() as worker:
        claimed = await claim_due(worker, clock.now())
    assert [(m.chat_id, m.text) for m in claimed] == [
        (901, "№0"),
        (901, "№1"),
        (901, "№2"),
        (902, "№10"),
    ]
