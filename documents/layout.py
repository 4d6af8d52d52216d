"""The page of an official document (ГОСТ Р 7.0.97-2016) and tables sized so no word breaks.

A4, margins 30 mm left, 15 mm right, 20 mm top and bottom; Times New Roman 14 pt in the text
and 12 pt in tables (11 or 10 pt in a table whose words do not fit at 12: the standard allows
smaller type in tables); headings are bold black paragraphs, not Word's blue "Heading" styles,
kept on the page of the text they head; table rows are never split across pages, and pages
from the second on are numbered at the top centre (ГОСТ Р 7.0.97-2016, 5.1 and 5.6).
Used for the built-in templates (``documents/build_templates.py``) and for the documents built
in code (the questionnaire analysis and the year's report).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from documents import font_widths
from models.formatting import day, decimal

FONT = "Times New Roman"
TEXT_PT = 14
TABLE_PT = 12
# Sizes a table may step down to, in order, before a word would have to break (ГОСТ Р
# 7.0.97-2016, 5.1: smaller type is allowed in tables).
TABLE_SIZES = (12, 11, 10)
NBSP = "\u00a0"
PAGE_MM = (210, 297)
MARGINS_MM = {"left": 30, "right": 15, "top": 20, "bottom": 20}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
LANDSCAPE_WIDTH_MM = PAGE_MM[1] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 252
CELL_PADDING_MM = 2 * 1.9 + 1.0  # Word's default cell margins (0.19 cm each side) + a reserve

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


_GLUED = (
    (re.compile(r"\b(пп?|ст|ч)\. (?=\d)"), "\\1." + NBSP),  # «п. 7.1.1», «пп. 3», «ч. 4»
    (re.compile(r"№ "), "№" + NBSP),  # «№ 71-н», «№ {{ pair_number }}»
    (re.compile(r"(?<=\d) (?=г\.)"), NBSP),  # «2026 г.»
    (re.compile(r" (?=— )"), NBSP),  # a dash never starts a line («/help — что умеет бот»)
)


def glued(text: str) -> str:
    """Non-breaking spaces where Russian typesetting keeps two words on one line: a clause and
    its number, «№» and its number, a year and «г.»."""
    for pattern, replacement in _GLUED:
        text = pattern.sub(replacement, text)
    return text


def ru_date(value: date | None) -> str:
    """«25 ноября 2026 г.», as a document writes a date out: non-breaking spaces, so «г.» or the
    year never starts a line alone."""
    if value is None:
        return f"«___» ____________ 20__{NBSP}г."
    return f"{value.day}{NBSP}{MONTHS[value.month - 1]}{NBSP}{value.year}{NBSP}г."


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
    page_numbers(section)
    return document


def page_numbers(section: Any) -> None:
    """The page's number at the top centre from the second page on (ГОСТ Р 7.0.97-2016, 5.6:
    the first page is not numbered). Later sections (a landscape plan) keep this header."""
    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    para = section.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run()
    run.font.name, run.font.size = FONT, Pt(TABLE_PT)
    # a PAGE field: begin, its instruction, separate, the text shown until it is updated, end
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    shown = OxmlElement("w:t")
    shown.text = "2"
    for element in (
        _field_char("begin"),
        instruction,
        _field_char("separate"),
        shown,
        _field_char("end"),
    ):
        run._r.append(element)


def _field_char(kind: str) -> Any:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def landscape_section(document: Any) -> Any:
    """A new page turned landscape (A4, the same margins) for a wide table."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_MM[1]), Mm(PAGE_MM[0])
    section.different_first_page_header_footer = False  # its first page is numbered too
    return section


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
        run = para.add_run(glued(text))
        run.bold = bold
        run.font.name = FONT
        run.font.size = Pt(size or TEXT_PT)
    return para


def heading(container: Any, text: str, *, space_before: int = 12) -> Any:
    """A bold black centred heading (no Heading style, so no blue Calibri), kept on the page of
    the paragraph after it: never the last line of a page."""
    para = paragraph(container, text, bold=True, align="center", space_before=space_before)
    para.paragraph_format.keep_with_next = True
    return para


def signature_line(container: Any, position: str, name: str, *, space_before: int = 24) -> Any:
    """«Директор ____________ И.О. Фамилия» with the name at the right margin, on the page of
    the paragraph before it (a signature never stands alone at the top of a page)."""
    before = container.paragraphs[-1] if container.paragraphs else None
    if before is not None:
        before.paragraph_format.keep_with_next = True
    para = paragraph(container, align="left", space_before=space_before)
    para.paragraph_format.tab_stops.add_tab_stop(Mm(95), WD_TAB_ALIGNMENT.LEFT)
    para.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    run = para.add_run(f"{position}\t____________\t{name}")
    run.font.name, run.font.size = FONT, Pt(TEXT_PT)
    return para


UNKNOWN_EM = 0.75  # a character missing from documents.font_widths: wider than most


def word_width_mm(word: str, size: float = TABLE_PT, bold: bool = False) -> float:
    """The word's width in Times New Roman, from its letters' widths (documents.font_widths),
    with 3 % to spare for a renderer's rounding."""
    widths = font_widths.BOLD if bold else font_widths.REGULAR
    em = sum(widths.get(char, UNKNOWN_EM) for char in word)
    return em * 1.03 * size * 25.4 / 72


def _least_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], size: float
) -> list[float]:
    """Each column's width for its longest word at this size."""
    least = [
        max((word_width_mm(w, size, bold=True) for w in _words(header)), default=0)
        + CELL_PADDING_MM
        for header in headers
    ]
    for row in rows:
        for i, value in enumerate(row):
            longest = max((word_width_mm(w, size) for w in _words(str(value))), default=0)
            least[i] = max(least[i], longest + CELL_PADDING_MM)
    return least


def _words(text: str) -> list[str]:
    """What a line may break between, as printed: «№ пары» glued by a non-breaking space is
    one word (str.split would cut it at the NBSP too)."""
    return [word for word in re.split(r"[ \t\n]+", glued(text)) if word]


def table_size(
    headers: Sequence[str], rows: Sequence[Sequence[str]], total_mm: float = TEXT_WIDTH_MM
) -> int:
    """The largest of TABLE_SIZES at which every column holds its longest word."""
    for size in TABLE_SIZES:
        if sum(_least_widths(headers, rows, size)) <= total_mm:
            return size
    return TABLE_SIZES[-1]


def column_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    total_mm: float = TEXT_WIDTH_MM,
    size: float = TABLE_PT,
) -> list[float]:
    """Each column at least as wide as its longest word; the rest shared by amount of text."""
    least = _least_widths(headers, rows, size)
    text = [len(header) for header in headers]
    for row in rows:
        for i, value in enumerate(row):
            text[i] += min(len(str(value)), 400)
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


def _cell_text(cell: Any, text: str, *, bold: bool = False, size: float = TABLE_PT) -> None:
    lines = str(text).split("\n")
    para = cell.paragraphs[0]
    for number, line in enumerate(lines):
        if number:
            para = cell.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.LEFT
        para.paragraph_format.first_line_indent = Mm(0)
        run = para.add_run(glued(line))
        run.bold = bold
        run.font.name, run.font.size = FONT, Pt(size)


def _row_property(row: Any, name: str) -> None:
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def table(
    container: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float] | None = None,
    header: bool = True,
    blank: str = "—",
    total_mm: float = TEXT_WIDTH_MM,
) -> Any:
    """A bordered table, 12 pt (or smaller, so no word breaks), the header row bold and repeated
    on every page, no row split across two pages."""
    cells = [[blank if v is None or v == "" else str(v) for v in row] for row in rows]
    size = TABLE_PT if widths else table_size(headers, cells, total_mm)
    widths = list(widths) if widths else column_widths(headers, cells, total_mm, size)
    result = container.add_table(rows=0, cols=len(headers))
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    result.autofit = False
    _borders(result)
    body = ([list(headers)] if header else []) + cells
    for number, values in enumerate(body):
        row = result.add_row()
        _row_property(row, "w:cantSplit")
        if number == 0 and header:
            _row_property(row, "w:tblHeader")
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = Mm(width)
            _cell_text(cell, value, bold=header and number == 0, size=size)
    for column, width in zip(result.columns, widths, strict=True):
        column.width = Mm(width)
    return result
