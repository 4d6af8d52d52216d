"""The life of personal data: erasure RETENTION_DAYS after participation ends (notices first,
exactly once, no trace in the XLSX and DOCX made afterwards), the publication consent asked
when a programme completes, and the subject-access file (every table, nobody else)."""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta

import pytest
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from documents import content
from documents.render import render
from handlers.curator.documents import college_of, russian
from handlers.curator.export import build_workbook
from models import AuditEntry, Base, Broadcast, Invite, PairingExclusion, SurveyAnswer
from models.approvals import BankDecision
from models.audit import audit
from models.base import utcnow
from models.best_cases import CaseDescription
from models.changes import Change, propose_change
from models.choice import MentorWish
from models.comentors import invite_co_mentor
from models.enums import PaperKind, ParticipantStatus
from models.forms import FormDraft
from models.journal import log_meeting, send_message
from models.library import Material
from models.mentor_rights import MentorProposal
from models.outbox import OutboxMessage, enqueue
from models.pairs import MentorReplacement
from models.papers import SignedPaper
from models.participant import Participant
from models.privacy import NOT_PERSONAL, personal_data
from models.profiles import decide_mentor
from models.programmes import Programme, report_activity, review_activity, vote_completion
from models.requests import create_request
from models.roadmap import Audience, EventGuest, Roadmap, RoadmapEvent
from models.site import SiteItem, SiteKind
from models.staff import StaffMember
from scheduler.privacy import personal_data_job
from tests.conftest import REDIS_URL
from tests.factories import (
    CURATOR,
    actor,
    make_active_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
)
from tests.scheduler.conftest import MSK, Scheduler

FORMS_BOT = 42  # the bot's id in the forms' keys


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


async def order_docx(session: AsyncSession, settings: object, i18n: object, today: date) -> bytes:
    """The order approving every active pair, as the curator gets it from /docs."""
    college = await college_of(session, settings, CURATOR)  # type: ignore[arg-type]
    doc = await content.order_pairs(session, college, russian(i18n), today, everyone=True)  # type: ignore[arg-type]
    assert doc is not None
    assert doc.fill is not None
    return render(doc.name, doc.fill).data


async def programme_docx(
    session: AsyncSession, settings: object, i18n: object, today: date, programme: Programme
) -> bytes:
    college = await college_of(session, settings, CURATOR)  # type: ignore[arg-type]
    people = await content.People.load(session)
    doc = content.programme_doc(programme, people, college, russian(i18n), today)  # type: ignore[arg-type]
    assert doc.fill is not None
    return render(doc.name, doc.fill).data


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def finish(session: AsyncSession, programme: Programme) -> None:
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor = await session.get(Participant, programme.pair.mentor_id)
    for activity in programme.activities:
        await report_activity(session, actor(mentee), activity.id, comment="готово")
        await review_activity(session, actor(mentor), activity.id, confirm=True)
    await vote_completion(session, actor(mentee), programme.id)
    await vote_completion(session, actor(mentor), programme.id)


async def run(scheduler: Scheduler) -> list[OutboxMessage]:
    """The personal-data job once; what it queued (delivery is the outbox's own business)."""
    before = {m.id for m in await scheduler.ledger()}
    await personal_data_job(scheduler.pool, scheduler.settings, scheduler.i18n, scheduler.clock)
    return [m for m in await scheduler.ledger() if m.id not in before]


async def erasures(scheduler: Scheduler) -> int:
    async with scheduler.pool() as session:
        return await session.scalar(
            select(func.count()).where(AuditEntry.action == "retention.erase")
        )


async def test_retention_erases_after_the_period_once_with_notices_first(
    scheduler: Scheduler,
) -> None:
    pool, settings = scheduler.pool, scheduler.settings
    async with pool() as session:
        programme = await make_running_programme(session, activities=1)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        mentee.full_name = "Ретенцова Алла Юрьевна"
        await session.commit()
        await finish(session, programme)
        ended = programme.ended_at
        still = await make_running_programme(session)  # a running pair: never erased
        busy = await session.get(Participant, still.pair.mentee_ids[0])
        busy.full_name = "Занятова Вера"
        await session.commit()
        ids = (mentee.id, mentee.telegram_id, programme.id, busy.id)
    days, notice = settings.retention_days, settings.retention_notice_days
    assert (days, notice) == (30, 7)

    scheduler.clock.moment = ended + timedelta(days=days - notice - 1)
    await run(scheduler)
    assert await erasures(scheduler) == 0
    assert not [m for m in await scheduler.ledger() if m.kind == "retention"]

    scheduler.clock.moment = ended + timedelta(days=days - 1)
    sent = await run(scheduler)
    to_person = [m.text for m in sent if m.chat_id == ids[1]]
    assert any("будут удалены" in text for text in to_person)
    assert any("Ретенцова" in m.text for m in sent if m.chat_id == CURATOR.telegram_id)
    assert await erasures(scheduler) == 0

    scheduler.clock.moment = ended + timedelta(days=days, minutes=1)
    for _ in range(3):  # repeated runs erase once
        await run(scheduler)
    assert await erasures(scheduler) == 1
    erased_notices = [m for m in await scheduler.ledger() if m.key.startswith("retention-erased")]
    assert len({m.chat_id for m in erased_notices}) == len(erased_notices) == 2
    async with pool() as session:
        person = await session.get(Participant, ids[0])
        assert person.status == ParticipantStatus.WITHDRAWN
        assert person.full_name is None
        assert (await session.get(Participant, ids[3])).status == ParticipantStatus.ACTIVE
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "retention.erase")
        )
        assert "Ретенцова" not in json.dumps(entry.details, ensure_ascii=False)
        with scheduler.i18n.context(), scheduler.i18n.use_locale("ru"):
            workbook = xlsx_text(await build_workbook(session, MSK))
            today = scheduler.clock.moment.date()
            order = docx_text(await order_docx(session, settings, scheduler.i18n, today))
            programme = await session.get(Programme, ids[2])
            plan = docx_text(
                await programme_docx(session, settings, scheduler.i18n, today, programme)
            )
    assert "Занятова" in workbook  # the export itself works and names the others
    for text in (workbook, order, plan):
        assert "Ретенцова" not in text
        assert "Алла Юрьевна" not in text


async def test_publication_consent_is_asked_once_when_a_programme_completes(
    scheduler: Scheduler,
) -> None:
    async with scheduler.pool() as session:
        programme = await make_running_programme(session, activities=1)
        await run(scheduler)
        assert not [m for m in await scheduler.ledger() if m.kind == "publicity"]
        await finish(session, programme)
        people = {programme.pair.mentor_id, *programme.pair.mentee_ids}
    scheduler.clock.moment = utcnow()
    await run(scheduler)
    await run(scheduler)
    asked = [m for m in await scheduler.ledger() if m.kind == "publicity"]
    assert len(asked) == len(people) == 2
    assert all("Согласие на публикацию" in m.text and m.reply_markup for m in asked)


async def make_life(session: AsyncSession, tag: str) -> tuple[Participant, Participant]:
    """A mentor (also a mentee) with something in every table; their mentee."""
    person = await make_teacher(session, mentor=True, full_name=f"Персона {tag}")
    person = await make_mentor_accepted(session, person)
    pair = await make_active_pair(session, mentor=person)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    programme = await make_running_programme(session, activities=1, pair=pair)
    activity_id = programme.activities[0].id
    await report_activity(session, actor(mentee), activity_id, comment=f"Отчёт {tag}")
    await review_activity(session, actor(person), activity_id, confirm=False, comment="доделать")
    await log_meeting(
        session,
        actor(person),
        pair.id,
        held_on=date(2026, 9, 10),
        topic=f"Встреча {tag}",
        done="обсудили",
        result="план",
        next_assignment=None,
        today=date(2026, 9, 10),
    )
    await send_message(session, actor(mentee), pair.id, "question", f"Вопрос {tag}")
    await create_request(session, actor(person), pair.id, "release", reason=f"Причина {tag}")
    await propose_change(
        session,
        actor(person),
        programme.id,
        [Change("forms", values={"forms": ["traditional", "group"]})],
        reason=f"Изменение {tag}",
    )
    other = await make_teacher(session, full_name=f"Исключённая {tag}")
    await invite_co_mentor(session, actor(person), pair.id, other.id)  # §7.1.1
    session.add_all(
        [
            PairingExclusion(mentor_id=person.id, mentee_id=other.id),
            SurveyAnswer(
                programme_id=programme.id,
                participant_id=person.id,
                role="mentor",
                ratings={"a": 5},
                comment=f"Анкета {tag}",
            ),
            Broadcast(
                author_telegram_id=person.telegram_id, text=f"Рассылка {tag}", audience="all"
            ),
            Invite(code=f"inv{tag}", role="mentee", created_by=person.telegram_id),
            SiteItem(
                kind=SiteKind.NEWS,
                title=f"Новость {tag}",
                body="",
                author_telegram_id=person.telegram_id,
            ),
        ]
    )
    await enqueue(
        session, key=f"t:{tag}", kind="t", chat_id=person.telegram_id, text=f"Письмо {tag}"
    )
    audit(session, CURATOR.telegram_id, "participant.view", "participant", person.id)
    now = utcnow()
    session.add(
        SignedPaper(
            participant_id=person.id,
            kind=PaperKind.PERSONAL_DATA,
            received_at=now,
            received_by=CURATOR.telegram_id,
        )
    )
    session.add(
        MentorReplacement(pair_id=pair.id, old_mentor_id=person.id, new_mentor_id=person.id)
    )
    session.add(
        StaffMember(
            key=f"персона {tag.lower()}",
            surname="Персона",
            name=tag,
            position="преподаватель",
            department="ПЦК",
            year=2026,
            participant_id=person.id,
        )
    )
    roadmap = Roadmap(year=2026 if tag == "Альфа" else 2027, created_by=CURATOR.telegram_id)
    session.add(roadmap)
    await session.flush()
    event = RoadmapEvent(
        roadmap_id=roadmap.id,
        stage_number=1,
        title="Семинар",
        starts_at=now,
        place="ауд. 1",
        audience=Audience.EVERYONE,
        created_by=CURATOR.telegram_id,
    )
    session.add(event)
    await session.flush()
    session.add(EventGuest(event_id=event.id, participant_id=person.id))
    session.add(
        BankDecision(
            participant_id=person.id,
            role="mentor",
            round=1,
            approved=False,
            comment=f"Возврат {tag}",
            decided_by=CURATOR.telegram_id,
            decided_at=now,
        )
    )
    session.add(
        MentorWish(
            mentee_id=person.id,
            mentor_id=other.id,
            reason=f"Пожелание {tag}",
            created_by=person.telegram_id,
        )
    )
    session.add(  # a form left half-filled (main's form drafts)
        FormDraft(key=f"draft:{tag}", user_id=person.telegram_id, state="x", data={"t": tag})
    )
    session.add(
        MentorProposal(
            pair_id=pair.id,
            mentor_id=person.id,
            mentee_id=mentee.id,
            kind="contest",
            text=f"Предложение {tag}",
        )
    )
    session.add(
        Material(
            title=f"Материал {tag}",
            body="Памятка",
            tags=[],
            author_id=person.id,
            added_by=person.telegram_id,
        )
    )
    session.add(  # the mentor's description of the programme as a best practice
        CaseDescription(
            programme_id=programme.id,
            goal=f"Цель {tag}",
            done="Сделано",
            results="Результаты",
            lessons="Уроки",
            author_id=person.id,
            written_by=person.telegram_id,
        )
    )
    await session.commit()
    return person, mentee


async def make_mentor_accepted(session: AsyncSession, person: Participant) -> Participant:
    await decide_mentor(session, person.id, accept=True, decided_by=CURATOR.telegram_id)
    return person


async def test_the_subject_access_file_has_every_table_and_nobody_else(
    session: AsyncSession,
) -> None:
    me, my_mentee = await make_life(session, "Альфа")
    them, _ = await make_life(session, "Бета")
    await make_mentor(session)  # an unrelated bank member
    data = await personal_data(session, me)
    tables = set(Base.metadata.tables) - NOT_PERSONAL
    assert set(data) == tables  # a new table must be added here (or declared not personal)
    assert [t for t in tables if not data[t]] == []  # each has this person's rows
    dump = json.dumps(data, ensure_ascii=False)
    for mine in (
        "Персона Альфа",
        "Встреча Альфа",
        "Вопрос Альфа",
        "Причина Альфа",
        "Изменение Альфа",
        "Анкета Альфа",
        "Рассылка Альфа",
        "Новость Альфа",
        "Письмо Альфа",
        "Возврат Альфа",
        "Пожелание Альфа",
        "Материал Альфа",
        "Предложение Альфа",
    ):
        assert mine in dump, mine
    assert "Бета" not in dump
    assert str(them.telegram_id) not in dump
    assert {row["id"] for row in data["participants"]} == {me.id}
    assert all(
        row.get("participant_id", me.id) == me.id
        for table in ("consents", "mentee_profiles", "mentor_profiles", "survey_answers")
        for row in data[table]
    )
    assert str(my_mentee.telegram_id) not in dump  # their own rows are theirs, not mine


@pytest.mark.parametrize("kind", ["memory", "redis"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the forms are not in it
async def test_retention_reaches_unfinished_forms_outside_the_database(
    scheduler: Scheduler, kind: str
) -> None:
    """Issue 12: the retention job erases as a withdrawal does, forms in memory and in Redis
    included: another person's draft keeps no trace of the erased person, their own is dropped."""
    storage: BaseStorage
    if kind == "memory":
        storage = MemoryStorage()
    elif REDIS_URL is None:
        pytest.skip("TEST_REDIS_URL is not set")
    else:
        storage = RedisStorage.from_url(REDIS_URL, key_builder=DefaultKeyBuilder(with_bot_id=True))
    async with scheduler.pool() as session:
        programme = await make_running_programme(session, activities=1)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        mentee.full_name = "Формова Алла Юрьевна"
        await session.commit()
        await finish(session, programme)
        ended, chat = programme.ended_at, mentee.telegram_id
    curator = random.randint(10**9, 2 * 10**9)  # a fresh key in the shared Redis
    theirs = StorageKey(bot_id=FORMS_BOT, chat_id=chat, user_id=chat)
    others = StorageKey(bot_id=FORMS_BOT, chat_id=curator, user_id=curator)
    try:
        await storage.set_state(others, "Broadcasting:entering_text")
        await storage.set_data(others, {"text": "Поздравляем: Формова Алла Юрьевна!", "n": 2})
        await storage.set_state(theirs, "Profile:entering_position")
        await storage.set_data(theirs, {"position": "Мой черновик"})
        scheduler.clock.moment = ended + timedelta(
            days=scheduler.settings.retention_days, minutes=1
        )
        await personal_data_job(
            scheduler.pool,
            scheduler.settings,
            scheduler.i18n,
            scheduler.clock,
            forms=(storage, FORMS_BOT),
        )
        assert await erasures(scheduler) == 1
        assert await storage.get_data(others) == {"text": "Поздравляем: —!", "n": 2}
        assert await storage.get_state(others) == "Broadcasting:entering_text"  # kept
        assert await storage.get_data(theirs) == {}
        assert await storage.get_state(theirs) is None
    finally:
        for key in (others, theirs):
            await storage.set_state(key, None)
            await storage.set_data(key, {})
        await storage.close()
