"""Typed answers where a button is expected are understood, or the buttons come again."""

from __future__ import annotations

from collections.abc import Callable

from tests.driver import Person, buttons, said, texts
from tests.handlers.flows import give_consent


async def test_a_typed_choice_is_taken_as_if_tapped(person: Callable[..., Person]) -> None:
    teacher = person(5301)
    await give_consent(teacher)
    for answer in ("Зайцева Мария Андреевна", "преподаватель", "ПЦК информатики", "Химия", "2"):
        await teacher.send(answer)
    # Not an option: the same question again, with its buttons and one line on what to do.
    again = await teacher.send("не знаю")
    assert said(again, "Пожалуйста, выберите вариант кнопкой ниже")
    assert "Без категории" in [label for label, _data in buttons(teacher.last_markup()[1])]
    # The label typed in any case is the answer; the next question follows.
    taken = await teacher.send("без КАТЕГОРИИ")
    assert said(taken, "Квалификационная категория: Без категории")
    assert not said(taken, "Пожалуйста, выберите вариант")
    assert len(texts(taken)) == 2  # the answer and the next question (the role)
    # The start of exactly one label is enough.
    assert said(await teacher.send("наставляемый"), "Роль: Наставляемый")
