"""The separate consent to publication on the college site, as the bot asks it: asked by the
chat (/publicity) and queued by the scheduler when first needed."""

from __future__ import annotations

from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from models.consent import CONSENT_VERSIONS, ConsentDocument
from models.enums import ConsentKind
from rendering.ui import button_rows


class Publicity(CallbackData, prefix="pc"):
    agree: bool


def publication_consent_document(organization: str, locale: str) -> ConsentDocument:
    """The publication consent in the current language; its version and hash are stored."""
    version = CONSENT_VERSIONS[ConsentKind.PUBLICATION]
    text = _(
        "<b>Consent to publishing my name on the college site</b>\n\n"
        "I agree that {organization} publishes on its official site, in the section on the "
        "mentoring of teachers (§11 of the Regulation), for anyone to read: my full name, my "
        "role (mentor or mentee), my department, the goal, period, forms and results of my "
        "mentoring programmes and their description as a best case (Federal Law No. 152-FZ, "
        "art. 10.1). Nothing else is published: no contacts, no questionnaires.\n\n"
        "Without this consent the site shows only «mentor» or «mentee». I may withdraw it "
        "at any time with /publicity; my name then disappears at the next publication.\n\n"
        "Version {version}."
    ).format(organization=escape(organization), version=version)
    return ConsentDocument(ConsentKind.PUBLICATION, version, text, locale)


def publicity_question(organization: str, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The question as the bot asks it (also queued by the scheduler when first needed)."""
    document = publication_consent_document(organization, locale)
    markup = button_rows(
        [
            (_("I agree"), Publicity(agree=True)),
            (_("I do not agree"), Publicity(agree=False)),
        ],
        width=1,
    )
    return document.text, markup
