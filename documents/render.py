"""Rendering a DOCX template (docxtpl): the college's own copy if it is usable, else ours.

A college puts edited copies of the files in ``documents/templates`` (same file names) into the
folder of ``DOCUMENT_TEMPLATES_DIR``. A copy that is not a DOCX, lost a required field, uses a
field we do not know, or has broken ``{{ }}`` syntax is reported (``TemplateProblem``) and the
built-in template is used, so the curator always gets a document.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError

from documents.layout import glued

BUILT_IN = Path(__file__).resolve().parent / "templates"

# The fields without which a document is not what it claims to be.
_ORDER = {"college_full", "director_short", "acquainted", "table"}
_CONSENT = {"name", "text", "short"}
REQUIRED: dict[str, set[str]] = {
    "order_pairs": _ORDER,
    "order_replacement": _ORDER | {"old_mentor_acc", "new_mentor_acc"},
    "order_early_end": _ORDER,
    "order_completion": _ORDER,
    "programme": {"info_table", "plan_table", "director_short"},
    "consent_personal_data": _CONSENT | {"version"},
    "consent_mentor": _CONSENT | {"version"},
    "consent_pair": _CONSENT | {"pair_number"},
    "memo_mentor": set(),
    "memo_mentee": set(),
}


@dataclass
class TemplateProblem(Exception):
    """Why the college's template was not used: kind is not_docx, missing, unknown or broken."""

    file: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Rendered:
    data: bytes
    problem: TemplateProblem | None = None


Fill = Callable[[DocxTemplate], dict[str, Any]]


def _environment() -> Environment:
    return Environment(undefined=StrictUndefined, autoescape=True)


def _glued_values(value: Any) -> Any:
    """The context's texts with documents.layout.glued's non-breaking spaces («№ 40-н», «п.
    10.1», «— »), in lists and tuples too; sub-documents and other objects as they are."""
    if isinstance(value, str):
        return glued(value)
    if isinstance(value, dict):
        return {key: _glued_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_glued_values(item) for item in value)
    return value


def _render(path: Path, name: str, fill: Fill) -> bytes:
    template = DocxTemplate(path)
    try:
        template.init_docx()
    except Exception as error:  # python-docx raises several kinds for a file that is not DOCX
        raise TemplateProblem(path.name, "not_docx", type(error).__name__) from error
    try:
        used = template.get_undeclared_template_variables(_environment())
    except TemplateError as error:
        raise TemplateProblem(path.name, "broken", str(error)[:200]) from error
    missing = REQUIRED.get(name, set()) - used
    if missing:
        raise TemplateProblem(path.name, "missing", ", ".join(sorted(missing)))
    context = _glued_values(fill(template))
    unknown = used - set(context)
    if unknown:
        raise TemplateProblem(path.name, "unknown", ", ".join(sorted(unknown)))
    try:
        template.render(context, _environment(), autoescape=True)
    except TemplateError as error:
        raise TemplateProblem(path.name, "broken", str(error)[:200]) from error
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def render(name: str, fill: Fill, override_dir: Path | None = None) -> Rendered:
    """The document from the college's template when usable, else from the built-in one."""
    problem = None
    if override_dir is not None:
        custom = override_dir / f"{name}.docx"
        if custom.is_file():
            try:
                return Rendered(_render(custom, name, fill))
            except TemplateProblem as found:
                problem = found
    return Rendered(_render(BUILT_IN / f"{name}.docx", name, fill), problem)
