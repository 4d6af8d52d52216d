"""Settings read once from the environment and `.env`, then passed around explicitly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LOCALES = ("ru", "en")
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    database_url: str = "sqlite+aiosqlite:///data/mentoring.db"
    curator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_api_url: str | None = None
    bot_timezone: str = "Europe/Moscow"
    default_locale: str = "ru"
    redis_url: str | None = None
    organization_name: str = "образовательная организация"
    log_level: str = "INFO"
    polling_timeout: int = Field(default=30, ge=1, le=50)

    @field_validator("bot_token")
    @classmethod
    def _token_looks_like_a_token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("BOT_TOKEN is empty: put the token from @BotFather into .env")
        if not _TOKEN_RE.match(token):
            raise ValueError(
                "BOT_TOKEN does not look like a bot token (expected '<digits>:<letters>', "
                "as @BotFather gives it)"
            )
        return SecretStr(token)

    @field_validator("curator_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError:
                raise ValueError(
                    "CURATOR_IDS must be comma-separated numeric Telegram user ids"
                ) from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"BOT_TIMEZONE {value!r} is not a known IANA time zone") from None
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("telegram_api_url", "redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL (None for other databases or in-memory)."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return Path(path) if path and path != ":memory:" else None
