"""/plan: the programme with statuses, deadlines, a progress bar and overdue marks;
the vote to complete it when every activity is confirmed (§10.1.1)."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.notify import notify_participants
from handlers.outcome import show_decided
from handlers.programme.common import programme_text, show_programme
from handlers.survey import offer_survey
from handlers.ui import (
    ActivityAction,
    ActivityVerb,
    PairPurpose,
    PickPair,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    shown,
)
from models.access import Actor
from models.enums import ActivityStatus, ProgrammeStatus, Side
from models.errors import NotRegistered
from models.programmes import Programme, get_programme, programmes_of, vote_completion

router = Router(name=__name__)


def plan_actions(programme: Programme, actor: Actor) -> InlineKeyboardMarkup | None:
    side = programme.pair.side_of(actor.participant_id)
    if programme.status != ProgrammeStatus.APPROVED or side is None:
        return None
    buttons: list[tuple[str, CallbackData]] = []
    if side == Side.MENTEE:
        report = ProgrammeAction(action=ProgrammeVerb.REPORT, programme_id=programme.id)
        buttons.append((_("✅ Report an activity done"), report))
    else:  # the mentor checks what waits for them
        for number, activity in enumerate(programme.activities, 1):
            if activity.status == ActivityStatus.REPORTED:
                confirm = ActivityAction(action=ActivityVerb.CONFIRM, activity_id=activity.id)
                back = ActivityAction(action=ActivityVerb.RETURN, activity_id=activity.id)
                buttons.append((_("✔ Confirm {n}").format(n=number), confirm))
                buttons.append((_("↩ Return {n}").format(n=number), back))
    buttons.append(
        (_("📝 Log a meeting"), PickPair(action=PairPurpose.MEETING, pair_id=programme.pair_id))
    )
    if programme.plan_done and actor.participant_id not in programme.completion_votes:
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
    today: date,
) -> None:
    """Pressed on the plan: the plan re-rendered in place with the new figures and buttons, and
    the outcome under it; pressed on a notice: the notice with the outcome."""
    if not shows_plan(query.message):
        await show_decided(query, stamp, outcome)
        return
    await session.refresh(programme, attribute_names=["activities"])
    view = await programme_text(session, programme, today)
    markup = plan_actions(programme, actor)
    await show_decided(query, stamp, outcome, text=view, markup=markup)


@router.message(Command("plan"))
async def cmd_plan(
    message: Message, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    if actor is None or actor.participant_id is None:
        raise NotRegistered()
    programmes = await programmes_of(session, actor.participant_id)
    if not programmes:
        await message.answer(
            _("You have no programme yet. It is drafted by the mentor once the pair is approved.")
        )
        return
    for programme in programmes[:3]:
        await show_programme(message, session, programme, today, plan_actions(programme, actor))


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.VIEW))
async def plan_opened(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    session: AsyncSession,
    actor: Actor,
    today: date,
) -> None:
    programme = await get_programme(session, actor, callback_data.programme_id)
    await query.answer()
    await show_programme(shown(query), session, programme, today, plan_actions(programme, actor))


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.COMPLETE))
async def completion_voted(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    stamp: Stamp,
    today: date,
) -> None:
    programme = await vote_completion(session, actor, callback_data.programme_id)
    if programme.status != ProgrammeStatus.COMPLETED:
        await query.answer()
        outcome = _("✅ Agreed to complete; the programme completes when the other side agrees too")
        await show_outcome_on_plan(query, session, programme, actor, stamp, outcome, today)
        return
    await query.answer(_("The programme is completed."))
    outcome = _("🏁 The programme is completed")
    await show_outcome_on_plan(query, session, programme, actor, stamp, outcome, today)

    def render() -> tuple[str, None]:
        return _(
            "Congratulations: the programme is completed, the plan is fully done (§10.1.1)."
        ), None

    pair = programme.pair
    await notify_participants(bot, session, i18n, [pair.mentor_id, *pair.mentee_ids], render)
    await offer_survey(bot, session, i18n, programme)
