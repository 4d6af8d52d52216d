"""/today: what needs the curator today, each with a button that opens it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.curator.approvals import cmd_approvals
from handlers.curator.candidates import cmd_candidates
from handlers.curator.pairing import cmd_pair
from handlers.curator.participants import BankView, render_bank
from handlers.curator.programmes import render_list
from handlers.curator.publish import cmd_publish
from handlers.curator.requests import cmd_requests
from handlers.curator.roadmap import cmd_roadmap
from handlers.curator.stafflist import cmd_stafflist
from models.desk import Desk, curator_desk
from rendering.ui import button_rows

router = Router(name=__name__)


class DeskItem(StrEnum):
    CANDIDATES = "cand"
    REQUESTS = "req"
    DRAFTING = "draft"
    RUNNING = "run"
    UNREACHABLE = "unr"
    STAFF = "staff"
    ROADMAP = "road"
    BANK = "bank"
    WISHES = "wish"
    CASES = "case"


class DeskOpen(CallbackData, prefix="desk"):
    item: DeskItem


def render_desk(desk: Desk) -> tuple[str, InlineKeyboardMarkup | None]:
    title = "<b>" + _("Needs your attention today") + "</b>"
    if desk.empty:
        return title + "\n" + _("Nothing is waiting for you. All is in order."), None
    lines: list[str] = []
    buttons: list[tuple[str, DeskOpen]] = []

    def add(count: int, text: str, button: str, item: DeskItem) -> None:
        if count:
            lines.append("• " + text.format(n=count))
            if (button, DeskOpen(item=item)) not in buttons:
                buttons.append((button, DeskOpen(item=item)))

    add(
        desk.candidates,
        ngettext(
            "{n} mentor candidate waits for your decision",
            "{n} mentor candidates wait for your decision",
            desk.candidates,
        ),
        _("Mentor candidates"),
        DeskItem.CANDIDATES,
    )
    add(
        desk.pairs_awaiting_order,
        ngettext(
            "{n} pair waits for the director's order",
            "{n} pairs wait for the director's order",
            desk.pairs_awaiting_order,
        ),
        _("Requests and orders"),
        DeskItem.REQUESTS,
    )
    add(
        desk.requests,
        ngettext(
            "{n} request waits for your decision",
            "{n} requests wait for your decision",
            desk.requests,
        ),
        _("Requests and orders"),
        DeskItem.REQUESTS,
    )
    add(
        desk.programmes_to_approve,
        ngettext(
            "{n} programme waits for your approval",
            "{n} programmes wait for your approval",
            desk.programmes_to_approve,
        ),
        _("Programmes being drafted"),
        DeskItem.DRAFTING,
    )
    add(
        desk.overdue_activities,
        ngettext(
            "{n} activity is overdue",
            "{n} activities are overdue",
            desk.overdue_activities,
        ),
        _("Running programmes"),
        DeskItem.RUNNING,
    )
    add(
        desk.programmes_past_end,
        ngettext(
            "{n} programme has passed its end date",
            "{n} programmes have passed their end date",
            desk.programmes_past_end,
        ),
        _("Running programmes"),
        DeskItem.RUNNING,
    )
    add(
        desk.unreachable,
        ngettext(
            "{n} participant cannot be reached (blocked the bot)",
            "{n} participants cannot be reached (blocked the bot)",
            desk.unreachable,
        ),
        _("Unreachable participants"),
        DeskItem.UNREACHABLE,
    )
    add(
        desk.listed_unregistered,
        ngettext(
            "{n} teacher on the yearly list has not registered yet",
            "{n} teachers on the yearly list have not registered yet",
            desk.listed_unregistered,
        ),
        _("The list of teachers"),
        DeskItem.STAFF,
    )
    add(
        desk.roadmap_to_approve,
        _("The year's roadmap waits for the director's approval"),
        _("The roadmap"),
        DeskItem.ROADMAP,
    )
    add(
        desk.bank_to_approve,
        ngettext(
            "{n} bank entry waits for the director's approval",
            "{n} bank entries wait for the director's approval",
            desk.bank_to_approve,
        ),
        _("Bank approvals"),
        DeskItem.BANK,
    )
    add(
        desk.bank_returned,
        ngettext(
            "{n} bank entry was returned by the director",
            "{n} bank entries were returned by the director",
            desk.bank_returned,
        ),
        _("Bank approvals"),
        DeskItem.BANK,
    )
    add(
        desk.wishes,
        ngettext(
            "{n} mentee asked for a mentor",
            "{n} mentees asked for a mentor",
            desk.wishes,
        ),
        _("Form a pair"),
        DeskItem.WISHES,
    )
    add(
        desk.cases_to_approve,
        ngettext(
            "{n} best practice's description waits for your approval",
            "{n} best practices' descriptions wait for your approval",
            desk.cases_to_approve,
        ),
        _("The site section"),
        DeskItem.CASES,
    )
    return title + "\n" + "\n".join(lines), button_rows(buttons)


async def show_desk(message: Message, session: AsyncSession, today: date) -> None:
    text, markup = render_desk(await curator_desk(session, today))
    await message.answer(text, reply_markup=markup)


@router.message(Command("today"))
async def cmd_today(message: Message, session: AsyncSession, today: date) -> None:
    await show_desk(message, session, today)


@router.callback_query(DeskOpen.filter())
async def desk_item_opened(
    query: CallbackQuery, callback_data: DeskOpen, state: FSMContext, context: Context
) -> None:
    session, today, participant = context.session, context.today, context.participant
    settings = context.settings
    message = query.message
    if not isinstance(message, Message):  # too old for Telegram to let the bot use it
        await query.answer(_("This message is too old. Send /today again."), show_alert=True)
        return
    await query.answer()
    match callback_data.item:
        case DeskItem.CANDIDATES:
            await cmd_candidates(message, session)
        case DeskItem.REQUESTS:
            await cmd_requests(message, session)
        case DeskItem.UNREACHABLE:
            text, markup = await render_bank(session, BankView(status="unreachable"), today)
            await message.answer(text, reply_markup=markup)
        case DeskItem.ROADMAP:
            await cmd_roadmap(message, session, today, participant, settings)
        case DeskItem.WISHES:
            await cmd_pair(message, state, session, today)
        case DeskItem.BANK:
            await cmd_approvals(message, session, participant, settings)
        case DeskItem.CASES:
            await cmd_publish(message, session, settings)
        case DeskItem.STAFF:
            await cmd_stafflist(message, session, today)
        case DeskItem.DRAFTING | DeskItem.RUNNING:
            group = "drafting" if callback_data.item == DeskItem.DRAFTING else "running"
            text, markup = await render_list(session, group, 0, today)
            await message.answer(text, reply_markup=markup)
