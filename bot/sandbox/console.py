"""A chat console in the terminal: play several participants, type messages and commands,
press inline buttons by number or label, see edits, receive documents and photos."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.emulator import BotMessage, FakeTelegram
from bot.sandbox.seed import Persona

HELP = """\
Sandbox console: you talk to the real bot as several people at once.
  /as curator            become the curator
  /as mentor Ivanov      become a mentor (by surname, Russian or Latin letters)
  /as mentee Petrova     become a mentee; an unknown name creates a new person
  /who                   who is who
  /press 2               press button 2 of the latest message with buttons
  /press Согласен        press the button whose label contains the text
  /console               this help        (Ctrl+D or EOF quits)
Anything else is sent to the bot as the current person, e.g. /start, /plan, /help.
"""

_TAGS = re.compile(r"<[^>]+>")
_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def latin(text: str) -> str:
    return "".join(_LATIN.get(c, c) for c in text.lower())


def plain(text: str) -> str:
    return html.unescape(_TAGS.sub("", text))


@dataclass
class Console:
    emulator: FakeTelegram
    personas: list[Persona]
    files: Path
    out: TextIO
    current: Persona | None = None
    shown: dict[int, int] = field(default_factory=dict)  # message id -> edits shown
    announced: set[int] = field(default_factory=set)  # others' messages already counted
    _next_id: int = 9001
    _busy: bool = False  # a typed line is being handled: the watcher waits
    # Updates the bot is handling right now (the dispatcher's count; none without a bot).
    in_flight: Callable[[], int] = lambda: 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def find(self, role: str, name: str) -> Persona:
        wanted = latin(name)
        for persona in self.personas:
            surname = persona.name.split()[0]
            if persona.role == role and latin(surname).startswith(wanted):
                return persona
        persona = Persona(role, name, self._next_id)
        self._next_id += 1
        self.personas.append(persona)
        return persona

    def switch(self, words: list[str]) -> None:
        if words and words[0] == "curator":
            self.current = next(p for p in self.personas if p.role == "curator")
        elif len(words) >= 2 and words[0] in ("mentor", "mentee"):
            self.current = self.find(words[0], " ".join(words[1:]))
        else:
            self.say("Usage: /as curator | /as mentor <surname> | /as mentee <surname>")
            return
        self.say(f"— now you are {self.current.name} ({self.current.role}) —")
        self.show(unread=True)

    def who(self) -> None:
        for persona in self.personas:
            mark = "→" if persona is self.current else " "
            self.say(f"{mark} {persona.role:8} {persona.name}")

    def _render(self, message: BotMessage, edited: bool) -> None:
        prefix = "✏ (edited) " if edited else ""
        self.say(f"🤖 {prefix}{plain(message.text)}" if message.text else "🤖")
        if message.document is not None:
            data = self.emulator.files.get(message.document["file_id"])
            if data is not None:
                self.files.mkdir(parents=True, exist_ok=True)
                path = self.files / f"{message.message_id}-{message.document['file_name']}"
                path.write_bytes(data)
                self.say(f"   📎 saved to {path}")
        buttons = message.buttons()
        if buttons:
            self.say("   " + "   ".join(f"[{n}] {b['text']}" for n, b in enumerate(buttons, 1)))

    def show(self, *, unread: bool = False) -> None:
        """Print the current person's new and edited messages; count the others'."""
        others: dict[int, int] = {}
        for message in sorted(self.emulator.messages.values(), key=lambda m: m.message_id):
            seen = self.shown.get(message.message_id)
            if seen == message.edits:
                continue
            if self.current is not None and message.chat_id == self.current.telegram_id:
                self._render(message, edited=seen is not None and not unread)
                self.shown[message.message_id] = message.edits
            elif seen is None and message.message_id not in self.announced:
                self.announced.add(message.message_id)
                others[message.chat_id] = others.get(message.chat_id, 0) + 1
        for chat_id, count in others.items():
            persona = next((p for p in self.personas if p.telegram_id == chat_id), None)
            if persona is not None:
                self.say(f"   📬 {count} new for {persona.name} ({self.switch_hint(persona)})")

    @staticmethod
    def switch_hint(persona: Persona) -> str:
        if persona.role == "curator":
            return "/as curator"
        return f"/as {persona.role} {persona.name.split()[0]}"

    async def press(self, what: str) -> None:
        assert self.current is not None
        mine = [m for m in self.emulator.chat(self.current.telegram_id) if m.buttons()]
        if not mine:
            self.say("No message with buttons.")
            return
        message = mine[-1]
        buttons = message.buttons()
        if what.isdigit() and 1 <= int(what) <= len(buttons):
            label = buttons[int(what) - 1]["text"]
        else:
            label = next((b["text"] for b in buttons if what.lower() in b["text"].lower()), "")
        if not label:
            self.say(f"No button {what!r}.")
            return
        user = self.emulator.user(self.current.telegram_id, self.current.name.split()[-1])
        query_id = await user.press(message, label)
        answer = self.emulator.callback_answers.get(query_id) or {}
        if answer.get("text"):  # what Telegram shows over the chat: an alert or a toast
            kind = "⚠ alert" if str(answer.get("show_alert")).lower() == "true" else "💬 toast"
            self.say(f"   {kind}: {plain(answer['text'])}")

    async def handle(self, line: str) -> None:
        words = line.split()
        if not words:
            return
        if words[0] in ("/console", "/?"):
            self.say(HELP)
            return
        if words[0] == "/who":
            self.who()
            return
        if words[0] == "/as":
            self.switch(words[1:])
            return
        if self.current is None:
            self.say("First choose who you are: /as curator, /as mentee <surname>, /as mentor …")
            return
        if words[0] == "/press":
            await self.press(" ".join(words[1:]))
        else:
            user = self.emulator.user(self.current.telegram_id, self.current.name.split()[-1])
            await user.send(line)
        # A second of quiet: a handler's database work between two replies on a busy machine
        # must not pass for the end of the answer (the next persona would get it instead);
        # and while the bot still handles an update, its reply is still coming.
        await self.emulator.settle(idle=1.0)
        async with asyncio.timeout(60):
            while self.in_flight():
                await asyncio.sleep(0.05)
                await self.emulator.settle(idle=0.3)
        self.show()

    async def watch(self, interval: float = 0.5) -> None:
        """Messages that arrive between typed lines (reminders, others' decisions) are shown
        as they come, not only after the next line."""
        while True:
            await asyncio.sleep(interval)
            if not self._busy:
                self.show()

    async def run(self, lines: AsyncIterator[str]) -> None:
        self.say(HELP)
        watcher = asyncio.create_task(self.watch())
        try:
            async for line in lines:
                self._busy = True
                try:
                    await self.handle(line.strip())
                finally:
                    self._busy = False
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
