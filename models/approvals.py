"""The director approves the bank entries (§6.3.3): the mentors the curator accepted and the
mentees in the bank. An entry the director returns goes back to the curator with the
director's comment; the curator sends it again after fixing it, and the director decides anew.

Each decision is a row of its own (a round): a returned row is closed by the curator's
resubmission, the next decision takes the next round. One decision per round is guarded by a
unique key, so two presses at once decide once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.selectable import ScalarSelect

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.concurrency import decision
from models.director import is_director
from models.enums import MentorStatus, ParticipantStatus, StaffRole
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound, WrongState
from models.i18n_marker import N_
from models.outbox import queue_notice_to_chats
from models.participant import Participant, get_participant_by_id
from models.profiles import MenteeProfile, MentorProfile

MAX_COMMENT = 1000


class BankRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class BankDecision(Base):
    __tablename__ = "bank_decisions"
    __table_args__ = (UniqueConstraint("participant_id", "role", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(8))
    round: Mapped[int]
    approved: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[datetime]
    resubmitted_by: Mapped[int | None] = mapped_column(BigInteger)
    resubmitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


@dataclass(frozen=True)
class BankEntryState:
    person: Participant
    role: BankRole
    last: BankDecision | None  # the latest decision, None: never decided

    @property
    def state(self) -> str:
        """«waiting» (for the director), «approved», or «returned» (with the curator)."""
        if self.last is None or (not self.last.approved and self.last.resubmitted_at):
            return "waiting"
        return "approved" if self.last.approved else "returned"


def _in_bank(role: BankRole) -> list[ColumnElement[bool]]:
    """The entries the director approves: accepted mentors, mentees in the bank of mentees;
    people who left, withdrew or were archived are not waiting for anyone."""
    person = [
        Participant.status == ParticipantStatus.ACTIVE,
        Participant.archived_at.is_(None),
    ]
    if role == BankRole.MENTOR:
        return [
            *person,
            exists().where(
                MentorProfile.participant_id == Participant.id,
                MentorProfile.status == MentorStatus.ACCEPTED,
            ),
        ]
    return [*person, exists().where(MenteeProfile.participant_id == Participant.id)]


def _decided(role: BankRole, *, returned_only: bool = False) -> ColumnElement[bool]:
    """A decision that stands: an approval, or a return the curator has not answered."""
    open_return = and_(BankDecision.approved.is_(False), BankDecision.resubmitted_at.is_(None))
    return exists().where(
        BankDecision.participant_id == Participant.id,
        BankDecision.role == role.value,
        open_return if returned_only else (BankDecision.approved.is_(True) | open_return),
    )


def _count(role: BankRole, *conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(Participant)
        .where(*_in_bank(role), *conditions)
        .scalar_subquery()
    )


def waiting_count() -> ColumnElement[int]:
    """Entries waiting for the director (a scalar subquery for the desk's one round trip);
    none while no director has the role in the bot (nobody there to approve them)."""
    director = aliased(Participant)
    has_director = exists().where(director.staff_role == StaffRole.DIRECTOR)
    mentors, mentees = (_count(role, ~_decided(role), has_director) for role in BankRole)
    return mentors + mentees


def returned_count() -> ColumnElement[int]:
    """Entries the director returned that the curator has not sent again."""
    mentors, mentees = (_count(role, _decided(role, returned_only=True)) for role in BankRole)
    return mentors + mentees


def _role(value: str) -> BankRole:
    try:
        return BankRole(value)
    except ValueError:
        raise NotFound() from None


async def _last(session: AsyncSession, participant_id: int, role: BankRole) -> BankDecision | None:
    return await session.scalar(
        select(BankDecision)
        .where(BankDecision.participant_id == participant_id, BankDecision.role == role.value)
        .order_by(BankDecision.round.desc())
        .limit(1)
    )


async def entry_state(
    session: AsyncSession, participant_id: int, role: str
) -> BankEntryState | None:
    """The entry as it stands, or None: the person is not in this bank."""
    role = _role(role)
    person = await session.scalar(
        select(Participant).where(Participant.id == participant_id, *_in_bank(role))
    )
    if person is None:
        return None
    return BankEntryState(person, role, await _last(session, participant_id, role))


async def require_approved_entries(
    session: AsyncSession, *, mentor_id: int, mentee_id: int
) -> None:
    """PAIRING_NEEDS_BANK_APPROVAL: the director approves the mentor and the mentee in the
    banks (§6.3.3) before a pair is proposed. While nobody has the director's role there is
    nobody to approve, and the rule waits for one."""
    if not await session.scalar(
        select(Participant.id).where(Participant.staff_role == StaffRole.DIRECTOR).limit(1)
    ):
        return
    for participant_id, role in ((mentor_id, BankRole.MENTOR), (mentee_id, BankRole.MENTEE)):
        entry = await entry_state(session, participant_id, role)
        if entry is not None and entry.state != "approved":
            raise WrongState(
                N_(
                    "{name} is not yet approved by the director in the bank (§6.3.3); in this "
                    "college a pair waits for that approval."
                ),
                name=entry.person.display_name,
            )


async def entries(
    session: AsyncSession, state: str, limit: int = 10
) -> tuple[list[BankEntryState], int]:
    """Entries «waiting» for the director or «returned» to the curator (the first `limit`, by
    name), and how many there are in all."""
    found: list[BankEntryState] = []
    for role in BankRole:
        condition = ~_decided(role) if state == "waiting" else _decided(role, returned_only=True)
        people = await session.scalars(
            select(Participant)
            .where(*_in_bank(role), condition)
            .order_by(Participant.full_name, Participant.id)
        )
        for person in people:
            found.append(BankEntryState(person, role, await _last(session, person.id, role)))
    return found[:limit], len(found)


async def _waiting_entry(
    session: AsyncSession, approver: Participant | None, participant_id: int, role: str
) -> BankEntryState:
    if approver is not None:  # run again after a lost race (@decision): the rollback expired it
        await session.refresh(approver)
    if not is_director(approver):
        raise AccessDenied(N_("Only the director approves the banks of mentors and mentees."))
    entry = await entry_state(session, participant_id, role)
    if entry is None:
        raise NotFound(N_("This person is no longer in the bank."))
    if entry.state != "waiting":
        if entry.state == "approved":
            raise AlreadyDecided(N_("Already decided: the director approved this entry."))
        raise AlreadyDecided(N_("Already decided: the entry was returned to the curator."))
    return entry


async def _record(session: AsyncSession, entry: BankEntryState, row: BankDecision) -> None:
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as error:
        # another press decided this round first: decided again on fresh rows (@decision), so
        # the loser reads what it came to («Уже решено: …»), not a bare «already decided»
        raise StaleDataError("the round was decided meanwhile") from error


@decision
async def approve_entry(
    session: AsyncSession,
    approver: Participant | None,
    participant_id: int,
    role: str,
    now: datetime | None = None,
    curator_chat_ids: Collection[int] = (),
) -> BankDecision:
    """§6.3.3: the director approves a mentor or a mentee in the bank; the curators get a
    notice through the outbox in the same transaction, as for a return."""
    entry = await _waiting_entry(session, approver, participant_id, role)
    assert approver is not None
    now = now or utcnow()
    row = BankDecision(
        participant_id=participant_id,
        role=entry.role.value,
        round=(entry.last.round + 1) if entry.last else 1,
        approved=True,
        decided_by=approver.telegram_id,
        decided_at=now,
    )
    await _record(session, entry, row)
    audit(session, approver.telegram_id, "bank.approve", "participant", participant_id, role=role)
    recipients = set(curator_chat_ids) - {approver.telegram_id}
    await queue_notice_to_chats(session, "bank.approved", row.id, recipients, now)
    await session.commit()
    return row


@decision
async def return_entry(
    session: AsyncSession,
    approver: Participant | None,
    participant_id: int,
    role: str,
    comment: str,
    curator_chat_ids: Collection[int],
    now: datetime | None = None,
) -> BankDecision:
    """The director returns an entry to the curator with a comment (what to fix); the curators
    get a notice through the outbox in the same transaction."""
    comment = " ".join((comment or "").split())
    if not comment:
        raise InvalidValue(N_("Write what the curator should fix."))
    if len(comment) > MAX_COMMENT:
        raise InvalidValue(N_("The comment is too long: at most {n} characters."), n=MAX_COMMENT)
    entry = await _waiting_entry(session, approver, participant_id, role)
    assert approver is not None
    now = now or utcnow()
    row = BankDecision(
        participant_id=participant_id,
        role=entry.role.value,
        round=(entry.last.round + 1) if entry.last else 1,
        approved=False,
        comment=comment,
        decided_by=approver.telegram_id,
        decided_at=now,
    )
    await _record(session, entry, row)
    audit(session, approver.telegram_id, "bank.return", "participant", participant_id, role=role)
    recipients = set(curator_chat_ids) - {approver.telegram_id}
    await queue_notice_to_chats(session, "bank.returned", row.id, recipients, now)
    await session.commit()
    return row


@decision
async def resubmit_entry(
    session: AsyncSession,
    actor: Actor,
    participant_id: int,
    role: str,
    now: datetime | None = None,
) -> BankDecision:
    """The curator sends a returned entry to the director again (after fixing it)."""
    actor.require_curator()
    entry = await entry_state(session, participant_id, role)
    if entry is None:
        raise NotFound(N_("This person is no longer in the bank."))
    if entry.state != "returned" or entry.last is None:
        raise AlreadyDecided(N_("This entry is not returned: it is with the director or approved."))
    entry.last.resubmitted_by = actor.telegram_id
    entry.last.resubmitted_at = now or utcnow()
    audit(session, actor.telegram_id, "bank.resubmit", "participant", participant_id, role=role)
    await session.commit()
    return entry.last


async def get_decision(session: AsyncSession, decision_id: int) -> BankDecision | None:
    return await session.get(BankDecision, decision_id)


async def person_of(session: AsyncSession, row: BankDecision) -> Participant | None:
    return await get_participant_by_id(session, row.participant_id)
