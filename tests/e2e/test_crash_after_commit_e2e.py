"""SIGKILL right after a decision's commit (issue 12, item 2), over HTTP with the real process.

The decision is committed, then the bot answers the person who decided — that answer hangs in
Telegram, so the process is inside the handler after the commit and before any notice went out
— and the process is killed (SIGKILL: no shutdown, no goodbye). Telegram never got the
confirmation of the update, so it delivers it again after the restart. Each notice of the
decision was written in the decision's own transaction: the restarted process's delivery sends
each exactly once, and the redelivered update is recognised as processed — the decision is not
applied a second time (one audit row, one stored message)."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator import FakeTelegram, FakeUser, Fault
from models.database import create_engine, create_session_pool, upgrade_database
from models.requests import create_request
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.factories import (
    actor,
    make_accepted_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
    notices_already_delivered,
)

MENTEE, MENTOR = 3201, 3202


async def seed(database: Path, state: str) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_database(engine)
    async with create_session_pool(engine)() as session:
        mentee = await make_teacher(session, telegram_id=MENTEE, full_name="Петрова Анна")
        mentor = await make_mentor(session, telegram_id=MENTOR, full_name="Сидоров Иван")
        if state == "accepted":
            await make_accepted_pair(session, mentee, mentor)
        else:
            programme = await make_running_programme(
                session, pair=await make_accepted_pair_approved(session, mentee, mentor)
            )
            if state == "replacement asked":
                await create_request(
                    session, actor(mentee), programme.pair_id, "replacement", reason="Расписание"
                )
        await notices_already_delivered(session)
    await engine.dispose()


async def make_accepted_pair_approved(session, mentee, mentor):  # type: ignore[no-untyped-def]
    from datetime import date

    from models.pairs import approve_pair
    from tests.factories import CURATOR

    pair = await make_accepted_pair(session, mentee, mentor)
    return await approve_pair(
        session, CURATOR, pair.id, order_number="62-н", order_date=date(2026, 9, 1)
    )


@dataclass
class Kind:
    state: str  # what is seeded
    prepare: Callable[[FakeUser], Awaitable[None]]  # the steps before the decisive one
    decide: Callable[[FakeUser], Awaitable[None]]  # the decisive step (its reply hangs)
    decider: int
    told: dict[int, str]  # recipient -> what they are told, exactly once
    not_told: list[int]
    applied_once: str  # SQL: a count that must be 1


async def approve_prepare(curator: FakeUser) -> None:
    await curator.send("/requests")
    await curator.expect_and_press("Все согласны", "Утвердить приказом")
    await curator.expect("Номер приказа")
    await curator.send("71-н")
    await curator.expect("Дата приказа")


async def reject_prepare(curator: FakeUser) -> None:
    await curator.send("/requests")
    await curator.expect_and_press("Обращение №", "Отклонить")
    await curator.expect("Ваш комментарий к решению")


async def ask_prepare(mentee: FakeUser) -> None:
    await mentee.send("/ask")
    await mentee.expect("Напишите сообщение")


KINDS = {
    "pair approved by order": Kind(
        "accepted",
        approve_prepare,
        lambda curator: curator.send("20.09.2026"),
        CURATOR_ID,
        {MENTOR: "утверждена приказом № 71-н", MENTEE: "утверждена приказом № 71-н"},
        [],
        "SELECT count(*) FROM audit_log WHERE action = 'pair.approve'",
    ),
    "replacement request rejected": Kind(
        "replacement asked",
        reject_prepare,
        lambda curator: curator.send("Поговорите сначала с наставником"),
        CURATOR_ID,
        {MENTEE: "отклонено: Поговорите сначала с наставником"},
        [MENTOR],  # the comment was written for the mentee (issue 14, part 6)
        "SELECT count(*) FROM audit_log WHERE action = 'request.rejected'",
    ),
    "question relayed to the mentor": Kind(
        "running",
        ask_prepare,
        lambda mentee: mentee.send("Как оценивать практические работы?"),
        MENTEE,
        {MENTOR: "спрашивает: Как оценивать практические работы?"},
        [],
        "SELECT count(*) FROM pair_messages",
    ),
}


@pytest.mark.parametrize("name", list(KINDS))
async def test_killed_right_after_the_commit_each_notice_arrives_once(
    telegram: FakeTelegram, tmp_path: Path, name: str
) -> None:
    kind = KINDS[name]
    database = tmp_path / "e2e.db"
    await seed(database, kind.state)
    bot = BotProcess(telegram, database, tmp_path / "bot.log")
    await bot.start()
    users = {
        CURATOR_ID: telegram.user(CURATOR_ID, "Куратор"),
        MENTEE: telegram.user(MENTEE),
        MENTOR: telegram.user(MENTOR),
    }
    decider = users[kind.decider]
    await kind.prepare(decider)

    stuck = Fault("*", 504, "Gateway Timeout", chat_id=kind.decider, hang=60, times=10_000)
    telegram.faults.append(stuck)
    seen = len(telegram.calls)
    await kind.decide(decider)
    decisive = telegram.pushed[-1]
    await telegram.wait_for(
        lambda: any(str(p.get("chat_id")) == str(kind.decider) for _m, p in telegram.calls[seen:]),
        timeout=30,
    )  # the decision is committed; the bot is answering the decider: no notice went out yet
    for chat_id in kind.told:
        assert not [m for m in telegram.chat(chat_id) if kind.told[chat_id] in m.text]
    await bot.kill()
    telegram.faults.remove(stuck)
    await telegram.give_back(decisive)  # its confirmation never reached Telegram

    await bot.start()
    try:
        for chat_id, fragment in kind.told.items():
            await telegram.wait_for(
                lambda c=chat_id, f=fragment: [m for m in telegram.chat(c) if f in m.text],
                timeout=30,
            )
        await telegram.settle(idle=3, timeout=30)  # two more delivery rounds: nothing again
    finally:
        await bot.stop()
    for chat_id, fragment in kind.told.items():
        told = [m.text for m in telegram.chat(chat_id) if fragment in m.text]
        assert len(told) == 1, (chat_id, told)
    for chat_id in kind.not_told:
        assert telegram.chat(chat_id) == [], [m.text for m in telegram.chat(chat_id)]
    with sqlite3.connect(database) as db:
        assert db.execute(kind.applied_once).fetchone() == (1,)
    log = bot.log_text()
    assert "was already processed: skipped" in log
    assert_no_traceback(log)
