"""/approvals: the director approves the bank entries or returns them with a comment (§6.3.3);
the curator sees what came back and sends it again."""

from __future__ import annotations

from enum import StrEnum
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.access import Actor
from models.approvals import (
    BankEntryState,
    BankRole,
    approve_entry,
    entries,
    resubmit_entry,
    return_entry,
)
from models.director import director_telegram_ids, is_director
from models.i18n_marker import N_
from models.participant import Participant, curator_telegram_ids
from rendering.texts import format_time, profile_card
from rendering.ui import DbInt, button_rows, chat_of

router = Router(name=__name__)
SHOWN = 10
ROLE_NAMES = {BankRole.MENTOR: N_("bank of mentors"), BankRole.MENTEE: N_("bank of mentees")}


class Verb(StrEnum):
    APPROVE = "ok"
    RETURN = "ret"
    RESUBMIT = "again"


class EntryAction(CallbackData, prefix="bk"):
    verb: Verb
    participant_id: DbInt
    role: BankRole


class Returning(StatesGroup):
    comment = State()


def _button(text: str, verb: Verb, entry: BankEntryState) -> tuple[str, EntryAction]:
    return text, EntryAction(verb=verb, participant_id=entry.person.id, role=entry.role)


def _heading(entry: BankEntryState) -> str:
    return "<b>{}</b>".format(
        _("№{id}, {bank}").format(id=entry.person.id, bank=_(ROLE_NAMES[entry.role]))
    )


async def _show(
    message: Message, director: bool, settings: Settings, entry: BankEntryState
) -> None:
    parts = [_heading(entry), profile_card(entry.person)]
    last = entry.last
    if entry.state == "returned" and last is not None:
        parts.append(
            _("Returned by the director on {when}: {comment}").format(
                when=format_time(last.decided_at, settings.timezone),
                comment=escape(last.comment or ""),
            )
        )
        markup = button_rows([_button(_("Send to the director again"), Verb.RESUBMIT, entry)])
    elif director:
        if last is not None and last.comment:
            parts.append(_("Returned before: {comment}").format(comment=escape(last.comment)))
        markup = button_rows(
            [
                _button(_("Approve the entry"), Verb.APPROVE, entry),
                _button(_("Return to the curator"), Verb.RETURN, entry),
            ],
            width=2,
        )
    else:
        markup = None
    await message.answer("\n\n".join(parts), reply_markup=markup)


@router.message(Command("approvals"))
async def cmd_approvals(
    message: Message, session: AsyncSession, participant: Participant | None, settings: Settings
) -> None:
    director = is_director(participant)
    waiting, waiting_total = await entries(session, "waiting", SHOWN)
    returned, returned_total = await entries(session, "returned", SHOWN)
    await message.answer(
        _(
            "The banks of mentors and mentees are approved by the director (§6.3.3).\n"
            "Waiting for the director: {waiting}. Returned to the curator: {returned}."
        ).format(waiting=waiting_total, returned=returned_total)
    )
    # The director decides what waits; a curator fixes what came back.
    for entry in waiting if director else returned:
        await _show(message, director, settings, entry)
    shown = len(waiting if director else returned)
    total = waiting_total if director else returned_total
    if total > shown:
        await message.answer(
            _("Shown the first {shown}; decide on these to see the rest.").format(shown=shown)
        )


@router.callback_query(EntryAction.filter(F.verb == Verb.APPROVE))
async def entry_approved(
    query: CallbackQuery,
    callback_data: EntryAction,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    row = await approve_entry(
        session,
        participant,
        callback_data.participant_id,
        callback_data.role,
        curator_chat_ids=await _curators(session, notifier.settings),
    )
    await query.answer(_("Approved."))
    outcome = _("✅ №{id} approved by the director").format(id=callback_data.participant_id)
    await show_decided(query, stamp, outcome)
    await notifier.notices("bank.approved", row.id, to_curators=False)


async def _curators(session: AsyncSession, settings: Settings) -> set[int]:
    """Who is told of the director's decisions on the banks: the curators, not a director."""
    curators = set(await curator_telegram_ids(session, settings.curator_ids))
    return curators - set(await director_telegram_ids(session))


@router.callback_query(EntryAction.filter(F.verb == Verb.RETURN))
async def entry_return_asked(
    query: CallbackQuery,
    callback_data: EntryAction,
    state: FSMContext,
    participant: Participant | None,
) -> None:
    if not is_director(participant):
        await query.answer(
            _("Only the director approves the banks of mentors and mentees."), show_alert=True
        )
        return
    answers = {"participant_id": callback_data.participant_id, "role": callback_data.role}
    await RETURN.start(Turn(chat_of(query), state), answers)
    await remember_origin(state, query.message)  # the entry shows the return when it is made
    await query.answer()


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""


async def _returned(turn: Turn) -> None:
    context: Context = turn.deps["context"]
    session, notifier = context.session, context.notifier
    data = await turn.answers()
    curators = await _curators(session, notifier.settings)
    row = await return_entry(
        session,
        context.participant,
        int(data.get("participant_id", 0)),
        str(data.get("role", "")),
        data["return_comment"],
        curators,
    )
    await turn.state.clear()
    await turn.message.answer(_("Returned to the curator with your comment."))
    await show_outcome_later(notifier.bot, data, context.stamp, _("↩ Returned to the curator"))
    await notifier.notices("bank.returned", row.id, to_curators=False)


RETURN = Form(
    [
        Step(
            Returning.comment,
            "return_comment",
            question=N_("What should the curator fix? Write a comment (or /cancel)."),
            read=_as_typed,
        )
    ],
    _returned,
)
RETURN.register(router)


@router.callback_query(EntryAction.filter(F.verb == Verb.RESUBMIT))
async def entry_resubmitted(
    query: CallbackQuery,
    callback_data: EntryAction,
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
) -> None:
    await resubmit_entry(session, actor, callback_data.participant_id, callback_data.role)
    await query.answer(_("Sent to the director again."))
    outcome = _("📨 №{id} is with the director again").format(id=callback_data.participant_id)
    await show_decided(query, stamp, outcome)


def approval_lines(entries: list[BankEntryState], settings: Settings) -> list[str]:
    """The director's decision on each bank entry of a person, for the person's card."""
    lines = []
    for entry in entries:
        bank = _(ROLE_NAMES[entry.role])
        last = entry.last
        if entry.state == "approved" and last is not None:
            text = _("{bank}: approved by the director, {when}").format(
                bank=bank, when=format_time(last.decided_at, settings.timezone)
            )
        elif entry.state == "returned" and last is not None:
            text = _("{bank}: returned by the director: {comment}").format(
                bank=bank, comment=escape(last.comment or "")
            )
        else:
            text = _("{bank}: waits for the director's approval").format(bank=bank)
        lines.append(text)
    return lines
