"""Requests to the curator: another mentor (§8.1.5), release (§7.1.3), a deadline change or an
extension by mutual consent (§10.2), an early end for good reasons (§10.1.2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.access import Actor
from models.audit import audit
from models.base import Base, TimestampMixin, utcnow
from models.comentors import tell_co_mentors
from models.concurrency import decision
from models.director import (
    TO_DIRECTOR,
    director_ids,
    require_a_director,
    require_director_decides,
)
from models.enums import EndReason, RequestKind, RequestStatus, Side
from models.errors import AccessDenied, InvalidValue, NotFound, WrongState, already_decided
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import OPEN_PAIR, Pair, get_pair
from models.participant import enum_column
from models.programmes import (
    DEFAULT_MAX_MONTHS,
    RUNNING,
    Activity,
    check_deadline,
    check_extension,
    finish_early,
    programme_of_pair,
)

OPEN = (RequestStatus.AWAITING_PARTNER, RequestStatus.PENDING)
WHO_MAY_ASK = {
    RequestKind.REPLACEMENT: (Side.MENTEE,),
    RequestKind.RELEASE: (Side.MENTOR,),
    RequestKind.DEADLINE: (Side.MENTOR, Side.MENTEE),
    RequestKind.EXTENSION: (Side.MENTOR, Side.MENTEE),
    RequestKind.EARLY_END: (Side.MENTOR, Side.MENTEE),
    RequestKind.DUTY_RELEASE: (Side.MENTOR, Side.MENTEE),
}
NEEDS_PARTNER = (RequestKind.DEADLINE, RequestKind.EXTENSION)


class Request(TimestampMixin, Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    new_date: Mapped[date | None]
    # The date being changed, as it was when asked (an activity's deadline, the programme's
    # end date): the card shows old → new
    old_date: Mapped[date | None]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    partner_answered_at: Mapped[datetime | None]
    # Everyone on the other side must agree (§10.2: mutual consent): who has so far.
    partner_agreed: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)
    # Checked in every UPDATE: a concurrent decision makes the loser decide again (concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    pair: Mapped[Pair] = relationship(lazy="selectin")


async def refuse_a_second(session: AsyncSession, pair_id: int, kind: RequestKind) -> None:
    """One open request of a kind per pair: checked when the form starts (so nobody fills it
    in for nothing) and again when it is sent."""
    duplicate = await session.scalar(
        select(Request.id).where(
            Request.pair_id == pair_id, Request.kind == kind, Request.status.in_(OPEN)
        )
    )
    if duplicate is not None:
        raise WrongState(N_("A request of this kind is already open for this pair."))


async def create_request(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    kind: str,
    *,
    reason: str,
    activity_id: int | None = None,
    new_date: date | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> Request:
    pair = await get_pair(session, pair_id)
    side = pair.require_member(actor, curator_allowed=False)
    kind = RequestKind(kind)
    if side not in WHO_MAY_ASK[kind]:
        raise AccessDenied()
    await refuse_a_second(session, pair_id, kind)
    await require_a_director(session, kind)
    programme = await programme_of_pair(session, pair_id)
    if kind in (*NEEDS_PARTNER, RequestKind.EARLY_END) and (
        programme is None or programme.status not in RUNNING
    ):
        raise WrongState(N_("This request needs an approved, running programme."))
    old_date = None
    if kind == RequestKind.DEADLINE:
        assert programme is not None  # a running programme, checked just above
        activity = await session.get(Activity, activity_id or 0)
        if activity is None or activity.programme_id != programme.id or new_date is None:
            raise NotFound()
        check_deadline(programme, new_date)
        old_date = activity.deadline
    if kind == RequestKind.EXTENSION:
        if new_date is None or programme is None:
            raise InvalidValue()
        check_extension(programme, new_date, max_months)
        old_date = programme.end_date
    request = Request(
        kind=kind,
        pair=pair,
        author_id=actor.participant_id,
        reason=FIELDS["request_reason"].coerce(reason),
        status=RequestStatus.AWAITING_PARTNER if kind in NEEDS_PARTNER else RequestStatus.PENDING,
        activity_id=activity_id if kind == RequestKind.DEADLINE else None,
        new_date=new_date if kind in NEEDS_PARTNER else None,
        old_date=old_date,
    )
    session.add(request)
    await session.flush()
    if request.status == RequestStatus.AWAITING_PARTNER:  # the other side agrees first (§10.2)
        await queue_notice(session, "request.partner", request.id, partner_ids(request))
    else:
        await queue_new_request(session, request)
    if kind in TO_DIRECTOR:  # a copy for the director, in the same transaction
        await queue_notice(session, "request.copy", request.id, await director_ids(session))
    await session.commit()
    return request


async def queue_new_request(
    session: AsyncSession, request: Request, now: datetime | None = None
) -> None:
    """The request goes to whoever decides it, in the transaction that makes it pending (issue
    12): one row «to every curator», rendered per recipient at delivery. An application also
    addressed to the director (§7.1.3, §8.1.5) goes to the curators but the director, who has
    the copy; one the director decides (§4.3) reaches the director with the buttons and the
    other curators as a copy for information (rendering.notices)."""
    extra = {"not_directors": True} if request.kind in TO_DIRECTOR else None
    await queue_notice(session, "request.new", request.id, [], now, to_curators=True, extra=extra)


async def get_request(session: AsyncSession, actor: Actor, request_id: int) -> Request:
    request = await session.get(Request, request_id)
    if request is None:
        raise NotFound()
    request.pair.require_member(actor)
    return request


def partner_ids(request: Request) -> list[int]:
    """Who must agree first (§10.2, mutual consent): everyone in the pair but the author —
    the mentor and each current mentee of a group."""
    pair = request.pair
    return [p for p in (pair.mentor_id, *pair.mentee_ids) if p != request.author_id]


def told_of_decision(request: Request) -> list[int]:
    """Who reads the decision and its comment: the author and the other side (a change both
    agreed to, §10.2; a release from duties, §4.3); for an early end, the whole pair (their
    programme ends). A replacement or release is between the author and the curator: the
    mentor being replaced never reads the comment written for the mentee, nor a refusal; the
    mentor gets a neutral notice when the new mentor takes over."""
    pair = request.pair
    if request.kind in (RequestKind.REPLACEMENT, RequestKind.RELEASE):
        return [request.author_id]
    if request.kind == RequestKind.EARLY_END:
        return [pair.mentor_id, *pair.mentee_ids]
    return [request.author_id, *partner_ids(request)]  # both agreed, or both concerned


@decision
async def answer_as_partner(
    session: AsyncSession,
    actor: Actor,
    request_id: int,
    *,
    agree: bool,
    now: datetime | None = None,
) -> Request:
    request = await get_request(session, actor, request_id)
    if actor.participant_id not in partner_ids(request):
        raise AccessDenied()
    if request.status != RequestStatus.AWAITING_PARTNER:
        raise already_decided(request.status)
    if actor.participant_id in (request.partner_agreed or []):
        raise WrongState(N_("You have already answered."))
    now = now or utcnow()
    request.partner_id, request.partner_answered_at = actor.participant_id, now
    if not agree:
        request.status = RequestStatus.WITHDRAWN
    else:
        request.partner_agreed = sorted({*(request.partner_agreed or []), actor.participant_id})
        if set(partner_ids(request)) <= set(request.partner_agreed):
            request.status = RequestStatus.PENDING
    await queue_notice(session, "request.partner_answered", request.id, [request.author_id], now)
    if request.status == RequestStatus.PENDING:
        await queue_new_request(session, request, now)
    await session.commit()
    return request


@decision
async def decide_request(
    session: AsyncSession,
    actor: Actor,
    request_id: int,
    *,
    approve: bool,
    comment: str,
    now: datetime | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> Request:
    """The curator decides with a comment; an approved change is applied at once. An approved
    replacement or release is followed by the curator's choice of a new mentor."""
    actor.require_curator()
    request = await get_request(session, actor, request_id)
    if request.status != RequestStatus.PENDING:
        raise already_decided(request.status)
    await require_director_decides(session, request.kind, actor.telegram_id)
    now = now or utcnow()
    request.decision_comment = FIELDS["comment"].text(comment)
    request.decided_by, request.decided_at = actor.telegram_id, now
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    audit(
        session,
        actor.telegram_id,
        f"request.{request.status}",
        "request",
        request.id,
        kind=request.kind,
    )
    if approve:
        programme = await programme_of_pair(session, request.pair_id)
        needs_programme = (*NEEDS_PARTNER, RequestKind.EARLY_END)
        if programme is None and request.kind in needs_programme:
            raise WrongState(N_("This request needs an approved, running programme."))
        if programme is None:  # a replacement or a release: the pair's, not the programme's
            pass
        elif request.kind == RequestKind.DEADLINE:
            activity = await session.get(Activity, request.activity_id or 0)
            if activity is None or request.new_date is None:
                raise NotFound()
            check_deadline(programme, request.new_date)
            activity.deadline = request.new_date
        elif request.kind == RequestKind.EXTENSION:
            if request.new_date is None:
                raise InvalidValue()
            check_extension(programme, request.new_date, max_months)
            programme.end_date = request.new_date
        elif request.kind == RequestKind.EARLY_END:
            finish_early(
                programme,
                EndReason.BY_PARTICIPANT,
                request.reason,
                actor.telegram_id,
                now,
            )
            await withdraw_open_requests(session, request.pair_id)
            members = [programme.pair.mentor_id, *programme.pair.mentee_ids]
            await queue_notice(session, "programme.survey", programme.id, members, now)
            await tell_co_mentors(session, "programme.ended", programme.id, request.pair_id, now)
    people = told_of_decision(request)
    if request.kind in TO_DIRECTOR:  # the director sees the curator's decision
        people += [d for d in await director_ids(session) if d != actor.participant_id]
    await queue_notice(session, "request.decided", request.id, people, now)
    await session.commit()
    return request


async def withdraw_open_requests(session: AsyncSession, pair_id: int) -> None:
    """Requests still open when a pair closes lose their object; the caller commits."""
    for request in await session.scalars(
        select(Request).where(Request.pair_id == pair_id, Request.status.in_(OPEN))
    ):
        request.status = RequestStatus.WITHDRAWN


async def awaiting_new_mentor(session: AsyncSession) -> list[Pair]:
    """Open pairs whose approved replacement or release still waits for the curator to choose
    a new mentor: none proposed yet and the old mentor still in place. So the continuation is
    never lost, whatever happened to the message that offered it."""
    approved = await session.scalars(
        select(Request)
        .where(
            Request.kind.in_((RequestKind.REPLACEMENT, RequestKind.RELEASE)),
            Request.status == RequestStatus.APPROVED,
        )
        .order_by(Request.decided_at, Request.id)
    )
    waiting: dict[int, Pair] = {}
    for request in approved:
        pair = request.pair
        replaced_since = (
            pair.mentor_accepted_at is not None
            and request.decided_at is not None
            and pair.mentor_accepted_at > request.decided_at
        )
        if pair.status in OPEN_PAIR and pair.pending_mentor_id is None and not replaced_since:
            waiting[pair.id] = pair
    return list(waiting.values())


async def awaiting_mentor_consent(session: AsyncSession) -> list[Pair]:
    """Open pairs whose new mentor was proposed and has not answered yet (§8.1.5, §7.1.3):
    nothing for the curator to press, but she sees where the change stands."""
    found = await session.scalars(
        select(Pair)
        .where(Pair.status.in_(OPEN_PAIR), Pair.pending_mentor_id.is_not(None))
        .order_by(Pair.id)
    )
    return list(found)


async def pending_requests(session: AsyncSession, limit: int = 20) -> list[Request]:
    result = await session.scalars(
        select(Request)
        .where(Request.status == RequestStatus.PENDING)
        .order_by(Request.created_at, Request.id)
        .limit(limit)
    )
    return list(result)
