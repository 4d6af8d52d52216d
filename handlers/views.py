"""How pairs, programmes, activities and requests look in chat (HTML, escaped)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import shorten
from handlers.ui import label, progress_bar
from models import formatting
from models.enums import ActivityStatus, MentoringForm
from models.journal import Meeting
from models.names import Case, decline
from models.pairs import Pair
from models.participant import Participant
from models.programmes import Activity, Programme
from models.requests import Request


def _russian() -> bool:
    return get_i18n().current_locale == "ru"


def name_in(full_name: str, case: Case) -> str:
    """A person's name in the case the Russian sentence needs; as it is in other languages."""
    return decline(full_name, case) if _russian() else full_name


def decimal(value: float, digits: int = 1) -> str:
    """A number as the reader writes it: «4,5» in Russian, «4.5» in English."""
    return formatting.decimal(value, get_i18n().current_locale, digits)


def reason_text(reason: str | tuple[str, str], params: dict[str, object]) -> str:
    """A matching reason (models.matching) translated, with the plural form its count needs."""
    if isinstance(reason, tuple):
        count = params.get("count")
        count = count if isinstance(count, int) else 0
        return ngettext(reason[0], reason[1], count).format(**params)
    return _(reason).format(**params)


STATUS_ICONS = {
    ActivityStatus.PLANNED: "▫️",
    ActivityStatus.REPORTED: "🕓",
    ActivityStatus.CONFIRMED: "✅",
    ActivityStatus.RETURNED: "↩️",
}


async def names_of(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    rows = await session.execute(
        select(Participant.id, Participant.full_name).where(Participant.id.in_(wanted))
    )
    return {pid: escape(name or f"#{pid}") for pid, name in rows.all()}


async def pair_names(session: AsyncSession, pair: Pair) -> dict[int, str]:
    return await names_of(session, [pair.mentor_id, pair.pending_mentor_id, *pair.mentee_ids])


day = formatting.day


def forms_text(forms: list[str]) -> str:
    return ", ".join(label(MentoringForm(code)) for code in forms) or "—"


def pair_card(pair: Pair, names: dict[int, str]) -> str:
    lines = [
        _("<b>Pair #{id}</b> ({status})").format(id=pair.id, status=label(pair.status)),
        _("Mentor: {name}").format(name=names.get(pair.mentor_id, "—")),
        _("Mentees: {names}").format(
            names=", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—"
        ),
        _("Forms: {forms}").format(forms=forms_text(pair.forms)),
        _("Pair type: {type}").format(type=label(pair.pair_type)),
    ]
    if pair.order_number and pair.order_date:
        lines.append(
            _("Order No. {number} of {date}").format(
                number=escape(pair.order_number.lstrip("№# ")), date=day(pair.order_date)
            )
        )
    return "\n".join(lines)


def activity_line(activity: Activity, today: date) -> str:
    until = _("until {date}").format(date=day(activity.deadline))
    line = f"{STATUS_ICONS[activity.status]} {escape(activity.title)} — {until}"
    if activity.overdue(today):
        line += " ⚠️ " + _("overdue")
    if activity.status != ActivityStatus.PLANNED:
        line += f" ({label(activity.status)})"
    return line


def programme_view(
    programme: Programme, names: dict[int, str], today: date, meetings: list[Meeting]
) -> str:
    pair = programme.pair
    done, total = programme.progress
    lines = [
        _("<b>Personalised programme</b> ({status})").format(status=label(programme.status)),
        _("Mentor: {mentor}; mentees: {mentees}").format(
            mentor=names.get(pair.mentor_id, "—"),
            mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids),
        ),
        _("Period: {start} – {end}").format(
            start=day(programme.start_date), end=day(programme.end_date)
        ),
        _("Goal: {goal}").format(goal=escape(shorten(programme.goal))),
        _("Difficulties addressed: {text}").format(text=escape(shorten(programme.difficulties))),
        _("Strengths to support: {text}").format(text=escape(shorten(programme.strengths))),
        _("Forms: {forms}").format(forms=forms_text(programme.forms)),
        "",
        _("Progress: {bar} ({done} of {total})").format(
            bar=progress_bar(done, total), done=done, total=total
        ),
    ]
    lines += [
        f"{number}. {activity_line(a, today)}" for number, a in enumerate(programme.activities, 1)
    ]
    overdue = sum(a.overdue(today) for a in programme.activities)
    if overdue:
        lines.append(_("Overdue activities: {count}").format(count=overdue))
    if programme.end_reason is not None:
        lines += ["", _("Ended: {reason}").format(reason=label(programme.end_reason))]
    if meetings:
        lines += ["", "<b>" + _("Meeting journal") + "</b>"]
        lines += [
            f"• {day(m.held_on)}: {escape(shorten(m.topic, 80))} — {escape(shorten(m.result, 120))}"
            for m in meetings[-5:]
        ]
    return "\n".join(lines)


async def request_names(session: AsyncSession, request: Request) -> dict[int, str]:
    """Everyone a request card names: its author and the pair's people."""
    pair = request.pair
    return await names_of(session, [request.author_id, pair.mentor_id, *pair.mentee_ids])


async def request_activity(session: AsyncSession, request: Request) -> Activity | None:
    return await session.get(Activity, request.activity_id) if request.activity_id else None


def request_card(request: Request, names: dict[int, str], activity: Activity | None = None) -> str:
    """A request as the other side and the curator read it: who asks, the pair's people by
    name, and for a deadline the activity with its old and its new deadline."""
    pair = request.pair
    lines = [
        _("<b>Request #{id}</b>: {kind} ({status})").format(
            id=request.id, kind=label(request.kind), status=label(request.status)
        ),
        _("From: {name}").format(name=names.get(request.author_id, "—")),
        _("Mentor: {mentor}; mentees: {mentees}").format(
            mentor=names.get(pair.mentor_id, "—"),
            mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—",
        ),
        _("Reason: {reason}").format(reason=escape(shorten(request.reason, 1000))),
    ]
    if activity is not None:
        lines.append(_("Activity: {title}").format(title=escape(shorten(activity.title, 300))))
        lines.append(
            _("Deadline: {old} → {new}").format(
                old=day(request.old_date or activity.deadline),
                new=day(request.new_date) if request.new_date else "—",
            )
        )
    elif request.new_date is not None and request.old_date is not None:
        lines.append(
            _("End date: {old} → {new}").format(
                old=day(request.old_date), new=day(request.new_date)
            )
        )
    elif request.new_date is not None:
        lines.append(_("New date: {date}").format(date=day(request.new_date)))
    if request.decision_comment:
        lines.append(
            _("Curator's comment: {comment}").format(comment=escape(request.decision_comment))
        )
    return "\n".join(lines)
