"""/docs: the documents of the roadmap as DOCX (python-docx): the draft order approving pairs
and groups, a pair's personalised programme, and the analysis of the monitoring questionnaires."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.ui import button_rows, label
from handlers.views import day, forms_text
from models.access import Actor
from models.audit import audit
from models.enums import PairStatus, ProgrammeStatus
from models.fields import printable
from models.pairs import Pair
from models.participant import Participant
from models.programmes import Programme, get_programme
from models.surveys import SURVEY_QUESTIONS, SurveyAnswer

router = Router(name=__name__)


class DocumentChoice(CallbackData, prefix="dc"):
    kind: str  # "order", "programmes" (the list), "programme", "analysis"
    item: int = 0


def _new(organization: str, title: str) -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    header = document.add_paragraph(organization)
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = document.add_heading(title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _table(document: Document, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else printable(str(value))


def _bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def _names(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(Participant.id, Participant.full_name))
    return {pid: name or "—" for pid, name in rows.all()}


async def order_docx(session: AsyncSession, settings: Settings) -> bytes:
    """The draft order: pairs everyone accepted (waiting for the order), else the active ones."""
    pairs = list(
        await session.scalars(
            select(Pair).where(Pair.status == PairStatus.ACCEPTED).order_by(Pair.id)
        )
    )
    if not pairs:
        pairs = list(
            await session.scalars(
                select(Pair).where(Pair.status == PairStatus.ACTIVE).order_by(Pair.id)
            )
        )
    names = await _names(session)
    programmes = {
        p.pair_id: p
        for p in await session.scalars(
            select(Programme).where(Programme.pair_id.in_([x.id for x in pairs]))
        )
    }
    document = _new(settings.organization_name, _("ORDER No. ____ of «___» ________ 20__"))
    document.add_heading(_("On approving mentoring pairs and groups"), level=2)
    document.add_paragraph(
        _(
            "Under the Regulation on the mentoring system for teachers (§6.3.5, §9.2), with the "
            "written consent of the participants, I ORDER:"
        )
    )
    document.add_paragraph(_("1. To approve the following mentoring pairs and groups:"))
    rows = []
    for number, pair in enumerate(pairs, 1):
        programme = programmes.get(pair.id)
        period = f"{day(programme.start_date)} – {day(programme.end_date)}" if programme else "—"
        rows.append(
            (
                number,
                names.get(pair.mentor_id, "—"),
                ", ".join(names.get(i, "—") for i in pair.mentee_ids),
                forms_text(pair.forms),
                label(pair.pair_type),
                period,
            )
        )
    _table(
        document,
        [_("No."), _("Mentor"), _("Mentees"), _("Forms"), _("Pair type"), _("Period")],
        rows,
    )
    document.add_paragraph(
        _(
            "2. The curator of the mentoring programmes is to supervise the drafting and "
            "carrying out of the personalised programmes."
        )
    )
    document.add_paragraph(_("3. I reserve control over the execution of this order."))
    document.add_paragraph("")
    document.add_paragraph(_("Director ____________________"))
    return _bytes(document)


async def programme_docx(session: AsyncSession, settings: Settings, programme: Programme) -> bytes:
    names = await _names(session)
    pair = programme.pair
    document = _new(settings.organization_name, _("Personalised mentoring programme"))
    _table(
        document,
        [_("Item"), _("Content")],
        [
            (_("Mentor"), names.get(pair.mentor_id, "—")),
            (_("Mentees"), ", ".join(names.get(i, "—") for i in pair.mentee_ids)),
            (_("Goal"), programme.goal),
            (_("Difficulties addressed"), programme.difficulties),
            (_("Strengths to support"), programme.strengths),
            (_("Forms"), forms_text(programme.forms)),
            (_("Period"), f"{day(programme.start_date)} – {day(programme.end_date)}"),
            (_("Status"), label(programme.status)),
        ],
    )
    document.add_heading(_("Plan of activities"), level=2)
    _table(
        document,
        [_("No."), _("Activity"), _("Deadline"), _("Responsible"), _("Status")],
        [
            (n, a.title, day(a.deadline), label(a.responsible), label(a.status))
            for n, a in enumerate(programme.activities, 1)
        ],
    )
    document.add_paragraph("")
    for role in (_("Mentor"), _("Mentee"), _("Curator")):
        document.add_paragraph(
            _("{role}: ____________________ (signature, date)").format(role=role)
        )
    return _bytes(document)


async def analysis_docx(session: AsyncSession, settings: Settings, today: date) -> bytes:
    answers = list(await session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id)))
    document = _new(settings.organization_name, _("Analysis of the monitoring questionnaires"))
    document.add_paragraph(_("Date: {date}. Answers: {n}.").format(date=day(today), n=len(answers)))
    rows = []
    for key, question in SURVEY_QUESTIONS.items():
        by_role = {}
        for role in ("mentor", "mentee"):
            values = [a.ratings[key] for a in answers if a.role == role and key in a.ratings]
            by_role[role] = f"{sum(values) / len(values):.1f}" if values else "—"
        values = [a.ratings[key] for a in answers if key in a.ratings]
        overall = f"{sum(values) / len(values):.1f}" if values else "—"
        rows.append((_(question), by_role["mentor"], by_role["mentee"], overall))
    _table(document, [_("Question"), _("By mentors"), _("By mentees"), _("Overall")], rows)
    comments = [a.comment for a in answers if a.comment]
    document.add_heading(_("Comments"), level=2)
    for comment in comments or ["—"]:
        document.add_paragraph(printable(comment), style="List Bullet")
    return _bytes(document)


@router.message(Command("docs"))
async def cmd_docs(message: Message) -> None:
    buttons = [
        (_("Draft order approving pairs and groups"), DocumentChoice(kind="order")),
        (_("A pair's personalised programme"), DocumentChoice(kind="programmes")),
        (_("Analysis of the monitoring questionnaires"), DocumentChoice(kind="analysis")),
    ]
    await message.answer(_("Which document?"), reply_markup=button_rows(buttons))


@router.callback_query(DocumentChoice.filter())
async def document_chosen(
    query: CallbackQuery,
    callback_data: DocumentChoice,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    today: date,
) -> None:
    await query.answer()
    if callback_data.kind == "programmes":
        programmes = list(
            await session.scalars(
                select(Programme)
                .where(Programme.status != ProgrammeStatus.DRAFT)
                .order_by(Programme.id.desc())
                .limit(30)
            )
        )
        names = await _names(session)
        buttons = []
        for programme in programmes:
            mentees = ", ".join(names.get(i, "—") for i in programme.pair.mentee_ids)
            caption = f"№{programme.id}: {names.get(programme.pair.mentor_id, '—')} → {mentees}"
            buttons.append((caption[:60], DocumentChoice(kind="programme", item=programme.id)))
        await query.message.answer(
            _("Which programme?") if buttons else _("None."),
            reply_markup=button_rows(buttons) if buttons else None,
        )
        return
    if callback_data.kind == "order":
        data, name = await order_docx(session, settings), "order-pairs.docx"
    elif callback_data.kind == "programme":
        programme = await get_programme(session, actor, callback_data.item)
        data, name = (
            await programme_docx(session, settings, programme),
            f"programme-{programme.id}.docx",
        )
    else:
        data, name = await analysis_docx(session, settings, today), "questionnaires-analysis.docx"
    audit(session, actor.telegram_id, "docs", kind=callback_data.kind, item=callback_data.item)
    await session.commit()
    await query.message.answer_document(BufferedInputFile(data, filename=name))
