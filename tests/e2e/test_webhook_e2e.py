"""BOT_MODE=webhook: the real bot serves Telegram's calls over HTTP, checks the secret token."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from bot.emulator import FakeTelegram
from tests.e2e.conftest import BotProcess, assert_no_traceback

SECRET = "e2e-webhook-secret-0123456789"


def webhook_env(port: int) -> dict[str, str]:
    return {
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_PATH": "/tg",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_registers_serves_and_refuses_forged_calls(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(
        telegram,
        tmp_path / "e2e.db",
        tmp_path / "bot.log",
        extra_env=webhook_env(port),
    )
    await bot.start()  # returns once setWebhook was called
    try:
        assert telegram.webhook == (f"http://127.0.0.1:{port}/tg", SECRET)
        assert "deletewebhook" not in [method for method, _params in telegram.calls]

        teacher = telegram.user(8101)
        await teacher.send("/start")
        await teacher.expect_and_press("Согласие на обработку персональных данных", "Согласен")
        await teacher.expect("Ваши фамилия, имя, отчество")

        forged = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 8102, "type": "private"},
                "from": {"id": 8102, "is_bot": False, "first_name": "X"},
                "text": "/start",
            },
        }
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-value-xx"}):
                async with client.post(
                    f"http://127.0.0.1:{port}/tg", json=forged, headers=headers
                ) as response:
                    assert response.status == 401
        assert telegram.chat(8102) == []
    finally:
        code = await bot.stop()
    assert code == 0
    assert_no_traceback(bot.log_text())
