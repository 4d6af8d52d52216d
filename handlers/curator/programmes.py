"""/programmes: programmes by status with progress, overdue count and end date; open one, or
end a running one for non-performance (§10.1.3, the /endprogramme flow)."""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ProgrammeStatus
from models.paging import page_of
from models.programmes import Programme
from rendering.ui import (
    DbInt,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    label,
    page_buttons,
    progress_bar,
    show_outcome,
)
from rendering.views import day, names_of

router = Router(name=__name__)
GROUPS = {
    "running": (ProgrammeStatus.APPROVED,),
    "drafting": (ProgrammeStatus.DRAFT, ProgrammeStatus.SUBMITTED, ProgrammeStatus.AGREED),
    "completed": (ProgrammeStatus.COMPLETED,),
    "ended": (ProgrammeStatus.ENDED_EARLY,),
}
PAGE = 15


class ProgrammeList(CallbackData, prefix="pl"):
    group: str
    page: DbInt = 0


async def render_list(
    session: AsyncSession, group: str, page: int, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    statuses = GROUPS.get(group, GROUPS["running"])
    listed = await page_of(
        session,
        select(Programme)
        .where(Programme.status.in_(statuses))
        .order_by(Programme.end_date, Programme.id),
        page,
        PAGE,
    )
    shown = listed.items
    names = await names_of(
        session, [i for p in shown for i in (p.pair.mentor_id, *p.pair.mentee_ids)]
    )
    lines = [
        "<b>"
        + _("Programmes: {status}").format(status=", ".join(label(s) for s in statuses))
        + "</b>"
    ]
    buttons: list[tuple[str, CallbackData]] = []
    for programme in shown:
        done, total = programme.progress
        overdue = sum(a.overdue(today) for a in programme.activities)
        mentees = ", ".join(names.get(i, "—") for i in programme.pair.mentee_ids)
        line = _("№{id} {mentor} → {mentees}: {bar}, until {end}").format(
            id=programme.id,
            mentor=names.get(programme.pair.mentor_id, "—"),
            mentees=mentees,
            bar=progress_bar(done, total),
            end=day(programme.end_date),
        )
        if overdue:
            line += " ⚠️ " + _("overdue: {n}").format(n=overdue)
        if programme.status == ProgrammeStatus.APPROVED and programme.end_date < today:
            line += " ⏰ " + _("past its end date")
        lines.append(line)
        buttons.append(
            (
                _("Open №{id}").format(id=programme.id),
                ProgrammeAction(action=ProgrammeVerb.VIEW, programme_id=programme.id),
            )
        )
        if programme.status == ProgrammeStatus.APPROVED:
            buttons.append(
                (
                    _("End №{id}").format(id=programme.id),
                    ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id),
                )
            )
    if not shown:
        lines.append(_("None."))
    buttons += page_buttons(listed, lambda number: ProgrammeList(group=group, page=number))
    buttons += [
        (_("Running"), ProgrammeList(group="running")),
        (_("Being drafted"), ProgrammeList(group="drafting")),
        (_("Completed"), ProgrammeList(group="completed")),
        (_("Ended early"), ProgrammeList(group="ended")),
    ]
    return "\n".join(lines), button_rows(buttons, width=2)


@router.message(Command("programmes"))
async def cmd_programmes(message: Message, session: AsyncSession, today: date) -> None:
    text, markup = await render_list(session, "running", 0, today)
    await message.answer(text, reply_markup=markup)


@router.callback_query(ProgrammeList.filter())
async def programme_list_paged(
    query: CallbackQuery, callback_data: ProgrammeList, session: AsyncSession, today: date
) -> None:
    text, markup = await render_list(
        session, callback_data.group, max(callback_data.page, 0), today
    )
    await show_outcome(query, text, reply_markup=markup)
    await query.answer()
