"""/broadcast: a message (text, or a photo or file with a caption) to everyone, the mentors,
the mentees or a department; a preview with the number of recipients; then the outbox delivers
it within Telegram's limits and the author gets a delivery summary."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.outcome import show_decided
from models.access import Actor
from models.broadcasts import audience_chats, check_text, departments, send_broadcast
from rendering.ui import button_rows, chat_of, set_buttons

router = Router(name=__name__)


class Broadcasting(StatesGroup):
    writing = State()
    choosing_audience = State()
    confirming = State()


class Audience(CallbackData, prefix="ba"):
    value: str  # all | mentors | mentees | d<index of the department>


class BroadcastConfirm(CallbackData, prefix="bc"):
    send: bool
    publish: bool = False  # «опубликовать на сайте»: off unless the curator ticks it
    toggle: bool = False


def _confirm_buttons(publish: bool) -> InlineKeyboardMarkup:
    mark = "☑" if publish else "☐"
    return button_rows(
        [
            (
                _("{mark} Also publish on the college site as news").format(mark=mark),
                BroadcastConfirm(send=False, publish=publish, toggle=True),
            ),
            (_("Send"), BroadcastConfirm(send=True, publish=publish)),
            (_("Cancel"), BroadcastConfirm(send=False)),
        ],
        width=1,
    )


@router.message(Command("broadcast"))
async def cmd_broadcast(message: Message, state: FSMContext) -> None:
    await state.set_state(Broadcasting.writing)
    await message.answer(
        _(
            "Send the message to broadcast: text, or a photo or a file with a caption. "
            "/cancel stops."
        )
    )


@router.message(Broadcasting.writing, F.text | F.photo | F.document)
async def broadcast_written(message: Message, state: FSMContext, session: AsyncSession) -> None:
    media = None
    if message.photo:
        media = ("photo", message.photo[-1].file_id)
    elif message.document:
        media = ("document", message.document.file_id)
    text = check_text(message.text or message.caption or "", media)
    names = await departments(session)
    await state.update_data(text=text, media=media, departments=names)
    await state.set_state(Broadcasting.choosing_audience)
    buttons = [
        (_("Everyone"), Audience(value="all")),
        (_("Mentors"), Audience(value="mentors")),
        (_("Mentees"), Audience(value="mentees")),
    ] + [(name[:40], Audience(value=f"d{index}")) for index, name in enumerate(names[:30])]
    await message.answer(_("Who receives it?"), reply_markup=button_rows(buttons, width=1))


@router.message(Broadcasting.writing)
async def broadcast_not_supported(message: Message) -> None:
    await message.answer(_("Send text, a photo or a file."))


@router.callback_query(Audience.filter(), Broadcasting.choosing_audience)
async def audience_chosen(
    query: CallbackQuery, callback_data: Audience, state: FSMContext, session: AsyncSession
) -> None:
    data = await state.get_data()
    value = callback_data.value
    if value.startswith("d") and value[1:].isdigit() and int(value[1:]) < len(data["departments"]):
        value = "dept:" + data["departments"][int(value[1:])]
    count = len(await audience_chats(session, value))
    await state.update_data(audience=value)
    await state.set_state(Broadcasting.confirming)
    await set_buttons(query, None)
    await query.answer()
    preview = escape(data["text"]) or "—"
    if data["media"]:
        preview = f"[{data['media'][0]}] {preview}"
    await chat_of(query).answer(
        _("Preview:\n\n{text}\n\nRecipients: {count}. Send?").format(text=preview, count=count),
        reply_markup=_confirm_buttons(publish=False),
    )


@router.callback_query(BroadcastConfirm.filter(), Broadcasting.confirming)
async def broadcast_confirmed(
    query: CallbackQuery,
    callback_data: BroadcastConfirm,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
) -> None:
    if callback_data.toggle:
        await set_buttons(query, reply_markup=_confirm_buttons(publish=not callback_data.publish))
        await query.answer()
        return
    data = await state.get_data()
    await state.clear()
    await query.answer()
    if not callback_data.send:
        await show_decided(query, stamp, _("✖ Cancelled; nothing was sent"))
        return
    media = tuple(data["media"]) if data["media"] else None
    broadcast = await send_broadcast(
        session,
        actor,
        text=data["text"],
        media=media,
        audience=data["audience"],
        rendered=escape(data["text"]),
        publish=callback_data.publish,
    )
    queued = ngettext(
        "Broadcast №{id} is queued for {count} recipient; I will send you a delivery summary.",
        "Broadcast №{id} is queued for {count} recipients; I will send you a delivery summary.",
        broadcast.recipients,
    ).format(id=broadcast.id, count=broadcast.recipients)
    await show_decided(query, stamp, "📨 " + queued)


@router.callback_query(BroadcastConfirm.filter())
async def stale_broadcast(query: CallbackQuery) -> None:
    """«Send» under a preview already sent or cancelled: nothing goes out twice."""
    await query.answer(
        _("This broadcast is already sent or cancelled. Start again with /broadcast."),
        show_alert=True,
    )
