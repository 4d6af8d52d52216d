"""/broadcast: a message (text, or a photo or file with a caption) to everyone, the mentors,
the mentees or a department; a preview with the number of recipients; then the outbox delivers
it within Telegram's limits and the author gets a delivery summary."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.forms import Form, Question, Step, Turn
from handlers.outcome import show_decided
from models.access import Actor
from models.broadcasts import audience_chats, check_text, departments, send_broadcast
from models.i18n_marker import N_
from rendering.texts import shorten
from rendering.ui import FormOption, button_rows, set_buttons

router = Router(name=__name__)


class Broadcasting(StatesGroup):
    writing = State()
    choosing_audience = State()
    confirming = State()


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
    await BROADCAST.start(Turn(message, state), {})


async def _written(turn: Turn) -> Any:
    """The text (a photo's or a file's caption) checked; the media and the departments (for
    the next question's buttons) kept beside it."""
    message = turn.sent
    media = None
    if message.photo:
        media = ("photo", message.photo[-1].file_id)
    elif message.document:
        media = ("document", message.document.file_id)
    text = check_text(message.text or message.caption or "", media)
    await turn.state.update_data(media=media, departments=await departments(turn.session))
    return text


# The audiences of every broadcast, then the departments (dept:<name>), in one case: «to whom».
AUDIENCES = {"all": N_("Everyone"), "mentors": N_("To mentors"), "mentees": N_("To mentees")}


async def _audience_question(turn: Turn) -> Question:
    names = (await turn.answers())["departments"]
    buttons = [
        (_(text), FormOption(field="audience", code=code)) for code, text in AUDIENCES.items()
    ] + [
        (shorten(name, 40), FormOption(field="audience", code=f"d{index}"))
        for index, name in enumerate(names[:30])
    ]
    return _("Who receives it?"), button_rows(buttons, width=1)


async def _audience(turn: Turn, value: str) -> Any:
    """all | mentors | mentees | d<index of the department> → the audience's name."""
    names = (await turn.answers())["departments"]
    if value.startswith("d") and value[1:].isdigit() and int(value[1:]) < len(names):
        value = "dept:" + names[int(value[1:])]
    return value


def _audience_line(value: Any, _answers: dict[str, Any]) -> str:
    audience = str(value)
    text = AUDIENCES.get(audience)
    shown = _(text) if text else escape(audience.removeprefix("dept:"))
    return _("Who receives it: {audience}").format(audience=shown)


async def _preview(turn: Turn) -> None:
    data = await turn.answers()
    count = len(await audience_chats(turn.session, data["audience"]))
    await turn.state.set_state(Broadcasting.confirming)
    preview = escape(data["text"]) or "—"
    if data["media"]:
        preview = f"[{data['media'][0]}] {preview}"
    await turn.message.answer(
        _("Preview:\n\n{text}\n\nRecipients: {count}. Send?").format(text=preview, count=count),
        reply_markup=_confirm_buttons(publish=False),
    )


BROADCAST = Form(
    [
        Step(
            Broadcasting.writing,
            "text",
            question=N_(
                "Send the message to broadcast: text, or a photo or a file with a caption. "
                "/cancel stops."
            ),
            read=_written,
            media=True,
            refusal=N_("Send text, a photo or a file."),
        ),
        Step(
            Broadcasting.choosing_audience,
            "audience",
            question=_audience_question,
            press=_audience,
            line=_audience_line,  # the question keeps its answer: «Кому: Наставникам»
        ),
    ],
    _preview,
)
BROADCAST.register(router)


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
