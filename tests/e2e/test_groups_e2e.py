"""Over HTTP, a group step by step (issue #14): one mentor and two mentees are approved by one
order and agree a programme; a third mentee joins the approved group (their consent, then a
supplementary order); one activity is changed by a proposal all four agree to (§10.2); each
mentee reports their own part and the mentor confirms each; the programme completes only when
the mentor and all three mentees have agreed."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import FakeTelegram, FakeUser
from models.database import create_engine, create_session_pool, upgrade_database
from models.names import Case, decline
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.factories import make_mentor, make_teacher
from tests.story import iso, on

MENTOR, FIRST, SECOND, THIRD = 3201, 3202, 3203, 3204
NAMES = {FIRST: "Петрова Анна", SECOND: "Козлова Вера", THIRD: "Новикова Ольга"}


@pytest.fixture
async def seeded_bot(telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    database = tmp_path / "e2e.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_database(engine)
    async with create_session_pool(engine)() as session:
        for telegram_id, name in NAMES.items():
            await make_teacher(
                session, telegram_id=telegram_id, full_name=name, subjects="Информатика"
            )
        mentor = await make_mentor(
            session, telegram_id=MENTOR, full_name="Сидоров Иван", subjects="Информатика"
        )
        mentor.mentor_profile.capacity = 3
        await session.commit()
    await engine.dispose()
    bot = BotProcess(telegram, database, tmp_path / "bot.log")
    await bot.start()
    yield bot
    await bot.stop()
    log = bot.log_text()
    assert_no_traceback(log)
    assert " ERROR " not in log, log


async def pick_mentor(telegram: FakeTelegram, curator: FakeUser, mentee: str, button: str) -> None:
    """/pair → the mentee → a button of the ranked mentors (the same message, edited)."""
    await curator.send("/pair")
    choice = await curator.expect_and_press("Выберите наставляемого", mentee)
    await telegram.wait_for(lambda: "лучшие совпадения сверху" in choice.text)
    await curator.press(choice, button)


async def propose_to_group(telegram: FakeTelegram, curator: FakeUser, mentee: str) -> None:
    """«Add to group» of the mentor's open pair, then send."""
    await pick_mentor(telegram, curator, mentee, "добавить в группу")
    whom = decline(mentee, Case.ACCUSATIVE)  # «Добавить Козлову Веру в группу»
    await curator.expect_and_press(f"Добавить <b>{whom}</b> в группу", "Отправить предложение")


async def step_1_a_group_of_two_is_approved(telegram, curator, mentor, first, second) -> None:  # type: ignore[no-untyped-def]
    await pick_mentor(telegram, curator, NAMES[FIRST], "1. Сидоров Иван")
    await curator.expect_and_press("Формы наставничества для этой пары", "Готово")
    await curator.expect_and_press("Тип пары", "преподаватель – преподаватель")
    await curator.expect_and_press("Проверьте предложение", "Отправить предложение")
    await propose_to_group(telegram, curator, NAMES[SECOND])
    for person in (mentor, first, second):
        await person.expect_and_press("Куратор предлагает наставническую пару", "Согласен")
    await curator.expect_and_press("Все согласны", "Утвердить приказом")
    await curator.expect("Номер приказа")
    await curator.send("62-н")
    await curator.expect("Дата приказа")
    await curator.send(on("15.09.2026"))
    for person in (first, second):
        await person.expect(f"утверждена приказом № 62-н от {on('15.09.2026')}")


async def step_2_the_programme_is_agreed_by_both_mentees(curator, mentor, first, second) -> None:  # type: ignore[no-untyped-def]
    await mentor.send("/programme")
    for prompt, answer in (
        ("Цель программы", "Освоить методику практических занятий"),
        ("Выявленные профессиональные затруднения", "Планирование занятий"),
        ("Сильные стороны наставляемого", "Цифровые инструменты"),
    ):
        await mentor.expect(prompt)
        await mentor.send(answer)
    await mentor.expect_and_press("Формы наставничества для этой пары", "Готово")
    await mentor.expect("Дата начала программы")
    await mentor.send(on("01.09.2026"))
    await mentor.expect("Дата окончания")
    await mentor.send(on("31.12.2026"))
    draft = await mentor.expect("Сохранено. Теперь добавьте мероприятия")
    await mentor.press(draft, "Добавить мероприятие")
    await mentor.expect("Название мероприятия")
    await mentor.send("Открытый урок")
    await mentor.expect_and_press("Краткое описание", "Пропустить")
    await mentor.expect("Срок выполнения мероприятия")
    await mentor.send(on("15.10.2026"))
    await mentor.expect_and_press("Кто ответственный", "наставляемый")
    await mentor.expect_and_press("Ожидаемый результат", "Пропустить")
    draft = await mentor.expect("Мероприятие добавлено")
    await mentor.press(draft, "Отправить наставляемому")
    await first.expect_and_press("Наставник составил(а) проект", "Согласен")
    await second.expect_and_press("Наставник составил(а) проект", "Согласен")
    await curator.expect_and_press("Программа согласована", "Утвердить программу")
    for person in (first, second):
        await person.expect("Куратор утвердил(а) программу")


async def step_3_a_third_mentee_joins_by_consent_and_order(telegram, curator, third) -> None:  # type: ignore[no-untyped-def]
    await propose_to_group(telegram, curator, NAMES[THIRD])
    await third.expect_and_press("Куратор предлагает наставническую пару", "Согласен")
    await third.send("/plan")
    await third.expect("Программы пока нет")  # agreed, but no order covers them yet
    await curator.expect_and_press("согласен(на) войти в группу", "Ввести приказ")
    await curator.expect("Номер приказа")
    await curator.send("71-н")
    await curator.expect("Дата приказа")
    await curator.send(on("01.10.2026"))
    await curator.expect("Новый участник включён в группу")
    await third.expect("Вы включены в группу наставничества")


async def step_4_an_activity_is_changed_by_everyones_consent(  # type: ignore[no-untyped-def]
    curator, mentor, first, second, third
) -> None:
    """§10.2: the first mentee proposes a later deadline; it takes effect only when the mentor
    and each of the other two mentees (the newcomer included) have agreed."""
    await first.send("/plan")
    await first.expect_and_press("Персонализированная программа", "Предложить изменение")
    await first.expect_and_press("Что изменить в программе", "Изменить мероприятие")
    await first.expect_and_press("Какое мероприятие", "Открытый урок")
    await first.expect_and_press("Что изменить в «Открытый урок»", "Срок")
    await first.expect("Новый срок")
    await first.send(on("20.10.2026"))
    await first.expect("Зачем нужно изменение")
    await first.send("Урок перенесли")
    await first.expect_and_press("Отправить предложение об изменении", "Отправить")
    await first.expect("Отправлено остальным: изменение")
    for person in (mentor, second, third):
        proposal = await person.expect("Предложено изменение вашей программы")
        assert f"Срок: {on('15.10.2026')} → {on('20.10.2026')}" in proposal.text
        await person.press(proposal, "Согласен")
    for person in (mentor, first, second, third):
        await person.expect("Все согласились: изменение внесено")
    await curator.expect("Пара приняла решение об изменении программы")


async def step_5_each_mentee_reports_their_own_part(mentor, mentees) -> None:  # type: ignore[no-untyped-def]
    for number, mentee in enumerate(mentees, 1):
        await mentee.send("/done")
        await mentee.expect_and_press("Какое мероприятие выполнено", "Открытый урок")
        await mentee.expect("Что сделано?")
        await mentee.send(f"Провела урок, часть {number}")
        await mentee.expect_and_press("Приложите подтверждение", "Пропустить")
        await mentor.expect_and_press(f"Провела урок, часть {number}", "Подтвердить")
        await mentee.expect("Наставник подтвердил(а) выполнение: «Открытый урок»")
        if number < len(mentees):
            await mentor.send("/plan")
            await mentor.expect("░░░░░░░░ 0 %")  # the group's activity waits for the others


async def step_6_completion_needs_all_three(telegram, mentor, mentees) -> None:  # type: ignore[no-untyped-def]
    *others, last = mentees
    for person in (mentor, *others):
        offer = await person.expect_and_press(
            "Все мероприятия плана подтверждены", "Завершить программу"
        )  # the offer shows the outcome in place
        await telegram.wait_for(
            lambda offer=offer: "когда согласятся наставник и каждый" in offer.text
        )
    await last.expect_and_press("Все мероприятия плана подтверждены", "Завершить программу")
    for person in (mentor, *mentees):
        await person.expect("Поздравляем: программа завершена")


async def test_a_group_grows_reports_separately_and_completes_together(
    telegram: FakeTelegram, seeded_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Куратор")
    mentor = telegram.user(MENTOR, "Иван")
    first, second, third = (telegram.user(t) for t in (FIRST, SECOND, THIRD))
    await step_1_a_group_of_two_is_approved(telegram, curator, mentor, first, second)
    await step_2_the_programme_is_agreed_by_both_mentees(curator, mentor, first, second)
    await step_3_a_third_mentee_joins_by_consent_and_order(telegram, curator, third)
    await step_4_an_activity_is_changed_by_everyones_consent(curator, mentor, first, second, third)
    await step_5_each_mentee_reports_their_own_part(mentor, [first, second, third])
    await step_6_completion_needs_all_three(telegram, mentor, [first, second, third])

    with sqlite3.connect(seeded_bot.database) as db:
        assert db.execute("SELECT status, end_reason, revision FROM programmes").fetchone() == (
            "completed",
            "plan_done",
            2,
        )
        assert db.execute("SELECT deadline FROM activities").fetchone() == (iso("20.10.2026"),)
        parts = db.execute(
            "SELECT p.telegram_id, a.status, a.report_comment FROM activity_progress a "
            "JOIN participants p ON p.id = a.mentee_id ORDER BY p.telegram_id"
        ).fetchall()
        assert parts == [
            (FIRST, "confirmed", "Провела урок, часть 1"),
            (SECOND, "confirmed", "Провела урок, часть 2"),
            (THIRD, "confirmed", "Провела урок, часть 3"),
        ]
        assert db.execute(
            "SELECT p.telegram_id, m.order_number, m.order_date FROM pair_members m "
            "JOIN participants p ON p.id = m.mentee_id WHERE m.joined_at IS NOT NULL"
        ).fetchall() == [(THIRD, "71-н", iso("01.10.2026"))]
