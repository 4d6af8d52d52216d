"""Each Bot API answer type built once per process, not once per call.

aiogram decodes every answer through `Response[method.__returning__]`, a pydantic generic model
made on first use. pydantic keeps such models in a *weak* cache: nothing else holds
`Response[Message]` between two calls, so a garbage collection drops it and the next call
builds the whole model again — its validator for `Message` with every nested Telegram type,
several milliseconds of CPU each time. Under load the bot rebuilt `Response[Message]` and
`Response[list[Update]]` about once for every two updates (benchmarks/README.md, «Latency»).
`KeepResponseTypes`, on the bot's session, holds a strong reference to each answer type the
bot has used, so it is built once.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

_KEPT: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}


def keep_response_type(method: TelegramMethod[Any]) -> type[Response[Any]]:
    """The answer type of `method`, held for the life of the process (a few dozen at most:
    one per kind of Bot API method)."""
    kind = type(method)
    kept = _KEPT.get(kind)
    if kept is None:
        kept = _KEPT[kind] = Response[method.__returning__]  # type: ignore[name-defined]
    return kept


class KeepResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        keep_response_type(method)
        return await make_request(bot, method)
