"""/publish: the curator keeps the site section (§11.1) — best cases with descriptions, news,
announcements, the legal base and methodical recommendations — previews it as one page in
chat, and publishes it to PUBLISH_DIR (or a cron job runs `python -m bot publish`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import bot.publication as publication  # a module: it imports rendering.views in turn
from bot.config import Settings
from handlers.forms import Form, Question, Step, Turn
from models.access import Actor
from models.audit import record_view
from models.best_cases import waiting_descriptions
from models.enums import ProgrammeStatus
from models.errors import NotFound
from models.fields import parse_date
from models.i18n_marker import N_
from models.programmes import Programme
from models.site import SiteKind, add_item, delete_item, items, toggle_best_case
from rendering.case_views import CaseAction, CaseVerb
from rendering.texts import shorten
from rendering.ui import DbInt, button_rows, chat_of, show_outcome

router = Router(name=__name__)


class PublishVerb(StrEnum):
    """What a site-section button does."""

    TOGGLE = "toggle"
    ADD = "add"
    ITEMS = "items"
    DELETE = "delete"
    PREVIEW = "preview"
    PUBLISH = "publish"


class PublishAction(CallbackData, prefix="pb"):
    action: PublishVerb
    programme_id: DbInt = 0
    kind: str = ""


class Editing(StatesGroup):
    typing_date = State()
    typing_item = State()


KINDS = (SiteKind.NEWS, SiteKind.ANNOUNCEMENT, SiteKind.LEGAL, SiteKind.METHOD)


def _kind_label(kind: SiteKind) -> str:
    return {
        SiteKind.NEWS: _("News"),
        SiteKind.ANNOUNCEMENT: _("Announcement of an event"),
        SiteKind.LEGAL: _("Legal base: a document or link"),
        SiteKind.METHOD: _("Methodical recommendation"),
    }[kind]


async def _menu(session: AsyncSession, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    completed = list(
        await session.scalars(
            select(Programme)
            .where(Programme.status == ProgrammeStatus.COMPLETED)
            .order_by(Programme.id.desc())
            .limit(30)
        )
    )
    buttons: list[tuple[str, CallbackData]] = [
        (
            ("⭐ " if p.best_case else "☆ ")
            + _("№{id}: {goal}").format(id=p.id, goal=shorten(p.goal, 40)),
            PublishAction(action=PublishVerb.TOGGLE, programme_id=p.id),
        )
        for p in completed
    ]
    waiting = {row.programme_id for row in await waiting_descriptions(session)}
    buttons += [
        (
            _("🕓 Best practice №{id} waits for approval").format(id=pid),
            CaseAction(verb=CaseVerb.OPEN, programme_id=pid),
        )
        for pid in sorted(waiting)
    ]
    buttons += [
        (
            _("✏ Describe best practice №{id}").format(id=p.id),
            CaseAction(verb=CaseVerb.WRITE, programme_id=p.id),
        )
        for p in completed[:10]
        if p.id not in waiting
    ]
    buttons += [
        ("➕ " + _kind_label(kind), PublishAction(action=PublishVerb.ADD, kind=kind.value))
        for kind in KINDS
    ]
    buttons.append(
        (_("🗑 Remove news, announcements, documents"), PublishAction(action=PublishVerb.ITEMS))
    )
    buttons.append((_("👁 Preview the section"), PublishAction(action=PublishVerb.PREVIEW)))
    if settings.publish_dir is not None:
        buttons.append((_("🌐 Publish on the site"), PublishAction(action=PublishVerb.PUBLISH)))
    text = _(
        "<b>The college site's mentoring section</b>\n"
        "Completed programmes: a best case (⭐) is one whose description (goal, what was done, "
        "results, lessons) you approved — the mentor writes it from /library, or you with the "
        "methodical council; tap ⭐ to take it off the site or ☆ to put it back. Add news, "
        "announcements, documents of the legal base and methodical recommendations; preview "
        "the whole section, then publish it."
    )
    if settings.publish_dir is None:  # no «Publish» button here: say what to do instead
        text += "\n\n" + _(
            "Publishing straight to the site is not set up (PUBLISH_DIR): download the preview "
            "and give it to the site's administrator, or ask them to set it up."
        )
    return text, button_rows(buttons)


@router.message(Command("publish"))
async def cmd_publish(message: Message, session: AsyncSession, settings: Settings) -> None:
    text, markup = await _menu(session, settings)
    await message.answer(text, reply_markup=markup)


@router.callback_query(PublishAction.filter(F.action == PublishVerb.TOGGLE))
async def best_case_toggled(
    query: CallbackQuery,
    callback_data: PublishAction,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
) -> None:
    await toggle_best_case(session, actor, callback_data.programme_id)
    text, markup = await _menu(session, settings)
    await show_outcome(query, text, reply_markup=markup)
    await query.answer()


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""


@router.callback_query(PublishAction.filter(F.action == PublishVerb.ADD))
async def add_requested(
    query: CallbackQuery, callback_data: PublishAction, state: FSMContext
) -> None:
    try:
        kind = SiteKind(callback_data.kind)
    except ValueError:
        raise NotFound() from None
    await state.update_data(kind=kind.value, event_date=None)
    await query.answer()
    step = ITEM.steps[0 if kind == SiteKind.ANNOUNCEMENT else 1]
    await ITEM.ask(Turn(chat_of(query), state), step)


async def _item_question(turn: Turn) -> Question:
    kind = SiteKind((await turn.answers())["kind"])
    return _(
        "{kind}: send the title on the first line, then the text; put a link (https://…) on a "
        "line of its own if there is one. /cancel stops."
    ).format(kind=_kind_label(kind)), None


async def _event_date(turn: Turn) -> Any:
    return parse_date(turn.text, turn.today, "future").isoformat()


async def _item_added(turn: Turn) -> None:
    data = await turn.answers()
    when = data.get("event_date")
    item = await add_item(
        turn.session,
        turn.actor,
        SiteKind(data["kind"]),
        data["item"],
        datetime.fromisoformat(when).date() if when else None,
    )
    await turn.state.clear()
    await turn.message.answer(
        _("Added: «{title}». /publish to preview the section.").format(title=escape(item.title))
    )


ITEM = Form(
    [
        Step(
            Editing.typing_date,
            "event_date",
            question=N_("The date of the event (DD.MM.YYYY)? /cancel stops."),
            read=_event_date,
        ),
        Step(Editing.typing_item, "item", question=_item_question, read=_as_typed),
    ],
    _item_added,
)
ITEM.register(router)


@router.callback_query(PublishAction.filter(F.action == PublishVerb.ITEMS))
async def items_listed(query: CallbackQuery, session: AsyncSession) -> None:
    found = await items(session, *KINDS)
    buttons = [
        (
            f"🗑 {_kind_label(item.kind)}: {shorten(item.title, 40)}",
            PublishAction(action=PublishVerb.DELETE, programme_id=item.id),
        )
        for item in found[:40]
    ]
    await query.answer()
    await chat_of(query).answer(
        _("Tap one to remove it from the site.") if buttons else _("None."),
        reply_markup=button_rows(buttons) if buttons else None,
    )


@router.callback_query(PublishAction.filter(F.action == PublishVerb.DELETE))
async def item_deleted(
    query: CallbackQuery, callback_data: PublishAction, session: AsyncSession, actor: Actor
) -> None:
    await delete_item(session, actor, callback_data.programme_id)
    await show_outcome(query, _("Removed; it disappears from the site at the next publication."))
    await query.answer()


@router.callback_query(PublishAction.filter(F.action == PublishVerb.PREVIEW))
async def preview_requested(
    query: CallbackQuery, session: AsyncSession, actor: Actor, settings: Settings, i18n: I18n
) -> None:
    with i18n.use_locale(settings.default_locale):  # the site speaks the college's language
        page = await publication.render_publication(
            session,
            settings.organization_name,
            settings.default_locale,
            datetime.now(settings.timezone),
            publication.regulation_text(settings.regulation_file),
        )
    await record_view(session, actor.telegram_id, "publish.preview")
    await query.answer()
    await chat_of(query).answer_document(
        BufferedInputFile(page.encode("utf-8"), filename="Раздел_Наставничество_просмотр.html"),
        caption=_(
            "The whole section on one page: open the file to check it before publishing. "
            "On the site it is several pages with the same menu."
        ),
    )


@router.callback_query(PublishAction.filter(F.action == PublishVerb.PUBLISH))
async def publish_requested(
    query: CallbackQuery, session: AsyncSession, actor: Actor, settings: Settings, i18n: I18n
) -> None:
    if settings.publish_dir is None:
        raise NotFound()
    with i18n.use_locale(settings.default_locale):
        site = await publication.publish_site(session, settings, settings.publish_dir)
    await record_view(session, actor.telegram_id, "publish", pages=len(site.pages))
    await query.answer()
    await chat_of(query).answer(
        _("Published: {count} pages of the section are on the site.").format(count=len(site.pages))
    )
