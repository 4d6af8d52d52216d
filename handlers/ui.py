"""Callback data factories and keyboard builders shared by the handlers."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from models.enums import ConsentKind, label_id
from models.fields import FIELDS, MAX_ID, FieldSpec

DONE = "_done"
SKIP = "_skip"
BACK = "_back"


# Numbers in button data are bounded like the database's integers: a forged 10^20 does not
# match the button's filter (the user is told the button is stale) and never reaches a query.
DbInt = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]


class ConsentAnswer(CallbackData, prefix="pd"):
    agree: bool
    version: str  # the version shown; a press on an outdated text shows the new one


class MentorConsentAnswer(CallbackData, prefix="mc"):
    agree: bool


class FormOption(CallbackData, prefix="fo"):
    """A button of a form step: an option code, or DONE / SKIP / BACK."""

    field: str
    code: str


class ProfileAction(CallbackData, prefix="pr"):
    action: str  # "edit", "add_mentee", "add_mentor"
    field: str = ""


class ConsentAction(CallbackData, prefix="cs"):
    action: str  # "withdraw", "confirm", "keep"
    kind: ConsentKind


class MentorDecision(CallbackData, prefix="md"):
    participant_id: DbInt
    accept: bool


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def label(value: object) -> str:
    text = label_id(value) if isinstance(value, StrEnum) else None
    return _(text) if text else str(value)


def yes_no_keyboard(yes: CallbackData, yes_text: str, no: CallbackData, no_text: str):
    builder = InlineKeyboardBuilder()
    builder.button(text=yes_text, callback_data=yes)
    builder.button(text=no_text, callback_data=no)
    builder.adjust(1)
    return builder.as_markup()


def step_keyboard(
    spec: FieldSpec, selected: Iterable[str] = (), *, back: bool = False
) -> InlineKeyboardMarkup | None:
    """Options for a choice/multi step (ticks on the chosen ones), Skip, Done and Back."""
    builder = InlineKeyboardBuilder()
    chosen = set(selected)
    for option in spec.options:
        mark = "✅ " if spec.kind == "multi" and option.value in chosen else ""
        builder.button(
            text=f"{mark}{label(option)}",
            callback_data=FormOption(field=spec.key, code=option.value),
        )
    rows = [1] * len(spec.options)
    controls = []
    if spec.kind == "multi":
        controls.append((_("Done ✔"), DONE))
    if spec.optional:
        controls.append((_("Skip"), SKIP))
    if back:
        controls.append((_("⬅ Back"), BACK))
    for text, code in controls:
        builder.button(text=text, callback_data=FormOption(field=spec.key, code=code))
    if controls:
        rows.append(len(controls))
    if not rows:
        return None
    builder.adjust(*rows)
    return builder.as_markup()


class PickMentee(CallbackData, prefix="pm"):
    mentee_id: DbInt


class PickMentor(CallbackData, prefix="pt"):
    mentee_id: DbInt
    mentor_id: DbInt
    join_pair_id: DbInt = 0  # 0: a new pair; else add the mentee to this open pair (a group)


class PairReply(CallbackData, prefix="pa"):
    pair_id: DbInt
    accept: bool


class PairApproval(CallbackData, prefix="pv"):
    pair_id: DbInt


class ProgrammeAction(CallbackData, prefix="pg"):
    """Mentor's draft actions, mentee's answer, curator's review, completion votes."""

    action: str
    programme_id: DbInt
    item: DbInt = 0


class ActivityAction(CallbackData, prefix="ac"):
    action: str  # "report", "confirm", "return"
    activity_id: DbInt


class MessageReply(CallbackData, prefix="mr"):
    message_id: DbInt


class RequestMenu(CallbackData, prefix="rq"):
    kind: str
    pair_id: DbInt
    item: DbInt = 0  # the activity, for a deadline change


class RequestAction(CallbackData, prefix="ra"):
    action: str  # "agree", "disagree" (the other side), "approve", "reject" (the curator)
    request_id: DbInt


class NewMentor(CallbackData, prefix="nm"):
    pair_id: DbInt
    mentor_id: DbInt


class ReplacementOrder(CallbackData, prefix="ro"):
    """The curator enters the director's order for a change of mentor."""

    replacement_id: DbInt


class SurveyRating(CallbackData, prefix="sv"):
    programme_id: DbInt
    question: str
    value: DbInt


class PickPair(CallbackData, prefix="pp"):
    """Choosing one of the person's pairs before an action (a mentor may have several)."""

    action: str
    pair_id: DbInt


def progress_bar(done: int, total: int, width: int = 8) -> str:
    percent = round(100 * done / total) if total else 0
    filled = round(width * done / total) if total else 0
    return f"{'▓' * filled}{'░' * (width - filled)} {percent} %"


def button_rows(buttons: list[tuple[str, CallbackData]], width: int = 1) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in buttons:
        builder.button(text=text, callback_data=data)
    builder.adjust(width)
    return builder.as_markup()


def prompt_of(key: str) -> str:
    """The translated question of a field (keeps field keys out of the gettext extraction)."""
    return _(FIELDS[key].prompt)
