"""One notice, several curators: when one curator decides, every other curator's copy loses its
buttons and shows the outcome (who decided and when)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiogram.methods import EditMessageReplyMarkup, EditMessageText
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.outbox import OutboxMessage
from tests.conftest import CURATOR_ID, make_settings
from tests.driver import Person, buttons
from tests.handlers.flows import ROLE_MENTOR, register
from tests.mocked_bot import MockedBot

SECOND_CURATOR = 1001


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, curator_ids=f"{CURATOR_ID},{SECOND_CURATOR}")


async def sent_ids(session_pool: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    """Telegram's message id of each curator's copy of the registration notice."""
    async with session_pool() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.sent_message_id).where(
                OutboxMessage.key.startswith("notice:participant.registered:")
            )
        )
        return {chat: message for chat, message in rows if message is not None}


async def test_a_decision_edits_the_other_curators_copy(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    anna, olga = person(CURATOR_ID, first_name="Анна"), person(SECOND_CURATOR, first_name="Ольга")
    await register(person(2101), role=ROLE_MENTOR, name="Сидоров Иван Петрович")
    _, olga_markup = olga.last_markup()  # Ольга's copy has the decision's buttons
    assert any("Принять" in label for label, _data in buttons(olga_markup))
    ids = await sent_ids(session_pool)
    assert set(ids) == {CURATOR_ID, SECOND_CURATOR}

    _, markup = anna.last_markup()
    accept = next(data for label, data in buttons(markup) if "Принять в банк" in label)
    replies = await anna.press_data(accept, ids[CURATOR_ID])

    edits = [
        m
        for m in replies
        if isinstance(m, EditMessageText | EditMessageReplyMarkup)
        and m.chat_id == SECOND_CURATOR
        and m.message_id == ids[SECOND_CURATOR]
    ]
    assert len(edits) == 1
    edited = edits[0]
    assert isinstance(edited, EditMessageText)
    assert edited.reply_markup is None
    assert "Сидоров Иван Петрович" in edited.text  # the copy keeps its text
    assert "Включён(а) в банк наставников. Решение: Анна" in edited.text
    # Анна's own copy is edited as before, once
    mine = [m for m in replies if isinstance(m, EditMessageText) and m.chat_id == CURATOR_ID]
    assert len(mine) == 1
    assert mine[0].message_id == ids[CURATOR_ID]
