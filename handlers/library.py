"""/library: the methodical library. Everyone browses and searches it (/library word); the
curator and the mentors of the bank add a file, a link or a text with tags and an audience;
the curator attaches materials to a roadmap event from the stage card."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

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
from rendering.ui import DbInt, button_rows, chat_of, set_buttons, show_outcome

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


class LibraryAudience(CallbackData, prefix="lbu"):
    audience: MaterialAudience


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
        (f"{n}. {m.title[:40]}", LibraryOpen(material_id=m.id))
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
            _("№{id}: {goal}").format(id=p.programme.id, goal=p.programme.goal[:50]),
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
    where = chat_of(query)
    await state.set_state(Adding.title)
    await state.set_data({"event_id": callback_data.event_id or None})
    await query.answer()
    await where.answer(_("The material's title (or /cancel):"))


@router.message(Adding.title, F.text)
async def title_entered(message: Message, state: FSMContext) -> None:
    await state.update_data(title=clean_title(message.text or ""))
    await state.set_state(Adding.content)
    await message.answer(_("Send the file, a link (https://…) or the text of the material:"))


@router.message(Adding.content, F.document | F.text)
async def content_entered(message: Message, state: FSMContext) -> None:
    if message.document is not None:
        await state.update_data(file_id=message.document.file_id, content=None)
    else:
        await state.update_data(content=message.text, file_id=None)
    await state.set_state(Adding.tags)
    await message.answer(_("Tags, separated by commas (or «-» for none):"))


@router.message(Adding.content)
async def content_not_understood(message: Message) -> None:
    raise InvalidValue(N_("Send a file, a link or a text."))


@router.message(Adding.tags, F.text)
async def tags_entered(message: Message, state: FSMContext) -> None:
    await state.update_data(tags=parse_tags(message.text or ""))
    await state.set_state(Adding.audience)
    await message.answer(
        _("Who is it for?"),
        reply_markup=button_rows(
            [(_(text), LibraryAudience(audience=code)) for code, text in AUDIENCE_LABELS.items()],
            width=3,
        ),
    )


@router.callback_query(LibraryAudience.filter(), Adding.audience)
async def audience_chosen(
    query: CallbackQuery,
    callback_data: LibraryAudience,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor | None,
    notifier: Notifier,
) -> None:
    data = await state.get_data()
    material = await add_material(
        session,
        _actor(actor),
        title=data.get("title", ""),
        content=data.get("content"),
        file_id=data.get("file_id"),
        tags=list(data.get("tags") or []),
        audience=callback_data.audience,
        event_id=data.get("event_id"),
    )
    await state.clear()
    await query.answer()
    await show_outcome(
        query,
        _("Added to the library: «{title}». /library shows it.").format(
            title=escape(material.title)
        ),
    )
    if material.event_id:
        await notifier.notices("event.material", material.id)


@router.callback_query(LibraryAudience.filter())
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
