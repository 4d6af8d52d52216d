"""/participants: the banks of mentors and mentees with filters (role, status, department) and
pages; a person's card (profile, questionnaire, consents, pairs, programmes) with the curator's
actions: accept or reject a mentor candidate, archive, mark for this year's mentoring."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.curator.admin import RoleMenu
from handlers.curator.approvals import approval_lines
from handlers.curator.papers import card_button, papers_lines
from models.access import Actor
from models.approvals import BankRole, entry_state
from models.audit import record_view
from models.banks import STATUSES, bank, set_archived, set_include_year
from models.broadcasts import departments
from models.choice import current_wishes
from models.comentors import co_mentorships_around
from models.consent import consent_history
from models.errors import NotFound
from models.formatting import moment
from models.i18n_marker import N_
from models.paging import slice_page
from models.pairs import pairs_of
from models.participant import Participant, get_participant_by_id
from models.programmes import programmes_of
from models.statistics import academic_year
from rendering.texts import consent_lines, profile_card, shorten
from rendering.ui import (
    DbInt,
    Keyboard,
    PickMentee,
    ProgrammeAction,
    ProgrammeVerb,
    add_buttons,
    chat_of,
    label,
    page_buttons,
    show_outcome,
)
from rendering.views import day, decision_keyboard, names_of, programme_lines

router = Router(name=__name__)
PAGE = 10
STATUS_LABELS = {
    "registered": N_("registered, no pair"),
    "in_pair": N_("in a pair"),
    "finished": N_("finished"),
    "withdrawn": N_("withdrew consent"),
    "unreachable": N_("unreachable"),
    "archived": N_("archived"),
}
# One person's status in the list (the labels above are the filters' plurals).
PERSON_STATUS_LABELS = {
    "registered": N_("registered, not in a pair"),
    "in_pair": N_("in a pair"),
    "finished": N_("finished the programme"),
    "withdrawn": N_("withdrew consent"),
    "unreachable": N_("not reachable"),
    "archived": N_("archived"),
}
ROLE_LABELS = {"all": N_("everyone"), "mentors": N_("mentors"), "mentees": N_("mentees")}


class BankView(CallbackData, prefix="bv"):
    role: str = "all"
    status: str = "all"
    dept: DbInt = -1  # index in the sorted list of departments; -1: any
    page: DbInt = 0
    q: str = ""  # the start of a surname (search), at most SEARCH_LENGTH letters
    y: int = 0  # only those marked for mentoring in this academic year (§6.4.2); 0: anyone


SEARCH_LENGTH = 12  # Cyrillic takes two bytes; Telegram allows 64 bytes of callback data


def search_text(typed: str | None) -> str:
    """Letters, spaces and hyphens of what the curator typed after the command, shortened."""
    kept = "".join(c for c in (typed or "") if c.isalpha() or c in " -")
    return " ".join(kept.split())[:SEARCH_LENGTH].strip()


class PersonVerb(StrEnum):
    """What a button on a person's card does."""

    CARD = "card"
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    INCLUDE = "include"
    EXCLUDE = "exclude"


class PersonAction(CallbackData, prefix="pn"):
    action: PersonVerb
    participant_id: DbInt


def _status(code: str) -> str:
    return _(STATUS_LABELS[code]) if code in STATUS_LABELS else _("everyone")


async def render_bank(
    session: AsyncSession, view: BankView, today: date | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    names = await departments(session)
    department = names[view.dept] if 0 <= view.dept < len(names) else None
    role = view.role if view.role in ROLE_LABELS else "all"
    status = view.status if view.status in STATUSES else "all"
    query = search_text(view.q)
    year = view.y if view.y > 0 else None
    entries = await bank(
        session, role=role, status=status, department=department, name=query, include_year=year
    )
    page = max(view.page, 0)
    listed = slice_page(entries, page, PAGE)
    shown = listed.items
    lines = [
        "<b>" + _("The banks of mentors and mentees") + "</b>",
        _("Who: {role}. Status: {status}. Department: {department}.").format(
            role=_(ROLE_LABELS[role]),
            status=_status(status),
            department=escape(department or _("any")),
        ),
    ]
    if query:
        lines.append(_("Search: «{query}».").format(query=escape(query)))
    if year:
        lines.append(
            _("Only those to be included in mentoring in {year}/{next}.").format(
                year=year, next=year + 1
            )
        )
    lines.append(_("Found: {n}").format(n=len(entries)))
    if not query:
        lines.append(_("To find a person, send /participants and the surname."))
    builder = Keyboard()
    for entry in shown:
        person = entry.person
        name = person.full_name or _("(personal data erased)")
        state = PERSON_STATUS_LABELS.get(entry.status)
        lines.append(f"№{person.id} {escape(name)} — {_(state) if state else entry.status}")
        builder.button(
            text=shorten(f"№{person.id} {name}", 50),
            callback_data=PersonAction(action=PersonVerb.CARD, participant_id=person.id),
        )
    add_buttons(
        builder,
        page_buttons(
            listed,
            lambda number: BankView(
                role=role, status=status, dept=view.dept, page=number, q=query, y=view.y
            ),
        ),
    )
    for code in ROLE_LABELS:
        mark = "• " if code == role else ""
        builder.button(
            text=mark + _(ROLE_LABELS[code]),
            callback_data=BankView(role=code, status=status, dept=view.dept, q=query, y=view.y),
        )
    for code in ("all", *STATUSES):
        mark = "• " if code == status else ""
        builder.button(
            text=mark + _status(code),
            callback_data=BankView(role=role, status=code, dept=view.dept, q=query, y=view.y),
        )
    for index, name in enumerate(names[:12]):
        mark = "• " if index == view.dept else ""
        builder.button(
            text=(mark + name)[:40],
            callback_data=BankView(
                role=role,
                status=status,
                dept=-1 if index == view.dept else index,
                q=query,
                y=view.y,
            ),
        )
    if query:
        builder.button(
            text=_("✖ Clear the search"),
            callback_data=BankView(role=role, status=status, dept=view.dept, y=view.y),
        )
    current = view.y or (academic_year(today)[0].year if today else 0)
    if current:
        builder.button(
            text=(
                _("• Only this year's list ({year}/{next})")
                if view.y
                else _("Only this year's list ({year}/{next})")
            ).format(year=current, next=current + 1),
            callback_data=BankView(
                role=role, status=status, dept=view.dept, q=query, y=0 if view.y else current
            ),
        )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


@router.message(Command("participants"))
async def cmd_participants(
    message: Message, command: CommandObject, session: AsyncSession, today: date
) -> None:
    text, markup = await render_bank(session, BankView(q=search_text(command.args)), today)
    await message.answer(text, reply_markup=markup)


@router.callback_query(BankView.filter())
async def bank_filtered(
    query: CallbackQuery, callback_data: BankView, session: AsyncSession, today: date
) -> None:
    text, markup = await render_bank(session, callback_data, today)
    await show_outcome(query, text, reply_markup=markup)
    await query.answer()


async def co_mentor_lines(
    session: AsyncSession, participant_id: int, settings: Settings
) -> list[str]:
    """§7.1.1 on the card: the pairs this person helps (or was asked to) and who helps the
    pairs they mentor, each with its state and the day of its last change."""
    rows = await co_mentorships_around(session, participant_id)
    if not rows:
        return []
    people = [i for row, pair in rows for i in (row.participant_id, pair.mentor_id)]
    names = await names_of(session, people)
    lines = ["", "<b>" + _("Co-mentors (§7.1.1)") + "</b>"]
    for row, pair in rows:
        when = day(
            (row.ended_at or row.answered_at or row.invited_at).astimezone(settings.timezone)
        )
        if row.participant_id == participant_id:
            text = _("Co-mentor of pair №{pair} (mentor {name}): {state}, {date}")
            who = names.get(pair.mentor_id, "—")
        else:
            text = _("Pair №{pair}: co-mentor {name} — {state}, {date}")
            who = names.get(row.participant_id, "—")
        lines.append(text.format(pair=pair.id, name=who, state=label(row.status), date=when))
    return lines


async def render_card(
    session: AsyncSession, person: Participant, settings: Settings, actor: Actor, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    parts = [f"<b>№{person.id}</b>"]
    if person.full_name:
        parts.append(profile_card(person))
    else:
        parts.append(_("(personal data erased)"))
    parts += [
        "",
        "<b>" + _("Consents") + "</b>",
        consent_lines(await consent_history(session, person.id), settings.timezone),
    ]
    if person.full_name:
        parts += [
            "",
            "<b>" + _("Signed paper consents") + "</b>",
            escape(await papers_lines(session, person, settings.timezone)),
        ]
    programmes = await programmes_of(session, person.id)
    parts += programme_lines(programmes)
    parts += await co_mentor_lines(session, person.id, settings)
    wish = (await current_wishes(session, [person.id])).get(person.id)
    if wish is not None:  # §9.2: the mentee's own choice, until a pair is formed
        mentor = (await names_of(session, [wish.mentor_id])).get(wish.mentor_id, "—")
        parts += [
            "",
            "<b>" + _("The mentee's wish") + "</b>",
            _("Asks for {mentor} as a mentor ({date}): «{reason}»").format(
                mentor=mentor,
                date=moment(wish.created_at, settings.timezone),
                reason=escape(wish.reason or "—"),
            ),
        ]
    approvals = [
        entry
        for role in BankRole
        if (entry := await entry_state(session, person.id, role)) is not None
    ]
    if approvals:  # §6.3.3: the curator sees the director's decisions
        parts += ["", "<b>" + _("The director's approval") + "</b>"]
        parts += approval_lines(approvals, settings)
    year = academic_year(today)[0].year
    if person.include_year:
        parts.append(
            _("To be included in mentoring in {year}/{next}.").format(
                year=person.include_year, next=person.include_year + 1
            )
        )
    builder = Keyboard()
    decision = decision_keyboard(person)
    if decision is not None:
        for row in decision.inline_keyboard:
            for button in row:
                builder.button(text=button.text, callback_data=button.callback_data)
    if person.full_name:
        if person.archived_at is None:
            builder.button(
                text=_("Archive"),
                callback_data=PersonAction(action=PersonVerb.ARCHIVE, participant_id=person.id),
            )
        else:
            builder.button(
                text=_("Back from the archive"),
                callback_data=PersonAction(action=PersonVerb.UNARCHIVE, participant_id=person.id),
            )
        if person.include_year == year:
            builder.button(
                text=_("Remove the mark for {year}/{next}").format(year=year, next=year + 1),
                callback_data=PersonAction(action=PersonVerb.EXCLUDE, participant_id=person.id),
            )
        else:
            builder.button(
                text=_("Include in mentoring in {year}/{next}").format(year=year, next=year + 1),
                callback_data=PersonAction(action=PersonVerb.INCLUDE, participant_id=person.id),
            )
    if person.full_name:
        text, data = card_button(person.id)
        builder.button(text=text, callback_data=data)
    if person.is_registered:
        builder.button(text=_("👤 Staff role"), callback_data=RoleMenu(participant_id=person.id))
    for programme in programmes[:3]:
        builder.button(
            text=_("Open №{id}").format(id=programme.id),
            callback_data=ProgrammeAction(action=ProgrammeVerb.VIEW, programme_id=programme.id),
        )
    in_bank = person.full_name and person.archived_at is None and person.unreachable_at is None
    if in_bank and person.mentee_profile is not None:
        mentored = any(p.mentor_id != person.id for p in await pairs_of(session, person.id))
        if not mentored:  # the curator goes straight to the ranked mentors (/pair)
            builder.button(
                text=_("🎯 Find a mentor"), callback_data=PickMentee(mentee_id=person.id)
            )
    builder.button(text=_("⬅ Back to the banks"), callback_data=BankView())
    builder.adjust(1)
    return "\n".join(parts), builder.as_markup()


@router.callback_query(PersonAction.filter())
async def person_action(
    query: CallbackQuery,
    callback_data: PersonAction,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    today: date,
) -> None:
    pid = callback_data.participant_id
    year = academic_year(today)[0].year
    if callback_data.action in (PersonVerb.ARCHIVE, PersonVerb.UNARCHIVE):
        await set_archived(session, actor, pid, callback_data.action == PersonVerb.ARCHIVE)
    elif callback_data.action in (PersonVerb.INCLUDE, PersonVerb.EXCLUDE):
        await set_include_year(
            session, actor, pid, year if callback_data.action == PersonVerb.INCLUDE else None
        )
    person = await get_participant_by_id(session, pid)
    if person is None:
        raise NotFound()
    text, markup = await render_card(session, person, settings, actor, today)
    if callback_data.action == PersonVerb.CARD:  # the person sees who viewed their data (/mydata)
        await record_view(session, actor.telegram_id, "participant.view", "participant", person.id)
    await query.answer()
    if callback_data.action == PersonVerb.CARD:
        await chat_of(query).answer(text, reply_markup=markup)
    else:
        await show_outcome(query, text, reply_markup=markup)
