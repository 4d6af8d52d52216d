"""Every command of every role, and every button of their answers, through the emulator with
Telegram's HTML rules on: no text Telegram would refuse, no «something went wrong»."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.commands import CURATOR_COMMANDS, PARTICIPANT_COMMANDS
from bot.emulator import BotMessage, FakeTelegram, FakeUser
from bot.factory import create_bot, create_dispatcher
from bot.i18n import create_i18n
from bot.sandbox.app import sandbox_settings
from bot.sandbox.seed import Persona, seed_demo
from models.database import create_engine, create_session_pool, upgrade_database
from scheduler.clock import SystemClock
from tests.driver import detach_routers

MESSAGES_PER_COMMAND = 2  # the first messages with buttons that a command brings
BUTTONS_PER_MESSAGE = 6
DEPTH = 1  # the buttons of what a press brings are pressed too (one level)
# Not pressed: they end the person's participation, or switch the rest of the crawl out of
# Russian (English is checked by the same rules, but the Russian catalogue is the one at risk).
FINAL = ("Отозвать", "Не согласен", "Завершить досрочно", "English")
ERROR_TEXT = "Что-то пошло не так"


async def press_all(
    telegram: FakeTelegram, user: FakeUser, messages: list[BotMessage], depth: int
) -> int:
    """Press the buttons of these messages; with `depth` left, also the buttons of the messages
    a press brings (a summary's «✅», a role menu, a card's actions)."""
    presses = 0
    for message in messages:
        labels = [b["text"] for b in message.buttons()][:BUTTONS_PER_MESSAGE]
        for label in labels:
            if any(word in label for word in FINAL):
                continue
            current = telegram.messages[message.message_id]
            if not any(b["text"] == label for b in current.buttons()):
                continue  # an earlier press changed this message's buttons
            before = max(telegram.messages, default=0)
            await user.tap(current, label)
            await telegram.settle(idle=0.15)
            presses += 1
            if depth > 0:
                brought = [
                    m for m in telegram.chat(user.user_id) if m.message_id > before and m.buttons()
                ][:1]
                presses += await press_all(telegram, user, brought, depth - 1)
    return presses


async def crawl(telegram: FakeTelegram, persona: Persona, commands: list[str]) -> int:
    user = telegram.user(persona.telegram_id, persona.name.split()[1])
    presses = 0
    for command in commands:
        before = max((m.message_id for m in telegram.chat(persona.telegram_id)), default=0)
        await user.send(command)
        await telegram.settle(idle=0.15)
        fresh: list[BotMessage] = [
            m for m in telegram.chat(persona.telegram_id) if m.message_id > before and m.buttons()
        ][:MESSAGES_PER_COMMAND]
        presses += await press_all(telegram, user, fresh, DEPTH)
        await user.send("/cancel")
        await telegram.settle(idle=0.15)
    return presses


async def test_every_command_and_button_of_every_role(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    settings = sandbox_settings(telegram.url, tmp_path / "crawl.db")
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    session_pool = create_session_pool(engine)
    clock = SystemClock()
    async with session_pool() as session:
        personas = await seed_demo(session, clock.now().astimezone(settings.timezone).date())
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, session_pool, i18n=create_i18n("ru"), clock=clock)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    everyone = [f"/{name}" for name, _text in PARTICIPANT_COMMANDS]
    curator = everyone + [f"/{name}" for name, _text in CURATOR_COMMANDS]
    try:
        await telegram.polling.wait()
        chosen = [
            next(p for p in personas if p.role == role) for role in ("curator", "mentor", "mentee")
        ]
        presses = 0
        for persona in chosen:
            presses += await crawl(
                telegram, persona, curator if persona.role == "curator" else everyone
            )
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()
        await engine.dispose()
        detach_routers(dispatcher)  # the module routers join the next test's dispatcher
    assert presses > 80  # the crawl really pressed buttons, and those of what they brought
    failed = [m.text[:120] for m in telegram.messages.values() if ERROR_TEXT in m.text]
    assert failed == []
    # The `telegram` fixture fails the test if any text was refused as unparsable HTML.
