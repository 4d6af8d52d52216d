"""/docs: the paperwork a director signs, as DOCX on the ГОСТ page (package ``documents``).

Orders (pairs and groups, a mentor's replacement, an early end, completion with results), a
pair's personalised programme, consent forms, memos, the questionnaire analysis and the year's
final report. A college template that cannot be used is reported and ours is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from html import escape, unescape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from documents import content, reports
from documents.render import TemplateProblem, render
from handlers.context import Context
from handlers.curator.report import chart_png
from models.access import Actor
from models.audit import record_view
from models.best_cases import best_practices
from models.changes import history
from models.enums import ConsentKind, ProgrammeStatus
from models.participant import Participant
from models.programmes import Programme, get_programme
from models.statistics import academic_year, collect_statistics
from rendering.texts import shorten
from rendering.ui import DocumentChoice, button_rows, chat_of, shown
from rendering.views import programme_buttons

router = Router(name=__name__)
LIST_LIMIT = 30


def russian(i18n: I18n) -> Callable[[str], str]:
    """Documents are in Russian whatever the curator's chat language."""
    return lambda text: i18n.gettext(text, locale="ru")


async def college_of(session: AsyncSession, settings: Settings, actor: Actor) -> content.College:
    curator = await session.get(Participant, actor.participant_id) if actor.participant_id else None
    return content.College(
        full=settings.organization_name,
        short=settings.organization_short_name,
        city=settings.organization_city,
        director=settings.director_name,
        curator_position=settings.curator_position,
        curator_name=curator.full_name if curator else None,
        zone=settings.timezone,
    )


def problem_text(problem: TemplateProblem) -> str:
    texts = {
        "not_docx": _(
            "The college's template {file} is not a DOCX file (or is damaged), so the built-in "
            "template was used."
        ),
        "missing": _(
            "The college's template {file} has lost the field(s) {detail}, so the built-in "
            "template was used. Copy the field from the built-in template."
        ),
        "unknown": _(
            "The college's template {file} uses field(s) the bot does not know: {detail}. "
            "The built-in template was used."
        ),
        "broken": _(
            "The college's template {file} has a mistake in its fields ({detail}), so the "
            "built-in template was used."
        ),
    }
    return texts[problem.kind].format(file=escape(problem.file), detail=escape(problem.detail))


async def send_doc(
    message: Message, doc: content.Doc, settings: Settings, caption: str | None = None
) -> None:
    if doc.data is not None:
        data = doc.data
    else:
        assert doc.fill is not None
        rendered = render(doc.name, doc.fill, settings.document_templates_dir)
        if rendered.problem is not None:
            await message.answer(problem_text(rendered.problem))
        data = rendered.data
    await message.answer_document(BufferedInputFile(data, filename=doc.filename), caption=caption)


def menu() -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("Order approving pairs and groups"), DocumentChoice(kind="order")),
            (_("Order replacing a mentor"), DocumentChoice(kind="replacements")),
            (_("Order on an early end"), DocumentChoice(kind="early_list")),
            (_("Order on completed programmes"), DocumentChoice(kind="completion")),
            (_("A pair's personalised programme"), DocumentChoice(kind="programmes")),
            (_("Consent forms to sign"), DocumentChoice(kind="people")),
            (_("Memo for mentors"), DocumentChoice(kind="memo_mentor")),
            (_("Memo for mentees"), DocumentChoice(kind="memo_mentee")),
            (_("Analysis of the monitoring questionnaires"), DocumentChoice(kind="analysis")),
            (_("Final analytical report for the year"), DocumentChoice(kind="year")),
        ]
    )


@router.message(Command("docs"))
async def cmd_docs(message: Message) -> None:
    await message.answer(_("Which document?"), reply_markup=menu())


async def _choose(message: Message, items: Sequence[tuple[str, CallbackData]], prompt: str) -> None:
    if not items:
        await message.answer(_("None."))
        return
    await message.answer(prompt, reply_markup=button_rows([(shorten(t, 60), d) for t, d in items]))


async def _pick_list(query: CallbackQuery, kind: str, session: AsyncSession) -> bool:
    """The lists to choose from; True when the choice was a list."""
    people = await content.People.load(session)
    if kind == "programmes":
        programmes = await session.scalars(
            select(Programme)
            .where(Programme.status != ProgrammeStatus.DRAFT)
            .order_by(Programme.id.desc())
            .limit(LIST_LIMIT)
        )
        items = programme_buttons(
            programmes, people.name, lambda p: DocumentChoice(kind="programme", item=p.id)
        )
        await _choose(shown(query), items, _("Which programme?"))
    elif kind == "early_list":
        programmes = await session.scalars(
            select(Programme)
            .where(Programme.status == ProgrammeStatus.ENDED_EARLY)
            .order_by(Programme.id.desc())
            .limit(LIST_LIMIT)
        )
        items = [
            (
                f"№{p.id}: {people.name(p.pair.mentor_id)}",
                DocumentChoice(kind="early", item=p.id),
            )
            for p in programmes
        ]
        await _choose(shown(query), items, _("Which programme ended early?"))
    elif kind == "replacements":
        items = [
            (
                f"{people.name(r.old_mentor_id)} → {people.name(r.new_mentor_id)}"
                + (f" (№ {r.order_number})" if r.order_number else ""),
                DocumentChoice(kind="replacement", item=r.id),
            )
            for r in await content.replacements(session, LIST_LIMIT)
        ]
        await _choose(shown(query), items, _("Which replacement?"))
    else:
        return False
    return True


@router.callback_query(DocumentChoice.filter(F.kind != "people"))
async def document_chosen(
    query: CallbackQuery, callback_data: DocumentChoice, context: Context
) -> None:
    await query.answer()
    kind = callback_data.kind
    if await _pick_list(query, kind, context.session):
        return
    college = await college_of(context.session, context.settings, context.actor)
    tr = russian(context.i18n)
    doc: content.Doc | None
    if kind in ("order", "order_all"):
        doc = await content.order_pairs(
            context.session, college, tr, context.today, everyone=kind == "order_all"
        )
        if doc is None and kind == "order":
            await chat_of(query).answer(
                _("No pair or group is waiting for the director's order."),
                reply_markup=button_rows(
                    [(_("Order for all active pairs"), DocumentChoice(kind="order_all"))]
                ),
            )
            return
    elif kind == "replacement":
        doc = await content.order_replacement(
            context.session, college, tr, context.today, callback_data.item
        )
    elif kind == "early":
        doc = await content.order_early_end(
            context.session, college, tr, context.today, callback_data.item
        )
    elif kind == "completion":
        start, end = academic_year(context.today)
        doc = await content.order_completion(
            context.session, college, tr, context.today, start, end
        )
    elif kind == "programme":
        programme = await get_programme(context.session, context.actor, callback_data.item)
        people = await content.People.load(context.session)
        changes = await history(context.session, programme.id)
        doc = content.programme_doc(programme, people, college, tr, context.today, changes)
    elif kind in ("memo_mentor", "memo_mentee"):
        doc = content.memo_doc(kind, college, context.today)
    elif kind == "analysis":
        start, end = academic_year(context.today)
        answers, finished = await content.survey_answers(context.session, start, end, college.zone)
        data = reports.analysis_docx(answers, finished, college, tr, context.today, start, end)
        doc = content.Doc(
            "analysis", content.filename("Анализ_анкетирования", context.today), data=data
        )
    elif kind == "year":
        doc = await year_report(context.session, college, context.i18n, context.today)
    else:
        doc = None
    if doc is None:
        await chat_of(query).answer(_("There is nothing for this document yet."))
        return
    await record_view(
        context.session, context.actor.telegram_id, "docs", kind=kind, item=callback_data.item
    )
    await send_doc(shown(query), doc, context.settings)


async def year_report(
    session: AsyncSession, college: content.College, i18n: I18n, today: date
) -> content.Doc:
    tr = russian(i18n)
    start, end = academic_year(today)
    now = await collect_statistics(session, start, end, today, college.zone)
    before = await collect_statistics(session, *academic_year(today, 1), today, college.zone)
    coverage = await content.coverage(session, start, end, college.zone)
    with i18n.use_locale("ru"):
        chart = chart_png(now) if now.by_month else None
    coverage_bank = (coverage, now.people["mentees"])
    people = await content.People.load(session)
    practices = [
        reports.Practice(
            programme_id=found.programme.id,
            title=found.programme.goal,
            mentor=people.name(found.programme.pair.mentor_id),
            goal=found.description.goal,
            done=found.description.done,
            results=found.description.results,
            lessons=found.description.lessons,
            approved_on=college.local_day(found.description.decided_at),
        )
        for found in await best_practices(session, start, end)
    ]
    data = reports.year_report_docx(
        now, before, coverage_bank, chart, college, tr, today, practices
    )
    name = content.filename(f"Отчёт_о_наставничестве_{start.year}-{end.year}", today)
    return content.Doc("year", name, data=data)


def consent_text(i18n: I18n, kind: ConsentKind, organization: str, locale: str) -> list[str]:
    """The exact consent text of the current version, as paragraphs without markup."""
    from rendering.texts import consent_document

    with i18n.use_locale(locale if locale in i18n.available_locales else "ru"):
        document = consent_document(kind, organization, i18n)
    plain = unescape(re.sub(r"<[^>]+>", "", document.text))
    return [part.strip() for part in plain.split("\n\n") if part.strip()]
