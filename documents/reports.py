"""Documents built in code (python-docx): the questionnaire analysis and the year's report.

Both are in Russian, on the ГОСТ page of ``documents.layout``; conclusions are sentences
computed from the figures, and too few answers are said so instead of drawing conclusions.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx.shared import Mm, Pt

from documents.content import College, Translate, label
from documents.layout import (
    FONT,
    TEXT_PT,
    TEXT_WIDTH_MM,
    gost_document,
    heading,
    paragraph,
    ru_date,
    ru_day,
    ru_number,
    short_name,
    signature_line,
    table,
)
from models.enums import (
    MentoringForm,
    PairType,
    ProgrammeStatus,
    ProposalStatus,
    RequestKind,
    RequestStatus,
)
from models.mentor_rights import KIND_LABELS, ProposalKind
from models.statistics import Statistics, on_time_rate
from models.surveys import SURVEY_QUESTIONS, SurveyAnswer

MIN_ANSWERS = 5  # fewer answers: figures are shown, conclusions are not drawn
STRONG = 4.0
WEAK = 3.5
GAP = 1.0


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _title(document: Any, college: College, title: str, subtitle: str) -> None:
    paragraph(document, college.full, bold=True, align="center")
    heading(document, title, space_before=18)
    paragraph(document, subtitle, align="center")


def findings(answers: Sequence[SurveyAnswer], tr: Translate) -> tuple[list[str], list[str]]:
    """Strong and weak points in words, from the averages, low shares and role gaps."""
    strong, weak = [], []
    for key, question in SURVEY_QUESTIONS.items():
        values = [a.ratings[key] for a in answers if key in a.ratings]
        mean = _mean(values)
        if mean is None:
            continue
        high = sum(v >= 4 for v in values)
        low = sum(v <= 2 for v in values)
        text = f"«{tr(question)}» — средняя оценка {ru_number(mean)}"
        if mean >= STRONG:
            strong.append(f"{text}; оценки 4–5 у {_percent(high, len(values))} ответивших.")
        elif mean < WEAK or low * 4 >= len(values):
            weak.append(f"{text}; оценки 1–2 у {_percent(low, len(values))} ответивших.")
        by_role = {
            role: _mean([a.ratings[key] for a in answers if a.role == role and key in a.ratings])
            for role in ("mentor", "mentee")
        }
        mentors, mentees = by_role["mentor"], by_role["mentee"]
        if mentors is not None and mentees is not None and abs(mentors - mentees) >= GAP:
            weak.append(
                f"Наставники и наставляемые оценивают «{tr(question)}» по-разному: "
                f"{ru_number(by_role['mentor'])} против {ru_number(by_role['mentee'])} — "
                "стоит обсудить это на методическом совете наставников."
            )
    return strong, weak


def analysis_docx(
    answers: Sequence[SurveyAnswer],
    finished_people: int,
    college: College,
    tr: Translate,
    today: date,
    start: date,
    end: date,
) -> bytes:
    document = gost_document()
    _title(
        document,
        college,
        "Анализ результатов анкетирования участников программ наставничества",
        f"за период с {ru_date(start)} по {ru_date(end)}; составлен {ru_date(today)}",
    )
    roles = Counter(a.role for a in answers)
    heading(document, "1. Кто ответил")
    paragraph(
        document,
        f"Получено ответов: {len(answers)} (наставников — {roles['mentor']}, наставляемых — "
        f"{roles['mentee']}). Участников завершённых программ за период: {finished_people}; "
        f"доля ответивших: {_percent(len(answers), finished_people)}.",
        indent=True,
    )
    enough = len(answers) >= MIN_ANSWERS
    if not enough:
        heading(document, "Недостаточно ответов")
        paragraph(
            document,
            f"Для выводов нужно не менее {MIN_ANSWERS} ответов, получено {len(answers)}. "
            "Сильные и слабые стороны не определяются: при таком числе ответов одна оценка "
            "меняет средний балл на целый пункт. Приведённые ниже цифры — справочные. "
            "Напомните участникам завершённых программ заполнить анкету в чат-боте.",
            indent=True,
        )
    if answers:
        heading(document, "2. Распределение оценок по вопросам")
        paragraph(document, "Число ответов с оценкой от 1 до 5 и средняя оценка.", indent=True)
        rows = []
        for key, question in SURVEY_QUESTIONS.items():
            values = [a.ratings[key] for a in answers if key in a.ratings]
            counts = Counter(values)
            rows.append([tr(question), *[counts[v] for v in range(1, 6)], ru_number(_mean(values))])
        table(document, ["Вопрос", "1", "2", "3", "4", "5", "Средняя"], rows)
        heading(document, "3. Наставники и наставляемые")
        rows = []
        for key, question in SURVEY_QUESTIONS.items():
            means = [
                _mean([a.ratings[key] for a in answers if a.role == role and key in a.ratings])
                for role in ("mentor", "mentee")
            ]
            first, second = means
            gap = (
                ru_number(abs(first - second)) if first is not None and second is not None else "—"
            )
            rows.append([tr(question), ru_number(means[0]), ru_number(means[1]), gap])
        table(document, ["Вопрос", "Наставники", "Наставляемые", "Разница"], rows)
    if enough:
        strong, weak = findings(answers, tr)
        heading(document, "4. Сильные стороны")
        for line in strong or [
            f"Ни один вопрос не получил среднюю оценку {ru_number(STRONG)} и выше."
        ]:
            paragraph(document, f"— {line}", indent=True)
        heading(document, "5. Слабые места и что сделать")
        for line in weak or [
            f"Явных слабых мест нет: средние оценки не ниже {ru_number(WEAK)}, "
            "доля оценок 1–2 меньше четверти, наставники и наставляемые оценивают одинаково."
        ]:
            paragraph(document, f"— {line}", indent=True)
    heading(document, "Комментарии участников")
    comments = [a for a in answers if a.comment]
    for answer in comments:
        who = "наставник" if answer.role == "mentor" else "наставляемый"
        paragraph(document, f"— {answer.comment} ({who})", indent=True)
    if not comments:
        paragraph(document, "Комментариев нет.", indent=True)
    signature_line(document, "Куратор", short_name(college.curator_name))
    return _save(document)


def _change(before: float | int | None, after: float | int | None, unit: str = "") -> str:
    if before is None or after is None:
        return "—"
    delta = after - before
    if not delta:
        return "без изменений"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{ru_number(abs(delta))}{unit}"


def _compare_rows(pairs: Sequence[tuple[str, Any, Any]], unit: str = "") -> list[list[str]]:
    return [
        [
            name,
            ru_number(before) if before is not None else "—",
            ru_number(after) if after is not None else "—",
            _change(before, after, unit),
        ]
        for name, before, after in pairs
    ]


def _trend(name: str, before: float | None, after: float | None, unit: str = "") -> str | None:
    if before is None or after is None or before == after:
        return None
    verb = "выросло" if after > before else "снизилось"
    return f"{name} {verb} с {ru_number(before)}{unit} до {ru_number(after)}{unit}."


@dataclass(frozen=True)
class Practice:
    """A best practice as the report lists it: the programme, its mentor, the approved text."""

    programme_id: int
    title: str
    mentor: str
    goal: str
    done: str
    results: str
    lessons: str
    approved_on: date | None


PRACTICE_PARTS = (
    ("Цель", "goal"),
    ("Что сделано", "done"),
    ("Результаты", "results"),
    ("Выводы и уроки", "lessons"),
)


def _practices(document: Any, number: int, practices: Sequence[Practice]) -> None:
    """The best practices the curator approved this year (§6.4.6; stage 6 of the roadmap)."""
    heading(document, f"{number}. Лучшие практики наставничества")
    if not practices:
        paragraph(
            document,
            "Описаний лучших практик, утверждённых куратором, в этом учебном году нет.",
            indent=True,
        )
        return
    paragraph(
        document,
        f"Описаний лучших практик, утверждённых куратором: {len(practices)}. Описания "
        "составлены наставниками или куратором с участием методического совета (п. 6.4.6 "
        "Положения) и пополняют сборник практик.",
        indent=True,
    )
    for index, practice in enumerate(practices, 1):
        approved = f", утверждено {ru_day(practice.approved_on)}" if practice.approved_on else ""
        paragraph(
            document,
            f"{number}.{index}. Программа № {practice.programme_id} «{practice.title}» "
            f"(наставник — {practice.mentor}{approved})",
            bold=True,
            align="left",
            space_before=8,
        )
        for label_text, key in PRACTICE_PARTS:
            para = paragraph(document, indent=True)
            run = para.add_run(f"{label_text}: ")
            run.bold = True
            para.add_run(getattr(practice, key))
            for part in para.runs:
                part.font.name = FONT
                part.font.size = Pt(TEXT_PT)


def _mentors_rights(document: Any, before: Statistics, now: Statistics, tr: Translate) -> None:
    """Section 9: the mentors' proposals by kind and answer (§7.2.6, §7.2.7) and the teachers
    they brought in to help (§7.1.1), both counted by the date of the proposal or invitation."""
    previous = f"{before.start.year}/{before.end.year}"
    current = f"{now.start.year}/{now.end.year}"
    heading(document, "9. Права наставника: предложения и привлечённые педагоги")
    rows = []
    for kind in ProposalKind:
        counts = [stats.proposals[kind.value] for stats in (before, now)]
        if not any(counts):
            continue
        outcome = {s: now.proposal_outcomes[(kind.value, s.value)] for s in ProposalStatus}
        rows.append(
            [
                tr(KIND_LABELS[kind.value]).capitalize(),
                str(counts[0]),
                str(counts[1]),
                f"принято: {outcome[ProposalStatus.ACCEPTED]}, отклонено: "
                f"{outcome[ProposalStatus.DECLINED]}, ждут ответа: {outcome[ProposalStatus.OPEN]}",
            ]
        )
    if rows:
        paragraph(
            document,
            "Предложения наставников куратору и директору о поощрении наставляемых, мерах "
            "воздействия и рекомендации к участию в конкурсах (пп. 7.2.6, 7.2.7) и ответы на "
            f"них в {current} учебном году:",
            indent=True,
        )
        table(document, ["Предложение", previous, current, f"Ответы, {current}"], rows)
    else:
        paragraph(document, "Предложений наставников (пп. 7.2.6, 7.2.7) не было.", indent=True)
    helpers = [
        ("Приглашено педагогов", "invited"),
        ("Дали согласие", "accepted"),
        ("Отказались", "declined"),
        ("Педагогов помогали парам", "people"),
        ("Пар с привлечённым педагогом", "pairs"),
    ]
    if not any(stats.co_mentors[key] for stats in (before, now) for _n, key in helpers):
        paragraph(
            document,
            "Наставники не привлекали других педагогических работников (п. 7.1.1).",
            indent=True,
        )
        return
    paragraph(
        document,
        "Другие педагогические работники, привлечённые наставниками с их согласия (п. 7.1.1):",
        indent=True,
    )
    table(
        document,
        ["Показатель", previous, current, "Изменение"],
        _compare_rows(
            [(name, before.co_mentors[key], now.co_mentors[key]) for name, key in helpers]
        ),
    )


def year_report_docx(
    now: Statistics,
    before: Statistics,
    coverage: tuple[int, int],
    chart: bytes | None,
    college: College,
    tr: Translate,
    today: date,
    practices: Sequence[Practice] = (),
) -> bytes:
    document = gost_document()
    _title(
        document,
        college,
        "Итоговый аналитический отчёт о реализации системы наставничества",
        f"за {now.start.year}/{now.end.year} учебный год ({ru_day(now.start)} – "
        f"{ru_day(now.end)}); составлен {ru_date(today)}",
    )
    previous = f"{before.start.year}/{before.end.year}"
    current = f"{now.start.year}/{now.end.year}"
    columns = ["Показатель", previous, current, "Изменение"]
    covered, bank = coverage
    heading(document, "1. Участники и охват")
    paragraph(
        document,
        f"В банке наставляемых {now.people['mentees']} чел., в банке наставников "
        f"{now.mentors['accepted']} чел. (кандидатов — {now.mentors['candidate']}). "
        f"Охват наставничеством: {covered} из {bank} наставляемых ({_percent(covered, bank)}) "
        f"были в парах и группах этого учебного года, закреплённых приказом. Отозвали согласие: "
        f"{now.people['withdrawn']}; недоступны в Telegram: {now.people['unreachable']}.",
        indent=True,
    )
    if any(name for name in now.departments):
        paragraph(document, "По предметно-цикловым комиссиям (на дату отчёта):", indent=True)
        table(
            document,
            [
                "Предметно-цикловая комиссия",
                "Наставников",
                "Наставляемых",
                "Участников в парах и группах",
            ],
            [
                [
                    name or "не указана",
                    str(counts["mentors"]),
                    str(counts["mentees"]),
                    str(counts["in_pair"]),
                ]
                for name, counts in sorted(
                    now.departments.items(), key=lambda item: (item[0] == "", item[0].lower())
                )
                if any(counts.values())  # a department with nobody in mentoring: no row
            ],
        )
    heading(document, "2. Пары и группы по формам и типам")
    rows = _compare_rows(
        [
            ("Наставнических пар", before.pairs, now.pairs),
            ("Наставнических групп", before.groups, now.groups),
        ]
        + [
            (f"Форма: {label(tr, form).lower()}", before.forms[form.value], now.forms[form.value])
            for form in MentoringForm
            if before.forms[form.value] or now.forms[form.value]
        ]
        + [
            (f"Тип: {label(tr, kind)}", before.pair_types[kind.value], now.pair_types[kind.value])
            for kind in PairType
            if before.pair_types[kind.value] or now.pair_types[kind.value]
        ]
    )
    table(document, columns, rows)
    heading(document, "3. Программы по итогам")
    table(
        document,
        columns,
        _compare_rows(
            [
                (label(tr, status), before.programmes[status.value], now.programmes[status.value])
                for status in ProgrammeStatus
            ]
        ),
    )
    heading(document, "4. Мероприятия: в срок и с опозданием")
    kinds = [
        ("выполнено в срок", "on_time"),
        ("выполнено с опозданием", "late"),
        ("просрочено", "overdue"),
        ("ещё не наступил срок", "open"),
    ]
    rows = _compare_rows([(n, before.activities[k], now.activities[k]) for n, k in kinds])
    rates = (on_time_rate(before.activities), on_time_rate(now.activities))
    rows += _compare_rows([("доля выполненных в срок, %", *rates)], " п.п.")
    table(document, columns, rows)
    if chart:
        paragraph(document, align="center", space_before=6).add_run().add_picture(
            io.BytesIO(chart), width=Mm(TEXT_WIDTH_MM - 5)
        )
        paragraph(
            document, "Рисунок 1 — Мероприятия и доля выполненных в срок по месяцам", align="center"
        )
    heading(document, "5. Результаты анкетирования")
    paragraph(
        document,
        f"Ответов на анкету мониторинга: {before.answers} в {previous} и {now.answers} в "
        f"{current} учебном году."
        + (" Ответов мало для выводов (меньше 5)." if now.answers < MIN_ANSWERS else ""),
        indent=True,
    )
    table(
        document,
        ["Вопрос", previous, current, "Изменение"],
        _compare_rows(
            [
                (tr(q), before.ratings.get(k), now.ratings.get(k))
                for k, q in SURVEY_QUESTIONS.items()
            ]
        ),
    )
    heading(document, "6. Обращения к куратору")
    requests_rows = []
    for kind in RequestKind:
        counts = [
            sum(n for (k, _s), n in stats.requests.items() if k == kind.value)
            for stats in (before, now)
        ]
        approved = now.requests[(kind.value, RequestStatus.APPROVED.value)]
        if any(counts):
            requests_rows.append(
                [label(tr, kind), str(counts[0]), str(counts[1]), f"одобрено: {approved}"]
            )
    if requests_rows:
        table(document, ["Обращение", previous, current, "Решение"], requests_rows)
    else:
        paragraph(document, "Обращений не было.", indent=True)
    heading(document, "7. Сравнение с предыдущим учебным годом")
    trends = [
        _trend("Число пар и групп", before.pairs + before.groups, now.pairs + now.groups),
        _trend(
            "Число завершённых программ",
            before.programmes[ProgrammeStatus.COMPLETED.value],
            now.programmes[ProgrammeStatus.COMPLETED.value],
        ),
        _trend("Доля мероприятий, выполненных в срок,", rates[0], rates[1], " %"),
        _trend("Число ответов на анкету", before.answers, now.answers),
    ]
    for line in [t for t in trends if t] or [
        "Существенных изменений по сравнению с предыдущим учебным годом нет."
    ]:
        paragraph(document, f"— {line}", indent=True)
    if before.pairs + before.groups == 0:
        paragraph(
            document,
            f"В {previous} учебном году наставнических пар в системе не было: сравнение "
            "начнётся со следующего года.",
            indent=True,
        )
    _practices(document, 8, practices)
    _mentors_rights(document, before, now, tr)
    signature_line(document, "Куратор", short_name(college.curator_name))
    return _save(document)
