"""Confirm before what cannot be taken back: deleting an activity, a role change (typed or from
the card); a stale confirmation is refused with an alert and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.curator.admin import RoleMenu
from models.enums import StaffRole
from models.participant import Participant
from models.programmes import Activity
from tests.driver import Person, said
from tests.factories import make_teacher
from tests.handlers.flows import draft_programme, form_pair
from tests.story import on


async def activities(session_pool: async_sessionmaker[AsyncSession]) -> int:
    async with session_pool() as session:
        return await session.scalar(select(func.count()).select_from(Activity)) or 0


async def test_an_activity_is_deleted_only_after_the_confirmation(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await draft_programme(mentor, activities=2)
    summary = await mentor.press("🗑 1.")
    assert said(summary, "Удалить мероприятие из проекта?")
    assert said(summary, f"«Мероприятие 1», до {on('11.10.2026')}")
    assert await activities(session_pool) == 2
    cancelled = await mentor.press("Отмена")
    assert said(cancelled, "Отменено; ничего не сделано")
    assert await activities(session_pool) == 2
    # «Удалить» of the cancelled summary is stale: an alert, nothing deleted.
    stale = await mentor.press_data(summary[-1].reply_markup.inline_keyboard[0][0].callback_data)
    assert said(stale, "Эта сводка уже закрыта")
    assert await activities(session_pool) == 2

    await mentor.send("/programme")
    await mentor.press("🗑 1.")
    replies = await mentor.press("Удалить")
    assert await activities(session_pool) == 1
    assert said(replies, "🗑 Удалено. — Сидоров Иван")
    # The draft the 🗑 was pressed on is redrawn in place, without the activity.
    redrawn = [
        r for r in replies if type(r).__name__ == "EditMessageText" and "Мероприятие 2" in r.text
    ]
    assert redrawn
    assert "Мероприятие 1" not in redrawn[-1].text


async def test_a_role_is_changed_from_the_card_after_a_confirmation(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, full_name="Орлова Нина Викторовна")
    await curator.send("/participants Орлова")
    card = await curator.press("Орлова")
    assert any(
        "Роль" in button.text
        for method in card
        if getattr(method, "reply_markup", None) is not None
        for row in method.reply_markup.inline_keyboard
        for button in row
    )
    choice = await curator.press("Роль")
    assert said(choice, "Орлова Нина Викторовна (№")
    summary = await curator.press("куратор")
    assert said(summary, "Изменить роль?")
    assert said(summary, "Будет: куратор")
    async with session_pool() as session:
        assert (await session.get(Participant, teacher.id)).staff_role is None
    replies = await curator.press("Изменить роль")
    assert said(replies, "✅ Орлова Нина Викторовна: роль «куратор». — Куратор")
    async with session_pool() as session:
        assert (await session.get(Participant, teacher.id)).staff_role == StaffRole.CURATOR
    # Pressing «Изменить роль» of the answered summary again: refused, nothing happens twice.
    stale = await curator.press_data(summary[-1].reply_markup.inline_keyboard[0][0].callback_data)
    assert said(stale, "Эта сводка уже закрыта")
    # A forged role code is a stale button.
    forged = await curator.press_data(RoleMenu(participant_id=teacher.id, role="tsar").pack())
    assert said(forged, "устарела")


async def test_a_command_under_an_open_summary_just_runs(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """A summary waiting for «✅» is not a draft: another command is answered at once (no
    «continue or start over?»), and a form it starts makes the summary stale."""
    async with session_pool() as session:
        teacher = await make_teacher(session, full_name="Орлова Нина Викторовна")
    summary = await curator.send(f"/role {teacher.id} куратор")
    assert said(summary, "Изменить роль?")
    replies = await curator.send("/requests")
    assert not said(replies, "Вы не закончили")
    assert said(replies, "Нет обращений, ожидающих решения")
    await curator.send("/broadcast")
    stale = await curator.press_data(summary[-1].reply_markup.inline_keyboard[0][0].callback_data)
    assert said(stale, "Эта сводка уже закрыта")
    async with session_pool() as session:
        assert (await session.get(Participant, teacher.id)).staff_role is None
