"""/library: the methodical library. Everyone browses and searches it (/library word); the
curator and the mentors of the bank add a file, a link or a text with tags and an audience;
the curator attaches materials to a roadmap event from the stage card."""

from __future__ import annotations

from enum import StrEnum
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.forms import STALE, Form, Question, Step, Turn
from handlers.notify import Notifier
from models.access import Actor
from models.best_cases import best_practices, describable
from models.broadcasts import CAPTION_LIMIT, audience_chats, send_broadcast
from models.errors import InvalidValue, NotRegistered
from models.i18n_marker import N_
from models.library import (
    Material,
    MaterialAudience,
    add_material,
    browse,
    clean_title,
    delete_material,
    get_material,
    may_add,
    parse_tags,
)
from rendering.case_views import CaseAction, CaseVerb
from rendering.texts import shorten
from rendering.ui import DbInt, FormOption, button_rows, chat_of, set_buttons, show_outcome

router = Router(name=__name__)
PAGE = 10
SEARCH_LENGTH = 100
AUDIENCE_LABELS = {
    MaterialAudience.EVERYONE: N_("for everyone"),
    MaterialAudience.MENTORS: N_("for mentors"),
    MaterialAudience.MENTEES: N_("for mentees"),
}


class LibraryAdd(CallbackData, prefix="lba"):
    event_id: DbInt = 0


class LibraryPractices(CallbackData, prefix="lbp"):
    """The collection of approved best practices."""


class LibraryOpen(CallbackData, prefix="lbo"):
    material_id: DbInt


class LibraryDelete(CallbackData, prefix="lbd"):
    material_id: DbInt


class SendVerb(StrEnum):
    ASK = "ask"
    SEND = "send"


class LibrarySend(CallbackData, prefix="lbs"):
    """The curator sends a memo or material to its audience (a broadcast through the outbox)."""

    verb: SendVerb
    material_id: DbInt


BROADCAST_AUDIENCE = {
    MaterialAudience.EVERYONE: "all",
    MaterialAudience.MENTORS: "mentors",
    MaterialAudience.MENTEES: "mentees",
}


class Adding(StatesGroup):
    title = State()
    content = State()
    tags = State()
    audience = State()


def _line(number: int, material: Material) -> str:
    tags = " ".join("#" + tag.replace(" ", "_") for tag in material.tags)
    kind = "📎" if material.file_id else "🔗" if material.url else "📝"
    return f"{number}. {kind} <b>{escape(material.title)}</b> {escape(tags)}".rstrip()


def _actor(actor: Actor | None) -> Actor:
    if actor is None or (actor.participant_id is None and not actor.is_curator):
        raise NotRegistered()
    return actor


@router.message(Command("library"))
async def cmd_library(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor | None,
) -> None:
    await state.clear()
    actor = _actor(actor)
    query = " ".join((command.args or "").split())[:SEARCH_LENGTH]
    found = await browse(session, actor, query)
    if query:
        head = _("The library, search «{query}»: {n} found.").format(
            query=escape(query), n=len(found)
        )
    else:
        head = ngettext(
            "The methodical library: {n} material. Search: /library word.",
            "The methodical library: {n} materials. Search: /library word.",
            len(found),
        ).format(n=len(found))
    lines = [head, *(_line(n, m) for n, m in enumerate(found[:PAGE], 1))]
    if len(found) > PAGE:
        lines.append(_("Shown the newest {n}; narrow the search: /library word.").format(n=PAGE))
    buttons: list[tuple[str, CallbackData]] = [
        (f"{n}. {shorten(m.title, 40)}", LibraryOpen(material_id=m.id))
        for n, m in enumerate(found[:PAGE], 1)
    ]
    if await may_add(session, actor):
        buttons.append((_("➕ Add a material"), LibraryAdd()))
    practices = await best_practices(session)
    if practices and not query:
        buttons.append(
            (
                _("⭐ Best practices ({n})").format(n=len(practices)),
                LibraryPractices(),
            )
        )
    for programme in await describable(session, actor):  # the mentor of a completed programme
        buttons.append(
            (
                _("✍ Describe programme №{id} as a best practice").format(id=programme.id),
                CaseAction(verb=CaseVerb.WRITE, programme_id=programme.id),
            )
        )
    await message.answer("\n".join(lines), reply_markup=button_rows(buttons) if buttons else None)


@router.callback_query(LibraryPractices.filter())
async def practices_listed(query: CallbackQuery, session: AsyncSession) -> None:
    """The collection of best practices (stage 6): approved descriptions, newest first."""
    practices = list(reversed(await best_practices(session)))[:PAGE]
    where = chat_of(query)
    await query.answer()
    buttons: list[tuple[str, CallbackData]] = [
        (
            _("№{id}: {goal}").format(id=p.programme.id, goal=shorten(p.programme.goal, 50)),
            CaseAction(verb=CaseVerb.OPEN, programme_id=p.programme.id),
        )
        for p in practices
    ]
    await where.answer(
        _("The collection of best practices, approved by the curator:") if buttons else _("None."),
        reply_markup=button_rows(buttons) if buttons else None,
    )


@router.callback_query(LibraryOpen.filter())
async def material_opened(
    query: CallbackQuery, callback_data: LibraryOpen, session: AsyncSession, actor: Actor | None
) -> None:
    actor = _actor(actor)
    material = await get_material(session, actor, callback_data.material_id)
    where = chat_of(query)
    await query.answer()
    lines = [f"<b>{escape(material.title)}</b>", _(AUDIENCE_LABELS[material.audience])]
    if material.tags:
        lines.append(_("Tags: {tags}").format(tags=escape(", ".join(material.tags))))
    if material.url:
        lines.append(escape(material.url))
    if material.body:
        lines += ["", escape(material.body)]
    markup = None
    actions: list[tuple[str, CallbackData]] = []
    if actor.is_curator:
        actions.append(
            (_("📣 Send to its audience"), LibrarySend(verb=SendVerb.ASK, material_id=material.id))
        )
    if actor.is_curator or material.author_id == actor.participant_id:
        actions.append((_("Delete"), LibraryDelete(material_id=material.id)))
    if actions:
        markup = button_rows(actions)
    if material.file_id:
        await where.answer_document(
            material.file_id, caption="\n".join(lines)[:1000], reply_markup=markup
        )
    else:
        await where.answer("\n".join(lines), reply_markup=markup)


@router.callback_query(LibraryDelete.filter())
async def material_deleted(
    query: CallbackQuery, callback_data: LibraryDelete, session: AsyncSession, actor: Actor | None
) -> None:
    await delete_material(session, _actor(actor), callback_data.material_id)
    await query.answer(_("Deleted from the library."))
    await set_buttons(query, None)


@router.callback_query(LibraryAdd.filter())
async def adding_started(
    query: CallbackQuery,
    callback_data: LibraryAdd,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor | None,
) -> None:
    actor = _actor(actor)
    if not await may_add(session, actor) or (callback_data.event_id and not actor.is_curator):
        await query.answer(
            _("Materials are added by the curator and the mentors of the bank."), show_alert=True
        )
        return
    await query.answer()
    await ADDING.start(Turn(chat_of(query), state), {"event_id": callback_data.event_id or None})


async def _title(turn: Turn) -> Any:
    return clean_title(turn.text or "")


async def _content(turn: Turn) -> Any:
    """A file (its id kept beside), a link or a text."""
    message = turn.sent
    if message.document is not None:
        await turn.state.update_data(file_id=message.document.file_id)
        return None
    if message.text is None:
        raise InvalidValue(CONTENT)
    await turn.state.update_data(file_id=None)
    return message.text


async def _tags(turn: Turn) -> Any:
    return parse_tags(turn.text or "")


async def _audience_question(turn: Turn) -> Question:
    buttons = [
        (_(text), FormOption(field="library_audience", code=code.value))
        for code, text in AUDIENCE_LABELS.items()
    ]
    return _("Who is it for?"), button_rows(buttons, width=3)


async def _audience(turn: Turn, code: str) -> Any:
    if code not in {audience.value for audience in MaterialAudience}:
        raise InvalidValue(STALE)
    return code


async def _added(turn: Turn) -> None:
    data = await turn.answers()
    material = await add_material(
        turn.session,
        _actor(turn.deps.get("actor")),
        title=data.get("title", ""),
        content=data.get("content"),
        file_id=data.get("file_id"),
        tags=list(data.get("tags") or []),
        audience=MaterialAudience(data["library_audience"]),
        event_id=data.get("event_id"),
    )
    await turn.state.clear()
    if material.event_id:
        notifier: Notifier = turn.deps["notifier"]
        await notifier.notices("event.material", material.id)


def _added_line(_value: Any, answers: dict[str, Any]) -> str:
    """The pressed «who is it for?» becomes the outcome."""
    return _("Added to the library: «{title}». /library shows it.").format(
        title=escape(answers.get("title", ""))
    )


CONTENT = N_("Send a file, a link or a text.")
ADDING = Form(
    [
        Step(Adding.title, "title", question=N_("The material's title (or /cancel):"), read=_title),
        Step(
            Adding.content,
            "content",
            question=N_("Send the file, a link (https://…) or the text of the material:"),
            read=_content,
            media=True,
            refusal=CONTENT,
        ),
        Step(
            Adding.tags,
            "tags",
            question=N_("Tags, separated by commas (or «-» for none):"),
            read=_tags,
        ),
        Step(
            Adding.audience,
            "library_audience",
            question=_audience_question,
            press=_audience,
            line=_added_line,
        ),
    ],
    _added,
)
ADDING.register(router)


@router.callback_query(FormOption.filter(F.field == "library_audience"))
async def stale_audience(query: CallbackQuery) -> None:
    await query.answer(_("This form is closed. Send /library again."), show_alert=True)


def _broadcast_text(material: Material) -> str:
    parts = [_("📚 From the methodical library:"), material.title]
    parts += [material.url or material.body or "", _("More: /library")]
    return "\n".join(part for part in parts if part)


@router.callback_query(LibrarySend.filter())
async def material_sent(
    query: CallbackQuery,
    callback_data: LibrarySend,
    session: AsyncSession,
    actor: Actor | None,
) -> None:
    actor = _actor(actor)
    actor.require_curator()
    material = await get_material(session, actor, callback_data.material_id)
    audience = BROADCAST_AUDIENCE[material.audience]
    where = chat_of(query)
    await query.answer()
    if callback_data.verb == SendVerb.ASK:  # nothing is sent before the curator confirms
        count = len(await audience_chats(session, audience))
        await where.answer(
            _("Send «{title}» to {count} recipient(s) ({audience})?").format(
                title=escape(material.title),
                count=count,
                audience=_(AUDIENCE_LABELS[material.audience]),
            ),
            reply_markup=button_rows(
                [(_("Send"), LibrarySend(verb=SendVerb.SEND, material_id=material.id))]
            ),
        )
        return
    text = _broadcast_text(material)
    media = ("document", material.file_id) if material.file_id else None
    broadcast = await send_broadcast(
        session,
        actor,
        text=text[:CAPTION_LIMIT] if media else text,
        media=media,
        audience=audience,
        rendered=escape(text[:CAPTION_LIMIT] if media else text),
    )
    await show_outcome(
        query,
        _("Queued for {count} recipient(s) through the outbox.").format(count=broadcast.recipients),
    )
