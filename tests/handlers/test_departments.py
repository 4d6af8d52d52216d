"""Departments offered as buttons at registration; the curator merges spellings."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.departments import add_department
from tests.driver import Person, buttons, said
from tests.factories import CURATOR, make_teacher
from tests.handlers.flows import give_consent, stored


async def test_registration_offers_the_directory_and_keeps_one_spelling(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await add_department(session, CURATOR, "ПЦК информационных технологий")
        await add_department(session, CURATOR, "ПЦК истории")
    first, second = person(5401), person(5402)
    await give_consent(first)
    await first.send("Зайцева Мария Андреевна")
    asked = await first.send("преподаватель")
    assert said(asked, "Выберите свою ниже; если её нет в списке, напишите название")
    labels = [label for label, _data in buttons(first.last_markup()[1])]
    assert labels[:2] == ["ПЦК информационных технологий", "ПЦК истории"]
    picked = await first.press("ПЦК истории")
    assert said(picked, "ПЦК (кафедра): ПЦК истории")
    assert said(picked, "Дисциплины, которые вы преподаёте")  # the next question follows
    await give_consent(second)
    await second.send("Иванов Сергей Петрович")
    await second.send("преподаватель")
    await second.send("пцк информационных  технологий")  # typed: the directory's spelling
    await second.send("Информатика")
    await second.send("5")
    await second.press("Без категории")
    participant = await stored(session_pool, 5402)
    assert participant is not None
    assert participant.department == "ПЦК информационных технологий"


async def test_the_curator_merges_a_typed_spelling(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await add_department(session, CURATOR, "ПЦК информационных технологий")
        await make_teacher(session, department="ПЦК информатики и ИТ")
        await make_teacher(session, department="ПЦК информатики и ИТ")
    listed = await curator.send("/departments")
    assert said(listed, "ПЦК информатики и ИТ — 2 человека")
    await curator.press("«ПЦК информатики и ИТ» объединить с")
    merged = await curator.press("ПЦК информационных технологий")
    assert said(merged, "объединена с «ПЦК информационных технологий»: перенесено — 2 человека")
    assert said(merged, "ПЦК информационных технологий — 2 человека")
    assert not said(merged, "Написаны преподавателями")


async def test_profile_editing_offers_the_directory_as_buttons(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await add_department(session, CURATOR, "ПЦК информационных технологий")
        await add_department(session, CURATOR, "ПЦК истории")
        teacher = await make_teacher(session, telegram_id=5403, full_name="Орлова Нина")
    me = person(teacher.telegram_id)
    await me.send("/profile")
    asked = await me.press("ПЦК (кафедра)")
    assert said(asked, "если её нет в списке, напишите название")
    labels = [label for label, _data in buttons(me.last_markup()[1])]
    assert labels == ["ПЦК информационных технологий", "ПЦК истории"]
    assert said(await me.press("ПЦК истории"), "ПЦК (кафедра): ПЦК истории")
    assert (await stored(session_pool, 5403)).department == "ПЦК истории"
    # Typed still works and takes the directory's spelling.
    await me.send("/profile")
    await me.press("ПЦК (кафедра)")
    await me.send("пцк  информационных технологий")
    assert (await stored(session_pool, 5403)).department == "ПЦК информационных технологий"


async def test_with_an_empty_directory_a_typed_spelling_can_only_be_added(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """Nothing to merge into yet: no «объединить с…» button that would answer «Эта кнопка
    больше не действует»; adding it is the way."""
    async with session_pool() as session:
        await make_teacher(session, department="экономических")
    await curator.send("/departments")
    labels = [label for label, _data in buttons(curator.last_markup()[1])]
    assert "+ «экономических»" in labels
    assert not [label for label in labels if "объединить" in label]
