"""gettext i18n: catalogues are compiled from locales/*/LC_MESSAGES/messages.po at start.

Compiling in memory means a fresh clone works without `pybabel compile` and a stale .mo can
never shadow an edited .po.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def compile_catalogue(po_path: Path) -> gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class CatalogueI18n(I18n):
    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return {
            po_path.parent.parent.name: compile_catalogue(po_path)
            for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po"))
        }


def create_i18n(default_locale: str, path: Path = LOCALES_DIR) -> CatalogueI18n:
    return CatalogueI18n(path=path, default_locale=default_locale, domain=DOMAIN)


class ParticipantLocaleMiddleware(I18nMiddleware):
    """The language the participant chose with /lang, else the bot's default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        participant = data.get("participant")
        locale = getattr(participant, "locale", None)
        if locale in self.i18n.available_locales:
            return locale
        return self.i18n.default_locale
