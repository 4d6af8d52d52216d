"""The texts of scheduled messages, rendered in each recipient's language when queued."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from handlers.ui import ActivityAction, ProgrammeAction
from handlers.views import day
from scheduler.rules import Due


def button_rows(buttons: list[tuple[str, CallbackData]]) -> dict[str, Any]:
    """One button a row, as the outbox stores it (the JSON of an InlineKeyboardMarkup).
    Built directly: aiogram's keyboard builder deep-copies its rows and the pydantic models
    cost more than the rest of the message; that was 40 % of a sweep queueing thousands."""
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data.pack()}] for text, data in buttons
        ]
    }


def _plan_button(programme_id: int) -> tuple[str, ProgrammeAction]:
    return _("Open the plan"), ProgrammeAction(action="view", programme_id=programme_id)


def render(
    due: Due, names: dict[int, str], *, to_mentor: bool = False
) -> tuple[str, dict[str, Any] | None]:
    """Text and buttons of one due item for one recipient (inside their locale)."""
    p: dict[str, Any] = due.params
    if due.kind == "deadline":
        activity = p["activity"]
        days = p["days_left"]
        if days == 0:
            text = _("Today is the deadline of «{title}».")
        else:
            text = _("{days} day(s) left until the deadline of «{title}» ({date}).")
        text = text.format(days=days, title=escape(activity.title), date=day(activity.deadline))
        if to_mentor:
            mentees = ", ".join(names.get(i, "—") for i in p["pair"].mentee_ids)
            return _("Copy for the mentor ({mentees}): {text}").format(
                mentees=mentees, text=text
            ), button_rows([_plan_button(activity.programme_id)])
        report = ActivityAction(action="report", activity_id=activity.id)
        return text, button_rows(
            [(_("✅ Report done"), report), _plan_button(activity.programme_id)]
        )
    if due.kind == "overdue":
        activity = p["activity"]
        text = _(
            "«{title}» is overdue: the deadline was {date}. Report it with /done or agree a "
            "new deadline through /request."
        ).format(title=escape(activity.title), date=day(activity.deadline))
        return text, button_rows([_plan_button(activity.programme_id)])
    if due.kind == "escalation":
        activity, pair = p["activity"], p["pair"]
        return _(
            "Overdue activity: «{title}», pair #{pair} ({mentor} → {mentees}), {days} day(s) "
            "late (deadline {date})."
        ).format(
            title=escape(activity.title),
            pair=pair.id,
            mentor=names.get(pair.mentor_id, "—"),
            mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
            days=p["days_late"],
            date=day(activity.deadline),
        ), button_rows([_plan_button(activity.programme_id)])
    if due.kind == "ending":
        programme = p["programme"]
        return _(
            "Your programme ends in {days} day(s), on {date}. Check that every activity is "
            "reported; an extension goes through /request."
        ).format(days=p["days_left"], date=day(programme.end_date)), button_rows(
            [_plan_button(programme.id)]
        )
    if due.kind == "survey":
        programme = p["programme"]
        return _(
            "A reminder: please answer the monitoring questionnaire of your finished programme."
        ), button_rows(
            [
                (
                    _("Answer the questionnaire"),
                    ProgrammeAction(action="survey", programme_id=programme.id),
                )
            ]
        )
    if due.kind == "inactive":
        return _(
            "Nothing has happened in your mentoring pair for {days} days: no report, meeting "
            "or message. Perhaps it is time to meet? /meeting logs it."
        ).format(days=p["days"]), None
    if due.kind == "inactive-curator":
        pair = p["pair"]
        return _("Pair #{pair} ({mentor} → {mentees}) has been inactive for {days} days.").format(
            pair=pair.id,
            mentor=names.get(pair.mentor_id, "—"),
            mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
            days=p["days"],
        ), None
    if due.kind == "request-pending":
        request = p["request"]
        return _(
            "Request #{id} has been waiting for your decision for {days} days. /requests lists it."
        ).format(id=request.id, days=p["days"]), None
    if due.kind == "digest":
        text = _(
            "<b>Weekly digest</b>\nActive pairs: {pairs}\nActivities due this week: "
            "{due}\nOverdue activities: {overdue}\nRequests waiting for a decision: "
            "{requests}"
        ).format(**p)
        if p.get("stages"):
            text += "\n" + ngettext(
                "{n} roadmap stage is overdue (/roadmap)",
                "{n} roadmap stages are overdue (/roadmap)",
                p["stages"],
            ).format(n=p["stages"])
        return text, None
    if due.kind == "unreachable":
        return _(
            "{name} blocked the bot or deleted the chat: messages to them cannot be "
            "delivered. Contact them another way."
        ).format(name=escape(p["name"])), None
    if due.kind == "broadcast-summary":
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
    if due.kind == "yearly":
        return _(
            "Time to update the list of teachers to be included in mentoring this year "
            "(§6.4.2): send me the staff list as an Excel file, /stafflist tells how."
        ), None
    if due.kind == "event-remind":
        return _("Tomorrow at {time}: «{title}». Place: {place}.").format(
            time=p["time"], title=escape(p["title"]), place=escape(p["place"])
        ), None
    raise ValueError(f"unknown kind {due.kind}")


def rendered(
    i18n: I18n, locale: str | None, due: Due, names: dict[int, str], *, to_mentor: bool = False
) -> tuple[str, dict[str, Any] | None]:
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        text, markup = render(due, names, to_mentor=to_mentor)
    return text, markup
