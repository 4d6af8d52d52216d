"""Callback data factories and keyboard builders shared by the handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum, StrEnum
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from models.enums import ConsentKind, RequestKind, label_id
from models.errors import DomainError
from models.fields import FIELDS, MAX_ID, FieldSpec
from models.i18n_marker import N_
from models.paging import Page

DONE = "_done"
SKIP = "_skip"
BACK = "_back"


# Numbers in button data are bounded like the database's integers: a forged 10^20 does not
# match the button's filter (the user is told the button is stale) and never reaches a query.
DbInt = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]


class ProgrammeVerb(StrEnum):
    """What a programme's button does: drafting, the mentee's answer, review, completion."""

    VIEW = "view"
    ADD = "add"
    REMOVE = "remove"
    HEADER = "header"
    SUBMIT = "submit"
    AGREE = "agree"
    COMMENT = "comment"
    APPROVE = "approve"
    RETURN = "return"
    REPORT = "report"
    COMPLETE = "complete"
    END = "end"
    SURVEY = "survey"
    CHANGE = "change"  # propose a change to the approved programme (§10.2)
    CHANGES = "changes"  # the history of its changes


class ActivityVerb(StrEnum):
    """What a button does to an activity."""

    REPORT = "report"
    CONFIRM = "confirm"
    RETURN = "return"


class RequestVerb(StrEnum):
    """The other side's answer to a request, then the curator's decision."""

    AGREE = "agree"
    DISAGREE = "disagree"
    APPROVE = "approve"
    REJECT = "reject"


class ProfileVerb(StrEnum):
    """Profile buttons."""

    EDIT = "edit"
    ADD_MENTEE = "add_mentee"
    ADD_MENTOR = "add_mentor"


class ConsentVerb(StrEnum):
    """Withdrawing a consent: ask, confirm, or keep it."""

    WITHDRAW = "withdraw"
    CONFIRM = "confirm"
    KEEP = "keep"


class PairPurpose(StrEnum):
    """Why a person is asked to pick one of their pairs."""

    PROGRAMME = "programme"
    REQUEST = "request"
    MEETING = "meeting"
    QUESTION = "question"
    PROPOSAL = "proposal"


class ConsentAnswer(CallbackData, prefix="pd"):
    agree: bool
    version: str  # the version shown; a press on an outdated text shows the new one


class FormOption(CallbackData, prefix="fo"):
    """A button of a form step: an option code, or DONE / SKIP / BACK."""

    field: str
    code: str


class ProfileAction(CallbackData, prefix="pr"):
    action: ProfileVerb
    field: str = ""


class ConsentAction(CallbackData, prefix="cs"):
    action: ConsentVerb
    kind: ConsentKind


class CoMentorVerb(StrEnum):
    """The co-mentor's buttons (§7.1.1): the mentor invites and picks, the invitee answers,
    the mentor, the co-mentor or a curator ends it."""

    INVITE = "invite"  # item: the pair
    PICK = "pick"  # item: the pair; person: the teacher picked
    ACCEPT = "accept"  # item: the invitation (co_mentors row)
    DECLINE = "decline"
    END = "end"


class CoMentorAction(CallbackData, prefix="cm"):
    action: CoMentorVerb
    item: DbInt
    person: DbInt = 0


class ProposalAnswer(CallbackData, prefix="mpa"):
    """The curator's or the director's answer to a mentor's proposal (§7.2.6, §7.2.7)."""

    proposal_id: DbInt
    accept: bool


class MentorDecision(CallbackData, prefix="md"):
    participant_id: DbInt
    accept: bool


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class MessageGone(DomainError):
    """The message under a pressed button can no longer be read or edited: Telegram sends an
    InaccessibleMessage for one older than 48 hours (and none for an inline message)."""

    message = N_(
        "This message is too old to update. Send the command again to see where things stand."
    )


def shown(query: CallbackQuery) -> Message:
    """The message whose button was pressed, to edit or to reply under."""
    if isinstance(query.message, Message):
        return query.message
    raise MessageGone()


def chat_of(query: CallbackQuery) -> Message | InaccessibleMessage:
    """Where to send a new message after a press (an old message still names its chat)."""
    if query.message is None:
        raise MessageGone()
    return query.message


async def show_outcome(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Turn the pressed message into `text` (what the press did, the state now). A message too
    old to edit gets the same text as a new message under it, so the state is always shown."""
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=reply_markup)
    elif query.message is not None:
        await query.message.answer(text, reply_markup=reply_markup)


async def set_buttons(query: CallbackQuery, reply_markup: InlineKeyboardMarkup | None) -> None:
    """Change (or, with None, remove) the pressed message's buttons; an old message that can no
    longer be edited keeps them, and a later press on them is refused as stale."""
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=reply_markup)


def page_buttons(
    page: Page[Any], to: Callable[[int], CallbackData]
) -> list[tuple[str, CallbackData]]:
    """«‹ Previous page» / «Next page ›» for a page of a list; `to(n)` is the data of page n."""
    buttons: list[tuple[str, CallbackData]] = []
    if page.has_previous:
        buttons.append((_("‹ Previous page"), to(page.number - 1)))
    if page.has_next:
        buttons.append((_("Next page ›"), to(page.number + 1)))
    return buttons


class Keyboard(InlineKeyboardBuilder):
    """aiogram's inline keyboard builder, its limits and layout unchanged, without its deep
    copies: the stock `export`, behind every `button`, `add`, `adjust` and `as_markup`,
    deep-copies every button so far — a tenth of a millisecond a button, half a millisecond
    for a form step's keyboard (issue 18). Buttons are frozen pydantic models, safe to share;
    the rows are still new lists, so a markup taken out never changes with the builder."""

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


def add_buttons(
    builder: InlineKeyboardBuilder, buttons: Sequence[tuple[str, CallbackData]]
) -> None:
    for text, data in buttons:
        builder.button(text=text, callback_data=data)


def label(value: object) -> str:
    text = label_id(value) if isinstance(value, StrEnum) else None
    return _(text) if text else str(value)


def yes_no_keyboard(
    yes: CallbackData, yes_text: str, no: CallbackData, no_text: str
) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=yes_text, callback_data=yes)
    builder.button(text=no_text, callback_data=no)
    builder.adjust(1)
    return builder.as_markup()


def step_keyboard(
    spec: FieldSpec, selected: Iterable[str] = (), *, back: bool = False
) -> InlineKeyboardMarkup | None:
    """Options for a choice/multi step (ticks on the chosen ones), Skip, Done and Back."""
    builder = Keyboard()
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


class JoinApproval(CallbackData, prefix="jv"):
    """The order that makes a newcomer a member of an approved group (§6.3.5)."""

    pair_id: DbInt
    mentee_id: DbInt


class ProgrammeAction(CallbackData, prefix="pg"):
    """Mentor's draft actions, mentee's answer, curator's review, completion votes."""

    action: ProgrammeVerb
    programme_id: DbInt
    item: DbInt = 0


class DocumentChoice(CallbackData, prefix="dc"):
    """A document of /docs (handlers.curator.documents): its kind, and the programme's id
    for a programme's document."""

    kind: str
    item: int = 0


class ActivityAction(CallbackData, prefix="ac"):
    action: ActivityVerb
    activity_id: DbInt


class PartAction(CallbackData, prefix="ap"):
    """One mentee's part of an activity, by stable ids (models.progress): confirm or return."""

    action: str  # "confirm", "return"
    activity_id: DbInt
    mentee_id: DbInt


class MessageReply(CallbackData, prefix="mr"):
    message_id: DbInt


class RequestMenu(CallbackData, prefix="rq"):
    kind: RequestKind
    pair_id: DbInt
    item: DbInt = 0  # the activity, for a deadline change


class RequestAction(CallbackData, prefix="ra"):
    action: RequestVerb
    request_id: DbInt


class ChangeOp(StrEnum):
    """What a change proposal does to an approved programme (§10.2)."""

    ADD = "add"
    EDIT = "edit"
    REMOVE = "remove"
    FORMS = "forms"
    END_DATE = "end_date"


class ChangeMenu(CallbackData, prefix="cg"):
    """A step of composing a change proposal (§10.2): the kind, the activity, the field."""

    programme_id: DbInt
    op: ChangeOp
    activity_id: DbInt = 0
    field: str = ""


class ChangeAnswer(CallbackData, prefix="ca"):
    """«Согласен» / «Не согласен» to a change proposal."""

    change_id: DbInt
    agree: bool


class ChangeWithdraw(CallbackData, prefix="cw"):
    """The author takes an open change proposal back."""

    change_id: DbInt


def change_answer_buttons(change_id: int) -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("I agree"), ChangeAnswer(change_id=change_id, agree=True)),
            (_("I do not agree"), ChangeAnswer(change_id=change_id, agree=False)),
        ]
    )


class NewMentor(CallbackData, prefix="nm"):
    pair_id: DbInt
    mentor_id: DbInt


class ReplacementOrder(CallbackData, prefix="ro"):
    """The curator enters the director's order for a change of mentor."""

    replacement_id: DbInt


class PickPair(CallbackData, prefix="pp"):
    """Choosing one of the person's pairs before an action (a mentor may have several)."""

    action: PairPurpose
    pair_id: DbInt


def progress_bar(done: int, total: int, width: int = 8) -> str:
    percent = round(100 * done / total) if total else 0
    filled = round(width * done / total) if total else 0
    return f"{'▓' * filled}{'░' * (width - filled)} {percent} %"


_FIELD_NAMES: dict[type[CallbackData], tuple[str, ...]] = {}


def packed(data: CallbackData) -> str:
    """`data.pack()` without pydantic's `model_dump` (a third of a first reminder sweep that
    queues a hundred thousand buttons). Ints and enums as aiogram encodes them; anything else,
    or a result that breaks aiogram's rules, goes through `pack()` itself, which decides."""
    parts = [data.__prefix__]
    values = data.__dict__
    kind = type(data)
    names = _FIELD_NAMES.get(kind) or _FIELD_NAMES.setdefault(kind, tuple(kind.model_fields))
    for name in names:
        value = values[name]
        if isinstance(value, Enum):
            value = value.value
        if type(value) is not int and type(value) is not str:  # bool, None, floats…: aiogram's
            return data.pack()
        parts.append(str(value))
    result = data.__separator__.join(parts)
    if len(result.encode()) > 64 or result.count(data.__separator__) != len(parts) - 1:
        return data.pack()  # too long, or a separator inside a value: aiogram raises
    return result


def report_button(activity_id: int) -> tuple[str, CallbackData]:
    """«✅ Report done» for an activity: under a reminder and under a report returned for rework."""
    return _("✅ Report done"), ActivityAction(action=ActivityVerb.REPORT, activity_id=activity_id)


def button_rows(
    buttons: Sequence[tuple[str, CallbackData]], width: int = 1
) -> InlineKeyboardMarkup:
    """Buttons in rows of `width`. Built directly: aiogram's keyboard builder deep-copies every
    button on export (issue 18: a fifth of a /done update's CPU); the builder stays for what
    exceeds its limits, so those fail as before."""
    if len(buttons) > 100 or not 1 <= width <= 8:
        builder = Keyboard()
        for text, data in buttons:
            builder.button(text=text, callback_data=data)
        builder.adjust(width)
        return builder.as_markup()
    keys = [InlineKeyboardButton(text=text, callback_data=packed(data)) for text, data in buttons]
    return InlineKeyboardMarkup(
        inline_keyboard=[keys[start : start + width] for start in range(0, len(keys), width)]
    )


def prompt_of(key: str) -> str:
    """The translated question of a field (keeps field keys out of the gettext extraction)."""
    return _(FIELDS[key].prompt)
