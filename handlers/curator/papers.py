"""Consent forms to sign on paper, and the curator's mark "signed paper received" per person."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from documents import content
from handlers.context import Context
from handlers.curator.documents import (
    LIST_LIMIT,
    college_of,
    consent_text,
    russian,
    send_doc,
)
from handlers.notify import Notifier
from models.audit import record_view
from models.consent import CONSENT_VERSIONS, consent_history
from models.enums import ConsentKind, PaperKind, ParticipantStatus
from models.errors import NotFound
from models.pairs import Pair, pairs_of
from models.papers import mark_paper, papers_of
from models.participant import Participant
from rendering.texts import shorten
from rendering.ui import DocumentChoice, Keyboard, chat_of, label, show_outcome, shown
from rendering.views import day

router = Router(name=__name__)


class PaperVerb(StrEnum):
    """What a signed-papers button does."""

    MENU = "menu"
    FORM = "form"
    MARK = "mark"
    UNMARK = "unmark"


class PaperAction(CallbackData, prefix="sp"):
    action: PaperVerb
    pid: int
    kind: str = ""
    pair: int = 0


async def expected_papers(session: AsyncSession, person: Participant) -> list[tuple[str, int]]:
    """The consents this person signs on paper: (kind, pair id or 0)."""
    if not person.full_name:
        return []
    found = [(PaperKind.PERSONAL_DATA.value, 0)]
    if person.mentor_profile is not None:
        found.append((PaperKind.MENTORING.value, 0))
    found += [(PaperKind.PAIR.value, pair.id) for pair in await pairs_of(session, person.id)]
    return found


def paper_title(kind: str, pair_id: int) -> str:
    title = label(PaperKind(kind))
    return f"{title} №{pair_id}" if pair_id else title


async def papers_lines(session: AsyncSession, person: Participant, zone: ZoneInfo) -> str:
    """For the participant card: which signed papers the curator has received."""
    received = {(p.kind.value, p.pair_id): p for p in await papers_of(session, person.id)}
    lines = []
    for kind, pair_id in await expected_papers(session, person):
        paper = received.get((kind, pair_id))
        state = (
            _("received {date}").format(date=day(paper.received_at.astimezone(zone).date()))
            if paper
            else _("not received")
        )
        lines.append(f"• {paper_title(kind, pair_id)}: {state}")
    return "\n".join(lines) or "—"


def card_button(pid: int) -> tuple[str, PaperAction]:
    return _("Paper consents"), PaperAction(action=PaperVerb.MENU, pid=pid)


async def render_menu(
    session: AsyncSession, person: Participant, zone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    received = {(p.kind.value, p.pair_id) for p in await papers_of(session, person.id)}
    text = "<b>{title}</b>\n{name}\n\n{lines}".format(
        title=_("Signed paper consents"),
        name=escape(person.full_name or ""),
        lines=escape(await papers_lines(session, person, zone)),
    )
    builder = Keyboard()
    for kind, pair_id in await expected_papers(session, person):
        title = paper_title(kind, pair_id)
        builder.button(
            text=shorten(_("Form: {title}").format(title=title), 60),
            callback_data=PaperAction(
                action=PaperVerb.FORM, pid=person.id, kind=kind, pair=pair_id
            ),
        )
        done = (kind, pair_id) in received
        builder.button(
            text=(_("Undo: received") if done else _("Mark: signed paper received"))[:60],
            callback_data=PaperAction(
                action="unmark" if done else "mark", pid=person.id, kind=kind, pair=pair_id
            ),
        )
    builder.adjust(2)
    return text, builder.as_markup()


async def people_menu(message: Message, session: AsyncSession) -> None:
    people = await session.scalars(
        select(Participant)
        .where(Participant.status == ParticipantStatus.ACTIVE, Participant.full_name.is_not(None))
        .order_by(Participant.full_name)
        .limit(LIST_LIMIT)
    )
    builder = Keyboard()
    for person in people:
        builder.button(
            text=shorten(person.full_name or "", 50),
            callback_data=PaperAction(action=PaperVerb.MENU, pid=person.id),
        )
    builder.adjust(1)
    await message.answer(
        _("Whose consent forms? (Anyone else: /participants, the person's card.)"),
        reply_markup=builder.as_markup(),
    )


@router.callback_query(DocumentChoice.filter(F.kind == "people"))
async def people_chosen(query: CallbackQuery, session: AsyncSession) -> None:
    await query.answer()
    await people_menu(shown(query), session)


async def consent_form(
    session: AsyncSession,
    person: Participant,
    paper: tuple[str, int],
    college: content.College,
    notifier: Notifier,
    today: date,
) -> content.Doc:
    """The form of one expected paper: `paper` is its kind and, for a pair's consent, the pair."""
    kind, pair_id = paper
    i18n, settings = notifier.i18n, notifier.settings
    history = await consent_history(session, person.id)
    if kind == PaperKind.PAIR.value:
        pair = await session.get(Pair, pair_id)
        if pair is None or person.id not in (pair.mentor_id, *[m.mentee_id for m in pair.members]):
            raise NotFound()
        people = await content.People.load(session)
        if pair.mentor_id == person.id:
            moment = pair.mentor_accepted_at
        else:
            moment = next(m.accepted_at for m in pair.members if m.mentee_id == person.id)
        return content.consent_doc(
            "consent_pair",
            person,
            college,
            today,
            text=content.pair_consent_text(pair, people, russian(i18n)),
            given_on=college.local_day(moment),
            pair=pair,
            people=people,
        )
    consent_kind = ConsentKind(kind)
    given = [c for c in history if c.kind == consent_kind]
    latest = given[-1] if given else None
    locale = latest.locale if latest else "ru"
    current = CONSENT_VERSIONS[consent_kind]
    if latest is not None and latest.version != current:
        latest = None  # agreed to an older text: the form is of the current one, not yet agreed
    return content.consent_doc(
        "consent_personal_data" if consent_kind == ConsentKind.PERSONAL_DATA else "consent_mentor",
        person,
        college,
        today,
        text=consent_text(i18n, consent_kind, settings.organization_name, locale),
        version=current,
        given_on=college.local_day(latest.given_at) if latest else None,
    )


@router.callback_query(PaperAction.filter())
async def paper_action(query: CallbackQuery, callback_data: PaperAction, context: Context) -> None:
    person = await context.session.get(Participant, callback_data.pid)
    if person is None or not person.full_name:
        raise NotFound()
    expected = await expected_papers(context.session, person)
    chosen = (callback_data.kind, callback_data.pair)
    if callback_data.action != PaperVerb.MENU and chosen not in expected:
        raise NotFound()
    if callback_data.action == PaperVerb.FORM:
        await query.answer()
        college = await college_of(context.session, context.settings, context.actor)
        doc = await consent_form(
            context.session, person, chosen, college, context.notifier, context.today
        )
        await record_view(
            context.session,
            context.actor.telegram_id,
            "docs",
            kind=callback_data.kind,
            item=person.id,
        )
        await send_doc(shown(query), doc, context.settings)
        return
    if callback_data.action in (PaperVerb.MARK, PaperVerb.UNMARK):
        await mark_paper(
            context.session,
            context.actor,
            person.id,
            *chosen,
            received=callback_data.action == PaperVerb.MARK,
        )
    text, markup = await render_menu(context.session, person, context.settings.timezone)
    await query.answer()
    if callback_data.action == PaperVerb.MENU:
        await chat_of(query).answer(text, reply_markup=markup)
    else:
        await show_outcome(query, text, reply_markup=markup)
