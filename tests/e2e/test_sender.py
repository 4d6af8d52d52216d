"""The notification sender over HTTP: 429 is waited out, 403 and 5xx are handled."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from pydantic._internal import _generics as pydantic_generics

from bot import responses
from bot.emulator import BOT_TOKEN, FakeTelegram, Fault
from bot.factory import create_bot
from bot.sender import Delivery, Sender
from tests.conftest import make_settings


def bot_of(telegram: FakeTelegram) -> Bot:
    """The bot as `python -m bot` makes it, talking to the emulator."""
    settings = make_settings("sqlite+aiosqlite:///unused.db", bot_token=BOT_TOKEN)
    settings.telegram_api_url = telegram.url
    return create_bot(settings)


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = bot_of(telegram)
    yield bot
    await bot.session.close()


def answer_types_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the pydantic generic models (`Response[Message]`…) built from now on."""
    built: list[str] = []
    make = pydantic_generics.create_generic_submodel

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        built.append(name)
        return make(name, *args, **kwargs)

    monkeypatch.setattr(pydantic_generics, "create_generic_submodel", counted)
    return built


def sends(telegram: FakeTelegram, chat_id: int) -> int:
    return sum(
        1
        for method, params in telegram.calls
        if method == "sendmessage" and int(params["chat_id"]) == chat_id
    )


async def test_a_429_is_waited_out_and_the_message_arrives_once(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.faults.append(Fault("sendMessage", 429, "Too Many Requests", retry_after=1))
    result = await Sender(bot, base_delay=0.01).send_message(501, "Напоминание")
    assert result == Delivery.SENT
    assert [m.text for m in telegram.chat(501)] == ["Напоминание"]
    assert sends(telegram, 501) == 2  # the refused attempt and the delivered one


async def test_a_user_who_blocked_the_bot_is_reported_unreachable(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.blocked.add(502)
    assert await Sender(bot).send_message(502, "Привет") == Delivery.UNREACHABLE
    assert sends(telegram, 502) == 1  # no pointless retries


async def test_server_errors_are_retried_with_backoff_then_given_up(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.faults.append(Fault("sendMessage", 502, "Bad Gateway", times=2))
    assert await Sender(bot, base_delay=0.01).send_message(503, "Раз") == Delivery.SENT
    assert sends(telegram, 503) == 3

    telegram.faults.append(Fault("sendMessage", 500, "Internal Server Error", times=10))
    sender = Sender(bot, attempts=3, base_delay=0.01)
    assert await sender.send_message(504, "Два") == Delivery.FAILED
    assert telegram.chat(504) == []


async def test_documents_arrive_with_their_name_and_bytes(telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(
        505, BufferedInputFile(b"PK\x03\x04 fake xlsx", "bank.xlsx"), caption="Банк наставников"
    )
    assert sent.document is not None
    assert sent.document.file_name == "bank.xlsx"
    (message,) = telegram.chat(505)
    assert message.text == "Банк наставников"
    assert telegram.files[sent.document.file_id] == b"PK\x03\x04 fake xlsx"


async def test_the_emulator_refuses_html_that_telegram_cannot_parse(
    telegram: FakeTelegram, bot: Bot
) -> None:
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "номер"'):
        await bot.send_message(501, "Использование: /role <номер участника>")
    sent = await bot.send_message(501, "<b>Роль</b> &lt;номер&gt;")
    with pytest.raises(TelegramBadRequest, match='corresponding to start tag "b"'):
        await bot.edit_message_text("<b>не закрыт", chat_id=501, message_id=sent.message_id)
    # The emulator refuses a text over 4096 characters as Telegram does (a bare session)...
    raw = Bot(BOT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)))
    try:
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await raw.send_message(501, "я" * 4097)
    finally:
        await raw.session.close()
    assert [m.text for m in telegram.chat(501)] == ["<b>Роль</b> &lt;номер&gt;"]
    # ...and the bot's own session splits it instead (bot.longtext): nothing is lost.
    await bot.send_message(501, "я" * 4097)
    parts = [m.text for m in telegram.chat(501)][1:]
    assert len(parts) == 2
    assert "".join(parts) == "я" * 4097
    assert len(telegram.unparsable) == 2
    telegram.unparsable.clear()  # refused on purpose here


async def test_the_first_calls_after_a_start_build_no_answer_type(
    telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of Bot API call has its answer type (the edit's `Response[Message | bool]`,
    the press's `Response[bool]`…), several ms of CPU to build: the bot builds them all when
    it is made, so the first person to press a button after a restart does not wait for them
    (issue 18: the first consent press of a process cost ~20 ms of CPU instead of ~12)."""
    monkeypatch.setattr(responses, "_KEPT", {})  # as in a fresh process
    gc.collect()  # pydantic's own cache of them is weak
    bot = bot_of(telegram)
    built = answer_types_built(monkeypatch)
    try:
        sent = await bot.send_message(
            701,
            "Согласие",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Согласен", callback_data="c:1")]]
            ),
        )
        await bot.edit_message_text(
            "Согласие\n✅ Согласен", chat_id=701, message_id=sent.message_id
        )
        await bot.get_me()
    finally:
        await bot.session.close()
    assert built == []


async def test_the_answer_type_of_a_bot_api_call_is_built_once(
    telegram: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram decodes each answer through `Response[Message]`, which pydantic keeps in a weak
    cache: with the garbage an update leaves behind it was collected and built again, its
    whole validator, on almost every call (bot/responses.py). The bot's session keeps it."""
    built = answer_types_built(monkeypatch)
    for number in range(10):
        await bot.send_message(601, f"Сообщение {number}")
        garbage = [[{} for _ in range(1000)] for _ in range(50)]  # as an update leaves behind
        del garbage
        gc.collect(1)  # the young generations, where a new answer type lives
    assert built.count("Response[Message]") <= 1
