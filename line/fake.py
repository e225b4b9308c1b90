"""A local stand-in for the LINE platform, for tests and the demo: never the internet.

- The Messaging API (`/v2/bot/message/push`, `/v2/bot/message/reply`): it checks the bearer
  token and the request bodies as LINE does (user IDs, 1–5 text messages, quick replies, retry
  keys, one use per reply token), records what was accepted, and can be made slow, hanging or
  failing.
- The citizen's side: `message_event`/`postback_event` build a webhook body signed with the
  channel secret, as LINE sends them; for the demo, `/oaMessage/{basic_id}/?text` is the chat
  the status page's button opens (send the prepared message to the app's webhook), and `/chat`
  shows what the OA sent.

The SDK is pointed here with `SADUAK_LINE_API_URL` and the chat link with `SADUAK_LINE_CHAT_URL`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# An API answer: status, JSON body, extra headers.
Answer = tuple[int, dict[str, Any], dict[str, str]]
USER_ID = re.compile(r"^U[0-9a-f]{32}$")
DEMO_USER = "U" + "d" * 32
# The demo office's account on the fake (`saduak demo --line-fake`): not secrets of anything real.
DEMO_SECRET = "0d" * 16
DEMO_TOKEN = "demo-line-access-token-" + "0" * 24
DEMO_BASIC_ID = "@saduak-demo"
MAX_TEXT = 5000
MAX_LABEL = 20


def signature(secret: str, body: bytes) -> str:
    """X-Line-Signature: base64 of the body's HMAC-SHA256 under the channel secret."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def new_user_id() -> str:
    return "U" + secrets.token_hex(16)


@dataclass
class Sent:
    """One accepted push or reply."""

    kind: str  # "push" | "reply"
    to: str
    messages: list[dict[str, Any]]
    retry_key: str | None = None

    @property
    def texts(self) -> list[str]:
        return [str(m.get("text", "")) for m in self.messages]


@dataclass
class FakeLine:
    """The fake platform's state; `FakeLineServer` serves it over HTTP."""

    access_token: str
    channel_secret: str
    destination: str = "U" + "0" * 32
    sent: list[Sent] = field(default_factory=list)
    # Every API request that reached the server, accepted or not: (path, status).
    requests: list[tuple[str, int]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    # Behaviour: fail the next N requests with `fail_status`; hold requests while `hanging`;
    # answer after `delay` seconds.
    fail_next: int = 0
    fail_status: int = 500
    delay: float = 0.0
    hanging: bool = False
    # Reply tokens handed out with webhook events -> the user they reply to (one use each).
    reply_tokens: dict[str, str] = field(default_factory=dict)
    retry_keys: dict[str, str] = field(default_factory=dict)
    # Where /oaMessage sends the citizen's message (the app's webhook URL), for the demo.
    webhook_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    held: int = 0

    # ------------------------------------------------------------ behaviour

    def hang(self) -> None:
        with self.lock:
            self.hanging = True
            self._release.clear()

    def release(self) -> None:
        with self.lock:
            self.hanging = False
            self._release.set()

    def pushes(self, to: str | None = None) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.kind == "push" and (to is None or s.to == to)]

    def replies(self, to: str | None = None) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.kind == "reply" and (to is None or s.to == to)]

    def attempts(self, path: str) -> int:
        with self.lock:
            return sum(1 for p, _ in self.requests if p == path)

    # ------------------------------------------------------------ what the citizen sends

    def _event(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        token = secrets.token_hex(16)
        with self.lock:
            self.reply_tokens[token] = user_id
        return {
            "replyToken": token,
            "timestamp": int(time.time() * 1000),
            "mode": "active",
            "webhookEventId": "01" + secrets.token_hex(12).upper(),
            "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": user_id},
            **body,
        }

    def webhook(self, events: list[dict[str, Any]], secret: str | None = None) -> tuple[bytes, str]:
        body = json.dumps(
            {"destination": self.destination, "events": events}, ensure_ascii=False
        ).encode()
        return body, signature(secret or self.channel_secret, body)

    def message_event(self, user_id: str, text: str) -> dict[str, Any]:
        return self._event(
            user_id,
            {
                "type": "message",
                "message": {
                    "type": "text",
                    "id": str(secrets.randbelow(10**17)),
                    "quoteToken": secrets.token_hex(8),
                    "text": text,
                },
            },
        )

    def postback_event(self, user_id: str, data: str) -> dict[str, Any]:
        return self._event(user_id, {"type": "postback", "postback": {"data": data}})

    # ------------------------------------------------------------ the API

    def handle_api(self, path: str, headers: Any, raw: bytes) -> Answer:
        if headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._answer(path, 401, {"message": "Authentication failed"})
        if self.hanging:
            with self.lock:
                self.held += 1
            released = self._release.wait(timeout=60)
            with self.lock:
                self.held -= 1
            if not released:
                return self._answer(path, 504, {"message": "held"})
            # The client gave up long ago; this answer is never read.
            return self._answer(path, 503, {"message": "was held"})
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                status = self.fail_status
                self.requests.append((path, status))
                return status, {"message": "fake failure"}, {}
        try:
            body = json.loads(raw)
        except ValueError:
            return self._reject(path, "The request body has 1 error(s)")
        problem = _check_messages(body.get("messages"))
        if problem:
            return self._reject(path, problem)
        if path == "/v2/bot/message/push":
            return self._push(path, headers, body)
        if path == "/v2/bot/message/reply":
            return self._reply(path, body)
        return self._answer(path, 404, {"message": "Not found"})

    def _push(self, path: str, headers: Any, body: dict[str, Any]) -> Answer:
        to = body.get("to")
        if not isinstance(to, str) or not USER_ID.match(to):
            return self._reject(path, "The property, 'to', in the request body is invalid")
        key = headers.get("X-Line-Retry-Key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return self._reject(path, "The retry key is not a UUID")
        with self.lock:
            if key is not None and key in self.retry_keys:
                request_id = self.retry_keys[key]
                self.requests.append((path, 409))
                return (
                    409,
                    {"message": "The retry key is already accepted"},
                    {"x-line-accepted-request-id": request_id},
                )
            if key is not None:
                self.retry_keys[key] = secrets.token_hex(8)
            self.sent.append(Sent("push", to, body["messages"], key))
            self.requests.append((path, 200))
        return 200, _sent_messages(body["messages"]), {}

    def _reply(self, path: str, body: dict[str, Any]) -> Answer:
        token = body.get("replyToken")
        with self.lock:
            to = self.reply_tokens.pop(token, None) if isinstance(token, str) else None
            if to is None:
                self.rejected.append("Invalid reply token")
                self.requests.append((path, 400))
                return 400, {"message": "Invalid reply token"}, {}
            self.sent.append(Sent("reply", to, body["messages"]))
            self.requests.append((path, 200))
        return 200, _sent_messages(body["messages"]), {}

    def _answer(self, path: str, status: int, body: dict[str, Any]) -> Answer:
        with self.lock:
            self.requests.append((path, status))
        return status, body, {}

    def _reject(self, path: str, message: str) -> Answer:
        with self.lock:
            self.rejected.append(message)
        return self._answer(path, 400, {"message": message})

    # ------------------------------------------------------------ the demo's chat

    def send_to_webhook(self, user_id: str, text: str) -> int:
        body, sig = self.webhook([self.message_event(user_id, text)])
        request = urllib.request.Request(  # noqa: S310  (the app's own webhook, set by the demo)
            self.webhook_url,
            data=body,
            headers={"Content-Type": "application/json", "X-Line-Signature": sig},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return int(answer.status)


def _check_messages(messages: Any) -> str | None:
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return "Size must be between 1 and 5"
    for message in messages:
        if not isinstance(message, dict) or message.get("type") != "text":
            return "The message type is not supported by this fake"
        text = message.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return "The text must be 1 to 5000 characters"
        quick = message.get("quickReply")
        if quick is not None:
            items = quick.get("items") if isinstance(quick, dict) else None
            if not isinstance(items, list) or not 1 <= len(items) <= 13:
                return "quickReply.items must have 1 to 13 items"
            for item in items:
                action = item.get("action") if isinstance(item, dict) else None
                if not isinstance(action, dict) or action.get("type") not in (
                    "postback",
                    "message",
                ):
                    return "quickReply action is not valid"
                label = action.get("label")
                if not isinstance(label, str) or not 1 <= len(label) <= MAX_LABEL:
                    return "quickReply label must be 1 to 20 characters"
    return None


def _sent_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sentMessages": [
            {"id": str(secrets.randbelow(10**17)), "quoteToken": secrets.token_hex(8)}
            for _ in messages
        ]
    }


class _Handler(BaseHTTPRequestHandler):
    server: FakeLineServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        # The client may have given up (a hung request it timed out on).
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        fake = self.server.fake
        if path == "/chat/send":
            form = parse_qs(raw.decode())
            text = form.get("text", [""])[0]
            if text and fake.webhook_url:
                fake.send_to_webhook(DEMO_USER, text)
            self._send(303, b"", "text/plain", {"Location": "/chat"})
            return
        status, body, headers = fake.handle_api(path, self.headers, raw)
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        fake = self.server.fake
        if parts.path.startswith("/oaMessage/"):
            text = unquote(parts.query)
            self._send(200, _chat_page(fake, text).encode(), "text/html; charset=utf-8", {})
        elif parts.path == "/chat":
            self._send(200, _chat_page(fake, "").encode(), "text/html; charset=utf-8", {})
        else:
            self._send(404, b"{}", "application/json", {})


def _chat_page(fake: FakeLine, prepared: str) -> str:
    rows = "".join(
        f'<p class="{s.kind}"><b>OA</b> {html.escape(" / ".join(s.texts))}</p>'
        for s in fake.sent
        if s.to == DEMO_USER
    )
    return (
        '<!doctype html><html lang="th"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<title>LINE (fake)</title><link rel="icon" href="data:,">'
        '<body style="font-family:sans-serif;max-width:30em;margin:auto">'
        "<h1>LINE (จำลอง / fake)</h1>"
        f"{rows}"
        '<form method="post" action="/chat/send">'
        '<textarea name="text" rows="3" style="width:100%;box-sizing:border-box">'
        f"{html.escape(prepared)}</textarea>"
        '<button type="submit">ส่ง / Send</button></form></body></html>'
    )


class FakeLineServer(ThreadingHTTPServer):
    """The fake on 127.0.0.1 (a free port unless given), in a thread of its own."""

    daemon_threads = True

    def __init__(self, fake: FakeLine, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeLineServer:
        # A short poll: stopping waits for it, and every LINE test stops a fake.
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="fake-line", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.fake.release()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
