"""Withdrawing a consent (152-FZ; §6.2) and what it ends: the person's pairs and programmes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import utcnow
from models.comentors import end_for_person, tell_co_mentors
from models.consent import active_consent, consent_history
from models.enums import ConsentKind, EndReason, ParticipantStatus, Side
from models.erasure import erase_person
from models.errors import NotFound
from models.i18n_marker import N_
from models.pairs import OPEN_PAIR, Pair, PairMember, close_pair, pairs_of
from models.participant import Participant
from models.programmes import FINISHED, finish_early, programme_of_pair
from models.progress import settle_programme
from models.requests import withdraw_open_requests

WITHDRAWN_NOTE = N_("The participant withdrew their consent.")


async def withdraw_consent(
    session: AsyncSession,
    participant: Participant,
    kind: ConsentKind,
    now: datetime | None = None,
) -> list[int]:
    """Withdraw a consent; returns the people whose pair or programme this ended.

    Personal data: every consent is closed, the profile and both questionnaires are erased,
    participation ends; the consent records keep only their id, kind, version, hash and times.
    Mentoring: the person leaves the bank of mentors and keeps everything else.
    Either way the pairs the person can no longer take part in end early (§10.1.2).
    """
    now = now or utcnow()
    consent = await active_consent(session, participant.id, kind)
    if consent is None:
        raise NotFound(N_("There is no active consent of this kind."))
    affected = await _leave_pairs(
        session, participant, as_mentee=kind == ConsentKind.PERSONAL_DATA, now=now
    )
    # either consent: helping a mentee as a co-mentor (§7.1.1) is mentoring work
    await end_for_person(session, participant.id, now)
    if kind == ConsentKind.MENTORING:
        consent.withdrawn_at = now
        participant.mentor_profile = None
        await session.commit()
        return affected
    for record in await consent_history(session, participant.id):
        if record.withdrawn_at is None:
            record.withdrawn_at = now
    await erase_person(session, participant, now)  # a role never outlives consent either
    participant.status = ParticipantStatus.WITHDRAWN
    participant.registered_at = None
    participant.withdrawn_at = now
    await session.commit()
    return affected


async def _leave_pairs(
    session: AsyncSession, participant: Participant, *, as_mentee: bool, now: datetime
) -> list[int]:
    """End (without committing) the open pairs that cannot go on without this person."""
    affected: set[int] = set()
    if as_mentee:  # a joining not yet ordered ends too: they never became a member
        joining = select(PairMember.pair_id).where(
            PairMember.mentee_id == participant.id, PairMember.join_requested_at.is_not(None)
        )
        for pair in await session.scalars(
            select(Pair).where(Pair.id.in_(joining), Pair.status.in_(OPEN_PAIR))
        ):
            for member in pair.joining:
                if member.mentee_id == participant.id:
                    member.left_at = now
    for pair in await pairs_of(session, participant.id):
        if pair.pending_mentor_id == participant.id:
            pair.pending_mentor_id = None
        side = pair.side_of(participant.id)
        if side == Side.MENTEE:
            if not as_mentee:
                continue
            for member in pair.mentees:
                if member.mentee_id == participant.id:
                    member.left_at = now
            if pair.mentees:  # the rest of the group goes on; the leaver keeps their history
                await settle_programme(session, pair)
                continue
        elif side != Side.MENTOR:
            continue
        affected.update({pair.mentor_id, *pair.mentee_ids} - {participant.id})
        programme = await programme_of_pair(session, pair.id)
        if programme is not None and programme.status not in FINISHED:
            finish_early(
                programme, EndReason.BY_PARTICIPANT, WITHDRAWN_NOTE, participant.telegram_id, now
            )
            await tell_co_mentors(session, "programme.ended", programme.id, pair.id, now)
        else:
            close_pair(pair, now)
        await withdraw_open_requests(session, pair.id)
    return sorted(affected)
