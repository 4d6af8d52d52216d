"""Marks message ids for extraction without translating them (the domain never imports aiogram)."""


def N_(message: str) -> str:
    return message
