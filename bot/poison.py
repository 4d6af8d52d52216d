"""An update that cannot be decoded must not halt the bot.

aiogram decodes a whole getUpdates batch at once: one update it cannot parse (a malformed one,
or a new field of a shape this version does not expect) fails the batch, the offset never moves
past it, and polling fails forever at the same place — nobody is answered again.
`SkipUndecodableUpdates` (on the bot's session) decodes such a batch update by update: each
one that fails is logged by its id (never its content: personal data), counted, and replaced
by an empty update with the same id, so the offset moves past it and the rest of the batch is
handled as usual. A webhook update that cannot be decoded is answered 200 and skipped the
same way (Telegram would otherwise send it again and again), and an update of a kind this
aiogram does not know is skipped by the dispatcher (`bot.factory`) with one log line, no
traceback. An update that kills the whole process (not an exception: the process is gone) is
counted in the database for each start that tries it (`models.updates.UpdateAttempt`) and
skipped after MAX_TRIES with a notice to the curators. `SKIPPED` counts all three since the
start.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

logger = logging.getLogger(__name__)


class PoisonCount:
    """Updates skipped since the start, by reason; each one is logged with the running total."""

    def __init__(self) -> None:
        self.undecodable = 0
        self.unknown = 0
        self.fatal = 0  # killed the process MAX_TRIES times (bot.factory)

    def skip_undecodable(self, update_id: object, error: ValidationError) -> None:
        self.undecodable += 1
        fields = sorted({".".join(str(p) for p in e["loc"][:2]) for e in error.errors()})
        logger.warning(
            "update %s could not be decoded (%s): skipped; %d skipped since the start",
            update_id,
            ", ".join(fields[:5]),
            self.undecodable,
        )

    def skip_fatal(self, update_id: int, tries: int) -> None:
        self.fatal += 1
        logger.error(
            "update %s stopped the bot %d times: skipped so the others are answered; "
            "%d skipped since the start",
            update_id,
            tries,
            self.fatal,
        )

    def skip_unknown(self, update_id: int) -> None:
        self.unknown += 1
        logger.info(
            "update %s of a kind this bot does not handle: skipped; %d since the start",
            update_id,
            self.unknown,
        )


SKIPPED = PoisonCount()


def decode_update(bot: Bot, raw: dict[str, Any]) -> Update | None:
    """The update, or None (logged and counted) when it cannot be decoded."""
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError as error:
        SKIPPED.skip_undecodable(raw.get("update_id") if isinstance(raw, dict) else None, error)
        return None


class SkipUndecodableUpdates(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        request = cast(TelegramMethod[TelegramType], method)  # narrowing loses the result type
        try:
            return await make_request(bot, request)
        except ClientDecodeError as error:
            batch = _batch_of(error.data)
            if batch is None:
                raise  # not even a list of updates: the dispatcher's own backoff applies
            # getUpdates' response type is list[Update]; mypy cannot see TelegramType is that here
            return [self._decode(bot, raw) for raw in batch]  # type: ignore[return-value]

    def _decode(self, bot: Bot, raw: dict[str, Any]) -> Update:
        # an empty update with the same id moves the offset past it; the dispatcher skips it
        return decode_update(bot, raw) or Update(update_id=raw["update_id"])


def _batch_of(data: Any) -> list[dict[str, Any]] | None:
    """The raw updates of a getUpdates answer, if each at least has its id."""
    if not isinstance(data, dict) or data.get("ok") is not True:
        return None
    result = data.get("result")
    if not isinstance(result, list):
        return None
    for raw in result:
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return None
    return result
