"""A region's deployment in miniature: two `python -m bot` workers in webhook mode on one
PostgreSQL database and one Redis, behind a round-robin "proxy". Both run the scheduler; each
reminder still reaches Telegram once, and a form goes on from one worker to the other."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.emulator import FakeTelegram, FakeUser
from models.database import create_engine, create_session_pool
from models.participant import Participant
from tests.conftest import POSTGRES_URL, REDIS_URL, reset_postgres
from tests.e2e.conftest import BotProcess, assert_no_traceback, seed_due_programme
from tests.e2e.test_faults_e2e import answer_mentee_questionnaire
from tests.e2e.test_webhook_e2e import SECRET, free_port, webhook_env

pytestmark = pytest.mark.skipif(
    POSTGRES_URL is None or REDIS_URL is None, reason="TEST_POSTGRES_URL / TEST_REDIS_URL not set"
)
MENTEE, MENTOR = 4201, 4202
FAST = {"SWEEP_INTERVAL_SECONDS": "0.3", "DELIVERY_INTERVAL_SECONDS": "0.2"}


@pytest.fixture
async def database() -> str:
    """A running programme on PostgreSQL whose first activity is due in three days."""
    assert POSTGRES_URL is not None
    await reset_postgres(POSTGRES_URL)
    await seed_due_programme(POSTGRES_URL, MENTEE, MENTOR)
    return POSTGRES_URL


class RoundRobin:
    """Sends each update to the next worker, as a reverse proxy in front of them would."""

    def __init__(self, telegram: FakeTelegram, urls: list[str]) -> None:
        self.telegram, self.urls, self.turn = telegram, urls, 0

    def next(self) -> None:
        self.telegram.webhook = (self.urls[self.turn % len(self.urls)], SECRET)
        self.turn += 1


async def test_two_workers_send_each_reminder_once_and_share_forms(
    telegram: FakeTelegram, tmp_path: Path, database: str, user_id: int
) -> None:
    assert REDIS_URL is not None
    workers, urls = [], []
    for number in range(2):
        port = free_port()
        urls.append(f"http://127.0.0.1:{port}/tg")
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            **webhook_env(port),
            **FAST,
        }
        log = tmp_path / f"worker-{number}.log"
        workers.append(BotProcess(telegram, tmp_path / "unused.db", log, extra_env=env))
    proxy = RoundRobin(telegram, urls)
    try:
        for worker in workers:
            await worker.start()
        reminders = {
            chat: lambda chat=chat: [m for m in telegram.chat(chat) if "осталось 3 дня" in m.text]
            for chat in (MENTEE, MENTOR)
        }
        await telegram.wait_for(lambda: reminders[MENTEE]() and reminders[MENTOR](), timeout=30)

        # Meanwhile a teacher registers; each of her updates goes to the other worker.
        teacher: FakeUser = telegram.user(user_id, "Мария")
        original_push = telegram.push_update

        async def via_proxy(update: dict) -> None:  # type: ignore[type-arg]
            proxy.next()
            await original_push(update)

        telegram.push_update = via_proxy  # type: ignore[method-assign]
        await teacher.send("/start")
        await teacher.expect_and_press("Согласие на обработку персональных данных", "Согласен")
        await teacher.expect("Ваши фамилия, имя, отчество")
        # Two answers at once, each to another worker: one waits for the other (a Redis lock per
        # person), so each lands in its own step. Which comes first is up to the network, as
        # with Telegram's parallel webhook connections (so both are answers of two words or more:
        # either may be taken as the full name).
        await asyncio.gather(
            teacher.send("Иванова Мария Петровна"), teacher.send("старший преподаватель")
        )
        for prompt, answer in (
            ("Ваша должность", None),
            ("предметно-цикловая комиссия", "ПЦК информационных технологий"),
            ("Дисциплины, которые вы преподаёте", "Информатика"),
            ("Педагогический стаж", "2"),
        ):
            await teacher.expect(prompt)
            if answer is not None:
                await teacher.send(answer)
        await teacher.expect_and_press("квалификационная категория", "Первая категория")
        await answer_mentee_questionnaire(teacher)
        forms = await teacher.expect("Какие формы наставничества вам подходят")
        await teacher.press(forms, "Традиционное")
        await teacher.press(forms, "Готово")
        await teacher.expect("Спасибо, регистрация завершена!")
        await asyncio.sleep(2)  # several more sweeps and deliveries in both workers
    finally:
        codes = [await worker.stop() for worker in workers]
    assert codes == [0, 0]
    assert len(reminders[MENTEE]()) == 1
    assert len(reminders[MENTOR]()) == 1
    delivered = [
        params
        for method, params in telegram.calls
        if method == "sendmessage" and "осталось 3 дня" in params["text"]
    ]
    assert len(delivered) == 2  # one HTTP call per reminder, from whichever worker claimed it
    engine = create_engine(database)
    async with engine.connect() as connection:
        statuses = (
            await connection.execute(text("SELECT status FROM outbox WHERE kind = 'deadline'"))
        ).scalars()
        assert sorted(statuses) == ["sent", "sent"]
    async with create_session_pool(engine)() as session:
        people = (
            await session.scalars(select(Participant).where(Participant.telegram_id == user_id))
        ).all()
    await engine.dispose()
    assert len(people) == 1
    # (taken as the full name, «старший преподаватель» is stored with capitals: models.fields)
    assert {(people[0].full_name or "").lower(), (people[0].position or "").lower()} == {
        "иванова мария петровна",
        "старший преподаватель",
    }
    assert (people[0].department, people[0].is_registered) == (
        "ПЦК информационных технологий",
        True,
    )
    for worker in workers:
        assert_no_traceback(worker.log_text())
        assert "handled" in worker.log_text()  # both workers took updates
