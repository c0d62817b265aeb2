"""Who a promotion campaign reaches, on which channel, when, and who is held back to measure it.

The delivery rules are never bent: a member is messaged only on a channel they
consented to, never in quiet hours (the message waits for the morning), at most
`max_messages` promotions in any `per` window, and once per campaign. A
deterministic slice of the would-be recipients is the control group and gets
nothing, so the campaign's effect can be measured against them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import pandas as pd

from domain.members.offers import Offer, money
from domain.members.segments import Segment


class Channel(StrEnum):
    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"


CONSENT_COLUMN = {Channel.CHAT: "consent_chat", Channel.SMS: "consent_sms", Channel.EMAIL: "consent_email"}
DEFAULT_MESSAGE_COSTS = {
    Channel.CHAT: Decimal("0"),
    Channel.SMS: Decimal("0.05"),
    Channel.EMAIL: Decimal("0.002"),
}


class InvalidCampaign(ValueError):
    """The campaign's settings contradict each other; the message says which."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours when no promotion is sent; `start` after `end` wraps past midnight."""

    start: time = time(21, 0)
    end: time = time(9, 0)

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def next_allowed_send(now: datetime, quiet_hours: QuietHours, tz: str | ZoneInfo) -> datetime:
    """`now` if it is outside quiet hours where the member is, else the moment they end (in `tz`)."""
    if now.tzinfo is None:
        raise ValueError("send times must be timezone-aware")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = now.astimezone(zone)
    if not quiet_hours.contains(local.time().replace(tzinfo=None)):
        return local
    day = local.date()
    if quiet_hours.start > quiet_hours.end and local.time() >= quiet_hours.start:
        day += timedelta(days=1)
    return datetime.combine(day, quiet_hours.end, tzinfo=zone)


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most `max_messages` promotions per member in any window of length `per`."""

    max_messages: int = 2
    per: timedelta = timedelta(days=7)

    def allows(self, sent: Iterable[datetime], at: datetime) -> bool:
        """Whether one more message at `at` keeps every `per` window at or under the cap."""
        near = sorted([t for t in sent if abs(t - at) < self.per] + [at])
        return all(
            sum(1 for t in near if start <= t < start + self.per) <= self.max_messages for start in near
        )


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    """Extra targeting on top of segments; empty sets mean no restriction."""

    tiers: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()  # any of the member's top categories
    min_p_buy_90d: float = 0.0
    max_p_buy_90d: float = 1.0

    def keep(self, members: pd.DataFrame) -> pd.Series:
        mask = members["p_buy_90d"].between(self.min_p_buy_90d, self.max_p_buy_90d)
        if self.tiers:
            mask &= members["tier"].isin(self.tiers)
        if self.categories:
            mask &= (
                members["top_categories"]
                .fillna("")
                .str.split("|")
                .map(lambda c: bool(self.categories & set(c)))
            )
        return mask


@dataclass(frozen=True)
class Campaign:
    """A promotion: whom it targets, what it offers, how it is sent and what it may cost."""

    campaign_id: str
    offer: Offer
    segments: frozenset[Segment]
    send_from: datetime
    send_until: datetime
    valid_from: datetime
    valid_until: datetime
    channels: tuple[Channel, ...] = (Channel.CHAT, Channel.SMS, Channel.EMAIL)
    filters: AudienceFilter = field(default_factory=AudienceFilter)
    budget_cap: Decimal | None = None
    control_share: float = 0.10
    message_costs: Mapping[Channel, Decimal] = field(default_factory=lambda: dict(DEFAULT_MESSAGE_COSTS))
    redemption_given_purchase: float = 0.3
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    frequency_cap: FrequencyCap = field(default_factory=FrequencyCap)
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if not self.segments or not self.channels:
            raise InvalidCampaign("a campaign needs at least one segment and one channel")
        if self.send_from >= self.send_until or self.valid_from >= self.valid_until:
            raise InvalidCampaign("send and validity windows must end after they start")
        if self.send_from > self.valid_until:
            raise InvalidCampaign("sending starts after the offer has expired")
        if not 0.0 <= self.control_share < 1.0:
            raise InvalidCampaign("the control share must be in [0, 1)")
        if self.budget_cap is not None and self.budget_cap <= 0:
            raise InvalidCampaign("a budget cap must be positive")

    @property
    def horizon_column(self) -> str:
        """The purchase probability that matches how long the offer is valid."""
        return "p_buy_30d" if self.valid_until - self.valid_from <= timedelta(days=30) else "p_buy_90d"


def in_control_group(campaign_id: str, member_id: str, share: float) -> bool:
    """Deterministic, uniform hold-out: the same member is always in or out for a campaign."""
    digest = hashlib.sha256(f"{campaign_id}\x1f{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


@dataclass(frozen=True, slots=True)
class Contact:
    """A promotion sent (or scheduled) to a member: what the frequency cap and de-duplication read."""

    member_id: str
    campaign_id: str
    channel: Channel
    sent_at: datetime


class SkipReason(StrEnum):
    NO_CONSENT = "no_consent"
    ALREADY_CONTACTED = "already_contacted"
    FREQUENCY_CAP = "frequency_cap"
    SEND_WINDOW_CLOSED = "send_window_closed"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One promotion to send: to whom, how, when, and what it is expected to cost."""

    member_id: str
    segment: str
    channel: Channel
    send_at: datetime
    p_redeem: float
    expected_discount: Decimal
    message_cost: Decimal

    @property
    def expected_cost(self) -> Decimal:
        return money(Decimal(str(self.p_redeem)) * self.expected_discount + self.message_cost)


@dataclass(frozen=True)
class Audience:
    """Treatment deliveries, the control group (never contacted) and the skipped, with why."""

    campaign_id: str
    deliveries: tuple[Delivery, ...]
    control: tuple[str, ...]
    skipped: Mapping[str, SkipReason]

    def by_channel(self) -> dict[Channel, list[str]]:
        grouped: dict[Channel, list[str]] = defaultdict(list)
        for delivery in self.deliveries:
            grouped[delivery.channel].append(delivery.member_id)
        return dict(grouped)

    def contacts(self) -> list[Contact]:
        """What to append to the contact history once the deliveries are queued."""
        return [Contact(d.member_id, self.campaign_id, d.channel, d.send_at) for d in self.deliveries]
