"""Simulated teachers register over HTTP by pressing the buttons the real bot sent."""

from __future__ import annotations

import sqlite3

from bot.emulator import FakeTelegram, FakeUser
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess


async def give_consent_and_profile(user: FakeUser, name: str) -> None:
    await user.send("/start")
    await user.expect("помощник программы наставничества")
    await user.expect_and_press("Согласие на обработку персональных данных", "Согласен")
    await user.expect("Ваши фамилия, имя, отчество")
    await user.send(name)
    await user.expect("Ваша должность")
    await user.send("преподаватель")
    await user.expect("предметно-цикловая комиссия")
    await user.send("ПЦК информационных технологий")
    await user.expect("Дисциплины, которые вы преподаёте")
    await user.send("Информатика")
    await user.expect("Педагогический стаж")
    await user.send("два")
    await user.expect("целое число от 0 до 60")
    await user.send("2")
    await user.expect_and_press("квалификационная категория", "Первая категория")


def row(database: str, query: str, *args: object) -> tuple:
    with sqlite3.connect(database) as connection:
        return connection.execute(query, args).fetchone()


async def test_a_mentee_registers_by_pressing_real_buttons(
    telegram: FakeTelegram, running_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Куратор")
    teacher = telegram.user(2001, "Мария")
    await give_consent_and_profile(teacher, "Иванова Мария Петровна")

    await teacher.expect_and_press("В какой роли", "Наставляемый")
    difficulties = await teacher.expect("профессиональные затруднения")
    await teacher.press(difficulties, "Планирование и проведение занятий")
    await teacher.press(difficulties, "Оценивание")
    assert sum("✅" in b["text"] for b in difficulties.buttons()) == 2
    await teacher.press(difficulties, "Готово")
    await teacher.expect_and_press("Есть ли другие затруднения", "Пропустить")
    await teacher.expect("Чему вы хотели бы научиться")
    await teacher.send("Вести практические занятия интереснее")
    forms = await teacher.expect("Какие формы наставничества вам подходят")
    await teacher.press(forms, "Традиционное")
    await teacher.press(forms, "Готово")
    await teacher.expect("Спасибо, регистрация завершена!")

    notice = await curator.expect("Новая регистрация")
    assert "Иванова Мария Петровна" in notice.text
    assert "Наставляемый" in notice.text
    assert difficulties.text.startswith("Затруднения: Планирование и проведение занятий")

    status, name = row(
        str(running_bot.database),
        "SELECT status, full_name FROM participants WHERE telegram_id = ?",
        2001,
    )
    assert (status, name) == ("active", "Иванова Мария Петровна")
    assert row(
        str(running_bot.database),
        "SELECT difficulties FROM mentee_profiles",
    ) == ('["lesson_design", "assessment"]',)


async def test_a_mentor_registers_and_the_curator_accepts(
    telegram: FakeTelegram, running_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Ольга")
    mentor = telegram.user(2002, "Иван")
    await give_consent_and_profile(mentor, "Сидоров Иван Андреевич")

    await mentor.expect_and_press("В какой роли", "Кандидат в наставники")
    await mentor.expect("компетенции и опыт как наставника")
    await mentor.send("Проектное обучение, подготовка к WorldSkills")
    await mentor.expect("Дисциплины или направления")
    await mentor.send("Информатика, программирование")
    forms = await mentor.expect("Какие формы наставничества вы можете предложить")
    await mentor.press(forms, "Групповое")
    await mentor.press(forms, "Виртуальное")
    await mentor.press(forms, "Готово")
    await mentor.expect("Скольких наставляемых")
    await mentor.send("11")
    await mentor.expect("Число должно быть от 1 до 10")
    await mentor.send("3")
    await mentor.expect_and_press("Согласие на осуществление наставнической", "Согласен")
    await mentor.expect("Вы дали согласие (редакция mentor-2026.1)")
    await mentor.expect("Спасибо, регистрация завершена!")

    notice = await curator.expect("Новая регистрация")
    assert "Сидоров Иван Андреевич" in notice.text
    await curator.press(notice, "Принять в банк наставников")
    await mentor.expect("Хорошая новость")
    await telegram.wait_for(lambda: "Решение: Ольга" in notice.text)
    assert notice.buttons() == []

    status, decided_by, capacity = row(
        str(running_bot.database),
        "SELECT status, decided_by_telegram_id, capacity FROM mentor_profiles",
    )
    assert (status, decided_by, capacity) == ("accepted", CURATOR_ID, 3)
    kinds = row(
        str(running_bot.database),
        "SELECT group_concat(kind || ':' || version, ',') FROM consents",
    )[0]
    assert set(kinds.split(",")) == {"personal_data:pd-2026.1", "mentoring:mentor-2026.1"}


async def test_withdrawal_erases_the_data_and_tells_the_curator(
    telegram: FakeTelegram, running_bot: BotProcess
) -> None:
    curator = telegram.user(CURATOR_ID, "Куратор")
    teacher = telegram.user(2003, "Елена")
    await give_consent_and_profile(teacher, "Смирнова Елена Викторовна")
    await teacher.expect_and_press("В какой роли", "Наставляемый")
    difficulties = await teacher.expect("профессиональные затруднения")
    await teacher.press(difficulties, "Готово")
    await teacher.expect("Есть ли другие затруднения")
    await teacher.send("Работа с родителями студентов")
    await teacher.expect("Чему вы хотели бы научиться")
    await teacher.send("Классному руководству")
    forms = await teacher.expect("Какие формы наставничества вам подходят")
    await teacher.press(forms, "Ситуационное")
    await teacher.press(forms, "Готово")
    await teacher.expect("регистрация завершена")
    await curator.expect("Новая регистрация")

    await teacher.send("/consent")
    menu = await teacher.expect("Ваши согласия")
    await teacher.press(menu, "Отозвать: Согласие на обработку")
    await telegram.wait_for(lambda: "будут удалены" in menu.text)
    await teacher.press(menu, "Да, отозвать")
    await telegram.wait_for(lambda: "персональные данные удалены" in menu.text)
    await curator.expect("Смирнова Елена Викторовна отозвал(а) согласие")

    database = str(running_bot.database)
    assert row(database, "SELECT status, full_name, position FROM participants") == (
        "withdrawn",
        None,
        None,
    )
    assert row(database, "SELECT count(*) FROM mentee_profiles") == (0,)
    with sqlite3.connect(database) as connection:
        dump = "\n".join(connection.iterdump())
    assert "Смирнова" not in dump
    assert "родителями" not in dump


async def test_commands_menus_are_set_on_start(
    telegram: FakeTelegram, running_bot: BotProcess
) -> None:
    scopes = {(c["scope"]["type"], c["language_code"]) for c in telegram.commands}
    assert scopes == {("default", None), ("default", "en"), ("chat", None), ("chat", "en")}
    methods = [method for method, _params in telegram.calls]
    assert methods.index("deletewebhook") < methods.index("getupdates")


async def test_a_stale_button_and_an_unknown_command_get_clear_replies(
    telegram: FakeTelegram, running_bot: BotProcess
) -> None:
    teacher = telegram.user(2004, "Пётр")
    await teacher.send("/start")
    consent = await teacher.expect("Согласие на обработку персональных данных")
    await teacher.press(consent, "Не согласен")
    await teacher.expect("не сохранено ничего, кроме идентификатора Telegram")
    await teacher.send("/frobnicate")
    await teacher.expect("Такой команды я не знаю")
    # The consent message lost its buttons; a forged press of the old data is refused.
    consent.reply_markup = {"inline_keyboard": [[{"text": "old", "callback_data": "md:1:1"}]]}
    query = await teacher.press(consent, "old")
    assert "больше не действует" in telegram.callback_answers[query]["text"]
