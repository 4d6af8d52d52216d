"""Dates typed as people type them (models.fields.parse_date reads them), and a question
instead of silently taking a date that is possible but unlikely (an order dated years ahead,
a programme starting long ago): the same date typed once more confirms it."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from rendering.views import day

UNUSUAL = "unusual_date"  # FSM data key: the unlikely date shown, waiting to be typed again
YEAR = timedelta(days=365)


async def plausible(message: Message, state: FSMContext, value: date, doubt: str | None) -> bool:
    """True to go on. With a `doubt` (why the date looks wrong) the first time, the person is
    asked; the same date typed again is taken."""
    data = await state.get_data()
    if doubt is None or data.get(UNUSUAL) == value.isoformat():
        if data.get(UNUSUAL):
            await state.update_data({UNUSUAL: None})
        return True
    await state.update_data({UNUSUAL: value.isoformat()})
    await message.answer(
        "⚠ "
        + doubt
        + "\n"
        + _("If it is right, send {date} once more; otherwise type the correct date.").format(
            date=day(value)
        )
    )
    return False


def order_date_doubt(value: date, today: date) -> str | None:
    if value > today + YEAR:
        return _("The order is dated {date}, more than a year ahead.").format(date=day(value))
    if value < today - 2 * YEAR:
        return _("The order is dated {date}, more than two years ago.").format(date=day(value))
    return None


def start_date_doubt(value: date, today: date) -> str | None:
    if value < today - timedelta(days=90):
        return _("The programme would start on {date}, more than three months ago.").format(
            date=day(value)
        )
    if value > today + YEAR:
        return _("The programme would start on {date}, more than a year ahead.").format(
            date=day(value)
        )
    return None


def deadline_doubt(value: date, today: date) -> str | None:
    if value < today:
        return _("{date} is already past.").format(date=day(value))
    return None
