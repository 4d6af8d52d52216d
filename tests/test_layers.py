"""The layers import one way (style §22): handlers → rendering → models. The scheduler, the
publication and the documents use rendering and models, never the chat face; only the
composition root (`bot/factory.py`, and the sandbox that starts it) assembles the handlers.
Read from the source with `ast`, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BELOW_HANDLERS = ("scheduler", "bot", "models", "documents", "rendering")
COMPOSITION_ROOT = {Path("bot/factory.py"), Path("bot/sandbox")}


def sources(*packages: str) -> Iterator[Path]:
    for package in packages:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO)
            if not any(relative == root or root in relative.parents for root in COMPOSITION_ROOT):
                yield path


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """Every module `path` imports, with its line (relative imports resolved to the package)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = path.relative_to(REPO).parts[: -node.level]
                yield node.lineno, ".".join([*package, node.module or ""])
            else:
                yield node.lineno, node.module or ""


def offenders(packages: tuple[str, ...], forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in sources(*packages)
        for line, module in imported(path)
        if module == forbidden or module.startswith(f"{forbidden}.")
    ]


def test_nothing_below_the_chat_face_imports_handlers() -> None:
    assert list(sources(*BELOW_HANDLERS))  # the walk finds the files it checks
    assert offenders(BELOW_HANDLERS, "handlers") == []


def test_the_domain_never_imports_aiogram() -> None:
    assert offenders(("models",), "aiogram") == []


def test_the_scan_sees_a_lazy_import_inside_a_function(tmp_path: Path) -> None:
    """The check itself: an import hidden in a function body is found."""
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from handlers.ui import label\n    return label\n")
    assert [name for _line, name in imported(module)] == ["handlers.ui"]
