"""Changing an approved programme by mutual consent (§10.2): either side proposes adding,
editing or removing an activity, other forms or another end date; the mentor and every mentee
answer «Согласен» / «Не согласен»; the curator is told of the outcome and sees the history."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from handlers.confirm import Confirmed, ask_confirmation
from handlers.forms import STALE, Form, Question, Step, Turn, answering
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.access import Actor
from models.changes import (
    ACTIVITY_FIELDS,
    Change,
    ProgrammeChange,
    answer_change,
    changes_of,
    check_can_answer,
    check_can_propose,
    preview_change,
    withdraw_change,
)
from models.changes import propose_change as propose
from models.enums import ActivityStatus, ChangeStatus
from models.errors import InvalidValue
from models.fields import FIELDS, FieldSpec, parse_date
from models.i18n_marker import N_
from rendering.texts import shorten
from rendering.ui import (
    ChangeAnswer,
    ChangeMenu,
    ChangeOp,
    ChangeWithdraw,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    step_keyboard,
)
from rendering.views import change_field_label, change_lines, day, render_card

router = Router(name=__name__)


class Proposing(StatesGroup):
    add_title = State()
    add_description = State()
    add_deadline = State()
    add_responsible = State()
    add_expected = State()
    edit_value = State()
    choosing_forms = State()
    end_date = State()
    reason = State()


class Refusing(StatesGroup):
    comment = State()


# ---------------------------------------------------------------- composing


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.CHANGE))
async def change_started(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await check_can_propose(session, actor, callback_data.programme_id)
    await state.clear()
    await query.answer()
    labels = {
        ChangeOp.ADD: _("➕ Add an activity"),
        ChangeOp.EDIT: _("✏ Change an activity"),
        ChangeOp.REMOVE: _("🗑 Remove an activity"),
        ChangeOp.FORMS: _("Change the forms of mentoring"),
        ChangeOp.END_DATE: _("Move the end date"),
    }
    buttons = [(labels[op], ChangeMenu(programme_id=programme.id, op=op)) for op in ChangeOp]
    await chat_of(query).answer(
        _(
            "What should change in the programme? The change takes effect when the mentor and "
            "every mentee agree (§10.2). /cancel stops."
        ),
        reply_markup=button_rows(buttons),
    )


@router.callback_query(ChangeMenu.filter())
async def change_step(
    query: CallbackQuery,
    callback_data: ChangeMenu,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await check_can_propose(session, actor, callback_data.programme_id)
    op = callback_data.op
    data: dict[str, Any] = {"programme_id": programme.id, "op": op.value, "values": {}}
    if op in ("edit", "remove"):
        open_activities = [a for a in programme.activities if a.status != ActivityStatus.CONFIRMED]
        activity = next((a for a in open_activities if a.id == callback_data.activity_id), None)
        if activity is None:
            if callback_data.activity_id:
                raise InvalidValue(STALE)
            if not open_activities:
                await query.answer(_("There is no open activity to change."), show_alert=True)
                return
            buttons = [
                (
                    f"{shorten(a.title, 50)} ({day(a.deadline)})",
                    ChangeMenu(programme_id=programme.id, op=op, activity_id=a.id),
                )
                for a in open_activities
            ]
            await query.answer()
            await chat_of(query).answer(_("Which activity?"), reply_markup=button_rows(buttons))
            return
        data["activity_id"] = activity.id
        if op == "edit" and callback_data.field not in ACTIVITY_FIELDS:
            if callback_data.field:
                raise InvalidValue(STALE)
            buttons = [
                (
                    change_field_label(key),
                    ChangeMenu(
                        programme_id=programme.id, op=op, activity_id=activity.id, field=key
                    ),
                )
                for key in ACTIVITY_FIELDS
            ]
            await query.answer()
            await chat_of(query).answer(
                _("What should change in «{title}»?").format(title=activity.title[:100]),
                reply_markup=button_rows(buttons),
            )
            return
        data["field"] = callback_data.field
    if op == "forms":
        data["pair_forms"] = list(programme.forms)  # ticked to begin with
    data["end_now"] = programme.end_date.isoformat()
    await query.answer()
    await PROPOSAL.start(Turn(chat_of(query), state), data)


async def _reason_question(turn: Turn) -> Question:
    return _("Why is the change needed? One or two sentences for the others:"), None


async def _end_date_question(turn: Turn) -> Question:
    end_now = date.fromisoformat((await turn.answers())["end_now"])
    return _("The new end date of the programme (DD.MM.YYYY); now {date}:").format(
        date=day(end_now)
    ), None


async def _typed_date(turn: Turn) -> Any:
    return parse_date(turn.text, turn.today, "future").isoformat()


def _edited(answers: dict[str, Any]) -> FieldSpec | None:
    return FIELDS["responsible"] if answers.get("field") == "responsible" else None


async def _edit_question(turn: Turn) -> Question:
    field = (await turn.answers())["field"]
    if field == "responsible":
        spec = FIELDS["responsible"]
        return _(spec.prompt), step_keyboard(spec)
    if field == "deadline":
        return _("The new deadline (DD.MM.YYYY):"), None
    return _("The new value of «{field}»:").format(field=change_field_label(field)), None


async def _edit_typed(turn: Turn) -> Any:
    field = (await turn.answers())["field"]
    if field == "deadline":
        return parse_date(turn.text, turn.today, "future").isoformat()
    key = {"title": "activity_title", "description": "activity_description"}.get(field, field)
    return FIELDS[key].clean(turn.text)


async def _reason_typed(turn: Turn) -> Any:
    return FIELDS["request_reason"].text(turn.text) or ""


ADDED = ("activity_title", "activity_description", "deadline", "responsible", "expected_result")
STEPS = {
    step.state.state: step
    for step in (
        Step(Proposing.add_title, "activity_title"),
        Step(Proposing.add_description, "activity_description"),
        Step(
            Proposing.add_deadline,
            "deadline",
            question=N_("Deadline of the activity (DD.MM.YYYY):"),
            read=_typed_date,
        ),
        Step(Proposing.add_responsible, "responsible"),
        Step(Proposing.add_expected, "expected_result"),
        Step(
            Proposing.edit_value,
            "edit_value",
            question=_edit_question,
            read=_edit_typed,
            field=_edited,
        ),
        Step(Proposing.choosing_forms, "pair_forms"),
        Step(Proposing.end_date, "end_date", question=_end_date_question, read=_typed_date),
        Step(Proposing.reason, "reason", question=_reason_question, read=_reason_typed),
    )
}


def _order(answers: dict[str, Any]) -> list[Step]:
    """The steps of each kind of change, the reason last."""
    op, p = answers.get("op"), Proposing
    states = {
        "add": [p.add_title, p.add_description, p.add_deadline, p.add_responsible, p.add_expected],
        "edit": [p.edit_value],
        "forms": [p.choosing_forms],
        "end_date": [p.end_date],
    }.get(str(op), [])
    return [STEPS[state.state or ""] for state in (*states, p.reason)]


def _change_from(data: dict[str, Any]) -> Change:
    op = data["op"]
    values: dict[str, Any]
    if op == "add":
        names = ("title", "description", "deadline", "responsible", "expected_result")
        values = {name: data.get(key) for name, key in zip(names, ADDED, strict=True)}
    elif op == "edit":
        field = data["field"]
        values = {field: data.get("responsible" if field == "responsible" else "edit_value")}
    elif op == "forms":
        values = {"forms": data["pair_forms"]}
    elif op == "end_date":
        values = {"end_date": data["end_date"]}
    else:
        values = {}
    for key in ("deadline", "end_date"):
        if values.get(key):
            values[key] = date.fromisoformat(values[key])
    return Change(op=op, activity_id=data.get("activity_id"), values=values)


async def _summary(turn: Turn) -> None:
    """The summary with each change's before → after; nothing is sent before «✅»."""
    data = await turn.answers()
    reason = data["reason"]
    settings: Settings = turn.deps["settings"]
    items = await preview_change(
        turn.session,
        turn.actor,
        data["programme_id"],
        [_change_from(data)],
        max_months=settings.programme_max_months,
    )
    lines = [_("<b>Send the change proposal?</b>"), ""]
    for number, item in enumerate(items, 1):
        first, *rest = change_lines(item)
        lines += [f"{number}. {first}", *rest]
    lines += [
        "",
        _("Reason: {reason}").format(reason=escape(reason)),
        "",
        _("It takes effect when the mentor and every mentee agree (§10.2)."),
    ]
    await ask_confirmation(
        turn.message, turn.state, "change", "\n".join(lines), _("✅ Send the proposal"), data
    )


PROPOSAL = Form(list(STEPS.values()), _summary, order=_order)
PROPOSAL.register(router)


@router.callback_query(Confirmed("change"))
async def change_confirmed(
    query: CallbackQuery,
    confirmed: dict[str, Any],
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    proposal = await propose(
        session,
        actor,
        confirmed["programme_id"],
        [_change_from(confirmed)],
        reason=confirmed["reason"],
        max_months=notifier.settings.programme_max_months,
    )
    await query.answer()
    await show_decided(query, stamp, _("📨 Sent to the others."))
    card = await render_card(session, proposal)
    await chat_of(query).answer(
        _("Sent to the others: the change takes effect when everyone agrees (§10.2).")
        + "\n\n"
        + card,
        reply_markup=button_rows(
            [(_("↩ Withdraw the proposal"), ChangeWithdraw(change_id=proposal.id))]
        ),
    )
    await notifier.notices("change.proposed", proposal.id, to_curators=False)


@router.callback_query(ChangeWithdraw.filter())
async def change_withdrawn(
    query: CallbackQuery,
    callback_data: ChangeWithdraw,
    session: AsyncSession,
    actor: Actor,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    proposal = await withdraw_change(session, actor, callback_data.change_id)
    await show_decided(query, stamp, _("↩ Withdrawn"))
    await query.answer(_("The proposal is withdrawn: nothing changes."))
    await _tell_outcome(notifier, proposal)


# ---------------------------------------------------------------- answering


@router.callback_query(ChangeAnswer.filter(F.agree))
async def change_agreed(
    query: CallbackQuery,
    callback_data: ChangeAnswer,
    state: FSMContext,
    actor: Actor,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    proposal = await answer_change(
        notifier.session,
        actor,
        callback_data.change_id,
        agree=True,
        max_months=notifier.settings.programme_max_months,
    )
    # «Не согласен», then «Согласен» on the same proposal: the refusal's comment question is
    # no longer open (it would come back on the next command about a decided proposal).
    if await answering(state, Refusing.comment, "change_id", proposal.id):
        await state.clear()
    await show_decided(query, stamp, _("✅ Agreed"))
    await _answered(query, proposal, notifier)


@router.callback_query(ChangeAnswer.filter(~F.agree))
async def change_refusing(
    query: CallbackQuery,
    callback_data: ChangeAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    """«Не согласен»: checked now (a stale button is told at once), then an optional comment."""
    proposal = await check_can_answer(session, actor, callback_data.change_id)
    await query.answer()
    await REFUSAL.start(Turn(chat_of(query), state), {"change_id": proposal.id})
    await remember_origin(state, query.message)  # shows the refusal once it is recorded


async def _refused(turn: Turn) -> None:
    data = await turn.answers()
    session = turn.session
    proposal = await answer_change(
        session, turn.actor, data["change_id"], agree=False, comment=data.get("change_comment")
    )
    await turn.state.clear()
    await show_outcome_later(turn.deps["bot"], data, turn.deps["stamp"], _("✖ Did not agree"))
    await turn.message.answer(await _outcome_text(session, proposal))
    await _tell_outcome(turn.notifier, proposal)


REFUSAL = Form(
    [Step(Refusing.comment, "change_comment", summary=False, toast=N_("Your answer is recorded."))],
    _refused,
)
REFUSAL.register(router)


async def _outcome_text(session: AsyncSession, proposal: ProgrammeChange) -> str:
    card = await render_card(session, proposal)
    if proposal.status == ChangeStatus.AGREED:
        head = _("Everyone agreed: the change is applied.")
    elif proposal.status == ChangeStatus.REJECTED:
        head = _("The proposal is not agreed: the programme stays as it was.")
    elif proposal.status == ChangeStatus.WITHDRAWN:
        head = _("The proposal is withdrawn: nothing changes.")
    else:
        head = _("Your agreement is recorded; the change waits for the others.")
    return f"{head}\n\n{card}"


async def _answered(query: CallbackQuery, proposal: ProgrammeChange, notifier: Notifier) -> None:
    await query.answer(_("Your answer is recorded."))
    await chat_of(query).answer(await _outcome_text(notifier.session, proposal))
    await _tell_outcome(notifier, proposal)


async def _tell_outcome(notifier: Notifier, proposal: ProgrammeChange) -> None:
    """The others and the curators, queued with the decision (the curators get the card)."""
    if proposal.status == ChangeStatus.OPEN:
        return
    await notifier.notices("change.decided", proposal.id)


# ---------------------------------------------------------------- history


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.CHANGES))
async def change_history(
    query: CallbackQuery, callback_data: ProgrammeAction, session: AsyncSession, actor: Actor
) -> None:
    proposals = await changes_of(session, actor, callback_data.programme_id)
    await query.answer()
    if not proposals:
        await chat_of(query).answer(_("No change has been proposed to this programme yet."))
        return
    for proposal in proposals[-10:]:
        await chat_of(query).answer(await render_card(session, proposal))
