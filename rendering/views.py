"""How pairs, programmes, activities and requests look in chat (HTML, escaped)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import formatting
from models.changes import ProgrammeChange, everyone
from models.enums import ActivityStatus, MentoringForm, MentorStatus, Responsible, Role
from models.journal import Meeting
from models.names import Case, decline
from models.pairs import Pair
from models.participant import Participant
from models.programmes import Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from rendering.texts import shorten
from rendering.ui import MentorDecision, label, progress_bar, yes_no_keyboard


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
    if not wanted:
        return {}  # no statement for nobody (a plan with no part waiting for a check)
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


def version_line(programme: Programme) -> list[str]:
    """«Version N» once a change was agreed (§10.2); nothing for the approved original."""
    if programme.revision <= 1:
        return []
    return [_("Version {n} (changes agreed by the pair, §10.2)").format(n=programme.revision)]


def activity_details(activity: Activity) -> list[str]:
    """The activity's description and expected result, one indented line each (if any)."""
    lines = []
    if activity.description:
        lines.append("   " + escape(shorten(activity.description, 300)))
    if activity.expected_result:
        lines.append(
            "   "
            + _("Expected result: {text}").format(
                text=escape(shorten(activity.expected_result, 300))
            )
        )
    return lines


def part_lines(
    activity: Activity,
    pair: Pair,
    parts: dict[tuple[int, int], ActivityProgress],
    names: dict[int, str],
) -> list[str]:
    """In a group, each mentee's part of the activity (§4.2.8); a mentee who left keeps theirs."""
    current = pair.mentee_ids
    left = [m.mentee_id for m in pair.members if m.left_at is not None]
    shown = [*current, *(m for m in left if (activity.id, m) in parts)]
    if len(shown) < 2:
        return []
    lines = []
    for mentee_id in shown:
        part = parts.get((activity.id, mentee_id))
        status = part.status if part else ActivityStatus.PLANNED
        line = f"    {STATUS_ICONS[status]} {names.get(mentee_id, '—')}: {label(status)}"
        if mentee_id not in current:
            line += " — " + _("left the group")
        lines.append(line)
    return lines


def programme_view(
    programme: Programme,
    names: dict[int, str],
    today: date,
    meetings: list[Meeting],
    parts: dict[tuple[int, int], ActivityProgress] | None = None,
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
        *version_line(programme),
        _("Goal: {goal}").format(goal=escape(shorten(programme.goal))),
        _("Difficulties addressed: {text}").format(text=escape(shorten(programme.difficulties))),
        _("Strengths to support: {text}").format(text=escape(shorten(programme.strengths))),
        _("Forms: {forms}").format(forms=forms_text(programme.forms)),
        "",
        _("Progress: {bar} ({done} of {total})").format(
            bar=progress_bar(done, total), done=done, total=total
        ),
    ]
    for number, activity in enumerate(programme.activities, 1):
        lines += [f"{number}. {activity_line(activity, today)}", *activity_details(activity)]
        if parts is not None:
            lines += part_lines(activity, pair, parts, names)
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


def _change_value(key: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if key == "deadline":
        return day(date.fromisoformat(str(value)))
    if key == "responsible":
        return label(Responsible(str(value)))
    return escape(shorten(str(value), 300))


def change_field_label(key: str) -> str:
    labels = {
        "title": _("Title"),
        "description": _("Description"),
        "deadline": _("Deadline"),
        "responsible": _("Responsible"),
        "expected_result": _("Expected result"),
    }
    return labels.get(key, key)


def _activity_lines(values: dict[str, object]) -> list[str]:
    return [
        f"   {change_field_label(key)}: {_change_value(key, values.get(key))}"
        for key in ("title", "description", "deadline", "responsible", "expected_result")
    ]


def change_lines(item: dict[str, Any]) -> list[str]:
    """One proposed change with its before and after."""
    op = item["op"]
    if op == "add":
        return [_("➕ New activity:"), *_activity_lines(item["after"])]
    if op == "remove":
        title = escape(shorten(item["before"]["title"], 120))
        return [_("🗑 Remove the activity «{title}»:").format(title=title)]
    if op == "edit":
        title = escape(shorten(item.get("title") or "", 120))
        lines = [_("✏ Change the activity «{title}»:").format(title=title)]
        for key, after in item["after"].items():
            before = item["before"].get(key)
            lines.append(
                f"   {change_field_label(key)}: {_change_value(key, before)} → "
                f"{_change_value(key, after)}"
            )
        return lines
    if op == "forms":
        return [
            _("Forms of mentoring: {before} → {after}").format(
                before=forms_text(item["before"]), after=forms_text(item["after"])
            )
        ]
    if op == "end_date":
        return [
            _("End of the programme: {before} → {after}").format(
                before=day(date.fromisoformat(item["before"])),
                after=day(date.fromisoformat(item["after"])),
            )
        ]
    return []


def change_card(proposal: ProgrammeChange, names: dict[int, str], people: list[int]) -> str:
    """A change proposal (§10.2): what changes, before → after, and everyone's answer."""
    lines = [
        _("<b>Change proposal №{id}</b> to programme №{programme} ({status})").format(
            id=proposal.id, programme=proposal.programme_id, status=label(proposal.status)
        ),
        _("Proposed by {name}, {date}").format(
            name=names.get(proposal.author_id, "—"), date=day(proposal.created_at.date())
        ),
        _("Reason: {reason}").format(reason=escape(shorten(proposal.reason, 1000))),
        "",
    ]
    for number, item in enumerate(proposal.changes, 1):
        first, *rest = change_lines(item)
        lines += [f"{number}. {first}", *rest]
    lines += ["", _("Answers:")]
    for person in dict.fromkeys([*people, *(v["participant_id"] for v in proposal.votes)]):
        vote = proposal.vote_of(person)
        name = names.get(person, "—")
        if vote is None:
            lines.append(_("⏳ {name}: not answered yet").format(name=name))
            continue
        when = day(datetime.fromisoformat(vote["at"]).date())
        line = (
            _("✅ {name}: agrees, {date}")
            if vote["agree"]
            else _("❌ {name}: does not agree, {date}")
        ).format(name=name, date=when)
        if vote.get("comment"):
            line += f" — «{escape(shorten(vote['comment'], 300))}»"
        lines.append(line)
    if proposal.revision is not None:
        lines.append(_("Applied: the programme's version {n}.").format(n=proposal.revision))
    return "\n".join(lines)


async def card_renderer(session: AsyncSession, proposal: ProgrammeChange) -> Callable[[], str]:
    """The proposal's card, rendered later in each recipient's language (names read now)."""
    people = everyone(proposal.programme)
    voters = [v["participant_id"] for v in proposal.votes]
    names = await names_of(session, [*people, *voters, proposal.author_id])
    return lambda: change_card(proposal, names, people)


async def render_card(session: AsyncSession, proposal: ProgrammeChange) -> str:
    return (await card_renderer(session, proposal))()


def roles_of(participant: Participant) -> list[str]:
    roles = []
    if participant.mentee_profile is not None:
        roles.append(label(Role.MENTEE))
    if participant.mentor_profile is not None:
        roles.append(label(Role.MENTOR))
    return roles


def decision_keyboard(participant: Participant) -> InlineKeyboardMarkup | None:
    """The curator's buttons to accept a mentor candidate into the bank, or to reject them."""
    mentor = participant.mentor_profile
    if mentor is None or mentor.status != MentorStatus.CANDIDATE:
        return None
    return yes_no_keyboard(
        MentorDecision(participant_id=participant.id, accept=True),
        _("Accept into the bank of mentors"),
        MentorDecision(participant_id=participant.id, accept=False),
        _("Reject"),
    )


def programme_lines(programmes: Iterable[Programme]) -> list[str]:
    """A person's programmes on their card: a heading, then one line each (none: nothing)."""
    lines = []
    for programme in programmes:
        done, total = programme.progress
        lines.append(
            _("№{id}, pair №{pair}: {status}, {done} of {total}").format(
                id=programme.id,
                pair=programme.pair_id,
                status=label(programme.status),
                done=done,
                total=total,
            )
        )
    return ["", "<b>" + _("Programmes") + "</b>", *lines] if lines else []


def programme_buttons(
    programmes: Iterable[Programme],
    name: Callable[[int], str],
    data: Callable[[Programme], CallbackData],
) -> list[tuple[str, CallbackData]]:
    """A button a programme to choose from, named by its number and its pair
    («#12: mentor → mentee, mentee»); `name` gives a person's name, `data` the button's data."""
    return [
        (
            _("#{id}: {mentor} → {mentees}").format(
                id=programme.id,
                mentor=name(programme.pair.mentor_id),
                mentees=", ".join(name(i) for i in programme.pair.mentee_ids),
            ),
            data(programme),
        )
        for programme in programmes
    ]


def materials_lines(titles: list[str]) -> str:
    """The event's materials from the methodical library, under an invitation or a reminder."""
    if not titles:
        return ""
    return "\n" + _("Materials for it in /library: {titles}").format(
        titles=escape("; ".join(titles))
    )
