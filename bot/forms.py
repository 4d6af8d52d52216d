"""Unfinished forms of other people that hold an erased person's texts (issue 12, item 6).

A form's answers live in the FSM storage until the form is finished (bot.unit), outside the
database that `models.erasure.erase_person` cleans. When a person's data is erased, a
curator's or a partner's draft may still hold their name or a text they wrote (a comment on a
decision naming them, a programme draft quoting them). Decided: such drafts are kept — they
are the other person's work in progress — with every trace of the erased person replaced by
«—»; ids in them stay (they render as «—» too, the row behind them being erased). The erased
person's own form is dropped by the handler that erased them (a withdrawal) or by the retention
job (`forget_forms_of`). Forms kept in the database (bot.sqlstorage, without Redis) are scrubbed
by `erase_person` in its own transaction — the retention job's erasures included; here only
that storage's cache is dropped. The retention job (scheduler.privacy) calls both for every
person it erases, so forms in memory and in Redis are reached by it as by a withdrawal."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.sqlstorage import SqlStorage
from models.erasure import ERASED

logger = logging.getLogger(__name__)


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


async def scrub_forms(storage: BaseStorage, needles: list[str]) -> int:
    """Replace the traces in every stored form; returns how many forms changed."""
    if not needles:
        return 0
    changed = 0
    if isinstance(storage, SqlStorage):  # scrubbed in the database by the erasure itself
        storage.forget_cached()
        return 0
    if isinstance(storage, MemoryStorage):
        for record in storage.storage.values():
            scrubbed = _scrub(record.data, needles)
            if scrubbed != record.data:
                record.data = scrubbed
                changed += 1
        return changed
    redis = getattr(storage, "redis", None)
    if redis is None:  # another storage: nothing we can list
        logger.warning("forms in %s cannot be searched for erased texts", type(storage).__name__)
        return 0
    prefix = getattr(getattr(storage, "key_builder", None), "prefix", "fsm")
    async for key in redis.scan_iter(match=f"{prefix}:*"):
        name = key.decode() if isinstance(key, bytes) else key
        if not name.endswith(":data"):
            continue
        raw = await redis.get(key)
        if not raw:
            continue
        data = json.loads(raw)
        scrubbed = _scrub(data, needles)
        if scrubbed != data:
            await redis.set(key, json.dumps(scrubbed), keepttl=True)
            changed += 1
    return changed


async def forget_forms_of(storage: BaseStorage, bot_id: int, user_id: int) -> None:
    """The erased person's own unfinished form (their private chat with the bot): dropped, as
    `state.clear()` drops it after a withdrawal. Forms in the database went with the erasure."""
    if isinstance(storage, SqlStorage):
        storage.forget_cached()
        return
    key = StorageKey(bot_id=bot_id, chat_id=user_id, user_id=user_id)
    await storage.set_state(key, None)
    await storage.set_data(key, {})
