"""gettext i18n: locales/<lang>/LC_MESSAGES/messages.po, compiled to .mo on start.

A fresh clone needs no `pybabel compile`: each catalogue whose .mo is missing or older than
its .po is compiled here (atomically, so two starting processes do not clash).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def compile_catalogues(path: Path = LOCALES_DIR, domain: str = DOMAIN) -> None:
    for po_path in path.glob(f"*/LC_MESSAGES/{domain}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        os.replace(temporary, mo_path)


def create_i18n(default_locale: str, path: Path = LOCALES_DIR) -> I18n:
    compile_catalogues(path)
    return I18n(path=path, default_locale=default_locale, domain=DOMAIN)


class ParticipantLocaleMiddleware(I18nMiddleware):
    """The language the participant chose with /lang, else the bot's default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        # A plain value taken when the participant was loaded: after a failed transaction the
        # participant object is expired, and the error reply still needs the language.
        locale = data.get("participant_locale")
        if isinstance(locale, str) and locale in self.i18n.available_locales:
            return locale
        return self.i18n.default_locale
