"""/done: the mentee reports an activity (§8.2.2) with evidence; the mentor confirms it or
returns it with a comment (§7.1.4). When the whole plan is confirmed, both are offered to
complete the programme."""

from __future__ import annotations

import logging
from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.notify import notify_participants
from handlers.onboarding.options import STALE
from handlers.outcome import remember_origin, show_outcome_later
from handlers.plan import show_outcome_on_plan
from handlers.ui import (
    SKIP,
    ActivityAction,
    ActivityVerb,
    FormOption,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    prompt_of,
    set_buttons,
    shown,
)
from handlers.views import day
from models.access import Actor
from models.enums import ActivityStatus, Side
from models.errors import InvalidValue, NotRegistered
from models.fields import FIELDS
from models.participant import get_participant_by_id
from models.programmes import (
    RUNNING,
    Activity,
    check_reportable,
    check_reviewable,
    get_activity,
    get_programme,
    programmes_of,
    report_activity,
    review_activity,
)

router = Router(name=__name__)
logger = logging.getLogger(__name__)
OPEN = (ActivityStatus.PLANNED, ActivityStatus.RETURNED)


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
        if programme.status in RUNNING
        and programme.pair.side_of(actor.participant_id) == Side.MENTEE
        for activity in programme.activities
        if activity.status in OPEN
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
    if (
        programme.pair.side_of(actor.participant_id) != Side.MENTEE
        or programme.status not in RUNNING
    ):
        raise InvalidValue(STALE)
    await query.answer()
    await _offer_reportable(
        shown(query), [a for a in programme.activities if a.status in OPEN], today
    )


@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.REPORT))
async def report_started(
    query: CallbackQuery,
    callback_data: ActivityAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    activity = await get_activity(session, actor, callback_data.activity_id)
    check_reportable(activity, actor)
    await state.set_state(Reporting.entering_comment)
    await state.set_data({"activity_id": activity.id})
    await chat_of(query).answer(
        _("«{title}»").format(title=escape(activity.title)) + "\n" + prompt_of("report_comment")
    )
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


async def _submit(message, state, session, actor, bot, i18n, file_id, kind) -> None:  # type: ignore[no-untyped-def]
    data = await state.get_data()
    activity = await report_activity(
        session,
        actor,
        data["activity_id"],
        comment=data["comment"],
        evidence_file_id=file_id,
        evidence_kind=kind,
    )
    await state.clear()
    await message.answer(_("Reported. Your mentor will check it."))
    mentee = await get_participant_by_id(session, actor.require_participant())
    mentor = await get_participant_by_id(session, activity.programme.pair.mentor_id)
    if mentee is None or mentor is None:  # erased meanwhile: the report is saved, nobody to tell
        return

    def to_mentor() -> tuple[str, InlineKeyboardMarkup]:
        text = _("{name} reported an activity done: «{title}»\nComment: {comment}").format(
            name=escape(mentee.display_name),
            title=escape(activity.title),
            comment=escape(activity.report_comment or ""),
        )
        if file_id:
            text += "\n" + _("Evidence is attached below.")
        buttons = [
            (_("Confirm"), ActivityAction(action=ActivityVerb.CONFIRM, activity_id=activity.id)),
            (
                _("Return with a comment"),
                ActivityAction(action=ActivityVerb.RETURN, activity_id=activity.id),
            ),
        ]
        return text, button_rows(buttons)

    await notify_participants(bot, session, i18n, [mentor.id], to_mentor)
    if file_id:
        try:
            if kind == "photo":
                await bot.send_photo(mentor.telegram_id, file_id)
            else:
                await bot.send_document(mentor.telegram_id, file_id)
        except TelegramAPIError as error:
            logger.warning("evidence not forwarded: %s", error.message)


@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.CONFIRM))
async def activity_confirmed(
    query: CallbackQuery,
    callback_data: ActivityAction,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    stamp: Stamp,
    today: date,
) -> None:
    activity = await review_activity(session, actor, callback_data.activity_id, confirm=True)
    await query.answer(_("Confirmed."))
    programme = activity.programme
    outcome = _("✅ Confirmed: «{title}»").format(title=escape(activity.title[:100]))
    await show_outcome_on_plan(query, session, programme, actor, stamp, outcome, today)

    def to_mentee() -> tuple[str, None]:
        return _("Your mentor confirmed «{title}».").format(title=escape(activity.title)), None

    await notify_participants(bot, session, i18n, programme.pair.mentee_ids, to_mentee)
    if programme.plan_done:

        def offer() -> tuple[str, InlineKeyboardMarkup]:
            return _(
                "Every activity of the plan is confirmed. Complete the programme?"
            ), button_rows(
                [
                    (
                        _("🏁 Complete the programme"),
                        ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme.id),
                    )
                ]
            )

        pair = programme.pair
        await notify_participants(bot, session, i18n, [pair.mentor_id, *pair.mentee_ids], offer)


@router.callback_query(ActivityAction.filter(F.action == ActivityVerb.RETURN))
async def return_started(
    query: CallbackQuery,
    callback_data: ActivityAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    activity = await get_activity(session, actor, callback_data.activity_id)
    check_reviewable(activity, actor)
    await state.set_state(Returning.entering_comment)
    await state.set_data({"activity_id": activity.id})
    await remember_origin(state, query.message)
    await chat_of(query).answer(_("What should be redone? Your comment goes to the mentee:"))
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
    activity = await review_activity(
        session, actor, data["activity_id"], confirm=False, comment=message.text
    )
    await state.clear()
    await message.answer(_("Returned to the mentee."))
    await show_outcome_later(bot, data, stamp, _("↩ Returned for rework"))

    def to_mentee() -> tuple[str, None]:
        return _(
            "Your mentor returned «{title}» for rework: {comment}\nReport it again with /done."
        ).format(title=escape(activity.title), comment=escape(activity.review_comment or "")), None

    await notify_participants(bot, session, i18n, activity.programme.pair.mentee_ids, to_mentee)
