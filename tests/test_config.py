"""Configuration: clear errors for a missing or malformed token, parsed lists, defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from pydantic import ValidationError

from bot.config import Settings
from bot.factory import create_storage
from tests.conftest import make_settings


def test_defaults_are_the_embedded_sqlite_russian_and_moscow() -> None:
    settings = Settings(_env_file=None, bot_token="123:ABCDEFGHIJKLMNOP")  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///data/mentoring.db"
    assert settings.default_locale == "ru"
    assert settings.bot_timezone == "Europe/Moscow"
    assert settings.curator_ids == frozenset()
    assert settings.redis_url is None
    assert settings.telegram_api_url is None


def test_memory_storage_without_redis() -> None:
    assert isinstance(create_storage(make_settings("sqlite+aiosqlite:///x.db")), MemoryStorage)


def test_curator_ids_are_comma_separated() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db", curator_ids=" 11, 22 ,33,")
    assert settings.curator_ids == frozenset({11, 22, 33})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bot_token", "not-a-token"),
        ("bot_token", "   "),
        ("curator_ids", "11,abc"),
        ("bot_timezone", "Mars/Olympus"),
        ("default_locale", "de"),
    ],
)
def test_bad_values_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        make_settings("sqlite+aiosqlite:///x.db", **{field: value})


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_token_stops_the_bot_with_a_clear_message(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode != 0
    assert "BOT_TOKEN: is not set: put the token from @BotFather into .env" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_token_from_env_file_is_explained(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=hello\n", encoding="utf-8")
    result = run_bot(tmp_path)
    assert result.returncode != 0
    assert "BOT_TOKEN: BOT_TOKEN does not look like a bot token" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing created before the settings are valid


def test_webhook_mode_needs_a_public_url_and_a_secret() -> None:
    base = {"bot_mode": "webhook"}
    with pytest.raises(ValidationError, match="WEBHOOK_URL"):
        make_settings("sqlite+aiosqlite:///x.db", **base)
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        make_settings("sqlite+aiosqlite:///x.db", **base, webhook_url="https://bot.example.org")
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        make_settings(
            "sqlite+aiosqlite:///x.db", **base, webhook_url="https://b.org", webhook_secret="short"
        )
    settings = make_settings(
        "sqlite+aiosqlite:///x.db",
        **base,
        webhook_url="https://bot.example.org",
        webhook_secret="a-long-enough-secret_123",
    )
    assert settings.webhook_path == "/telegram"
