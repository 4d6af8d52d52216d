"""Long but valid content (issue 12, item 5): a programme of 40 activities with the longest
titles and descriptions allowed goes through /plan, /programme and the draft sent to the
mentee in parts under Telegram's 4096 characters (the recording bot refuses longer ones, as
Telegram does); «message is too long» is never taken for a blocked user."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.longtext import split_html, units
from models.participant import Participant
from models.programmes import Programme, ProgrammeDraft, add_activity, save_draft
from rendering.ui import ProgrammeAction, ProgrammeVerb
from tests.driver import Person, said
from tests.factories import actor, make_active_pair
from tests.handlers.flows import stored
from tests.mocked_bot import MockedBot

ACTIVITIES = 40


def title(number: int) -> str:
    return f"Мероприятие {number:02d} " + "очень длинное название & <разметка> " * 5


async def long_draft(session: AsyncSession) -> tuple[Programme, Participant, Participant]:
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    assert mentor is not None
    assert mentee is not None
    draft = ProgrammeDraft(
        goal="Цель " * 150,
        difficulties="Трудности " * 90,
        strengths="Сильные стороны " * 60,
        forms=["traditional"],
        start_date=date(2026, 9, 1),
        end_date=date(2027, 6, 30),
    )
    programme = await save_draft(session, actor(mentor), pair.id, draft)
    for number in range(1, ACTIVITIES + 1):
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title=title(number)[:200],
            description="Описание " * 100,
            deadline=date(2026, 9, 10) + timedelta(days=5 * number),
            responsible="mentee",
        )
    return programme, mentor, mentee


def shown(bot: MockedBot, chat_id: int, since: int) -> list[str]:
    return [
        m.text
        for m in bot.session.requests[since:]
        if isinstance(m, SendMessage | EditMessageText) and m.chat_id == chat_id
    ]


def all_titles_in(texts: list[str]) -> bool:
    joined = "\n".join(texts)
    return all(f"Мероприятие {n:02d}" in joined for n in range(1, ACTIVITIES + 1))


async def test_a_forty_activity_programme_goes_through_in_parts(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        programme, mentor_row, mentee_row = await long_draft(session)
    mentor, mentee = person(mentor_row.telegram_id), person(mentee_row.telegram_id)

    since = len(bot.session.requests)
    replies = await mentor.send("/programme")
    parts = shown(bot, mentor.user_id, since)
    assert len(parts) > 1
    assert all(units(p) <= 4096 for p in parts)
    assert all_titles_in(parts)
    assert not said(replies, "Что-то пошло не так")
    assert "&lt;разметка&gt;" in parts[0]  # typed text stays escaped in every part

    since = len(bot.session.requests)
    await mentor.press_data(
        ProgrammeAction(action=ProgrammeVerb.SUBMIT, programme_id=programme.id).pack()
    )
    to_mentee = shown(bot, mentee.user_id, since)
    assert all_titles_in(to_mentee)
    assert all(units(p) <= 4096 for p in to_mentee)
    after = await stored(session_pool, mentee.user_id)
    assert after is not None
    assert after.unreachable_at is None  # never read as a blocked user

    since = len(bot.session.requests)
    await mentee.press("Согласен")
    await mentee.send("/plan")
    plan = shown(bot, mentee.user_id, since)
    assert all_titles_in(plan)
    assert all(units(p) <= 4096 for p in plan)


def test_split_keeps_every_character_and_balances_tags() -> None:
    text = "\n\n".join(f"<b>{n}. {'слово ' * 40}</b>\n<i>срок</i> &amp; 😀" for n in range(90))
    parts = split_html(text)
    assert len(parts) > 2
    assert all(units(p) <= 4096 for p in parts)
    for part in parts:
        assert part.count("<b>") == part.count("</b>")
        assert part.count("<i>") == part.count("</i>")
        assert not re.search(r"&[#\w]*$", part)
    plain = re.sub(r"<[^>]+>|\s", "", "".join(parts))
    assert plain == re.sub(r"<[^>]+>|\s", "", text)
    one_line = "<b>" + "x" * 9000 + "</b>"
    assert [p[:3] for p in split_html(one_line)] == ["<b>"] * 3
