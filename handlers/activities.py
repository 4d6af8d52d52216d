"""/done: whoever the activity's responsible person is reports their part (§8.2.2) with
evidence; the other side confirms it or returns it with a comment (§7.1.4). In a group each
mentee has their own part (§4.2.8, models.progress). Buttons carry stable ids (the activity
and the mentee), never positions in a list. When the whole plan is confirmed, everyone is
offered to complete the programme."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.forms import STALE, Form, Question, Step, Turn, answering
from handlers.loaded import PartOf
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_outcome_later
from handlers.plan import show_outcome_on_plan
from models.access import Actor
from models.errors import InvalidValue, NotRegistered
from models.i18n_marker import N_
from models.programmes import (
    FINISHED,
    RUNNING,
    Activity,
    get_activity,
    get_programme,
    programmes_of,
)
from models.progress import (
    ActivityProgress,
    open_for,
    report_occasion,
    report_part,
    reportable_parts,
    review_occasion,
    review_part,
)
from rendering.ui import (
    ActivityAction,
    ActivityVerb,
    PartAction,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    prompt_of,
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
    me = actor.participant_id
    programmes = await programmes_of(session, me)
    running = [p for p in programmes if p.status in RUNNING]
    activities = [
        activity for programme in running for activity in await open_for(session, programme, me)
    ]
    if not running and any(p.status in FINISHED for p in programmes):
        await message.answer(_("Nothing to report: your programme has ended."))
        return
    if not running:  # not «everything is reported»: there is no plan to report on yet
        await message.answer(
            _(
                "There is nothing to report yet: activities are reported once the programme is "
                "approved. /plan shows where it stands."
            )
        )
        return
    if not activities and all(p.pair.mentor_id == me for p in running):
        await message.answer(
            _(
                "Nothing for you to report: the open activities are your mentee's to report; "
                "you confirm each report when it comes."
            )
        )
        return
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
    if await answering(state, Reporting.entering_comment, "activity_id", activity.id):
        # a double tap: the question is already asked, once is enough
        await query.answer()
        return
    card = [_("«{title}»").format(title=escape(activity.title)), *activity_details(activity)]
    await REPORT.start(Turn(chat_of(query), state), {"activity_id": activity.id, "card": card})
    await query.answer()


async def _comment_question(turn: Turn) -> Question:
    card = (await turn.answers()).get("card") or []
    return "\n".join([*card, prompt_of("report_comment")]), None


async def _evidence(turn: Turn) -> Any:
    message = turn.sent
    if message.photo:
        return ["photo", message.photo[-1].file_id]
    return ["document", message.document.file_id if message.document else None]


async def _submit(turn: Turn) -> None:
    data = await turn.answers()
    session, actor = turn.session, turn.actor
    kind, file_id = data.get("evidence") or (None, None)
    activity, parts = await report_part(
        session,
        actor,
        data["activity_id"],
        comment=data["report_comment"],
        evidence_file_id=file_id,
        evidence_kind=kind,
    )
    await turn.state.clear()
    pair = activity.programme.pair
    by_mentor = actor.participant_id == pair.mentor_id
    if by_mentor:
        await turn.message.answer(_("Reported. The mentee confirms it; in a group, each mentee."))
    else:
        await turn.message.answer(_("Reported. Your mentor will check it."))
    for part in parts:
        # the notice, then the evidence file it announces: both queued with the report
        for notice in ("part.reported", "part.evidence") if file_id else ("part.reported",):
            await turn.notifier.notices(
                notice, part.id, occasion=report_occasion(part), to_curators=False
            )


# The report is saved before the Skip button goes (forms.Form): if the database fails, the
# button is still there to press again (bot.middlewares retries only before anything is shown).
REPORT = Form(
    [
        Step(Reporting.entering_comment, "report_comment", question=_comment_question),
        Step(
            Reporting.attaching_evidence,
            "evidence",
            question=N_("Attach evidence (a document or a photo), or tap Skip."),
            read=_evidence,
            media=True,
            text=False,
            skip=True,
            summary=False,
            refusal=N_("Please send a document or a photo, or tap Skip."),
        ),
    ],
    _submit,
)
REPORT.register(router)


@router.callback_query(PartAction.filter(F.action == ActivityVerb.CONFIRM), PartOf())
@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.CONFIRM), PartOf())
async def activity_confirmed(
    query: CallbackQuery,
    callback_data: PartAction | ActivityAction,
    part: ActivityProgress,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    session = notifier.session
    activity, part = await review_part(
        session, actor, callback_data.activity_id, part.mentee_id, confirm=True
    )
    await query.answer(_("Confirmed."))
    programme = activity.programme
    outcome = _("✅ Confirmed: «{title}»").format(title=escape(activity.title[:100]))
    await show_outcome_on_plan(query, session, programme, actor, stamp, outcome)
    occasion = review_occasion(part)
    await notifier.notices("part.reviewed", part.id, occasion=occasion, to_curators=False)
    await notifier.notices(
        "programme.plan_done", programme.id, occasion=occasion, to_curators=False
    )


@router.callback_query(PartAction.filter(F.action == ActivityVerb.RETURN), PartOf())
@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.RETURN), PartOf())
async def return_started(
    query: CallbackQuery,
    state: FSMContext,
    activity: Activity,
    part: ActivityProgress,
    actor: Actor,
) -> None:
    by_mentor = actor.participant_id == activity.programme.pair.mentor_id
    answers = {"activity_id": activity.id, "mentee_id": part.mentee_id, "by_mentor": by_mentor}
    await RETURN.start(Turn(chat_of(query), state), answers)
    await remember_origin(state, query.message)
    await query.answer()


async def _return_question(turn: Turn) -> Question:
    if (await turn.answers())["by_mentor"]:
        return _("What should be redone? Your comment goes to the mentee:"), None
    return _("What is not so? Your comment goes to the mentor:"), None


async def _as_typed(turn: Turn) -> Any:
    return turn.text


async def _returned(turn: Turn) -> None:
    data = await turn.answers()
    session, bot = turn.session, turn.deps["bot"]
    activity, part = await review_part(
        session,
        turn.actor,
        data["activity_id"],
        data.get("mentee_id", 0),
        confirm=False,
        comment=data["return_comment"],
    )
    await turn.state.clear()
    pair = activity.programme.pair
    checked_by_mentee = part.reported_by == pair.mentor_id
    await turn.message.answer(
        _("Returned to the mentor.") if checked_by_mentee else _("Returned to the mentee.")
    )
    await show_outcome_later(bot, data, turn.deps["stamp"], _("↩ Returned for rework"))
    occasion = review_occasion(part)
    await turn.notifier.notices("part.reviewed", part.id, occasion=occasion, to_curators=False)


RETURN = Form(
    [
        Step(
            Returning.entering_comment,
            "return_comment",
            question=_return_question,
            read=_as_typed,
        )
    ],
    _returned,
)
RETURN.register(router)
