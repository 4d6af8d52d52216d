"""Settings read once from the environment and `.env`, then passed around explicitly."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
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
    # Requisites printed in the documents (/docs): the short name, the city, the director's
    # full name, the curator's position; a folder with the college's own DOCX templates.
    organization_short_name: str = ""
    organization_city: str = ""
    director_name: str = ""
    curator_position: str = "заместитель директора"
    document_templates_dir: Path | None = None
    log_level: str = "INFO"
    polling_timeout: int = Field(default=30, ge=1, le=50)
    # Seconds to wait for one Bot API call before calling it a timeout (and retrying).
    telegram_request_timeout: float = Field(default=30, gt=0, le=300)

    # Webhook mode (several workers behind a reverse proxy) instead of long polling.
    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = (
        None  # the public base URL Telegram calls, e.g. https://bot.example.org
    )
    webhook_path: str = "/telegram"
    webhook_secret: SecretStr | None = (
        None  # checked on every call (X-Telegram-Bot-Api-Secret-Token)
    )
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    # Scheduler: reminders, escalations, digests (§6.4, roadmap stage 5).
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1, 0)
    escalate_after_days: int = Field(default=3, ge=1, le=60)
    inactivity_days: int = Field(default=30, ge=1, le=365)
    programme_end_days: Annotated[tuple[int, ...], NoDecode] = (14, 3)
    survey_reminder_days: int = Field(default=3, ge=1, le=60)
    request_reminder_days: int = Field(default=3, ge=1, le=60)
    digest_day: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_time: time = time(9, 0)
    # The longest a programme may last with its extensions, in months from its start (§3: 3 to
    # 12 months at approval; §10.2: extensions by mutual consent, no limit named); 0 = none.
    programme_max_months: int = Field(default=24, ge=0, le=120)
    # Who records the number and date of the director's order fixing a pair (§6.3.5).
    order_entered_by: Literal["curator", "director"] = "curator"
    # Whether a pair may be proposed only between people the director approved in the banks
    # (§6.3.3 before §6.3.5); applies while someone has the director's role.
    pairing_needs_bank_approval: bool = False
    yearly_reminder: str = "09-01"  # MM-DD: update the list of teachers to mentor (§6.4.2)
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode] = (time(21, 0), time(8, 0))
    sweep_interval_seconds: float = Field(default=60, gt=0, le=3600)
    delivery_interval_seconds: float = Field(default=2, gt=0, le=600)
    send_rate_per_second: float = Field(default=25, gt=0, le=30)

    # The college site's section (§11, §12.2) and the life of personal data (152-FZ).
    # The regulation published on the site: a Markdown file; empty = the bundled text.
    regulation_file: Path | None = None
    # Where the curator's «Опубликовать» button writes the section; empty = no button.
    publish_dir: Path | None = None
    # Days after a person's participation ends before their personal data is erased
    # (152-FZ art. 21 p. 4: at most 30 days after the purpose is reached), and how many
    # days before that the person and the curators are told.
    retention_days: int = Field(default=30, ge=1, le=3650)
    retention_notice_days: int = Field(default=7, ge=0, le=365)

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

    @field_validator("reminder_days", "programme_end_days", mode="before")
    @classmethod
    def _parse_days(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                days = {int(part) for part in value.split(",") if part.strip()}
            except ValueError:
                raise ValueError("a comma-separated list of whole days, e.g. 7,3,1,0") from None
            if any(day < 0 or day > 365 for day in days):
                raise ValueError("days must be from 0 to 365")
            return tuple(sorted(days, reverse=True))
        return value

    @field_validator("digest_day", mode="before")
    @classmethod
    def _parse_weekday(cls, value: object) -> object:
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        if isinstance(value, str) and value.strip()[:3].lower() in names:
            return names.index(value.strip()[:3].lower())
        return value

    @field_validator("yearly_reminder")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            date(2024, int(value[:2]), int(value[3:5]))  # a leap year accepts 02-29
        except (ValueError, IndexError):
            raise ValueError("YEARLY_REMINDER must be MM-DD, e.g. 09-01") from None
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _parse_quiet_hours(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip() or value.strip().lower() in ("off", "none"):
                return None
            try:
                start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
            except ValueError:
                raise ValueError("QUIET_HOURS must look like 21:00-08:00 (or be empty)") from None
            return (start, end)
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

    @field_validator(
        "telegram_api_url",
        "redis_url",
        "webhook_url",
        "webhook_secret",
        "document_templates_dir",
        "regulation_file",
        "publish_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("regulation_file")
    @classmethod
    def _readable_regulation(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"REGULATION_FILE {str(value)!r} is not a readable file")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.bot_mode == "webhook":
            if not self.webhook_url:
                raise ValueError("BOT_MODE=webhook needs WEBHOOK_URL (the public base URL)")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
                raise ValueError(
                    "BOT_MODE=webhook needs WEBHOOK_SECRET: 16-256 letters, digits, _ or -"
                )
            if not self.webhook_path.startswith("/"):
                raise ValueError("WEBHOOK_PATH must start with /")
        return self

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def is_quiet(self, moment: datetime) -> bool:
        """Whether `moment` falls in the quiet hours (local time of BOT_TIMEZONE)."""
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        local = moment.astimezone(self.timezone).time()
        if start <= end:
            return start <= local < end
        return local >= start or local < end

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL (None for other databases or in-memory)."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return Path(path) if path and path != ":memory:" else None
