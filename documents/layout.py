"""The page of an official document (ГОСТ Р 7.0.97-2016) and tables sized so no word breaks.

A4, margins 30 mm left, 15 mm right, 20 mm top and bottom; Times New Roman 14 pt in the text
and 12 pt in tables; headings are bold black paragraphs, not Word's blue "Heading" styles.
Used for the built-in templates (``documents/build_templates.py``) and for the documents built
in code (the questionnaire analysis and the year's report).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from models.formatting import day, decimal

FONT = "Times New Roman"
TEXT_PT = 14
TABLE_PT = 12
PAGE_MM = (210, 297)
MARGINS_MM = {"left": 30, "right": 15, "top": 20, "bottom": 20}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
CELL_PADDING_MM = 2 * 1.9 + 2.5  # Word's default cell margins (0.19 cm each side) + a reserve

MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def ru_date(value: date | None) -> str:
    """«25 ноября 2026 г.», as a document writes a date out."""
    if value is None:
        return "«___» ____________ 20__ г."
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} г."


def ru_day(value: date | None) -> str:
    return day(value) if value else "—"


def ru_number(value: float | int | None, digits: int = 1) -> str:
    """4,5 — the Russian decimal comma."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return decimal(value, "ru", digits, fixed=True)


def short_name(full_name: str | None) -> str:
    """«Иванова Мария Петровна» → «М.П. Иванова» (the signature line of ГОСТ Р 7.0.97)."""
    if not full_name:
        return "____________________"
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    initials = "".join(f"{part[0]}." for part in parts[1:3])
    return f"{initials} {parts[0]}"


def _set_fonts(style: Any, size: int) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def gost_document() -> Any:
    """An empty document with the ГОСТ page and fonts."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    normal = document.styles["Normal"]
    _set_fonts(normal, TEXT_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        if name in [s.name for s in document.styles]:
            _set_fonts(document.styles[name], TEXT_PT)
    return document


def paragraph(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    align: str = "justify",
    indent: bool = False,
    size: int | None = None,
    space_before: int = 0,
    left_mm: float | None = None,
) -> Any:
    """A paragraph of the text (justified, optional first-line indent 12.5 mm)."""
    para = container.add_paragraph()
    para.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    if indent:
        para.paragraph_format.first_line_indent = Mm(12.5)
    if left_mm is not None:
        para.paragraph_format.left_indent = Mm(left_mm)
    if space_before:
        para.paragraph_format.space_before = Pt(space_before)
    if text:
        run = para.add_run(text)
        run.bold = bold
        run.font.name = FONT
        run.font.size = Pt(size or TEXT_PT)
    return para


def heading(container: Any, text: str, *, space_before: int = 12) -> Any:
    """A bold black centred heading (no Heading style, so no blue Calibri)."""
    return paragraph(container, text, bold=True, align="center", space_before=space_before)


def signature_line(container: Any, position: str, name: str, *, space_before: int = 24) -> Any:
    """«Директор ____________ И.О. Фамилия» with the name at the right margin."""
    para = paragraph(container, align="left", space_before=space_before)
    para.paragraph_format.tab_stops.add_tab_stop(Mm(95), WD_TAB_ALIGNMENT.LEFT)
    para.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    run = para.add_run(f"{position}\t____________\t{name}")
    run.font.name, run.font.size = FONT, Pt(TEXT_PT)
    return para


# Widths of letters in Times New Roman, in em (measured on the metric-compatible Liberation
# Serif, rounded up): used to choose column widths that hold the longest word of each column.
_WIDE_UPPER = set("ЖШЩЮМФЫWMДЦ")
_WIDE_LOWER = set("жшщюмфыwmдц")


def word_width_mm(word: str, size: int = TABLE_PT, bold: bool = False) -> float:
    em = 0.0
    for char in word:
        if char in "№%":
            em += 1.0
        elif char in _WIDE_UPPER:
            em += 1.02
        elif char.isupper():
            em += 0.74
        elif char in _WIDE_LOWER:
            em += 0.8
        elif char.isalpha():
            em += 0.55
        elif char.isdigit():
            em += 0.5
        else:
            em += 0.55
    return em * size * (1.1 if bold else 1.0) * 25.4 / 72


def column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], total_mm: float = TEXT_WIDTH_MM
) -> list[float]:
    """Each column at least as wide as its longest word; the rest shared by amount of text."""
    count = len(headers)
    least = [
        max((word_width_mm(w, bold=True) for w in headers[i].split()), default=0) + CELL_PADDING_MM
        for i in range(count)
    ]
    text = [len(headers[i]) for i in range(count)]
    for row in rows:
        for i in range(count):
            words = str(row[i]).split()
            least[i] = max(
                least[i], max((word_width_mm(w) for w in words), default=0) + CELL_PADDING_MM
            )
            text[i] += min(len(str(row[i])), 400)
    spare = total_mm - sum(least)
    if spare <= 0:  # words longer than the page allows: shrink evenly (unavoidable breaks)
        return [w * total_mm / sum(least) for w in least]
    shares = [max(t, 1) for t in text]
    return [w + spare * s / sum(shares) for w, s in zip(least, shares, strict=True)]


def _borders(table: Any) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    properties.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)


def _cell_text(cell: Any, text: str, *, bold: bool = False) -> None:
    lines = str(text).split("\n")
    para = cell.paragraphs[0]
    for number, line in enumerate(lines):
        if number:
            para = cell.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT
        para.paragraph_format.first_line_indent = Mm(0)
        run = para.add_run(line)
        run.bold = bold
        run.font.name, run.font.size = FONT, Pt(TABLE_PT)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def table(
    container: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float] | None = None,
    header: bool = True,
    blank: str = "—",
) -> Any:
    """A bordered table, 12 pt, the header row bold and repeated on every page."""
    cells = [[blank if v is None or v == "" else str(v) for v in row] for row in rows]
    widths = list(widths) if widths else column_widths(headers, cells)
    result = container.add_table(rows=0, cols=len(headers))
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    result.autofit = False
    _borders(result)
    body = ([list(headers)] if header else []) + cells
    for number, values in enumerate(body):
        row = result.add_row()
        if number == 0 and header:
            _repeat_header(row)
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = Mm(width)
            _cell_text(cell, value, bold=header and number == 0)
    for column, width in zip(result.columns, widths, strict=True):
        column.width = Mm(width)
    return result
