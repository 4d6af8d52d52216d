"""A report checked just before a crash (issue 12): the confirmation or return and the offer to
complete the programme are written in the check's own transaction, so when the process dies
right after the commit, before anyone was told, the scheduler's delivery tells each person
exactly once; the rows hold ids, not names or comments."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.activities
import handlers.notify
from bot.config import Settings
from models.enums import ActivityStatus, ProgrammeStatus
from models.outbox import OutboxMessage, OutboxStatus
from models.participant import Participant
from models.programmes import (
    Programme,
    review_programme,
    submit_programme,
    vote_completion,
)
from models.progress import ActivityProgress, report_part, review_part
from rendering.ui import ActivityVerb, PartAction, ProgrammeAction, ProgrammeVerb
from tests.driver import Person
from tests.factories import (
    CURATOR,
    actor,
    make_running_programme,
    notices_already_delivered,
)
from tests.handlers.test_notices_after_commit import (
    dies_right_after_the_commit,
    restart_and_deliver,
    sent_to,
)
from tests.mocked_bot import MockedBot


@pytest.fixture
def i18n(dispatcher):  # type: ignore[no-untyped-def]
    return dispatcher["i18n"]


async def reported(
    session_pool: async_sessionmaker[AsyncSession], activities: int
) -> tuple[Programme, Participant, Participant]:
    """A running programme whose first activity the mentee reported done."""
    async with session_pool() as session:
        programme = await make_running_programme(session, activities=activities)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentor is not None
        assert mentee is not None
        await report_part(session, actor(mentee), programme.activities[0].id, comment="Сделано")
        await notices_already_delivered(session)
    return programme, mentor, mentee


async def rows_of(
    session_pool: async_sessionmaker[AsyncSession], notice: str
) -> list[OutboxMessage]:
    async with session_pool() as session:
        rows = await session.scalars(select(OutboxMessage))
        return [r for r in rows if r.payload and r.payload["notice"] == notice]


async def test_a_confirmation_just_before_a_crash_is_still_told_once_with_the_offer(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await reported(session_pool, activities=1)
    activity = programme.activities[0]
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(mentor.telegram_id).press_data(
            PartAction(
                action=ActivityVerb.CONFIRM, activity_id=activity.id, mentee_id=mentee.id
            ).pack()
        )
    async with session_pool() as session:
        part = await session.scalar(select(ActivityProgress))
    assert part is not None
    assert part.status == ActivityStatus.CONFIRMED  # committed
    assert sent_to(bot, mentee.telegram_id, "подтвердил") == []  # nobody was told
    assert sent_to(bot, mentee.telegram_id, "Завершить программу?") == []
    assert {r.text for r in await rows_of(session_pool, "part.reviewed")} == {""}  # ids only

    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentee.telegram_id, "Наставник подтвердил(а) выполнение")
    assert told == ["Наставник подтвердил(а) выполнение: «Мероприятие 1»."]
    for someone in (mentor, mentee):  # the whole plan is confirmed: both are offered, once
        assert len(sent_to(bot, someone.telegram_id, "Завершить программу?")) == 1
    offers = await rows_of(session_pool, "programme.plan_done")
    assert {r.status for r in offers} == {OutboxStatus.SENT}


async def test_a_return_just_before_a_crash_is_still_told_once_and_then_goes_quiet(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await reported(session_pool, activities=2)
    activity = programme.activities[0]
    checker = person(mentor.telegram_id)
    await checker.press_data(
        PartAction(action=ActivityVerb.RETURN, activity_id=activity.id, mentee_id=mentee.id).pack()
    )
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await checker.send("Добавьте конспект")
    assert sent_to(bot, mentee.telegram_id, "на доработку") == []

    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentee.telegram_id, "на доработку")
    assert len(told) == 1
    assert "«Мероприятие 1»: Добавьте конспект" in told[0]
    assert "Завершить программу?" not in str(bot.session.requests)  # not the whole plan
    assert {r.text for r in await rows_of(session_pool, "part.reviewed")} == {""}


async def test_a_check_told_late_says_nothing_once_the_part_was_reported_again(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await reported(session_pool, activities=2)
    activity = programme.activities[0]
    checker = person(mentor.telegram_id)
    await checker.press_data(
        PartAction(action=ActivityVerb.RETURN, activity_id=activity.id, mentee_id=mentee.id).pack()
    )
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await checker.send("Добавьте конспект")
    async with session_pool() as session:  # reported again before the scheduler ran
        await report_part(session, actor(mentee), activity.id, comment="Теперь с конспектом")
    await restart_and_deliver(bot, session_pool, settings, i18n)
    assert sent_to(bot, mentee.telegram_id, "на доработку") == []  # moot: not told late
    assert {r.status for r in await rows_of(session_pool, "part.reviewed")} == {OutboxStatus.FAILED}


async def test_without_a_crash_a_return_goes_at_once(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    programme, mentor, mentee = await reported(session_pool, activities=2)
    activity = programme.activities[0]
    checker = person(mentor.telegram_id)
    await checker.press_data(
        PartAction(action=ActivityVerb.RETURN, activity_id=activity.id, mentee_id=mentee.id).pack()
    )
    await checker.send("Добавьте конспект")
    assert len(sent_to(bot, mentee.telegram_id, "на доработку")) == 1
    assert {r.status for r in await rows_of(session_pool, "part.reviewed")} == {OutboxStatus.SENT}


async def test_a_report_just_before_a_crash_reaches_the_checker_once_with_the_buttons(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session, activities=2)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        await notices_already_delivered(session)
    assert mentor is not None
    assert mentee is not None
    reporter = person(mentee.telegram_id)
    await reporter.send("/done")
    await reporter.press("Мероприятие 1")
    await reporter.send("Провела открытый урок")
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await reporter.press("Пропустить")
    async with session_pool() as session:
        part = await session.scalar(select(ActivityProgress))
    assert part is not None
    assert part.status == ActivityStatus.REPORTED  # committed
    assert sent_to(bot, mentor.telegram_id, "Провела открытый урок") == []
    assert {r.text for r in await rows_of(session_pool, "part.reported")} == {""}  # ids only

    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentor.telegram_id, "Провела открытый урок")
    assert len(told) == 1
    assert "«Мероприятие 1»" in told[0]
    monkeypatch.undo()
    checker = person(mentor.telegram_id)
    await checker.press("Подтвердить")  # the buttons of the late notice work
    assert len(sent_to(bot, mentee.telegram_id, "Наставник подтвердил(а) выполнение")) == 1


async def agreed_programme(
    session_pool: async_sessionmaker[AsyncSession],
) -> tuple[Programme, Participant, Participant]:
    """A draft the mentor sent and the mentee agreed to: waiting for the curator."""
    async with session_pool() as session:
        programme = await make_running_programme(session, activities=1, approved=False)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentor is not None
        assert mentee is not None
        await notices_already_delivered(session)
    return programme, mentor, mentee


async def test_an_approval_just_before_a_crash_is_still_told_once(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await agreed_programme(session_pool)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await curator.press_data(
            ProgrammeAction(action=ProgrammeVerb.APPROVE, programme_id=programme.id).pack()
        )
    for someone in (mentor, mentee):
        assert sent_to(bot, someone.telegram_id, "Куратор утвердил") == []
    await restart_and_deliver(bot, session_pool, settings, i18n)
    for someone in (mentor, mentee):
        assert len(sent_to(bot, someone.telegram_id, "Куратор утвердил")) == 1
    assert {r.text for r in await rows_of(session_pool, "programme.approved")} == {""}


@pytest.mark.parametrize("by", ["curator", "mentee"])
async def test_a_draft_returned_just_before_a_crash_reaches_the_mentor_once(
    by: str,
    curator: Person,
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await agreed_programme(session_pool)
    if by == "curator":
        who, verb = curator, ProgrammeVerb.RETURN
    else:  # the mentee comments on a fresh submission instead of agreeing
        async with session_pool() as session:
            await review_programme(session, CURATOR, programme.id, approve=False, comment="x")
            await submit_programme(session, actor(mentor), programme.id)
            await notices_already_delivered(session)
        who, verb = person(mentee.telegram_id), ProgrammeVerb.COMMENT
    await who.press_data(ProgrammeAction(action=verb, programme_id=programme.id).pack())
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await who.send("Уточните сроки")
    assert sent_to(bot, mentor.telegram_id, "Уточните сроки") == []
    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentor.telegram_id, "Уточните сроки")
    assert len(told) == 1
    assert ("Куратор вернул" in told[0]) == (by == "curator")
    assert {r.text for r in await rows_of(session_pool, "programme.returned")} == {""}


async def test_a_completion_just_before_a_crash_congratulates_and_offers_the_survey_once(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await reported(session_pool, activities=1)
    async with session_pool() as session:
        activity_id = programme.activities[0].id
        await review_part(session, actor(mentor), activity_id, mentee.id, confirm=True)
        await vote_completion(session, actor(mentor), programme.id)
        await notices_already_delivered(session)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(mentee.telegram_id).press_data(
            ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme.id).pack()
        )
    async with session_pool() as session:
        stored = await session.get(Programme, programme.id)
    assert stored is not None
    assert stored.status == ProgrammeStatus.COMPLETED  # committed
    assert sent_to(bot, mentor.telegram_id, "Поздравляем") == []
    await restart_and_deliver(bot, session_pool, settings, i18n)
    for someone in (mentor, mentee):
        assert len(sent_to(bot, someone.telegram_id, "Поздравляем: программа завершена")) == 1
        assert len(sent_to(bot, someone.telegram_id, "заполните короткую анкету")) == 1
    monkeypatch.undo()
    replies = await person(mentor.telegram_id).press("Заполнить анкету")  # the late button works
    assert replies
