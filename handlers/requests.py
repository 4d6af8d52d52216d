"""/request: replace my mentor (§8.1.5), release me (§7.1.3), change a deadline or extend the
programme by mutual consent (§10.2), end early for good reasons (§10.1.2)."""

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

from bot.config import Settings
from bot.middlewares import Stamp
from handlers.confirm import Confirmed, ask_confirmation
from handlers.dates import deadline_doubt, plausible
from handlers.forms import HOLD, STALE, Form, Question, Step, Turn
from handlers.notify import Notifier
from handlers.outcome import show_decided
from handlers.programme.common import my_pairs, pick_pair
from models.access import Actor
from models.director import (
    TO_DIRECTOR,
    require_a_director,
)
from models.enums import ActivityStatus, RequestKind, RequestStatus
from models.errors import InvalidValue
from models.fields import parse_date
from models.pairs import Pair, get_pair
from models.programmes import Activity, check_deadline, check_extension, programme_of_pair
from models.requests import (
    NEEDS_PARTNER,
    WHO_MAY_ASK,
    Request,
    answer_as_partner,
    create_request,
    refuse_a_second,
)
from rendering.texts import capitalised, shorten
from rendering.ui import (
    PairPurpose,
    PickPair,
    RequestAction,
    RequestMenu,
    RequestVerb,
    button_rows,
    chat_of,
    label,
    prompt_of,
    shown,
)
from rendering.views import day, names_of

router = Router(name=__name__)


class Requesting(StatesGroup):
    entering_date = State()
    entering_reason = State()


async def send_to_curators(notifier: Notifier, request: Request) -> None:
    """A request for whoever decides it, queued with it (or with the partner's consent) and
    sent now: the curators' card (for a §4.3 release, the director's; the curators a copy),
    and the director's copy of an application addressed to the director too."""
    await notifier.notices("request.new", request.id)
    if request.kind in TO_DIRECTOR:
        await notifier.notices("request.copy", request.id, to_curators=False)


async def _menu(message: Message, pair: Pair, actor: Actor) -> None:
    side = pair.side_of(actor.participant_id)
    buttons = [  # a button's label starts with a capital (the kind is lower case in sentences)
        (capitalised(label(kind)), RequestMenu(kind=kind, pair_id=pair.id))
        for kind, sides in WHO_MAY_ASK.items()
        if side in sides
    ]
    await message.answer(
        _("What would you like to ask the curator for?"), reply_markup=button_rows(buttons)
    )


@router.message(Command("request"))
async def cmd_request(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None
) -> None:
    await state.clear()
    pair = await pick_pair(message, session, await my_pairs(session, actor), "request")
    if pair is not None and actor is not None:
        await _menu(message, pair, actor)


@router.callback_query(PickPair.filter(F.action == PairPurpose.REQUEST))
async def request_pair_picked(
    query: CallbackQuery, callback_data: PickPair, session: AsyncSession, actor: Actor
) -> None:
    pair = await get_pair(session, callback_data.pair_id)
    pair.require_member(actor, curator_allowed=False)
    await query.answer()
    await _menu(shown(query), pair, actor)


@router.callback_query(RequestMenu.filter())
async def request_kind_chosen(
    query: CallbackQuery,
    callback_data: RequestMenu,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    pair = await get_pair(session, callback_data.pair_id)
    kind = callback_data.kind  # an unknown kind never matches the filter (a stale button)
    if pair.side_of(actor.participant_id) not in WHO_MAY_ASK[kind]:
        raise InvalidValue(STALE)
    await refuse_a_second(session, pair.id, RequestKind(kind))
    await require_a_director(session, kind)
    await query.answer()
    if kind == RequestKind.DEADLINE and not callback_data.item:
        programme = await programme_of_pair(session, pair.id)
        activities = [
            a
            for a in (programme.activities if programme else [])
            if a.status != ActivityStatus.CONFIRMED
        ]
        if not activities:
            await chat_of(query).answer(_("There is no open activity whose deadline could change."))
            return
        buttons = [
            (
                f"{shorten(a.title, 50)} ({day(a.deadline)})",
                RequestMenu(kind=kind, pair_id=pair.id, item=a.id),
            )
            for a in activities
        ]
        await chat_of(query).answer(_("Which activity?"), reply_markup=button_rows(buttons))
        return
    answers = {"pair_id": pair.id, "kind": kind, "activity_id": callback_data.item or None}
    turn = Turn(chat_of(query), state)
    dated = kind in (RequestKind.DEADLINE, RequestKind.EXTENSION)
    await REQUEST.start(turn, answers, REQUEST.steps[0 if dated else 1])


async def _date_question(turn: Turn) -> Question:
    if (await turn.answers())["kind"] == RequestKind.DEADLINE:
        return _("The new deadline (DD.MM.YYYY):"), None
    return _("The new end date of the programme (DD.MM.YYYY):"), None


async def _new_date(turn: Turn) -> Any:
    new_date = parse_date(turn.text, turn.today, "future")
    if not await plausible(turn.sent, turn.state, new_date, deadline_doubt(new_date, turn.today)):
        return HOLD
    data = await turn.answers()
    programme = await programme_of_pair(turn.session, data["pair_id"])
    if programme is not None:  # refused here, not after the reason is typed
        if data["kind"] == RequestKind.DEADLINE:
            check_deadline(programme, new_date)
        else:
            settings: Settings = turn.deps["settings"]
            check_extension(programme, new_date, settings.programme_max_months)
    return new_date.isoformat()


async def _reason_question(turn: Turn) -> Question:
    if (await turn.answers())["kind"] == RequestKind.DUTY_RELEASE:
        return _(
            "The director releases from duties for a plan activity only in exceptional "
            "cases, if teaching goes on (§4.3). Write the activity, its date and who "
            "replaces you meanwhile:"
        ), None
    return prompt_of("request_reason"), None


async def _request_summary(turn: Turn) -> None:
    """The request as it will be sent, to confirm."""
    session = turn.session
    data = await turn.answers()
    reason = data["request_reason"]
    kind = RequestKind(data["kind"])
    pair = await get_pair(session, data["pair_id"])
    names = await names_of(session, [pair.mentor_id, *pair.mentee_ids])
    lines = [
        _("<b>Send the request?</b>"),
        _("Request: {kind}").format(kind=label(kind)),
        _("Mentor: {mentor}; mentees: {mentees}").format(  # the pair's people, not a number
            mentor=names.get(pair.mentor_id, "—"),
            mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—",
        ),
    ]
    activity = await session.get(Activity, data["activity_id"]) if data.get("activity_id") else None
    if activity is not None and data.get("new_date"):
        lines.append(_("Activity: {title}").format(title=escape(shorten(activity.title, 300))))
        lines.append(
            _("Deadline: {old} → {new}").format(
                old=day(activity.deadline), new=day(date.fromisoformat(data["new_date"]))
            )
        )
    elif data.get("new_date"):
        lines.append(_("New date: {date}").format(date=day(date.fromisoformat(data["new_date"]))))
    lines += [_("Reason: {reason}").format(reason=escape(reason)), ""]
    if kind in NEEDS_PARTNER:
        lines.append(_("The other side agrees first (§10.2), then the curator decides."))
    else:
        lines.append(_("The curator decides; I will tell you the decision."))
    payload = {**data, "reason": reason}
    await ask_confirmation(
        turn.message, turn.state, "request", "\n".join(lines), _("✅ Send the request"), payload
    )


REQUEST = Form(
    [
        Step(Requesting.entering_date, "new_date", question=_date_question, read=_new_date),
        Step(Requesting.entering_reason, "request_reason", question=_reason_question),
    ],
    _request_summary,
)
REQUEST.register(router)


@router.callback_query(Confirmed("request"))
async def request_confirmed(
    query: CallbackQuery,
    confirmed: dict[str, Any],
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    settings = notifier.settings
    data = confirmed
    new_date = date.fromisoformat(data["new_date"]) if data.get("new_date") else None
    request = await create_request(
        session,
        actor,
        data["pair_id"],
        data["kind"],
        reason=data["reason"],
        activity_id=data.get("activity_id"),
        new_date=new_date,
        max_months=settings.programme_max_months,
    )
    await query.answer()
    if request.status == RequestStatus.AWAITING_PARTNER:
        await show_decided(
            query,
            stamp,
            _("📨 Sent. The other side agrees first (§10.2), then the curator decides."),
        )
        await notifier.notices("request.partner", request.id, to_curators=False)
        return
    await show_decided(query, stamp, _("📨 Sent to the curator. I will tell you the decision."))
    await send_to_curators(notifier, request)


@router.callback_query(
    RequestAction.filter(F.action.in_({RequestVerb.AGREE, RequestVerb.DISAGREE}))
)
async def partner_answered(
    query: CallbackQuery,
    callback_data: RequestAction,
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    agree = callback_data.action == RequestVerb.AGREE
    request = await answer_as_partner(session, actor, callback_data.request_id, agree=agree)
    outcome = _("✅ Agreed; the request goes to the curator") if agree else _("✖ Did not agree")
    await show_decided(query, stamp, outcome)
    await query.answer(_("Your answer is recorded."))
    if agree and request.status == RequestStatus.AWAITING_PARTNER:
        return  # the others of the group have yet to agree (§10.2: mutual consent)

    await notifier.notices("request.partner_answered", request.id, to_curators=False)
    if agree:
        await send_to_curators(notifier, request)
