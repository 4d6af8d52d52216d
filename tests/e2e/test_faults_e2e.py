"""Faults with the real bot process: Telegram misbehaving on every method while people register,
and the process killed (SIGKILL) in the middle of a registration, half-filled form in Redis."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

from bot.emulator import Chaos, FakeTelegram, FakeUser, timeout_fault
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.e2e.test_onboarding_e2e import give_consent_and_profile, row

DONE = "Спасибо, регистрация завершена!"


async def answer_mentee_questionnaire(user: FakeUser) -> None:
    await user.expect_and_press("В какой роли", "Наставляемый")
    difficulties = await user.expect("профессиональные затруднения")
    await user.press(difficulties, "Оценивание")
    await user.press(difficulties, "Готово")
    await user.expect_and_press("Есть ли другие затруднения", "Пропустить")
    await user.expect("Чему вы хотели бы научиться")
    await user.send("Вести практические занятия интереснее")


def duplicates(telegram: FakeTelegram, chat_id: int) -> list[str]:
    counts = Counter(m.text for m in telegram.chat(chat_id))
    return [text[:60] for text, n in counts.items() if n > 1]


async def test_with_telegram_failing_a_fifth_of_all_calls_every_message_arrives_once(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    """429s, 500/502s and calls that hang past the bot's timeout, at random on every method
    (sendMessage, editMessage*, answerCallbackQuery, setMyCommands…): each reply is retried
    until it gets through, and none is shown twice."""
    bot = BotProcess(
        telegram,
        tmp_path / "e2e.db",
        tmp_path / "bot.log",
        extra_env={"TELEGRAM_REQUEST_TIMEOUT": "1"},
    )
    telegram.chaos = Chaos(rate=0.2, seed=20261125, hang=1.5)
    await bot.start()
    try:
        curator = telegram.user(CURATOR_ID, "Куратор")
        teacher = telegram.user(3001, "Мария")
        await give_consent_and_profile(teacher, "Иванова Мария Петровна")
        await answer_mentee_questionnaire(teacher)
        forms = await teacher.expect("Какие формы наставничества вам подходят")
        await teacher.press(forms, "Традиционное")
        await teacher.press(forms, "Готово")
        await teacher.expect(DONE, timeout=30)
        await curator.expect("Новая регистрация", timeout=30)
        await telegram.settle(idle=2, timeout=60)
    finally:
        await bot.stop()
    assert telegram.chaos.chaotic >= 10, "the run must really have met failures"
    assert duplicates(telegram, teacher.user_id) == []
    assert len([m for m in telegram.chat(teacher.user_id) if DONE in m.text]) == 1
    assert len([m for m in telegram.chat(CURATOR_ID) if "Новая регистрация" in m.text]) == 1
    assert row(
        str(bot.database), "SELECT status FROM participants WHERE telegram_id = ?", 3001
    ) == ("active",)
    log = bot.log_text()
    assert "retrying in" in log  # the retries are visible to whoever runs the bot
    assert_no_traceback(log)
    assert " ERROR " not in log, log


# --- SIGKILL in the middle of a registration (FSM in Redis) --------------------------------


async def test_killed_between_two_answers_the_form_goes_on_after_the_restart(
    telegram: FakeTelegram, tmp_path: Path, redis_env: dict[str, str], user_id: int
) -> None:
    bot = BotProcess(telegram, tmp_path / "e2e.db", tmp_path / "bot.log", extra_env=redis_env)
    await bot.start()
    teacher = telegram.user(user_id, "Мария")
    await teacher.send("/start")
    await teacher.expect_and_press("Согласие на обработку персональных данных", "Согласен")
    await teacher.expect("Ваши фамилия, имя, отчество")
    await teacher.send("Иванова Мария Петровна")
    await teacher.expect("Ваша должность")
    await teacher.send("преподаватель")
    await teacher.expect("предметно-цикловая комиссия")
    await bot.kill()  # a crash, or the machine restarted, while she was thinking

    # Nothing half-written: the answers so far live only in the form, not in the database.
    assert row(
        str(bot.database), "SELECT full_name FROM participants WHERE telegram_id = ?", user_id
    ) == (None,)

    await bot.start()
    await teacher.send("ПЦК информационных технологий")  # the next answer, as if nothing happened
    await teacher.expect("Дисциплины, которые вы преподаёте")
    await teacher.send("Информатика")
    await teacher.expect("Педагогический стаж")
    await teacher.send("2")
    await teacher.expect_and_press("квалификационная категория", "Первая категория")
    await answer_mentee_questionnaire(teacher)
    forms = await teacher.expect("Какие формы наставничества вам подходят")
    await teacher.press(forms, "Традиционное")
    await teacher.press(forms, "Готово")
    await teacher.expect(DONE)
    await bot.stop()
    assert row(
        str(bot.database),
        "SELECT status, full_name, position, department FROM participants WHERE telegram_id = ?",
        user_id,
    ) == ("active", "Иванова Мария Петровна", "преподаватель", "ПЦК информационных технологий")
    assert_no_traceback(bot.log_text())


async def test_killed_while_answering_the_last_step_no_half_registration_and_she_goes_on(
    telegram: FakeTelegram, tmp_path: Path, redis_env: dict[str, str], user_id: int
) -> None:
    """The process dies inside the last step's handler (its reply hangs in Telegram). After the
    restart she is either registered or still at the last step; pressing again finishes it,
    and the database holds one complete registration."""
    bot = BotProcess(telegram, tmp_path / "e2e.db", tmp_path / "bot.log", extra_env=redis_env)
    await bot.start()
    teacher = telegram.user(user_id, "Мария")
    await give_consent_and_profile(teacher, "Иванова Мария Петровна")
    await answer_mentee_questionnaire(teacher)
    forms = await teacher.expect("Какие формы наставничества вам подходят")
    await teacher.press(forms, "Традиционное")
    forms = telegram.messages[forms.message_id]  # as it stands now, with the tick

    hang = timeout_fault(hang=60, chat_id=user_id)
    telegram.faults.append(hang)
    calls = len(telegram.calls)
    pressing = asyncio.create_task(teacher.press(forms, "Готово"))
    await telegram.wait_for(lambda: hang not in telegram.faults)  # the bot is inside the step
    assert len(telegram.calls) > calls
    await bot.kill()
    pressing.cancel()

    await bot.start()
    await telegram.settle(idle=1)
    if not [m for m in telegram.chat(user_id) if DONE in m.text]:
        await teacher.press(telegram.messages[forms.message_id], "Готово")
        await telegram.settle(idle=1)
    teacher.seen = max(m.message_id for m in telegram.chat(user_id))  # only what comes next
    await teacher.send("/profile")
    card = await teacher.expect("Иванова Мария Петровна")
    assert "преподаватель" in card.text
    await telegram.settle(idle=0.5)
    await bot.stop()
    with sqlite3.connect(bot.database) as db:
        people = db.execute(
            "SELECT status, full_name FROM participants WHERE telegram_id = ?", (user_id,)
        ).fetchall()
        profiles = db.execute("SELECT count(*) FROM mentee_profiles").fetchone()
    assert people == [("active", "Иванова Мария Петровна")]
    assert profiles == (1,)
    assert_no_traceback(bot.log_text())


async def test_a_stop_lets_the_update_in_flight_finish_before_redis_closes(
    telegram: FakeTelegram, tmp_path: Path, redis_env: dict[str, str], user_id: int
) -> None:
    """SIGTERM (a deploy) while a reply is stuck in Telegram for two seconds: the update is
    finished — its reply retried and delivered — before the FSM storage and database close."""
    bot = BotProcess(telegram, tmp_path / "e2e.db", tmp_path / "bot.log", extra_env=redis_env)
    await bot.start()
    teacher = telegram.user(user_id, "Мария")
    await teacher.send("/start")
    consent = await teacher.expect("Согласие на обработку персональных данных")
    stuck = timeout_fault("sendMessage", hang=2, chat_id=user_id)
    telegram.faults.append(stuck)
    pressing = asyncio.create_task(teacher.press(consent, "Согласен"))
    await telegram.wait_for(lambda: stuck not in telegram.faults)  # the reply is stuck
    assert await bot.stop() == 0
    await pressing
    assert [m for m in telegram.chat(user_id) if "Ваши фамилия, имя, отчество" in m.text]
    assert row(str(bot.database), "SELECT count(*) FROM consents WHERE withdrawn_at IS NULL") == (
        1,
    )
    assert_no_traceback(bot.log_text())
