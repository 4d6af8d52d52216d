"""The update loop survives poison (issue 12, item 9): an update the library cannot decode and
an update of an unknown kind are logged, counted and skipped; everyone else is still answered,
polling and webhook alike, with no traceback in the log."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.emulator import FakeTelegram
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.e2e.test_webhook_e2e import SECRET, free_port, webhook_env

UNDECODABLE = {
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": "not a chat",  # Telegram never sends this; a future shape might be as odd
        "from": {"id": 8201, "is_bot": False, "first_name": "X"},
        "text": "/start",
    }
}
UNKNOWN_KIND = {"some_future_kind": {"id": 1, "from": {"id": 8202}}}


async def test_polling_goes_on_past_an_undecodable_update(
    running_bot: BotProcess, telegram: FakeTelegram
) -> None:
    await telegram.push_update(dict(UNDECODABLE))
    await telegram.push_update(dict(UNKNOWN_KIND))
    teacher = telegram.user(8203)
    await teacher.send("/start")
    await teacher.expect("Согласие на обработку персональных данных")
    await telegram.push_update(dict(UNDECODABLE))  # again, now last in its batch
    other = telegram.user(8204)
    await other.send("/start")
    await other.expect("Согласие на обработку персональных данных")
    log = running_bot.log_text()
    assert "could not be decoded" in log
    assert "2 skipped since the start" in log
    assert "of a kind this bot does not handle" in log
    assert "not a chat" not in log  # the content (personal data) is never logged


async def test_a_webhook_update_that_cannot_be_decoded_is_skipped(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(
        telegram, tmp_path / "e2e.db", tmp_path / "bot.log", extra_env=webhook_env(port)
    )
    await bot.start()
    try:
        first = telegram.user(8206)
        await first.send("/start")  # the emulator retries until the bot's server listens
        await first.expect("Согласие на обработку персональных данных")
        async with aiohttp.ClientSession() as client:
            for body in (UNDECODABLE, UNKNOWN_KIND):
                async with client.post(
                    f"http://127.0.0.1:{port}/tg",
                    json={"update_id": 5000, **body},
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    assert response.status == 200  # else Telegram sends it again and again
        teacher = telegram.user(8205)
        await teacher.send("/start")
        await teacher.expect("Согласие на обработку персональных данных")
    finally:
        await bot.stop()
    log = bot.log_text()
    assert "could not be decoded" in log
    assert_no_traceback(log)
