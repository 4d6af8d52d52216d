"""Decisions that cannot race: a version column on every decided row and a re-run on conflict.

Each row that people decide on (a pair, a request, a programme, a mentor profile) carries a
`version` that SQLAlchemy checks in every UPDATE (`UPDATE … WHERE id = ? AND version = ?`).
When two people decide at the same moment (two updates of one getUpdates batch, two webhook
workers, two processes), the second UPDATE matches no row and raises `StaleDataError`: nothing
of the losing try is committed. `decision` then runs the same domain function again on the
fresh state, so the loser either sees «already decided» with the current state, or — for an
agreement where everyone's answer counts, like a pair both sides accept at once — completes
what the first answer started: the last acceptance activates the pair whatever the order.
The same works on SQLite (one writer at a time, the WHERE sees the committed row) and on
PostgreSQL (READ COMMITTED re-checks the WHERE against the row the other worker committed).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from models.updates import ProcessedUpdate

P = ParamSpec("P")
T = TypeVar("T")
ATTEMPTS = 5
logger = logging.getLogger(__name__)


def decision(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run the domain function again, on fresh rows, when its commit lost a race."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        session = args[0]
        assert isinstance(session, AsyncSession)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await fn(*args, **kwargs)
            except StaleDataError:
                # The update's own "processed" mark joined the failed commit: keep it for the
                # next try, so a redelivery is still recognised once this one commits.
                marks = [o for o in session.new if isinstance(o, ProcessedUpdate)]
                await session.rollback()
                if attempt == ATTEMPTS:
                    raise
                logger.info("%s lost a race (try %d): deciding again", fn.__name__, attempt)
                for mark in marks:
                    session.add(mark)
        raise AssertionError("unreachable")  # pragma: no cover

    return run
