"""Inline-button data: short, parsed in one place, and signed.

A modified client can send any callback data for a message it sees, so each
button carries an HMAC tag; a forged or stale press is refused before any
handler runs (the domain still checks roles on top). Telegram allows 64 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

SEPARATOR = ":"
TAG_LENGTH = 8
MAX_BYTES = 64


@dataclass(slots=True, frozen=True)
class Button:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


class CallbackSigner:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def pack(self, action: str, *args: object) -> str:
        body = SEPARATOR.join([action, *(str(a) for a in args)])
        data = f"{body}{SEPARATOR}{self._tag(body)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    def unpack(self, data: str) -> Button | None:
        """The button, or None when the tag does not match (forged, or signed with an old secret)."""
        body, _, tag = data.rpartition(SEPARATOR)
        if not body or not hmac.compare_digest(tag, self._tag(body)):
            return None
        action, *args = body.split(SEPARATOR)
        return Button(action, tuple(args))

    def _tag(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest)[:TAG_LENGTH].decode()
