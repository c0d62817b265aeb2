"""Members, their points ledger and their consent per channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ContactChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    CHAT = "chat"


class PointsKind(StrEnum):
    OPENING = "opening"
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


@dataclass(slots=True, frozen=True)
class PointsEntry:
    member_id: str
    at: datetime
    kind: PointsKind
    points: int
    reference: str
    expires_on: date | None = None


@dataclass(slots=True, frozen=True)
class ConsentChange:
    """Consent given or withdrawn, kept with when and through what, as evidence."""

    member_id: str
    channel: ContactChannel
    granted: bool
    at: datetime
    source: str


@dataclass(slots=True)
class Member:
    member_id: str
    name: str
    phone: str | None
    email: str | None
    telegram_user_id: int | None
    joined_on: date
    tier: str
    consent: dict[ContactChannel, bool] = field(default_factory=dict)
    language: str | None = None

    def consents_to(self, channel: ContactChannel) -> bool:
        return self.consent.get(channel, False)

    def set_consent(self, channel: ContactChannel, granted: bool, at: datetime, source: str) -> ConsentChange | None:
        if self.consent.get(channel, False) == granted:
            return None
        self.consent[channel] = granted
        return ConsentChange(self.member_id, channel, granted, at, source)


def mask_phone(phone: str | None) -> str:
    """Enough digits for staff to recognise a member, not enough to call them."""
    if not phone:
        return ""
    digits = phone.strip()
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    user, domain = email.split("@", 1)
    return f"{user[:1]}***@{domain}"
