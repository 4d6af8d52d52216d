"""What a handler may need of its update besides the event, the button data and the form.

Made once per update by `ContextMiddleware` (after the session and the participant exist), so a
handler takes at most six parameters (style §16):
- `notifier: Notifier` — telling other people, each in their language; it also carries the bot,
  the settings and the translations, for a handler that needs one of them;
- `stamp: Stamp` — who acts and when, the line a decided message ends with;
- `context: Context` — all of the update at once (session, actor, participant, today, stamp,
  notifier), for a handler that would otherwise take more than six.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Handler, Stamp
from handlers.notify import Notifier
from models.access import Actor
from models.participant import Participant


@dataclass(frozen=True)
class Context:
    """One update as a handler sees it. `actor` is None only for an update without a user,
    which no handler taking a context receives (they answer a person's message or press)."""

    session: AsyncSession
    actor: Actor
    participant: Participant | None
    today: date
    stamp: Stamp
    notifier: Notifier

    @property
    def bot(self) -> Bot:
        return self.notifier.bot

    @property
    def settings(self) -> Settings:
        return self.notifier.settings

    @property
    def i18n(self) -> I18n:
        return self.notifier.i18n


class ContextMiddleware(BaseMiddleware):
    """Puts this update's Notifier and Context into the handler's data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        notifier = Notifier(data["bot"], data["session"], data["settings"], data["i18n"])
        data["notifier"] = notifier
        data["context"] = Context(
            session=data["session"],
            actor=data["actor"],
            participant=data.get("participant"),
            today=data["today"],
            stamp=data["stamp"],
            notifier=notifier,
        )
        return await handler(event, data)
