"""Button data: every kind has its own prefix, so a press can only ever match the handler of
the button it came from (two kinds sharing «pp» once differed only by their field count)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from enum import Enum

import pytest
from aiogram.filters.callback_data import CallbackData

import handlers
import rendering
from models.fields import MAX_ID
from rendering.ui import packed


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


def _examples(kind: type[CallbackData]) -> list[CallbackData]:
    """Every member of each enum field, ints at the bounds, strings with and without the
    separator, both booleans: instances as handlers and the sweep build them."""
    values: dict[str, list[object]] = {}
    for name, info in kind.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            values[name] = list(annotation)
        elif annotation is bool:
            values[name] = [True, False]
        elif annotation is str:
            values[name] = ["", "title", "a:b", "я" * 40]
        else:
            values[name] = [0, 7, MAX_ID]
    longest = max((len(v) for v in values.values()), default=1)
    return [
        kind(**{name: options[i % len(options)] for name, options in values.items()})
        for i in range(longest)
    ]


def test_packed_button_data_is_what_aiogram_packs() -> None:
    """rendering.ui.packed (the screens' and the sweep's buttons) skips pydantic's dump: it must
    give aiogram's string, and fail where aiogram fails (a separator in a value, too long)."""
    checked = 0
    for kind in all_kinds():
        for data in _examples(kind):
            try:
                expected = data.pack()
            except ValueError:
                with pytest.raises(ValueError, match=r"Separator|too long"):
                    packed(data)
            else:
                assert packed(data) == expected
            checked += 1
    assert checked > 100
