"""Domain errors. Each carries a gettext message id and its format parameters."""

from __future__ import annotations

from typing import Any

from models.i18n_marker import N_


class DomainError(Exception):
    message: str = N_("This action is not possible right now.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message.format(**params) if params else self.message)


class NotFound(DomainError):
    message = N_("Not found: it may have been deleted.")


class ConsentRequired(DomainError):
    message = N_("Personal data can only be stored after you give consent. Send /start.")


class InvalidValue(DomainError):
    """A value that breaks a field's rule; the message says what is expected."""


class NotRegistered(DomainError):
    message = N_("You are not registered yet. Send /start to join the programme.")


class AccessDenied(DomainError):
    """Someone else's pair, programme, activity or request: refused without any data."""

    message = N_("This is not available to you.")


class WrongState(DomainError):
    message = N_("This cannot be done at this stage.")


class AlreadyDecided(WrongState):
    """Someone decided first (a concurrent decision lost its race, or a stale button)."""

    message = N_("This has already been decided.")


def already_decided(state: Any) -> AlreadyDecided:
    """Someone decided first: the loser is told the current state (an enum member, translated
    by the error handler through its label)."""
    return AlreadyDecided(N_("Already decided: {state}."), state=state)
