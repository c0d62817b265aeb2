"""What the rest of the system hands to the outbox: one notification, one channel, one idempotency key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    EMAIL = "email"


class Purpose(StrEnum):
    """ALERT/DIGEST/TRANSACTIONAL reach staff at any hour; PROMOTION reaches members under consent, quiet hours, caps."""

    ALERT = "alert"
    DIGEST = "digest"
    TRANSACTIONAL = "transactional"
    PROMOTION = "promotion"


@dataclass(frozen=True, slots=True)
class OutButton:
    """An inline button: `label` names a template under templates/notifications/buttons/; data is signed at send time."""

    label: str
    action: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notification:
    key: str  # idempotency key: enqueued and delivered at most once per key
    channel: Channel
    address: str  # Telegram chat id (as str), E.164 phone, or email address
    event: str  # template folder under templates/notifications/
    lang: str  # "zh" | "en"
    facts: dict = field(default_factory=dict)  # JSON-serialisable facts for the templates
    purpose: Purpose = Purpose.ALERT
    member_id: str | None = None
    buttons: tuple[tuple[OutButton, ...], ...] = ()  # Telegram inline keyboard
    image: bytes | None = None  # a PNG (digest chart): Telegram photo / inline email image
    edits_key: str | None = None  # Telegram: edit the message earlier sent under this key instead
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notification on its way out: its outbox id, and the message it edits if any."""

    outbox_id: int
    notification: Notification
    edits: tuple[int, int, bool] | None = None  # (chat_id, message_id, was a photo)


@dataclass(frozen=True, slots=True)
class Sent:
    """What the provider told us about an accepted message."""

    provider_ref: str | None = None  # SMS sid, email Message-ID
    chat_id: int | None = None  # Telegram
    message_id: int | None = None
    as_photo: bool = False
    segments: int | None = None  # SMS parts billed


class DeliveryFailed(Exception):
    """The provider did not take the message: retry later, or never (`permanent`).

    `retry_after` is the provider's own wait (Telegram 429, HTTP Retry-After);
    `counted` is False when the refusal did not use up a send of the rate limit.
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None, counted: bool = True
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.counted = counted


class Gateway(Protocol):
    """The one notifier interface every channel's adapter implements."""

    channel: Channel

    async def send(self, outgoing: Outgoing) -> Sent:
        """Deliver or raise DeliveryFailed; any other exception means the outcome is unknown."""
        ...
