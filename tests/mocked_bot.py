"""A bot whose session records every request and answers it like Telegram would."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, File, Message, User

from bot import telegram_html
from bot.longtext import SplitLongMessages
from bot.resilience import RetryRequestMiddleware
from bot.sender import RateLimiter, sender_for


async def _no_wait(_seconds: float) -> None:
    return None


BOT_USER = User(id=42, is_bot=True, first_name="Наставник", username="nastavnik_test_bot")


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.blocked: set[int] = set()
        self.faults: list[Exception] = []  # raised by the next requests, one each
        self.down: set[int] = set()  # chats whose every request fails with a 502
        self.hanging: set[int] = set()  # chats whose requests never get an answer
        self.answered: set[str] = set()  # callback queries answered (Telegram allows one)
        # Texts Telegram's HTML parser would refuse; a test fails on any (the `bot` fixtures).
        self.unparsable: list[str] = []
        self._ids = itertools.count(1000)
        self.files: dict[str, bytes] = {}  # documents users sent, by file_id (for downloads)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        self.requests.append(method)
        if self.faults:
            raise self.faults.pop(0)
        chat_id = getattr(method, "chat_id", None)
        if chat_id in self.blocked:
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked")
        if chat_id in self.down:
            raise TelegramServerError(method=method, message="Bad Gateway")
        if chat_id in self.hanging:
            await asyncio.Event().wait()  # until the caller gives up (cancelled)
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id in self.answered:
                raise TelegramBadRequest(method=method, message="Bad Request: query ID is invalid")
            self.answered.add(method.callback_query_id)
        if isinstance(method, GetMe):
            return BOT_USER  # type: ignore[return-value]
        if isinstance(method, GetFile):
            if method.file_id not in self.files:
                raise TelegramBadRequest(method=method, message="Bad Request: invalid file_id")
            return File(  # type: ignore[return-value]
                file_id=method.file_id,
                file_unique_id=method.file_id,
                file_size=len(self.files[method.file_id]),
                file_path=f"documents/{method.file_id}",
            )
        self._check_text(bot, method)
        if isinstance(method, SendMessage | EditMessageText | EditMessageReplyMarkup):
            return self._message(method)  # type: ignore[return-value]
        return True  # type: ignore[return-value]

    def _check_text(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        """Refuse, with Telegram's own error, a text or caption that Telegram refuses."""
        parse_mode = getattr(method, "parse_mode", None)
        if isinstance(parse_mode, Default):
            parse_mode = bot.default[parse_mode.name]
        for field, caption in (("text", False), ("caption", True)):
            value = getattr(method, field, None)
            if not isinstance(value, str):
                continue
            try:
                telegram_html.check(value, caption=caption, html_mode=parse_mode == ParseMode.HTML)
            except telegram_html.TelegramHTMLError as error:
                if "parse entities" in str(error):
                    self.unparsable.append(f"{error}: {value[:300]!r}")
                raise TelegramBadRequest(method=method, message=f"Bad Request: {error}") from None

    def _message(self, method: Any) -> Message:
        message_id = getattr(method, "message_id", None) or next(self._ids)
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=method.chat_id or 0, type="private"),
            from_user=BOT_USER,
            text=getattr(method, "text", None) or "",
            reply_markup=method.reply_markup,
        )

    async def close(self) -> None:
        pass

    async def stream_content(
        self, url: str = "", *args: Any, **kwargs: Any
    ) -> AsyncGenerator[bytes, None]:
        yield self.files.get(url.rsplit("/", 1)[-1], b"")


class MockedBot(Bot):
    session: RecordingSession

    def __init__(self, token: str = "42:TEST-token-for-handler-tests") -> None:
        # HTML by default, as in production (bot.factory.create_bot), so that the recording
        # session refuses what Telegram's HTML parser refuses.
        super().__init__(
            token,
            session=RecordingSession(),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        # As in production (bot.factory.create_bot), with no real waiting.
        self.session.middleware(SplitLongMessages())
        self.session.middleware(RetryRequestMiddleware(sleep=_no_wait))
        # Nothing real is sent: no need to space messages as for Telegram.
        sender_for(self).limiter = RateLimiter(rate=1e9, per_chat=0)
