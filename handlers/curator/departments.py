"""/departments: the curator keeps the directory of departments — add, rename, merge."""

from __future__ import annotations

from enum import StrEnum
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.forms import STALE, Form, Question, Step, Turn
from models.access import Actor
from models.departments import (
    add_department,
    directory,
    merge_into,
    outside_names,
    rename_department,
    usage,
)
from models.errors import InvalidValue
from models.i18n_marker import N_
from rendering.texts import shorten
from rendering.ui import button_rows

router = Router(name=__name__)


class DeptVerb(StrEnum):
    """What a departments-directory button does."""

    OPEN = "open"
    ADD = "add"
    RENAME = "rename"
    MERGE = "merge"
    INTO = "into"
    ADOPT = "adopt"
    LIST = "list"


class DeptAction(CallbackData, prefix="dp"):
    verb: DeptVerb
    item: int = -1  # a directory id («open», «rename», «merge», «into» target)
    name: int = -1  # index in the sorted names typed outside the directory («adopt», «into»)
    source: int = -1  # the directory id being merged («into»)


class Naming(StatesGroup):
    entering_new = State()
    entering_rename = State()


def people(n: int) -> str:
    return ngettext("{n} person", "{n} people", n).format(n=n)


async def render_directory(session: AsyncSession) -> tuple[str, InlineKeyboardMarkup]:
    counts = await usage(session)
    known = await directory(session)
    outside = await outside_names(session)
    lines = ["<b>" + _("Departments") + "</b>"]
    buttons: list[tuple[str, DeptAction]] = []
    for department in known:
        lines.append(f"• {escape(department.name)} — {people(counts.get(department.name, 0))}")
        buttons.append(
            (shorten(department.name, 60), DeptAction(verb=DeptVerb.OPEN, item=department.id))
        )
    if not known:
        lines.append(_("The directory is empty."))
    if outside:
        lines += ["", _("Typed by teachers, not in the directory (add or merge):")]
        for index, name in enumerate(outside[:20]):
            lines.append(f"• {escape(name)} — {people(counts.get(name, 0))}")
            buttons.append(
                (
                    _("+ «{name}»").format(name=shorten(name, 50)),
                    DeptAction(verb=DeptVerb.ADOPT, name=index),
                )
            )
            if known:  # a merge needs a department of the directory to merge into
                buttons.append(
                    (
                        _("🔀 «{name}» into…").format(name=shorten(name, 45)),
                        DeptAction(verb=DeptVerb.MERGE, name=index),
                    )
                )
    buttons.append((_("➕ Add a department"), DeptAction(verb=DeptVerb.ADD)))
    return "\n".join(lines), button_rows(buttons)


@router.message(Command("departments"))
async def cmd_departments(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()
    text, markup = await render_directory(session)
    await message.answer(text, reply_markup=markup)


async def _outside(session: AsyncSession, index: int) -> str:
    names = await outside_names(session)
    if not 0 <= index < len(names):
        raise InvalidValue(STALE)
    return names[index]


@router.callback_query(DeptAction.filter(), F.message.as_("message"))
async def department_action(
    query: CallbackQuery,
    callback_data: DeptAction,
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    verb = callback_data.verb
    known = {d.id: d for d in await directory(session)}
    if verb == "list":
        text, markup = await render_directory(session)
        await message.edit_text(text, reply_markup=markup)
    elif verb == "add":
        await NEW.ask(Turn(message, state), NEW.steps[0])
    elif verb == "adopt":
        name = await _outside(session, callback_data.name)
        await add_department(session, actor, name)
        text, markup = await render_directory(session)
        await message.edit_text(text, reply_markup=markup)
    elif verb == "open" and callback_data.item in known:
        department = known[callback_data.item]
        buttons = [
            (_("✏ Rename"), DeptAction(verb=DeptVerb.RENAME, item=department.id)),
            (_("🔀 Merge into another…"), DeptAction(verb=DeptVerb.MERGE, item=department.id)),
            (_("⬅ Back"), DeptAction(verb=DeptVerb.LIST)),
        ]
        await message.edit_text(
            "<b>" + escape(department.name) + "</b>", reply_markup=button_rows(buttons)
        )
    elif verb == "rename" and callback_data.item in known:
        answers = {"department_id": callback_data.item, "old_name": known[callback_data.item].name}
        await RENAME.start(Turn(message, state), answers)
    elif verb == "merge":
        source = (
            known[callback_data.item].name
            if callback_data.item in known
            else await _outside(session, callback_data.name)
        )
        targets = [
            (d.name[:60], DeptAction(verb=DeptVerb.INTO, item=d.id, **_source(callback_data)))
            for d in known.values()
            if d.name != source
        ]
        if not targets:
            raise InvalidValue(STALE)
        await message.edit_text(
            _("Merge «{name}» into which department? Everyone who named it moves there.").format(
                name=escape(source)
            ),
            reply_markup=button_rows([*targets, (_("⬅ Back"), DeptAction(verb=DeptVerb.LIST))]),
        )
    elif verb == "into" and callback_data.item in known:
        if callback_data.source in known:
            source = known[callback_data.source].name
        else:
            source = await _outside(session, callback_data.name)
        target, moved = await merge_into(session, actor, source, callback_data.item)
        text, markup = await render_directory(session)
        outcome = _("✅ «{source}» merged into «{target}»: {people} moved.").format(
            source=escape(source), target=escape(target.name), people=people(moved)
        )
        await message.edit_text(outcome + "\n\n" + text, reply_markup=markup)
    else:
        raise InvalidValue(STALE)
    await query.answer()


def _source(data: DeptAction) -> dict[str, int]:
    return {"source": data.item} if data.item >= 0 else {"name": data.name}


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""


async def _added(turn: Turn) -> None:
    await add_department(turn.session, turn.actor, (await turn.answers())["new_name"])
    await turn.state.clear()
    text, markup = await render_directory(turn.session)
    await turn.message.answer(_("✅ Added.") + "\n\n" + text, reply_markup=markup)


NEW = Form(
    [
        Step(
            Naming.entering_new,
            "new_name",
            question=N_("The name of the new department, as it should be written:"),
            read=_as_typed,
        )
    ],
    _added,
)
NEW.register(router)


async def _rename_question(turn: Turn) -> Question:
    name = (await turn.answers())["old_name"]
    return _("The new name for «{name}»:").format(name=escape(name)), None


async def _renamed(turn: Turn) -> None:
    data = await turn.answers()
    await rename_department(turn.session, turn.actor, data["department_id"], data["new_name"])
    await turn.state.clear()
    text, markup = await render_directory(turn.session)
    await turn.message.answer(_("✅ Renamed.") + "\n\n" + text, reply_markup=markup)


RENAME = Form(
    [Step(Naming.entering_rename, "new_name", question=_rename_question, read=_as_typed)],
    _renamed,
)
RENAME.register(router)
