"""Telegram's HTML rules as the emulator and the recording bot apply them."""

from __future__ import annotations

import pytest
from aiogram.types import Message

from bot import telegram_html
from bot.telegram_html import TelegramHTMLError, check, plain_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<b>Жирный</b> и <i>курсив</i>", "Жирный и курсив"),
        ("a &lt; b &amp;&amp; c &gt; d &quot;x&quot; &#1071;", 'a < b && c > d "x" Я'),
        ("AT&T и &nbsp; остаются как есть", "AT&T и &nbsp; остаются как есть"),
        ('<a href="https://t.me/bot?start=x>y">ссылка</a>', "ссылка"),
        ('<span class="tg-spoiler">тайна</span> <tg-spoiler>ещё</tg-spoiler>', "тайна ещё"),
        ("<pre><code>x = 1 > 0</code></pre>", "x = 1 > 0"),
        ("5 > 3", "5 > 3"),
    ],
)
def test_what_telegram_accepts_is_shown_without_markup(text: str, shown: str) -> None:
    assert plain_text(text) == shown


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("/role <номер участника> curator", 'Unsupported start tag "номер" at byte offset 6'),
        ("a <br> b", 'Unsupported start tag "br"'),
        ("<b>открыт", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 <2", "Unclosed start tag at byte offset 2"),
    ],
)
def test_what_telegram_refuses_is_refused_with_its_words(text: str, error: str) -> None:
    with pytest.raises(TelegramHTMLError, match="can't parse entities") as refused:
        plain_text(text)
    assert error in str(refused.value)


def test_the_length_limit_counts_what_is_shown() -> None:
    check("<b>" + "я" * 4096 + "</b>")  # markup does not count
    with pytest.raises(TelegramHTMLError, match="message is too long"):
        check("я" * 4097)
    with pytest.raises(TelegramHTMLError, match="message caption is too long"):
        check("я" * 1025, caption=True)
    with pytest.raises(TelegramHTMLError, match="message text is empty"):
        check("<b> </b>")
    check("<номер>", html_mode=False)  # without parse_mode the text is taken as it is


def test_a_message_comes_back_as_telegram_stores_it_plain_text_and_entities() -> None:
    """The emulator sends a pressed message back as Telegram does (text without markup, plus
    entities in UTF-16 units), so `Message.html_text` rebuilds the markup for an edit instead
    of showing «&lt;b&gt;»."""
    sent = "<b>Пара №1</b> (&lt;x&gt;)\n😀 <i>к</i> <code>a</code>"
    text, entities = telegram_html.parse(sent)
    assert text == "Пара №1 (<x>)\n😀 к a"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "italic", "offset": 17, "length": 1},
        {"type": "code", "offset": 19, "length": 1},
    ]
    message = Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": entities,
        }
    )
    assert message.html_text == sent
