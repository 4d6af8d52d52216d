"""A message shows the state it leads to: after a decision the message that carried the
buttons is edited to the outcome, who decided and when; the plan is re-rendered in place."""

from __future__ import annotations

import re
from typing import Any

from aiogram.methods import EditMessageText, TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.driver import Person, buttons
from tests.handlers.flows import draft_programme, form_pair

WHEN = r"\d\d\.\d\d\.\d{4} \d\d:\d\d"


def edits(replies: list[TelegramMethod[Any]], chat_id: int) -> list[EditMessageText]:
    return [r for r in replies if isinstance(r, EditMessageText) and r.chat_id == chat_id]


def edited_to(replies: list[TelegramMethod[Any]], person: Person, outcome: str, who: str) -> str:
    """The edit of the pressed message: the outcome line with who and when, no buttons left
    (or the new ones)."""
    pattern = re.escape(outcome) + r"[^\n]* — " + re.escape(who) + ", " + WHEN
    for edit in edits(replies, person.user_id):
        if re.search(pattern, edit.text):
            return edit.text
    raise AssertionError(
        f"no edit «{outcome} — {who}, …» in {[e.text for e in edits(replies, person.user_id)]}"
    )


async def test_every_decision_edits_its_message_to_the_outcome(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)  # checks the order's «✅ Пара утверждена приказом»
    await draft_programme(mentor, activities=3)
    replies = await mentor.press("Отправить наставляемому")
    edited_to(replies, mentor, "📨 Отправлено наставляемому", "Сидоров Иван")

    replies = await mentee.press("Согласен")
    edited_to(replies, mentee, "✅ Программа согласована", "Петрова Анна")
    replies = await curator.press("Утвердить программу")
    edited_to(replies, curator, "✅ Программа утверждена", "Куратор")

    for number in (1, 2):
        await mentee.send("/done")
        await mentee.press(f"Мероприятие {number}")
        await mentee.send("Провела")
        await mentee.press("Пропустить")
    # On the notice about the report: the notice keeps its text and gets the outcome.
    replies = await mentor.press("Подтвердить")
    text = edited_to(replies, mentor, "✅ Подтверждено: «Мероприятие 2»", "Сидоров Иван")
    assert "▓" not in text
    # On the plan: the plan itself is re-rendered with the new figures and buttons.
    await mentor.send("/plan")
    replies = await mentor.press("Подтвердить 1", on_message=True)
    text = edited_to(replies, mentor, "✅ Подтверждено: «Мероприятие 1»", "Сидоров Иван")
    assert "(2 из 3)" in text
    markup = edits(replies, mentor.user_id)[-1].reply_markup
    assert markup is not None
    assert not any("Подтвердить 1" in b.text for row in markup.inline_keyboard for b in row)


async def test_pair_answers_edit_the_consent_message(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _weak = people
    await curator.send("/pair")
    await curator.press("Петрова")
    await curator.press("1. Сидоров")
    await curator.press("Готово")
    await curator.press("преподаватель – молодой преподаватель")
    await curator.press("Отправить предложение")
    replies = await mentor.press("Согласен")
    edited_to(replies, mentor, "✅ Согласие дано", "Сидоров Иван")
    await mentee.press("Отказываюсь")
    replies = await mentee.press("Пропустить")
    edited_to(replies, mentee, "✖ Отказ", "Петрова Анна")


async def test_a_stale_copy_is_edited_to_what_it_came_to(people, curator: Person) -> None:
    """Another curator's copy of «Утвердить программу» pressed after the first approved it:
    the alert says so and the copy loses its buttons and shows the state."""
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await draft_programme(mentor, activities=1)
    await mentor.press("Отправить наставляемому")
    await mentee.press("Согласен")
    data = next(d for label, d in buttons(curator.last_markup()[1]) if "Утвердить" in label)
    await curator.press_data(data)
    replies = await curator.press_data(data, text="Программа согласована и ждёт утверждения")
    stale = edits(replies, curator.user_id)
    assert stale
    assert "Уже решено" in stale[-1].text
    assert stale[-1].reply_markup is None
    assert stale[-1].text.startswith("Программа согласована и ждёт утверждения")
