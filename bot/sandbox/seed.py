"""`--seed demo`: a realistic small college built through the domain functions, dated around
today: a curator, 4 mentors, 8 mentees, 3 running programmes (one activity overdue, others due
soon), one pending replacement request, 5 mentees waiting for a mentor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.base import utcnow
from models.consent import CONSENT_VERSIONS, ConsentDocument, give_personal_data_consent
from models.enums import ConsentKind
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import answer_pair, approve_pair, propose_pair
from models.participant import Participant, complete_registration, ensure_participant, save_profile
from models.profiles import decide_mentor, register_mentor, save_mentee_questionnaire
from models.programmes import (
    ProgrammeDraft,
    add_activity,
    add_months,
    report_activity,
    respond_to_draft,
    review_activity,
    review_programme,
    save_draft,
    submit_programme,
)
from models.requests import create_request

CURATOR_ID = 1000


@dataclass(frozen=True)
class Persona:
    role: str  # "curator", "mentor", "mentee"
    name: str
    telegram_id: int


MENTORS = (
    (
        "Иванов Сергей Петрович",
        "ПЦК информационных технологий",
        "Информатика, Программирование",
        "Проектное обучение, методика практических занятий, цифровые инструменты, Moodle",
    ),
    (
        "Смирнов Андрей Николаевич",
        "ПЦК транспортных дисциплин",
        "Устройство автомобилей",
        "Подготовка к демонстрационному экзамену и чемпионатам, дисциплина в группе",
    ),
    (
        "Кузнецова Ольга Викторовна",
        "ПЦК экономических дисциплин",
        "Экономика, Бухучёт",
        "Фонды оценочных средств, рабочие программы, КТП, журналы",
    ),
    (
        "Волкова Елена Игоревна",
        "ПЦК гуманитарных дисциплин",
        "Русский язык, Литература",
        "Кураторство группы, работа с родителями, адаптация молодых преподавателей",
    ),
)
MENTEES = (
    ("Петрова Анна Сергеевна", 0, "Информатика", ["lesson_design", "digital"]),
    ("Соколов Дмитрий Олегович", 1, "Устройство автомобилей", ["competitions", "discipline"]),
    ("Морозова Ирина Александровна", 2, "Экономика", ["assessment", "documentation"]),
    ("Лебедев Максим Юрьевич", 0, "Программирование", ["projects"]),
    ("Новикова Дарья Андреевна", 3, "Литература", ["group_curatorship", "adaptation"]),
    ("Козлов Артём Викторович", 1, "Устройство автомобилей", ["workload"]),
    ("Павлова Светлана Игоревна", 2, "Бухучёт", ["documentation"]),
    ("Фёдоров Никита Алексеевич", 0, "Информатика", ["digital", "assessment"]),
)


async def _person(
    session: AsyncSession, telegram_id: int, name: str, department: str, subjects: str, years: int
) -> Participant:
    person = await ensure_participant(session, telegram_id)
    document = ConsentDocument(
        ConsentKind.PERSONAL_DATA, CONSENT_VERSIONS[ConsentKind.PERSONAL_DATA], "sandbox", "ru"
    )
    await give_personal_data_consent(session, person, document)
    profile = {
        "full_name": name,
        "position": "преподаватель",
        "department": department,
        "subjects": subjects,
        "experience_years": years,
        "qualification": "highest" if years > 10 else "none",
    }
    await save_profile(session, person, profile)
    return person


async def seed_demo(session: AsyncSession, today: date) -> list[Persona]:
    curator = Actor(CURATOR_ID, None, is_curator=True)
    personas = [Persona("curator", "Андросова Людмила Юрьевна", CURATOR_ID)]
    head = await _person(session, CURATOR_ID, personas[0].name, "Администрация", "—", 25)
    await complete_registration(session, head)
    mentors = []
    for number, (name, department, subjects, competences) in enumerate(MENTORS):
        mentor = await _person(session, 2001 + number, name, department, subjects, 15 + number)
        answers = {
            "competences": competences,
            "mentor_subjects": subjects,
            "mentor_forms": ["traditional", "group", "virtual"],
            "capacity": 3,
        }
        document = ConsentDocument(
            ConsentKind.MENTORING, CONSENT_VERSIONS[ConsentKind.MENTORING], "sandbox", "ru"
        )
        await register_mentor(session, mentor, answers, document)
        await complete_registration(session, mentor)
        await decide_mentor(session, mentor.id, accept=True, decided_by=CURATOR_ID)
        mentors.append(mentor)
        personas.append(Persona("mentor", name, mentor.telegram_id))
    mentees = []
    for number, (name, department_of, subjects, difficulties) in enumerate(MENTEES):
        mentee = await _person(
            session, 3001 + number, name, MENTORS[department_of][1], subjects, number % 3
        )
        await save_mentee_questionnaire(
            session,
            mentee,
            {
                "difficulties": difficulties,
                "difficulties_other": None,
                "learning_goals": "Уверенно вести занятия и работать с группой",
                "mentee_forms": ["traditional", "virtual"],
            },
        )
        await complete_registration(session, mentee)
        mentees.append(mentee)
        personas.append(Persona("mentee", name, mentee.telegram_id))

    plans = (  # mentor, mentee, deadlines relative to today (days), confirmed first?
        (0, 0, (-30, 3, 20), True),
        (1, 1, (-2, 10, 45), False),
        (2, 2, (0, 30, 60), False),
    )
    for mentor_no, mentee_no, offsets, first_done in plans:
        mentor, mentee = mentors[mentor_no], mentees[mentee_no]
        as_mentor = Actor(mentor.telegram_id, mentor.id)
        as_mentee = Actor(mentee.telegram_id, mentee.id)
        pair = await propose_pair(
            session,
            curator,
            mentee_id=mentee.id,
            mentor_id=mentor.id,
            forms=["traditional"],
            pair_type="teacher_young",
        )
        await answer_pair(session, as_mentor, pair.id, accept=True)
        await answer_pair(session, as_mentee, pair.id, accept=True)
        start = today - timedelta(days=60)
        await approve_pair(
            session, curator, pair.id, order_number=f"{40 + mentor_no}-н", order_date=start
        )
        programme = await save_draft(
            session,
            as_mentor,
            pair.id,
            ProgrammeDraft(
                goal="Освоить современные методики и уверенно вести занятия",
                difficulties="Планирование занятий, работа с группой",
                strengths="Хорошее знание предмета, цифровые навыки",
                forms=["traditional"],
                start_date=start,
                end_date=add_months(start, 6),
            ),
        )
        titles = (
            "Посетить три занятия наставника",
            "Провести открытое занятие",
            "Разработать фонд оценочных средств",
        )
        activities = []
        for title, offset in zip(titles, offsets, strict=True):
            activities.append(
                await add_activity(
                    session,
                    as_mentor,
                    programme.id,
                    title=title,
                    description=None,
                    deadline=today + timedelta(days=offset),
                    responsible="mentee",
                )
            )
        await submit_programme(session, as_mentor, programme.id)
        await respond_to_draft(session, as_mentee, programme.id, agree=True)
        await review_programme(session, curator, programme.id, approve=True)
        if first_done:
            await report_activity(
                session, as_mentee, activities[0].id, comment="Посетила, составила конспекты"
            )
            await review_activity(session, as_mentor, activities[0].id, confirm=True)
        if mentee_no == 2:
            await create_request(
                session,
                as_mentee,
                pair.id,
                "replacement",
                reason="Хотела бы наставника с опытом в бухгалтерском учёте",
            )
    # A seeded past: the notices of the decisions above went out when they were made.
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.payload.is_not(None), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="seeded")
    )
    await session.commit()
    return personas
