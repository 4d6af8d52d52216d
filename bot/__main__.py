"""`python -m bot`: upgrade the database, then poll Telegram.
`python -m bot sandbox`: try the bot without Telegram (see --help)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.factory import create_bot, create_dispatcher, create_storage, settle_heap
from bot.i18n import create_i18n
from bot.resilience import single_attempt
from models.database import (
    create_engine,
    create_session_pool,
    upgrade_database,
    writable_problem,
)
from scheduler.app import create_scheduler
from scheduler.clock import SystemClock

logger = logging.getLogger("bot")


def load_settings() -> Settings:
    try:
        return Settings()  # read from the environment / .env
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


async def wait_for_telegram(bot: Bot, max_delay: float = 60.0) -> None:
    """Check the token before anything else; wait out network trouble instead of crashing."""
    delay = 1.0
    while True:
        try:
            with single_attempt():  # this loop is the retry, with its own log line
                me = await bot.get_me()
        except TelegramUnauthorizedError:
            raise SystemExit(
                "Telegram rejected BOT_TOKEN (401 Unauthorized): check the token from @BotFather"
            ) from None
        except (TelegramNetworkError, TelegramServerError) as error:
            logger.warning("Telegram is not reachable (%s); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
        else:
            logger.info("connected to Telegram as @%s", me.username)
            return


async def refuse_a_read_only_database(engine: AsyncEngine, url: str) -> None:
    """A bot that cannot save would answer everyone and keep nothing: it does not start."""
    problem = await writable_problem(engine)
    if problem is not None:
        where = url.split("@")[-1]  # no password in the message
        raise SystemExit(
            f"The database is read-only ({problem}): {where}. The bot cannot save anything "
            "on it and does not start. Make the database file and its folder writable for the "
            "bot's user (SQLite), or point DATABASE_URL to the primary server (PostgreSQL)."
        )


async def serve_webhook(settings: Settings, dispatcher: Dispatcher, bot: Bot) -> None:
    """An aiohttp server for Telegram's calls; SIGTERM/SIGINT stop it gracefully."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dispatcher, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    logger.info("webhook server on %s:%d", settings.webhook_host, settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def run(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    bot = create_bot(settings)
    try:
        await upgrade_database(engine)
        await refuse_a_read_only_database(engine, settings.database_url)
        await wait_for_telegram(bot)
        session_pool = create_session_pool(engine)
        clock = SystemClock()
        i18n = create_i18n(settings.default_locale)
        storage = create_storage(settings, session_pool)  # the retention job reaches its forms
        scheduler = create_scheduler(bot, session_pool, settings, i18n, clock, storage)
        dispatcher = create_dispatcher(
            settings, session_pool, storage=storage, i18n=i18n, clock=clock, scheduler=scheduler
        )
        settle_heap()  # everything the process keeps is built: out of the collector's way
        if settings.bot_mode == "webhook":
            await serve_webhook(settings, dispatcher, bot)
        else:
            await dispatcher.start_polling(bot, polling_timeout=settings.polling_timeout)
    finally:
        await bot.session.close()
        await engine.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Наставник bot")
    commands = parser.add_subparsers(dest="command")
    sandbox = commands.add_parser(
        "sandbox",
        help="run the real bot against a built-in Telegram emulator with a chat console",
    )
    sandbox.add_argument("--seed", choices=["demo"], help="start from a demo college")
    sandbox.add_argument(
        "--fast-clock", type=float, metavar="N", help="the scheduler's clock runs N times faster"
    )
    sandbox.add_argument("--db", type=Path, default=Path("data/sandbox.db"), help="SQLite file")
    sandbox.add_argument(
        "--files", type=Path, default=Path("data/sandbox-files"), help="where documents go"
    )
    publish = commands.add_parser(
        "publish", help="write the college site's mentoring section (HTML pages) to a folder"
    )
    publish.add_argument("--out", type=Path, required=True, help="the folder to write into")
    return parser.parse_args(argv)


async def publish_to(settings: Settings, out: Path) -> Path:
    """`python -m bot publish --out DIR`: the same section as /publish, for a cron job."""
    from bot.publication import publish_site

    engine = create_engine(settings.database_url)
    try:
        await upgrade_database(engine)
        i18n = create_i18n(settings.default_locale)
        async with create_session_pool(engine)() as session:
            with i18n.context(), i18n.use_locale(settings.default_locale):
                await publish_site(session, settings, out)
    finally:
        await engine.dispose()
    return out / "index.html"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "sandbox":
        from bot.sandbox.app import run_sandbox

        if args.fast_clock is not None and args.fast_clock <= 0:
            raise SystemExit("--fast-clock must be a positive number")
        asyncio.run(run_sandbox(args.db, args.files, seed=args.seed, fast_clock=args.fast_clock))
        return
    settings = load_settings()
    if args.command == "publish":
        print(asyncio.run(publish_to(settings, args.out)))
        return
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
