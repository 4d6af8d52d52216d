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
        if state == "people":
            pass
        elif state == "accepted":
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
    not_told: dict[int, str]  # who must not be told of it (what they must not read)
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
    await mentee.expect("Напишите вопрос наставнику")


async def propose_prepare(curator: FakeUser) -> None:
    await curator.send("/pair")
    choice = await curator.expect_and_press("Выберите наставляемого", "Петрова Анна")
    # the list is edited in place
    await curator.server.wait_for(lambda: "лучшие совпадения сверху" in choice.text)
    await curator.press(choice, "1. Сидоров Иван")
    await curator.expect_and_press("Формы наставничества для этой пары", "Готово")
    await curator.expect_and_press("Тип пары", "преподаватель – молодой преподаватель")
    await curator.expect("Проверьте предложение")


async def propose_decide(curator: FakeUser) -> None:
    summary = [m for m in curator.server.chat(curator.user_id) if "Проверьте" in m.text][-1]
    await curator.press(summary, "Отправить предложение")


KINDS = {
    "pair proposed (consent requests)": Kind(
        "people",
        propose_prepare,
        propose_decide,
        CURATOR_ID,
        {
            MENTOR: "Куратор предлагает наставническую пару",
            MENTEE: "Куратор предлагает наставническую пару",
        },
        {},
        "SELECT count(*) FROM pairs",
    ),
    "pair approved by order": Kind(
        "accepted",
        approve_prepare,
        lambda curator: curator.send("20.09.2026"),
        CURATOR_ID,
        {MENTOR: "утверждена приказом № 71-н", MENTEE: "утверждена приказом № 71-н"},
        {},
        "SELECT count(*) FROM audit_log WHERE action = 'pair.approve'",
    ),
    "replacement request rejected": Kind(
        "replacement asked",
        reject_prepare,
        lambda curator: curator.send("Поговорите сначала с наставником"),
        CURATOR_ID,
        {MENTEE: "отклонено: Поговорите сначала с наставником"},
        {MENTOR: "Обращение №"},  # the comment was written for the mentee (issue 14, part 6)
        "SELECT count(*) FROM audit_log WHERE action = 'request.rejected'",
    ),
    "question relayed to the mentor": Kind(
        "running",
        ask_prepare,
        lambda mentee: mentee.send("Как оценивать практические работы?"),
        MENTEE,
        {MENTOR: "спрашивает: Как оценивать практические работы?"},
        {},
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
    # the first process's scheduler does not deliver: only the handler could send the notices,
    # and it is stuck before them (the restarted process delivers as usual)
    bot = BotProcess(
        telegram, database, tmp_path / "bot.log", extra_env={"DELIVERY_INTERVAL_SECONDS": "600"}
    )
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
    )  # the decision is committed; the bot is stuck answering the decider
    for chat_id in kind.told:  # nobody was told yet
        assert not [m for m in telegram.chat(chat_id) if kind.told[chat_id] in m.text]
    await bot.kill()
    telegram.faults.remove(stuck)
    await telegram.give_back(decisive)  # its confirmation never reached Telegram

    bot.extra_env = {}
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
    for chat_id, fragment in kind.not_told.items():
        assert not [m.text for m in telegram.chat(chat_id) if fragment in m.text]
    with sqlite3.connect(database) as db:
        assert db.execute(kind.applied_once).fetchone() == (1,)
    log = bot.log_text()
    assert "was already processed: skipped" in log
    assert_no_traceback(log)
