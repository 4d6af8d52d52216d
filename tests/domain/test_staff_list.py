"""The yearly list of teachers (§6.4.2): reading the staff XLSX, the preview, applying it once,
re-importing without duplicates, personal links and the year's mark on participants."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.audit import AuditEntry
from models.banks import bank
from models.errors import AccessDenied, AlreadyDecided
from models.invites import Invite, use_invite
from models.staff import (
    MAX_ROWS,
    StaffMember,
    apply_import,
    claim_invite,
    link_on_registration,
    parse_staff_workbook,
    preview_import,
    save_import,
    staff_list,
    staff_overview,
)
from tests.factories import CURATOR, make_consented, make_teacher
from tests.staff_files import teachers, workbook

TODAY = date(2026, 11, 25)  # academic year 2026/2027


async def imported(session: AsyncSession, data: bytes) -> None:
    parsed = parse_staff_workbook(data, TODAY)
    pending = await save_import(session, CURATOR, parsed, "list.xlsx")
    await apply_import(session, CURATOR, pending.id, TODAY)


def test_a_list_with_a_title_row_russian_dates_and_yes_no_is_read() -> None:
    rows = [
        ("Иванова", "Мария", "Петровна", "Преподаватель", "Информатика", "01.09.2026", "Да"),
        ("Орлов", "Пётр", "", "Мастер п/о", "Механика", "15.03.2010", ""),
        ("Лебедева ", " Анна", "Юрьевна", "Преподаватель", "Экономика", date(2024, 9, 2), "нет"),
    ]
    parsed = parse_staff_workbook(workbook(rows, title_rows=2), TODAY)
    assert parsed.problems == []
    assert parsed.read == 3
    first, second, third = parsed.rows
    assert (first.full_name, first.hire_date, first.young_specialist) == (
        "Иванова Мария Петровна",
        date(2026, 9, 1),
        True,
    )
    assert (second.full_name, second.patronymic, second.young_specialist) == (
        "Орлов Пётр",
        "",
        False,
    )
    assert (third.surname, third.name) == ("Лебедева", "Анна")


def test_missing_columns_refuse_the_whole_file_and_name_them() -> None:
    headings = ("Фамилия", "Имя", "Отчество", "Должность", "Отделение")  # no date, no mark
    parsed = parse_staff_workbook(workbook(teachers(3), headings=headings), TODAY)
    assert parsed.refused
    assert parsed.rows == []
    (problem,) = parsed.problems
    assert problem.params["columns"] == ["hire_date", "young"]


def test_not_a_workbook_and_a_sheet_without_header_are_refused() -> None:
    assert parse_staff_workbook(b"PK\x03\x04 not really a zip", TODAY).refused
    assert parse_staff_workbook("Фамилия;Имя\n".encode(), TODAY).refused
    no_header = workbook(teachers(3), headings=("a", "b", "c", "d", "e", "f", "g"))
    assert parse_staff_workbook(no_header, TODAY).refused


def test_bad_rows_are_reported_and_the_good_ones_taken() -> None:
    good = teachers(4)
    rows = [
        *good,
        ("Зайцева", "Ольга", "Ивановна", "Преподаватель", "Экономика", "31.02.2020", "нет"),
        ("Титов", "Иван", "", "Преподаватель", "Экономика", "вчера", "нет"),
        ("Белова", "Нина", "", "Преподаватель", "Экономика", "01.01.2030", "нет"),
        ("Крылов", "Олег", "", "Преподаватель", "Экономика", "01.09.2020", "может быть"),
        ("", "Олег", "", "Преподаватель", "Экономика", "01.09.2020", "нет"),
        ("Гусев", "Олег", "", "", "Экономика", "01.09.2020", "нет"),
        good[0],  # an exact repeat: the first stays
        (*good[1][:4], "Другое отделение", *good[1][5:]),  # the same person, other data
    ]
    parsed = parse_staff_workbook(workbook(rows), TODAY)
    assert not parsed.refused
    assert [row.full_name for row in parsed.rows] == [good[0][0] + " Анна Петровна"] + [
        " ".join(g[:3]) for g in good[2:]
    ]
    by_row = {problem.row: problem for problem in parsed.problems}
    assert sorted(by_row) == [3, 6, 7, 8, 9, 10, 11, 12, 13]  # row 3: good[1] clashes
    assert by_row[6].params == {"value": "31.02.2020"}
    assert "future" in by_row[8].message
    assert by_row[12].params == {"row": 2}
    assert parsed.read == len(rows)


def test_ten_thousand_rows_are_refused_quickly_as_a_whole() -> None:
    data = workbook(teachers(10_000))
    started = time.perf_counter()
    parsed = parse_staff_workbook(data, TODAY)
    assert time.perf_counter() - started < 10
    assert parsed.refused
    assert parsed.rows == []
    assert parsed.problems[0].params == {"limit": MAX_ROWS}


async def test_applying_twice_and_reimporting_make_no_duplicates(session: AsyncSession) -> None:
    rows = teachers(30)
    await imported(session, workbook(rows))
    assert await session.scalar(select(func.count()).select_from(StaffMember)) == 30
    codes = {item.member.key: item.invite_code for item in await staff_list(session)}
    assert len(set(codes.values())) == 30
    assert None not in codes.values()

    # the same file again: nothing to do, the links stay the same
    parsed = parse_staff_workbook(workbook(rows), TODAY)
    preview = await preview_import(session, parsed.rows, TODAY)
    assert preview.empty
    assert preview.unchanged == 30

    # a new version: one left, one moved department, one new
    changed = [*rows[1:], (*rows[5][:4], "Механика", *rows[5][5:]), teachers(31)[30]]
    del changed[4]  # rows[5] is replaced by its changed copy
    parsed = parse_staff_workbook(workbook(changed), TODAY)
    pending = await save_import(session, CURATOR, parsed, "list.xlsx")
    preview = await preview_import(session, parsed.rows, TODAY)
    assert (len(preview.added), len(preview.changed), len(preview.removed)) == (1, 1, 1)
    applied = await apply_import(session, CURATOR, pending.id, TODAY)
    assert applied.preview.removed[0].surname == rows[0][0]
    listed = {item.member.key: item for item in await staff_list(session)}
    assert len(listed) == 30
    moved = next(
        item
        for item in listed.values()
        if item.member.surname == rows[5][0] and item.member.department == "Механика"
    )
    assert moved.invite_code == codes[moved.member.key]  # the link did not change
    with pytest.raises(AlreadyDecided):
        await apply_import(session, CURATOR, pending.id, TODAY)
    assert (
        await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "staff.import")
        )
        == 2
    )


async def test_an_older_preview_cannot_undo_a_newer_list(session: AsyncSession) -> None:
    old = await save_import(
        session, CURATOR, parse_staff_workbook(workbook(teachers(3)), TODAY), "a.xlsx"
    )
    await imported(session, workbook(teachers(5)))
    with pytest.raises(AlreadyDecided):
        await apply_import(session, CURATOR, old.id, TODAY)
    assert (await staff_overview(session)).total == 5


async def test_only_a_curator_imports(session: AsyncSession) -> None:
    teacher = Actor(telegram_id=77, participant_id=None, is_curator=False)
    parsed = parse_staff_workbook(workbook(teachers(2)), TODAY)
    with pytest.raises(AccessDenied):
        await save_import(session, teacher, parsed, "x.xlsx")


async def test_the_list_marks_who_must_be_mentored_and_links_them(session: AsyncSession) -> None:
    rows = [
        ("Иванова", "Мария", "Петровна", "Преподаватель", "ИТ", "01.09.2010", "да"),
        ("Орлов", "Пётр", "Ильич", "Преподаватель", "ИТ", "02.09.2026", "нет"),  # hired this year
        ("Сомова", "Ирина", "Львовна", "Преподаватель", "ИТ", "01.09.2001", "нет"),
    ]
    registered = await make_teacher(session, full_name="иванова мария петровна")  # any case
    await imported(session, workbook(rows))
    listed = {item.member.surname: item for item in await staff_list(session)}
    assert [listed[s].member.must_mentor for s in ("Иванова", "Орлов", "Сомова")] == [
        True,
        True,
        False,
    ]
    assert listed["Иванова"].registered
    await session.refresh(registered)
    assert registered.include_year == 2026
    overview = await staff_overview(session)
    assert (overview.total, overview.must_mentor, overview.registered) == (3, 2, 1)

    # Орлов opens his personal link: it preselects the mentee role and joins him to his line
    code = listed["Орлов"].invite_code
    orlov = await make_consented(session)
    assert await use_invite(session, code) == "mentee"
    assert await claim_invite(session, code, orlov)
    assert orlov.include_year == 2026
    # the same link forwarded to someone else joins nobody
    assert not await claim_invite(session, code, await make_consented(session))
    # a payload that cannot be one of our codes never reaches the database (PostgreSQL refuses
    # a NUL byte in a query: the fuzz test's «/start x\x00y» failed there)
    assert not await claim_invite(session, "inv\x00" + code[3:], orlov)
    assert not await claim_invite(session, code + "x" * 100, orlov)
    # Сомова's link leaves the role to her
    invite = await session.scalar(select(Invite).where(Invite.code == listed["Сомова"].invite_code))
    assert invite.role is None
    assert await use_invite(session, invite.code) is None

    # someone registers without the link: found by the full name
    somova = await make_teacher(session, full_name="Сомова Ирина Львовна")
    assert await link_on_registration(session, somova)
    assert somova.include_year is None  # not to be mentored this year
    assert (await staff_overview(session)).registered == 2  # Орлов has not finished yet

    # the banks filter by the year's mark
    marked = await bank(session, include_year=2026)
    assert [entry.person.id for entry in marked] == [registered.id]
