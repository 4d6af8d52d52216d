"""The form engine (handlers/forms.py) answers every step of every kept form the same way: a
resumed step asks its own question, a text typed at a step of buttons brings the buttons back."""

from __future__ import annotations

from aiogram.fsm.state import StatesGroup

import handlers  # noqa: F401  (the routers, and with them every form, are built)
from handlers.drafts import FORM_NAMES
from handlers.forms import engine_step
from tests.driver import Person, buttons, said, texts
from tests.handlers.flows import form_pair

CONTINUE = "Продолжить с того места"


def _groups() -> dict[str, type[StatesGroup]]:
    found: dict[str, type[StatesGroup]] = {}
    pending = list(StatesGroup.__subclasses__())
    while pending:
        group = pending.pop()
        found[group.__full_group_name__] = group
        pending += group.__subclasses__()
    return found


def test_every_step_of_a_kept_form_runs_on_the_engine() -> None:
    """A form /cancel keeps is resumed by the engine at any step; only a summary waiting for
    «Send» (a broadcast's, a roadmap event's) is not a step."""
    groups = _groups()
    outside = [
        state.state
        for name in FORM_NAMES
        for state in groups[name].__all_states__
        if engine_step(state.state) is None
    ]
    assert sorted(str(name) for name in outside) == [
        "Broadcasting:confirming",
        "RoadmapEditing:confirming",
    ]


async def test_a_resumed_date_step_asks_its_own_question_with_its_button(
    people, curator: Person
) -> None:
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/meeting")
    await mentee.send("/cancel")
    await mentee.send("/start")

    resumed = texts(await mentee.press(CONTINUE))

    assert "Дата встречи (ДД.ММ.ГГГГ):" in resumed
    assert said(await mentee.press("Сегодня"), "Тема встречи")


async def test_text_typed_at_a_step_of_buttons_brings_the_buttons_back(curator: Person) -> None:
    await curator.send("/broadcast")
    await curator.send("Семинар в пятницу")

    replies = await curator.send("всем")

    assert said(replies, "выберите вариант кнопкой ниже")
    assert said(replies, "Кому отправить?")
    _, markup = curator.last_markup()
    assert "Всем" in [label for label, _data in buttons(markup)]
