"""Property-based fuzzing of the real dispatcher: thousands of random updates (text, commands,
real and forged callback data, unknown users). No unhandled exception, every reply well
formed, and nobody outside a pair or the curators sees the people of that pair."""

from __future__ import annotations

import logging

import pytest
from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import CURATOR_COMMANDS, PARTICIPANT_COMMANDS
from models.participant import Participant
from tests.conftest import CURATOR_ID
from tests.driver import Person
from tests.factories import make_running_programme
from tests.mocked_bot import MockedBot

PREFIXES = [
    "pd",
    "mc",
    "fo",
    "pr",
    "cs",
    "md",
    "lang",
    "pm",
    "pt",
    "pa",
    "pv",
    "pg",
    "ac",
    "mr",
    "rq",
    "ra",
    "nm",
    "sv",
    "pp",
    "rp",
    "pl",
    "ba",
    "bc",
    "dc",
    "iv",
    "bv",
    "pc",
    "pb",
]
WORDS = [
    "agree",
    "1",
    "0",
    "true",
    "false",
    "edit",
    "withdraw",
    "confirm",
    "report",
    "view",
    "approve",
    "reject",
    "end",
    "role",
    "mentee",
    "mentor",
    "full_name",
    "_done",
    "_skip",
    "_back",
    "personal_data",
    "99999",
    "-1",
    "all",
    "d0",
    "running",
    "survey",
    "complete",
]
COMMANDS = [f"/{name}" for name, _d in (*PARTICIPANT_COMMANDS, *CURATOR_COMMANDS)]
STRANGERS = list(range(7001, 7009))

callback_data = st.one_of(
    st.builds(
        lambda p, parts: ":".join([p, *parts]),
        st.sampled_from(PREFIXES),
        st.lists(st.sampled_from(WORDS) | st.integers(-5, 30).map(str), max_size=4),
    ),
    st.text(max_size=70),
)
text = st.one_of(
    st.sampled_from(COMMANDS),
    st.builds(lambda c, a: f"{c} {a}", st.sampled_from(COMMANDS), st.text(max_size=20)),
    st.text(min_size=1, max_size=300),
    st.sampled_from(["Иванова Мария", "3", "61", "01.02.2026", "31.02.2026", "Я" * 5000]),
)
action = st.tuples(st.sampled_from(["text", "press"]), text, callback_data)


@pytest.fixture
async def seeded(session_pool: async_sessionmaker[AsyncSession]) -> list[int]:
    async with session_pool() as session:
        first = await make_running_programme(session)
        second = await make_running_programme(session)
        members = {
            first.pair.mentor_id,
            *first.pair.mentee_ids,
            second.pair.mentor_id,
            *second.pair.mentee_ids,
        }
        people = [await session.get(Participant, pid) for pid in members]
        return [p.telegram_id for p in people if p is not None]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(users=st.lists(st.tuples(st.integers(0, 11), action), min_size=20, max_size=60))
async def test_random_updates_never_crash_or_leak(
    users: list[tuple[int, tuple[str, str, str]]],
    dispatcher: Dispatcher,
    bot: MockedBot,
    seeded: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    population = [CURATOR_ID, *seeded, *STRANGERS][:12]
    start = len(bot.session.requests)
    with caplog.at_level(logging.ERROR):
        for index, (kind, message, data) in users:
            person = Person(dispatcher, bot, population[index % len(population)])
            if kind == "text":
                await person.send(message)
            else:
                await person.press_data(data)
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], failures[0].getMessage()
    for method in bot.session.requests[start:]:
        if isinstance(method, SendMessage | EditMessageText):
            assert method.text.strip()
            assert len(method.text) <= 4096
            if method.chat_id in STRANGERS:
                assert "Иванова Мария Петровна" not in method.text, method.text
        if isinstance(method, AnswerCallbackQuery) and method.text:
            assert len(method.text) <= 200
