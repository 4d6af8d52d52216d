"""/stafflist: the yearly list of teachers (§6.4.2). The curator sends the staff list as an
Excel file; the bot shows what will change, applies it on «Apply», and gives every teacher on
the list a personal invitation link; the curator sees who has not registered yet."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from enum import StrEnum
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from documents.sheets import finish_sheet, template_workbook
from handlers.outcome import show_decided
from models.access import Actor
from models.i18n_marker import N_
from models.paging import slice_page
from models.staff import (
    COLUMN_TITLES,
    MAX_FILE_BYTES,
    ListedTeacher,
    ParsedList,
    Preview,
    Problem,
    apply_import,
    parse_staff_workbook,
    preview_import,
    save_import,
    staff_list,
    staff_overview,
)
from models.statistics import academic_year
from rendering.ui import Keyboard, add_buttons, button_rows, chat_of, page_buttons

router = Router(name=__name__)
PAGE = 15
SHOWN_PROBLEMS = 20
SHOWN_NAMES = 10
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


class StaffVerb(StrEnum):
    """What a staff-list button does."""

    APPLY = "apply"
    CANCEL = "cancel"
    TEMPLATE = "template"
    LINKS = "links"
    FILE = "file"


class StaffAction(CallbackData, prefix="sl"):
    action: StaffVerb
    import_id: int = 0
    unregistered: bool = True
    page: int = 0


def _spreadsheet(message: Message) -> bool:
    name = (message.document.file_name or "").lower() if message.document else ""
    return name.endswith(SPREADSHEETS)


def _year(year: int) -> str:
    return f"{year}/{year + 1}"


def _column(code: Any) -> str:
    return _(COLUMN_TITLES[code]) if code in COLUMN_TITLES else str(code)


def problem_text(problem: Problem) -> str:
    params = dict(problem.params)
    for key in ("columns", "expected"):
        if key in params:
            params[key] = ", ".join(f"«{_column(code)}»" for code in params[key])
    if "column" in params:
        params["column"] = f"«{_column(params['column'])}»"
    text = _(problem.message).format(**params)
    if problem.row:
        return _("row {row}: {problem}").format(row=problem.row, problem=escape(text))
    return escape(text)


def _names(title: str, rows: list[Any]) -> list[str]:
    if not rows:
        return []
    lines = [title]
    lines += [f"  • {escape(row.full_name)}" for row in rows[:SHOWN_NAMES]]
    if len(rows) > SHOWN_NAMES:
        lines.append("  " + _("…and {n} more").format(n=len(rows) - SHOWN_NAMES))
    return lines


def report_problems(parsed: ParsedList) -> list[str]:
    problems = [problem for problem in parsed.problems if problem.row]
    if not problems:
        return []
    lines = [
        "<b>"
        + ngettext("Not taken: {n} row", "Not taken: {n} rows", len(problems)).format(
            n=len(problems)
        )
        + "</b>"
    ]
    lines += ["• " + problem_text(problem) for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(_("…and {n} more").format(n=len(problems) - SHOWN_PROBLEMS))
    lines.append(_("Fix these rows in the file and send it again to take them too."))
    return lines


def render_preview(parsed: ParsedList, preview: Preview) -> str:
    lines = [
        "<b>"
        + _("The list of teachers for {year}: what will change").format(year=_year(preview.year))
        + "</b>",
        ngettext(
            "Filled rows in the file: {read}; taken: {n}.",
            "Filled rows in the file: {read}; taken: {n}.",
            len(parsed.rows),
        ).format(read=parsed.read, n=len(parsed.rows)),
    ]
    lines += _names(
        ngettext("New on the list: {n}", "New on the list: {n}", len(preview.added)).format(
            n=len(preview.added)
        ),
        preview.added,
    )
    lines += _names(
        ngettext("Data changed: {n}", "Data changed: {n}", len(preview.changed)).format(
            n=len(preview.changed)
        ),
        preview.changed,
    )
    if preview.unchanged:
        lines.append(_("Unchanged: {n}").format(n=preview.unchanged))
    lines += _names(
        ngettext(
            "Not in the file, will leave the list: {n}",
            "Not in the file, will leave the list: {n}",
            len(preview.removed),
        ).format(n=len(preview.removed)),
        preview.removed,
    )
    problems = report_problems(parsed)
    if problems:
        lines += ["", *problems]
    lines.append("")
    if preview.empty:
        lines.append(_("The list already matches this file; nothing to apply."))
    else:
        lines.append(_("Nothing is changed until you press «Apply»."))
    return "\n".join(lines)


@router.message(StateFilter(None), F.document, _spreadsheet)
async def staff_file_received(
    message: Message, bot: Bot, session: AsyncSession, actor: Actor, today: date
) -> None:
    document = message.document
    if document is None:  # the handler's filter lets only documents in
        return
    name = document.file_name or ""
    if not name.lower().endswith((".xlsx", ".xlsm")):
        await message.answer(
            _(
                "I read the list of teachers only from an Excel workbook (.xlsx). In Excel or "
                "LibreOffice choose «Save as» → «Excel workbook (.xlsx)» and send it again."
            )
        )
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        parsed = ParsedList(
            problems=[Problem(0, N_("The file is larger than 5 MB; a staff list is much smaller."))]
        )
    else:
        buffer = io.BytesIO()
        await bot.download(document, destination=buffer)
        parsed = await asyncio.to_thread(parse_staff_workbook, buffer.getvalue(), today)
    if parsed.refused or not parsed.rows:
        lines = ["<b>" + _("The list was not taken; nothing has changed.") + "</b>"]
        lines += [problem_text(problem) for problem in parsed.problems if not problem.row]
        if not parsed.refused:
            lines.append(_("No row of the file could be taken."))
            lines += report_problems(parsed)
        await message.answer(
            "\n".join(lines),
            reply_markup=button_rows(
                [(_("A sample table"), StaffAction(action=StaffVerb.TEMPLATE))]
            ),
        )
        return
    pending = await save_import(session, actor, parsed, name)
    preview = await preview_import(session, parsed.rows, today)
    buttons = [(_("✖ Cancel"), StaffAction(action=StaffVerb.CANCEL, import_id=pending.id))]
    if not preview.empty:
        buttons.insert(
            0, (_("✅ Apply"), StaffAction(action=StaffVerb.APPLY, import_id=pending.id))
        )
    await message.answer(render_preview(parsed, preview), reply_markup=button_rows(buttons))


@router.callback_query(StaffAction.filter(F.action == StaffVerb.APPLY))
async def staff_apply(
    query: CallbackQuery,
    callback_data: StaffAction,
    session: AsyncSession,
    actor: Actor,
    today: date,
    stamp: Stamp,
) -> None:
    applied = await apply_import(session, actor, callback_data.import_id, today)
    preview = applied.preview
    overview = await staff_overview(session)
    await query.answer(_("Applied."))
    await show_decided(query, stamp, _("✅ The list is applied"))
    lines = [
        "<b>" + _("The list of teachers is updated.") + "</b>",
        _("Added: {added}, changed: {changed}, left the list: {removed}.").format(
            added=len(preview.added), changed=len(preview.changed), removed=len(preview.removed)
        ),
    ]
    if applied.linked:
        lines.append(
            ngettext(
                "{n} teacher on the list had already registered.",
                "{n} teachers on the list had already registered.",
                applied.linked,
            ).format(n=applied.linked)
        )
    text, markup = render_overview(
        overview.total, overview.must_mentor, overview.registered, preview.year
    )
    await chat_of(query).answer("\n".join(lines) + "\n\n" + text, reply_markup=markup)


@router.callback_query(StaffAction.filter(F.action == StaffVerb.CANCEL))
async def staff_cancel(query: CallbackQuery, stamp: Stamp) -> None:
    await show_decided(query, stamp, _("✖ Cancelled: the list has not changed"))
    await query.answer(_("Cancelled: the list has not changed."))


def render_overview(
    total: int, must: int, registered: int, year: int
) -> tuple[str, InlineKeyboardMarkup]:
    lines = ["<b>" + _("The list of teachers for {year}").format(year=_year(year)) + "</b>"]
    buttons: list[tuple[str, StaffAction]] = []
    if total:
        lines += [
            ngettext("On the list: {n} teacher.", "On the list: {n} teachers.", total).format(
                n=total
            ),
            ngettext(
                "To be included in mentoring this year: {n}.",
                "To be included in mentoring this year: {n}.",
                must,
            ).format(n=must),
            _("Registered in the bot: {registered}; not yet: {waiting}.").format(
                registered=registered, waiting=total - registered
            ),
        ]
        if total - registered:
            buttons.append(
                (_("Who has not registered (links)"), StaffAction(action=StaffVerb.LINKS))
            )
        buttons += [
            (_("Everyone with links"), StaffAction(action=StaffVerb.LINKS, unregistered=False)),
            (_("The links as a table (.xlsx)"), StaffAction(action=StaffVerb.FILE)),
        ]
    else:
        lines.append(_("The list is empty."))
    lines += [
        "",
        _(
            "To load or update the list, send me the staff list as an Excel file (.xlsx) with "
            "the columns: surname, name, patronymic, position, department, hire date, young "
            "specialist (да/нет). Sending it again later updates the list without duplicates."
        ),
        _(
            "Young specialists and teachers hired since 1 September are marked to be "
            "included in mentoring this year."
        ),
    ]
    buttons.append((_("A sample table"), StaffAction(action=StaffVerb.TEMPLATE)))
    return "\n".join(lines), button_rows(buttons)


@router.message(Command("stafflist"))
async def cmd_stafflist(message: Message, session: AsyncSession, today: date) -> None:
    overview = await staff_overview(session)
    text, markup = render_overview(
        overview.total,
        overview.must_mentor,
        overview.registered,
        overview.year or academic_year(today)[0].year,
    )
    await message.answer(text, reply_markup=markup)


@router.callback_query(StaffAction.filter(F.action == StaffVerb.TEMPLATE))
async def staff_template(query: CallbackQuery) -> None:
    await query.answer()
    await chat_of(query).answer_document(
        BufferedInputFile(template_workbook(), filename="Список_преподавателей_образец.xlsx"),
        caption=_("Fill in this table (one teacher a row) and send it back to me."),
    )


def invite_link(username: str | None, code: str | None) -> str:
    return f"https://t.me/{username}?start={code}" if code else "—"


def _teacher_line(item: ListedTeacher, username: str | None) -> str:
    member = item.member
    mark = " ★" if member.must_mentor else ""
    state = "✅" if item.registered else "⏳"
    return (
        f"{state} {escape(member.full_name)}{mark}, {escape(member.department)}\n"
        f"{invite_link(username, item.invite_code)}"
    )


@router.callback_query(StaffAction.filter(F.action == StaffVerb.LINKS))
async def staff_links(
    query: CallbackQuery, callback_data: StaffAction, session: AsyncSession, bot: Bot
) -> None:
    listed = await staff_list(session, only_unregistered=callback_data.unregistered)
    me = await bot.me()
    page = max(callback_data.page, 0)
    on_page = slice_page(listed, page, PAGE)
    shown = on_page.items
    title = (
        _("Not registered yet: {n}") if callback_data.unregistered else _("On the list: {n}")
    ).format(n=len(listed))
    lines = ["<b>" + title + "</b>"]
    if shown:
        lines.append(
            _(
                "Send each teacher their own link: opening it joins them to their line of the "
                "list. ★ — to be included in mentoring this year."
            )
        )
    else:
        lines.append(_("Everyone on the list has registered."))
    lines += [_teacher_line(item, me.username) for item in shown]
    builder = Keyboard()
    add_buttons(
        builder,
        page_buttons(
            on_page,
            lambda number: StaffAction(
                action=StaffVerb.LINKS, unregistered=callback_data.unregistered, page=number
            ),
        ),
    )
    await query.answer()
    await chat_of(query).answer(
        "\n".join(lines), reply_markup=builder.as_markup(), disable_web_page_preview=True
    )


@router.callback_query(StaffAction.filter(F.action == StaffVerb.FILE))
async def staff_links_file(query: CallbackQuery, session: AsyncSession, bot: Bot) -> None:
    from openpyxl import Workbook  # imported when used: ~22 MB a process need not keep

    me = await bot.me()
    book = Workbook()
    sheet = book.active
    sheet.title = "Ссылки"
    headings = (
        _("Full name"),
        _("Position"),
        _("Department"),
        _("Include in mentoring this year"),
        _("Registered"),
        _("Personal link"),
    )
    sheet.append(headings)
    for item in await staff_list(session):
        member = item.member
        sheet.append(
            (
                member.full_name,
                member.position,
                member.department,
                _("yes") if member.must_mentor else _("no"),
                _("yes") if item.registered else _("no"),
                invite_link(me.username, item.invite_code),
            )
        )
    finish_sheet(sheet, (34, 22, 22, 16, 14, 48))
    out = io.BytesIO()
    book.save(out)
    await query.answer()
    await chat_of(query).answer_document(
        BufferedInputFile(out.getvalue(), filename="Ссылки_приглашения.xlsx"),
        caption=_("Personal invitation links of the teachers on the list."),
    )
