"""Over HTTP: the curator pairs a mentee with the top-ranked mentor, both accept, the mentor
drafts a 3-activity plan, the mentee agrees, the curator approves, three reports are confirmed,
the programme completes and both answer the questionnaire; and a replacement."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import FakeTelegram, FakeUser
from models.database import create_engine, create_session_pool, upgrade_database
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.factories import make_mentor, make_teacher
from tests.story import iso, on

MENTEE, MENTOR, OTHER = 3101, 3102, 3103


@pytest.fixture
async def seeded_bot(telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    database = tmp_path / "e2e.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_database(engine)
    async with create_session_pool(engine)() as session:
        await make_teacher(
            session, telegram_id=MENTEE, full_name="Петрова Анна", subjects="Информатика"
        )
        strong = await make_mentor(
            session, telegram_id=MENTOR, full_name="Сидоров Иван", subjects="Информатика"
        )
        strong.mentor_profile.competences = "Методика занятий, цифровые инструменты"
        weak = await make_mentor(
            session, telegram_id=OTHER, full_name="Орлова Нина", subjects="История"
        )
        weak.mentor_profile.mentor_subjects = "История"
        await session.commit()
    await engine.dispose()
    bot = BotProcess(telegram, database, tmp_path / "bot.log")
    await bot.start()
    yield bot
    await bot.stop()
    log = bot.log_text()
    assert_no_traceback(log)
    assert " ERROR " not in log, log


async def form_pair(
    telegram: FakeTelegram, curator: FakeUser, mentee: FakeUser, mentor: FakeUser
) -> None:
    await curator.send("/pair")
    choice = await curator.expect_and_press("Выберите наставляемого", "Петрова Анна")
    await telegram.wait_for(lambda: "лучшие совпадения сверху" in choice.text)
    assert choice.text.index("Сидоров Иван") < choice.text.index("Орлова Нина")  # top-ranked first
    await curator.press(choice, "1. Сидоров Иван")
    await curator.expect_and_press("Формы наставничества для этой пары", "Готово")
    await curator.expect_and_press("Тип пары", "преподаватель – молодой преподаватель")
    await curator.expect_and_press("Проверьте предложение", "Отправить предложение")
    await mentor.expect_and_press("Куратор предлагает наставническую пару", "Согласен")
    await mentee.expect_and_press("Куратор предлагает наставническую пару", "Согласен")
    await curator.expect_and_press("Все согласны", "Утвердить приказом")
    await curator.expect("Номер приказа")
    await curator.send("62-н")
    await curator.expect("Дата приказа")
    await curator.send(on("15.09.2026"))
    await mentee.expect(f"утверждена приказом № 62-н от {on('15.09.2026')}")


async def draft_three_activities(mentor: FakeUser) -> None:
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
    for number in (1, 2, 3):
        await mentor.press(draft, "Добавить мероприятие")
        await mentor.expect("Название мероприятия")
        await mentor.send(f"Мероприятие {number}")
        await mentor.expect_and_press("Краткое описание", "Пропустить")
        await mentor.expect("Срок выполнения мероприятия")
        await mentor.send(on(f"1{number}.10.2026"))
        await mentor.expect_and_press("Кто ответственный", "наставляемый")
        if number == 1:
            await mentor.expect("Ожидаемый результат")
            await mentor.send("Конспекты трёх занятий")
        else:
            await mentor.expect_and_press("Ожидаемый результат", "Пропустить")
        draft = await mentor.expect("Мероприятие добавлено")
    assert "Выполнение: ░░░░░░░░ 0 % (0 из 3)" in draft.text
    assert "Ожидаемый результат: Конспекты трёх занятий" in draft.text
    await mentor.press(draft, "Отправить наставляемому")


async def test_a_programme_from_pairing_to_questionnaire(
    telegram: FakeTelegram, seeded_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Куратор")
    mentee, mentor = telegram.user(MENTEE, "Анна"), telegram.user(MENTOR, "Иван")
    await form_pair(telegram, curator, mentee, mentor)
    await draft_three_activities(mentor)
    await mentee.expect_and_press("Наставник составил(а) проект", "Согласен")
    await curator.expect_and_press("Программа согласована", "Утвердить программу")
    await mentee.expect("Куратор утвердил(а) программу")

    for number in (1, 2, 3):
        await mentee.send("/done")
        await mentee.expect_and_press("Какое мероприятие выполнено", f"Мероприятие {number}")
        await mentee.expect("Что сделано?")
        await mentee.send(f"Выполнено мероприятие {number}")
        await mentee.expect_and_press("Приложите подтверждение", "Пропустить")
        await mentor.expect_and_press("отметил(а) выполнение мероприятия", "Подтвердить")
        await mentee.expect(f"Наставник подтвердил(а) выполнение: «Мероприятие {number}»")

    await mentee.expect_and_press("Все мероприятия плана подтверждены", "Завершить программу")
    await mentor.expect_and_press("Все мероприятия плана подтверждены", "Завершить программу")
    for person in (mentee, mentor):
        await person.expect("Поздравляем: программа завершена")
        await person.expect_and_press("заполните короткую анкету", "Заполнить анкету")
        for number in (1, 2, 3, 4):
            await person.expect_and_press(f"Вопрос {number} из 4", "5" if person is mentee else "4")
        await person.expect_and_press("Хотите что-то добавить", "Пропустить")
        await person.expect("Спасибо! Ваши ответы")

    with sqlite3.connect(seeded_bot.database) as db:
        assert db.execute("SELECT status, end_reason FROM programmes").fetchone() == (
            "completed",
            "plan_done",
        )
        assert db.execute("SELECT status FROM pairs").fetchone() == ("closed",)
        assert db.execute(
            "SELECT count(*) FROM activities WHERE status = 'confirmed'"
        ).fetchone() == (3,)
        assert sorted(db.execute("SELECT role FROM survey_answers").fetchall()) == [
            ("mentee",),
            ("mentor",),
        ]
        assert db.execute("SELECT order_number, order_date FROM pairs").fetchone() == (
            "62-н",
            iso("15.09.2026"),
        )


async def test_an_activity_edited_by_a_proposal_everyone_agrees_to(
    telegram: FakeTelegram, seeded_bot: BotProcess
) -> None:
    """§10.2: the mentee proposes a new deadline for one activity of the approved programme,
    the mentor agrees, the change is applied as the programme's version 2."""
    curator = telegram.user(CURATOR_ID, "Куратор")
    mentee, mentor = telegram.user(MENTEE, "Анна"), telegram.user(MENTOR, "Иван")
    await form_pair(telegram, curator, mentee, mentor)
    await draft_three_activities(mentor)
    await mentee.expect_and_press("Наставник составил(а) проект", "Согласен")
    await curator.expect_and_press("Программа согласована", "Утвердить программу")
    await mentee.expect("Куратор утвердил(а) программу")

    await mentee.send("/plan")
    await mentee.expect_and_press("Персонализированная программа", "Предложить изменение")
    await mentee.expect_and_press("Что изменить в программе", "Изменить мероприятие")
    await mentee.expect_and_press("Какое мероприятие", "Мероприятие 2")
    await mentee.expect_and_press("Что изменить в «Мероприятие 2»", "Срок")
    await mentee.expect("Новый срок")
    await mentee.send(on("20.11.2026"))
    await mentee.expect("Зачем нужно изменение")
    await mentee.send("Открытый урок перенесли на ноябрь")
    summary = await mentee.expect_and_press("Отправить предложение об изменении", "Отправить")
    assert f"Срок: {on('12.10.2026')} → {on('20.11.2026')}" in summary.text
    sent = await mentee.expect("Отправлено остальным: изменение")
    assert f"Срок: {on('12.10.2026')} → {on('20.11.2026')}" in sent.text
    proposal = await mentor.expect("Предложено изменение вашей программы")
    assert f"Срок: {on('12.10.2026')} → {on('20.11.2026')}" in proposal.text
    assert "Петрова Анна: согласен(на)" in proposal.text
    assert "Сидоров Иван: ещё не ответил(а)" in proposal.text
    await mentor.press(proposal, "Согласен")
    await mentor.expect("Все согласились: изменение внесено")
    await mentee.expect("Все согласились: изменение внесено")
    await curator.expect("Пара приняла решение об изменении программы")

    with sqlite3.connect(seeded_bot.database) as db:
        assert db.execute("SELECT revision FROM programmes").fetchone() == (2,)
        assert db.execute(
            "SELECT deadline FROM activities WHERE title = 'Мероприятие 2'"
        ).fetchone() == (iso("20.11.2026"),)
        assert db.execute("SELECT status, revision FROM programme_changes").fetchone() == (
            "agreed",
            2,
        )


async def test_a_replacement_request_approved_with_a_new_mentor(
    telegram: FakeTelegram, seeded_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Куратор")
    mentee, mentor, other = (telegram.user(MENTEE), telegram.user(MENTOR), telegram.user(OTHER))
    await form_pair(telegram, curator, mentee, mentor)

    await mentee.send("/request")
    await mentee.expect_and_press("О чём вы хотите попросить куратора", "Заменить наставника")
    await mentee.expect("Укажите причину")
    await mentee.send("Не совпадают расписания")
    summary = await mentee.expect_and_press("Отправить обращение?", "Отправить обращение")
    # The summary itself becomes the outcome (bold kept: the markup came back as entities).
    await telegram.wait_for(lambda: "📨 Отправлено куратору" in summary.text, 15)
    assert summary.text.startswith("<b>Отправить обращение?</b>")
    assert not summary.buttons()
    await curator.expect_and_press("Новое обращение ждёт вашего решения", "Одобрить")
    await curator.expect("Ваш комментарий к решению")
    await curator.send("Подберём другого наставника")
    await mentee.expect("одобрено: Подберём другого наставника")
    await curator.expect_and_press("Выберите нового наставника", "Орлова Нина")
    await other.expect_and_press("Куратор предлагает вам стать наставником", "Согласен")
    await mentee.expect("Ваш новый наставник — Орлова Нина")
    await mentor.expect("продолжает другой наставник")

    with sqlite3.connect(seeded_bot.database) as db:
        (status,) = db.execute("SELECT status FROM requests").fetchone()
        (mentor_tg,) = db.execute(
            "SELECT p.telegram_id FROM pairs JOIN participants p ON p.id = pairs.mentor_id"
        ).fetchone()
        exclusions = db.execute("SELECT count(*) FROM pairing_exclusions").fetchone()
    assert (status, mentor_tg, exclusions) == ("approved", OTHER, (1,))
