"""Telegram's rules for `parse_mode=HTML`, as the Bot API applies them.

The emulator and the recording bot of the handler tests use this to refuse, with Telegram's own
error, what Telegram refuses: a tag it does not support (an unescaped «<номер>» reads as one), an
end tag without its start, a start tag never closed, a text longer than 4096 characters after the
markup is taken out. A message that real Telegram would refuse then fails a test instead of
vanishing in production.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)

_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")
_SPACE = " \t\r\n"


class TelegramHTMLError(ValueError):
    """The description Telegram gives, after «Bad Request: »."""


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _unescape(chunk: str) -> str:
    # Telegram decodes the four named entities and numeric ones; any other «&…» stays as typed.
    return _ENTITY.sub(lambda match: html.unescape(match.group(0)), chunk)


# The entity each supported tag becomes (what Telegram sends back with the message).
_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
}
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain_text(text: str) -> str:
    """The text as the person sees it; raises `TelegramHTMLError` where Telegram would refuse."""
    return parse(text)[0]


def parse(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and its entities (UTF-16 offsets), as Telegram stores an HTML message;
    raises `TelegramHTMLError` where Telegram would refuse."""
    parts: list[str] = []
    open_tags: list[str] = []
    opened: list[tuple[str, int, str]] = []  # (tag, offset, attributes) of each open tag
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        start = text.find("<", i)
        if start == -1:
            parts.append(_unescape(text[i:]))
            break
        parts.append(_unescape(text[i:start]))
        end = start + 1
        while end < len(text) and text[end] not in _SPACE and text[end] != ">":
            end += 1
        if end >= len(text):
            raise TelegramHTMLError(
                f"can't parse entities: Unclosed start tag at byte offset {_offset(text, start)}"
            )
        if text[start + 1 : start + 2] == "/":
            name = text[start + 2 : end].lower()
            close = text.find(">", end)
            if close == -1:
                raise TelegramHTMLError(
                    f"can't parse entities: Unclosed end tag at byte offset {_offset(text, start)}"
                )
            if not open_tags:
                raise TelegramHTMLError(
                    "can't parse entities: Unexpected end tag at byte offset "
                    f"{_offset(text, start)}"
                )
            expected = open_tags.pop()
            if name != expected:
                raise TelegramHTMLError(
                    "can't parse entities: Unmatched end tag at byte offset "
                    f'{_offset(text, start)}, expected "</{expected}>", found "</{name}>"'
                )
            _close_entity(opened.pop(), _utf16("".join(parts)), entities)
            i = close + 1
            continue
        name = text[start + 1 : end].lower()
        if name not in SUPPORTED_TAGS:
            raise TelegramHTMLError(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                f"{_offset(text, start)}"
            )
        close = _tag_end(text, end)
        if close == -1:
            raise TelegramHTMLError(
                f"can't parse entities: Unclosed start tag at byte offset {_offset(text, start)}"
            )
        open_tags.append(name)
        opened.append((name, _utf16("".join(parts)), text[end:close]))
        i = close + 1
    if open_tags:
        raise TelegramHTMLError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    return "".join(parts), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _close_entity(tag: tuple[str, int, str], end: int, entities: list[dict[str, Any]]) -> None:
    name, offset, attributes = tag
    kind = _KINDS.get(name)
    if kind is None or end == offset:
        return
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": end - offset}
    if kind == "text_link":
        href = _HREF.search(attributes)
        if href is None:
            return
        entity["url"] = html.unescape(next(g for g in href.groups() if g is not None))
    entities.append(entity)


def _tag_end(text: str, index: int) -> int:
    """The index of the «>» closing a start tag, skipping quoted attribute values."""
    quote = ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ">":
            return index
        index += 1
    return -1


def check(text: str, *, caption: bool = False, html_mode: bool = True) -> None:
    """Raise `TelegramHTMLError` with Telegram's description if Telegram would refuse `text`."""
    shown = plain_text(text) if html_mode else text
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if not caption and not shown.strip():
        raise TelegramHTMLError("message text is empty")
    if len(shown) > limit:
        raise TelegramHTMLError("message caption is too long" if caption else "message is too long")
