"""A worksheet as the curator opens and prints it: the header bold in the body's font, frozen,
with an autofilter; wrapped text, rows tall enough for it; landscape A4, as wide as the page,
the header repeated on every printed page."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from models import formatting
from models.staff import TEMPLATE_HEADINGS

FONT = "Calibri"  # openpyxl's default for the body: the header in the same face, bold
LINE_POINTS = 15  # a line of 11 pt text in a row
MAX_LINES = 20  # a row taller than this scrolls inside its cell
PRINTABLE_CHARACTERS = 250  # of 11 pt text across landscape A4 printed at 60 %


def _shown(value: Any) -> str:
    return formatting.day(value) if isinstance(value, date) else str(value or "")


def _lines(value: Any, width: float, bold: bool) -> int:
    """How many lines the value takes wrapped in a column `width` characters wide."""
    per_line = max(width - 1, 1) / (1.1 if bold else 1.0)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in _shown(value).split("\n"))


def finish_sheet(sheet: Any, widths: Sequence[float]) -> None:
    """Columns `widths` (characters); every cell wrapped and top-aligned, each row as tall as
    its longest wrapped text (LibreOffice does not size rows itself, so wrapped lines overlap
    the next row), the print set up."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wrapped = Alignment(wrap_text=True, vertical="top")
    widths = list(widths)
    for index, cell in enumerate(next(sheet.iter_rows(max_row=1), ())[: len(widths)]):
        # at least the header's longest word, in bold: «Зарегистриров|ан» no more
        longest = max((len(word) for word in _shown(cell.value).split()), default=0)
        widths[index] = max(widths[index], longest * 1.15 + 2)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, row in enumerate(sheet.iter_rows(), 1):
        header = number == 1
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if header:
                cell.font = Font(name=FONT, bold=True)
            cell.alignment = wrapped
            lines = max(lines, _lines(cell.value, width, header))
        sheet.row_dimensions[number].height = LINE_POINTS * min(lines, MAX_LINES)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    # as wide as one landscape page when the text stays readable (about 250 characters at
    # 60 %), else as few pages across as keep it so
    sheet.page_setup.fitToWidth = max(1, math.ceil(sum(widths) / PRINTABLE_CHARACTERS))
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"


def template_workbook() -> bytes:
    """The staff list's sample (models.staff reads it back): the expected headings and one
    example row."""
    from openpyxl import Workbook  # imported when used: ~22 MB a process need not keep

    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    sheet.append(TEMPLATE_HEADINGS)
    sheet.append(
        ("Иванова", "Мария", "Петровна", "Преподаватель", "Информатика", date(2025, 9, 1), "да")
    )
    sheet["F2"].number_format = "DD.MM.YYYY"
    finish_sheet(sheet, (18, 14, 18, 22, 22, 14, 20))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
