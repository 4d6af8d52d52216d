"""What goes into each official document: orders, the programme, consents, memos.

Each function reads the database and returns a ``Doc``: the template, the Russian file name and
a ``fill`` that builds the template's context (tables are built in code with python-docx as
sub-documents, so a clerk can restyle the rest in Word). The documents are official papers of
a Russian college and are always in Russian; ``tr`` gives the Russian label of a code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from docxtpl import DocxTemplate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from documents.layout import (
    LANDSCAPE_WIDTH_MM,
    heading,
    ru_date,
    ru_day,
    ru_number,
    short_name,
    table,
)
from documents.render import Fill
from models.enums import (
    ActivityStatus,
    EndReason,
    MentoringForm,
    PairStatus,
    ProgrammeStatus,
    RequestKind,
    RequestStatus,
    Responsible,
    label_id,
)
from models.names import Case, decline, decline_position
from models.pairs import MentorReplacement, Pair
from models.participant import Participant
from models.programmes import Programme
from models.requests import Request
from models.statistics import pair_of_year
from models.surveys import SurveyAnswer

Translate = Callable[[str], str]
ERASED = "(персональные данные удалены)"
BLANK_DATE = "«___» ____________ 20__ г."


@dataclass(frozen=True)
class College:
    full: str
    short: str
    city: str
    director: str
    curator_position: str
    curator_name: str | None
    zone: ZoneInfo

    def context(self) -> dict[str, Any]:
        return {
            "college_full": self.full,
            "college_short": self.short or self.full,
            "city": self.city,
            # without DIRECTOR_NAME a line to write the name by hand, not nothing
            "director_short": short_name(self.director or None),
            "director_short_dat": short_name(
                decline(self.director, Case.DATIVE) if self.director else None
            ),
            "curator_position": self.curator_position,
            "curator_position_acc": decline_position(self.curator_position, Case.ACCUSATIVE),
            "curator_name": self.curator_name or "____________________",
            "curator_short": short_name(self.curator_name),
            "curator_short_acc": short_name(
                decline(self.curator_name, Case.ACCUSATIVE) if self.curator_name else None
            ),
            "order_date": BLANK_DATE,
            "order_number": "________",
        }

    def local_day(self, moment: datetime | None) -> date | None:
        return moment.astimezone(self.zone).date() if moment else None


@dataclass
class Doc:
    """A document to produce: from a template (``fill``) or built in code (``data``)."""

    name: str  # the template's name, or the kind of a document built in code
    filename: str
    fill: Fill | None = None
    data: bytes | None = None


def label(tr: Translate, member: Any) -> str:
    text = label_id(member)
    return tr(text) if text else str(member)


def mentees_header(count: int) -> str:
    """The column of a pair's `count` mentees: «Наставляемый» over one person, «Наставляемые»
    over a group."""
    return "Наставляемый" if count == 1 else "Наставляемые"


def filename(title: str, today: date) -> str:
    return f"{title}_{today.isoformat()}.docx"


class People:
    """Names and positions of participants, loaded once per document."""

    def __init__(self, people: Sequence[Participant]) -> None:
        self.by_id = {p.id: p for p in people}

    @classmethod
    async def load(cls, session: AsyncSession) -> People:
        return cls(list(await session.scalars(select(Participant))))

    def name(self, pid: int | None) -> str:
        person = self.by_id.get(pid) if pid is not None else None
        return person.full_name if person and person.full_name else ERASED

    def with_position(self, pid: int | None) -> str:
        person = self.by_id.get(pid) if pid is not None else None
        if person is None or not person.full_name:
            return ERASED
        details = ", ".join(x for x in (person.position, person.department) if x)
        return f"{person.full_name}\n{details}" if details else person.full_name

    def names(self, ids: Sequence[int]) -> str:
        return "\n".join(self.name(i) for i in ids) or "—"


def _forms(tr: Translate, codes: Sequence[str]) -> str:
    return ", ".join(label(tr, MentoringForm(c)).lower() for c in codes) or "—"


def _acquainted(people: People, ids: Sequence[int | None], college: College) -> list[str]:
    seen: list[str] = []
    for pid in ids:
        name = people.name(pid)
        if name != ERASED and name not in seen:
            seen.append(name)
    if college.curator_name and college.curator_name not in seen:
        seen.append(college.curator_name)
    return seen


def _period(programme: Programme | None) -> str:
    if programme is None:
        return "—"
    return f"{ru_day(programme.start_date)} – {ru_day(programme.end_date)}"


async def _programmes_by_pair(session: AsyncSession, pair_ids: list[int]) -> dict[int, Programme]:
    result = await session.scalars(select(Programme).where(Programme.pair_id.in_(pair_ids)))
    return {p.pair_id: p for p in result}


async def pairs_waiting(session: AsyncSession, *, everyone: bool) -> list[Pair]:
    """Pairs everyone accepted that wait for the order; with `everyone`, the active ones too."""
    statuses = [PairStatus.ACCEPTED] + ([PairStatus.ACTIVE] if everyone else [])
    result = await session.scalars(select(Pair).where(Pair.status.in_(statuses)).order_by(Pair.id))
    return list(result)


async def order_pairs(
    session: AsyncSession, college: College, tr: Translate, today: date, *, everyone: bool
) -> Doc | None:
    pairs = await pairs_waiting(session, everyone=everyone)
    if not pairs:
        return None
    people = await People.load(session)
    programmes = await _programmes_by_pair(session, [p.id for p in pairs])
    # The pair's number, as its consent and the later orders about it name it («пара № 7»).
    headers = ["№ пары", "Наставник", "Наставляемые", "Форма наставничества", "Тип пары", "Срок"]
    rows = [
        (
            pair.id,
            people.with_position(pair.mentor_id),
            "\n".join(people.with_position(i) for i in pair.mentee_ids),
            _forms(tr, pair.forms),
            label(tr, pair.pair_type),
            _period(programmes.get(pair.id)),
        )
        for pair in pairs
    ]
    everyone_named = [pid for pair in pairs for pid in (pair.mentor_id, *pair.mentee_ids)]

    def fill(template: DocxTemplate) -> dict[str, Any]:
        sub = template.new_subdoc()
        table(sub, headers, rows)
        return {
            **college.context(),
            "table": sub,
            "control_item": 3,
            "acquainted": _acquainted(people, everyone_named, college),
        }

    return Doc("order_pairs", filename("Приказ_о_закреплении_пар", today), fill)


async def replacements(session: AsyncSession, limit: int = 20) -> list[MentorReplacement]:
    result = await session.scalars(
        select(MentorReplacement).order_by(MentorReplacement.id.desc()).limit(limit)
    )
    return list(result)


async def _basis_request(
    session: AsyncSession, pair_id: int, kinds: Sequence[RequestKind], before: datetime | None
) -> Request | None:
    query = (
        select(Request)
        .where(
            Request.pair_id == pair_id,
            Request.kind.in_(kinds),
            Request.status == RequestStatus.APPROVED,
        )
        .order_by(Request.id.desc())
    )
    for request in await session.scalars(query):
        if before is None or request.decided_at is None or request.decided_at <= before:
            return request
    return None


def _case(name: str, case: Case) -> str:
    return name if name == ERASED else decline(name, case)


def _basis(people: People, request: Request | None, college: College) -> str:
    if request is None:
        return "решения куратора реализации программ наставничества"
    written = ru_date(college.local_day(request.created_at))
    return f"обращения {_case(people.name(request.author_id), Case.GENITIVE)} от {written}"


async def order_replacement(
    session: AsyncSession, college: College, tr: Translate, today: date, replacement_id: int
) -> Doc | None:
    replacement = await session.get(MentorReplacement, replacement_id)
    if replacement is None:
        return None
    pair = await session.get(Pair, replacement.pair_id)
    if pair is None:
        return None
    people = await People.load(session)
    request = await _basis_request(
        session,
        pair.id,
        (RequestKind.REPLACEMENT, RequestKind.RELEASE),
        replacement.replaced_at,
    )
    programme = (await _programmes_by_pair(session, [pair.id])).get(pair.id)
    done = f"{programme.progress[0]} из {programme.progress[1]}" if programme else "—"
    headers = [
        mentees_header(len(pair.mentee_ids)),
        "Прежний наставник",
        "Новый наставник",
        "Срок программы",
    ]
    rows = [
        (
            "\n".join(people.with_position(i) for i in pair.mentee_ids),
            people.with_position(replacement.old_mentor_id),
            people.with_position(replacement.new_mentor_id),
            f"{_period(programme)}\nвыполнено мероприятий: {done}",
        )
    ]

    def fill(template: DocxTemplate) -> dict[str, Any]:
        sub = template.new_subdoc()
        table(sub, headers, rows)
        return {
            **college.context(),
            "table": sub,
            "basis": _basis(people, request, college),
            "pair_number": pair.id,
            "old_mentor_acc": _case(people.name(replacement.old_mentor_id), Case.ACCUSATIVE),
            "new_mentor_acc": _case(people.name(replacement.new_mentor_id), Case.ACCUSATIVE),
            "replaced_on": ru_date(college.local_day(replacement.replaced_at)),
            "control_item": 4,
            # the order the curator entered for this change, when she has (like a pair's)
            **(
                {
                    "order_date": ru_date(replacement.order_date),
                    "order_number": replacement.order_number.lstrip("№# "),
                }
                if replacement.order_date and replacement.order_number
                else {}
            ),
            "acquainted": _acquainted(
                people,
                [replacement.old_mentor_id, replacement.new_mentor_id, *pair.mentee_ids],
                college,
            ),
        }

    return Doc("order_replacement", filename("Приказ_о_замене_наставника", today), fill)


async def order_early_end(
    session: AsyncSession, college: College, tr: Translate, today: date, programme_id: int
) -> Doc | None:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.status != ProgrammeStatus.ENDED_EARLY:
        return None
    pair = programme.pair
    people = await People.load(session)
    request = None
    if programme.end_reason == EndReason.BY_PARTICIPANT:
        request = await _basis_request(
            session, pair.id, (RequestKind.EARLY_END,), programme.ended_at
        )
    reason = label(tr, programme.end_reason) if programme.end_reason else "—"
    if programme.end_comment:
        reason = f"{reason}: {programme.end_comment}"
    done, total = programme.progress
    mentee_ids = [m.mentee_id for m in pair.members if m.declined_at is None]
    headers = ["Наставник", mentees_header(len(mentee_ids)), "Срок программы"]
    headers += ["Выполнено", "Причина"]
    rows = [
        (
            people.with_position(pair.mentor_id),
            "\n".join(people.with_position(i) for i in mentee_ids),
            _period(programme),
            f"{done} из {total}",
            reason,
        )
    ]
    clause = "пп. 3 п. 10.1" if programme.end_reason == EndReason.BY_CURATOR else "пп. 2 п. 10.1"

    def fill(template: DocxTemplate) -> dict[str, Any]:
        sub = template.new_subdoc()
        table(sub, headers, rows)
        return {
            **college.context(),
            "table": sub,
            "clause": clause,
            "basis": _basis(people, request, college),
            "pair_number": pair.id,
            "ended_on": ru_date(college.local_day(programme.ended_at)),
            "mentor_acc": _case(people.name(pair.mentor_id), Case.ACCUSATIVE),
            "control_item": 3,
            "acquainted": _acquainted(people, [pair.mentor_id, *mentee_ids], college),
        }

    return Doc("order_early_end", filename("Приказ_о_досрочном_завершении", today), fill)


async def completed_in(
    session: AsyncSession, start: date, end: date, zone: ZoneInfo
) -> list[Programme]:
    result = await session.scalars(
        select(Programme)
        .where(Programme.status == ProgrammeStatus.COMPLETED)
        .order_by(Programme.id)
    )
    return [
        p
        for p in result
        if p.ended_at is not None and start <= p.ended_at.astimezone(zone).date() <= end
    ]


async def order_completion(
    session: AsyncSession, college: College, tr: Translate, today: date, start: date, end: date
) -> Doc | None:
    programmes = await completed_in(session, start, end, college.zone)
    if not programmes:
        return None
    people = await People.load(session)
    answers = list(
        await session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.programme_id.in_([p.id for p in programmes]))
        )
    )
    rows = []
    mentors: list[str] = []
    named: list[int | None] = []
    most = 0  # mentees in the largest row: «Наставляемый» over one a row, else «Наставляемые»
    for programme in programmes:
        pair = programme.pair
        mentee_ids = [m.mentee_id for m in pair.members if m.declined_at is None]
        ratings = [v for a in answers if a.programme_id == programme.id for v in a.ratings.values()]
        done, total = programme.progress
        rows.append(
            (
                pair.id,
                people.with_position(pair.mentor_id),
                "\n".join(people.with_position(i) for i in mentee_ids),
                _period(programme),
                f"{done} из {total}",
                ru_number(sum(ratings) / len(ratings)) if ratings else "нет анкет",
            )
        )
        if people.name(pair.mentor_id) not in mentors:
            mentors.append(people.name(pair.mentor_id))
        named += [pair.mentor_id, *mentee_ids]
        most = max(most, len(mentee_ids))
    headers = ["№ пары", "Наставник", mentees_header(most), "Срок программы"]
    headers += ["Выполнено", "Оценка"]

    def fill(template: DocxTemplate) -> dict[str, Any]:
        sub = template.new_subdoc()
        table(sub, headers, rows)
        return {
            **college.context(),
            "table": sub,
            "period": f"{start.year}/{end.year} учебного года",
            "mentors_dat": ", ".join(_case(m, Case.DATIVE) for m in mentors),
            "completed": (
                "завершённой персонализированную программу наставничества"
                if len(rows) == 1
                else "завершёнными персонализированные программы наставничества"
            ),
            "thanked": (
                "наставнику" if len(mentors) == 1 else "наставникам:",
                ", ".join(_case(m, Case.DATIVE) for m in mentors),
            ),
            "control_item": 4,
            "acquainted": _acquainted(people, named, college),
        }

    return Doc("order_completion", filename("Приказ_об_итогах_программ", today), fill)


def _mark(activity: Any, college: College, today: date) -> str:
    if activity.status == ActivityStatus.CONFIRMED:
        mark = f"выполнено, подтверждено {ru_day(college.local_day(activity.confirmed_at))}"
    elif activity.status == ActivityStatus.REPORTED:
        mark = f"отчёт от {ru_day(college.local_day(activity.reported_at))}, на проверке"
    elif activity.status == ActivityStatus.RETURNED:
        mark = f"возвращено на доработку: {activity.review_comment or '—'}"
    elif activity.deadline < today:
        mark = "не выполнено, срок прошёл"
    else:
        mark = ""
    if activity.report_comment and activity.status != ActivityStatus.PLANNED:
        mark += f"\nОтчёт: {activity.report_comment}"
    return mark


def _change_value(key: str, value: Any, tr: Translate) -> str:
    if value in (None, ""):
        return "—"
    if key == "deadline":
        return ru_day(date.fromisoformat(value))
    if key == "responsible":
        return label(tr, Responsible(value))
    return str(value)


CHANGE_FIELDS = {
    "title": "название",
    "description": "содержание",
    "deadline": "срок",
    "responsible": "ответственный",
    "expected_result": "ожидаемый результат",
}


def change_text(item: dict[str, Any], tr: Translate) -> str:
    """One agreed change in words, with its before and after («срок: 15.10.2026 → 30.10.2026»)."""
    op = item["op"]
    if op == "add":
        after = item["after"]
        deadline = _change_value("deadline", after["deadline"], tr)
        responsible = _change_value("responsible", after["responsible"], tr)
        return (
            f"Добавлено мероприятие «{after['title']}», срок {deadline}, "
            f"ответственный: {responsible}"
        )
    if op == "remove":
        return f"Исключено мероприятие «{item['before']['title']}»"
    if op == "edit":
        parts = [
            f"{CHANGE_FIELDS[key]}: {_change_value(key, item['before'].get(key), tr)} → "
            f"{_change_value(key, value, tr)}"
            for key, value in item["after"].items()
        ]
        return f"Мероприятие «{item.get('title', '')}»: " + "; ".join(parts)
    if op == "forms":
        return f"Формы наставничества: {_forms(tr, item['before'])} → {_forms(tr, item['after'])}"
    if op == "end_date":
        before, after = date.fromisoformat(item["before"]), date.fromisoformat(item["after"])
        return f"Срок окончания программы: {ru_date(before)} → {ru_date(after)}"
    return ""


def _change_log(changes: Sequence[Any], people: People, tr: Translate) -> list[tuple[Any, ...]]:
    """The «Лист изменений»: every agreed change (§10.2) as version, date, what, agreed by."""
    rows = []
    for proposal in changes:
        if proposal.revision is None:
            continue
        agreed = [v for v in proposal.votes if v["agree"]]
        rows.append(
            (
                proposal.revision,
                ru_day(proposal.decided_at.date()) if proposal.decided_at else "",
                "\n".join(change_text(item, tr) for item in proposal.changes),
                "\n".join(short_name(people.name(v["participant_id"])) for v in agreed),
            )
        )
    return rows


def programme_doc(
    programme: Programme,
    people: People,
    college: College,
    tr: Translate,
    today: date,
    changes: Sequence[Any] | None = None,
) -> Doc:
    pair = programme.pair
    mentee_ids = [m.mentee_id for m in pair.members if m.declined_at is None]
    if pair.order_number and pair.order_date:
        order = (
            f"приказ директора от {ru_date(pair.order_date)} № {pair.order_number} "
            "о закреплении наставнической пары (группы)"
        )
    else:
        order = "приказ о закреплении наставнической пары (группы) ещё не издан"
    info = [
        ("Наставник", people.with_position(pair.mentor_id)),
        ("Наставляемые" if len(mentee_ids) > 1 else "Наставляемый", people.names(mentee_ids)),
        ("Тип пары", label(tr, pair.pair_type)),
        ("Формы наставничества", _forms(tr, programme.forms)),
        ("Цель программы", programme.goal),
        ("Профессиональные затруднения", programme.difficulties),
        ("Сильные стороны", programme.strengths),
        (
            "Срок реализации",
            f"с {ru_date(programme.start_date)} по {ru_date(programme.end_date)}",
        ),
        ("Состояние", label(tr, programme.status)),
    ]
    if programme.revision > 1:
        info.append(("Версия программы", f"{programme.revision} (изменения — в листе изменений)"))
    plan_headers = [
        "№",
        "Мероприятие и его содержание",
        "Срок",
        "Ответственный",
        "Ожидаемый результат",
        "Отметка о выполнении",
    ]
    plan = [
        (
            number,
            f"{a.title}\n{a.description}" if a.description else a.title,
            ru_day(a.deadline),
            label(tr, a.responsible),
            a.expected_result or "",
            _mark(a, college, today),
        )
        for number, a in enumerate(programme.activities, 1)
    ]
    log = _change_log(changes or [], people, tr)
    done, total = programme.progress

    def fill(template: DocxTemplate) -> dict[str, Any]:
        info_sub = template.new_subdoc()
        table(info_sub, ["Раздел", "Содержание"], info, widths=[50, 115], header=False)
        plan_sub = template.new_subdoc()
        table(plan_sub, plan_headers, plan, total_mm=LANDSCAPE_WIDTH_MM)
        log_sub = template.new_subdoc()
        if log:
            heading(log_sub, "Лист изменений")
            table(
                log_sub,
                ["Версия", "Дата", "Что изменено", "Согласовали"],
                log,
                total_mm=LANDSCAPE_WIDTH_MM,
            )
        return {
            **college.context(),
            "order": order,
            "info_table": info_sub,
            "plan_table": plan_sub,
            "plan_summary": f"Выполнено мероприятий: {done} из {total}.",
            "changes_table": log_sub,
            "mentor_short": short_name(people.name(pair.mentor_id)),
            "mentees_short": [short_name(people.name(i)) for i in mentee_ids],
        }

    name = filename(f"Программа_наставничества_пара_{pair.id}", today)
    return Doc("programme", name, fill)


def consent_doc(
    kind: str,
    person: Participant,
    college: College,
    today: date,
    *,
    text: list[str],
    version: str = "",
    given_on: date | None = None,
    pair: Pair | None = None,
    people: People | None = None,
) -> Doc:
    """A consent pre-filled with the person's data, for a handwritten signature."""
    extra: dict[str, Any] = {}
    if kind == "consent_pair" and pair is not None and people is not None:
        extra = {
            "pair_number": pair.id,
            "role": "наставника" if pair.mentor_id == person.id else "наставляемого",
        }
    titles = {
        "consent_personal_data": "Согласие_на_обработку_ПДн",
        "consent_mentor": "Согласие_наставника",
        "consent_pair": f"Согласие_на_участие_в_паре_{pair.id if pair else ''}",
    }

    def fill(template: DocxTemplate) -> dict[str, Any]:
        return {
            **college.context(),
            "name": person.full_name or ERASED,
            "name_gen": _case(person.full_name or ERASED, Case.GENITIVE),
            "short": short_name(person.full_name),
            "position": person.position or "",
            "position_gen": decline_position(person.position or "", Case.GENITIVE),
            "department": person.department or "",
            "text": text,
            "version": version,
            "given_on": ru_date(given_on) if given_on else "(ещё не выражено)",
            **extra,
        }

    surname = (person.full_name or "").split(" ")[0]
    return Doc(kind, filename(f"{titles[kind]}_{surname}", today), fill)


def memo_doc(kind: str, college: College, today: date) -> Doc:
    title = "Памятка_наставнику" if kind == "memo_mentor" else "Памятка_наставляемому"
    return Doc(kind, filename(title, today), lambda template: college.context())


def pair_consent_text(pair: Pair, people: People, tr: Translate) -> list[str]:
    mentee_ids = [m.mentee_id for m in pair.members if m.declined_at is None]
    return [
        f"Наставник: {people.name(pair.mentor_id)}.",
        f"{mentees_header(len(mentee_ids))}: "
        f"{', '.join(people.name(i) for i in mentee_ids) or '—'}.",
        f"Форма наставничества: {_forms(tr, pair.forms)}; тип пары: {label(tr, pair.pair_type)}.",
        "Мне известно, что участие в наставничестве добровольное (п. 4.2, п. 9.2 Положения), "
        "что наставник вправе просить о сложении с него обязанностей (пп. 3 п. 7.1), а "
        "наставляемый — о замене наставника (пп. 5 п. 8.1).",
    ]


async def survey_answers(
    session: AsyncSession, start: date, end: date, zone: ZoneInfo
) -> tuple[list[SurveyAnswer], int]:
    """Answers given in the period, and how many people finished a programme in it."""
    answers = [
        a
        for a in await session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id))
        if start <= a.answered_at.astimezone(zone).date() <= end
    ]
    finished = 0
    for programme in await session.scalars(
        select(Programme).where(Programme.ended_at.is_not(None))
    ):
        assert programme.ended_at is not None
        if start <= programme.ended_at.astimezone(zone).date() <= end:
            members = [m for m in programme.pair.members if m.declined_at is None]
            finished += 1 + len(members)
    return answers, finished


async def coverage(session: AsyncSession, start: date, end: date, zone: ZoneInfo) -> int:
    """Mentees in the pairs and groups of the period (models.statistics.pair_of_year: fixed by
    an order, not closed before it), counted once each."""
    covered: set[int] = set()
    for pair in await session.scalars(select(Pair).where(Pair.status != PairStatus.DECLINED)):
        if pair_of_year(pair, start, end, zone):
            covered |= {m.mentee_id for m in pair.members if m.declined_at is None}
    return len(covered)
