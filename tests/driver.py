"""Feeds updates to the real dispatcher as Telegram users would, and reads the bot's replies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from tests.mocked_bot import BOT_USER, MockedBot

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def detach_routers(router: Router) -> None:
    """Module-level routers may join only one dispatcher; tests build one per test."""
    for sub_router in router.sub_routers:
        detach_routers(sub_router)
        sub_router._parent_router = None  # aiogram has no public way to detach


def buttons(markup: InlineKeyboardMarkup | None) -> Iterator[tuple[str, str]]:
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            yield button.text, button.callback_data or ""


@dataclass
class Person:
    """One Telegram user talking to the bot through the dispatcher."""

    dispatcher: Dispatcher
    bot: MockedBot
    user_id: int
    first_name: str = "Мария"
    language_code: str = "ru"
    group_id: int | None = None  # talk in this group instead of the private chat
    last_update: Update | None = None

    @property
    def user(self) -> User:
        return User(
            id=self.user_id,
            is_bot=False,
            first_name=self.first_name,
            language_code=self.language_code,
        )

    @property
    def chat(self) -> Chat:
        if self.group_id is not None:
            return Chat(id=self.group_id, type="group", title="ПЦК")
        return Chat(id=self.user_id, type="private")

    async def _feed(self, update: Update) -> list[TelegramMethod[Any]]:
        before = len(self.bot.session.requests)
        self.last_update = update
        await self.dispatcher.feed_update(self.bot, update)
        return self.bot.session.requests[before:]

    async def redeliver(self) -> list[TelegramMethod[Any]]:
        """Telegram sends the same update again (same update_id)."""
        return await self._feed(self.last_update)

    async def send(self, text: str, **fields: Any) -> list[TelegramMethod[Any]]:
        message = Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
            **fields,
        )
        return await self._feed(Update(update_id=next(_update_ids), message=message))

    async def send_document(
        self, data: bytes, file_name: str, caption: str | None = None
    ) -> list[TelegramMethod[Any]]:
        """A file sent to the bot; the recording session serves it back to `bot.download`."""
        file_id = f"doc{next(_message_ids)}"
        self.bot.session.files[file_id] = data
        message = Message.model_validate(
            {
                "message_id": next(_message_ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": self.chat.model_dump(exclude_none=True),
                "from": self.user.model_dump(),
                "caption": caption,
                "document": {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_name": file_name,
                    "file_size": len(data),
                },
            }
        )
        return await self._feed(Update(update_id=next(_update_ids), message=message))

    async def send_sticker(self) -> list[TelegramMethod[Any]]:
        message = Message.model_validate(
            {
                "message_id": next(_message_ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": self.chat.model_dump(exclude_none=True),
                "from": self.user.model_dump(),
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            }
        )
        return await self._feed(Update(update_id=next(_update_ids), message=message))

    async def press_data(
        self,
        data: str,
        message_id: int = 1,
        text: str = "…",
        markup: InlineKeyboardMarkup | None = None,
        *,
        old: bool = False,
    ) -> list[TelegramMethod[Any]]:
        """Press a button; with `text` and `markup`, on a message that shows them (as Telegram
        sends the pressed message with the callback), else on a bare «…»; `old`: under a
        message older than 48 hours, which Telegram sends as an InaccessibleMessage (no text,
        cannot be edited)."""
        message: Message | InaccessibleMessage = (
            InaccessibleMessage(chat=self.chat, message_id=message_id)
            if old
            else Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=self.chat,
                from_user=BOT_USER,
                text=text,
                reply_markup=markup,
            )
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance="chat",
            message=message,
            data=data,
        )
        return await self._feed(Update(update_id=next(_update_ids), callback_query=query))

    def last_markup(self) -> tuple[int, InlineKeyboardMarkup]:
        """The most recent keyboard the bot showed this person, and its message id."""
        for method in reversed(self.bot.session.requests):
            if getattr(method, "chat_id", None) != self.user_id:
                continue
            markup = getattr(method, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                return getattr(method, "message_id", None) or 1, markup
        raise AssertionError(f"no keyboard was shown to {self.user_id}")

    async def press(self, text: str, *, on_message: bool = False) -> list[TelegramMethod[Any]]:
        """Press the button whose label contains `text` on the latest keyboard (`on_message`:
        the pressed message carries that keyboard, as in Telegram)."""
        message_id, markup = self.last_markup()
        for label, data in buttons(markup):
            if text in label:
                if on_message:
                    return await self.press_data(data, message_id, markup=markup)
                return await self.press_data(data, message_id)
        raise AssertionError(f"no button {text!r} among {[b for b, _ in buttons(markup)]}")


def texts(requests: list[TelegramMethod[Any]], chat_id: int | None = None) -> list[str]:
    """Texts the bot sent, edited in, or showed as a callback answer."""
    found = []
    for method in requests:
        if isinstance(method, SendMessage | EditMessageText):
            if chat_id is None or method.chat_id == chat_id:
                found.append(method.text)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            found.append(method.text)
    return found


def said(requests: list[TelegramMethod[Any]], fragment: str, chat_id: int | None = None) -> bool:
    return any(fragment in text for text in texts(requests, chat_id))
