"""Bot API calls as JSON bodies instead of url-encoded forms.

aiogram's aiohttp session sends every call as a form, and aiohttp percent-encodes a form in
Python, byte by byte: a Cyrillic text becomes six bytes a letter, and a consent document or
/help (2,000–3,000 characters) costs about 0.2 ms of CPU a call to encode — as much as the rest
of the request (benchmarks/README.md, issue 18). Telegram's Bot API server reads a JSON
body's string values exactly as the same form fields (tdlib's HttpReader: a string value is
taken as the parameter, anything else as its JSON text), so the body here is a JSON object of
the very strings aiogram's form would carry (`prepare_value`: numbers, flags and keyboards
already as JSON text). A call with a file keeps aiogram's multipart form.
"""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile
from aiohttp import BytesPayload, FormData


class JsonBodySession(AiohttpSession):
    def build_form_data(self, bot: Bot, method: TelegramMethod[Any]) -> FormData:
        files: dict[str, InputFile] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # aiogram's form leaves out what is empty, so does the body
                fields[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        body = json.dumps(fields, ensure_ascii=False).encode()
        # aiohttp posts any payload as `data`; aiogram's signature names the form it builds.
        return BytesPayload(body, content_type="application/json")  # type: ignore[return-value]
