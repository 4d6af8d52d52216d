"""/done: whoever the activity's responsible person is reports their part (§8.2.2) with
evidence; the other side confirms it or returns it with a comment (§7.1.4). In a group each
mentee has their own part (§4.2.8, models.progress). Buttons carry stable ids (the activity
and the mentee), never positions in a list. When the whole plan is confirmed, everyone is
offered to complete the programme."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.onboarding.options import STALE
from handlers.outcome import remember_origin, show_outcome_later
from handlers.plan import show_outcome_on_plan
from models.access import Actor
from models.errors import InvalidValue, NotRegistered
from models.fields import FIELDS
from models.programmes import Activity, get_activity, get_programme, programmes_of
from models.progress import (
    ActivityProgress,
    check_reviewable_part,
    open_for,
    report_occasion,
    report_part,
    reportable_parts,
    review_occasion,
    review_part,
    waiting_for,
)
from rendering.notices import send_notices
from rendering.ui import (
    SKIP,
    ActivityAction,
    ActivityVerb,
    FormOption,
    PartAction,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    prompt_of,
    set_buttons,
    shown,
)
from rendering.views import activity_details, day

router = Router(name=__name__)


class Reporting(StatesGroup):
    entering_comment = State()
    attaching_evidence = State()


class Returning(StatesGroup):
    entering_comment = State()


async def _offer_reportable(message: Message, activities: list[Activity], today: date) -> None:
    if not activities:
        await message.answer(
            _("Nothing to report: every activity of your running plan is reported.")
        )
        return
    buttons = []
    for activity in activities:
        mark = " ⚠️" if activity.overdue(today) else ""
        title = _("{title} (until {date}){mark}").format(
            title=activity.title[:50], date=day(activity.deadline), mark=mark
        )
        buttons.append((title, ActivityAction(action=ActivityVerb.REPORT, activity_id=activity.id)))
    await message.answer(_("Which activity is done?"), reply_markup=button_rows(buttons))


@router.message(Command("done"))
async def cmd_done(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, today: date
) -> None:
    if actor is None or actor.participant_id is None:
        raise NotRegistered()
    await state.clear()
    activities = [
        activity
        for programme in await programmes_of(session, actor.participant_id)
        for activity in await open_for(session, programme, actor.participant_id)
    ]
    await _offer_reportable(message, activities, today)


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.REPORT))
async def report_from_plan(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    session: AsyncSession,
    actor: Actor,
    today: date,
) -> None:
    programme = await get_programme(session, actor, callback_data.programme_id)
    activities = await open_for(session, programme, actor.participant_id or 0)
    if programme.pair.side_of(actor.participant_id) is None:
        raise InvalidValue(STALE)
    await query.answer()
    await _offer_reportable(shown(query), activities, today)


@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.REPORT))
async def report_started(
    query: CallbackQuery,
    callback_data: ActivityAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    activity = await get_activity(session, actor, callback_data.activity_id)
    await reportable_parts(session, activity, actor)  # theirs to report, and still open
    await state.set_state(Reporting.entering_comment)
    await state.set_data({"activity_id": activity.id})
    card = [_("«{title}»").format(title=escape(activity.title)), *activity_details(activity)]
    await chat_of(query).answer("\n".join([*card, prompt_of("report_comment")]))
    await query.answer()


@router.message(Reporting.entering_comment, F.text)
async def report_comment_entered(message: Message, state: FSMContext) -> None:
    await state.update_data(comment=FIELDS["report_comment"].clean(message.text))
    await state.set_state(Reporting.attaching_evidence)
    skip = button_rows([(_("Skip"), FormOption(field="evidence", code=SKIP))])
    await message.answer(
        _("Attach evidence (a document or a photo), or tap Skip."), reply_markup=skip
    )


@router.message(Reporting.attaching_evidence, F.document)
async def evidence_document(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, bot: Bot, i18n: I18n
) -> None:
    file_id = message.document.file_id if message.document else None
    await _submit(message, state, session, actor, bot, i18n, file_id, "document")


@router.message(Reporting.attaching_evidence, F.photo)
async def evidence_photo(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, bot: Bot, i18n: I18n
) -> None:
    file_id = message.photo[-1].file_id if message.photo else None
    await _submit(message, state, session, actor, bot, i18n, file_id, "photo")


@router.callback_query(FormOption.filter(F.code == SKIP), Reporting.attaching_evidence)
async def evidence_skipped(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
) -> None:
    # The report is saved first: if the database fails, the button is still there to press
    # again (bot.middlewares.DbSessionMiddleware retries only before anything was shown).
    await _submit(shown(query), state, session, actor, bot, i18n, None, None)
    await query.answer()
    await set_buttons(query, None)


@router.message(Reporting.attaching_evidence)
async def evidence_not_a_file(message: Message) -> None:
    await message.answer(_("Please send a document or a photo, or tap Skip."))


async def _submit(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    file_id: str | None,
    kind: str | None,
) -> None:
    data = await state.get_data()
    activity, parts = await report_part(
        session,
        actor,
        data["activity_id"],
        comment=data["comment"],
        evidence_file_id=file_id,
        evidence_kind=kind,
    )
    await state.clear()
    pair = activity.programme.pair
    by_mentor = actor.participant_id == pair.mentor_id
    if by_mentor:
        await message.answer(_("Reported. The mentee confirms it; in a group, each mentee."))
    else:
        await message.answer(_("Reported. Your mentor will check it."))
    for part in parts:
        # the notice, then the evidence file it announces: both queued with the report
        for notice in ("part.reported", "part.evidence") if file_id else ("part.reported",):
            await send_notices(bot, session, i18n, notice, part.id, occasion=report_occasion(part))


async def _part_of(
    session: AsyncSession, actor: Actor, activity_id: int, mentee_id: int
) -> tuple[Activity, ActivityProgress]:
    """The part a button names; a button from before parts (no mentee) names the first part
    that waits for this person's check."""
    if not mentee_id:
        activity = await get_activity(session, actor, activity_id)
        waiting = await waiting_for(session, activity.programme, actor.participant_id or 0)
        mine = [part.mentee_id for found, part in waiting if found is activity]
        mentee_id = (mine or activity.programme.pair.mentee_ids or [0])[0]
    return await check_reviewable_part(session, actor, activity_id, mentee_id)


@router.callback_query(PartAction.filter(F.action == ActivityVerb.CONFIRM))
@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.CONFIRM))
async def activity_confirmed(
    query: CallbackQuery,
    callback_data: PartAction | ActivityAction,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    stamp: Stamp,
    today: date,
) -> None:
    _activity, part = await _part_of(
        session, actor, callback_data.activity_id, getattr(callback_data, "mentee_id", 0)
    )
    activity, part = await review_part(
        session, actor, callback_data.activity_id, part.mentee_id, confirm=True
    )
    await query.answer(_("Confirmed."))
    programme = activity.programme
    outcome = _("✅ Confirmed: «{title}»").format(title=escape(activity.title[:100]))
    await show_outcome_on_plan(query, session, programme, actor, stamp, outcome)
    occasion = review_occasion(part)
    await send_notices(bot, session, i18n, "part.reviewed", part.id, occasion=occasion)
    await send_notices(bot, session, i18n, "programme.plan_done", programme.id, occasion=occasion)


@router.callback_query(PartAction.filter(F.action == ActivityVerb.RETURN))
@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.RETURN))
async def return_started(
    query: CallbackQuery,
    callback_data: PartAction | ActivityAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    activity, part = await _part_of(
        session, actor, callback_data.activity_id, getattr(callback_data, "mentee_id", 0)
    )
    await state.set_state(Returning.entering_comment)
    await state.set_data({"activity_id": activity.id, "mentee_id": part.mentee_id})
    await remember_origin(state, query.message)
    if actor.participant_id == activity.programme.pair.mentor_id:
        await chat_of(query).answer(_("What should be redone? Your comment goes to the mentee:"))
    else:
        await chat_of(query).answer(_("What is not so? Your comment goes to the mentor:"))
    await query.answer()


@router.message(Returning.entering_comment, F.text)
async def return_comment_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    stamp: Stamp,
) -> None:
    data = await state.get_data()
    activity, part = await review_part(
        session,
        actor,
        data["activity_id"],
        data.get("mentee_id", 0),
        confirm=False,
        comment=message.text,
    )
    await state.clear()
    pair = activity.programme.pair
    checked_by_mentee = part.reported_by == pair.mentor_id
    await message.answer(
        _("Returned to the mentor.") if checked_by_mentee else _("Returned to the mentee.")
    )
    await show_outcome_later(bot, data, stamp, _("↩ Returned for rework"))
    await send_notices(bot, session, i18n, "part.reviewed", part.id, occasion=review_occasion(part))
