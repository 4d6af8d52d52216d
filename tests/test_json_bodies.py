"""Bot API calls go as JSON bodies carrying the same strings as aiogram's form (bot.jsonbody)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, SendDocument, SendMessage, TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiohttp import BytesPayload, FormData

from bot.emulator import BOT_TOKEN, FakeTelegram
from bot.jsonbody import JsonBodySession

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Согласен(на)", callback_data="ca:1:pd-2026.1")]]
)
TEXT = "<b>Согласие</b> на обработку персональных данных: «&lt;ФИО&gt;» & 100 % 😀\n" * 30
METHODS: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=42, text=TEXT, reply_markup=KEYBOARD, disable_notification=True),
    EditMessageText(chat_id=-100123, message_id=7, text=TEXT, reply_markup=None),
]


def form_fields(bot: Bot, method: TelegramMethod[Any]) -> dict[str, str]:
    """What aiogram's own session would post: its url-encoded form, decoded."""
    form = AiohttpSession().build_form_data(bot, method)
    payload = form()
    assert isinstance(payload, BytesPayload)
    return dict(parse_qsl(payload._value.decode(), keep_blank_values=True))


def test_a_json_body_carries_the_strings_of_aiograms_form() -> None:
    bot = Bot(BOT_TOKEN, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    session = JsonBodySession()
    for method in METHODS:
        payload: Any = session.build_form_data(bot, method)
        assert isinstance(payload, BytesPayload)
        assert payload.content_type == "application/json"
        body = json.loads(payload._value)
        assert all(isinstance(value, str) for value in body.values())
        assert body == form_fields(bot, method)
        assert body["parse_mode"] == "HTML"  # the bot's defaults, as in the form
    sent = json.loads(session.build_form_data(bot, METHODS[0])._value)  # type: ignore[attr-defined]
    assert json.loads(sent["reply_markup"]) == KEYBOARD.model_dump(exclude_none=True)


def test_a_call_with_a_file_keeps_the_multipart_form() -> None:
    bot = Bot(BOT_TOKEN)
    document = BufferedInputFile(b"%PDF-1.4", filename="order.pdf")
    form = JsonBodySession().build_form_data(bot, SendDocument(chat_id=42, document=document))
    assert isinstance(form, FormData)
    assert form.is_multipart


async def test_the_bot_api_emulator_takes_a_json_body_as_it_takes_the_form() -> None:
    """The same calls through aiogram's form and through JSON bodies leave the same messages
    (text, entities, buttons) and get the same answers back."""
    seen: list[Any] = []
    for session in (AiohttpSession(), JsonBodySession()):
        server = FakeTelegram()
        await server.start()
        session.api = TelegramAPIServer.from_base(server.url)
        default = DefaultBotProperties(parse_mode=ParseMode.HTML)
        bot = Bot(BOT_TOKEN, session=session, default=default)
        try:
            sent = await bot.send_message(42, TEXT, reply_markup=KEYBOARD)
            edited = await bot.edit_message_text(
                "<i>Изменено</i>", chat_id=42, message_id=sent.message_id, reply_markup=KEYBOARD
            )
        finally:
            await session.close()
            await server.stop()
        answers = [m.model_dump(exclude={"date"}) for m in (sent, edited) if isinstance(m, Message)]
        stored = [{k: v for k, v in m.as_json().items() if k != "date"} for m in server.chat(42)]
        seen.append((answers, stored))
    assert seen[0] == seen[1]
    answers, stored = seen[1]
    assert len(answers) == 2
    assert "Согласие на обработку" in answers[0]["text"]
    assert answers[0]["reply_markup"] == answers[1]["reply_markup"]
    assert "Изменено" in stored[0]["text"]
