"""Marks message ids for extraction without translating them (the domain never imports aiogram)."""


def N_(message: str) -> str:
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """A message with plural forms, translated later with ngettext by its count."""
    return singular, plural
