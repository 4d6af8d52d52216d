"""A Telegram Bot API emulator on 127.0.0.1 (aiohttp): the end-to-end tests and the sandbox
(`python -m bot sandbox`) both run the real bot against it, never against Telegram.

The bot polls it through TELEGRAM_API_URL. Simulated users (`FakeUser`) send messages and press
the inline buttons the bot really sent; the server keeps every chat's messages as Telegram would
(edits change them in place), keeps uploaded files, and can misbehave as Telegram does: injected
failures (429, 403, 5xx, calls that hang past the client's timeout), random chaos on every
method, and Telegram's flood limits (30 messages a second overall, one a second per chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, web

from bot import telegram_html

BOT_ID = 123456
BOT_TOKEN = f"{BOT_ID}:TEST-e2e-token-abcdefgh"
BOT_INFO = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Наставник",
    "username": "nastavnik_e2e_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class BotMessage:
    """A message the bot sent, as it stands now (after any edits)."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    edits: int = 0

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def as_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private"},
            "from": {k: BOT_INFO[k] for k in ("id", "is_bot", "first_name", "username")},
        }
        # As Telegram sends a message back: the text without the markup, plus its entities
        # (the bot sends everything with parse_mode HTML), so `html_text` rebuilds the markup.
        try:
            text, entities = telegram_html.parse(self.text)
        except telegram_html.TelegramHTMLError:
            text, entities = self.text, []
        field = "caption" if self.document is not None else "text"
        if self.document is not None:
            payload["document"] = self.document
        if text or field == "text":
            payload[field] = text
            if entities:
                payload["entities" if field == "text" else "caption_entities"] = entities
        if self.reply_markup:
            payload["reply_markup"] = self.reply_markup
        return payload


@dataclass
class Fault:
    """Fail the next matching call(s) with this Telegram error. `method` "*" matches every
    method but getUpdates. With `hang` the server first sits on the request that long without
    doing anything (a client with a shorter timeout sees a timeout)."""

    method: str
    status: int
    description: str
    chat_id: int | None = None
    retry_after: int | None = None
    times: int = 1
    hang: float = 0.0


def timeout_fault(
    method: str = "*", hang: float = 3.0, times: int = 1, chat_id: int | None = None
) -> Fault:
    return Fault(method, 504, "Gateway Timeout", chat_id=chat_id, hang=hang, times=times)


@dataclass
class Chaos:
    """Each call but getUpdates fails with probability `rate`: 429, 5xx or a hang, at random
    (seeded, so a failing run can be replayed). The failed call is not carried out."""

    rate: float
    seed: int = 0
    hang: float = 3.0
    retry_after: int = 1
    chaotic: int = 0  # how many calls it failed

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def pick(self, method: str) -> Fault | None:
        if method in {"getupdates", "getme"} or self._random.random() >= self.rate:
            return None
        self.chaotic += 1
        kind = self._random.choice(("429", "500", "502", "hang"))
        if kind == "429":
            return Fault(method, 429, "Too Many Requests", retry_after=self.retry_after)
        if kind == "hang":
            return timeout_fault(method, self.hang)
        return Fault(method, int(kind), "Internal Server Error" if kind == "500" else "Bad Gateway")


@dataclass
class FloodLimits:
    """Telegram's limits on sending: at most `per_second` messages in any second overall and one
    per `per_chat` seconds in a chat; over them, 429 with the seconds to wait."""

    per_second: int = 30
    per_chat: float = 1.0
    refused: int = 0
    _recent: list[float] = field(default_factory=list)  # times of the last accepted sends
    _last_in_chat: dict[int, float] = field(default_factory=dict)

    def check(self, chat_id: int, now: float) -> int | None:
        """None if this send may go now (and counts it), else seconds to wait."""
        self._recent = [t for t in self._recent if t > now - 1.0]
        waits = []
        if len(self._recent) >= self.per_second:
            waits.append(self._recent[0] + 1.0 - now)
        last = self._last_in_chat.get(chat_id)
        if last is not None and now - last < self.per_chat:
            waits.append(last + self.per_chat - now)
        if waits:
            self.refused += 1
            return max(1, math.ceil(max(waits)))
        self._recent.append(now)
        self._last_in_chat[chat_id] = now
        return None


@dataclass
class FakeTelegram:
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    messages: dict[int, BotMessage] = field(default_factory=dict)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # uploaded documents by file_id
    chaos: Chaos | None = None
    flood: FloodLimits | None = None
    record_calls: bool = True  # a benchmark sending 10,000 messages may not want the list
    pushed: list[dict[str, Any]] = field(default_factory=list)  # updates sent, in order
    first_update_id: int = 1  # a new server on an old database must not reuse update ids
    # Texts refused because Telegram's HTML parser could not read them (a bug in the bot).
    unparsable: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        # The messages of each chat, in order: a user waiting for a reply looks at their own
        # chat only (scanning every message for each of 50 waiting users after each call made
        # the benchmark's own process the bottleneck of benchmarks/latency.py).
        self._chats: dict[int, list[BotMessage]] = {}
        self._update_ids = itertools.count(self.first_update_id)
        self._message_ids = itertools.count(1)
        self.user_event_ids = itertools.count(1)  # users' message ids and callback query ids
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.polling = asyncio.Event()
        self._closing = asyncio.Event()
        self._confirmed = 0  # the highest offset the bot has confirmed
        self.webhook: tuple[str, str | None] | None = None  # (url, secret) after setWebhook
        self.webhook_deliveries: list[int] = []  # HTTP statuses the bot's webhook answered
        self._client: Any = None
        self._last_call = 0.0  # loop time of the bot's last call other than getUpdates

    # --- server lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started

    async def stop(self) -> None:
        self._closing.set()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- what users do ----------------------------------------------------------------

    async def push_update(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        if self.record_calls:
            self.pushed.append(update)
        if self.webhook is not None:
            await self._post(update)
            return
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def give_back(self, update: dict[str, Any]) -> None:
        """The bot died before its confirmation of this update reached Telegram: Telegram
        delivers it again, with its id, on the next getUpdates (a crash loop's start)."""
        async with self._changed:
            self._updates = [dict(update), *self._updates]
            self._confirmed = min(self._confirmed, update["update_id"])
            self._changed.notify_all()

    async def _post(self, update: dict[str, Any]) -> None:
        """Deliver to the bot's webhook as Telegram does (with its secret); retry briefly."""
        if self._client is None:
            self._client = ClientSession()
        url, secret = self.webhook  # type: ignore[misc]  # set before any update is posted
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        for _attempt in range(20):
            try:
                async with self._client.post(url, json=update, headers=headers) as response:
                    self.webhook_deliveries.append(response.status)
                    if response.status < 500:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.25)

    def user(self, user_id: int, first_name: str = "Тест", language_code: str = "ru") -> FakeUser:
        return FakeUser(self, user_id, first_name, language_code)

    def chat(self, chat_id: int) -> list[BotMessage]:
        return list(self._chats.get(chat_id, ()))

    async def settle(self, idle: float = 0.3, timeout: float = 15) -> None:
        """Wait until the bot has taken every update and made no call for `idle` seconds."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            while True:
                async with self._changed:
                    pending = [u for u in self._updates if u["update_id"] >= self._confirmed]
                quiet = loop.time() - self._last_call
                if not pending and quiet >= idle:
                    return
                await asyncio.sleep(max(0.05, idle - quiet) if not pending else 0.05)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15) -> Any:
        async with asyncio.timeout(timeout):
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

    # --- the Bot API ------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != BOT_TOKEN:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"].lower()
        params = await self._params(request)
        if self.record_calls:
            self.calls.append((method, params))
        loop = asyncio.get_running_loop()
        if method != "getupdates":
            self._last_call = loop.time()
        fault = self._fault_for(method, params) or (self.chaos.pick(method) if self.chaos else None)
        if fault is not None:
            if fault.hang:
                with contextlib.suppress(TimeoutError):  # a hang ends early when the server stops
                    await asyncio.wait_for(self._closing.wait(), fault.hang)
            return self._error(fault.status, fault.description, fault.retry_after)
        chat_id = params.get("chat_id")
        if self.flood is not None and method.startswith("send") and chat_id is not None:
            wait = self.flood.check(int(chat_id), loop.time())
            if wait is not None:
                return self._error(429, f"Too Many Requests: retry after {wait}", wait)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        if chat_id is not None and int(chat_id) in self.blocked and method.startswith("send"):
            return self._error(403, "Forbidden: bot was blocked by the user")
        try:
            result = await handler(params)
        except LookupError as error:
            return self._error(400, f"Bad Request: {error.args[0]}")
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"file_name": value.filename, "content": value.file.read()}
            else:
                params[key] = value
        return params

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            chat = params.get("chat_id")
            wildcard = fault.method == "*" and method != "getupdates"
            if (wildcard or fault.method.lower() == method) and (
                fault.chat_id is None or (chat is not None and int(chat) == fault.chat_id)
            ):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            payload["parameters"] = {"retry_after": retry_after}
        return web.json_response(payload, status=status)

    @staticmethod
    def _json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_INFO

    async def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = (params["url"], params.get("secret_token"))
        self.polling.set()  # the bot is ready to receive
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        self.commands.append(
            {
                "commands": self._json(params["commands"]),
                "scope": self._json(params.get("scope")),
                "language_code": params.get("language_code"),
            }
        )
        return True

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        scope = self._json(params.get("scope"))
        language = params.get("language_code")
        self.commands = [
            c for c in self.commands if (c["scope"], c["language_code"]) != (scope, language)
        ]
        return True

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise LookupError("Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._confirmed = max(self._confirmed, offset)
        self.polling.set()
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                try:
                    async with asyncio.timeout(timeout):
                        while not self._updates:
                            await self._changed.wait()
                except TimeoutError:
                    pass
            return list(self._updates[: int(params.get("limit") or 100)])

    def _store(self, chat_id: int, text: str, markup: Any, document: Any = None) -> BotMessage:
        message = BotMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            text=text,
            reply_markup=self._json(markup),
            document=document,
        )
        self.messages[message.message_id] = message
        self._chats.setdefault(chat_id, []).append(message)
        return message

    async def _api_getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise LookupError("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """A file a user sent, as Telegram serves it at /file/bot<token>/<file_path>."""
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if request.match_info["token"] != BOT_TOKEN or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        self._check_text(params, text)
        message = self._store(int(params["chat_id"]), text, params.get("reply_markup"))
        return message.as_json()

    async def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params["document"]
        if isinstance(upload, str) and upload.startswith("attach://"):
            upload = params[upload.removeprefix("attach://")]
        file_id = f"doc-{len(self.messages)}"
        if isinstance(upload, dict):  # a new upload
            name = upload["file_name"]
            self.files[file_id] = upload["content"]
        else:  # a file_id sent again
            name, file_id = "document", str(upload)
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name}
        caption = params.get("caption") or ""
        self._check_text(params, caption, caption=True)
        chat_id = int(params["chat_id"])
        return self._store(chat_id, caption, params.get("reply_markup"), document).as_json()

    async def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params["photo"]
        if isinstance(upload, str) and upload.startswith("attach://"):
            upload = params[upload.removeprefix("attach://")]
        file_id = f"photo-{len(self.messages)}"
        if isinstance(upload, dict):
            self.files[file_id] = upload["content"]
        else:
            file_id = str(upload)
        photo = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": "photo.jpg"}
        caption = params.get("caption") or ""
        self._check_text(params, caption, caption=True)
        chat_id = int(params["chat_id"])
        return self._store(chat_id, caption, params.get("reply_markup"), photo).as_json()

    def _check_text(self, params: dict[str, Any], text: str, *, caption: bool = False) -> None:
        """Refuse, with Telegram's own description, what Telegram refuses."""
        try:
            telegram_html.check(text, caption=caption, html_mode=params.get("parse_mode") == "HTML")
        except telegram_html.TelegramHTMLError as error:
            if "parse entities" in str(error):
                self.unparsable.append(f"{error}: {text[:300]!r}")
            raise LookupError(str(error)) from None

    def _edited(self, params: dict[str, Any]) -> BotMessage:
        message = self.messages.get(int(params.get("message_id") or 0))
        if message is None or message.chat_id != int(params["chat_id"]):
            raise LookupError("message to edit not found")
        return message

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        self._check_text(params, params.get("text") or "")
        markup = self._json(params.get("reply_markup"))
        if message.text == params["text"] and message.reply_markup == markup:
            raise LookupError("message is not modified")
        message.text, message.reply_markup = params["text"], markup
        message.edits += 1
        return message.as_json()

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._edited(params)
        markup = self._json(params.get("reply_markup"))
        if message.reply_markup == markup:
            raise LookupError("message is not modified")
        message.reply_markup = markup
        message.edits += 1
        return message.as_json()

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        if params["callback_query_id"] in self.callback_answers:  # as Telegram: once only
            raise LookupError(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers[params["callback_query_id"]] = params
        return True


@dataclass
class FakeUser:
    """A person in a private chat with the bot."""

    server: FakeTelegram
    user_id: int
    first_name: str
    language_code: str
    seen: int = 0  # message ids up to this one have been read

    def _from(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    async def send(self, text: str) -> None:
        message: dict[str, Any] = {
            "message_id": 10_000_000 + next(self.server.user_event_ids),
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private"},
            "from": self._from(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self.server.push_update({"message": message})

    async def send_document(self, data: bytes, file_name: str) -> None:
        """A file sent to the bot (the bot downloads it with getFile)."""
        number = next(self.server.user_event_ids)
        file_id = f"up-{number}"
        self.server.files[file_id] = data
        await self.server.push_update(
            {
                "message": {
                    "message_id": 10_000_000 + number,
                    "date": int(time.time()),
                    "chat": {"id": self.user_id, "type": "private"},
                    "from": self._from(),
                    "document": {
                        "file_id": file_id,
                        "file_unique_id": f"u-{file_id}",
                        "file_name": file_name,
                        "file_size": len(data),
                    },
                }
            }
        )

    async def expect(self, fragment: str, timeout: float = 15) -> BotMessage:
        """The next new message (after the last one read) whose text contains `fragment`."""

        def found() -> BotMessage | None:
            for message in self.server.chat(self.user_id):
                if message.message_id > self.seen and fragment in message.text:
                    return message
            return None

        try:
            message: BotMessage = await self.server.wait_for(found, timeout)
        except TimeoutError:
            recent = [m.text[:80] for m in self.server.chat(self.user_id)[-5:]]
            raise AssertionError(f"{self.user_id} never got {fragment!r}; last: {recent}") from None
        self.seen = message.message_id
        return message

    async def tap(self, message: BotMessage, label: str) -> str:
        """Press the button containing `label` on the message as it is now, without waiting for
        the bot's answer; returns the callback query id."""
        matching = [b for b in message.buttons() if label in b["text"]]
        if not matching:
            labels = [button["text"] for button in message.buttons()]
            raise AssertionError(f"no button {label!r} on message {message.message_id}: {labels}")
        query_id = f"q{next(self.server.user_event_ids)}-{self.user_id}"
        await self.server.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._from(),
                    "chat_instance": str(self.user_id),
                    "message": message.as_json(),
                    "data": matching[0]["callback_data"],
                }
            }
        )
        return query_id

    async def press(self, message: BotMessage, label: str) -> str:
        """Press the button and wait until the bot has answered the press."""
        query_id = await self.tap(message, label)
        await self.server.wait_for(lambda: query_id in self.server.callback_answers)
        return query_id

    async def expect_and_press(self, fragment: str, label: str) -> BotMessage:
        message = await self.expect(fragment)
        await self.press(message, label)
        return message
