"""Personalised programmes (§3): drafted by the mentor, agreed by the mentee (§8.1.2),
approved by the curator (§6.4.9); activities reported (§8.2.2) and checked (§7.1.4)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    inspect,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import formatting
from models.access import Actor
from models.audit import audit
from models.base import Base, TimestampMixin, utcnow
from models.concurrency import decision
from models.enums import (
    ActivityStatus,
    EndReason,
    PairStatus,
    ProgrammeStatus,
    Responsible,
    Side,
)
from models.errors import AccessDenied, InvalidValue, NotFound, WrongState, already_decided
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import Pair, PairMember, close_pair, get_pair
from models.participant import enum_column

RUNNING = (ProgrammeStatus.APPROVED,)
EDITABLE = (ProgrammeStatus.DRAFT, ProgrammeStatus.SUBMITTED)
FINISHED = (ProgrammeStatus.COMPLETED, ProgrammeStatus.ENDED_EARLY)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Programme(TimestampMixin, Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), unique=True)
    goal: Mapped[str] = mapped_column(Text)
    difficulties: Mapped[str] = mapped_column(Text)
    strengths: Mapped[str] = mapped_column(Text)
    forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_column(ProgrammeStatus), default=ProgrammeStatus.DRAFT, index=True
    )
    agreed_by: Mapped[list[int]] = mapped_column(JSON, default=list)
    mentee_comment: Mapped[str | None] = mapped_column(Text)
    curator_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[datetime | None]
    completion_votes: Mapped[list[int]] = mapped_column(JSON, default=list)
    end_reason: Mapped[EndReason | None] = mapped_column(enum_column(EndReason))
    end_comment: Mapped[str | None] = mapped_column(Text)
    ended_by: Mapped[int | None] = mapped_column(BigInteger)
    ended_at: Mapped[datetime | None]
    # Marked by the curator for the site (§6.4.6, §11.1).
    best_case: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Checked in every UPDATE: a concurrent decision makes the loser decide again (concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    # When the reminder sweep looks at it next (scheduler.rules; cleared by a trigger).
    next_notice_on: Mapped[date | None] = mapped_column(index=True)

    pair: Mapped[Pair] = relationship(lazy="selectin")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="programme",
        lazy="selectin",
        order_by="[Activity.deadline, Activity.id]",
        cascade="all, delete-orphan",
    )

    @property
    def progress(self) -> tuple[int, int]:
        done = sum(a.status == ActivityStatus.CONFIRMED for a in self.activities)
        return done, len(self.activities)

    @property
    def plan_done(self) -> bool:
        done, total = self.progress
        return total > 0 and done == total


class Activity(Base):
    __tablename__ = "activities"
    # The reminder sweep looks for open activities by deadline range.
    __table_args__ = (Index("ix_activities_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(index=True)
    responsible: Mapped[Responsible] = mapped_column(enum_column(Responsible))
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.PLANNED, index=True
    )
    report_comment: Mapped[str | None] = mapped_column(Text)
    evidence_file_id: Mapped[str | None] = mapped_column(String(255))
    evidence_kind: Mapped[str | None] = mapped_column(String(16))
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    reported_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # When the reminder sweep looks at it next (scheduler.rules; cleared by a trigger).
    next_notice_on: Mapped[date | None] = mapped_column(index=True)

    programme: Mapped[Programme] = relationship(back_populates="activities", lazy="selectin")

    def overdue(self, today: date) -> bool:
        return self.status != ActivityStatus.CONFIRMED and self.deadline < today


async def programme_of_pair(session: AsyncSession, pair_id: int) -> Programme | None:
    return await session.scalar(select(Programme).where(Programme.pair_id == pair_id))


async def get_programme(session: AsyncSession, actor: Actor, programme_id: int) -> Programme:
    """A programme its pair's people and curators may see (§7.1.2); others are refused."""
    programme = await session.get(Programme, programme_id)
    if programme is None:
        raise NotFound()
    programme.pair.require_member(actor)
    return programme


async def get_activity(session: AsyncSession, actor: Actor, activity_id: int) -> Activity:
    activity = await session.get(Activity, activity_id)
    if activity is None:
        raise NotFound()
    programme = activity.programme
    programme.pair.require_member(actor)
    if "activities" in inspect(programme).unloaded:  # eager loading stops at the cycle
        await session.refresh(programme, attribute_names=["activities"])
    return activity


def _check_period(start: date, end: date) -> None:
    if not add_months(start, 3) <= end <= add_months(start, 12):
        raise InvalidValue(
            N_("A programme lasts from 3 months to 1 year: the end must be from {low} to {high}."),
            low=formatting.day(add_months(start, 3)),
            high=formatting.day(add_months(start, 12)),
        )


@dataclass(frozen=True)
class ProgrammeDraft:
    goal: str
    difficulties: str
    strengths: str
    forms: list[str]
    start_date: date
    end_date: date


async def save_draft(
    session: AsyncSession, actor: Actor, pair_id: int, draft: ProgrammeDraft
) -> Programme:
    """The mentor drafts (or redrafts) the programme of an approved pair."""
    pair = await get_pair(session, pair_id)
    if pair.require_member(actor, curator_allowed=False) != Side.MENTOR:
        raise AccessDenied()
    if pair.status != PairStatus.ACTIVE:
        raise WrongState(N_("The programme is drafted once the pair is approved by order."))
    _check_period(draft.start_date, draft.end_date)
    values = {
        "goal": FIELDS["goal"].coerce(draft.goal),
        "difficulties": FIELDS["programme_difficulties"].coerce(draft.difficulties),
        "strengths": FIELDS["strengths"].coerce(draft.strengths),
        "forms": FIELDS["mentor_forms"].coerce(draft.forms),
        "start_date": draft.start_date,
        "end_date": draft.end_date,
    }
    programme = await programme_of_pair(session, pair_id)
    if programme is None:
        programme = Programme(pair=pair, activities=[], **values)
        session.add(programme)
    elif programme.status in EDITABLE:
        for key, value in values.items():
            setattr(programme, key, value)
        programme.status = ProgrammeStatus.DRAFT
    else:
        raise WrongState(N_("An approved programme changes only through a request."))
    await session.commit()
    return programme


def check_mentor_can_edit(programme: Programme, actor: Actor) -> None:
    if programme.pair.require_member(actor, curator_allowed=False) != Side.MENTOR:
        raise AccessDenied()
    if programme.status not in EDITABLE:
        raise WrongState(N_("An approved programme changes only through a request."))


def check_deadline(programme: Programme, deadline: date) -> None:
    if not programme.start_date <= deadline <= programme.end_date:
        raise InvalidValue(
            N_("The deadline must be inside the programme: from {start} to {end}."),
            start=formatting.day(programme.start_date),
            end=formatting.day(programme.end_date),
        )


async def add_activity(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    *,
    title: str,
    description: str | None,
    deadline: date,
    responsible: str,
) -> Activity:
    programme = await get_programme(session, actor, programme_id)
    check_mentor_can_edit(programme, actor)
    check_deadline(programme, deadline)
    if len(programme.activities) >= 100:
        raise InvalidValue(N_("A programme holds at most 100 activities."))
    activity = Activity(
        title=FIELDS["activity_title"].coerce(title),
        description=FIELDS["activity_description"].coerce(description),
        deadline=deadline,
        responsible=Responsible(responsible),
    )
    programme.activities.append(activity)
    programme.status = ProgrammeStatus.DRAFT
    await session.commit()
    return activity


async def remove_activity(
    session: AsyncSession, actor: Actor, activity_id: int, programme_id: int | None = None
) -> Programme:
    """The mentor removes an activity from the draft; with `programme_id` (the button's), an
    activity of another programme is refused before anything changes."""
    activity = await get_activity(session, actor, activity_id)
    if programme_id is not None and activity.programme_id != programme_id:
        raise InvalidValue(N_("This button is no longer valid."))
    programme = activity.programme
    check_mentor_can_edit(programme, actor)
    programme.activities.remove(activity)
    programme.status = ProgrammeStatus.DRAFT
    await session.commit()
    return programme


@decision
async def submit_programme(
    session: AsyncSession, actor: Actor, programme_id: int, now: datetime | None = None
) -> Programme:
    """The mentor shows the draft to the mentee(s), who take part in drafting it (§8.1.2)."""
    programme = await get_programme(session, actor, programme_id)
    check_mentor_can_edit(programme, actor)
    if not programme.activities:
        raise InvalidValue(N_("Add at least one activity to the plan first."))
    programme.status = ProgrammeStatus.SUBMITTED
    programme.agreed_by = []
    programme.submitted_at = now or utcnow()
    await session.commit()
    return programme


@decision
async def respond_to_draft(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    *,
    agree: bool,
    comment: str | None = None,
) -> Programme:
    """A mentee agrees, or sends comments back to the mentor (the draft reopens)."""
    programme = await get_programme(session, actor, programme_id)
    if programme.pair.require_member(actor, curator_allowed=False) != Side.MENTEE:
        raise AccessDenied()
    if programme.status != ProgrammeStatus.SUBMITTED:
        raise already_decided(programme.status)
    me = actor.require_participant()
    if agree:
        programme.agreed_by = sorted({*programme.agreed_by, me})
        if set(programme.pair.mentee_ids) <= set(programme.agreed_by):
            programme.status = ProgrammeStatus.AGREED
    else:
        programme.mentee_comment = FIELDS["comment"].text(comment)
        programme.status = ProgrammeStatus.DRAFT
    await session.commit()
    return programme


@decision
async def review_programme(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    *,
    approve: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> Programme:
    """The curator approves the agreed programme, or returns it to the mentor (§6.4.9)."""
    actor.require_curator()
    programme = await get_programme(session, actor, programme_id)
    if programme.status in (ProgrammeStatus.APPROVED, *FINISHED):
        raise already_decided(programme.status)
    if programme.status != ProgrammeStatus.AGREED:
        raise WrongState(N_("Only a programme the mentee agreed to can be approved."))
    if approve:
        programme.status = ProgrammeStatus.APPROVED
        programme.approved_by, programme.approved_at = actor.telegram_id, now or utcnow()
    else:
        programme.curator_comment = FIELDS["comment"].text(comment)
        programme.status = ProgrammeStatus.DRAFT
    action = "programme.approve" if approve else "programme.return"
    audit(session, actor.telegram_id, action, "programme", programme.id)
    await session.commit()
    return programme


def _running(programme: Programme) -> None:
    if programme.status not in RUNNING:
        raise WrongState(N_("The programme is not running: nothing can be reported."))


def check_reportable(activity: Activity, actor: Actor) -> None:
    """Only the pair's mentee reports, only in a running programme, only an open activity."""
    if activity.programme.pair.require_member(actor, curator_allowed=False) != Side.MENTEE:
        raise AccessDenied()
    _running(activity.programme)
    if activity.status not in (ActivityStatus.PLANNED, ActivityStatus.RETURNED):
        raise WrongState(N_("This activity has already been reported."))


def check_reviewable(activity: Activity, actor: Actor) -> None:
    """Only the pair's mentor checks, only a reported activity of a running programme."""
    if activity.programme.pair.require_member(actor, curator_allowed=False) != Side.MENTOR:
        raise AccessDenied()
    _running(activity.programme)
    if activity.status != ActivityStatus.REPORTED:
        raise WrongState(N_("There is no report to check for this activity."))


@decision
async def report_activity(
    session: AsyncSession,
    actor: Actor,
    activity_id: int,
    *,
    comment: str,
    evidence_file_id: str | None = None,
    evidence_kind: str | None = None,
    now: datetime | None = None,
) -> Activity:
    """The mentee reports an activity done (§8.2.2), with optional evidence."""
    activity = await get_activity(session, actor, activity_id)
    check_reportable(activity, actor)
    activity.report_comment = FIELDS["report_comment"].text(comment)
    activity.evidence_file_id, activity.evidence_kind = evidence_file_id, evidence_kind
    activity.reported_by = actor.participant_id
    activity.reported_at = now or utcnow()
    activity.status = ActivityStatus.REPORTED
    await session.commit()
    return activity


@decision
async def review_activity(
    session: AsyncSession,
    actor: Actor,
    activity_id: int,
    *,
    confirm: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> Activity:
    """The mentor confirms a reported activity or returns it with a comment (§7.1.4)."""
    activity = await get_activity(session, actor, activity_id)
    check_reviewable(activity, actor)
    # A return needs a comment; a confirmation may have one. Validate before changing anything.
    note = FIELDS["comment"].text(comment) if comment or not confirm else None
    now = now or utcnow()
    activity.reviewed_at, activity.review_comment = now, note
    if confirm:
        activity.status, activity.confirmed_at = ActivityStatus.CONFIRMED, now
    else:
        activity.status = ActivityStatus.RETURNED
    await session.commit()
    return activity


@decision
async def vote_completion(
    session: AsyncSession, actor: Actor, programme_id: int, now: datetime | None = None
) -> Programme:
    """With every activity confirmed, the mentor and each mentee agree to complete (§10.1.1)."""
    programme = await get_programme(session, actor, programme_id)
    programme.pair.require_member(actor, curator_allowed=False)
    _running(programme)
    if not programme.plan_done:
        raise WrongState(N_("Not every activity of the plan is confirmed yet."))
    programme.completion_votes = sorted({*programme.completion_votes, actor.require_participant()})
    everyone = {programme.pair.mentor_id, *programme.pair.mentee_ids}
    if everyone <= set(programme.completion_votes):
        _finish(programme, ProgrammeStatus.COMPLETED, EndReason.PLAN_DONE, now)
        programme.ended_by = actor.telegram_id
    await session.commit()
    return programme


def _finish(
    programme: Programme,
    status: ProgrammeStatus,
    reason: EndReason,
    now: datetime | None,
    comment: str | None = None,
) -> None:
    now = now or utcnow()
    programme.status, programme.end_reason = status, reason
    programme.end_comment, programme.ended_at = comment, now
    close_pair(programme.pair, now)


@decision
async def end_early(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    *,
    reason: EndReason,
    comment: str,
    now: datetime | None = None,
) -> Programme:
    """Early end: for good reasons at a participant's request (§10.1.2, through the curator),
    or by the curator for non-performance or force majeure (§10.1.3)."""
    actor.require_curator()
    programme = await get_programme(session, actor, programme_id)
    if programme.status in FINISHED:
        raise already_decided(programme.status)
    finish_early(programme, reason, comment, actor.telegram_id, now)
    audit(session, actor.telegram_id, "programme.end", "programme", programme.id, reason=reason)
    # A request still open for this pair has lost its object: it dies with the programme.
    from models.requests import withdraw_open_requests  # requests build on programmes

    await withdraw_open_requests(session, programme.pair_id)
    pair = programme.pair
    await queue_notice(session, "programme.ended", programme.id, [pair.mentor_id, *pair.mentee_ids])
    await session.commit()
    return programme


def finish_early(
    programme: Programme, reason: EndReason, comment: str, by: int, now: datetime | None
) -> None:
    """End a programme early, without committing (the caller commits with its own change)."""
    if programme.status in FINISHED:
        raise WrongState(N_("The programme has already ended."))
    if reason == EndReason.PLAN_DONE:
        raise InvalidValue()
    note = FIELDS["comment"].text(comment)
    _finish(programme, ProgrammeStatus.ENDED_EARLY, reason, now, note)
    programme.ended_by = by


def check_extension(programme: Programme, new_end: date) -> None:
    if new_end <= programme.end_date:
        raise InvalidValue(N_("The new end date must be later than the current one."))
    if new_end > add_months(programme.start_date, 24):
        raise InvalidValue(N_("A programme cannot be extended beyond two years in total."))


async def programmes_of(session: AsyncSession, participant_id: int) -> list[Programme]:
    """Programmes of every pair the person is or was in (declined proposals aside), newest first."""
    as_mentee = select(PairMember.pair_id).where(
        PairMember.mentee_id == participant_id, PairMember.declined_at.is_(None)
    )
    result = await session.scalars(
        select(Programme)
        .join(Pair, Pair.id == Programme.pair_id)
        .where((Pair.mentor_id == participant_id) | Pair.id.in_(as_mentee))
        .order_by(Programme.id.desc())
    )
    return list(result)
