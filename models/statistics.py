"""Figures for the curator's monitoring and reports (§6.4.10–6.4.12, roadmap stage 6)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.comentors import CoMentor
from models.enums import (
    ActivityStatus,
    CoMentorStatus,
    MentorStatus,
    PairStatus,
    ParticipantStatus,
)
from models.mentor_rights import MentorProposal
from models.pairs import OPEN_PAIR, Pair
from models.participant import Participant
from models.programmes import Activity, Programme
from models.requests import Request
from models.surveys import SURVEY_QUESTIONS, SurveyAnswer


def academic_year(today: date, years_back: int = 0) -> tuple[date, date]:
    """1 September to 31 August of the academic year containing `today`."""
    start_year = (today.year if today.month >= 9 else today.year - 1) - years_back
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


@dataclass
class Statistics:
    start: date
    end: date
    people: Counter[str] = field(default_factory=Counter)
    mentors: Counter[str] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)
    pair_types: Counter[str] = field(default_factory=Counter)
    pairs: int = 0
    groups: int = 0
    programmes: Counter[str] = field(default_factory=Counter)
    activities: Counter[str] = field(default_factory=Counter)
    ratings: dict[str, float] = field(default_factory=dict)
    answers: int = 0
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_month: dict[str, Counter[str]] = field(default_factory=dict)
    proposals: Counter[str] = field(default_factory=Counter)  # the mentors' (§7.2.6-7)
    # the same by (kind, outcome): open, accepted, declined by the curator or the director
    proposal_outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    # co-mentors (§7.1.1) invited in the period: "invited" (all), "accepted" (agreed, even if
    # the help has ended since), "declined"; "people" and "pairs" who had an agreed co-mentor
    co_mentors: Counter[str] = field(default_factory=Counter)
    # By department (the directory's names, models.departments): mentors in the bank, mentees
    # in the bank, people in a pair now.
    departments: dict[str, Counter[str]] = field(default_factory=dict)


def _in(moment: datetime | date | None, start: date, end: date, zone: ZoneInfo) -> bool:
    if moment is None:
        return False
    day = moment.astimezone(zone).date() if isinstance(moment, datetime) else moment
    return start <= day <= end


def pair_of_year(pair: Pair, start: date, end: date, zone: ZoneInfo) -> bool:
    """A pair of the year is one fixed by the director's order (§9.2) by the year's end and not
    closed before it began: the same years as its programme's (which overlap them). A proposal
    nobody has agreed to yet, or one never ordered, is no pair of any year."""
    if pair.status == PairStatus.DECLINED or pair.order_date is None or pair.order_date > end:
        return False
    return pair.closed_at is None or pair.closed_at.astimezone(zone).date() >= start


async def collect_statistics(
    session: AsyncSession, start: date, end: date, today: date, zone: ZoneInfo
) -> Statistics:
    stats = Statistics(start, end)
    participants = list(await session.scalars(select(Participant)))
    open_pairs = list(await session.scalars(select(Pair).where(Pair.status.in_(OPEN_PAIR))))
    open_members = {pid for pair in open_pairs for pid in (pair.mentor_id, *pair.mentee_ids)}
    # people in a pair fixed by the order (a proposal waiting for consents or the order is not
    # yet a pair of the report's, models.statistics.pair_of_year)
    ordered_members = {
        pid
        for pair in open_pairs
        if pair.status == PairStatus.ACTIVE
        for pid in (pair.mentor_id, *pair.mentee_ids)
    }
    finished = {
        pid
        for pair in await session.scalars(select(Pair).where(Pair.status == PairStatus.CLOSED))
        for pid in (pair.mentor_id, *pair.mentee_ids)
    }
    for person in participants:
        if person.status == ParticipantStatus.WITHDRAWN:
            stats.people["withdrawn"] += 1
            continue
        if not person.is_registered:
            continue
        if person.unreachable_at is not None:
            stats.people["unreachable"] += 1
        elif person.id in open_members:
            stats.people["in_pair"] += 1
        elif person.id in finished:
            stats.people["finished"] += 1
        else:
            stats.people["registered"] += 1
        if person.include_year == start.year:  # the yearly list's mark (§6.4.2)
            stats.people["listed"] += 1
            if person.id in open_members or person.id in finished:
                stats.people["listed_paired"] += 1
        if person.mentee_profile is not None:
            stats.people["mentees"] += 1
        if person.mentor_profile is not None:
            stats.mentors[person.mentor_profile.status.value] += 1
        counts = stats.departments.setdefault(person.department or "", Counter())
        if person.mentee_profile is not None:
            counts["mentees"] += 1
        if (
            person.mentor_profile is not None
            and person.mentor_profile.status == MentorStatus.ACCEPTED
        ):
            counts["mentors"] += 1
        if person.id in ordered_members:
            counts["in_pair"] += 1
    for pair in await session.scalars(select(Pair)):
        if not pair_of_year(pair, start, end, zone):
            continue
        if pair.is_group:
            stats.groups += 1
        else:
            stats.pairs += 1
        stats.forms.update(pair.forms)
        stats.pair_types[pair.pair_type.value] += 1
    for programme in await session.scalars(select(Programme)):
        if programme.end_date >= start and programme.start_date <= end:
            stats.programmes[programme.status.value] += 1
    for activity in await session.scalars(select(Activity)):
        if not start <= activity.deadline <= end:
            continue
        month = activity.deadline.strftime("%Y-%m")
        if activity.status == ActivityStatus.CONFIRMED and activity.confirmed_at is not None:
            done_on = activity.confirmed_at.astimezone(zone).date()
            kind = "on_time" if done_on <= activity.deadline else "late"
        elif activity.deadline < today:
            kind = "overdue"
        else:
            kind = "open"
        stats.activities[kind] += 1
        stats.by_month.setdefault(month, Counter())[kind] += 1
    answers = [
        a
        for a in await session.scalars(select(SurveyAnswer))
        if _in(a.answered_at, start, end, zone)
    ]
    stats.answers = len(answers)
    for key in SURVEY_QUESTIONS:
        values = [a.ratings[key] for a in answers if key in a.ratings]
        if values:
            stats.ratings[key] = round(sum(values) / len(values), 1)
    for proposal in await session.scalars(select(MentorProposal)):
        if _in(proposal.created_at, start, end, zone):
            stats.proposals[proposal.kind] += 1
            stats.proposal_outcomes[(proposal.kind, proposal.status.value)] += 1
    helpers: set[int] = set()
    helped: set[int] = set()
    for row in await session.scalars(select(CoMentor)):
        if not _in(row.invited_at, start, end, zone):
            continue
        stats.co_mentors["invited"] += 1
        if row.status == CoMentorStatus.DECLINED:
            stats.co_mentors["declined"] += 1
        elif row.answered_at is not None:  # agreed (and perhaps ended since)
            stats.co_mentors["accepted"] += 1
            helpers.add(row.participant_id)
            helped.add(row.pair_id)
    stats.co_mentors["people"], stats.co_mentors["pairs"] = len(helpers), len(helped)
    for request in await session.scalars(select(Request)):
        if _in(request.created_at, start, end, zone):
            stats.requests[(request.kind.value, request.status.value)] += 1
    return stats


def on_time_rate(counts: Counter[str]) -> float | None:
    due = counts["on_time"] + counts["late"] + counts["overdue"]
    return round(100 * counts["on_time"] / due) if due else None
