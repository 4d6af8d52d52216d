"""Staff lists as the curator's Excel files: built with openpyxl, as Excel would save them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

HEADINGS = (
    "Фамилия",
    "Имя",
    "Отчество",
    "Должность",
    "Отделение",
    "Дата приёма",
    "Молодой специалист",
)
SURNAMES = (
    "Иванова",
    "Петров",
    "Сидорова",
    "Кузнецов",
    "Смирнова",
    "Попов",
    "Васильева",
    "Соколов",
    "Михайлова",
    "Новиков",
)
NAMES = ("Анна", "Борис", "Вера")
PATRONYMICS = ("Петровна", "Ивановна", "Сергеевна", "Олеговна", "Павловна", "Юрьевна", "Игоревна")
LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _letters(number: int) -> str:
    """«» for 0, then а, б, … — different teachers get different patronymics, no digits."""
    text = ""
    while number:
        number, rest = divmod(number - 1, len(LETTERS))
        text = LETTERS[rest] + text
    return text


def teachers(count: int) -> list[tuple[Any, ...]]:
    """`count` different teachers; every third is a young specialist."""
    rows = []
    for index in range(count):
        rows.append(
            (
                SURNAMES[index % len(SURNAMES)],
                NAMES[index % len(NAMES)],
                PATRONYMICS[index % len(PATRONYMICS)] + _letters(index // len(PATRONYMICS)),
                "Преподаватель",
                "Информатика" if index % 2 else "Экономика",
                date(2015 + index % 10, 9, 1),
                "да" if index % 3 == 0 else "нет",
            )
        )
    return rows


def workbook(
    rows: Iterable[Sequence[Any]],
    headings: Sequence[str] = HEADINGS,
    title_rows: int = 0,
) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(("Список педагогических работников ГБПОУ «МТТК»",))
    sheet.append(tuple(headings))
    for row in rows:
        sheet.append(tuple(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
