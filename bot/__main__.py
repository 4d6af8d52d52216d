"""`python -m bot`: upgrade the database, then poll Telegram."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from models.database import create_engine, create_session_pool, upgrade_database


def load_settings() -> Settings:
    try:
        return Settings()  # type: ignore[call-arg]  # read from the environment / .env
    except ValidationError as error:
        lines = ["Configuration error (see .env.example):"]
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]).upper()
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"] == "missing":
                message = "is not set"
                if name == "BOT_TOKEN":
                    message += ": put the token from @BotFather into .env as BOT_TOKEN=..."
            lines.append(f"  {name}: {message}")
        raise SystemExit("\n".join(lines)) from None


async def run(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade_database(engine)
        session_pool = create_session_pool(engine)
        bot = create_bot(settings)
        dispatcher = create_dispatcher(settings, session_pool)
        await dispatcher.start_polling(bot, polling_timeout=settings.polling_timeout)
    finally:
        await engine.dispose()


def main() -> None:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
