"""Progress of each mentee on each activity (§4.2.8: an individual trajectory for each).

A part is one mentee's share of an activity: in a pair there is one part per activity, in a
group one per mentee. Who reports a part follows the activity's responsible person (mentor,
mentee or both); the other side confirms or returns it (§7.1.4, §8.2.2). The activity's own
status is the sum of its current mentees' parts, kept in the same transaction, so the
reminders, the digest, the progress bar and the completion read it as before: confirmed when
everyone's part is, open while anyone's part is. A mentee who leaves keeps their rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.base import Base, utcnow
from models.concurrency import decision
from models.enums import ActivityStatus, Responsible, Side
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import Pair
from models.participant import enum_column
from models.programmes import (
    RUNNING,
    Activity,
    Programme,
    get_activity,
    programme_of_pair,
    require_running,
)

OPEN = (ActivityStatus.PLANNED, ActivityStatus.RETURNED)
# Who may report an activity, by its responsible person.
REPORTERS = {
    Responsible.MENTEE: (Side.MENTEE,),
    Responsible.MENTOR: (Side.MENTOR,),
    Responsible.BOTH: (Side.MENTOR, Side.MENTEE),
}


class ActivityProgress(Base):
    """One mentee's part of an activity: reported by whoever is responsible, checked by the
    other side."""

    __tablename__ = "activity_progress"
    __table_args__ = (UniqueConstraint("activity_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.PLANNED
    )
    report_comment: Mapped[str | None] = mapped_column(Text)
    evidence_file_id: Mapped[str | None] = mapped_column(String(255))
    evidence_kind: Mapped[str | None] = mapped_column(String(16))
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    reported_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    reviewed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    def reviewer(self, pair: Pair) -> int:
        """The other side: the mentor checks a mentee's report, the mentee the mentor's."""
        return self.mentee_id if self.reported_by == pair.mentor_id else pair.mentor_id


async def parts_of(session: AsyncSession, activity_ids: list[int]) -> list[ActivityProgress]:
    if not activity_ids:
        return []
    result = await session.scalars(
        select(ActivityProgress)
        .where(ActivityProgress.activity_id.in_(activity_ids))
        .order_by(ActivityProgress.id)
    )
    return list(result)


async def part_map(
    session: AsyncSession, programme: Programme
) -> dict[tuple[int, int], ActivityProgress]:
    """(activity id, mentee id) -> the part, for every part of the programme (left ones too)."""
    rows = await parts_of(session, [a.id for a in programme.activities])
    return {(p.activity_id, p.mentee_id): p for p in rows}


def part_status(
    parts: dict[tuple[int, int], ActivityProgress], activity_id: int, mentee_id: int
) -> ActivityStatus:
    part = parts.get((activity_id, mentee_id))
    return part.status if part else ActivityStatus.PLANNED


def _settle(activity: Activity, pair: Pair, parts: dict[tuple[int, int], ActivityProgress]) -> None:
    """The activity's status from its current mentees' parts (the caller commits)."""
    statuses = [part_status(parts, activity.id, m) for m in pair.mentee_ids]
    if not statuses:
        return
    if all(s == ActivityStatus.CONFIRMED for s in statuses):
        status = ActivityStatus.CONFIRMED
    elif ActivityStatus.RETURNED in statuses:
        status = ActivityStatus.RETURNED
    elif ActivityStatus.PLANNED in statuses:
        status = ActivityStatus.PLANNED
    else:
        status = ActivityStatus.REPORTED
    if status != activity.status:
        activity.status = status
    if status == ActivityStatus.CONFIRMED:
        moments = [parts[(activity.id, m)].confirmed_at for m in pair.mentee_ids]
        activity.confirmed_at = max((m for m in moments if m), default=None)
    else:
        activity.confirmed_at = None


async def settle_programme(session: AsyncSession, pair: Pair) -> None:
    """After the group's membership changed (a newcomer ordered in, a mentee left): every
    activity's status follows its current mentees' parts. The caller commits."""
    programme = await programme_of_pair(session, pair.id)
    if programme is None or programme.status not in RUNNING:
        return
    parts = await part_map(session, programme)
    for activity in programme.activities:
        _settle(activity, pair, parts)


def _mirror(activity: Activity, part: ActivityProgress) -> None:
    """The activity keeps its latest report and review, as before parts (export, documents)."""
    activity.report_comment, activity.reported_by = part.report_comment, part.reported_by
    activity.reported_at = part.reported_at
    activity.evidence_file_id, activity.evidence_kind = part.evidence_file_id, part.evidence_kind
    activity.review_comment, activity.reviewed_at = part.review_comment, part.reviewed_at


def may_report(activity: Activity, side: str | None) -> bool:
    return side in REPORTERS[activity.responsible]


def check_reportable_by(activity: Activity, actor: Actor) -> str:
    """The actor's side, when the activity is theirs to report (the responsible person)."""
    side = activity.programme.pair.require_member(actor, curator_allowed=False)
    require_running(activity.programme)
    if not may_report(activity, side):
        if side == Side.MENTEE:
            raise AccessDenied(
                N_("This activity is the mentor's to report; you confirm it once reported.")
            )
        raise AccessDenied(
            N_("This activity is the mentee's to report; you confirm it once reported.")
        )
    return side


async def reportable_parts(
    session: AsyncSession, activity: Activity, actor: Actor, mentee_id: int | None = None
) -> list[int]:
    """The mentees whose open part the actor may report now: a mentee their own; the mentor
    one named mentee's, or every current mentee's open part."""
    side = check_reportable_by(activity, actor)
    pair = activity.programme.pair
    parts = await part_map(session, activity.programme)
    if side == Side.MENTEE:
        targets = [actor.require_participant()]
    elif mentee_id:
        if mentee_id not in pair.mentee_ids:
            raise InvalidValue(N_("This button is no longer valid."))
        targets = [mentee_id]
    else:
        targets = list(pair.mentee_ids)
    open_targets = [m for m in targets if part_status(parts, activity.id, m) in OPEN]
    if not open_targets:
        raise WrongState(N_("This activity has already been reported."))
    return open_targets


@decision
async def report_part(
    session: AsyncSession,
    actor: Actor,
    activity_id: int,
    *,
    comment: str,
    mentee_id: int | None = None,
    evidence_file_id: str | None = None,
    evidence_kind: str | None = None,
    now: datetime | None = None,
) -> tuple[Activity, list[ActivityProgress]]:
    """Report an activity done (§8.2.2) for the actor's part (a mentee) or for the mentees'
    open parts (the mentor), with optional evidence. Returns the reported parts."""
    activity = await get_activity(session, actor, activity_id)
    targets = await reportable_parts(session, activity, actor, mentee_id)
    note = FIELDS["report_comment"].text(comment)
    now = now or utcnow()
    parts = await part_map(session, activity.programme)
    reported = []
    for target in targets:
        part = parts.get((activity.id, target))
        if part is None:
            part = ActivityProgress(activity_id=activity.id, mentee_id=target)
            session.add(part)
            parts[(activity.id, target)] = part
        part.status = ActivityStatus.REPORTED
        part.report_comment, part.reported_by, part.reported_at = note, actor.participant_id, now
        part.evidence_file_id, part.evidence_kind = evidence_file_id, evidence_kind
        part.review_comment = part.reviewed_by = part.reviewed_at = None
        reported.append(part)
        _mirror(activity, part)
    pair = activity.programme.pair
    _settle(activity, pair, parts)
    activity.programme.updated_at = now  # two parts reported at once: the later one settles again
    await session.flush()  # a new part gets its id
    for part in reported:  # the checker is told in this transaction (issue 12)
        occasion = report_occasion(part)
        await queue_notice(
            session,
            "part.reported",
            part.id,
            [part.reviewer(pair)],
            now,
            occasion=occasion,
            extra={"at": occasion},
        )
        if part.evidence_file_id:  # the file follows the notice that announces it
            await queue_notice(
                session,
                "part.evidence",
                part.id,
                [part.reviewer(pair)],
                now,
                occasion=occasion,
                extra={"at": occasion},
            )
    await session.commit()
    return activity, reported


def report_occasion(part: ActivityProgress) -> str:
    """Which report of a part a notice is about (a part returned and reported again is a new
    report to check; a notice about an earlier one says nothing)."""
    return part.reported_at.strftime("%Y%m%d%H%M%S%f") if part.reported_at else ""


@decision
async def review_part(
    session: AsyncSession,
    actor: Actor,
    activity_id: int,
    mentee_id: int,
    *,
    confirm: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> tuple[Activity, ActivityProgress]:
    """The other side confirms a reported part or returns it with a comment (§7.1.4)."""
    activity = await get_activity(session, actor, activity_id)
    pair = activity.programme.pair
    pair.require_member(actor, curator_allowed=False)
    require_running(activity.programme)
    parts = await part_map(session, activity.programme)
    part = _reported(parts.get((activity.id, mentee_id)), mentee_id in pair.mentee_ids)
    if part.reviewer(pair) != actor.participant_id:
        raise AccessDenied(N_("This report is checked by the other side, not by you."))
    # A return needs a comment; a confirmation may have one. Validate before changing anything.
    note = FIELDS["comment"].text(comment) if comment or not confirm else None
    now = now or utcnow()
    part.reviewed_by, part.reviewed_at, part.review_comment = actor.participant_id, now, note
    if confirm:
        part.status, part.confirmed_at = ActivityStatus.CONFIRMED, now
    else:
        part.status = ActivityStatus.RETURNED
    _mirror(activity, part)
    _settle(activity, pair, parts)
    activity.programme.updated_at = now
    # the reporter is told in this transaction (issue 12): a crash after the commit loses nothing
    reporter = pair.mentor_id if part.reported_by == pair.mentor_id else part.mentee_id
    occasion = review_occasion(part)
    await queue_notice(
        session,
        "part.reviewed",
        part.id,
        [reporter],
        now,
        occasion=occasion,
        extra={"at": occasion},
    )
    if confirm and activity.programme.plan_done:
        members = [pair.mentor_id, *pair.mentee_ids]
        await queue_notice(
            session, "programme.plan_done", activity.programme.id, members, now, occasion=occasion
        )
    await session.commit()
    return activity, part


def _reported(part: ActivityProgress | None, member: bool) -> ActivityProgress:
    """A part waits for its check; a second press after the check says what became of it
    (confirmed or returned), not «there is no report»."""
    if part is not None and member and part.status == ActivityStatus.CONFIRMED:
        raise AlreadyDecided(N_("Already confirmed: the report was accepted."))
    if part is not None and member and part.status == ActivityStatus.RETURNED:
        raise AlreadyDecided(N_("Already returned for rework: a new report will come."))
    if part is None or part.status != ActivityStatus.REPORTED or not member:
        raise WrongState(N_("There is no report to check for this activity."))
    return part


def review_occasion(part: ActivityProgress) -> str:
    """Which check of a part a notice is about: a part returned, reported again and checked
    again is told each time, and a notice about an earlier check says nothing."""
    return part.reviewed_at.strftime("%Y%m%d%H%M%S%f") if part.reviewed_at else ""


async def check_reviewable_part(
    session: AsyncSession, actor: Actor, activity_id: int, mentee_id: int
) -> tuple[Activity, ActivityProgress]:
    """Before asking for a return comment: the part waits for this actor's check."""
    activity = await get_activity(session, actor, activity_id)
    pair = activity.programme.pair
    require_running(activity.programme)
    parts = await part_map(session, activity.programme)
    part = _reported(parts.get((activity.id, mentee_id)), mentee_id in pair.mentee_ids)
    if part.reviewer(pair) != actor.participant_id:
        raise AccessDenied(N_("This report is checked by the other side, not by you."))
    return activity, part


async def waiting_for(
    session: AsyncSession, programme: Programme, participant_id: int
) -> list[tuple[Activity, ActivityProgress]]:
    """Reported parts this person is to check, in plan order."""
    pair = programme.pair
    parts = await part_map(session, programme)
    found = []
    for activity in programme.activities:
        for mentee_id in pair.mentee_ids:
            part = parts.get((activity.id, mentee_id))
            if part is None or part.status != ActivityStatus.REPORTED:
                continue
            if part.reviewer(pair) == participant_id:
                found.append((activity, part))
    return found


async def open_for(
    session: AsyncSession, programme: Programme, participant_id: int
) -> list[Activity]:
    """Activities of a running programme this person may report now."""
    pair = programme.pair
    side = pair.side_of(participant_id)
    if programme.status not in RUNNING or side is None:
        return []
    parts = await part_map(session, programme)
    mine = [participant_id] if side == Side.MENTEE else pair.mentee_ids
    return [
        activity
        for activity in programme.activities
        if may_report(activity, side)
        and any(part_status(parts, activity.id, m) in OPEN for m in mine)
    ]
