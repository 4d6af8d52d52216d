"""The yearly list in chat: the curator sends the staff XLSX, sees what will change, applies it;
teachers open their personal links; the desk and the banks know who is on the list."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from aiogram.methods import SendDocument
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.staff import StaffMember
from models.statistics import academic_year
from tests.driver import Person, buttons, said, texts
from tests.factories import college_today, make_teacher
from tests.handlers.flows import fill_mentee, fill_profile, stored
from tests.mocked_bot import MockedBot
from tests.staff_files import HEADINGS, teachers, workbook


def this_year() -> int:
    """The academic year the bot is in when the test runs (its clock is the system clock here)."""
    return academic_year(college_today())[0].year


LINK = re.compile(r"https://t\.me/nastavnik_test_bot\?start=(inv\w+)")


async def listed(pool: async_sessionmaker[AsyncSession]) -> int:
    async with pool() as session:
        return int(await session.scalar(select(func.count()).select_from(StaffMember)) or 0)


async def test_the_curator_imports_the_list_and_gets_personal_links(
    curator: Person,
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    assert said(await curator.send("/stafflist"), "Список пока пуст")
    replies = await curator.send_document(workbook(teachers(30)), "Список 2026.xlsx")
    (preview,) = texts(replies)
    assert "Новые в списке: 30" in preview
    assert "Пока вы не нажмёте «Применить», ничего не изменится" in preview
    assert await listed(session_pool) == 0  # nothing before «Apply»

    apply = next(data for label, data in buttons(curator.last_markup()[1]) if "Применить" in label)
    replies = await curator.press("Применить")
    assert said(replies, "Добавлено: 30, изменено: 0, исключено из списка: 0")
    assert said(replies, "В списке 30 преподавателей.")
    assert said(replies, "Включить в наставничество в этом году: 10.")  # every third: young
    assert said(replies, "Зарегистрировались в боте: 0; ещё нет: 30.")
    assert await listed(session_pool) == 30
    # a double tap applies nothing twice (a redelivered update is not even processed)
    assert await curator.redeliver() == []
    assert said(await curator.press_data(apply), "Этот список уже применён.")
    assert await listed(session_pool) == 30

    # the links of those not registered, a page at a time, each one different
    replies = await curator.press("Кто не зарегистрировался")
    (page,) = texts(replies)
    assert page.startswith("<b>Ещё не зарегистрировались: 30</b>")
    codes = LINK.findall(page)
    assert len(codes) == 15 == len(set(codes))
    assert len(page) < 4096
    replies = await curator.press("Дальше")
    assert len(LINK.findall(texts(replies)[0])) == 15

    # the same links as a table the curator can print or mail
    await curator.send("/stafflist")
    await curator.press("Ссылки таблицей")
    document = [m for m in bot.session.requests if isinstance(m, SendDocument)][-1]
    sheet = load_workbook(io.BytesIO(document.document.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 31
    assert rows[0][0] == "ФИО"
    # it opens filtered with the header frozen, and prints on landscape pages
    assert document.document.filename == "Ссылки_приглашения.xlsx"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet.page_setup.orientation == "landscape"
    assert all(cell.alignment.wrap_text for cell in sheet[1])
    young = next(row for row in rows[1:] if row[0] == "Иванова Анна Петровна")
    assert young[3] == "да"
    assert young[4] == "нет"
    code = LINK.search(young[5]).group(1)

    # she opens her link: the mentee role is already chosen, and she joins her line
    teacher = person(5301)
    await teacher.send(f"/start {code}")
    await teacher.press("Согласен")
    await fill_profile(teacher, "Иванова Анна Петровна")
    assert not said(bot.session.requests, "В какой роли", chat_id=5301)
    await fill_mentee(teacher)
    registered = await stored(session_pool, 5301)
    assert registered is not None
    assert registered.is_registered
    assert registered.include_year == this_year()
    assert said(await curator.send("/stafflist"), "Зарегистрировались в боте: 1; ещё нет: 29.")
    replies = await curator.send("/today")
    assert said(replies, "29 преподавателей из списка на год ещё не зарегистрировались")
    replies = await curator.press("Список преподавателей")
    assert said(replies, "В списке 30 преподавателей.")


async def test_reimporting_the_same_list_changes_nothing_and_a_new_one_shows_the_difference(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    rows = teachers(12)
    await curator.send_document(workbook(rows), "list.xlsx")
    await curator.press("Применить")
    replies = await curator.send_document(workbook(rows), "list.xlsx")
    assert said(replies, "Список уже совпадает с этим файлом, применять нечего.")
    assert said(replies, "Без изменений: 12")
    labels = [b.text for row in curator.last_markup()[1].inline_keyboard for b in row]
    assert not any("Применить" in label for label in labels)

    changed = [*rows[1:], (*rows[3][:4], "Механика", *rows[3][5:])]
    del changed[2]  # rows[3], replaced by the changed copy
    replies = await curator.send_document(workbook(changed), "list.xlsx")
    (preview,) = texts(replies)
    assert "Изменились данные: 1" in preview
    assert "Нет в файле, будут исключены из списка: 1" in preview
    assert f"• {rows[0][0]} {rows[0][1]} {rows[0][2]}" in preview
    replies = await curator.press("Отмена")
    assert said(replies, "Отменено: список не изменился.")
    assert await listed(session_pool) == 12


async def test_bad_files_get_a_clear_report_and_change_nothing(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    missing = workbook(teachers(3), headings=HEADINGS[:5])
    (text,) = texts(await curator.send_document(missing, "без дат.xlsx"))
    assert "Список не принят, ничего не изменилось." in text
    assert "В списке нет столбцов: «дата приёма», «молодой специалист»." in text

    (text,) = texts(await curator.send_document(workbook(teachers(10_000)), "big.xlsx"))
    assert "больше 2000 заполненных строк" in text

    (text,) = texts(await curator.send_document(b"not a workbook", "list.xlsx"))
    assert "Это не книга Excel (.xlsx)" in text

    (text,) = texts(await curator.send_document(b"\xd0\xcf\x11\xe0", "old.xls"))
    assert "«Книга Excel (.xlsx)»" in text
    assert await listed(session_pool) == 0

    good = teachers(3)
    rows = [
        *good,
        ("Зайцева", "Ольга", "Ивановна", "Преподаватель", "Экономика", "31.02.2020", "нет"),
        ("Крылов", "<b>Олег</b>", "", "Преподаватель", "Экономика", "01.09.2020", "может"),
        good[0],
    ]
    (text,) = texts(await curator.send_document(workbook(rows), "list.xlsx"))
    assert "Заполненных строк в файле: 6; взято 3." in text
    assert "Не взяты 3 строки" in text
    assert "строка 5: даты приёма «31.02.2020» не существует" in text
    assert "строка 6: в столбце «молодой специалист» «может»" in text
    assert "строка 7: повторяет строку 2" in text
    await curator.press("Применить")
    assert await listed(session_pool) == 3


async def test_the_banks_filter_by_this_years_list(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, full_name="Петров Борис Ивановна")  # on the list, not young
        await make_teacher(session, full_name="Иванова Анна Петровна")  # young
        await make_teacher(session, full_name="Зимина Ольга")  # not on the list
    await curator.send_document(workbook(teachers(3)), "list.xlsx")
    replies = await curator.press("Применить")
    assert said(replies, "2 преподавателя из списка уже были зарегистрированы.")
    assert said(await curator.send("/participants"), "Найдено: 3")
    year = this_year()
    replies = await curator.press(f"Только список {year}/{year + 1}")
    (text,) = texts(replies)
    assert "Найдено: 1" in text
    assert "Иванова Анна Петровна" in text
    assert f"Только включённые в наставничество в {year}/{year + 1} учебном году." in text


async def test_only_the_curator_imports_a_list(person: Callable[..., Person]) -> None:
    teacher = person(5401)
    replies = await teacher.send_document(workbook(teachers(2)), "list.xlsx")
    assert not said(replies, "Список преподавателей")
    assert not said(replies, "Новые в списке")
