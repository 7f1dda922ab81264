"""What keeps the web app's forms safe: the headers on every response, form tokens against
cross-site request forgery, and a limit on form posts.

Form tokens are stateless HMACs, with no cookie: a form carries
``<issued>.<nonce>.<mac>``, where the MAC (keyed by the secret key, under its own label)
covers what the form acts on (say ``sign:<link token>``), the moment the form was issued
(seconds since 1970) and a random nonce. A post is accepted only with a token made for the
same thing in the last `FORM_HOURS`. Another site cannot make one: it knows neither the key
nor, for the personal pages, the link token, which only the person's own mail carries. A
form token is no replay guard; the actions are (a second sign-on, withdrawal or
unsubscribe changes nothing).

Posts are counted per client address and per link token over the last minute, in memory
(one process); past `[web] posts_per_minute` either way, a post is refused with 429
(one-click unsubscribes count per token only: `outreach.web.unsubscribing`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
FORM_HOURS = 12
RATE_WINDOW_SECONDS = 60.0


class SecurityHeaders:
    """ASGI middleware: every response carries `SECURITY_HEADERS` (and is not cached, since
    pages behind personal links are personal)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(name.encode(), value.encode())
                            for name, value in SECURITY_HEADERS.items()]
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class FormTokens:
    """Issues and checks the token each form carries (see the module's docstring)."""

    def __init__(self, secret_key: bytes) -> None:
        self.key = hmac.new(secret_key, b"outreach web form tokens", hashlib.sha256).digest()

    def _mac(self, acts_on: str, issued: int, nonce: str) -> str:
        digest = hmac.new(self.key, f"{acts_on}\0{issued}\0{nonce}".encode(),
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def issue(self, acts_on: str, now: datetime) -> str:
        issued = int(now.timestamp())
        nonce = secrets.token_urlsafe(9)
        return f"{issued}.{nonce}.{self._mac(acts_on, issued, nonce)}"

    def check(self, token: str, acts_on: str, now: datetime) -> bool:
        issued_text, _, rest = token.partition(".")
        nonce, _, mac = rest.partition(".")
        if not issued_text.isdigit() or not nonce or not mac:
            return False
        issued = int(issued_text)
        if not 0 <= now.timestamp() - issued <= FORM_HOURS * 3600:
            return False
        return hmac.compare_digest(mac, self._mac(acts_on, issued, nonce))


class PostLimit:
    """At most `per_minute` posts in any minute for each key (a client address, a token)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._posts: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, keys: Iterable[str], now: datetime) -> bool:
        """Count a post under every key; False (and nothing counted) when one is over."""
        moment = now.timestamp()
        with self._lock:
            windows = [self._posts[key] for key in keys]
            for window in windows:
                while window and window[0] <= moment - RATE_WINDOW_SECONDS:
                    window.popleft()
            if any(len(window) >= self.per_minute for window in windows):
                return False
            for window in windows:
                window.append(moment)
            self._forget_idle(moment)
            return True

    def _forget_idle(self, moment: float) -> None:
        """Drop keys with no post in the window, so memory follows current traffic."""
        if len(self._posts) < 10_000:
            return
        for key in [k for k, window in self._posts.items()
                    if not window or window[-1] <= moment - RATE_WINDOW_SECONDS]:
            del self._posts[key]
