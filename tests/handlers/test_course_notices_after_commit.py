"""Notices about a programme's course, decided just before a crash (issue 12): the draft sent to
the mentees, the agreement (to the mentor and the curators), an early end (the pair, its
questionnaire, the curators), a report's evidence file, an application the director receives
or decides, a newcomer's answer about joining and a change the pair decided. Each is written in
the decision's own transaction: when the process dies right after the commit, before anyone
was told, the scheduler's delivery tells each person exactly once; the rows hold ids only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

import pytest
from aiogram.methods import SendDocument, SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.activities
import handlers.changes
import handlers.curator.requests
import handlers.notify
import handlers.pairs
import handlers.programme.review
import handlers.requests
from bot.config import Settings
from models.changes import propose_change
from models.enums import StaffRole
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import Pair
from models.participant import Participant
from models.programmes import (
    Programme,
    ProgrammeDraft,
    add_activity,
    save_draft,
    submit_programme,
)
from models.requests import create_request
from rendering.ui import PairReply, ProgrammeAction, ProgrammeVerb, RequestAction, RequestVerb
from tests.domain.test_changes import edit_deadline
from tests.driver import Person
from tests.factories import (
    actor,
    make_active_pair,
    make_running_programme,
    make_teacher,
    notices_already_delivered,
)
from tests.groups import join
from tests.handlers.test_notices_after_commit import (
    dies_right_after_the_commit,
    restart_and_deliver,
    sent_to,
)
from tests.mocked_bot import MockedBot

DIRECTOR_ID = 5901


@pytest.fixture
def i18n(dispatcher):  # type: ignore[no-untyped-def]
    return dispatcher["i18n"]


async def notice_rows(pool: async_sessionmaker[AsyncSession], notice: str) -> list[OutboxMessage]:
    async with pool() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [r for r in rows if r.payload and r.payload["notice"] == notice]


def buttons_of(bot: MockedBot, chat_id: int, fragment: str) -> list[str]:
    (message,) = [
        m
        for m in bot.session.requests
        if isinstance(m, SendMessage) and m.chat_id == chat_id and fragment in m.text
    ]
    markup = message.reply_markup
    return [b.text for row in markup.inline_keyboard for b in row] if markup else []  # type: ignore[union-attr]


async def drafted(
    pool: async_sessionmaker[AsyncSession], submitted: bool
) -> tuple[Programme, Participant, Participant]:
    """A programme drafted by the mentor (sent to the mentee if `submitted`)."""
    async with pool() as session:
        pair = await make_active_pair(session)
        mentor = await session.get(Participant, pair.mentor_id)
        mentee = await session.get(Participant, pair.mentee_ids[0])
        assert mentor is not None
        assert mentee is not None
        draft = ProgrammeDraft(
            goal="Освоить проектное обучение",
            difficulties="Планирование",
            strengths="Цифровые инструменты",
            forms=["traditional"],
            start_date=date(2026, 9, 1),
            end_date=date(2026, 12, 31),
        )
        programme = await save_draft(session, actor(mentor), pair.id, draft)
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title="Открытый урок по проектам",
            description=None,
            deadline=date(2026, 10, 15),
            responsible="mentee",
        )
        if submitted:
            programme = await submit_programme(session, actor(mentor), programme.id)
        await notices_already_delivered(session)
    return programme, mentor, mentee


async def test_a_draft_sent_just_before_a_crash_reaches_the_mentee_once_with_its_buttons(
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await drafted(session_pool, submitted=False)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(mentor.telegram_id).press_data(
            ProgrammeAction(action=ProgrammeVerb.SUBMIT, programme_id=programme.id).pack()
        )
    assert sent_to(bot, mentee.telegram_id, "Открытый урок по проектам") == []
    assert {r.text for r in await notice_rows(session_pool, "programme.submitted")} == {""}

    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, mentee.telegram_id, "Наставник составил(а) проект")
    assert len(told) == 1
    assert "Открытый урок по проектам" in told[0]  # the programme as it is, rendered now
    assert "15.10.2026" in told[0]
    monkeypatch.undo()
    replies = await person(mentee.telegram_id).press("Согласен(на)")  # its button works
    assert replies


async def test_an_agreement_just_before_a_crash_reaches_the_mentor_and_the_curator_once(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme, mentor, mentee = await drafted(session_pool, submitted=True)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(mentee.telegram_id).press_data(
            ProgrammeAction(action=ProgrammeVerb.AGREE, programme_id=programme.id).pack()
        )
    assert sent_to(bot, mentor.telegram_id, "Наставляемый согласовал") == []
    assert sent_to(bot, curator.user_id, "ждёт вашего утверждения") == []

    await restart_and_deliver(bot, session_pool, settings, i18n)
    assert len(sent_to(bot, mentor.telegram_id, "Наставляемый согласовал программу")) == 1
    told = sent_to(bot, curator.user_id, "Программа согласована и ждёт вашего утверждения")
    assert len(told) == 1
    assert "Открытый урок по проектам" in told[0]
    assert "Утвердить программу" in buttons_of(bot, curator.user_id, "ждёт вашего утверждения")
    assert sent_to(bot, mentor.telegram_id, "ждёт вашего утверждения") == []
    monkeypatch.undo()
    assert await curator.press("Утвердить программу")  # the late buttons work


@pytest.mark.parametrize("how", ["by the curator", "by a request"])
async def test_an_early_end_just_before_a_crash_offers_the_questionnaire_once(
    how: str,
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentor is not None
        assert mentee is not None
        if how == "by a request":
            request = await create_request(
                session, actor(mentee), programme.pair_id, "early_end", reason="Переезд"
            )
        await notices_already_delivered(session)
    if how == "by the curator":
        await curator.press_data(
            ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id).pack()
        )
        await curator.send("Не выполняется план")
        decide = curator.press("Завершить программу")
    else:
        await curator.press_data(
            RequestAction(action=RequestVerb.APPROVE, request_id=request.id).pack()
        )
        decide = curator.send("Согласовано")
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await decide
    for someone in (mentor, mentee):
        assert sent_to(bot, someone.telegram_id, "заполните короткую анкету") == []

    await restart_and_deliver(bot, session_pool, settings, i18n)
    for someone in (mentor, mentee):
        assert len(sent_to(bot, someone.telegram_id, "заполните короткую анкету")) == 1
    ended_by = sent_to(bot, curator.user_id, f"Программа №{programme.id} завершена")
    assert len(ended_by) == (1 if how == "by the curator" else 0)
    assert {r.text for r in await notice_rows(session_pool, "programme.survey")} == {""}


async def test_a_report_just_before_a_crash_brings_its_evidence_file_once_after_the_notice(
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
        assert mentor is not None
        assert mentee is not None
        await notices_already_delivered(session)
    reporter = person(mentee.telegram_id)
    await reporter.send("/done")
    await reporter.press("Мероприятие 1")
    await reporter.send("Провела открытый урок")
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await reporter.send_document(b"%PDF-1.4 evidence", "Конспект.pdf")
    to_mentor = [
        m for m in bot.session.requests if getattr(m, "chat_id", None) == mentor.telegram_id
    ]
    assert to_mentor == []
    evidence = await notice_rows(session_pool, "part.evidence")
    assert [(r.text, r.media_file_id) for r in evidence] == [("", None)]  # no file id stored

    await restart_and_deliver(bot, session_pool, settings, i18n)
    to_mentor = [
        m for m in bot.session.requests if getattr(m, "chat_id", None) == mentor.telegram_id
    ]
    assert [type(m) for m in to_mentor] == [SendMessage, SendDocument]  # the notice, then the file
    assert "Провела открытый урок" in to_mentor[0].text  # type: ignore[union-attr]
    assert "Подтверждение приложено ниже" in to_mentor[0].text  # type: ignore[union-attr]
    assert str(to_mentor[1].document).startswith("doc")  # type: ignore[union-attr]
    assert {r.status for r in await notice_rows(session_pool, "part.evidence")} == {
        OutboxStatus.SENT
    }


@pytest.mark.parametrize("kind", ["replacement", "duty_release"])
async def test_an_application_to_the_director_just_before_a_crash_reaches_each_once(
    kind: str,
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """§7.1.3, §8.1.5: the curators decide, the director has a copy; §4.3: the director
    decides, the curators have a copy for information."""
    async with session_pool() as session:
        boss = await make_teacher(
            session, mentee=False, telegram_id=DIRECTOR_ID, full_name="Бондаренко"
        )
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
        programme = await make_running_programme(session)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentee is not None
        await notices_already_delivered(session)
    asker = person(mentee.telegram_id)
    await asker.send("/request")
    await asker.press("Заменить наставника" if kind == "replacement" else "от должностных")
    await asker.send("Семинар 3 декабря, заменит Орлова")
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await asker.press("Отправить обращение")
    for chat in (curator.user_id, DIRECTOR_ID):
        assert sent_to(bot, chat, "Семинар 3 декабря") == []

    await restart_and_deliver(bot, session_pool, settings, i18n)
    decides, informed = (
        (curator.user_id, DIRECTOR_ID) if kind == "replacement" else (DIRECTOR_ID, curator.user_id)
    )
    card = sent_to(bot, decides, "Новое обращение ждёт вашего решения")
    assert len(card) == 1
    assert "Одобрить" in buttons_of(bot, decides, "Новое обращение ждёт вашего решения")
    assert sent_to(bot, informed, "Новое обращение ждёт") == []
    copy = "Копия директору" if kind == "replacement" else "Для сведения: заявление директору"
    assert len(sent_to(bot, informed, copy)) == 1
    assert buttons_of(bot, informed, copy) == []
    assert {r.text for r in await notice_rows(session_pool, "request.new")} == {""}


async def test_a_newcomers_answer_just_before_a_crash_reaches_the_curator_once(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        newcomer = await make_teacher(session, full_name="Новикова Ирина")
        pair = await session.get(Pair, programme.pair_id)
        assert pair is not None
        await join(session, pair, newcomer)
        await notices_already_delivered(session)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(newcomer.telegram_id).press_data(
            PairReply(pair_id=pair.id, accept=True).pack()
        )
    assert sent_to(bot, curator.user_id, "Новикова") == []
    await restart_and_deliver(bot, session_pool, settings, i18n)
    told = sent_to(bot, curator.user_id, f"согласен(на) войти в группу №{pair.id}")
    assert len(told) == 1
    assert "Новикова" in told[0]


async def test_a_change_decided_just_before_a_crash_reaches_the_curator_once(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    i18n,  # type: ignore[no-untyped-def]
    session_pool: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentor is not None
        assert mentee is not None
        proposal = await propose_change(
            session, actor(mentor), programme.id,
            [edit_deadline(programme, date(2026, 10, 25))], reason="Перенос",
        )  # fmt: skip
        await notices_already_delivered(session)
    monkeypatch.setattr(handlers.notify, "send_notices", dies_right_after_the_commit)
    with pytest.raises(asyncio.CancelledError):
        await person(mentee.telegram_id).press_data(f"ca:{proposal.id}:1")
    assert sent_to(bot, curator.user_id, "Пара приняла решение") == []
    await restart_and_deliver(bot, session_pool, settings, i18n)
    assert len(sent_to(bot, curator.user_id, "Пара приняла решение")) == 1
    assert len(sent_to(bot, mentor.telegram_id, "Все согласились: изменение внесено")) == 1
