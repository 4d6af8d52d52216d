"""Unfinished forms (the FSM's state and answers) kept in the database when there is no
Redis, so a draft survives a restart of the bot (bot.sqlstorage reads and writes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class FormDraft(Base):
    __tablename__ = "form_drafts"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)  # the Telegram id
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
