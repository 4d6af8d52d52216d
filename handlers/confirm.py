"""Confirm before anything that cannot be taken back: a summary with «✅ …» / «✖ Cancel».

`ask_confirmation` keeps what is to be done in the form's data under a fresh token; a handler
filtered by `Confirmed("action")` receives it as `confirmed` when «✅» of the open summary is
pressed. «✖» cancels; a button of an older or finished summary is refused with an alert, so
nothing is done twice or by accident."""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import gettext as _

from rendering.ui import button_rows, show_outcome

router = Router(name=__name__)
KEY = "confirm"  # FSM data key: [action, token] of the open summary


class Confirming(StatesGroup):
    deciding = State()


class Confirm(CallbackData, prefix="cf"):
    action: str
    token: str
    yes: bool


async def ask_confirmation(
    message: Message | InaccessibleMessage,
    state: FSMContext,
    action: str,
    summary: str,
    yes_text: str,
    payload: dict[str, Any],
) -> None:
    token = secrets.token_hex(4)
    await state.set_state(Confirming.deciding)
    await state.set_data({**payload, KEY: [action, token]})
    await message.answer(
        summary,
        reply_markup=button_rows(
            [
                (yes_text, Confirm(action=action, token=token, yes=True)),
                (_("✖ Cancel"), Confirm(action=action, token=token, yes=False)),
            ]
        ),
    )


async def _open(query: CallbackQuery, state: FSMContext) -> tuple[Confirm, dict[str, Any]] | None:
    try:
        pressed = Confirm.unpack(query.data or "")
    except (TypeError, ValueError):
        return None
    if await state.get_state() != Confirming.deciding.state:
        return None
    data = await state.get_data()
    if data.get(KEY) != [pressed.action, pressed.token]:
        return None
    return pressed, data


class Confirmed(Filter):
    """«✅» of the open summary of this action; injects the kept data as `confirmed`."""

    def __init__(self, action: str) -> None:
        self.action = action

    async def __call__(self, query: CallbackQuery, state: FSMContext) -> bool | dict[str, Any]:
        opened = await _open(query, state)
        if opened is None or not opened[0].yes or opened[0].action != self.action:
            return False
        await state.clear()
        return {"confirmed": opened[1]}


@router.callback_query(Confirm.filter(~F.yes))
async def confirmation_cancelled(query: CallbackQuery, state: FSMContext) -> None:
    if await _open(query, state) is None:
        await stale_confirmation(query)
        return
    await state.clear()
    message = query.message  # too old to edit: the cancellation comes as a new message
    summary = message.html_text if isinstance(message, Message) and message.text else ""
    cancelled = _("✖ Cancelled; nothing was done.")
    await show_outcome(query, f"{summary}\n\n{cancelled}" if summary else cancelled)
    await query.answer()


@router.callback_query(Confirm.filter())
async def stale_confirmation(query: CallbackQuery) -> None:
    """«✅» of a summary already answered, cancelled or replaced by a newer one. A double tap
    lands here too, after the first tap did the work: the alert must not say «nothing was
    done» (a phone user would do it again)."""
    await query.answer(
        _(
            "This summary is closed. If you already pressed «✅» on it, that was done: the "
            "answer is above. If not, start again."
        ),
        show_alert=True,
    )
