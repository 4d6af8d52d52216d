"""A message shows the state it leads to: after a decision the message that carried the
buttons is edited to the outcome, who decided and when; the plan is re-rendered in place."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.curator.approvals import EntryAction, Verb
from models.approvals import BankRole
from models.enums import StaffRole
from tests.driver import Person, buttons, said, texts
from tests.factories import college_today, make_teacher
from tests.handlers.flows import draft_programme, form_pair
from tests.handlers.test_changes import group, propose_expected_result
from tests.staff_files import teachers, workbook

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
    _, notice = mentor.last_markup()
    confirm = next(data for label, data in buttons(notice) if label.startswith("Подтвердить"))
    replies = await mentor.press("Подтвердить")
    text = edited_to(replies, mentor, "✅ Подтверждено: «Мероприятие 2»", "Сидоров Иван")
    assert "▓" not in text
    # the same button once more (a double tap): what became of it, not «no report to check»
    again = await mentor.press_data(confirm)
    assert said(again, "Уже подтверждено")
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
    replies = await curator.press("Отправить предложение")
    edited_to(replies, curator, "📨 Предложение отправлено", "Куратор")
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


async def director_and_mentee(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> tuple[Person, int]:
    async with session_pool() as session:
        mentee = await make_teacher(session, full_name="Лебедева Ольга Игоревна")
        boss = await make_teacher(
            session, mentee=False, telegram_id=5801, full_name="Бондаренко Ирина Павловна"
        )
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    return person(5801), mentee.id


async def test_the_directors_bank_decisions_edit_the_entry(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    director, mentee_id = await director_and_mentee(session_pool, person)
    await director.send("/approvals")
    await director.press("Вернуть куратору")
    replies = await director.send("Нет даты приёма на работу")
    edited_to(replies, director, "↩ Возвращено куратору", "Бондаренко Ирина Павловна")
    await curator.send("/approvals")
    replies = await curator.press("Отправить директору снова")
    edited_to(replies, curator, f"📨 №{mentee_id} снова у директора", "Куратор")
    # Under a message too old to edit the approval is still taken, and shown as a new message.
    approve = EntryAction(verb=Verb.APPROVE, participant_id=mentee_id, role=BankRole.MENTEE)
    replies = await director.press_data(approve.pack(), old=True)
    assert not edits(replies, director.user_id)
    pattern = rf"✅ №{mentee_id} утверждён\(а\) директором — Бондаренко Ирина Павловна, {WHEN}"
    sent = [m.text for m in replies if isinstance(m, SendMessage) and m.chat_id == 5801]
    assert any(re.search(pattern, t) for t in sent), texts(replies)


async def test_an_approval_asked_under_an_old_message_still_asks_for_the_comment(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    director, mentee_id = await director_and_mentee(session_pool, person)
    ret = EntryAction(verb=Verb.RETURN, participant_id=mentee_id, role=BankRole.MENTEE)
    replies = await director.press_data(ret.pack(), old=True)
    assert said_to(replies, director, "Что куратору нужно исправить?")
    replies = await director.send("Нет даты приёма на работу")
    assert said_to(replies, director, "Возвращено куратору с вашим комментарием")


def said_to(replies: list[TelegramMethod[Any]], person: Person, fragment: str) -> bool:
    return any(
        isinstance(m, SendMessage) and m.chat_id == person.user_id and fragment in m.text
        for m in replies
    )


async def test_the_staff_list_applied_or_cancelled_shows_it(curator: Person) -> None:
    await curator.send_document(workbook(teachers(3)), "list.xlsx")
    replies = await curator.press("Применить")
    edited_to(replies, curator, "✅ Список применён", "Куратор")
    await curator.send_document(workbook(teachers(5)), "list.xlsx")
    replies = await curator.press("Отмена")
    edited_to(replies, curator, "✖ Отменено: список не изменился", "Куратор")


async def test_a_roadmap_event_and_the_roadmaps_approval_show_their_outcome(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    director, _mentee_id = await director_and_mentee(session_pool, person)
    await curator.send("/roadmap")
    await curator.press("Создать по Приложению 1")
    await curator.press("Этап 1")
    when = college_today() + timedelta(days=10)
    for confirm, outcome in (
        ("Создать и пригласить", "✅ Мероприятие создано; 1 приглашение отправляется"),
        ("Отмена", "✖ Отменено; ничего не создано"),
    ):
        await curator.press("Добавить мероприятие")
        await curator.send(f"{when:%d.%m.%Y} 14:00; ауд. 214; Установочная сессия")
        await curator.press("наставляемые")
        replies = await curator.press(confirm)
        edited_to(replies, curator, outcome, "Куратор")

    await director.send("/roadmap")
    replies = await director.press("Утвердить дорожную карту")
    text = edited_to(replies, director, "✅ Дорожная карта утверждена", "Бондаренко Ирина Павловна")
    assert "Утверждена директором" in text  # the roadmap re-rendered in place
    markup = edits(replies, director.user_id)[-1].reply_markup
    assert markup is not None
    assert not any("Утвердить" in label for label, _data in buttons(markup))


async def test_change_answers_and_the_withdrawal_edit_their_messages(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    _programme, (mentor, first, second) = await group(session_pool, person)
    await propose_expected_result(first)
    replies = await mentor.press("Согласен")
    edited_to(replies, mentor, "✅ Согласие дано", "Иванова Мария Петровна")
    await second.press("Не согласен")
    replies = await second.send("Мне важнее план урока")
    edited_to(replies, second, "✖ Не согласен(на)", "Иванова Мария Петровна")

    _programme, (_mentor, author, _second) = await group(session_pool, person)
    await propose_expected_result(author)
    replies = await author.press("Отозвать предложение")
    edited_to(replies, author, "↩ Отозвано", "Иванова Мария Петровна")


async def test_consents_show_what_was_answered(people, person: Callable[..., Person]) -> None:
    newcomer = person(7401, first_name="Мария")
    await newcomer.send("/start")
    replies = await newcomer.press("Согласен")
    edited_to(replies, newcomer, "✅ Согласие дано", "Мария")
    mentee, _mentor, _weak = people
    await mentee.send("/publicity")
    replies = await mentee.press("Не согласен")
    edited_to(replies, mentee, "✖ Отказ", "Петрова Анна")


async def test_a_summary_cancelled_under_an_old_message_says_so(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, full_name="Орлова Нина Викторовна")
    await curator.send(f"/role {teacher.id} куратор")
    _message_id, markup = curator.last_markup()
    cancel = next(data for label, data in buttons(markup) if "Отмена" in label)
    replies = await curator.press_data(cancel, old=True)
    assert said_to(replies, curator, "✖ Отменено; ничего не сделано.")
    assert not edits(replies, curator.user_id)


async def test_a_pair_proposal_cancelled_under_an_old_message_says_so(
    people, curator: Person
) -> None:
    await curator.send("/pair")
    await curator.press("Петрова")
    await curator.press("1. Сидоров")
    await curator.press("Готово")
    await curator.press("преподаватель – молодой преподаватель")
    _message_id, markup = curator.last_markup()
    cancel = next(data for label, data in buttons(markup) if "Отмена" in label)
    replies = await curator.press_data(cancel, old=True)
    assert said_to(replies, curator, "✖ Отменено, ничего не отправлено.")
