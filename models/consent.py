"""Consents (152-FZ personal data; §6.2 consent to act as a mentor) and their withdrawal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.enums import ConsentKind, ParticipantStatus
from models.errors import InvalidValue
from models.i18n_marker import N_
from models.participant import Participant, enum_column

# Bump a version whenever the wording of that consent text changes.
CONSENT_VERSIONS: dict[ConsentKind, str] = {
    ConsentKind.PERSONAL_DATA: "pd-2026.1",
    ConsentKind.MENTORING: "mentor-2026.1",
    ConsentKind.PUBLICATION: "pub-2026.1",
}


@dataclass(frozen=True)
class ConsentDocument:
    """The exact text a person was shown, identified by version and hash."""

    kind: ConsentKind
    version: str
    text: str
    locale: str

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind))
    version: Mapped[str] = mapped_column(String(32))
    text_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


def record_consent(
    session: AsyncSession,
    participant: Participant,
    document: ConsentDocument,
    now: datetime | None = None,
) -> Consent:
    if document.version != CONSENT_VERSIONS[document.kind]:
        raise InvalidValue(N_("This consent text is out of date. Please open it again."))
    consent = Consent(
        participant_id=participant.id,
        kind=document.kind,
        version=document.version,
        text_hash=document.text_hash,
        locale=document.locale,
        given_at=now or utcnow(),
    )
    session.add(consent)
    return consent


async def give_personal_data_consent(
    session: AsyncSession,
    participant: Participant,
    document: ConsentDocument,
    now: datetime | None = None,
) -> Consent:
    if document.kind != ConsentKind.PERSONAL_DATA:
        raise InvalidValue(N_("This consent text is out of date. Please open it again."))
    existing = await active_consent(session, participant.id, ConsentKind.PERSONAL_DATA)
    if existing is not None:
        return existing
    consent = record_consent(session, participant, document, now)
    participant.status = ParticipantStatus.REGISTERING
    participant.withdrawn_at = None
    await session.commit()
    return consent


async def decline_personal_data_consent(session: AsyncSession, participant: Participant) -> None:
    """Nothing but the Telegram id is kept for someone who declines."""
    if participant.has_consent:
        raise InvalidValue(N_("You have already given consent. Use /consent to withdraw it."))
    participant.status = ParticipantStatus.DECLINED
    await session.commit()


async def active_consent(
    session: AsyncSession, participant_id: int, kind: ConsentKind
) -> Consent | None:
    return await session.scalar(
        select(Consent)
        .where(
            Consent.participant_id == participant_id,
            Consent.kind == kind,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.given_at.desc())
        .limit(1)
    )


async def consent_history(session: AsyncSession, participant_id: int) -> list[Consent]:
    result = await session.scalars(
        select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.id)
    )
    return list(result)
