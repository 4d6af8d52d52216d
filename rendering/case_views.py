"""How a best practice's description looks in chat, and its buttons (the notices use them too)."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from models.best_cases import CaseDescription, CaseStatus
from models.i18n_marker import N_
from models.programmes import Programme
from rendering.ui import DbInt, button_rows

HEADINGS = {
    "goal": N_("Goal"),
    "done": N_("What was done"),
    "results": N_("Results"),
    "lessons": N_("Lessons"),
}
STATUS_LABELS = {
    CaseStatus.SUBMITTED: N_("waits for the curator's approval"),
    CaseStatus.APPROVED: N_("approved: a best case on the site and in the year's report"),
    CaseStatus.RETURNED: N_("returned by the curator to be rewritten"),
}


class CaseVerb(StrEnum):
    WRITE = "write"
    OPEN = "open"
    APPROVE = "approve"
    RETURN = "return"


class CaseAction(CallbackData, prefix="bcs"):
    verb: CaseVerb
    programme_id: DbInt


def case_card(programme: Programme, row: CaseDescription) -> str:
    lines = [
        "<b>"
        + _("Best practice: programme №{id} «{title}»").format(
            id=programme.id, title=escape(programme.goal[:120])
        )
        + "</b>"
    ]
    for key, heading in HEADINGS.items():
        lines += ["", f"<b>{_(heading)}</b>", escape(getattr(row, key))]
    lines += ["", _("Status: {status}").format(status=_(STATUS_LABELS[row.status]))]
    return "\n".join(lines)


def decision_buttons(programme_id: int) -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("✅ Approve"), CaseAction(verb=CaseVerb.APPROVE, programme_id=programme_id)),
            (_("↩ Return to rewrite"), CaseAction(verb=CaseVerb.RETURN, programme_id=programme_id)),
        ],
        width=2,
    )
