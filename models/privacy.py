"""The whole life of personal data (152-FZ): the separate consent to publication (art. 10.1),
erasure a set period after participation ends (art. 5 p. 7, art. 21 p. 4), and the person's
own copy of everything stored about them with who looked at it (art. 14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.approvals import BankDecision
from models.audit import AuditEntry, audit
from models.base import Base, utcnow
from models.best_cases import CaseDescription
from models.broadcasts import Broadcast
from models.changes import ProgrammeChange
from models.choice import MentorWish
from models.comentors import CoMentor
from models.consent import (
    Consent,
    ConsentDocument,
    active_consent,
    consent_history,
    record_consent,
)
from models.enums import ConsentKind, MentorStatus, ParticipantStatus
from models.errors import InvalidValue, NotFound
from models.forms import FormDraft
from models.i18n_marker import N_
from models.invites import Invite
from models.journal import Meeting, PairMessage
from models.library import Material
from models.mentor_rights import MentorProposal
from models.outbox import OutboxMessage
from models.pairs import OPEN_PAIR, MentorReplacement, Pair, PairingExclusion, PairMember
from models.papers import SignedPaper
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile
from models.programmes import FINISHED, Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from models.roadmap import EventGuest
from models.site import SiteItem
from models.staff import StaffMember
from models.surveys import SurveyAnswer
from models.withdrawal import withdraw_consent

SYSTEM_ACTOR = 0  # the audit's actor for what the bot does by itself (retention)

# ---------------------------------------------------------------- publication consent


async def give_publication_consent(
    session: AsyncSession, participant: Participant, document: ConsentDocument
) -> bool:
    """Record the consent to publishing one's name and results; False if already in force."""
    participant.require_registered()
    if document.kind != ConsentKind.PUBLICATION:
        raise InvalidValue(N_("This consent text is out of date. Please open it again."))
    if await active_consent(session, participant.id, ConsentKind.PUBLICATION) is not None:
        return False
    record_consent(session, participant, document)
    await session.commit()
    return True


async def withdraw_publication_consent(session: AsyncSession, participant: Participant) -> None:
    """The name disappears from the site at the next publication; nothing else changes."""
    consent = await active_consent(session, participant.id, ConsentKind.PUBLICATION)
    if consent is None:
        raise NotFound(N_("There is no active consent of this kind."))
    consent.withdrawn_at = utcnow()
    await session.commit()


# ---------------------------------------------------------------- retention


async def participation_ended_at(session: AsyncSession, person: Participant) -> datetime | None:
    """When the person's participation ended, or None while it goes on.

    It has ended when the person took part in at least one pair, none of their pairs is
    open, every programme of those pairs is finished, and they are not an accepted mentor
    still kept in the bank of mentors (the curator archives a mentor who leaves it)."""
    if person.status != ParticipantStatus.ACTIVE:
        return None
    profile = person.mentor_profile
    if (
        profile is not None
        and profile.status == MentorStatus.ACCEPTED
        and person.archived_at is None
    ):
        return None
    as_mentee = select(PairMember.pair_id).where(
        PairMember.mentee_id == person.id, PairMember.declined_at.is_(None)
    )
    pairs = list(
        await session.scalars(
            select(Pair).where(
                or_(
                    Pair.mentor_id == person.id,
                    Pair.pending_mentor_id == person.id,
                    Pair.id.in_(as_mentee),
                )
            )
        )
    )
    if not pairs:
        return None
    moments: list[datetime] = []
    for pair in pairs:
        member = next((m for m in pair.members if m.mentee_id == person.id), None)
        left = member.left_at if member is not None else None
        if pair.status in OPEN_PAIR and left is None:
            return None
        programme = await session.scalar(select(Programme).where(Programme.pair_id == pair.id))
        if programme is not None and programme.status not in FINISHED and left is None:
            return None
        moments += [
            m
            for m in (pair.closed_at, left, programme.ended_at if programme else None)
            if m is not None
        ]
    if person.archived_at is not None:
        moments.append(person.archived_at)
    return max(moments) if moments else None


@dataclass(frozen=True)
class RetentionDue:
    participant: Participant
    ended_at: datetime
    erase_at: datetime


async def retention_due(
    session: AsyncSession, now: datetime, days: int, notice_days: int
) -> tuple[list[RetentionDue], list[RetentionDue]]:
    """(to be told now, to be erased now) for everyone whose participation has ended."""
    notify, erase = [], []
    for person in await session.scalars(
        select(Participant).where(Participant.status == ParticipantStatus.ACTIVE)
    ):
        ended = await participation_ended_at(session, person)
        if ended is None:
            continue
        due = RetentionDue(person, ended, ended + timedelta(days=days))
        if now >= due.erase_at:
            erase.append(due)
        elif now >= due.erase_at - timedelta(days=notice_days):
            notify.append(due)
    return notify, erase


async def erase_after_retention(
    session: AsyncSession, person: Participant, now: datetime | None = None
) -> bool:
    """Erase the person's personal data through the same routine as a withdrawal of consent;
    the audit keeps who (the bot) and when, with no personal data. False if already done."""
    now = now or utcnow()
    if await active_consent(session, person.id, ConsentKind.PERSONAL_DATA) is None:
        return False
    audit(session, SYSTEM_ACTOR, "retention.erase", "participant", person.id)
    await withdraw_consent(session, person, ConsentKind.PERSONAL_DATA, now)
    return True


# ---------------------------------------------------------------- subject access

# Tables that hold nothing about a person (checked by a test against every table): the roadmap
# and its events (the curator's plan), a staff file waiting for the curator's «apply».
NOT_PERSONAL = frozenset(
    {
        "processed_updates",
        "update_attempts",
        "departments",
        "roadmaps",
        "roadmap_stages",
        "roadmap_events",
        "staff_imports",
    }
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Base) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs}


async def personal_data(
    session: AsyncSession, person: Participant
) -> dict[str, list[dict[str, Any]]]:
    """Every row about this person, by table: the file a person gets with /mydata."""
    pid, tid = person.id, person.telegram_id
    as_mentee = select(PairMember.pair_id).where(PairMember.mentee_id == pid)
    pair_ids = set(
        await session.scalars(
            select(Pair.id).where(
                or_(Pair.mentor_id == pid, Pair.pending_mentor_id == pid, Pair.id.in_(as_mentee))
            )
        )
    )
    mentored = set(await session.scalars(select(Pair.id).where(Pair.mentor_id == pid)))
    programme_ids = set(
        await session.scalars(select(Programme.id).where(Programme.pair_id.in_(pair_ids)))
    )
    about_me_in_pair = or_(
        Request.author_id == pid, Request.partner_id == pid, Request.pair_id.in_(mentored)
    )
    queries: dict[str, Any] = {
        "participants": select(Participant).where(Participant.id == pid),
        "mentee_profiles": select(MenteeProfile).where(MenteeProfile.participant_id == pid),
        "mentor_profiles": select(MentorProfile).where(MentorProfile.participant_id == pid),
        "consents": select(Consent).where(Consent.participant_id == pid),
        "pairs": select(Pair).where(Pair.id.in_(pair_ids)),
        "pair_members": select(PairMember).where(
            or_(PairMember.mentee_id == pid, PairMember.pair_id.in_(mentored))
        ),
        "pairing_exclusions": select(PairingExclusion).where(
            or_(PairingExclusion.mentor_id == pid, PairingExclusion.mentee_id == pid)
        ),
        "programmes": select(Programme).where(Programme.id.in_(programme_ids)),
        "activities": select(Activity).where(Activity.programme_id.in_(programme_ids)),
        "programme_changes": select(ProgrammeChange).where(
            ProgrammeChange.programme_id.in_(programme_ids)
        ),
        "activity_progress": select(ActivityProgress).where(
            or_(
                ActivityProgress.mentee_id == pid,
                ActivityProgress.reported_by == pid,
                ActivityProgress.reviewed_by == pid,
            )
        ),
        "meetings": select(Meeting).where(
            or_(Meeting.pair_id.in_(pair_ids), Meeting.author_id == pid)
        ),
        "co_mentors": select(CoMentor).where(
            or_(CoMentor.participant_id == pid, CoMentor.invited_by == pid)
        ),
        "pair_messages": select(PairMessage).where(
            or_(PairMessage.author_id == pid, PairMessage.pair_id.in_(mentored))
        ),
        "requests": select(Request).where(Request.pair_id.in_(pair_ids), about_me_in_pair),
        "survey_answers": select(SurveyAnswer).where(SurveyAnswer.participant_id == pid),
        "outbox": select(OutboxMessage).where(OutboxMessage.chat_id == tid),
        "broadcasts": select(Broadcast).where(Broadcast.author_telegram_id == tid),
        "invites": select(Invite).where(Invite.created_by == tid),
        "site_items": select(SiteItem).where(SiteItem.author_telegram_id == tid),
        "signed_papers": select(SignedPaper).where(SignedPaper.participant_id == pid),
        "mentor_replacements": select(MentorReplacement).where(
            or_(MentorReplacement.old_mentor_id == pid, MentorReplacement.new_mentor_id == pid)
        ),
        "form_drafts": select(FormDraft).where(FormDraft.user_id == tid),
        "staff_list": select(StaffMember).where(StaffMember.participant_id == pid),
        "bank_decisions": select(BankDecision).where(BankDecision.participant_id == pid),
        "materials": select(Material).where(Material.author_id == pid),
        "case_descriptions": select(CaseDescription).where(
            or_(
                CaseDescription.author_id == pid,
                CaseDescription.programme_id.in_(programme_ids),
            )
        ),
        "mentor_proposals": select(MentorProposal).where(
            or_(MentorProposal.mentor_id == pid, MentorProposal.mentee_id == pid)
        ),
        "mentor_wishes": select(MentorWish).where(
            or_(MentorWish.mentee_id == pid, MentorWish.mentor_id == pid)
        ),
        "roadmap_event_guests": select(EventGuest).where(EventGuest.participant_id == pid),
        "audit_log": select(AuditEntry).where(
            or_(
                AuditEntry.actor_telegram_id == tid,
                (AuditEntry.object_type == "participant") & (AuditEntry.object_id == pid),
            )
        ),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for table, query in queries.items():
        rows = await session.scalars(query.order_by(*inspect_pk(query)))
        found[table] = [_row(row) for row in rows]
    return found


def inspect_pk(query: Any) -> list[Any]:
    entity = query.column_descriptions[0]["entity"]
    return list(inspect(entity).primary_key)


async def access_log(session: AsyncSession, person: Participant) -> list[AuditEntry]:
    """Who viewed or exported this person's data and when (newest first): their card opened
    or exported by a curator, every export of the banks (XLSX) since they registered, the
    draft order of pairs and their programmes' documents (DOCX)."""
    since = person.registered_at or person.created_at
    pair_ids = set(
        await session.scalars(
            select(Pair.id).where(
                or_(
                    Pair.mentor_id == person.id,
                    Pair.id.in_(
                        select(PairMember.pair_id).where(PairMember.mentee_id == person.id)
                    ),
                )
            )
        )
    )
    programme_ids = {
        str(i)
        for i in await session.scalars(select(Programme.id).where(Programme.pair_id.in_(pair_ids)))
    }
    candidates = await session.scalars(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.object_type == "participant") & (AuditEntry.object_id == person.id),
                AuditEntry.action.in_(("export.xlsx", "docs")),
            ),
            AuditEntry.created_at >= since,
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    found = []
    for entry in candidates:
        kind = entry.details.get("kind")
        if entry.action in ("participant.view", "participant.export", "export.xlsx") or (
            entry.action == "docs"
            and (
                (kind == "order" and pair_ids)
                or (kind == "programme" and entry.details.get("item") in programme_ids)
            )
        ):
            found.append(entry)
    return found


__all__ = [
    "access_log",
    "consent_history",
    "erase_after_retention",
    "give_publication_consent",
    "participation_ended_at",
    "personal_data",
    "retention_due",
    "withdraw_publication_consent",
]
