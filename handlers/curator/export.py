"""/export: the whole paper trail as an XLSX workbook (openpyxl), in the curator's language.

Dates are real date cells, headers are frozen, columns are sized; a withdrawn person's name
cannot appear because it no longer exists in the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from documents.sheets import finish_sheet
from handlers.curator.participants import PERSON_STATUS_LABELS
from models import formatting
from models.access import Actor
from models.audit import record_view
from models.banks import bank
from models.consent import Consent
from models.enums import MentoringForm
from models.fields import printable
from models.journal import Meeting
from models.pairs import OPEN_PAIR, MentorReplacement, Pair
from models.papers import SignedPaper
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile
from models.programmes import Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from models.surveys import SURVEY_QUESTIONS, SurveyAnswer
from rendering.texts import format_value
from rendering.ui import label

if TYPE_CHECKING:
    from openpyxl import Workbook

router = Router(name=__name__)
Row = Sequence[Any]


# A typed text starting so is a formula to Excel and LibreOffice (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet: Any, value: Any) -> Any:
    """A cell holding the value; a text that looks like a formula is stored as plain text."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        value = printable(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # a string cell, never <f>
        cell.quotePrefix = True  # shown and edited as text («'=…»)
    if isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    return cell


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Row]) -> None:
    """Bold frozen header with an autofilter, wrapped text, columns sized to their contents,
    printed landscape as wide as the page (documents.sheets)."""
    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    widths = [min(len(h), 30) for h in headers]
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        for index, value in enumerate(row):
            shown = formatting.day(value) if isinstance(value, date) else str(value or "")
            widths[index] = max(widths[index], min(len(shown), 50))
    finish_sheet(sheet, [width + 2 for width in widths])


def paper_day(
    papers: dict[tuple[int, str, int], Any], pid: int, kind: str, pair_id: int, day: Any
) -> date | None:
    paper = papers.get((pid, kind, pair_id))
    return day(paper.received_at) if paper else None


def profile_cells(person: Participant) -> tuple[object, ...]:
    """No., full name, position, department, subjects, experience: both banks start so."""
    return (
        person.id,
        person.full_name or "—",
        person.position,
        person.department,
        person.subjects,
        person.experience_years,
    )


def _forms(codes: list[str]) -> str:
    return ", ".join(label(MentoringForm(code)) for code in codes)


async def build_workbook(session: AsyncSession, zone: ZoneInfo) -> bytes:
    def day(moment: datetime | date | None) -> date | None:
        if moment is None:
            return None
        return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment

    people = {p.id: p for p in await session.scalars(select(Participant))}

    def name(pid: int | None) -> str:
        person = people.get(pid) if pid is not None else None
        return person.full_name if person is not None and person.full_name else "—"

    pairs = list(await session.scalars(select(Pair).order_by(Pair.id)))
    pair_of = {p.id: p for p in pairs}

    def mentor_of(pair_id: int | None) -> str:
        pair = pair_of.get(pair_id) if pair_id is not None else None
        return name(pair.mentor_id) if pair else "—"

    def mentees_of(pair_id: int | None) -> str:
        pair = pair_of.get(pair_id) if pair_id is not None else None
        return ", ".join(name(i) for i in pair.mentee_ids) if pair else "—"

    current_mentor: dict[int, str] = {}
    for pair in pairs:
        if pair.status in OPEN_PAIR:
            for mentee_id in pair.mentee_ids:
                current_mentor[mentee_id] = name(pair.mentor_id)
    statuses = {entry.person.id: entry.status for entry in await bank(session, role="mentees")}
    papers = {
        (p.participant_id, p.kind.value, p.pair_id): p
        for p in await session.scalars(select(SignedPaper))
    }

    from openpyxl import Workbook  # imported when used: ~22 MB a process need not keep

    book = Workbook()
    book.remove(book.active)
    mentors = await session.scalars(select(MentorProfile).order_by(MentorProfile.participant_id))
    _sheet(
        book,
        _("Bank of mentors"),
        [
            _("No."),
            _("Full name"),
            _("Position"),
            _("Department"),
            _("Subjects"),
            _("Teaching experience, years"),
            _("Qualification category"),
            _("Competences"),
            _("Mentoring subjects"),
            _("Forms of mentoring offered"),
            _("Mentees at once"),
            _("Status"),
            _("Decided on"),
        ],
        [
            (
                *profile_cells(people[m.participant_id]),
                format_value("qualification", people[m.participant_id].qualification),
                m.competences,
                m.mentor_subjects,
                _forms(m.mentor_forms),
                m.capacity,
                label(m.status),
                day(m.decided_at),
            )
            for m in mentors
        ],
    )
    mentees = await session.scalars(select(MenteeProfile).order_by(MenteeProfile.participant_id))
    _sheet(
        book,
        _("Bank of mentees"),
        [
            _("No."),
            _("Full name"),
            _("Position"),
            _("Department"),
            _("Subjects"),
            _("Teaching experience, years"),
            _("Difficulties"),
            _("Other difficulties"),
            _("What I want to learn"),
            _("Preferred forms of mentoring"),
            _("Qualification category"),
            _("Status"),
            _("Mentor"),
            _("Registered on"),
            _("On the list to be mentored in (§6.4.2)"),
        ],
        [
            (
                *profile_cells(people[m.participant_id]),
                format_value("difficulties", m.difficulties),
                m.difficulties_other,
                m.learning_goals,
                _forms(m.mentee_forms),
                format_value("qualification", people[m.participant_id].qualification),
                _(PERSON_STATUS_LABELS[statuses.get(m.participant_id, "registered")]),
                current_mentor.get(m.participant_id, "—"),
                day(people[m.participant_id].registered_at),
                people[m.participant_id].include_year,
            )
            for m in mentees
        ],
    )
    consents = await session.scalars(select(Consent).order_by(Consent.id))
    _sheet(
        book,
        _("Bank of consents"),
        [
            _("No."),
            _("Participant"),
            _("Kind"),
            _("Version"),
            _("Language"),
            _("Given on"),
            _("Withdrawn on"),
            _("Signed paper received on"),
        ],
        [
            (
                c.id,
                name(c.participant_id),
                label(c.kind),
                c.version,
                c.locale,
                day(c.given_at),
                day(c.withdrawn_at),
                paper_day(papers, c.participant_id, c.kind.value, 0, day),
            )
            for c in consents
        ],
    )
    _sheet(
        book,
        _("Pairs and orders"),
        [
            _("No."),
            _("Mentor"),
            _("Mentees"),
            _("Forms"),
            _("Pair type"),
            _("Status"),
            _("Order number"),
            _("Order date"),
            _("Approved on"),
            _("Signed paper consents to the pair"),
        ],
        [
            (
                p.id,
                name(p.mentor_id),
                ", ".join(name(i) for i in p.mentee_ids),
                _forms(p.forms),
                label(p.pair_type),
                label(p.status),
                p.order_number,
                p.order_date,
                day(p.approved_at),
                ", ".join(
                    name(pid)
                    for pid in (p.mentor_id, *p.mentee_ids)
                    if (pid, "pair", p.id) in papers
                )
                or "—",
            )
            for p in pairs
        ],
    )
    programmes = list(await session.scalars(select(Programme).order_by(Programme.id)))
    _sheet(
        book,
        _("Programmes"),
        [
            _("No."),
            _("Pair"),
            _("Mentor"),
            _("Mentees"),
            _("Goal"),
            _("Start"),
            _("End"),
            _("Status"),
            _("Done"),
            _("Activities"),
            _("End reason"),
            _("Mentee's comments on the draft"),
            _("Curator's return comment"),
            _("End comment"),
        ],
        [
            (
                p.id,
                p.pair_id,
                mentor_of(p.pair_id),
                mentees_of(p.pair_id),
                p.goal,
                p.start_date,
                p.end_date,
                label(p.status),
                p.progress[0],
                p.progress[1],
                label(p.end_reason) if p.end_reason else None,
                p.mentee_comment,
                p.curator_comment,
                p.end_comment,
            )
            for p in programmes
        ],
    )
    activities = await session.scalars(
        select(Activity).order_by(Activity.programme_id, Activity.deadline)
    )
    _sheet(
        book,
        _("Activities"),
        [
            _("No."),
            _("Programme"),
            _("Mentor"),
            _("Mentees"),
            _("Activity"),
            _("Description"),
            _("Expected result"),
            _("Responsible"),
            _("Deadline"),
            _("Status"),
            _("Reported on"),
            _("Report comment"),
            _("Mentor's return comment"),
            _("Confirmed on"),
        ],
        [
            (
                a.id,
                a.programme_id,
                mentor_of(a.programme.pair_id),
                mentees_of(a.programme.pair_id),
                a.title,
                a.description,
                a.expected_result,
                label(a.responsible),
                a.deadline,
                label(a.status),
                day(a.reported_at),
                a.report_comment,
                a.review_comment,
                day(a.confirmed_at),
            )
            for a in activities
        ],
    )
    parts = await session.scalars(
        select(ActivityProgress).order_by(ActivityProgress.activity_id, ActivityProgress.id)
    )
    _sheet(
        book,
        _("Each mentee's part"),
        [
            _("Activity"),
            _("Mentee"),
            _("Status"),
            _("Reported by"),
            _("Reported on"),
            _("Report comment"),
            _("Checked by"),
            _("Return comment"),
            _("Confirmed on"),
        ],
        [
            (
                p.activity_id,
                name(p.mentee_id),
                label(p.status),
                name(p.reported_by),
                day(p.reported_at),
                p.report_comment,
                name(p.reviewed_by),
                p.review_comment,
                day(p.confirmed_at),
            )
            for p in parts
        ],
    )
    meetings = await session.scalars(select(Meeting).order_by(Meeting.held_on, Meeting.id))
    _sheet(
        book,
        _("Meeting journal"),
        [
            _("Pair"),
            _("Mentor"),
            _("Mentees"),
            _("Date"),
            _("Topic"),
            _("What was done"),
            _("Result"),
            _("Next assignment"),
        ],
        [
            (
                m.pair_id,
                mentor_of(m.pair_id),
                mentees_of(m.pair_id),
                m.held_on,
                m.topic,
                m.done,
                m.result,
                m.next_assignment,
            )
            for m in meetings
        ],
    )
    requests = await session.scalars(select(Request).order_by(Request.id))
    _sheet(
        book,
        _("Requests"),
        [
            _("No."),
            _("Kind"),
            _("Pair"),
            _("Mentor"),
            _("Mentees"),
            _("From"),
            _("Reason"),
            _("Status"),
            _("New date"),
            _("Curator's comment"),
            _("Decided on"),
        ],
        [
            (
                r.id,
                label(r.kind),
                r.pair_id,
                mentor_of(r.pair_id),
                mentees_of(r.pair_id),
                name(r.author_id),
                r.reason,
                label(r.status),
                r.new_date,
                r.decision_comment,
                day(r.decided_at),
            )
            for r in requests
        ],
    )
    programme_pair = {p.id: p.pair_id for p in programmes}
    answers = await session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id))
    keys = list(SURVEY_QUESTIONS)
    _sheet(
        book,
        _("Questionnaires"),
        [
            _("Programme"),
            _("Mentor"),
            _("Mentees"),
            _("Role"),
            *[_(SURVEY_QUESTIONS[k]) for k in keys],
            _("Comment"),
            _("Answered on"),
        ],
        [
            (
                a.programme_id,
                mentor_of(programme_pair.get(a.programme_id)),
                mentees_of(programme_pair.get(a.programme_id)),
                _(a.role),
                *[a.ratings.get(k) for k in keys],
                a.comment,
                day(a.answered_at),
            )
            for a in answers
        ],
    )
    replacements = await session.scalars(select(MentorReplacement).order_by(MentorReplacement.id))
    _sheet(
        book,
        _("Mentor replacements"),
        [
            _("Pair"),
            _("Mentees"),
            _("Previous mentor"),
            _("New mentor"),
            _("Replaced on"),
            _("Order number"),
            _("Order date"),
        ],
        [
            (
                r.pair_id,
                mentees_of(r.pair_id),
                name(r.old_mentor_id),
                name(r.new_mentor_id),
                day(r.replaced_at),
                r.order_number,
                r.order_date,
            )
            for r in replacements
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@router.message(Command("export"))
async def cmd_export(
    message: Message, session: AsyncSession, actor: Actor, settings: Settings
) -> None:
    data = await build_workbook(session, settings.timezone)
    await record_view(session, actor.telegram_id, "export.xlsx")
    today = datetime.now(settings.timezone).strftime("%Y-%m-%d")
    await message.answer_document(
        BufferedInputFile(data, filename=f"Наставничество_выгрузка_{today}.xlsx"),
        caption=_(
            "The banks, pairs, programmes, activities, journal, requests and questionnaires."
        ),
    )
