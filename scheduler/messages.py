"""The texts of scheduled messages, rendered in each recipient's language when queued."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from models.enums import RequestKind
from rendering.ui import (
    ChangeMenu,
    ChangeOp,
    ProgrammeAction,
    ProgrammeVerb,
    RequestMenu,
    packed,
    report_button,
)
from rendering.views import day, materials_lines
from scheduler.rules import Due, DueKind


def button_rows(buttons: list[tuple[str, CallbackData]]) -> dict[str, Any]:
    """One button a row, as the outbox stores it (the JSON of an InlineKeyboardMarkup).
    Built directly: aiogram's keyboard builder deep-copies its rows and the pydantic models
    cost more than the rest of the message; that was 40 % of a sweep queueing thousands."""
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": packed(data)}] for text, data in buttons
        ]
    }


def _plan_button(programme_id: int) -> tuple[str, ProgrammeAction]:
    return _("Open the plan"), ProgrammeAction(action=ProgrammeVerb.VIEW, programme_id=programme_id)


Rendered = tuple[str, dict[str, Any] | None]
Params = dict[str, Any]  # Due.params: the objects the rule found (activity, pair, …)
Names = dict[int, str]  # participant id -> name, read once for a batch


def _deadline(p: Params, names: Names, to_mentor: bool) -> Rendered:
    activity = p["activity"]
    days = p["days_left"]
    if days == 0:
        text = _("Today is the deadline of «{title}».")
    else:
        text = ngettext(
            "{days} day left until the deadline of «{title}» ({date}).",
            "{days} days left until the deadline of «{title}» ({date}).",
            days,
        )
    text = text.format(days=days, title=escape(activity.title), date=day(activity.deadline))
    return _reminder(p, names, to_mentor, text)


def _overdue(p: Params, names: Names, to_mentor: bool) -> Rendered:
    activity = p["activity"]
    if to_mentor:  # the mentor does not report a mentee's activity: no /done for them
        text = _("«{title}» is overdue: the deadline was {date}.")
    else:
        text = _(
            "«{title}» is overdue: the deadline was {date}. Report it with /done or agree a "
            "new deadline through /request."
        )
    text = text.format(title=escape(activity.title), date=day(activity.deadline))
    return _reminder(p, names, to_mentor, text)


def _reminder(p: Params, names: Names, to_mentor: bool, text: str) -> Rendered:
    """An activity's reminder: to whoever reports it, with «✅ Report done»; to the mentor of
    a mentee's activity, a copy naming the mentees, with the plan only."""
    activity = p["activity"]
    plan = _plan_button(activity.programme_id)
    if to_mentor:
        mentees = ", ".join(names.get(i, "—") for i in p["pair"].mentee_ids)
        return _("Copy for the mentor ({mentees}): {text}").format(
            mentees=mentees, text=text
        ), button_rows([plan])
    return text, button_rows([report_button(activity.id), plan])


def _escalation(p: Params, names: Names, to_mentor: bool) -> Rendered:
    activity, pair = p["activity"], p["pair"]
    return ngettext(
        "Overdue activity: «{title}», pair #{pair} ({mentor} → {mentees}), {days} day late "
        "(deadline {date}).",
        "Overdue activity: «{title}», pair #{pair} ({mentor} → {mentees}), {days} days late "
        "(deadline {date}).",
        p["days_late"],
    ).format(
        title=escape(activity.title),
        pair=pair.id,
        mentor=names.get(pair.mentor_id, "—"),
        mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
        days=p["days_late"],
        date=day(activity.deadline),
    ), button_rows([_plan_button(activity.programme_id)])


def _ending(p: Params, names: Names, to_mentor: bool) -> Rendered:
    programme = p["programme"]
    return ngettext(
        "Your programme ends in {days} day, on {date}. Check that every activity is "
        "reported; an extension goes through /request.",
        "Your programme ends in {days} days, on {date}. Check that every activity is "
        "reported; an extension goes through /request.",
        p["days_left"],
    ).format(days=p["days_left"], date=day(programme.end_date)), button_rows(
        [_plan_button(programme.id)]
    )


def _survey(p: Params, names: Names, to_mentor: bool) -> Rendered:
    programme = p["programme"]
    return _(
        "A reminder: please answer the monitoring questionnaire of your finished programme."
    ), button_rows(
        [
            (
                _("Answer the questionnaire"),
                ProgrammeAction(action=ProgrammeVerb.SURVEY, programme_id=programme.id),
            )
        ]
    )


def _inactive(p: Params, names: Names, to_mentor: bool) -> Rendered:
    return ngettext(
        "Nothing has happened in your mentoring pair for {days} day: no report, meeting "
        "or message. Perhaps it is time to meet? /meeting logs it.",
        "Nothing has happened in your mentoring pair for {days} days: no report, meeting "
        "or message. Perhaps it is time to meet? /meeting logs it.",
        p["days"],
    ).format(days=p["days"]), None


def _inactive_curator(p: Params, names: Names, to_mentor: bool) -> Rendered:
    pair = p["pair"]
    return ngettext(
        "Pair #{pair} ({mentor} → {mentees}) has been inactive for {days} day.",
        "Pair #{pair} ({mentor} → {mentees}) has been inactive for {days} days.",
        p["days"],
    ).format(
        pair=pair.id,
        mentor=names.get(pair.mentor_id, "—"),
        mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
        days=p["days"],
    ), None


def _request_pending(p: Params, names: Names, to_mentor: bool) -> Rendered:
    request = p["request"]
    return ngettext(
        "Request #{id} has been waiting for your decision for {days} day. /requests lists it.",
        "Request #{id} has been waiting for your decision for {days} days. /requests lists it.",
        p["days"],
    ).format(id=request.id, days=p["days"]), None


def _digest(p: Params, names: Names, to_mentor: bool) -> Rendered:
    text = _(
        "<b>Weekly digest</b>\nActive pairs: {pairs}\nActivities due this week: "
        "{due}\nOverdue activities: {overdue}\nProgrammes past their end date: "
        "{past_end}\nRequests waiting for a decision: {requests}"
    ).format(**p)
    if p.get("stages"):  # the roadmap's stages past their period, not marked done
        text += "\n" + ngettext(
            "{n} roadmap stage is overdue (/roadmap)",
            "{n} roadmap stages are overdue (/roadmap)",
            p["stages"],
        ).format(n=p["stages"])
    return text, None


def _unreachable(p: Params, names: Names, to_mentor: bool) -> Rendered:
    return _(
        "{name} blocked the bot or deleted the chat: messages to them cannot be "
        "delivered. Contact them another way."
    ).format(name=escape(p["name"])), None


def _broadcast_summary(p: Params, names: Names, to_mentor: bool) -> Rendered:
    counts = p["counts"]
    return _(
        "Broadcast №{id} is delivered: sent {sent}, blocked the bot {blocked}, "
        "failed {failed}, of {total}."
    ).format(
        id=p["broadcast"].id,
        sent=counts.get("sent", 0),
        blocked=counts.get("unreachable", 0),
        failed=counts.get("failed", 0),
        total=p["broadcast"].recipients,
    ), None


def _yearly(p: Params, names: Names, to_mentor: bool) -> Rendered:
    return _(
        "Time to update the list of teachers to be included in mentoring this year "
        "(§6.4.2): send me the staff list as an Excel file, /stafflist tells how."
    ), None


def _event_remind(p: Params, names: Names, to_mentor: bool) -> Rendered:
    text = _("Tomorrow at {time}: «{title}». Place: {place}.").format(
        time=p["time"], title=escape(p["title"]), place=escape(p["place"])
    )
    return text + materials_lines(p.get("materials") or []), None


def _end_passed(p: Params, names: Names, to_mentor: bool) -> Rendered:
    """The end date passed with the programme still running: the pair's choices (§10.1, §10.2)."""
    programme, pair = p["programme"], p["pair"]
    buttons: list[tuple[str, CallbackData]] = [_plan_button(programme.id)]
    if programme.plan_done:
        text = _(
            "Your programme's end date, {date}, has passed and every activity is done: "
            "complete it (§10.1.1)."
        )
        complete = ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme.id)
        buttons.append((_("🏁 Complete the programme"), complete))
    else:
        text = _(
            "Your programme's end date, {date}, has passed; activities not done: {open}. "
            "Extend it by agreement of the mentor and every mentee (§10.2), or ask to end it "
            "early (§10.1.2)."
        )
    buttons += [
        (_("Extend (§10.2)"), ChangeMenu(programme_id=programme.id, op=ChangeOp.END_DATE)),
        (
            _("End early (§10.1.2)"),
            RequestMenu(kind=RequestKind.EARLY_END, pair_id=pair.id),
        ),
    ]
    return text.format(date=day(programme.end_date), open=p["open"]), button_rows(buttons)


def _end_passed_curator(p: Params, names: Names, to_mentor: bool) -> Rendered:
    programme, pair = p["programme"], p["pair"]
    text = _(
        "Programme №{id} ({mentor} → {mentees}) has passed its end date, {date}; activities "
        "not done: {open}. The pair is offered to extend it (§10.2), complete it or ask to "
        "end it early; you can end it (§10.1.3)."
    ).format(
        id=programme.id,
        mentor=names.get(pair.mentor_id, "—"),
        mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
        date=day(programme.end_date),
        open=p["open"],
    )
    end = ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id)
    return text, button_rows(
        [_plan_button(programme.id), (_("End №{id}").format(id=programme.id), end)]
    )


RENDERERS: dict[DueKind, Callable[[Params, Names, bool], Rendered]] = {
    DueKind.END_PASSED: _end_passed,
    DueKind.END_PASSED_CURATOR: _end_passed_curator,
    DueKind.DEADLINE: _deadline,
    DueKind.OVERDUE: _overdue,
    DueKind.ESCALATION: _escalation,
    DueKind.ENDING: _ending,
    DueKind.SURVEY: _survey,
    DueKind.INACTIVE: _inactive,
    DueKind.INACTIVE_CURATOR: _inactive_curator,
    DueKind.REQUEST_PENDING: _request_pending,
    DueKind.DIGEST: _digest,
    DueKind.UNREACHABLE: _unreachable,
    DueKind.BROADCAST_SUMMARY: _broadcast_summary,
    DueKind.YEARLY: _yearly,
    DueKind.EVENT_REMIND: _event_remind,
}


def render(due: Due, names: dict[int, str], *, to_mentor: bool = False) -> Rendered:
    """Text and buttons of one due item for one recipient (inside their locale)."""
    return RENDERERS[due.kind](due.params, names, to_mentor)


def rendered(
    i18n: I18n, locale: str | None, due: Due, names: dict[int, str], *, to_mentor: bool = False
) -> tuple[str, dict[str, Any] | None]:
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        text, markup = render(due, names, to_mentor=to_mentor)
    return text, markup
