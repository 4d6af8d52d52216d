"""/plan: the programme with statuses, deadlines, a progress bar and overdue marks;
the vote to complete it when every activity is confirmed (§10.1.1)."""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.context import Context
from handlers.loaded import ProgrammeOf
from handlers.outcome import show_decided
from handlers.programme.common import programme_text, show_programme
from models.access import Actor
from models.comentors import is_co_mentor
from models.enums import ProgrammeStatus, Side
from models.errors import NotRegistered
from models.programmes import Programme, programmes_of, vote_completion
from models.progress import open_for, waiting_for
from rendering.ui import (
    ActivityVerb,
    DocumentChoice,
    PairPurpose,
    PartAction,
    PickPair,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    shown,
)
from rendering.views import names_of

router = Router(name=__name__)


async def plan_actions(
    session: AsyncSession, programme: Programme, actor: Actor
) -> InlineKeyboardMarkup | None:
    me = actor.participant_id or 0
    side = programme.pair.side_of(me)
    history = (
        _("🗂 History of changes"),
        ProgrammeAction(action=ProgrammeVerb.CHANGES, programme_id=programme.id),
    )
    if side is None and actor.is_curator:  # the curator's card: its paper too (/docs)
        paper = (
            _("📄 The programme as a document"),
            DocumentChoice(kind="programme", item=programme.id),
        )
        return button_rows([paper, history])
    meeting = (
        _("📝 Log a meeting"),
        PickPair(action=PairPurpose.MEETING, pair_id=programme.pair_id),
    )
    if programme.status != ProgrammeStatus.APPROVED:
        return None
    if side is None:  # a co-mentor (§7.1.1) reads and logs meetings, nothing else
        helps = await is_co_mentor(session, programme.pair, actor.participant_id)
        return button_rows([meeting]) if helps else None
    buttons: list[tuple[str, CallbackData]] = []
    if await open_for(session, programme, me):
        report = ProgrammeAction(action=ProgrammeVerb.REPORT, programme_id=programme.id)
        buttons.append((_("✅ Report an activity done"), report))
    # Reports waiting for this person's check, each by its stable ids (activity, mentee).
    numbers = {activity.id: n for n, activity in enumerate(programme.activities, 1)}
    waiting = await waiting_for(session, programme, me)
    names = await names_of(session, [part.mentee_id for _a, part in waiting])
    for activity, part in waiting:
        ids = {"activity_id": activity.id, "mentee_id": part.mentee_id}
        which = str(numbers[activity.id])
        if programme.pair.is_group and side == Side.MENTOR:
            which += f" ({names.get(part.mentee_id, '—')})"
        confirm = PartAction(action=ActivityVerb.CONFIRM, **ids)
        back = PartAction(action=ActivityVerb.RETURN, **ids)
        buttons.append((_("✔ Confirm {n}").format(n=which), confirm))
        buttons.append((_("↩ Return {n}").format(n=which), back))
    buttons.append(meeting)
    change = ProgrammeAction(action=ProgrammeVerb.CHANGE, programme_id=programme.id)
    buttons += [(_("✏ Propose a change (§10.2)"), change), history]
    if programme.plan_done and me not in programme.completion_votes:
        complete = ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme.id)
        buttons.append((_("🏁 Complete the programme"), complete))
    return button_rows(buttons) if buttons else None


def shows_plan(message: object) -> bool:
    """The pressed message is a plan (only a plan has «Log a meeting»), not a notice."""
    markup = getattr(message, "reply_markup", None)
    prefix = f"{PickPair.__prefix__}:meeting:"
    return markup is not None and any(
        (button.callback_data or "").startswith(prefix)
        for row in markup.inline_keyboard
        for button in row
    )


async def show_outcome_on_plan(
    query: CallbackQuery,
    session: AsyncSession,
    programme: Programme,
    actor: Actor,
    stamp: Stamp,
    outcome: str,
) -> None:
    """Pressed on the plan: the plan re-rendered in place with the new figures and buttons, and
    the outcome under it (as of the press's day); pressed on a notice: the notice with the
    outcome."""
    if not shows_plan(query.message):
        await show_decided(query, stamp, outcome)
        return
    await session.refresh(programme, attribute_names=["activities"])
    view = await programme_text(session, programme, stamp.at.date())
    markup = await plan_actions(session, programme, actor)
    await show_decided(query, stamp, outcome, text=view, markup=markup)


@router.message(Command("plan"))
async def cmd_plan(
    message: Message, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    if actor is None or actor.participant_id is None:
        raise NotRegistered()
    programmes = await programmes_of(session, actor.participant_id, co_mentored=True)
    if not programmes:
        await message.answer(
            _("You have no programme yet. It is drafted by the mentor once the pair is approved.")
        )
        return
    for programme in programmes[:3]:
        markup = await plan_actions(session, programme, actor)
        prefix = _co_mentor_mark(programme, actor)
        await show_programme(message, session, programme, today, markup, prefix)


def _co_mentor_mark(programme: Programme, actor: Actor) -> str:
    """Above a programme the person reads as a co-mentor: what they may do with it."""
    if programme.pair.side_of(actor.participant_id) is not None:
        return ""
    return _(
        "👥 <i>You are a co-mentor of this pair (§7.1.1): you see the programme and log "
        "meetings; reports, votes and changes are the mentor's and the mentee's.</i>"
    )


@router.callback_query(
    ProgrammeAction.filter(F.action == ProgrammeVerb.VIEW), ProgrammeOf(to_read=True)
)
async def plan_opened(
    query: CallbackQuery, programme: Programme, session: AsyncSession, actor: Actor, today: date
) -> None:
    await query.answer()
    markup = await plan_actions(session, programme, actor)
    prefix = "" if actor.is_curator else _co_mentor_mark(programme, actor)
    await show_programme(shown(query), session, programme, today, markup, prefix)


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.COMPLETE))
async def completion_voted(
    query: CallbackQuery, callback_data: ProgrammeAction, context: Context
) -> None:
    programme = await vote_completion(context.session, context.actor, callback_data.programme_id)
    if programme.status != ProgrammeStatus.COMPLETED:
        await query.answer()
        outcome = _(
            "✅ Agreed to complete; the programme completes when the mentor and every mentee "
            "have agreed"
        )
        await show_outcome_on_plan(
            query, context.session, programme, context.actor, context.stamp, outcome
        )
        return
    await query.answer(_("The programme is completed."))
    outcome = _("🏁 The programme is completed")
    await show_outcome_on_plan(
        query, context.session, programme, context.actor, context.stamp, outcome
    )
    await context.notifier.notices("programme.completed", programme.id, to_curators=False)
    await context.notifier.notices("programme.survey", programme.id, to_curators=False)
