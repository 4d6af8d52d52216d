"""/report: monitoring figures for a period (this academic year by default) and a chart."""

from __future__ import annotations

import io
from datetime import date
from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from models.access import Actor
from models.audit import record_view
from models.enums import (
    MentoringForm,
    MentorStatus,
    PairType,
    ProgrammeStatus,
    ProposalStatus,
    RequestKind,
    RequestStatus,
)
from models.i18n_marker import N_
from models.mentor_rights import KIND_LABELS
from models.statistics import Statistics, academic_year, collect_statistics, on_time_rate
from models.surveys import SURVEY_QUESTIONS
from rendering.ui import DbInt, button_rows, label, shown
from rendering.views import day, decimal

router = Router(name=__name__)


class ReportPeriod(CallbackData, prefix="rp"):
    years_back: DbInt  # 0: this academic year, 1: the previous one, -1: all time


def period(today: date, years_back: int) -> tuple[date, date]:
    if years_back < 0:
        return date(2000, 1, 1), date(2100, 12, 31)
    return academic_year(today, min(years_back, 10))


def department_lines(stats: Statistics) -> list[str]:
    """By department of the directory: mentors and mentees in the banks, people in a pair."""
    if not any(name for name in stats.departments):
        return []
    lines = ["", "<b>" + _("By department") + "</b>"]
    for name in sorted(stats.departments, key=lambda n: (n == "", n.lower())):
        counts = stats.departments[name]
        if not any(counts.values()):  # nobody of it in mentoring (the administration)
            continue
        lines.append(
            _("• {department}: mentors {mentors}, mentees {mentees}, in a pair {paired}").format(
                department=escape(name) if name else _("department not given"),
                mentors=counts["mentors"],
                mentees=counts["mentees"],
                paired=counts["in_pair"],
            )
        )
    return lines


def report_text(stats: Statistics) -> str:
    people = stats.people
    lines = [
        "<b>"
        + _("Report for {start} – {end}").format(start=day(stats.start), end=day(stats.end))
        + "</b>",
        "",
        "<b>" + _("Participants") + "</b>",
        _("Mentees in the bank: {n}").format(n=people["mentees"]),
        _(
            "Mentors: {accepted} in the bank, {candidates} candidates, {rejected} not accepted"
        ).format(
            accepted=stats.mentors[MentorStatus.ACCEPTED.value],
            candidates=stats.mentors[MentorStatus.CANDIDATE.value],
            rejected=stats.mentors[MentorStatus.REJECTED.value],
        ),
        _(
            "Registered, not in a pair: {a}; in a pair: {b}; finished: {c}; "
            "withdrawn: {d}; unreachable: {e}"
        ).format(
            a=people["registered"],
            b=people["in_pair"],
            c=people["finished"],
            d=people["withdrawn"],
            e=people["unreachable"],
        ),
        _("On the list to be mentored this year (§6.4.2): {n}; of them in a pair: {m}").format(
            n=people["listed"], m=people["listed_paired"]
        ),
        *department_lines(stats),
        "",
        "<b>" + _("Pairs and groups") + "</b>",
        _("Pairs: {pairs}; groups: {groups}").format(pairs=stats.pairs, groups=stats.groups),
    ]
    lines += [f"• {label(MentoringForm(f))}: {n}" for f, n in stats.forms.most_common()]
    lines += [f"• {label(PairType(t))}: {n}" for t, n in stats.pair_types.most_common()]
    lines += ["", "<b>" + _("Programmes") + "</b>"]
    lines += [f"• {label(ProgrammeStatus(s))}: {n}" for s, n in stats.programmes.most_common()] or [
        "—"
    ]
    rate = on_time_rate(stats.activities)
    lines += [
        "",
        "<b>" + _("Activities") + "</b>",
        _("Done on time: {a}; late: {b}; overdue: {c}; still open: {d}; on time: {rate}").format(
            a=stats.activities["on_time"],
            b=stats.activities["late"],
            c=stats.activities["overdue"],
            d=stats.activities["open"],
            rate=f"{rate} %" if rate is not None else "—",
        ),
        "",
        "<b>" + _("Questionnaires") + "</b> (" + _("answers: {n}").format(n=stats.answers) + ")",
    ]
    lines += [f"• {_(SURVEY_QUESTIONS[k])} {decimal(v)}" for k, v in stats.ratings.items()] or ["—"]
    lines += ["", "<b>" + _("Mentors' proposals (§7.2.6, §7.2.7)") + "</b>"]
    lines += [
        _("• {kind}: {n} (accepted {accepted}, declined {declined}, waiting {open})").format(
            kind=_(KIND_LABELS.get(kind, kind)),
            n=n,
            accepted=stats.proposal_outcomes[(kind, ProposalStatus.ACCEPTED.value)],
            declined=stats.proposal_outcomes[(kind, ProposalStatus.DECLINED.value)],
            open=stats.proposal_outcomes[(kind, ProposalStatus.OPEN.value)],
        )
        for kind, n in sorted(stats.proposals.items())
    ] or ["—"]
    helpers = stats.co_mentors
    lines += [
        "",
        "<b>" + _("Co-mentors (§7.1.1)") + "</b>",
        _(
            "Invited: {invited}; agreed: {accepted}; declined: {declined}; teachers who helped: "
            "{people}; pairs with a co-mentor: {pairs}"
        ).format(
            invited=helpers["invited"],
            accepted=helpers["accepted"],
            declined=helpers["declined"],
            people=helpers["people"],
            pairs=helpers["pairs"],
        ),
    ]
    lines += ["", "<b>" + _("Requests") + "</b>"]
    lines += [
        f"• {label(RequestKind(kind))}: {label(RequestStatus(status))} — {n}"
        for (kind, status), n in sorted(stats.requests.items())
    ] or ["—"]
    return "\n".join(lines)


MONTHS_SHORT = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def month_label(month: str) -> str:
    """«2026-10» (the statistics' key) as a reader writes it: «окт. 2026», «Oct 2026»."""
    year, number = month.split("-")
    return f"{_(MONTHS_SHORT[int(number) - 1])} {year}"


def chart_png(stats: Statistics) -> bytes:
    keys = sorted(stats.by_month)
    months = [month_label(key) for key in keys]
    # imported here: matplotlib costs every process ~40 MB and 1 s at start (issue 18)
    from matplotlib.figure import Figure  # the object API: no GUI backend, no global state
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.subplots()
    kinds = (
        ("on_time", _("on time"), "#2e7d32"),
        ("late", _("late"), "#f9a825"),
        ("overdue", _("overdue"), "#c62828"),
        ("open", _("open"), "#90a4ae"),
    )
    bottom = [0] * len(months)
    for key, caption, colour in kinds:
        values = [stats.by_month[m][key] for m in keys]
        axes.bar(months, values, bottom=bottom, label=caption, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel(_("Activities by deadline month"))
    axes.set_ylim(0, max(bottom, default=0) * 1.15 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    rate_axes = axes.twinx()
    rates = [on_time_rate(stats.by_month[m]) for m in keys]
    rate_axes.plot(
        months,
        [r if r is not None else float("nan") for r in rates],
        "o-",
        color="#1565c0",
        label=_("on-time rate, %"),
    )
    rate_axes.set_ylim(0, 105)
    rate_axes.set_ylabel(_("on-time rate, %"))
    axes.set_title(_("Activities and on-time rate by month"))
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = rate_axes.get_legend_handles_labels()
    figure.legend(
        handles + more_handles, labels + more_labels, loc="lower center", ncol=5, fontsize="small"
    )
    figure.subplots_adjust(bottom=0.22, top=0.9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def period_buttons() -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("This academic year"), ReportPeriod(years_back=0)),
            (_("Previous academic year"), ReportPeriod(years_back=1)),
            (_("All time"), ReportPeriod(years_back=-1)),
        ],
        width=3,
    )


async def send_report(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    today: date,
    years_back: int,
) -> None:
    start, end = period(today, years_back)
    stats = await collect_statistics(session, start, end, today, settings.timezone)
    await record_view(session, actor.telegram_id, "report", years_back=years_back)
    await message.answer(report_text(stats), reply_markup=period_buttons())
    if stats.by_month:
        await message.answer_photo(BufferedInputFile(chart_png(stats), filename="report.png"))


@router.message(Command("report"))
async def cmd_report(
    message: Message, session: AsyncSession, actor: Actor, settings: Settings, today: date
) -> None:
    await send_report(message, session, actor, settings, today, 0)


@router.callback_query(ReportPeriod.filter())
async def report_period_chosen(
    query: CallbackQuery,
    callback_data: ReportPeriod,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    today: date,
) -> None:
    await query.answer()
    await send_report(shown(query), session, actor, settings, today, callback_data.years_back)
