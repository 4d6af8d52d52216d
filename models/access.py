"""Who is acting: every rule that protects someone's data checks an `Actor`."""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import AccessDenied
from models.participant import Participant


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    participant_id: int | None
    is_curator: bool = False

    @classmethod
    def of(cls, telegram_id: int, participant: Participant | None, is_curator: bool) -> Actor:
        registered = participant is not None and participant.is_registered
        return cls(telegram_id, participant.id if participant and registered else None, is_curator)

    def require_curator(self) -> None:
        if not self.is_curator:
            raise AccessDenied()

    def require_participant(self) -> int:
        if self.participant_id is None:
            raise AccessDenied()
        return self.participant_id
