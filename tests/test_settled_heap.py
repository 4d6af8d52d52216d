"""The bot process takes what it built at start out of the garbage collector's view."""

from __future__ import annotations

import gc
import subprocess
import sys

from bot.factory import settle_heap


def _in_view(thing: object) -> bool:
    return any(o is thing for o in gc.get_objects())


def test_what_exists_at_start_is_frozen_and_what_comes_later_is_collected() -> None:
    kept = [[number] for number in range(1000)]  # lists: objects the collector tracks
    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gc.get_freeze_count() >= before + len(kept)
        assert not _in_view(kept[0])  # a full collection no longer walks it
        later: list[object] = []
        later.append(later)  # a cycle made after the start
        assert _in_view(later)  # still collected as ever
    finally:
        gc.unfreeze()


def test_the_bot_process_does_not_load_what_only_a_rare_press_needs() -> None:
    """openpyxl (with numpy) builds a spreadsheet a curator asks for, redis serves only a
    deployment with REDIS_URL: imported when used, not at start (~26 MB less in every
    process at rest; the reminder sweep's peak memory target is 300 MB, benchmarks/sweep.py)."""
    script = (
        "import sys, bot.__main__, bot.factory, handlers.curator.export;"
        "print(sorted(m for m in ('openpyxl', 'numpy', 'redis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
