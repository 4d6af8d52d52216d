"""Synchronous filters without a thread hop.

aiogram 3 calls every callable that is not a coroutine function — magic filters such as
`F.chat.type == ChatType.PRIVATE` or `F.text`, a bare `State` used as a filter — through
`asyncio.to_thread` (`CallableObject.call`): a hand-off to a worker thread and back for a
check that takes microseconds, eight of them on /plan. `inline_sync_callables` wraps each
such filter of a router tree in a coroutine function once, after the routers are assembled,
so it runs in the event loop. Only filters are wrapped: they are pure checks on the event.
The signature aiogram inspected (which keyword arguments it passes) stays as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject


def _inline(callable_object: CallableObject) -> bool:
    if callable_object.awaitable:
        return False
    function: Callable[..., Any] = callable_object.callback

    @functools.wraps(function)
    async def run_in_loop(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    callable_object.callback = run_in_loop
    callable_object.awaitable = True
    return True


def _handlers(router: Router) -> Iterable[HandlerObject]:
    for observer in router.observers.values():
        router_level = getattr(observer, "_handler", None)  # router.message.filter(...)
        if router_level is not None:
            yield router_level
        yield from observer.handlers


def inline_sync_callables(router: Router) -> int:
    """Make every synchronous filter under `router` run in the event loop; returns how many."""
    count = 0
    for each in router.chain_tail:
        for handler in _handlers(each):
            for filter_object in handler.filters or ():
                count += _inline(filter_object)
    return count
