"""What the rest of the system hands to the outbox: one notification, one channel, one idempotency key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
