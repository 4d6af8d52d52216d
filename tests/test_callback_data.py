"""Button data: every kind has its own prefix, so a press can only ever match the handler of
the button it came from (two kinds sharing «pp» once differed only by their field count)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from aiogram.filters.callback_data import CallbackData

import handlers
import rendering


def all_kinds() -> list[type[CallbackData]]:
    for package in (handlers, rendering):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    found: list[type[CallbackData]] = []

    def walk(cls: type[CallbackData]) -> None:
        for sub in cls.__subclasses__():
            found.append(sub)
            walk(sub)

    walk(CallbackData)
    return [kind for kind in found if kind.__module__.startswith(("handlers", "rendering"))]


def test_every_kind_of_button_data_has_its_own_prefix() -> None:
    kinds = all_kinds()
    assert len(kinds) > 30
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for kind in kinds:
        by_prefix[kind.__prefix__].append(kind.__name__)
    shared = {prefix: names for prefix, names in by_prefix.items() if len(names) > 1}
    assert shared == {}
