"""The roadmap of an academic year (Appendix 1 to the regulation): seven stages with their
months, responsible and documents, created as a default plan the curator edits; the year's
events with date, place or link and audience, invitations queued once through the outbox,
attendance marked by the curator; the director's approval (§6.3.4)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models import formatting
from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import ParticipantStatus, StaffRole
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound
from models.fields import printable
from models.i18n_marker import N_
from models.outbox import enqueue, queue_notice_to_chats
from models.participant import Participant, enum_column
from models.statistics import academic_year

TITLE_LENGTH = 200
PLACE_LENGTH = 300
TEXT_LENGTH = 2000


class Audience(StrEnum):
    MENTORS = "mentors"
    MENTEES = "mentees"
    EVERYONE = "everyone"
    DEPARTMENT = "department"


@dataclass(frozen=True)
class StageTemplate:
    number: int
    title: str
    first_month: int | None  # None: «according to the programmes» / «as the year goes»
    last_month: int | None
    content: str
    documents: str
    responsible: str = "Куратор"


# Appendix 1, as the regulation has it (the default plan; the curator edits each year's copy).
APPENDIX_1 = (
    StageTemplate(
        1,
        "Подготовка условий реализации системы наставничества",
        9,
        10,
        "Определение заинтересованной в наставничестве аудитории внутри и вне колледжа "
        "(преподаватели, работодатели и др.). Определение целей, задач, форм наставничества, "
        "ожидаемых результатов.",
        "Приказ «Об утверждении Положения о системе наставничества педагогических "
        "работников». Приказ(ы) закрепления наставнических пар/групп. Персонализированные "
        "программы наставничества.",
        "Директор, куратор",
    ),
    StageTemplate(
        2,
        "Формирование банка наставляемых",
        9,
        10,
        "Сбор информации о профессиональных запросах педагогов. Формирование банка данных "
        "наставляемых, обеспечение согласий на сбор и обработку персональных данных.",
        "Банк данных наставляемых. Банк согласий на обработку персональных данных. Памятки "
        "для наставляемых.",
    ),
    StageTemplate(
        3,
        "Формирование банка наставников",
        9,
        10,
        "Анкетирование потенциальных наставников, желающих принять участие в "
        "персонализированных программах наставничества. Формирование банка данных "
        "наставников, обеспечение согласий на обработку персональных данных.",
        "Банк данных наставников. Банк согласий на обработку персональных данных. Памятки "
        "для наставников.",
    ),
    StageTemplate(
        4,
        "Отбор и обучение наставников",
        10,
        11,
        "Анализ банка наставников и выбор подходящих для конкретной программы. Обучение "
        "наставников: подготовка методических материалов; консультации и обмен опытом; "
        "«установочные сессии» наставников.",
        "Методические материалы для сопровождения наставнической деятельности.",
    ),
    StageTemplate(
        5,
        "Организация и осуществление работы наставнических пар/групп",
        None,
        None,
        "Формирование наставнических пар/групп. Разработка персонализированных программ для "
        "каждой пары/группы. Психолого-педагогическая поддержка наставляемых, не "
        "сформировавших пару или группу.",
        "Персонализированные программы наставничества для каждой пары/группы.",
        "Куратор, наставники",
    ),
    StageTemplate(
        6,
        "Завершение персонализированных программ наставничества",
        None,
        None,
        "Мониторинг качества программ (анкетирование). Конференция или семинар. Итоговое "
        "мероприятие (круглый стол) по выявлению лучших практик. Пополнение методической "
        "копилки практик наставничества.",
        "Анализ мониторинга качества программ. Программа конференции по обмену опытом. "
        "Методические материалы по сопровождению наставнической деятельности.",
        "Куратор, методический совет",
    ),
    StageTemplate(
        7,
        "Информационная поддержка системы наставничества",
        None,
        None,
        "Освещение мероприятий дорожной карты на всех этапах на сайте колледжа и в "
        "социальных сетях, по возможности на республиканском уровне.",
        "Информация о результатах работы пар/групп на официальном сайте колледжа.",
    ),
)


class Roadmap(Base):
    __tablename__ = "roadmaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)  # 2026: the year 2026/2027
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[int | None] = mapped_column(BigInteger)


class RoadmapStage(Base):
    __tablename__ = "roadmap_stages"
    __table_args__ = (UniqueConstraint("roadmap_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    content: Mapped[str] = mapped_column(Text)
    documents: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    done_at: Mapped[datetime | None]


class RoadmapEvent(Base):
    __tablename__ = "roadmap_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    stage_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(PLACE_LENGTH))
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    department: Mapped[str | None] = mapped_column(String(150))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventGuest(Base):
    """Who was invited to an event, and whether the curator marked them present."""

    __tablename__ = "roadmap_event_guests"
    __table_args__ = (UniqueConstraint("event_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_events.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    attended: Mapped[bool] = mapped_column(default=False)


def _month_start(year: int, month: int) -> date:
    return date(year if month >= 9 else year + 1, month, 1)


def _month_end(year: int, month: int) -> date:
    start = _month_start(year, month)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


async def roadmap_of(session: AsyncSession, year: int) -> Roadmap | None:
    return await session.scalar(select(Roadmap).where(Roadmap.year == year))


async def create_roadmap(session: AsyncSession, actor: Actor, today: date) -> Roadmap:
    """This academic year's roadmap from Appendix 1 (once: a second call returns it)."""
    actor.require_curator()
    year = academic_year(today)[0].year
    existing = await roadmap_of(session, year)
    if existing is not None:
        return existing
    roadmap = Roadmap(year=year, created_by=actor.telegram_id)
    session.add(roadmap)
    await session.flush()
    for stage in APPENDIX_1:
        session.add(
            RoadmapStage(
                roadmap_id=roadmap.id,
                number=stage.number,
                title=stage.title,
                starts_on=_month_start(year, stage.first_month) if stage.first_month else None,
                ends_on=_month_end(year, stage.last_month) if stage.last_month else None,
                content=stage.content,
                documents=stage.documents,
                responsible=stage.responsible,
            )
        )
    audit(session, actor.telegram_id, "roadmap.create", "roadmap", roadmap.id, year=year)
    await session.commit()
    return roadmap


async def stages_of(session: AsyncSession, roadmap_id: int) -> list[RoadmapStage]:
    return list(
        await session.scalars(
            select(RoadmapStage)
            .where(RoadmapStage.roadmap_id == roadmap_id)
            .order_by(RoadmapStage.number)
        )
    )


async def _stage(session: AsyncSession, actor: Actor, stage_id: int) -> RoadmapStage:
    actor.require_curator()
    stage = await session.get(RoadmapStage, stage_id)
    if stage is None:
        raise NotFound()
    return stage


async def set_stage_done(
    session: AsyncSession, actor: Actor, stage_id: int, done: bool, now: datetime | None = None
) -> RoadmapStage:
    stage = await _stage(session, actor, stage_id)
    stage.done_at = (now or utcnow()) if done else None
    audit(
        session,
        actor.telegram_id,
        "roadmap.stage_done" if done else "roadmap.stage_reopened",
        "roadmap_stage",
        stage.id,
        number=stage.number,
    )
    await session.commit()
    return stage


def parse_period(text: str, year: int) -> tuple[date | None, date | None]:
    """«09.2026-10.2026», «01.10.2026-30.11.2026» or «-» (by the programmes)."""
    text = text.strip()
    if text in ("-", "—", "–"):
        return None, None
    parts = [part.strip() for part in text.replace("—", "-").replace("–", "-").split("-")]
    if len(parts) != 2:
        raise InvalidValue(N_("Write the period as 01.10.2026-30.11.2026 or 10.2026-11.2026."))
    found = []
    for index, part in enumerate(parts):
        numbers = part.split(".")
        try:
            if len(numbers) == 2:
                month, year_ = int(numbers[0]), int(numbers[1])
                first = date(year_, month, 1)
                found.append(first if index == 0 else _month_end(year_ - (month < 9), month))
            elif len(numbers) == 3:
                found.append(date(int(numbers[2]), int(numbers[1]), int(numbers[0])))
            else:
                raise ValueError
        except ValueError:
            raise InvalidValue(
                N_("Write the period as 01.10.2026-30.11.2026 or 10.2026-11.2026.")
            ) from None
    start, end = found
    first_day, last_day = academic_year(date(year, 9, 1))
    if start > end or start < first_day or end > last_day:
        raise InvalidValue(
            N_("The period must lie within the academic year {first}–{last}, start first."),
            first=formatting.day(first_day),
            last=formatting.day(last_day),
        )
    return start, end


async def edit_stage(
    session: AsyncSession,
    actor: Actor,
    stage_id: int,
    *,
    period: tuple[date | None, date | None] | None = None,
    responsible: str | None = None,
    content: str | None = None,
    documents: str | None = None,
) -> RoadmapStage:
    stage = await _stage(session, actor, stage_id)
    for name, value in (("content", content), ("documents", documents)):
        if value is None:
            continue
        cleaned = printable(value).strip()
        if not cleaned or len(cleaned) > TEXT_LENGTH:
            raise InvalidValue(N_("Write the text, up to 2000 characters."))
        setattr(stage, name, cleaned)
    if period is not None:
        stage.starts_on, stage.ends_on = period
    if responsible is not None:
        cleaned = " ".join(responsible.split())
        if not cleaned or len(cleaned) > TITLE_LENGTH:
            raise InvalidValue(N_("Write who is responsible, up to 200 characters."))
        stage.responsible = cleaned
    audit(session, actor.telegram_id, "roadmap.stage_edit", "roadmap_stage", stage.id)
    await session.commit()
    return stage


def stage_state(stage: RoadmapStage, today: date) -> str:
    """done, overdue (its end passed, not done), current, upcoming, or ongoing (no dates)."""
    if stage.done_at is not None:
        return "done"
    if stage.ends_on is None:
        return "ongoing"
    if stage.ends_on < today:
        return "overdue"
    if stage.starts_on is not None and stage.starts_on > today:
        return "upcoming"
    return "current"


async def approve_roadmap(
    session: AsyncSession,
    actor: Actor,
    approver: Participant | None,
    roadmap_id: int,
    curator_chat_ids: Collection[int] = (),
) -> Roadmap:
    """§6.3.4: the director approves the roadmap (once); the curators are told through the
    outbox in the same transaction."""
    if approver is None or approver.staff_role != StaffRole.DIRECTOR:
        raise AccessDenied(N_("Only the director approves the roadmap."))
    roadmap = await session.get(Roadmap, roadmap_id)
    if roadmap is None:
        raise NotFound()
    if roadmap.approved_at is not None:
        raise AlreadyDecided()
    roadmap.approved_at = utcnow()
    roadmap.approved_by = actor.telegram_id
    audit(session, actor.telegram_id, "roadmap.approve", "roadmap", roadmap.id, year=roadmap.year)
    others = set(curator_chat_ids) - {actor.telegram_id}
    await queue_notice_to_chats(
        session, "roadmap.approved", roadmap.id, others, roadmap.approved_at
    )
    await session.commit()
    return roadmap


async def audience_of(
    session: AsyncSession, audience: Audience, department: str | None = None
) -> list[Participant]:
    people = await session.scalars(
        select(Participant)
        .where(Participant.status == ParticipantStatus.ACTIVE, Participant.archived_at.is_(None))
        .order_by(Participant.full_name, Participant.id)
    )
    chosen = []
    for person in people:
        if audience == Audience.MENTORS and person.mentor_profile is None:
            continue
        if audience == Audience.MENTEES and person.mentee_profile is None:
            continue
        if audience == Audience.DEPARTMENT and person.department != department:
            continue
        chosen.append(person)
    return chosen


def parse_event(text: str, today: date, zone: tzinfo) -> tuple[datetime, str, str]:
    """«25.12.2026 14:00; ауд. 214 or a link; title» → (when, place, title); the time is
    the college's (`zone`)."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) != 3 or not all(parts):
        raise InvalidValue(
            N_(
                "Send one line: date and time; place or link; title — for example "
                "«15.12.2026 14:00; ауд. 214; Установочная сессия наставников»."
            )
        )
    when_text, place, title = parts
    try:
        when = datetime.strptime(" ".join(when_text.split()), formatting.MOMENT_FORMAT).replace(
            tzinfo=zone
        )
    except ValueError:
        raise InvalidValue(
            N_("«{value}» is not a date and time like 15.12.2026 14:00."), value=when_text[:40]
        ) from None
    if when.date() < today:
        raise InvalidValue(N_("This date has already passed."))
    if when.date() > today + timedelta(days=400):
        raise InvalidValue(N_("The event is more than a year ahead."))
    if len(place) > PLACE_LENGTH or len(title) > TITLE_LENGTH:
        raise InvalidValue(N_("The place or the title is too long."))
    return when, place, title


@dataclass(frozen=True)
class Invitation:
    participant: Participant
    key: str


async def create_event(
    session: AsyncSession,
    actor: Actor,
    stage_id: int,
    *,
    starts_at: datetime,
    place: str,
    title: str,
    audience: Audience,
    department: str | None,
) -> tuple[RoadmapEvent, list[Participant]]:
    """The event and its guest list, in one commit (invitations are queued separately)."""
    stage = await _stage(session, actor, stage_id)
    guests = await audience_of(session, audience, department)
    event = RoadmapEvent(
        roadmap_id=stage.roadmap_id,
        stage_number=stage.number,
        title=title,
        starts_at=starts_at,
        place=place,
        audience=audience,
        department=department if audience == Audience.DEPARTMENT else None,
        created_by=actor.telegram_id,
    )
    session.add(event)
    await session.flush()
    for person in guests:
        session.add(EventGuest(event_id=event.id, participant_id=person.id))
    audit(
        session,
        actor.telegram_id,
        "roadmap.event",
        "roadmap_event",
        event.id,
        guests=len(guests),
    )
    await session.commit()
    return event, guests


async def queue_invitations(
    session: AsyncSession, event: RoadmapEvent, messages: dict[int, str], now: datetime
) -> int:
    """One invitation per guest, keyed by the event and the person: queued exactly once."""
    guests = await guests_of(session, event.id)
    queued = 0
    for _guest, person in guests:
        text = messages.get(person.id)
        if text is None:
            continue
        queued += await enqueue(
            session,
            key=f"event:{event.id}:invite:{person.id}",
            kind="event-invite",
            chat_id=person.telegram_id,
            text=text,
            now=now,
        )
    await session.commit()
    return queued


async def guests_of(session: AsyncSession, event_id: int) -> list[tuple[EventGuest, Participant]]:
    rows = await session.execute(
        select(EventGuest, Participant)
        .join(Participant, Participant.id == EventGuest.participant_id)
        .where(EventGuest.event_id == event_id)
        .order_by(Participant.full_name, Participant.id)
    )
    return [(guest, person) for guest, person in rows.all()]


async def events_of(session: AsyncSession, roadmap_id: int) -> list[RoadmapEvent]:
    return list(
        await session.scalars(
            select(RoadmapEvent)
            .where(RoadmapEvent.roadmap_id == roadmap_id)
            .order_by(RoadmapEvent.starts_at, RoadmapEvent.id)
        )
    )


async def mark_attendance(
    session: AsyncSession, actor: Actor, event_id: int, participant_id: int
) -> bool:
    """Toggle: present ↔ absent. Returns the new mark."""
    actor.require_curator()
    guest = await session.scalar(
        select(EventGuest).where(
            EventGuest.event_id == event_id, EventGuest.participant_id == participant_id
        )
    )
    if guest is None:
        raise NotFound()
    guest.attended = not guest.attended
    audit(
        session,
        actor.telegram_id,
        "roadmap.attendance",
        "roadmap_event",
        event_id,
        participant=participant_id,
        attended=guest.attended,
    )
    await session.commit()
    return guest.attended


async def events_on(
    session: AsyncSession, day_: date, zone: tzinfo
) -> list[tuple[RoadmapEvent, list[Participant]]]:
    """Events on the college's calendar day `day_`, with their guests (for reminders)."""
    start = datetime.combine(day_, datetime.min.time(), tzinfo=zone)
    events = await session.scalars(
        select(RoadmapEvent).where(
            RoadmapEvent.starts_at >= start, RoadmapEvent.starts_at < start + timedelta(days=1)
        )
    )
    return [
        (event, [person for _guest, person in await guests_of(session, event.id)])
        for event in events
    ]


async def overdue_stages(session: AsyncSession, today: date) -> list[RoadmapStage]:
    """This academic year's stages whose end has passed and that are not marked done."""
    roadmap = await roadmap_of(session, academic_year(today)[0].year)
    if roadmap is None:
        return []
    return [s for s in await stages_of(session, roadmap.id) if stage_state(s, today) == "overdue"]
