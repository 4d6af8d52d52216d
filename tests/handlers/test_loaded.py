"""The filters that load and authorise the object a button names (handlers/loaded.py): a forged
id or a person outside the pair gets one alert at the press, and nothing else happens."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import AnswerCallbackQuery, SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rendering.ui import ProgrammeAction, ProgrammeVerb, RequestAction, RequestVerb
from tests.driver import Person, said
from tests.factories import make_running_programme, make_teacher


async def test_a_forged_request_is_refused_at_the_press_not_after_the_comment(
    curator: Person,
) -> None:
    replies = await curator.press_data(
        RequestAction(action=RequestVerb.APPROVE, request_id=987_654).pack()
    )
    assert said(replies, "Не найдено")
    assert not said(replies, "Ваш комментарий к решению")
    assert not any(isinstance(method, SendMessage) for method in replies)
    # No form was started: the next text is not taken as a comment on a decision.
    assert not said(await curator.send("Одобряю"), "Решение записано")


async def test_a_person_outside_the_pair_gets_one_alert_and_no_plan(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        outsider = await make_teacher(session, full_name="Чужая Мария")
    stranger = person(outsider.telegram_id)
    opened = ProgrammeAction(action=ProgrammeVerb.VIEW, programme_id=programme.id).pack()
    replies = await stranger.press_data(opened)
    alerts = [m for m in replies if isinstance(m, AnswerCallbackQuery)]
    assert [a.text for a in alerts] == ["Это вам недоступно."]
    assert not any(isinstance(method, SendMessage) for method in replies)
