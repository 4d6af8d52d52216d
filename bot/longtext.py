"""Messages that grow (a plan of 40 activities, a long list, a card with long answers) are split
under Telegram's limits instead of being refused with «message is too long».

`split_html` cuts HTML text into parts of at most `limit` UTF-16 code units (Telegram's unit),
counting the markup too (so a part is never over the limit, whatever Telegram does with the
tags), preferring a blank line, then a line end, then a space; a tag open at a cut is closed at
the end of the part and opened again at the start of the next one, and no tag or character
entity is ever cut in two.

`SplitLongMessages`, on the bot's session like the retry middleware, applies it to every
sendMessage (the buttons stay on the last part), to an editMessageText (the message keeps the
first part, the rest follows as new messages) and to a caption over 1024 (the photo or file is
sent with the first part as its caption, the rest follows as messages).
"""

from __future__ import annotations

import re
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import (
    EditMessageText,
    Response,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n|[^<&\n]|[<&]", re.DOTALL)
_PLAIN_TOKEN = re.compile(r"\n|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _opening in reversed(stack))


def split_html(text: str, limit: int = MESSAGE_LIMIT, *, html: bool = True) -> list[str]:
    if units(text) <= limit:
        return [text]
    tokens = (_TOKEN if html else _PLAIN_TOKEN).findall(text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the opening tag as written)
    start = 0
    while start < len(tokens):
        prefix = "".join(opening for _name, opening in stack)
        used = units(prefix)
        local = list(stack)
        end = start
        breaks: dict[int, int] = {}  # the latest break of each kind: 2 blank line, 1 line, 0 space
        while end < len(tokens):
            token = tokens[end]
            size = units(token)
            if used + size + units(_closing(local)) > limit - 16 and end > start:
                break
            used += size
            match = _TAG.fullmatch(token) if html else None
            if match:
                name = match.group(2).lower()
                if match.group(1):
                    if local and local[-1][0] == name:
                        local.pop()
                else:
                    local.append((name, token))
            end += 1
            if token == "\n":
                breaks[2 if end < len(tokens) and tokens[end] == "\n" else 1] = end
            elif token == " ":
                breaks[0] = end
        cut = end
        if end < len(tokens):
            for rank in (2, 1, 0):  # a break in the second half of the part: cut there
                if rank in breaks and (breaks[rank] - start) * 2 >= end - start:
                    cut = breaks[rank]
                    break
        body = "".join(tokens[start:cut])
        for token in tokens[start:cut]:
            match = _TAG.fullmatch(token) if html else None
            if match:
                name = match.group(2).lower()
                if match.group(1):
                    if stack and stack[-1][0] == name:
                        stack.pop()
                else:
                    stack.append((name, token))
        part = (prefix + body + _closing(stack)).strip("\n")
        if part.strip():
            parts.append(part)
        start = cut
        while start < len(tokens) and tokens[start] in ("\n", " "):
            start += 1
    return parts


def _copy(method: TelegramMethod[Any], **changes: Any) -> Any:
    return method.model_copy(update=changes)


class SplitLongMessages(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage) and units(method.text) > MESSAGE_LIMIT:
            parts = split_html(method.text, html=method.parse_mode is not None)
            for part in parts[:-1]:
                await make_request(bot, _copy(method, text=part, reply_markup=None))
            return await make_request(bot, _copy(method, text=parts[-1]))
        if (
            isinstance(method, EditMessageText)
            and method.text is not None
            and units(method.text) > MESSAGE_LIMIT
        ):
            parts = split_html(method.text, html=method.parse_mode is not None)
            markup = method.reply_markup
            chat_id = method.chat_id
            if chat_id is None:  # an inline message's text: Telegram keeps it one message
                return await make_request(bot, cast(TelegramMethod[TelegramType], method))
            response = await make_request(
                bot, _copy(method, text=parts[0], reply_markup=None if len(parts) > 1 else markup)
            )
            for number, part in enumerate(parts[1:], 2):
                last = number == len(parts)
                await bot.send_message(
                    chat_id,
                    part,
                    parse_mode=method.parse_mode,
                    reply_markup=markup if last else None,
                )
            return response
        if (
            isinstance(method, SendPhoto | SendDocument)
            and method.caption
            and units(method.caption) > CAPTION_LIMIT
        ):
            html = method.parse_mode is not None
            parts = split_html(method.caption, CAPTION_LIMIT, html=html)
            rest = split_html("\n".join(parts[1:]), html=html) if len(parts) > 1 else []
            caption_markup = method.reply_markup
            response = await make_request(
                bot, _copy(method, caption=parts[0], reply_markup=None if rest else caption_markup)
            )
            for number, part in enumerate(rest, 1):
                await bot.send_message(
                    method.chat_id,
                    part,
                    parse_mode=method.parse_mode,
                    reply_markup=caption_markup if number == len(rest) else None,
                )
            return response
        return await make_request(bot, method)
