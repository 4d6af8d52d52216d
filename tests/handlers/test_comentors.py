"""Through the real dispatcher: the mentor invites a co-mentor (§7.1.1), who agrees; the
curators hear of it; the co-mentor sees the programme marked as theirs to read and logs a
meeting, while a member's button is refused; a curator removes them. The curator answers a
mentor's proposal (§7.2.6, §7.2.7) and the mentor is told. Two presses at once decide once.
The mentee's card's prompt still comes under a message too old to be read."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, TelegramMethod
from docx import Document as DocxDocument
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from handlers.curator.participants import PersonAction, PersonVerb
from handlers.mentee_card import MenteeProposal
from models.changes import Change, propose_change
from models.comentors import CoMentor, answer_invitation, invite_co_mentor
from models.enums import CoMentorStatus, ProposalStatus
from models.mentor_rights import MentorProposal, ProposalKind, propose
from models.outbox import OutboxMessage
from models.pairs import Pair
from models.participant import Participant
from rendering.ui import (
    ChangeAnswer,
    CoMentorAction,
    CoMentorVerb,
    ProgrammeAction,
    ProgrammeVerb,
    ProposalAnswer,
)
from tests.conftest import CURATOR_ID, make_settings
from tests.driver import Person, said, texts
from tests.factories import actor, make_active_pair, make_running_programme, make_teacher

SECOND_CURATOR = 1001
Replies = list[TelegramMethod[Any]]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, curator_ids=f"{CURATOR_ID},{SECOND_CURATOR}")


async def _pair_with_helper(
    pool: async_sessionmaker[AsyncSession],
) -> tuple[int, int, int, int, int]:
    """A running programme and a registered teacher to bring in: (programme, pair, mentor's,
    mentee's and the teacher's Telegram ids)."""
    async with pool() as session:
        programme = await make_running_programme(session, activities=1)
        mentor = await session.get(Participant, programme.pair.mentor_id)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        helper = await make_teacher(session, mentee=False, full_name="Козлова Ольга Ивановна")
        assert mentor is not None
        assert mentee is not None
        return (
            programme.id,
            programme.pair_id,
            mentor.telegram_id,
            mentee.telegram_id,
            helper.telegram_id,
        )


async def test_a_co_mentor_is_invited_agrees_reads_logs_and_is_removed(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    programme_id, _pair_id, mentor_tid, mentee_tid, helper_tid = await _pair_with_helper(
        session_pool
    )
    mentor, helper, curator = person(mentor_tid), person(helper_tid), person(CURATOR_ID)
    assert said(await helper.send("/comentor"), "не помогаете ни одной паре")
    assert said(await mentor.send("/comentor"), "Привлечённых педагогов пока нет")
    await mentor.press("Пригласить педагога")
    assert said(await mentor.send("Петров"), "Нет зарегистрированного педагога «Петров»")
    assert said(await mentor.send("козлова"), "Кого приглашаете?")
    replies = await mentor.press("Козлова Ольга Ивановна")
    assert said(replies, "Приглашение отправлено: Козлова Ольга Ивановна")
    assert said(replies, "приглашает вас помогать наставляемому", chat_id=helper_tid)
    replies = await helper.press("Согласен(на)", on_message=True)
    assert said(replies, "✅ Согласие дано — ", chat_id=helper_tid)  # the outcome, who, when
    assert said(replies, "согласился(-ась) помогать вашей паре", chat_id=mentor_tid)
    assert said(replies, "теперь помогает паре", chat_id=CURATOR_ID)
    assert said(replies, "теперь помогает паре", chat_id=SECOND_CURATOR)

    # /plan: the programme, marked; the only button is the journal's
    replies = await helper.send("/plan")
    assert said(replies, "Вы привлечённый педагог этой пары")
    assert said(replies, "Мероприятие 1")
    _message, markup = helper.last_markup()
    assert [b.text for row in markup.inline_keyboard for b in row] == ["📝 Записать встречу"]
    # the journal: the co-mentor logs a meeting; the mentor and the mentee are told
    assert said(await helper.send("/meeting"), "Дата встречи")
    await helper.press("Сегодня")
    for answer in ("Открытый урок", "Посетили урок коллеги", "Разобрали ошибки"):
        await helper.send(answer)
    replies = await helper.press("Пропустить")
    assert said(replies, "Встреча записана в журнал")
    assert said(replies, "Открытый урок", chat_id=mentor_tid)
    assert said(replies, "Открытый урок", chat_id=mentee_tid)
    assert not said(replies, "которой вы помогаете", chat_id=helper_tid)  # not of their own
    # a member's button, forged: refused
    complete = ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme_id)
    assert said(await helper.press_data(complete.pack()), "недоступно")

    # the curator's person cards: the helper's pair, and the mentor's helper, with the state
    async with session_pool() as session:
        row = await session.scalar(select(CoMentor))
        assert row is not None
        mentor_id = (await session.get(Pair, row.pair_id)).mentor_id  # type: ignore[union-attr]
    card = PersonAction(action=PersonVerb.CARD, participant_id=row.participant_id).pack()
    line = f"Привлечённый педагог пары №{row.pair_id} (наставник "
    replies = await curator.press_data(card)
    assert said(replies, line), texts(replies)
    assert said(replies, "): согласие дано, помогает паре, ")
    card = PersonAction(action=PersonVerb.CARD, participant_id=mentor_id).pack()
    line = f"Пара №{row.pair_id}: привлечённый педагог Козлова Ольга Ивановна — согласие дано"
    assert said(await curator.press_data(card), line)

    # the curator removes the co-mentor from the notice; reading ends
    remove = CoMentorAction(action=CoMentorVerb.END, item=row.id).pack()
    replies = await curator.press_data(remove)
    assert said(replies, "Больше не помогает паре — ")  # the outcome line, who and when
    assert said(replies, "больше не помогает паре", chat_id=mentor_tid)
    assert said(replies, "больше не помогает паре", chat_id=helper_tid)
    assert said(await helper.send("/plan"), "Программы пока нет")
    view = ProgrammeAction(action=ProgrammeVerb.VIEW, programme_id=programme_id).pack()
    assert said(await helper.press_data(view), "недоступно")
    # the audit log reads the whole story
    log = await curator.send("/audit")
    for step in ("пригласил(а) педагога помогать паре", "согласился(-ась) помогать паре"):
        assert said(log, step), texts(log)
    assert said(log, "завершил(а) помощь привлечённого педагога")


async def test_a_co_mentor_hears_of_the_pairs_course(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """The programme approved, a meeting logged by the mentor, a change everyone agreed to, the
    programme ended early: the co-mentor is told each, in a helper's words, without the
    members' buttons or the reason of the early end."""
    async with session_pool() as session:
        pair = await make_active_pair(session)
        mentor = await session.get(Participant, pair.mentor_id)
        mentee = await session.get(Participant, pair.mentee_ids[0])
        helper = await make_teacher(session, mentee=False, full_name="Козлова Ольга Ивановна")
        assert mentor is not None
        assert mentee is not None
        row = await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
        await answer_invitation(session, actor(helper), row.id, accept=True)
        programme = await make_running_programme(session, activities=1, pair=pair, approved=False)
        tids = mentor.telegram_id, mentee.telegram_id, helper.telegram_id
    mentor_tid, mentee_tid, helper_tid = tids
    curator, teacher, learner = person(CURATOR_ID), person(mentor_tid), person(mentee_tid)
    name = mentor.full_name
    where = f"пары №{pair.id} (наставник {name}), которой вы помогаете"

    approve = ProgrammeAction(action=ProgrammeVerb.APPROVE, programme_id=programme.id).pack()
    replies = await curator.press_data(approve)
    assert said(replies, "Куратор утвердил(а) программу " + where, chat_id=helper_tid)
    assert said(replies, "Куратор утвердил(а) программу.", chat_id=mentee_tid)  # as before

    await teacher.send("/meeting")
    await teacher.press("Сегодня")
    for answer in ("Разбор урока", "Посетили урок", "Поняли ошибки"):
        await teacher.send(answer)
    replies = await teacher.press("Пропустить")
    told = _sent_to(replies, helper_tid)
    assert told == [f"Записана встреча в журнал {where}: " + told[0].split(": ", 1)[1]], told
    assert "«Разбор урока» (записал(а): " + name + ")" in told[0]

    async with session_pool() as session:
        change = await propose_change(
            session,
            actor(mentor),
            programme.id,
            [Change("forms", values={"forms": ["traditional", "group"]})],
            reason="Добавим групповые встречи",
        )
    replies = await learner.press_data(ChangeAnswer(change_id=change.id, agree=True).pack())
    told = _sent_to(replies, helper_tid)
    assert len(told) == 1, told
    assert told[0].startswith("Программа " + where + ", изменилась: все согласились"), told
    assert "рупповое" in told[0]  # what changed
    assert "Добавим" not in told[0]  # not why, nor who answered what: the members' business
    assert "согласен(на)" not in told[0]

    await curator.press_data(
        ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id).pack()
    )
    await curator.send("Длительная болезнь")
    replies = await curator.press("Завершить программу")
    told = _sent_to(replies, helper_tid)
    assert len(told) == 1, texts(replies)
    assert told[0].startswith("Программа " + where + ", завершена досрочно"), told
    assert "болезнь" not in told[0]
    async with session_pool() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == helper_tid)
        )
        assert all(r.reply_markup is None for r in rows)  # no member's buttons, ever


def _sent_to(replies: Replies, chat_id: int) -> list[str]:
    return [m.text for m in replies if isinstance(m, SendMessage) and m.chat_id == chat_id]


async def _together(*calls: Any) -> Replies:
    """Two updates in flight at once (one getUpdates batch); all that the bot said."""
    results = await asyncio.gather(*calls)
    return max(results, key=len)  # each saw every request from its start on


def _alerts(replies: Replies) -> list[str]:
    return [m.text for m in replies if isinstance(m, AnswerCallbackQuery) and m.text]


async def test_two_presses_on_the_invitation_decide_once(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    _programme_id, pair_id, mentor_tid, _mentee_tid, helper_tid = await _pair_with_helper(
        session_pool
    )
    async with session_pool() as session:
        mentor = await session.scalar(
            select(Participant).where(Participant.telegram_id == mentor_tid)
        )
        helper = await session.scalar(
            select(Participant).where(Participant.telegram_id == helper_tid)
        )
        assert mentor is not None
        assert helper is not None
        row = await invite_co_mentor(session, actor(mentor), pair_id, helper.id)
        row_id = row.id
    teacher = person(helper_tid)
    agree = CoMentorAction(action=CoMentorVerb.ACCEPT, item=row_id).pack()
    decline = CoMentorAction(action=CoMentorVerb.DECLINE, item=row_id).pack()
    replies = await _together(teacher.press_data(agree), teacher.press_data(decline))
    async with session_pool() as session:
        decided = await session.get(CoMentor, row_id)
        assert decided is not None
        assert decided.status in (CoMentorStatus.ACCEPTED, CoMentorStatus.DECLINED)
        assert decided.version == 2  # one answer written, not two
    assert sum("Уже решено: " in t for t in _alerts(replies)) == 1, texts(replies)
    told = texts(replies, mentor_tid)
    assert len([t for t in told if "вашей паре" in t]) == 1, told


async def test_the_curator_answers_a_proposal_and_two_answers_decide_once(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    _programme_id, pair_id, mentor_tid, mentee_tid, _helper_tid = await _pair_with_helper(
        session_pool
    )
    async with session_pool() as session:
        mentor = await session.scalar(
            select(Participant).where(Participant.telegram_id == mentor_tid)
        )
        mentee = await session.scalar(
            select(Participant).where(Participant.telegram_id == mentee_tid)
        )
        assert mentor is not None
        assert mentee is not None
        chats = [CURATOR_ID, SECOND_CURATOR]
        first = await propose(
            session, actor(mentor), pair_id, mentee.id, "contest", "«Педагогический дебют»", chats
        )
        second = await propose(
            session, actor(mentor), pair_id, mentee.id, "encourage", "Грамота", chats
        )
        first_id, second_id = first.id, second.id
    anna, olga, teacher = person(CURATOR_ID), person(SECOND_CURATOR), person(mentor_tid)

    # one curator: accept with a comment; the outcome line; the mentor is told
    await anna.press_data(ProposalAnswer(proposal_id=first_id, accept=True).pack())
    replies = await anna.send("Подадим заявку до 1 декабря")
    assert said(replies, "Ответ записан, наставнику сообщено")
    assert said(replies, "Предложение принято — ")
    assert said(replies, "принято. Комментарий: Подадим заявку до 1 декабря", chat_id=mentor_tid)
    # a later press on the decided proposal is told at once, before any comment
    replies = await olga.press_data(ProposalAnswer(proposal_id=first_id, accept=False).pack())
    assert said(replies, "Уже решено: принято")
    # the mentor's card shows the history of proposals and answers
    assert said(await teacher.send("/mentee"), "рекомендация к участию в конкурсе — принято")

    # two curators answer the other proposal at the same moment: one answer stands
    await anna.press_data(ProposalAnswer(proposal_id=second_id, accept=True).pack())
    await olga.press_data(ProposalAnswer(proposal_id=second_id, accept=False).pack())
    replies = await _together(anna.send("Вручим грамоту"), olga.send("Пока рано"))
    async with session_pool() as session:
        answered = await session.get(MentorProposal, second_id)
        assert answered is not None
        assert answered.status in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)
        assert answered.version == 2
    assert sum("Уже решено: " in t for t in texts(replies)) == 1, texts(replies)
    assert len([t for t in texts(replies, mentor_tid) if "Комментарий" in t]) == 1

    report = await anna.send("/report")
    assert said(report, "• поощрение: 1 (принято")
    assert said(report, "Привлечённые педагоги (п. 7.1.1)")

    # the year's report (DOCX) counts them too: proposals by kind and answer, co-mentors
    async with session_pool() as session:
        helper = await make_teacher(session, mentee=False, full_name="Орлова Вера Павловна")
        await invite_co_mentor(session, actor(mentor), pair_id, helper.id)
    await anna.send("/docs")
    replies = await anna.press("Итоговый аналитический")
    sent = [m for m in replies if isinstance(m, SendDocument)]
    assert len(sent) == 1, texts(replies)
    document = DocxDocument(io.BytesIO(sent[0].document.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "9. Права наставника: предложения и привлечённые педагоги" in text
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    contest = next(r for r in rows if r[0] == "Рекомендация к участию в конкурсе")
    assert contest[2:] == ["1", "принято: 1, отклонено: 0, ждут ответа: 0"], contest
    encourage = next(r for r in rows if r[0] == "Поощрение")
    assert encourage[2] == "1"
    assert encourage[3] in (
        "принято: 1, отклонено: 0, ждут ответа: 0",
        "принято: 0, отклонено: 1, ждут ответа: 0",
    )
    assert next(r for r in rows if r[0] == "Приглашено педагогов")[2] == "1"
    assert next(r for r in rows if r[0] == "Дали согласие")[2] == "0"


async def test_the_card_prompt_comes_under_an_old_message(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    _programme_id, pair_id, mentor_tid, mentee_tid, _helper_tid = await _pair_with_helper(
        session_pool
    )
    async with session_pool() as session:
        mentee = await session.scalar(
            select(Participant).where(Participant.telegram_id == mentee_tid)
        )
        assert mentee is not None
    teacher = person(mentor_tid)
    data = MenteeProposal(pair_id=pair_id, mentee_id=mentee.id, kind=ProposalKind.CONTEST)
    replies = await teacher.press_data(data.pack(), old=True)
    assert said(replies, "Что вы предлагаете и почему?"), texts(replies)
    assert said(await teacher.send("Конкурс «Педагогический дебют»"), "Отправлено куратору")
