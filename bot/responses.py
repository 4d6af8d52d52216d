"""Each Bot API answer type built once per process, not once per call.

aiogram decodes every answer through `Response[method.__returning__]`, a pydantic generic model
made on first use. pydantic keeps such models in a *weak* cache: nothing else holds
`Response[Message]` between two calls, so a garbage collection drops it and the next call
builds the whole model again — its validator for `Message` with every nested Telegram type,
several milliseconds of CPU each time. Under load the bot rebuilt `Response[Message]` and
`Response[list[Update]]` about once for every two updates (benchmarks/README.md, «Latency»).
`KeepResponseTypes`, on the bot's session, holds a strong reference to each answer type the
bot has used, so it is built once; `keep_every_response_type` builds them all when the bot is
made (41 distinct types, ~50–90 ms and ~2 MB once per process), so the first person after a
restart to press a button does not pay for the edit's and the press's answer types (~4 ms of
CPU on top of the press's ~7).
"""

from __future__ import annotations

from typing import Any

import aiogram.methods
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
    kept = _KEPT.get(kind)  # all of aiogram's are there once the bot is made
    if kept is None:
        kept = _KEPT[kind] = Response[method.__returning__]  # type: ignore[name-defined]
    return kept


def keep_every_response_type() -> None:
    """The answer type of every Bot API method aiogram knows, built and held now."""
    for kind in vars(aiogram.methods).values():
        if (
            isinstance(kind, type)
            and issubclass(kind, TelegramMethod)
            and kind is not TelegramMethod
            and kind not in _KEPT
            and hasattr(kind, "__returning__")
        ):
            _KEPT[kind] = Response[kind.__returning__]  # type: ignore[name-defined]


class KeepResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        keep_response_type(method)
        return await make_request(bot, method)
