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


MAX_PARAMETERS = 6


def long_parameter_lists(path: Path) -> list[str]:
    """The functions of `path` with more than six parameters (keyword-only and * included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            count = len(arguments.posonlyargs + arguments.args + arguments.kwonlyargs)
            count += (arguments.vararg is not None) + (arguments.kwarg is not None)
            if count > MAX_PARAMETERS:
                found.append(f"{path.name}:{node.lineno} {node.name} ({count})")
    return found


def test_no_handler_function_takes_more_than_six_parameters() -> None:
    """Style §16: notifying goes through the injected Notifier, the rest of the update through
    the Context (handlers/context.py), so no function of the chat face needs more than six."""
    paths = sorted((REPO / "handlers").rglob("*.py"))
    assert len(paths) > 30
    assert [line for path in paths for line in long_parameter_lists(path)] == []


def test_the_parameter_count_sees_keyword_only_and_star_arguments(tmp_path: Path) -> None:
    module = tmp_path / "handler.py"
    module.write_text(
        "async def six(a, b, c, d, *, e, f):\n    pass\n"
        "async def seven(a, b, c, d, e, *rest, **more):\n    pass\n"
    )
    assert long_parameter_lists(module) == ["handler.py:3 seven (7)"]


def test_every_action_the_code_audits_reads_as_a_sentence() -> None:
    """/audit shows each entry as a sentence; an action with none read «made a change (entry
    №59)» (the roadmap's creation, its stages and events, the library, a group's newcomer…).
    Every action string passed to models.audit.audit anywhere is in SENTENCES."""
    from handlers.curator.audit import SENTENCES

    found: dict[str, str] = {}
    for path in sources("models", "handlers", "scheduler", "bot"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit"):
                continue
            action = node.args[2] if len(node.args) > 2 else None
            choices = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for choice in choices:
                if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                    found[choice.value] = str(path.relative_to(REPO))
    assert len(found) > 30  # the walk sees the calls
    assert sorted(f"{a} ({p})" for a, p in found.items() if a not in SENTENCES) == []
