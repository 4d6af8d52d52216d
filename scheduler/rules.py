"""What is due now: periodic sweeps over the database, the single source of truth.

Each rule returns `Due` items whose `key` names the occurrence (what, which object, which
threshold or period). The outbox stores one row per key and recipient, so a sweep may run any
number of times, after any downtime, and nothing is queued twice. After downtime only the
latest threshold that applies is due: a mentee three days from a deadline gets the 3-day
reminder, not a burst of the 7-day one as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Table, and_, case, func, literal, not_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import among, dialect_name
from models.broadcasts import FINAL, Broadcast, delivery_counts
from models.enums import ActivityStatus, PairStatus, ProgrammeStatus, RequestStatus, Responsible
from models.journal import Meeting, PairMessage
from models.outbox import OutboxMessage
from models.pairs import Pair, PairMember, current_member
from models.participant import Participant
from models.programmes import FINISHED, Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from models.roadmap import overdue_stages
from models.surveys import SurveyAnswer

OPEN_ACTIVITY = (ActivityStatus.PLANNED, ActivityStatus.RETURNED)


class DueKind(StrEnum):
    """What a scheduled message is about; scheduler.messages has one renderer for each."""

    DEADLINE = "deadline"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    ENDING = "ending"
    SURVEY = "survey"
    INACTIVE = "inactive"
    INACTIVE_CURATOR = "inactive-curator"
    REQUEST_PENDING = "request-pending"
    DIGEST = "digest"
    YEARLY = "yearly"
    UNREACHABLE = "unreachable"
    BROADCAST_SUMMARY = "broadcast-summary"
    EVENT_REMIND = "event-remind"
    END_PASSED = "end-passed"  # the pair: the end date passed, the programme still runs
    END_PASSED_CURATOR = "end-passed-curator"


@dataclass(frozen=True)
class Due:
    key: str
    kind: DueKind
    participants: tuple[int, ...] = ()  # participant ids to tell
    curators: bool = False  # tell every curator too
    params: dict[str, Any] = field(default_factory=dict)
    chats: tuple[int, ...] = ()  # Telegram chats to tell directly (e.g. a broadcast's author)


def latest_threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The smallest threshold already reached (`days_left` <= threshold), if any."""
    reached = [d for d in thresholds if d >= days_left]
    return min(reached) if reached else None


@dataclass(frozen=True, slots=True)
class PairView:
    """What a reminder needs of a pair, read as plain rows: a first sweep reads tens of
    thousands, and ORM objects (with their members' selectin) cost most of its time."""

    id: int
    mentor_id: int
    mentee_ids: tuple[int, ...]  # the current mentees, as Pair.mentee_ids


@dataclass(frozen=True, slots=True)
class ActivityView:
    """What a reminder needs of an activity (see PairView)."""

    id: int
    programme_id: int
    title: str
    deadline: date
    responsible: Responsible = Responsible.MENTEE


async def pair_views(session: AsyncSession, pair_ids: Iterable[int]) -> dict[int, PairView]:
    """Pair id -> PairView, two statements per IN_CHUNK pairs."""
    wanted = sorted(set(pair_ids))
    views: dict[int, PairView] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        mentees: dict[int, list[int]] = {}
        for pair_id, mentee_id in await session.execute(
            select(PairMember.pair_id, PairMember.mentee_id)
            .where(among(session, PairMember.pair_id, chunk), current_member())
            .order_by(PairMember.id)
        ):
            mentees.setdefault(pair_id, []).append(mentee_id)
        for pair_id, mentor_id in await session.execute(
            select(Pair.id, Pair.mentor_id).where(among(session, Pair.id, chunk))
        ):
            views[pair_id] = PairView(pair_id, mentor_id, tuple(mentees.get(pair_id, ())))
    return views


async def _open_parts(
    session: AsyncSession, found: list[tuple[ActivityView, PairView]]
) -> dict[int, tuple[int, ...]]:
    """Activity id -> who is reminded: the mentees whose own part is still open (a group's
    mentee who reported or got it confirmed is not nagged, models.progress), and the mentor."""
    done: set[tuple[int, int]] = set()
    ids = [activity.id for activity, _pair in found]
    for start in range(0, len(ids), IN_CHUNK):
        rows = await session.execute(
            select(ActivityProgress.activity_id, ActivityProgress.mentee_id).where(
                among(session, ActivityProgress.activity_id, ids[start : start + IN_CHUNK]),
                ActivityProgress.status.in_((ActivityStatus.REPORTED, ActivityStatus.CONFIRMED)),
            )
        )
        done.update((activity_id, mentee_id) for activity_id, mentee_id in rows.all())
    return {
        activity.id: (
            *(m for m in pair.mentee_ids if (activity.id, m) not in done),
            pair.mentor_id,
        )
        for activity, pair in found
    }


async def survey_reminders(session: AsyncSession, now: datetime, after_days: int) -> list[Due]:
    """The monitoring questionnaire, offered again to those who did not answer."""
    cutoff = now - timedelta(days=after_days)
    programmes = await session.scalars(
        select(Programme).where(Programme.status.in_(FINISHED), Programme.ended_at <= cutoff)
    )
    dues = []
    for programme in programmes:
        answered = set(
            await session.scalars(
                select(SurveyAnswer.participant_id).where(SurveyAnswer.programme_id == programme.id)
            )
        )
        pair = programme.pair
        for participant_id in (pair.mentor_id, *pair.mentee_ids):
            if participant_id not in answered:
                dues.append(
                    Due(
                        key=f"survey:{programme.id}:{participant_id}",
                        kind=DueKind.SURVEY,
                        participants=(participant_id,),
                        params={"programme": programme},
                    )
                )
    return dues


def _aware(moment: datetime) -> datetime:
    # func.max() bypasses the column type on SQLite: naive UTC comes back.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def pending_requests(session: AsyncSession, now: datetime, days: int) -> list[Due]:
    waiting = await session.scalars(
        select(Request).where(
            Request.status == RequestStatus.PENDING,
            Request.created_at <= now - timedelta(days=days),
        )
    )
    return [
        Due(
            key=f"request-pending:{r.id}",
            kind=DueKind.REQUEST_PENDING,
            curators=True,
            params={"request": r, "days": (now - _aware(r.created_at)).days},
        )
        for r in waiting
    ]


async def digest_counts(session: AsyncSession, today: date) -> dict[str, int]:
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    running = (
        select(Activity.id)
        .join(Programme, Programme.id == Activity.programme_id)
        .where(Programme.status == ProgrammeStatus.APPROVED, Activity.status.in_(OPEN_ACTIVITY))
    )
    count = func.count()
    return {
        "pairs": await session.scalar(
            select(count).select_from(Pair).where(Pair.status == PairStatus.ACTIVE)
        )
        or 0,
        "due": await session.scalar(
            select(count).select_from(
                running.where(Activity.deadline >= monday, Activity.deadline <= sunday).subquery()
            )
        )
        or 0,
        "overdue": await session.scalar(
            select(count).select_from(running.where(Activity.deadline < today).subquery())
        )
        or 0,
        "past_end": await session.scalar(
            select(count)
            .select_from(Programme)
            .where(Programme.status == ProgrammeStatus.APPROVED, Programme.end_date < today)
        )
        or 0,
        "requests": await session.scalar(
            select(count).select_from(Request).where(Request.status == RequestStatus.PENDING)
        )
        or 0,
        "stages": len(await overdue_stages(session, today)),  # the roadmap's (Appendix 1)
    }


async def weekly_digest(
    session: AsyncSession, local_now: datetime, weekday: int, at: Any
) -> list[Due]:
    """Once a week for the curators, from the configured day and time on (caught up later)."""
    today = local_now.date()
    moment = datetime.combine(
        today - timedelta(days=today.weekday() - weekday), at, local_now.tzinfo
    )
    if local_now < moment:
        return []
    year, week, _ = moment.date().isocalendar()
    key = f"digest:{year}-W{week:02d}"
    # Counted once a week, not on every sweep: the counts read every open activity.
    queued = await session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.key > f"{key}:", OutboxMessage.key < f"{key};")
        .limit(1)
    )
    if queued is not None:
        return []
    counts = await digest_counts(session, today)
    return [Due(key=key, kind=DueKind.DIGEST, curators=True, params=counts)]


def yearly_list_update(today: date, month_day: str) -> list[Due]:
    """§6.4.2: at least once a year the curator updates the list of teachers to mentor."""
    month, day = int(month_day[:2]), int(month_day[3:5])
    try:
        moment = date(today.year, month, day)
    except ValueError:  # 02-29 in a common year
        moment = date(today.year, month, day - 1)
    if not moment <= today <= moment + timedelta(days=30):
        return []
    return [Due(key=f"yearly:{today.year}", kind=DueKind.YEARLY, curators=True)]


async def unreachable_people(session: AsyncSession) -> list[Due]:
    """People who blocked the bot: the curators are told once per episode (§6.4.5 bank)."""
    people = await session.scalars(
        select(Participant).where(Participant.unreachable_at.is_not(None))
    )
    return [
        Due(
            key=f"unreachable:{person.id}:{_aware(since).date()}",
            kind=DueKind.UNREACHABLE,
            curators=True,
            params={"name": person.display_name},
        )
        for person in people
        if (since := person.unreachable_at) is not None
    ]


async def broadcast_summaries(session: AsyncSession, now: datetime) -> list[Due]:
    """Once every copy of a broadcast is sent, blocked or given up, its author gets a summary."""
    recent = await session.scalars(
        select(Broadcast).where(Broadcast.created_at >= now - timedelta(days=30))
    )
    dues = []
    for broadcast in recent:
        counts = await delivery_counts(session, broadcast.id)
        if sum(counts.values()) < broadcast.recipients or set(counts) - FINAL:
            continue
        dues.append(
            Due(
                key=f"broadcast-summary:{broadcast.id}",
                kind=DueKind.BROADCAST_SUMMARY,
                chats=(broadcast.author_telegram_id,),
                params={"broadcast": broadcast, "counts": counts},
            )
        )
    return dues


async def event_reminders(session: AsyncSession, today: date, zone: tzinfo) -> list[Due]:
    """The roadmap's events of tomorrow: each guest is reminded once, the day before."""
    from models.library import materials_of_events
    from models.roadmap import events_on  # the roadmap's own rule, kept apart from the sweep

    dues = []
    tomorrow = await events_on(session, today + timedelta(days=1), zone)
    attached = await materials_of_events(session, [event.id for event, _guests in tomorrow])
    for event, guests in tomorrow:
        when = event.starts_at.astimezone(zone)
        dues.append(
            Due(
                key=f"event-remind:{event.id}",
                kind=DueKind.EVENT_REMIND,
                participants=tuple(person.id for person in guests),
                params={
                    "title": event.title,
                    "time": when.strftime("%H:%M"),
                    "place": event.place,
                    "materials": [m.title for m in attached.get(event.id, [])],
                },
            )
        )
    return dues


# --- O(due): each activity, programme and pair carries the moment the sweep must look at it
# next (`next_notice_on` / `next_notice_at`, NULL = look now). The sweep reads only those whose
# moment has come, in bounded batches, and advances them in the same transaction as it queues
# their notices. A change that can bring a notice earlier clears the moment in the database
# (triggers of migration 5d1e0a7c9b42), whatever code made it.

FAR_DAY = date(9999, 12, 31)  # nothing can become due by the passing of time alone
FAR_MOMENT = datetime(9999, 12, 31, tzinfo=UTC)
BATCH = 10000
IN_CHUNK = 10000  # ids in one bound parameter (models.base.among)


@dataclass
class Found:
    """A batch of the objects whose moment had come: what is due, and when to look again."""

    dues: list[Due]
    model: type
    advance: dict[int, Any]  # object id -> next moment (every object of the batch)…
    advance_in_sql: list[Any] = field(default_factory=list)  # …or UPDATEs that compute it
    looked_at: int | None = None

    @property
    def size(self) -> int:
        return len(self.advance) if self.looked_at is None else self.looked_at


def _plus_days(session: AsyncSession, column: Any, days: int) -> Any:
    if dialect_name(session) == "sqlite":
        return type_coerce(func.date(column, f"{days:+d} days"), Date)
    return column + days  # PostgreSQL: date + integer is a date


def _next_activity_look(
    session: AsyncSession, today: date, thresholds: tuple[int, ...], escalate_after: int
) -> Any:
    """`activity_plan`'s next day in SQL: the first of the reminder days, the day after the
    deadline and the escalation day that is still ahead; FAR_DAY for an activity that is done
    or whose programme is not running (a change clears it, see the triggers)."""
    far = literal(FAR_DAY, Date)
    running = and_(
        Activity.status.in_(OPEN_ACTIVITY),
        select(Programme.status).where(Programme.id == Activity.programme_id).scalar_subquery()
        == ProgrammeStatus.APPROVED,
    )
    offsets = sorted({-t for t in thresholds} | {1, max(escalate_after, 1)})
    moments = [_plus_days(session, Activity.deadline, offset) for offset in offsets]
    return case(
        (not_(running), far),
        *((moment > literal(today, Date), moment) for moment in moments),
        else_=far,
    )


async def _looked_at(
    session: AsyncSession, column: Any, until: date | datetime, limit: int, *columns: Any
) -> list[Any]:
    """Rows (`columns`) of the objects whose next look is unset or has come: two index range
    scans, at most `limit` rows."""
    rows = list(
        (await session.execute(select(*columns).where(column.is_(None)).limit(limit))).all()
    )
    if len(rows) < limit:
        rows += (
            await session.execute(select(*columns).where(column <= until).limit(limit - len(rows)))
        ).all()
    return rows


def activity_plan(
    deadline: date,
    today: date,
    thresholds: tuple[int, ...],
    escalate_after: int,
) -> tuple[int | None, bool, bool, date]:
    """For an open activity of a running programme: the deadline reminder's threshold that
    applies today (the latest reached), whether it is overdue, whether to escalate, and the
    next day something new can become due."""
    days_left = (deadline - today).days
    threshold = None
    if thresholds and 0 <= days_left <= max(thresholds):
        threshold = latest_threshold(days_left, thresholds)
    late = days_left <= -1
    escalate = late and -days_left >= escalate_after
    moments = [deadline - timedelta(days=t) for t in thresholds]
    moments += [deadline + timedelta(days=1), deadline + timedelta(days=max(escalate_after, 1))]
    upcoming = [moment for moment in moments if moment > today]
    return threshold, late, escalate, min(upcoming, default=FAR_DAY)


async def activities_due(
    session: AsyncSession,
    today: date,
    thresholds: tuple[int, ...],
    escalate_after: int,
    limit: int = BATCH,
) -> Found:
    """Deadline reminders (the mentee, a copy to the mentor, §8.2.2), overdue notices (both
    sides, the day after the deadline) and escalations (the curators, `escalate_after` days
    late), for the activities whose day has come."""
    ids = [
        row[0]
        for row in await _looked_at(session, Activity.next_notice_on, today, limit, Activity.id)
    ]
    plans: dict[int, tuple[int | None, bool, bool]] = {}
    activities: list[tuple[ActivityView, int]] = []  # (the activity, its pair's id)
    horizon = today + timedelta(days=max(thresholds, default=0))
    for start in range(0, len(ids), IN_CHUNK):
        rows = await session.execute(
            select(
                Activity.id,
                Activity.deadline,
                Activity.programme_id,
                Activity.title,
                Activity.responsible,
                Programme.pair_id,
            )
            .join(Programme, Programme.id == Activity.programme_id)
            .where(
                among(session, Activity.id, ids[start : start + IN_CHUNK]),
                Programme.status == ProgrammeStatus.APPROVED,
                Activity.status.in_(OPEN_ACTIVITY),
                Activity.deadline <= horizon,  # reminded, overdue or escalated today
            )
        )
        for activity_id, deadline, programme_id, title, responsible, pair_id in rows.all():
            threshold, late, escalate, _next = activity_plan(
                deadline, today, thresholds, escalate_after
            )
            if threshold is not None or late:
                plans[activity_id] = (threshold, late, escalate)
                activities.append(
                    (
                        ActivityView(activity_id, programme_id, title, deadline, responsible),
                        pair_id,
                    )
                )
    # The next look of every activity of the batch, computed by the database (most of a first
    # sweep's rows are done or far away: no Python per row for them).
    advance_in_sql = [
        update(Activity)
        .where(among(session, Activity.id, ids[start : start + IN_CHUNK]))
        .values(next_notice_on=_next_activity_look(session, today, thresholds, escalate_after))
        .execution_options(synchronize_session=False)
        for start in range(0, len(ids), IN_CHUNK)
    ]
    pairs = await pair_views(session, (pair_id for _activity, pair_id in activities))
    found = [(activity, pairs[pair_id]) for activity, pair_id in activities]
    found.sort(key=lambda row: (row[0].deadline, row[0].id))
    who = await _open_parts(session, found)
    reminders, lateness = [], []
    for activity, pair in found:
        threshold, late, escalate = plans[activity.id]
        days_left = (activity.deadline - today).days
        if threshold is not None:
            reminders.append(
                Due(
                    key=f"deadline:{activity.id}:{activity.deadline}:{threshold}",
                    kind=DueKind.DEADLINE,
                    participants=who[activity.id],
                    params={"activity": activity, "pair": pair, "days_left": days_left},
                )
            )
        if late:
            params = {"activity": activity, "pair": pair, "days_late": -days_left}
            lateness.append(
                Due(
                    key=f"overdue:{activity.id}:{activity.deadline}",
                    kind=DueKind.OVERDUE,
                    participants=who[activity.id],
                    params=params,
                )
            )
            if escalate:
                lateness.append(
                    Due(
                        key=f"escalation:{activity.id}:{activity.deadline}",
                        kind=DueKind.ESCALATION,
                        curators=True,
                        params=params,
                    )
                )
    return Found([*reminders, *lateness], Activity, {}, advance_in_sql, len(ids))


async def programmes_ending(
    session: AsyncSession, today: date, thresholds: tuple[int, ...], limit: int = BATCH
) -> Found:
    """Before the end date: the pair (`thresholds` days before). After it, once per end date,
    while the programme still runs: the pair and the curators, with the choices (§10.1, §10.2)."""
    rows = await _looked_at(
        session,
        Programme.next_notice_on,
        today,
        limit,
        Programme.id,
        Programme.end_date,
        Programme.status,
        Programme.end_passed_notice_for,
    )
    advance: dict[int, Any] = {}
    due_ids, passed_ids = [], []
    for programme_id, end_date, status, told_for in rows:
        if status != ProgrammeStatus.APPROVED:
            advance[programme_id] = FAR_DAY
            continue
        upcoming = [
            end_date - timedelta(days=t) for t in thresholds if end_date - timedelta(days=t) > today
        ]
        if end_date + timedelta(days=1) > today:
            upcoming.append(end_date + timedelta(days=1))
        advance[programme_id] = min(upcoming, default=FAR_DAY)
        if thresholds and 0 <= (end_date - today).days <= max(thresholds):
            due_ids.append(programme_id)
        if end_date < today and told_for != end_date:
            passed_ids.append(programme_id)
    dues = []
    for start in range(0, len(due_ids), 500):
        for programme in await session.scalars(
            select(Programme)
            .where(Programme.id.in_(due_ids[start : start + 500]))
            .order_by(Programme.id)
        ):
            days_left = (programme.end_date - today).days
            threshold = latest_threshold(days_left, thresholds)
            pair = programme.pair
            dues.append(
                Due(
                    key=f"ending:{programme.id}:{programme.end_date}:{threshold}",
                    kind=DueKind.ENDING,
                    participants=(pair.mentor_id, *pair.mentee_ids),
                    params={"programme": programme, "days_left": days_left},
                )
            )
    told = []
    for start in range(0, len(passed_ids), 500):
        chunk = passed_ids[start : start + 500]
        for programme in await session.scalars(
            select(Programme).where(Programme.id.in_(chunk)).order_by(Programme.id)
        ):
            pair = programme.pair
            done, total = programme.progress
            params = {"programme": programme, "pair": pair, "open": total - done}
            key = f"end-passed:{programme.id}:{programme.end_date}"
            dues.append(
                Due(
                    key=key,
                    kind=DueKind.END_PASSED,
                    participants=(pair.mentor_id, *pair.mentee_ids),
                    params=params,
                )
            )
            dues.append(Due(key=f"{key}:curator", kind=DueKind.END_PASSED_CURATOR, curators=True,
                            params=params))  # fmt: skip
        # Told once per end date: the mark is written with the notices (not a change of the
        # programme: no version bump, no trigger).
        table = Programme.__table__
        assert isinstance(table, Table)
        told.append(
            update(table)
            .where(table.c.id.in_(chunk))
            .values(end_passed_notice_for=table.c.end_date, updated_at=table.c.updated_at)
        )
    return Found(dues, Programme, advance, told)


async def pairs_inactive(
    session: AsyncSession, now: datetime, days: int, escalate_after: int, limit: int = BATCH
) -> Found:
    """No report, meeting or message for `days`: both sides; `escalate_after` later, the
    curators. A pair is looked at when its quiet spell can have reached a threshold; a newer
    report, meeting or message only moves that later, so it needs no trigger."""
    ids = [row[0] for row in await _looked_at(session, Pair.next_notice_at, now, limit, Pair.id)]
    advance: dict[int, Any] = dict.fromkeys(ids, FAR_MOMENT)  # not running: until a change
    recheck = now + timedelta(days=max(days, 1))
    quiet: dict[int, tuple[datetime, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        programmes = select(Programme.id).where(Programme.pair_id.in_(chunk))
        reports = (
            select(Activity.programme_id, func.max(Activity.reported_at).label("at"))
            .where(Activity.programme_id.in_(programmes))
            .group_by(Activity.programme_id)
            .subquery()
        )
        meetings = (
            select(Meeting.pair_id, func.max(Meeting.created_at).label("at"))
            .where(Meeting.pair_id.in_(chunk))
            .group_by(Meeting.pair_id)
            .subquery()
        )
        messages = (
            select(PairMessage.pair_id, func.max(PairMessage.created_at).label("at"))
            .where(PairMessage.pair_id.in_(chunk))
            .group_by(PairMessage.pair_id)
            .subquery()
        )
        rows = await session.execute(
            select(
                Pair.id,
                Pair.approved_at,
                Programme.approved_at,
                reports.c.at,
                meetings.c.at,
                messages.c.at,
            )
            .join(Programme, Programme.pair_id == Pair.id)
            .outerjoin(reports, reports.c.programme_id == Programme.id)
            .outerjoin(meetings, meetings.c.pair_id == Pair.id)
            .outerjoin(messages, messages.c.pair_id == Pair.id)
            .where(
                Pair.id.in_(chunk),
                Pair.status == PairStatus.ACTIVE,
                Programme.status == ProgrammeStatus.APPROVED,
            )
        )
        for pair_id, *moments in rows.all():
            known = [_aware(m) for m in moments if m is not None]
            if not known:
                advance[pair_id] = recheck
                continue
            last = max(known)
            quiet_days = (now - last).days
            if quiet_days < days:
                advance[pair_id] = last + timedelta(days=days)
            elif quiet_days < days + escalate_after:
                advance[pair_id] = last + timedelta(days=days + escalate_after)
                quiet[pair_id] = (last, quiet_days)
            else:
                advance[pair_id] = recheck  # a new report etc. starts a new quiet spell
                quiet[pair_id] = (last, quiet_days)
    dues: list[Due] = []
    views = await pair_views(session, quiet)
    for pair_id in sorted(quiet):
        if (pair := views.get(pair_id)) is not None:
            last, quiet_days = quiet[pair.id]
            params = {"pair": pair, "days": quiet_days}
            dues.append(
                Due(
                    key=f"inactive:{pair.id}:{last.date()}",
                    kind=DueKind.INACTIVE,
                    participants=(pair.mentor_id, *pair.mentee_ids),
                    params=params,
                )
            )
            if quiet_days >= days + escalate_after:
                dues.append(
                    Due(
                        key=f"inactive-curator:{pair.id}:{last.date()}",
                        kind=DueKind.INACTIVE_CURATOR,
                        curators=True,
                        params=params,
                    )
                )
    return Found(dues, Pair, advance)
