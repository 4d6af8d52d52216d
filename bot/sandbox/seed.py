"""`--seed demo`: a realistic small college built through the domain functions, dated around
today: a curator, 4 mentors, 8 mentees, 3 running programmes (one activity overdue, others due
soon), one pending replacement request, one programme completed and one ended early (with
questionnaire answers), one mentor replaced, one pair waiting for the director's order and one
mentee waiting for a mentor: enough for every document of /docs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.base import utcnow
from models.consent import CONSENT_VERSIONS, ConsentDocument, give_personal_data_consent
from models.enums import ConsentKind, EndReason
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import answer_pair, approve_pair, propose_pair, propose_replacement
from models.participant import Participant, complete_registration, ensure_participant, save_profile
from models.profiles import decide_mentor, register_mentor, save_mentee_questionnaire
from models.programmes import (
    Programme,
    ProgrammeDraft,
    add_activity,
    add_months,
    end_early,
    report_activity,
    respond_to_draft,
    review_activity,
    review_programme,
    save_draft,
    submit_programme,
    vote_completion,
)
from models.requests import create_request, decide_request
from models.surveys import submit_survey

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
    await _finished_and_replaced(session, curator, mentors, mentees, today)
    # A seeded past: the notices of the decisions above went out when they were made.
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.payload.is_not(None), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="seeded")
    )
    await session.commit()
    return personas


async def _running(
    session: AsyncSession,
    curator: Actor,
    mentor: Participant,
    mentee: Participant,
    start: date,
    deadlines: list[date],
) -> tuple[int, list[int]]:
    """An approved pair with an approved programme: (programme id, activity ids)."""
    as_mentor, as_mentee = (
        Actor(mentor.telegram_id, mentor.id),
        Actor(mentee.telegram_id, mentee.id),
    )
    pair = await propose_pair(
        session,
        curator,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        forms=["traditional", "virtual"],
        pair_type="teacher_young",
    )
    await answer_pair(session, as_mentor, pair.id, accept=True)
    await answer_pair(session, as_mentee, pair.id, accept=True)
    await approve_pair(session, curator, pair.id, order_number="57-н", order_date=start)
    draft = ProgrammeDraft(
        goal="Выстроить систему оценивания и подготовить студентов к демонстрационному экзамену",
        difficulties="Оценочные средства, работа с группой",
        strengths="Практический опыт работы на производстве",
        forms=["traditional", "virtual"],
        start_date=start,
        end_date=add_months(start, 6),
    )
    programme = await save_draft(session, as_mentor, pair.id, draft)
    titles = (
        ("Изучить требования демонстрационного экзамена", "Разбор оценочных материалов"),
        ("Провести пробный экзамен в группе", "Совместно с наставником, с протоколом"),
        ("Разработать контрольно-оценочные средства", None),
    )
    ids = []
    for (title, description), deadline in zip(titles, deadlines, strict=True):
        activity = await add_activity(
            session,
            as_mentor,
            programme.id,
            title=title,
            description=description,
            deadline=deadline,
            responsible="mentee",
        )
        ids.append(activity.id)
    await submit_programme(session, as_mentor, programme.id)
    await respond_to_draft(session, as_mentee, programme.id, agree=True)
    await review_programme(session, curator, programme.id, approve=True)
    return programme.id, ids


async def _finished_and_replaced(
    session: AsyncSession,
    curator: Actor,
    mentors: list[Participant],
    mentees: list[Participant],
    today: date,
) -> None:
    def who(person: Participant) -> Actor:
        return Actor(person.telegram_id, person.id)

    # Completed in full (§10.1.1), both answered the questionnaire.
    start = today - timedelta(days=200)
    mentor, mentee = mentors[3], mentees[4]
    deadlines = [start + timedelta(days=d) for d in (30, 90, 150)]
    programme_id, activities = await _running(session, curator, mentor, mentee, start, deadlines)
    for activity_id in activities:
        await report_activity(
            session, who(mentee), activity_id, comment="Выполнено, отчёт приложен"
        )
        await review_activity(session, who(mentor), activity_id, confirm=True)
    await vote_completion(session, who(mentee), programme_id)
    await vote_completion(session, who(mentor), programme_id)
    ratings = {"goals": 5, "support": 5, "organisation": 4, "growth": 5}
    await submit_survey(session, who(mentee), programme_id, ratings, "Очень полезные встречи")
    ratings = {"goals": 4, "support": 5, "organisation": 3, "growth": 4}
    await submit_survey(session, who(mentor), programme_id, ratings, "Не хватало времени")

    # Ended early by the curator (§10.1.3).
    start = today - timedelta(days=70)
    mentee = mentees[5]
    deadlines = [start + timedelta(days=d) for d in (20, 100, 150)]
    programme_id, _ = await _running(session, curator, mentor, mentee, start, deadlines)
    await end_early(
        session,
        curator,
        programme_id,
        reason=EndReason.BY_CURATOR,
        comment="Длительная болезнь наставляемого",
    )
    ratings = {"goals": 2, "support": 4, "organisation": 3, "growth": 2}
    await submit_survey(session, who(mentee), programme_id, ratings, None)

    # A mentor replaced at the mentee's request (§8.1.5).
    start = today - timedelta(days=40)
    mentee = mentees[6]
    deadlines = [start + timedelta(days=d) for d in (50, 90, 150)]
    programme_id, _ = await _running(session, curator, mentors[1], mentee, start, deadlines)
    programme = await session.get(Programme, programme_id)
    assert programme is not None  # created just above
    pair_id = programme.pair_id
    request = await create_request(
        session,
        who(mentee),
        pair_id,
        "replacement",
        reason="Нужен наставник по бухгалтерскому учёту",
    )
    await decide_request(session, curator, request.id, approve=True, comment="Согласовано")
    await propose_replacement(session, curator, pair_id, mentors[0].id)
    await answer_pair(session, who(mentors[0]), pair_id, accept=True)

    # Everyone agreed; the director's order is still to come.
    pair = await propose_pair(
        session,
        curator,
        mentee_id=mentees[3].id,
        mentor_id=mentors[0].id,
        forms=["traditional"],
        pair_type="teacher_teacher",
    )
    await answer_pair(session, who(mentors[0]), pair.id, accept=True)
    await answer_pair(session, who(mentees[3]), pair.id, accept=True)
