"""Erasure erases (issue 12, item 6): a person who was a mentee, a mentor and a curator plants
a marker in every text they can write or upload; after the withdrawal no table (every column of
every row, read back through the database) and no XLSX export holds any of them, while the
rows themselves (figures, the other people's history) stay."""

from __future__ import annotations

import io
import json
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import create_i18n
from handlers.curator.export import build_workbook
from models.base import Base, utcnow
from models.broadcasts import send_broadcast
from models.enums import ConsentKind, EndReason
from models.journal import Meeting, PairMessage, answer_message, log_meeting, send_message
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.pairs import answer_pair, approve_pair, propose_pair
from models.participant import Participant
from models.profiles import decide_mentor
from models.programmes import (
    ProgrammeDraft,
    add_activity,
    end_early,
    report_activity,
    respond_to_draft,
    review_activity,
    review_programme,
    save_draft,
    submit_programme,
)
from models.requests import create_request
from models.surveys import SURVEY_QUESTIONS, submit_survey
from models.withdrawal import withdraw_consent
from tests.factories import CURATOR, END, START, actor, make_mentor, make_teacher

MARK = "Zqx"  # every planted text contains it; nothing else in the database does


def mark(what: str) -> str:
    return f"{MARK}{what} текст"


async def active_pair(session: AsyncSession, mentee: Participant, mentor: Participant) -> int:
    pair = await propose_pair(
        session,
        CURATOR,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        forms=["traditional"],
        pair_type="teacher_young",
    )
    await answer_pair(session, actor(mentor), pair.id, accept=True)
    await answer_pair(session, actor(mentee), pair.id, accept=True)
    await approve_pair(session, CURATOR, pair.id, order_number="1-н", order_date=START)
    return pair.id


async def running(session: AsyncSession, pair_id: int, mentor, mentee, comment: str | None):
    draft = ProgrammeDraft("Цель", "Трудности", "Сильные", ["traditional"], START, END)
    programme = await save_draft(session, actor(mentor), pair_id, draft)
    activity = await add_activity(
        session,
        actor(mentor),
        programme.id,
        title="Открытый урок",
        description=None,
        deadline=date(2026, 10, 15),
        responsible="mentee",
    )
    await submit_programme(session, actor(mentor), programme.id)
    if comment:
        await respond_to_draft(session, actor(mentee), programme.id, agree=False, comment=comment)
        await submit_programme(session, actor(mentor), programme.id)
    await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    await review_programme(session, CURATOR, programme.id, approve=True)
    return programme, activity


async def plant(session: AsyncSession) -> Participant:
    """The person («Zqx») writes every kind of text, as a mentee, a mentor and a curator."""
    person = await make_teacher(
        session,
        mentor=True,
        full_name=f"{MARK}name Анна",
        position=mark("position"),
        department=mark("department"),
        subjects=mark("subjects"),
    )
    person.mentee_profile.learning_goals = mark("goals")
    person.mentee_profile.difficulties_other = mark("difficulty")
    person.mentor_profile.competences = mark("competences")
    await session.commit()
    await decide_mentor(session, person.id, accept=True, decided_by=CURATOR.telegram_id)
    me = actor(person)

    # As a mentee: declines a proposal, then works in a pair until the programme ends.
    other_mentor = await make_mentor(session, full_name="Сидоров Иван")
    declined = await propose_pair(
        session,
        CURATOR,
        mentee_id=person.id,
        mentor_id=other_mentor.id,
        forms=["traditional"],
        pair_type="teacher_young",
    )
    await answer_pair(session, me, declined.id, accept=False, reason=mark("decline"))
    mentor = await make_mentor(session, full_name="Орлова Нина")
    pair_id = await active_pair(session, person, mentor)
    programme, activity = await running(session, pair_id, mentor, person, mark("draftcomment"))
    await report_activity(
        session, me, activity.id, comment=mark("report"), evidence_file_id=f"{MARK}file-id"
    )
    question = await send_message(session, me, pair_id, "question", mark("question"))
    await answer_message(session, actor(mentor), question.id, "Ответ наставника")
    await send_message(session, me, pair_id, "proposal", mark("proposal"))
    await log_meeting(
        session,
        me,
        pair_id,
        held_on=date(2026, 9, 20),
        topic=mark("topic"),
        done=mark("done"),
        result=mark("result"),
        next_assignment=mark("next"),
        today=date(2026, 9, 21),
    )
    await create_request(session, me, pair_id, "early_end", reason=mark("request"))
    await end_early(session, CURATOR, programme.id, reason=EndReason.BY_CURATOR, comment="Причина")
    ratings = dict.fromkeys(SURVEY_QUESTIONS, 4)
    await submit_survey(session, me, programme.id, ratings, mark("survey"))

    # As a mentor: declines one pair, answers a question and reviews a report in another.
    mentee = await make_teacher(session, full_name="Петрова Ольга")
    refused = await propose_pair(
        session,
        CURATOR,
        mentee_id=mentee.id,
        mentor_id=person.id,
        forms=["traditional"],
        pair_type="teacher_young",
    )
    await answer_pair(session, me, refused.id, accept=False, reason=mark("mentordecline"))
    mentee2 = await make_teacher(session, full_name="Белова Вера")
    pair2 = await active_pair(session, mentee2, person)
    _programme2, activity2 = await running(session, pair2, person, mentee2, None)
    await report_activity(session, actor(mentee2), activity2.id, comment="Сделано")
    await review_activity(session, me, activity2.id, confirm=False, comment=mark("review"))
    asked = await send_message(session, actor(mentee2), pair2, "question", "Вопрос наставнику")
    await answer_message(session, me, asked.id, mark("answer"))

    # As a curator (a role given with /role): a broadcast.
    curator_me = type(CURATOR)(person.telegram_id, person.id, is_curator=True)
    await send_broadcast(
        session,
        curator_me,
        text=mark("broadcast"),
        media=None,
        audience="all",
        rendered=mark("broadcast"),
    )
    # Notices about them (queued and sent) and to them, with their name and texts.
    for number, (chat, status) in enumerate(
        [
            (CURATOR.telegram_id, "pending"),
            (CURATOR.telegram_id, "sent"),
            (person.telegram_id, "pending"),
        ]
    ):
        await enqueue(
            session,
            key=f"notice:test:{number}",
            kind="notice",
            chat_id=chat,
            text=f"{MARK}name Анна спрашивает: {mark('question')}",
            reply_markup={
                "inline_keyboard": [[{"text": f"{MARK}name Анна", "callback_data": "x"}]]
            },
        )
        if status == "sent":
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.key == f"notice:test:{number}")
            )
            row.status = OutboxStatus.SENT
    await session.commit()
    return person


async def everything_stored(session: AsyncSession) -> list[str]:
    """Every row of every table, each value as the database gives it back."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all():
            for value in row:
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                found.append(f"{table.name}: {value}")
    return found


async def test_withdrawal_leaves_no_trace_in_any_table_or_export(session: AsyncSession) -> None:
    person = await plant(session)
    before = await everything_stored(session)
    planted = {line.split(":")[0] for line in before if MARK in line}
    assert {
        "participants",
        "mentee_profiles",
        "mentor_profiles",
        "pairs",
        "pair_members",
        "programmes",
        "activities",
        "meetings",
        "pair_messages",
        "requests",
        "survey_answers",
        "broadcasts",
        "outbox",
    } <= planted, planted

    await withdraw_consent(session, person, ConsentKind.PERSONAL_DATA)
    session.expunge_all()

    left = [line for line in await everything_stored(session) if MARK in line]
    assert left == []
    with create_i18n("ru").context():
        exported = await build_workbook(session, ZoneInfo("Europe/Moscow"))
    workbook = load_workbook(io.BytesIO(exported))
    cells = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert not [cell for cell in cells if MARK in cell]
    # The rows stay: the other side's history and the figures are intact.
    assert await session.scalar(select(Meeting.id)) is not None
    assert len(list(await session.scalars(select(PairMessage)))) == 3
    answered = await session.scalar(
        select(PairMessage.answer).where(PairMessage.answer == "Ответ наставника")
    )
    assert answered is not None  # the mentor's own answer to the erased question stays
    to_them = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.chat_id == person.telegram_id)
    )
    assert to_them is not None
    assert to_them.status == OutboxStatus.FAILED  # never sent to a person who withdrew


async def test_withdrawal_reaches_the_newer_tables(session: AsyncSession) -> None:
    """The staff list's row, the site's items naming them, signed papers, a change of mentor
    and event guests (issue 12: «does not yet know the tables added since»)."""
    from models.papers import PaperKind, SignedPaper
    from models.site import SiteItem, SiteKind
    from models.staff import StaffMember, person_key

    person = await make_teacher(session, full_name=f"{MARK}surname Анна Петровна")
    surname = f"{MARK}surname"
    session.add(
        StaffMember(
            key=person_key(surname, "Анна", "Петровна"),
            surname=surname,
            name="Анна",
            patronymic="Петровна",
            position="преподаватель",
            department="ПЦК информатики",
            year=2026,
            participant_id=person.id,
        )
    )
    session.add(
        SiteItem(
            kind=SiteKind.NEWS,
            title=f"Открытый урок: {MARK}surname Анна Петровна",
            body=f"Урок провела {MARK}surname Анна Петровна. Преподаватель информатики.",
            author_telegram_id=CURATOR.telegram_id,
        )
    )
    session.add(
        SignedPaper(
            participant_id=person.id,
            kind=PaperKind.PERSONAL_DATA,
            received_at=utcnow(),
            received_by=CURATOR.telegram_id,
        )
    )
    await session.commit()
    planted = {line.split(":")[0] for line in await everything_stored(session) if MARK in line}
    assert {"staff_list", "site_items"} <= planted, planted

    await withdraw_consent(session, person, ConsentKind.PERSONAL_DATA)
    session.expunge_all()
    assert [line for line in await everything_stored(session) if MARK in line] == []
    item = await session.scalar(select(SiteItem))
    assert item is not None
    assert item.body == "Урок провела —. Преподаватель информатики."  # the news itself stays
    assert await session.scalar(select(SignedPaper.id)) is not None  # ids and dates: kept


async def test_another_persons_form_kept_in_the_database_loses_the_erased_name(
    session: AsyncSession,
) -> None:
    """Forms kept in the database without Redis (bot.sqlstorage): a curator's draft naming the
    person stays, with the name replaced; the person's own draft goes."""
    from models.forms import FormDraft

    person = await make_teacher(session, full_name=f"{MARK}name Анна")
    session.add(
        FormDraft(
            key="fsm:1:1000:1000",
            user_id=CURATOR.telegram_id,
            state="Broadcasting:writing",
            data={"text": f"Урок ведёт {MARK}name Анна", "ids": [person.id]},
        )
    )
    session.add(
        FormDraft(
            key=f"fsm:1:{person.telegram_id}:{person.telegram_id}",
            user_id=person.telegram_id,
            state="x",
            data={"answer": mark("own")},
        )
    )
    await session.commit()
    await withdraw_consent(session, person, ConsentKind.PERSONAL_DATA)
    session.expunge_all()
    drafts = list(await session.scalars(select(FormDraft)))
    assert [(d.user_id, d.data) for d in drafts] == [
        (CURATOR.telegram_id, {"text": "Урок ведёт —", "ids": [person.id]})
    ]
