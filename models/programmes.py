"""Personalised programmes (§3): drafted by the mentor, agreed by the mentee (§8.1.2),
approved by the curator (§6.4.9); activities reported (§8.2.2) and checked (§7.1.4)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    bindparam,
    false,
    inspect,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, contains_eager, joinedload, mapped_column, relationship

from models import formatting
from models.access import Actor
from models.audit import audit
from models.base import Base, TimestampMixin, utcnow
from models.comentors import co_mentored_pair_ids, reader_side, tell_co_mentors
from models.concurrency import decision
from models.enums import (
    ActivityStatus,
    EndReason,
    PairStatus,
    ProgrammeStatus,
    Responsible,
    Side,
)
from models.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidValue,
    NotFound,
    WrongState,
    already_decided,
)
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import Pair, PairMember, admitted, close_pair, get_pair
from models.participant import enum_column

RUNNING = (ProgrammeStatus.APPROVED,)
APPROVED_CHANGES = N_(
    "An approved programme changes only by a proposal everyone agrees to (§10.2)."
)
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
    # The programme's version: 1 when approved, +1 for every change agreed under §10.2
    # (models.changes keeps what changed).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # The end date whose passing (with the plan unfinished) the pair and curators were told of:
    # once per end date (scheduler.rules.programmes_ending).
    end_passed_notice_for: Mapped[date | None]

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
    expected_result: Mapped[str | None] = mapped_column(Text)
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


@cache
def _whole_programme() -> tuple[Any, ...]:
    """A programme with its pair, the pair's members and the activities in one statement
    (LEFT JOINs) instead of a SELECT ... IN per relationship (issue 18). Built once."""
    return (
        joinedload(Programme.pair).joinedload(Pair.members),
        joinedload(Programme.activities),
    )


@cache
def _whole_activity() -> tuple[Any, ...]:
    return (joinedload(Activity.programme).options(*_whole_programme()),)


async def get_programme(
    session: AsyncSession, actor: Actor, programme_id: int, *, to_read: bool = False
) -> Programme:
    """A programme its pair's people and curators may see (§7.1.2); others are refused. Only
    `to_read` (showing it, nothing done to it) lets its co-mentors in too (§7.1.1)."""
    programme = await session.get(Programme, programme_id, options=_whole_programme())
    if programme is None:
        raise NotFound()
    if to_read:
        await reader_side(session, programme.pair, actor)
    else:
        programme.pair.require_member(actor)
    return programme


async def get_activity(session: AsyncSession, actor: Actor, activity_id: int) -> Activity:
    activity = await session.get(Activity, activity_id, options=_whole_activity())
    if activity is None:
        raise NotFound()
    programme = activity.programme
    programme.pair.require_member(actor)
    if "activities" in inspect(programme).unloaded:  # already in the session, loaded lazily
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
        raise WrongState(APPROVED_CHANGES)
    await session.commit()
    return programme


def check_mentor_can_edit(programme: Programme, actor: Actor) -> None:
    if programme.pair.require_member(actor, curator_allowed=False) != Side.MENTOR:
        raise AccessDenied()
    if programme.status not in EDITABLE:
        raise WrongState(APPROVED_CHANGES)


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
    expected_result: str | None = None,
) -> Activity:
    programme = await get_programme(session, actor, programme_id)
    check_mentor_can_edit(programme, actor)
    check_deadline(programme, deadline)
    if len(programme.activities) >= 100:
        raise InvalidValue(N_("A programme holds at most 100 activities."))
    activity = Activity(
        title=FIELDS["activity_title"].coerce(title),
        description=FIELDS["activity_description"].coerce(description),
        expected_result=FIELDS["expected_result"].text(expected_result),
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
    if programme.status == ProgrammeStatus.SUBMITTED:
        # A second press (or a stale «Send» button): every change since sending would have
        # made it a draft again; sending again would repeat the draft to the mentees.
        raise AlreadyDecided(N_("The draft is already with the mentee; their answer comes here."))
    if not programme.activities:
        raise InvalidValue(N_("Add at least one activity to the plan first."))
    programme.status = ProgrammeStatus.SUBMITTED
    programme.agreed_by = [actor.require_participant()]  # the mentor agrees by submitting
    programme.submitted_at = now or utcnow()
    # the draft goes to the mentees in this transaction (issue 12); rendered at delivery
    occasion = submission_occasion(programme)
    await queue_notice(
        session,
        "programme.submitted",
        programme.id,
        list(programme.pair.mentee_ids),
        now,
        occasion=occasion,
        extra={"at": occasion},
    )
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
    if programme.status == ProgrammeStatus.DRAFT:  # the mentor changed it after sending
        raise AlreadyDecided(
            N_("The mentor is changing this draft; the new version will come to you.")
        )
    if programme.status != ProgrammeStatus.SUBMITTED:
        raise already_decided(programme.status)
    me = actor.require_participant()
    if agree:
        programme.agreed_by = sorted({*programme.agreed_by, me})
        # Mutual consent (§10.2, §8.1.2): the mentor and every current mentee.
        pair = programme.pair
        if {pair.mentor_id, *pair.mentee_ids} <= set(programme.agreed_by):
            programme.status = ProgrammeStatus.AGREED
            # the mentor and the curators are told in this transaction (issue 12)
            occasion = submission_occasion(programme)
            await queue_notice(
                session,
                "programme.agreed",
                programme.id,
                [pair.mentor_id],
                occasion=occasion,
                to_curators=True,
                extra={"at": occasion},
            )
    else:
        programme.mentee_comment = FIELDS["comment"].text(comment)
        programme.status = ProgrammeStatus.DRAFT
        await queue_draft_returned(session, programme, "mentee")
    await session.commit()
    return programme


def submission_occasion(programme: Programme) -> str:
    """Which submission of the draft a notice answers: a draft returned, changed and sent again
    is a new one (its notices are told again; a late one about an earlier says nothing)."""
    at = programme.submitted_at
    return at.strftime("%Y%m%d%H%M%S%f") if at else ""


async def queue_draft_returned(session: AsyncSession, programme: Programme, by: str) -> None:
    """The mentor is told, in the decision's transaction (issue 12), that the mentee sent
    comments or the curator returned the draft; rendered at delivery with the stored comment."""
    occasion = f"{by}.{submission_occasion(programme)}"
    await queue_notice(
        session,
        "programme.returned",
        programme.id,
        [programme.pair.mentor_id],
        occasion=occasion,
        extra={"at": submission_occasion(programme), "by": by},
    )


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
        pair = programme.pair
        await queue_notice(
            session, "programme.approved", programme.id, [pair.mentor_id, *pair.mentee_ids], now
        )
        await tell_co_mentors(session, "programme.approved", programme.id, pair.id, now)
    else:
        programme.curator_comment = FIELDS["comment"].text(comment)
        programme.status = ProgrammeStatus.DRAFT
        await queue_draft_returned(session, programme, "curator")
    action = "programme.approve" if approve else "programme.return"
    audit(session, actor.telegram_id, action, "programme", programme.id)
    await session.commit()
    return programme


def require_running(programme: Programme) -> None:
    if programme.status not in RUNNING:
        raise WrongState(N_("The programme is not running: nothing can be reported."))


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
    """Report an activity done (§8.2.2): the actor's own part (models.progress)."""
    from models.progress import report_part  # progress builds on programmes

    activity, _parts = await report_part(
        session,
        actor,
        activity_id,
        comment=comment,
        evidence_file_id=evidence_file_id,
        evidence_kind=evidence_kind,
        now=now,
    )
    return activity


async def review_activity(
    session: AsyncSession,
    actor: Actor,
    activity_id: int,
    *,
    confirm: bool,
    comment: str | None = None,
    mentee_id: int | None = None,
    now: datetime | None = None,
) -> Activity:
    """Confirm or return a reported part (§7.1.4); without `mentee_id`, the first part that
    waits for this actor's check (in a pair, the only one)."""
    from models.progress import review_part, waiting_for  # progress builds on programmes

    if mentee_id is None:
        activity = await get_activity(session, actor, activity_id)
        me = actor.require_participant()
        waiting = await waiting_for(session, activity.programme, me)
        mine = [part.mentee_id for found, part in waiting if found is activity]
        mentee_id = (mine or activity.programme.pair.mentee_ids or [0])[0]
    activity, _part = await review_part(
        session, actor, activity_id, mentee_id, confirm=confirm, comment=comment, now=now
    )
    return activity


@decision
async def vote_completion(
    session: AsyncSession, actor: Actor, programme_id: int, now: datetime | None = None
) -> Programme:
    """With every activity confirmed, the mentor and each mentee agree to complete (§10.1.1)."""
    programme = await get_programme(session, actor, programme_id)
    programme.pair.require_member(actor, curator_allowed=False)
    require_running(programme)
    if not programme.plan_done:
        raise WrongState(N_("Not every activity of the plan is confirmed yet."))
    programme.completion_votes = sorted({*programme.completion_votes, actor.require_participant()})
    everyone = {programme.pair.mentor_id, *programme.pair.mentee_ids}
    if everyone <= set(programme.completion_votes):
        _finish(programme, ProgrammeStatus.COMPLETED, EndReason.PLAN_DONE, now)
        programme.ended_by = actor.telegram_id
        # the pair is congratulated and offered the questionnaire in this transaction (issue 12)
        members = [programme.pair.mentor_id, *programme.pair.mentee_ids]
        await queue_notice(session, "programme.completed", programme.id, members, now)
        await queue_notice(session, "programme.survey", programme.id, members, now)
        await tell_co_mentors(session, "programme.completed", programme.id, programme.pair_id, now)
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
    members = [pair.mentor_id, *pair.mentee_ids]
    # the pair is told and offered the questionnaire, the curators who ended it, in this
    # transaction (issue 12)
    await queue_notice(session, "programme.ended", programme.id, members, now)
    await queue_notice(session, "programme.survey", programme.id, members, now)
    await queue_notice(session, "programme.ended_by", programme.id, [], now, to_curators=True)
    await tell_co_mentors(session, "programme.ended", programme.id, pair.id, now)
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


# The longest a programme may last with its extensions (§3 sets 3 months to 1 year at approval;
# §10.2 lets the pair extend it by mutual consent and names no limit): PROGRAMME_MAX_MONTHS.
DEFAULT_MAX_MONTHS = 24


def check_extension(
    programme: Programme, new_end: date, max_months: int = DEFAULT_MAX_MONTHS
) -> None:
    if new_end <= programme.end_date:
        raise InvalidValue(N_("The new end date must be later than the current one."))
    check_end_limit(programme, new_end, max_months)


def check_end_limit(programme: Programme, new_end: date, max_months: int) -> None:
    """The college's upper limit (0: none) on a programme's whole length with extensions."""
    if max_months and new_end > add_months(programme.start_date, max_months):
        raise InvalidValue(
            N_(
                "A programme may last at most {months} months in total with its extensions "
                "(the college's setting): the end can be moved to {latest} at the latest."
            ),
            months=max_months,
            latest=add_months(programme.start_date, max_months).strftime("%d.%m.%Y"),
        )


@cache
def _programmes_of(co_mentored: bool = False) -> Any:
    as_mentee = select(PairMember.pair_id).where(
        PairMember.mentee_id == bindparam("participant_id"),
        PairMember.declined_at.is_(None),
        admitted(),
    )
    mine = (Pair.mentor_id == bindparam("participant_id")) | Pair.id.in_(as_mentee)
    if co_mentored:  # and the running pairs the person helps as a co-mentor (§7.1.1)
        helped = co_mentored_pair_ids(bindparam("participant_id"))
        mine = mine | (Pair.id.in_(helped) & (Pair.status == PairStatus.ACTIVE))
    return (
        select(Programme)
        .join(Pair, Pair.id == Programme.pair_id)
        .where(mine)
        .options(contains_eager(Programme.pair).joinedload(Pair.members))
        .options(joinedload(Programme.activities))
        .order_by(Programme.id.desc())
    )


async def programmes_of(
    session: AsyncSession, participant_id: int, *, co_mentored: bool = False
) -> list[Programme]:
    """Programmes of every pair the person is or was in (declined proposals aside), newest
    first; with their pairs, members and activities, in one statement. With `co_mentored`,
    also those of the running pairs the person helps as a co-mentor (only to read them)."""
    statement = _programmes_of(co_mentored)
    result = await session.scalars(statement, {"participant_id": participant_id})
    return list(result.unique())
