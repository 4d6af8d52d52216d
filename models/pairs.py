"""Mentoring pairs and groups (§9): proposal, everyone's consent, approval by order (§6.3.5)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from models.access import Actor
from models.approvals import require_approved_entries
from models.audit import AuditEntry, audit
from models.base import Base, TimestampMixin, utcnow
from models.concurrency import decision
from models.enums import MentorStatus, PairStatus, PairType, ParticipantStatus, Side
from models.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidValue,
    NotFound,
    WrongState,
    already_decided,
)
from models.fields import FIELDS
from models.formatting import day
from models.i18n_marker import N_
from models.outbox import queue_notice, queue_notice_to_chats
from models.participant import Participant, enum_column, get_participant_by_id
from models.profiles import MenteeProfile

OPEN_PAIR = (PairStatus.PROPOSED, PairStatus.ACCEPTED, PairStatus.ACTIVE)


class Pair(TimestampMixin, Base):
    """One mentor with one mentee (a pair) or several (a group)."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    pair_type: Mapped[PairType] = mapped_column(enum_column(PairType))
    status: Mapped[PairStatus] = mapped_column(
        enum_column(PairStatus), default=PairStatus.PROPOSED, index=True
    )
    proposed_by: Mapped[int] = mapped_column(BigInteger)
    mentor_accepted_at: Mapped[datetime | None]
    mentor_declined_at: Mapped[datetime | None]
    mentor_decline_reason: Mapped[str | None] = mapped_column(Text)
    order_number: Mapped[str | None] = mapped_column(String(50))
    order_date: Mapped[date | None]
    approved_by: Mapped[int | None] = mapped_column(BigInteger)
    approved_at: Mapped[datetime | None]
    # A replacement mentor proposed by the curator, until they accept (§8.1.5, §7.1.3).
    pending_mentor_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    closed_at: Mapped[datetime | None]
    # Checked in every UPDATE: a concurrent decision makes the loser decide again (concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    # When the reminder sweep looks at it next (scheduler.rules; cleared by a trigger).
    next_notice_at: Mapped[datetime | None] = mapped_column(index=True)

    members: Mapped[list[PairMember]] = relationship(
        back_populates="pair", lazy="selectin", order_by="PairMember.id"
    )

    @property
    def mentees(self) -> list[PairMember]:
        """Members who have not declined or left, and whose joining (if any) the order fixed."""
        return [m for m in self.members if m.current]

    @property
    def joining(self) -> list[PairMember]:
        """Newcomers to an approved group: asked or agreed, waiting for their order (§6.3.5)."""
        return [m for m in self.members if m.pending_join]

    @property
    def mentee_ids(self) -> list[int]:
        return [member.mentee_id for member in self.mentees]

    @property
    def is_group(self) -> bool:
        return len(self.mentees) > 1

    def side_of(self, participant_id: int | None) -> Side | None:
        if participant_id is None:
            return None
        if participant_id == self.mentor_id:
            return Side.MENTOR
        if participant_id in self.mentee_ids:
            return Side.MENTEE
        return None

    def require_member(self, actor: Actor, *, curator_allowed: bool = True) -> Side:
        """The actor's side (mentor, mentee, or a curator); anyone else is refused."""
        side = self.side_of(actor.participant_id)
        if side is not None:
            return side
        if curator_allowed and actor.is_curator:
            return Side.CURATOR
        raise AccessDenied()


class PairMember(Base):
    __tablename__ = "pair_members"
    __table_args__ = (UniqueConstraint("pair_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    left_at: Mapped[datetime | None]
    # Joining a group whose order is already signed (§4.2.5, §9.2, §6.3.5): asked at
    # `join_requested_at`; a member only from `joined_at`, when a new or supplementary order
    # (number and date) covers them. Members of the original proposal have neither.
    join_requested_at: Mapped[datetime | None]
    joined_at: Mapped[datetime | None]
    order_number: Mapped[str | None] = mapped_column(String(50))
    order_date: Mapped[date | None]
    approved_by: Mapped[int | None] = mapped_column(BigInteger)

    pair: Mapped[Pair] = relationship(back_populates="members")

    @property
    def pending_join(self) -> bool:
        return (
            self.join_requested_at is not None
            and self.joined_at is None
            and self.declined_at is None
            and self.left_at is None
        )

    @property
    def current(self) -> bool:
        return self.declined_at is None and self.left_at is None and not self.pending_join


def current_member() -> ColumnElement[bool]:
    """`PairMember.current` in SQL (for reads without the ORM, such as the reminder sweep's)."""
    return and_(
        PairMember.declined_at.is_(None),
        PairMember.left_at.is_(None),
        or_(PairMember.join_requested_at.is_(None), PairMember.joined_at.is_not(None)),
    )


class PairingExclusion(Base):
    """ "Do not pair these two again", remembered after a replacement."""

    __tablename__ = "pairing_exclusions"
    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorReplacement(Base):
    """A replacement of the pair's mentor (§8.1.5, §7.1.3): the history kept for the order."""

    __tablename__ = "mentor_replacements"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    old_mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    new_mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The director's order for the change, entered by the curator like a pair's (§6.3.5).
    order_number: Mapped[str | None] = mapped_column(String(50))
    order_date: Mapped[date | None]

    pair: Mapped[Pair] = relationship(lazy="selectin")


def admitted() -> ColumnElement[bool]:
    """SQL: the member is not a newcomer still waiting for their order."""
    return or_(PairMember.join_requested_at.is_(None), PairMember.joined_at.is_not(None))


async def get_pair(session: AsyncSession, pair_id: int) -> Pair:
    pair = await session.get(Pair, pair_id)
    if pair is None:
        raise NotFound()
    return pair


async def mentor_load(session: AsyncSession, mentor_id: int) -> int:
    """Mentees in the mentor's open pairs and groups (against their capacity)."""
    return (
        await session.scalar(
            select(func.count(PairMember.id))
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(
                Pair.mentor_id == mentor_id,
                Pair.status.in_(OPEN_PAIR),
                PairMember.declined_at.is_(None),
                PairMember.left_at.is_(None),
            )
        )
        or 0
    )


async def open_pair_of_mentee(session: AsyncSession, mentee_id: int) -> Pair | None:
    return await session.scalar(
        select(Pair)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(
            PairMember.mentee_id == mentee_id,
            PairMember.declined_at.is_(None),
            PairMember.left_at.is_(None),
            Pair.status.in_(OPEN_PAIR),
        )
        .limit(1)
    )


async def pairs_of(session: AsyncSession, participant_id: int) -> list[Pair]:
    """Open pairs where this person is the mentor or a mentee, newest first."""
    as_mentee = select(PairMember.pair_id).where(
        PairMember.mentee_id == participant_id,
        PairMember.declined_at.is_(None),
        PairMember.left_at.is_(None),
        admitted(),
    )
    result = await session.scalars(
        select(Pair)
        .where(
            (Pair.mentor_id == participant_id) | Pair.id.in_(as_mentee),
            Pair.status.in_(OPEN_PAIR),
        )
        .order_by(Pair.id.desc())
    )
    return list(result)


async def excluded(session: AsyncSession, mentor_id: int, mentee_id: int) -> bool:
    found = await session.scalar(
        select(PairingExclusion.id).where(
            PairingExclusion.mentor_id == mentor_id, PairingExclusion.mentee_id == mentee_id
        )
    )
    return found is not None


MENTEE_TAKEN = N_("This mentee already has a mentor or a pending proposal.")


async def _eligible_mentee(session: AsyncSession, mentee_id: int) -> Participant:
    mentee = await get_participant_by_id(session, mentee_id)
    if mentee is None or mentee.status != ParticipantStatus.ACTIVE or not mentee.mentee_profile:
        raise NotFound(N_("This person is not in the bank of mentees."))
    if await open_pair_of_mentee(session, mentee_id) is not None:
        raise WrongState(MENTEE_TAKEN)
    return mentee


async def _eligible_mentor(session: AsyncSession, mentor_id: int, mentee_id: int) -> Participant:
    mentor = await get_participant_by_id(session, mentor_id)
    profile = mentor.mentor_profile if mentor else None
    if mentor is None or mentor.status != ParticipantStatus.ACTIVE or profile is None:
        raise NotFound(N_("This person is not in the bank of mentors."))
    if profile.status != MentorStatus.ACCEPTED:
        raise WrongState(N_("This person is not in the bank of mentors."))
    if mentor_id == mentee_id:
        raise InvalidValue(N_("A person cannot mentor themselves."))
    if await excluded(session, mentor_id, mentee_id):
        raise WrongState(N_("These two are not to be paired again (after a replacement)."))
    if await mentor_load(session, mentor_id) >= profile.capacity:
        raise WrongState(N_("This mentor has no free places."))
    return mentor


async def propose_pair(
    session: AsyncSession,
    actor: Actor,
    *,
    mentee_id: int,
    mentor_id: int,
    forms: list[str],
    pair_type: str,
    join_pair_id: int | None = None,
    needs_bank_approval: bool = False,
) -> Pair:
    """The curator proposes a pair, or adds a mentee to the mentor's open pair (a group).
    With `needs_bank_approval` (the college's setting) both must be approved by the director
    in their banks first."""
    actor.require_curator()
    await _eligible_mentee(session, mentee_id)
    await _eligible_mentor(session, mentor_id, mentee_id)
    if needs_bank_approval:
        await require_approved_entries(session, mentor_id=mentor_id, mentee_id=mentee_id)
    joining_at = None
    if join_pair_id is not None:
        pair = await get_pair(session, join_pair_id)
        if pair.mentor_id != mentor_id or pair.status not in OPEN_PAIR:
            raise WrongState()
        if pair.status == PairStatus.ACTIVE:  # the order is signed: a supplementary one is due
            joining_at = utcnow()
        else:  # not ordered yet: the order waits for the newcomer's consent too
            pair.status = PairStatus.PROPOSED
    else:
        pair = Pair(
            mentor_id=mentor_id,
            forms=FIELDS["mentor_forms"].clean_selection(forms),
            pair_type=PairType(pair_type),
            proposed_by=actor.telegram_id,
            members=[],
        )
        session.add(pair)
    pair.members.append(PairMember(mentee_id=mentee_id, join_requested_at=joining_at))
    await session.flush()
    audit(
        session,
        actor.telegram_id,
        "pair.propose",
        "pair",
        pair.id,
        mentee=mentee_id,
        mentor=mentor_id,
    )
    # the consent requests go with the proposal (a new pair: everyone; a group: the newcomer)
    member = pair.members[-1]
    asked = [mentee_id] if join_pair_id is not None else [mentor_id, mentee_id]
    await queue_notice(session, "pair.consent", pair.id, asked, occasion=f"m{member.id}")
    await session.commit()
    return pair


@dataclass(frozen=True)
class PairAnswer:
    pair: Pair
    everyone_accepted: bool
    replacement: bool = False  # the answer of a proposed replacement mentor
    replaced_mentor_id: int | None = None  # the old mentor, when the replacement took place
    joining: PairMember | None = None  # the answer of a newcomer to an approved group
    replacement_id: int | None = None  # the MentorReplacement row, when it took place


@decision
async def answer_pair(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    *,
    accept: bool,
    reason: str | None = None,
    now: datetime | None = None,
) -> PairAnswer:
    """The mentor or a mentee accepts or declines (voluntariness, §4.2 and §9.2)."""
    now = now or utcnow()
    me = actor.require_participant()
    pair = await get_pair(session, pair_id)
    reason = FIELDS["decline_reason"].text(reason) if reason else None
    if pair.pending_mentor_id == me:
        return await _answer_replacement(session, pair, me, accept, now)
    if pair.status not in OPEN_PAIR:
        raise already_decided(pair.status)
    # Every answer changes the pair row itself (its version): two answers at the same moment
    # cannot both commit on a stale view, so the last one sees everyone's consent.
    pair.updated_at = now
    joining = next((m for m in pair.joining if m.mentee_id == me), None)
    if joining is not None:
        return await _answer_join(session, pair, joining, accept, reason, now)
    if me == pair.mentor_id:
        if pair.mentor_accepted_at or pair.mentor_declined_at:
            raise WrongState(N_("You have already answered."))
        if accept:
            pair.mentor_accepted_at = now
        else:
            pair.mentor_declined_at, pair.mentor_decline_reason = now, reason
            pair.status = PairStatus.DECLINED
    else:
        member = next((m for m in pair.members if m.mentee_id == me), None)
        if member is None:
            raise AccessDenied()
        if member.accepted_at or member.declined_at:
            raise WrongState(N_("You have already answered."))
        if accept:
            member.accepted_at = now
        else:
            member.declined_at, member.decline_reason = now, reason
            if not pair.mentees:
                pair.status = PairStatus.DECLINED
    everyone = (
        pair.status == PairStatus.PROPOSED
        and pair.mentor_accepted_at is not None
        and all(m.accepted_at for m in pair.mentees)
    )
    if everyone:
        pair.status = PairStatus.ACCEPTED
    await queue_notice(
        session,
        "pair.answered",
        pair.id,
        [],
        now,
        occasion=f"v{pair.version}",  # this answer's change of the pair row
        to_curators=True,
        extra={"by": me, "accept": accept, "everyone": everyone},
    )
    await session.commit()
    return PairAnswer(pair, everyone)


async def _answer_join(
    session: AsyncSession,
    pair: Pair,
    member: PairMember,
    accept: bool,
    reason: str | None,
    now: datetime,
) -> PairAnswer:
    """A newcomer to an approved group answers; agreeing, they wait for their order."""
    if member.accepted_at is not None:
        raise WrongState(N_("You have already answered."))
    if accept:
        member.accepted_at = now
    else:
        member.declined_at, member.decline_reason = now, reason
    # the curators are told in this transaction (issue 12): agreed, the order comes next
    await queue_notice(session, "pair.join_answered", member.id, [], now, to_curators=True)
    await session.commit()
    return PairAnswer(pair, False, joining=member)


async def joins_waiting(session: AsyncSession) -> list[PairMember]:
    """Newcomers who agreed to join an approved group and wait for their order."""
    result = await session.scalars(
        select(PairMember)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(
            Pair.status == PairStatus.ACTIVE,
            PairMember.join_requested_at.is_not(None),
            PairMember.joined_at.is_(None),
            PairMember.accepted_at.is_not(None),
            PairMember.declined_at.is_(None),
            PairMember.left_at.is_(None),
        )
        .order_by(PairMember.id)
    )
    return list(result)


async def _name(session: AsyncSession, participant_id: int) -> str:
    return (
        await session.scalar(select(Participant.full_name).where(Participant.id == participant_id))
        or "—"
    )


async def _name_by_chat(session: AsyncSession, telegram_id: int | None) -> str:
    """Who entered an order, by their chat id («—» for a curator of CURATOR_IDS with no row,
    as in the notices of orders)."""
    if telegram_id is None:
        return "—"
    found = await session.scalar(
        select(Participant.full_name).where(Participant.telegram_id == telegram_id)
    )
    return found or "—"


async def waiting_join(
    session: AsyncSession, pair_id: int, mentee_id: int
) -> tuple[Pair, PairMember]:
    """A newcomer who agreed and waits for their order; a stale or forged button is refused."""
    pair = await get_pair(session, pair_id)
    member = next((m for m in pair.members if m.mentee_id == mentee_id), None)
    if member is None or member.join_requested_at is None:
        raise NotFound()
    if member.joined_at is not None and member.order_date is not None:
        raise AlreadyDecided(
            N_(
                "Already decided: {name} joined the group by order No. {number} of {date}, "
                "entered by {who}."
            ),
            name=await _name(session, mentee_id),
            number=(member.order_number or "").lstrip("№# "),
            date=day(member.order_date),
            who=await _name_by_chat(session, member.approved_by),
        )
    if member.joined_at is not None or member.declined_at or member.left_at:
        raise WrongState(N_("This joining is already decided."))
    if pair.status != PairStatus.ACTIVE:
        raise already_decided(pair.status)
    if member.accepted_at is None:
        raise WrongState(N_("The newcomer has not agreed yet: the order waits for the consent."))
    return pair, member


@decision
async def approve_join(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    mentee_id: int,
    *,
    order_number: str,
    order_date: date,
    now: datetime | None = None,
    staff_chat_ids: Collection[int] = (),
) -> Pair:
    """A new or supplementary order (§6.3.5) makes the newcomer a member of the group; the
    other curators and the director are told who entered it."""
    actor.require_curator()
    pair, member = await waiting_join(session, pair_id, mentee_id)
    now = now or utcnow()
    member.order_number = FIELDS["order_number"].text(order_number)
    member.order_date, member.approved_by, member.joined_at = order_date, actor.telegram_id, now
    pair.updated_at = now  # the pair's version: a second order for the same join loses
    audit(
        session,
        actor.telegram_id,
        "pair.join",
        "pair",
        pair.id,
        mentee=mentee_id,
        order=member.order_number,
        date=order_date,
    )
    from models.progress import settle_programme  # progress builds on pairs

    await settle_programme(session, pair)
    await queue_notice(session, "pair.joined", member.id, [pair.mentor_id, *pair.mentee_ids])
    others = set(staff_chat_ids) - {actor.telegram_id}
    await queue_notice_to_chats(session, "join.ordered", member.id, others, now)
    await session.commit()
    return pair


@decision
async def approve_pair(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    *,
    order_number: str,
    order_date: date,
    now: datetime | None = None,
    staff_chat_ids: Collection[int] = (),
) -> Pair:
    """The pair is fixed by the director's order (§6.3.5): number and date are recorded. The
    other curators and the director (`staff_chat_ids`) see who entered it: a notice through
    the outbox, in the same transaction."""
    actor.require_curator()
    pair = await get_pair(session, pair_id)
    if pair.status in (PairStatus.ACTIVE, PairStatus.CLOSED, PairStatus.DECLINED):
        raise already_decided(pair.status)
    if pair.status != PairStatus.ACCEPTED:
        raise WrongState(N_("Only a pair that everyone accepted can be approved."))
    pair.order_number = FIELDS["order_number"].text(order_number)
    pair.order_date = order_date
    pair.approved_by, pair.approved_at = actor.telegram_id, now or utcnow()
    pair.status = PairStatus.ACTIVE
    audit(
        session,
        actor.telegram_id,
        "pair.approve",
        "pair",
        pair.id,
        order=pair.order_number,
        date=order_date,
    )
    await queue_notice(session, "pair.approved", pair.id, [pair.mentor_id, *pair.mentee_ids])
    others = set(staff_chat_ids) - {actor.telegram_id}
    await queue_notice_to_chats(session, "pair.ordered", pair.id, others, pair.approved_at)
    await session.commit()
    return pair


@decision
async def propose_replacement(
    session: AsyncSession, actor: Actor, pair_id: int, new_mentor_id: int
) -> Pair:
    """After an approved replacement or release the curator proposes a new mentor."""
    actor.require_curator()
    pair = await get_pair(session, pair_id)
    if pair.status not in OPEN_PAIR:
        raise already_decided(pair.status)
    if new_mentor_id == pair.mentor_id or pair.pending_mentor_id is not None:
        raise WrongState(N_("A new mentor has already been proposed for this pair."))
    for mentee_id in pair.mentee_ids:
        await _eligible_mentor(session, new_mentor_id, mentee_id)
    await queue_notice(
        session, "pair.consent", pair.id, [new_mentor_id], occasion=f"r{pair.version}"
    )
    pair.pending_mentor_id = new_mentor_id
    audit(session, actor.telegram_id, "pair.propose_mentor", "pair", pair.id, mentor=new_mentor_id)
    await session.commit()
    return pair


async def _answer_replacement(
    session: AsyncSession, pair: Pair, me: int, accept: bool, now: datetime
) -> PairAnswer:
    version = pair.version
    pair.pending_mentor_id = None
    old_mentor = None
    replacement = None
    if accept:
        old_mentor = pair.mentor_id
        for mentee_id in pair.mentee_ids:
            if not await excluded(session, old_mentor, mentee_id):
                session.add(PairingExclusion(mentor_id=old_mentor, mentee_id=mentee_id))
        pair.mentor_id, pair.mentor_accepted_at = me, now
        replacement = MentorReplacement(
            pair_id=pair.id, old_mentor_id=old_mentor, new_mentor_id=me, replaced_at=now
        )
        session.add(replacement)
        await session.flush()
        # the old mentor: a neutral notice; the mentees: their new mentor; the curators: the
        # order for the change is to be entered (§8.1.5) — each rendered for its reader
        await queue_notice(
            session,
            "pair.replaced",
            replacement.id,
            [old_mentor, *pair.mentee_ids],
            now,
            to_curators=True,
        )
    else:  # the curators choose another mentor
        await queue_notice(
            session,
            "pair.replacement_declined",
            pair.id,
            [],
            now,
            occasion=f"v{version}",
            to_curators=True,
            extra={"by": me},
        )
    await session.commit()
    return PairAnswer(
        pair,
        accept,
        replacement=True,
        replaced_mentor_id=old_mentor,
        replacement_id=replacement.id if replacement else None,
    )


def close_pair(pair: Pair, now: datetime | None = None) -> None:
    pair.status = PairStatus.CLOSED
    pair.closed_at = now or utcnow()
    pair.pending_mentor_id = None


async def mentees_without_pair(session: AsyncSession, limit: int = 30) -> list[Participant]:
    """The bank of mentees who have no open pair, oldest registration first."""
    in_open_pair = (
        select(PairMember.mentee_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(
            Pair.status.in_(OPEN_PAIR),
            PairMember.declined_at.is_(None),
            PairMember.left_at.is_(None),
        )
    )
    result = await session.scalars(
        select(Participant)
        .join(MenteeProfile, MenteeProfile.participant_id == Participant.id)
        .where(
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.archived_at.is_(None),
            Participant.id.not_in(in_open_pair),
        )
        .order_by(Participant.registered_at, Participant.id)
        .limit(limit)
    )
    return list(result)


async def replacements_without_order(
    session: AsyncSession, limit: int = 20
) -> list[MentorReplacement]:
    """Mentor changes that still wait for the director's order (listed in /requests)."""
    result = await session.scalars(
        select(MentorReplacement)
        .where(MentorReplacement.order_date.is_(None))
        .order_by(MentorReplacement.id)
        .limit(limit)
    )
    return list(result)


async def waiting_replacement_order(
    session: AsyncSession, replacement_id: int
) -> MentorReplacement:
    """A change of mentor whose order is still to be entered; one already entered is refused
    with what it came to: the order and who entered it (from the audit, as no column keeps
    it)."""
    replacement = await session.get(MentorReplacement, replacement_id)
    if replacement is None:
        raise NotFound()
    if replacement.order_date is not None:
        entered_by = await session.scalar(
            select(AuditEntry.actor_telegram_id)
            .where(
                AuditEntry.action == "pair.replacement_order",
                AuditEntry.object_id == replacement.pair_id,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        raise AlreadyDecided(
            N_(
                "Already decided: the change of mentor is fixed by order No. {number} of {date}, "
                "entered by {who}."
            ),
            number=(replacement.order_number or "").lstrip("№# "),
            date=day(replacement.order_date),
            who=await _name_by_chat(session, entered_by),
        )
    return replacement


@decision
async def record_replacement_order(
    session: AsyncSession,
    actor: Actor,
    replacement_id: int,
    *,
    order_number: str,
    order_date: date,
    staff_chat_ids: Collection[int] = (),
) -> MentorReplacement:
    """The change of mentor is fixed by the director's order, like the pair itself (§6.3.5);
    the other curators and the director are told. A guarded write: `UPDATE … WHERE the order
    is still missing`, so of two curators entering it at once one wins and the other, decided
    again (@decision), reads «Уже решено: …» with the order that stands."""
    actor.require_curator()
    replacement = await waiting_replacement_order(session, replacement_id)
    number = FIELDS["order_number"].text(order_number)
    entered = await session.execute(
        update(MentorReplacement)
        .where(MentorReplacement.id == replacement.id, MentorReplacement.order_date.is_(None))
        .values(order_number=number, order_date=order_date)
        .execution_options(synchronize_session=False)
    )
    if getattr(entered, "rowcount", 0) != 1:
        raise StaleDataError("the order for this change of mentor was entered meanwhile")
    set_committed_value(replacement, "order_number", number)  # written by the UPDATE above
    set_committed_value(replacement, "order_date", order_date)
    audit(
        session,
        actor.telegram_id,
        "pair.replacement_order",
        "pair",
        replacement.pair_id,
        order=replacement.order_number,
        date=order_date,
    )
    others = set(staff_chat_ids) - {actor.telegram_id}
    await queue_notice_to_chats(session, "replacement.ordered", replacement.id, others)
    await session.commit()
    return replacement
