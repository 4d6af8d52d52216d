"""/roadmap: the year's roadmap (Appendix 1). The curator creates it from the regulation, edits
a stage's period and responsible, marks stages done, adds events with an audience (invitations
go through the outbox, once per person) and marks attendance; the director approves it."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.filters.command import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.i18n.context import get_i18n
from docx.enum.section import WD_ORIENT
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from documents.layout import (
    LANDSCAPE_WIDTH_MM,
    gost_document,
    heading,
    paragraph,
    ru_date,
    short_name,
    table,
)
from handlers.forms import STALE, Form, Question, Step, Turn
from handlers.library import LibraryAdd
from handlers.notify import Notifier
from handlers.outcome import show_decided
from models import formatting
from models.access import Actor
from models.banks import bank
from models.broadcasts import departments
from models.enums import StaffRole
from models.errors import InvalidValue, NotFound
from models.fields import printable
from models.i18n_marker import N_
from models.library import materials_of_events
from models.paging import slice_page
from models.participant import Participant, curator_telegram_ids
from models.roadmap import (
    Audience,
    Roadmap,
    RoadmapEvent,
    RoadmapStage,
    approve_roadmap,
    audience_of,
    create_event,
    create_roadmap,
    edit_stage,
    events_of,
    guests_of,
    mark_attendance,
    parse_event,
    parse_period,
    queue_invitations,
    roadmap_of,
    set_stage_done,
    stage_state,
    stages_of,
)
from models.statistics import academic_year
from rendering.texts import shorten
from rendering.ui import (
    FormOption,
    Keyboard,
    add_buttons,
    button_rows,
    chat_of,
    page_buttons,
    show_outcome,
)
from rendering.views import day

router = Router(name=__name__)
GUESTS_PAGE = 10
STATE_MARKS = {"done": "✅", "overdue": "⚠️", "current": "▶️", "upcoming": "⏳", "ongoing": "🔄"}
STATE_LABELS = {
    "done": N_("done"),
    "overdue": N_("overdue"),
    "current": N_("in progress"),
    "upcoming": N_("not started"),
    "ongoing": N_("through the year"),
}
AUDIENCE_LABELS = {
    Audience.MENTORS: N_("mentors"),
    Audience.MENTEES: N_("mentees"),
    Audience.EVERYONE: N_("everyone"),
    Audience.DEPARTMENT: N_("a department"),
}


class RoadmapVerb(StrEnum):
    """What a roadmap button does."""

    CREATE = "create"
    VIEW = "view"
    APPROVE = "approve"
    STAGE = "stage"
    DONE = "done"
    REOPEN = "reopen"
    PERIOD = "period"
    RESPONSIBLE = "responsible"
    CONTENT = "content"
    DOCUMENTS = "documents"
    EVENT = "event"
    DOCX = "docx"


class RoadmapAction(CallbackData, prefix="rm"):
    action: RoadmapVerb
    stage_id: int = 0


class EventConfirm(CallbackData, prefix="rc"):
    confirm: bool


class Attendance(CallbackData, prefix="at"):
    event_id: int
    participant_id: int = 0  # 0: just show the list
    page: int = 0


class RoadmapEditing(StatesGroup):
    period = State()
    responsible = State()
    content = State()
    documents = State()
    event = State()
    audience = State()
    confirming = State()  # the event's summary: «Create and invite» or «Cancel»


def _period(stage: RoadmapStage) -> str:
    if stage.starts_on is None or stage.ends_on is None:
        return _("according to the programmes, through the year")
    return f"{day(stage.starts_on)}–{day(stage.ends_on)}"


def _when(event: RoadmapEvent, settings: Settings) -> str:
    return formatting.moment(event.starts_at, settings.timezone)


def _is_director(participant: Participant | None) -> bool:
    return participant is not None and participant.staff_role == StaffRole.DIRECTOR


async def render_roadmap(
    session: AsyncSession, roadmap: Roadmap, today: date, director: bool, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    stages = await stages_of(session, roadmap.id)
    events = await events_of(session, roadmap.id)
    states = [stage_state(stage, today) for stage in stages]
    lines = [
        "<b>"
        + _("The roadmap for {year}/{next}").format(year=roadmap.year, next=roadmap.year + 1)
        + "</b>"
    ]
    if roadmap.approved_at is not None:
        lines.append(
            _("Approved by the director on {date}.").format(
                date=day(roadmap.approved_at.astimezone(settings.timezone).date())
            )
        )
    else:
        lines.append(_("Not approved by the director yet (§6.3.4)."))
    lines.append(
        _("Stages done: {done} of {total}; overdue: {overdue}.").format(
            done=states.count("done"), total=len(stages), overdue=states.count("overdue")
        )
    )
    buttons: list[tuple[str, CallbackData]] = []
    for stage, state in zip(stages, states, strict=True):
        count = sum(1 for event in events if event.stage_number == stage.number)
        line = f"{STATE_MARKS[state]} {stage.number}. {escape(stage.title)} — {_period(stage)}"
        if count:
            line += " · " + ngettext("{n} event", "{n} events", count).format(n=count)
        lines.append(line)
        buttons.append(
            (
                _("Stage {number}").format(number=stage.number),
                RoadmapAction(action=RoadmapVerb.STAGE, stage_id=stage.id),
            )
        )
    if director and roadmap.approved_at is None:
        buttons.append((_("✅ Approve the roadmap"), RoadmapAction(action=RoadmapVerb.APPROVE)))
    buttons.append((_("The roadmap for signing (.docx)"), RoadmapAction(action=RoadmapVerb.DOCX)))
    return "\n".join(lines), button_rows(buttons)


async def _current(session: AsyncSession, today: date) -> Roadmap | None:
    return await roadmap_of(session, academic_year(today)[0].year)


@router.message(Command("roadmap"))
async def cmd_roadmap(
    message: Message,
    session: AsyncSession,
    today: date,
    participant: Participant | None,
    settings: Settings,
) -> None:
    roadmap = await _current(session, today)
    if roadmap is None:
        year = academic_year(today)[0].year
        await message.answer(
            _(
                "The roadmap for {year}/{next} has not been created yet. I will create it from "
                "Appendix 1 of the regulation: seven stages with their months, responsible and "
                "documents; then you adjust it."
            ).format(year=year, next=year + 1),
            reply_markup=button_rows(
                [(_("Create from Appendix 1"), RoadmapAction(action=RoadmapVerb.CREATE))]
            ),
        )
        return
    text, markup = await render_roadmap(
        session, roadmap, today, _is_director(participant), settings
    )
    await message.answer(text, reply_markup=markup)


@router.callback_query(RoadmapAction.filter(F.action == RoadmapVerb.APPROVE))
async def roadmap_approved(
    query: CallbackQuery,
    actor: Actor,
    today: date,
    participant: Participant | None,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    """§6.3.4: the director approves; the curators are told through the outbox. The roadmap
    the director pressed becomes the approved one, with who and when."""
    session = notifier.session
    current = await _current(session, today)
    if current is None:
        raise NotFound()
    settings = notifier.settings
    curators = await curator_telegram_ids(session, settings.curator_ids)
    roadmap = await approve_roadmap(session, actor, participant, current.id, curators)
    text, markup = await render_roadmap(
        session, roadmap, today, _is_director(participant), settings
    )
    await query.answer(_("The roadmap is approved."))
    await show_decided(query, stamp, _("✅ The roadmap is approved"), text=text, markup=markup)
    await notifier.notices("roadmap.approved", roadmap.id)


@router.callback_query(RoadmapAction.filter(F.action.in_({RoadmapVerb.CREATE, RoadmapVerb.VIEW})))
async def roadmap_pressed(
    query: CallbackQuery,
    callback_data: RoadmapAction,
    actor: Actor,
    today: date,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    settings, session = notifier.settings, notifier.session
    if callback_data.action == RoadmapVerb.CREATE:
        roadmap = await create_roadmap(session, actor, today)
    else:
        current = await _current(session, today)
        if current is None:
            raise NotFound()
        roadmap = current
    text, markup = await render_roadmap(
        session, roadmap, today, _is_director(participant), settings
    )
    await query.answer()
    await chat_of(query).answer(text, reply_markup=markup)


async def render_stage(
    session: AsyncSession, stage: RoadmapStage, today: date, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    state = stage_state(stage, today)
    lines = [
        f"<b>{stage.number}. {escape(stage.title)}</b>",
        _("Period: {period}").format(period=_period(stage)),
        _("State: {state}").format(state=STATE_MARKS[state] + " " + _(STATE_LABELS[state])),
        _("Responsible: {who}").format(who=escape(stage.responsible)),
        "",
        escape(stage.content),
        "",
        "<b>" + _("Documents") + "</b>",
        escape(stage.documents),
    ]
    if stage.number == 5:
        alone = await bank(session, role="mentees", status="registered")
        lines += [
            "",
            ngettext(
                "Mentees without a pair: {n} — they need support (psychological and "
                "methodical) until a mentor is found.",
                "Mentees without a pair: {n} — they need support (psychological and "
                "methodical) until a mentor is found.",
                len(alone),
            ).format(n=len(alone)),
        ]
        lines += [f"  • {escape(entry.person.display_name)}" for entry in alone[:10]]
    events = [
        e for e in await events_of(session, stage.roadmap_id) if e.stage_number == stage.number
    ]
    builder = Keyboard()
    attached = await materials_of_events(session, [e.id for e in events])
    if events:
        lines += ["", "<b>" + _("Events") + "</b>"]
    for event in events:
        guests = await guests_of(session, event.id)
        present = sum(1 for guest, _person in guests if guest.attended)
        lines.append(
            _("{when} — «{title}», {place}; invited {invited}, present {present}").format(
                when=_when(event, settings),
                title=escape(event.title),
                place=escape(event.place),
                invited=len(guests),
                present=present,
            )
        )
        if attached.get(event.id):
            lines.append(
                "   "
                + _("Materials: {titles}").format(
                    titles=escape("; ".join(m.title for m in attached[event.id]))
                )
            )
        builder.button(
            text=shorten(_("Attendance: {title}").format(title=event.title), 60),
            callback_data=Attendance(event_id=event.id),
        )
        builder.button(
            text=shorten(_("📎 Material for: {title}").format(title=event.title), 60),
            callback_data=LibraryAdd(event_id=event.id),
        )
    if stage.done_at is None:
        builder.button(
            text=_("✅ Mark the stage done"),
            callback_data=RoadmapAction(action=RoadmapVerb.DONE, stage_id=stage.id),
        )
    else:
        builder.button(
            text=_("Back to work"),
            callback_data=RoadmapAction(action=RoadmapVerb.REOPEN, stage_id=stage.id),
        )
    builder.button(
        text=_("➕ Add an event"),
        callback_data=RoadmapAction(action=RoadmapVerb.EVENT, stage_id=stage.id),
    )
    builder.button(
        text=_("Change the period"),
        callback_data=RoadmapAction(action=RoadmapVerb.PERIOD, stage_id=stage.id),
    )
    builder.button(
        text=_("Change the responsible"),
        callback_data=RoadmapAction(action=RoadmapVerb.RESPONSIBLE, stage_id=stage.id),
    )
    builder.button(
        text=_("Change the content"),
        callback_data=RoadmapAction(action=RoadmapVerb.CONTENT, stage_id=stage.id),
    )
    builder.button(
        text=_("Change the documents"),
        callback_data=RoadmapAction(action=RoadmapVerb.DOCUMENTS, stage_id=stage.id),
    )
    builder.button(text=_("‹ The roadmap"), callback_data=RoadmapAction(action=RoadmapVerb.VIEW))
    builder.adjust(1)
    text = "\n".join(lines)
    return text[:4000], builder.as_markup()


async def _stage_or_missing(session: AsyncSession, stage_id: int) -> RoadmapStage:
    stage = await session.get(RoadmapStage, stage_id)
    if stage is None:
        raise NotFound()
    return stage


@router.callback_query(
    RoadmapAction.filter(F.action.in_({RoadmapVerb.STAGE, RoadmapVerb.DONE, RoadmapVerb.REOPEN}))
)
async def stage_pressed(
    query: CallbackQuery,
    callback_data: RoadmapAction,
    session: AsyncSession,
    actor: Actor,
    today: date,
    settings: Settings,
) -> None:
    if callback_data.action in (RoadmapVerb.DONE, RoadmapVerb.REOPEN):
        stage = await set_stage_done(
            session, actor, callback_data.stage_id, callback_data.action == RoadmapVerb.DONE
        )
    else:
        stage = await _stage_or_missing(session, callback_data.stage_id)
    text, markup = await render_stage(session, stage, today, settings)
    await query.answer()
    if callback_data.action == RoadmapVerb.STAGE:
        await chat_of(query).answer(text, reply_markup=markup)
    else:
        await show_outcome(query, text, reply_markup=markup)


@router.callback_query(
    RoadmapAction.filter(
        F.action.in_(
            {
                RoadmapVerb.PERIOD,
                RoadmapVerb.RESPONSIBLE,
                RoadmapVerb.CONTENT,
                RoadmapVerb.DOCUMENTS,
                RoadmapVerb.EVENT,
            }
        )
    )
)
async def stage_edit_asked(
    query: CallbackQuery, callback_data: RoadmapAction, session: AsyncSession, state: FSMContext
) -> None:
    stage = await _stage_or_missing(session, callback_data.stage_id)
    await query.answer()
    form = STAGE_FORMS[callback_data.action]
    await form.start(Turn(chat_of(query), state), {"stage_id": stage.id, "number": stage.number})


PROMPTS = {
    "period": N_(
        "Send the period of stage {number}, for example 01.10.2026-30.11.2026 or "
        "10.2026-11.2026; «-» if it follows the programmes. /cancel stops."
    ),
    "responsible": N_("Who is responsible for stage {number}? /cancel stops."),
    "content": N_(
        "Send the new content of stage {number} (what is done at this stage). /cancel stops."
    ),
    "documents": N_("Send the documents of stage {number}. /cancel stops."),
    "event": N_(
        "A new event of stage {number}. Send one line: date and time; place or link; "
        "title — for example «15.12.2026 14:00; ауд. 214; Установочная сессия "
        "наставников». /cancel stops."
    ),
}


def _stage_question(field: str) -> Callable[[Turn], Awaitable[Question]]:
    async def question(turn: Turn) -> Question:
        return _(PROMPTS[field]).format(number=(await turn.answers())["number"]), None

    return question


async def _typed_as_is(turn: Turn) -> Any:
    return turn.text or ""


async def _stage_saved(turn: Turn) -> None:
    session, data = turn.session, await turn.answers()
    stage = await _stage_or_missing(session, data.get("stage_id", 0))
    field = (await turn.state.get_state() or "").rsplit(":", 1)[-1]  # period/responsible/…
    if field == "period":
        roadmap = await session.get(Roadmap, stage.roadmap_id)
        period = parse_period(data[field], roadmap.year if roadmap else turn.today.year)
        stage = await edit_stage(session, turn.actor, stage.id, period=period)
    else:
        change: dict[str, Any] = {field: data[field]}
        stage = await edit_stage(session, turn.actor, stage.id, **change)
    await turn.state.clear()
    text, markup = await render_stage(session, stage, turn.today, turn.deps["settings"])
    await turn.message.answer(_("Saved.") + "\n\n" + text, reply_markup=markup)


STAGE_FORMS = {
    field: Form(
        [
            Step(
                getattr(RoadmapEditing, field),
                field,
                question=_stage_question(field),
                read=_typed_as_is,
            )
        ],
        _stage_saved,
    )
    for field in ("period", "responsible", "content", "documents")
}


async def _event_line(turn: Turn) -> Any:
    settings: Settings = turn.deps["settings"]
    when, place, title = parse_event(turn.text or "", turn.today, settings.timezone)
    await turn.state.update_data(when=when.isoformat(), place=place, title=title)
    return turn.text


async def _audience_question(turn: Turn) -> Question:
    buttons = [
        (_(AUDIENCE_LABELS[code]), FormOption(field="audience", code=code.value))
        for code in (Audience.MENTORS, Audience.MENTEES, Audience.EVERYONE)
    ]
    for index, name in enumerate((await departments(turn.session))[:12]):
        buttons.append((shorten(name, 40), FormOption(field="audience", code=f"d{index}")))
    return _("Who is invited?"), button_rows(buttons)


async def _audience_pressed(turn: Turn, code: str) -> Any:
    """mentors | mentees | everyone | d<index of the department>; the department kept beside."""
    department = None
    if code.startswith("d") and code[1:].isdigit():
        names = await departments(turn.session)
        if not int(code[1:]) < len(names):
            raise InvalidValue(N_("This list is out of date. Open it again."))
        department, code = names[int(code[1:])], Audience.DEPARTMENT.value
    elif code not in (Audience.MENTORS, Audience.MENTEES, Audience.EVERYONE):
        raise InvalidValue(STALE)
    await turn.state.update_data(department=department)
    return code


def _audience_line(value: Any, answers: dict[str, Any]) -> str:
    if value == Audience.DEPARTMENT.value:
        shown = escape(answers.get("department") or "—")
    else:
        shown = _(AUDIENCE_LABELS[Audience(value)])
    return _("Invited: {audience}").format(audience=shown)


async def _event_summary(turn: Turn) -> None:
    data = await turn.answers()
    guests = await audience_of(turn.session, Audience(data["audience"]), data["department"])
    await turn.state.set_state(RoadmapEditing.confirming)
    await turn.message.answer(
        ngettext(
            "«{title}»: {n} person will get an invitation now and a reminder the day before.",
            "«{title}»: {n} people will get an invitation now and a reminder the day before.",
            len(guests),
        ).format(title=escape(data["title"]), n=len(guests)),
        reply_markup=button_rows(
            [
                (_("Create and invite"), EventConfirm(confirm=True)),
                (_("✖ Cancel"), EventConfirm(confirm=False)),
            ]
        ),
    )


EVENT = Form(
    [
        Step(RoadmapEditing.event, "event", question=_stage_question("event"), read=_event_line),
        Step(
            RoadmapEditing.audience,
            "audience",
            question=_audience_question,
            press=_audience_pressed,
            line=_audience_line,  # the question keeps its answer: «Приглашены: наставники»
        ),
    ],
    _event_summary,
)
STAGE_FORMS["event"] = EVENT
for _form in STAGE_FORMS.values():
    _form.register(router)


def invitation_text(event: RoadmapEvent, settings: Settings) -> str:
    """A new event has no materials yet: those attached later reach the guests as notices, and
    the reminder the day before lists them."""
    return _(
        "<b>Invitation</b>: «{title}», {when}. Place: {place}. The event is part of the "
        "college's mentoring roadmap."
    ).format(title=escape(event.title), when=_when(event, settings), place=escape(event.place))


@router.callback_query(EventConfirm.filter(), RoadmapEditing.confirming)
async def event_confirmed(
    query: CallbackQuery,
    callback_data: EventConfirm,
    state: FSMContext,
    actor: Actor,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    i18n, settings, session = notifier.i18n, notifier.settings, notifier.session
    today = stamp.at.date()
    data = await state.get_data()
    await state.clear()
    if not callback_data.confirm:
        await show_decided(query, stamp, _("✖ Cancelled; nothing was created"))
        await query.answer(_("Cancelled."))
        return
    settings, i18n = notifier.settings, notifier.i18n
    event, guests = await create_event(
        session,
        actor,
        data["stage_id"],
        starts_at=datetime.fromisoformat(data["when"]),
        place=data["place"],
        title=data["title"],
        audience=Audience(data["audience"]),
        department=data.get("department"),
    )
    texts = {}
    for person in guests:
        with i18n.use_locale(person.locale or i18n.default_locale):
            texts[person.id] = invitation_text(event, settings)
    queued = await queue_invitations(session, event, texts, datetime.now(UTC))
    await query.answer()
    await show_decided(
        query,
        stamp,
        ngettext(
            "✅ The event is created; {n} invitation is on its way",
            "✅ The event is created; {n} invitations are on their way",
            queued,
        ).format(n=queued),
    )
    stage = await _stage_or_missing(session, data["stage_id"])
    text, markup = await render_stage(session, stage, today, settings)
    await chat_of(query).answer(text, reply_markup=markup)


@router.callback_query(Attendance.filter())
async def attendance_pressed(
    query: CallbackQuery,
    callback_data: Attendance,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
) -> None:
    event = await session.get(RoadmapEvent, callback_data.event_id)
    if event is None:
        raise NotFound()
    if callback_data.participant_id:
        await mark_attendance(session, actor, event.id, callback_data.participant_id)
    guests = await guests_of(session, event.id)
    page = max(callback_data.page, 0)
    present = sum(1 for guest, _person in guests if guest.attended)
    text = "\n".join(
        [
            "<b>" + escape(event.title) + "</b>",
            _when(event, settings) + ", " + escape(event.place),
            _("Present: {present} of {invited}. Tap a name to mark or unmark.").format(
                present=present, invited=len(guests)
            ),
        ]
    )
    builder = Keyboard()
    on_page = slice_page(guests, page, GUESTS_PAGE)
    for guest, person in on_page.items:
        builder.button(
            text=("✅ " if guest.attended else "▫️ ") + shorten(person.display_name, 50),
            callback_data=Attendance(event_id=event.id, participant_id=person.id, page=page),
        )
    add_buttons(
        builder, page_buttons(on_page, lambda number: Attendance(event_id=event.id, page=number))
    )
    builder.adjust(1)
    await query.answer()
    if callback_data.participant_id:
        await show_outcome(query, text, reply_markup=builder.as_markup())
    else:
        await chat_of(query).answer(text, reply_markup=builder.as_markup())


async def roadmap_docx(session: AsyncSession, roadmap: Roadmap, settings: Settings) -> bytes:
    """The roadmap as the appendix prints it, for the director's signature: «УТВЕРЖДАЮ», then
    the stages with periods, content, responsible, documents and the year's events, on the
    ГОСТ page of the other documents (documents.layout), landscape. Like every official paper
    of the college it is in Russian, whatever the curator's chat language."""
    with get_i18n().use_locale("ru"):
        return await _roadmap_docx(session, roadmap, settings)


async def _roadmap_docx(session: AsyncSession, roadmap: Roadmap, settings: Settings) -> bytes:
    document = gost_document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    college = printable(settings.organization_short_name or settings.organization_name)
    if roadmap.approved_at is not None:
        signed = _("Approved in the bot on {date}").format(
            date=day(roadmap.approved_at.astimezone(settings.timezone).date())
        )
        approval = [f"Директор {college}", signed]
    else:
        director = short_name(printable(settings.director_name) or None)  # or a line for it
        approval = [f"Директор {college}", f"____________ {director}", ru_date(None)]
    stamp_left = LANDSCAPE_WIDTH_MM - 90
    paragraph(document, "УТВЕРЖДАЮ", align="left", left_mm=stamp_left, bold=True)
    for line in approval:
        paragraph(document, line, align="left", left_mm=stamp_left)
    heading(
        document,
        "ДОРОЖНАЯ КАРТА (ПЛАН МЕРОПРИЯТИЙ) ПО РЕАЛИЗАЦИИ ПОЛОЖЕНИЯ О СИСТЕМЕ НАСТАВНИЧЕСТВА "
        "ПЕДАГОГИЧЕСКИХ РАБОТНИКОВ",
        space_before=18,
    )
    paragraph(document, printable(settings.organization_name), align="center")
    paragraph(
        document,
        f"на {roadmap.year}/{roadmap.year + 1} учебный год",
        align="center",
    )
    paragraph(document)
    events = await events_of(session, roadmap.id)
    rows = []
    for stage in await stages_of(session, roadmap.id):
        held = "\n".join(
            printable(f"{_when(event, settings)} — {event.title} ({event.place})")
            for event in events
            if event.stage_number == stage.number
        )
        rows.append(
            [
                str(stage.number),
                printable(stage.title),
                _period(stage),
                printable(stage.content),
                printable(stage.responsible),
                printable(stage.documents),
                held or "—",
            ]
        )
    table(
        document,
        ["№", "Этап", "Сроки", "Содержание", "Ответственные", "Документы", "Мероприятия"],
        rows,
        total_mm=LANDSCAPE_WIDTH_MM,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@router.callback_query(RoadmapAction.filter(F.action == RoadmapVerb.DOCX))
async def roadmap_docx_asked(
    query: CallbackQuery, session: AsyncSession, today: date, settings: Settings
) -> None:
    roadmap = await _current(session, today)
    if roadmap is None:
        raise NotFound()
    data = await roadmap_docx(session, roadmap, settings)
    await query.answer()
    await chat_of(query).answer_document(
        BufferedInputFile(data, filename=f"Дорожная_карта_{roadmap.year}-{roadmap.year + 1}.docx"),
        caption=_("The roadmap for {year}/{next}: print it for the director's signature.").format(
            year=roadmap.year, next=roadmap.year + 1
        ),
    )
