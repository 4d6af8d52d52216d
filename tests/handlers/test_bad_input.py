"""Bad input gets a clear reply and never a crash, and the form keeps its place."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from aiogram.methods import AnswerCallbackQuery

from tests.conftest import CURATOR_ID
from tests.driver import Person, said
from tests.handlers.flows import fill_mentor, give_consent
from tests.mocked_bot import MockedBot


@pytest.fixture
async def at_name_step(person: Callable[..., Person]) -> Person:
    teacher = person(3001)
    await give_consent(teacher)
    return teacher


async def test_an_over_long_answer_is_refused_with_the_limit(at_name_step: Person) -> None:
    replies = await at_name_step.send("Я" * 151)
    assert said(replies, "Слишком длинно: не более 150 символов, а у вас 151.")
    assert said(await at_name_step.send("Иванова Мария"), "Ваша должность")


async def test_a_huge_message_is_refused_too(at_name_step: Person) -> None:
    await at_name_step.send("Иванова Мария")
    await at_name_step.send("преподаватель")
    await at_name_step.send("ПЦК")
    replies = await at_name_step.send("Информатика " * 400)
    assert said(replies, "не более 500 символов")


async def test_experience_must_be_a_number_in_range(at_name_step: Person) -> None:
    for answer in ("Иванова Мария", "преподаватель", "ПЦК", "Информатика"):
        await at_name_step.send(answer)
    assert said(await at_name_step.send("пять"), "целое число от 0 до 60")
    assert said(await at_name_step.send("75"), "Число должно быть от 0 до 60")
    assert said(await at_name_step.send("-1"), "Число должно быть от 0 до 60")
    assert said(await at_name_step.send("5"), "квалификационная категория")


async def test_a_name_with_digits_is_refused(at_name_step: Person) -> None:
    assert said(await at_name_step.send("12345"), "напишите ФИО буквами")


async def test_a_sticker_instead_of_text_is_explained(at_name_step: Person) -> None:
    assert said(await at_name_step.send_sticker(), "отправьте ответ текстом")


async def test_typing_where_a_button_is_expected_is_explained(at_name_step: Person) -> None:
    for answer in ("Иванова Мария", "преподаватель", "ПЦК", "Информатика", "3"):
        await at_name_step.send(answer)
    replies = await at_name_step.send("самая лучшая")
    assert said(replies, "выберите вариант кнопкой ниже")
    # A typed label (or its unique beginning) is understood as the button.
    assert said(await at_name_step.send("высшая"), "Квалификационная категория: Высшая")


async def test_an_unknown_command_inside_a_form_does_not_become_an_answer(
    at_name_step: Person,
) -> None:
    assert said(await at_name_step.send("/frobnicate"), "похоже на команду")


@pytest.mark.parametrize(
    "data",
    [
        "garbage",
        "fo:role:admin",
        "fo:qualification:doctor",
        "md:notanumber:1",
        "pd:1",
        "cs:withdraw:everything",
        "lang:de",
        "pr:edit:telegram_id",
        "x" * 64,
    ],
)
async def test_forged_or_stale_buttons_are_refused(at_name_step: Person, data: str) -> None:
    replies = await at_name_step.press_data(data)
    assert len(replies) == 1  # only the refusal: nothing sent, nothing edited
    assert isinstance(replies[0], AnswerCallbackQuery)
    assert replies[0].show_alert
    assert replies[0].text
    assert said(await at_name_step.send("Иванова Мария"), "Ваша должность")


async def test_a_button_from_an_earlier_step_is_refused(at_name_step: Person) -> None:
    for answer in ("Иванова Мария", "преподаватель", "ПЦК", "Информатика", "3"):
        await at_name_step.send(answer)
    await at_name_step.press("Высшая")
    replies = await at_name_step.press_data("fo:qualification:first")
    assert said(replies, "больше не действует")


async def test_unknown_commands_and_stray_messages(person: Callable[..., Person]) -> None:
    stranger = person(3002)
    assert said(await stranger.send("/frobnicate"), "Такой команды я не знаю")
    assert said(await stranger.send("Здравствуйте"), "отправьте /start")
    assert said(await stranger.send("/profile"), "Вы ещё не зарегистрированы")
    assert said(await stranger.send("/cancel"), "Отменять нечего")


async def test_update_log_has_kind_and_duration_but_no_personal_data(
    at_name_step: Person, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        await at_name_step.send("Секретова Тайна")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert len(lines) == 1
    assert " message handled in " in lines[0]
    assert lines[0].endswith(" ms")
    assert "Секретова" not in caplog.text


async def test_the_bot_stays_silent_in_group_chats(
    person: Callable[..., Person], bot: MockedBot
) -> None:
    in_group = person(3003, group_id=-100123)
    assert await in_group.send("/start") == []
    assert await in_group.send("Иванова Мария") == []
    assert await in_group.press_data("pd:1:pd-2026.1") == []
    assert bot.session.requests == []


async def test_the_longest_answers_still_fit_in_one_profile_message(
    person: Callable[..., Person],
) -> None:
    teacher = person(3004)
    await give_consent(teacher)
    for answer in ("Иванова Мария", "п" * 150, "к" * 150, "д" * 500, "3"):
        await teacher.send(answer)
    await teacher.press("Без категории")
    await teacher.press("И то, и другое")
    await teacher.press("Готово")
    await teacher.send("з" * 1000)
    await teacher.send("у" * 1000)
    await teacher.press("Групповое")
    await teacher.press("Готово")
    await teacher.send("м" * 1000)
    await teacher.send("н" * 500)
    await teacher.press("Групповое")
    await teacher.press("Готово")
    await teacher.send("2")
    replies = await teacher.press("Согласен")
    assert said(replies, "регистрация завершена")
    replies = await teacher.send("/profile")
    assert said(replies, "Анкета наставника")
    assert said(replies, "з" * 299 + "…")


async def test_markup_typed_by_a_person_is_shown_as_text(
    person: Callable[..., Person], bot: MockedBot
) -> None:
    teacher = person(3005)
    await give_consent(teacher)
    assert said(await teacher.send("<b>Иван</b>"), "напишите ФИО буквами")
    for answer in ("Иванов Иван", "преподаватель", "ПЦК <ИТ> & связи", "Информатика", "3"):
        await teacher.send(answer)
    await teacher.press("Без категории")
    await teacher.press("Кандидат в наставники")
    await fill_mentor(teacher)
    assert said(bot.session.requests, "ПЦК &lt;ИТ&gt; &amp; связи", chat_id=CURATOR_ID)
