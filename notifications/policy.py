"""Who may be told what, when, and how fast: consent, quiet hours, caps, backoff and send pacing.

Quiet hours and the frequency cap are the campaign rules of
`domain.members.campaigns`, applied again at send time: a promotion planned
in the afternoon may be delivered after a retry at night, and a withdrawal of
consent after enqueueing must still stop it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.members.campaigns import FrequencyCap, QuietHours, next_allowed_send
from domain.membership import ContactChannel, Member
from notifications.message import Channel, Notification, Purpose
from notifications.settings import NotificationSettings

CONSENT_CHANNEL = {
    Channel.TELEGRAM: ContactChannel.CHAT,
    Channel.SMS: ContactChannel.SMS,
    Channel.EMAIL: ContactChannel.EMAIL,
}
SAFETY = 1.01  # keep 1% under a provider's limit; Telegram sends already count from their answer (see `RatePacer.sent`)
QUIET_CHANNELS = frozenset({Channel.TELEGRAM, Channel.SMS})  # a mail waits in the inbox; a phone buzzes


@dataclass(frozen=True, slots=True)
class Decision:
    """Send now, wait until `defer_until`, or drop for `reason`."""

    defer_until: datetime | None = None
    drop_reason: str | None = None

    @property
    def send(self) -> bool:
        return self.defer_until is None and self.drop_reason is None


SEND = Decision()


def decide(
    notification: Notification,
    member: Member | None,
    now: datetime,
    settings: NotificationSettings,
    promotions_sent: list[datetime],
) -> Decision:
    """Whether a notification to a member may go out at `now`."""
    if notification.member_id is not None:
        if member is None:
            return Decision(drop_reason="unknown member")
        if not member.consents_to(CONSENT_CHANNEL[notification.channel]):
            return Decision(drop_reason="no consent")
    if notification.purpose is not Purpose.PROMOTION:
        return SEND
    if notification.channel in QUIET_CHANNELS:
        quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        allowed = next_allowed_send(now, quiet, settings.tz_name)
        if allowed > now:
            return Decision(defer_until=allowed)
    if not promotion_cap(settings).allows(promotions_sent, now):
        return Decision(drop_reason="frequency cap")
    return SEND


def promotion_cap(settings: NotificationSettings) -> FrequencyCap:
    return FrequencyCap(settings.promotion_cap_messages, timedelta(days=settings.promotion_cap_days))


def backoff_seconds(attempts: int, settings: NotificationSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: half fixed, half random, so retries of a burst spread out."""
    ceiling = min(settings.backoff_max_seconds, settings.backoff_base_seconds * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def withdraw_consent(
    uow: Any, member_id: str, channel: Channel | ContactChannel, source: str, now: datetime
) -> bool:
    """Withdraw a member's consent for a channel at once, record when and how, and cancel what waits; commits.

    False when the member is unknown or had not consented.
    """
    contact = CONSENT_CHANNEL[channel] if isinstance(channel, Channel) else channel
    member = uow.members.get(member_id)
    change = member.set_consent(contact, False, now, source) if member else None
    outbox_channel = next(c for c, v in CONSENT_CHANNEL.items() if v is contact)
    uow.outbox.cancel_pending(member_id, outbox_channel.value, f"consent withdrawn ({source})")
    if change is not None:
        uow.members.save(member)
        uow.members.record_consent(change)
    uow.commit()
    return change is not None


class SlidingWindow:
    """At most `limit` sends in any `per` seconds (the way Telegram counts)."""

    def __init__(self, limit: int, per: float) -> None:
        self.limit, self.per = limit, per
        self._sent: deque[float] = deque()
        self.paused_until = 0.0
        self.queued = 0  # senders waiting for their turn

    def wait(self, now: float) -> float:
        self._forget(now)
        full = self._sent[0] + self.per - now if len(self._sent) >= self.limit else 0.0
        return max(full, self.paused_until - now, 0.0)

    def expected_wait(self, now: float) -> float:
        """The wait for a sender joining the queue now, behind those already waiting."""
        self._forget(now)
        paused = max(self.paused_until - now, 0.0)
        beyond = len(self._sent) + self.queued - self.limit  # how far past a full window the newcomer is
        if beyond < 0:
            return paused
        if beyond < len(self._sent):
            return max(self._sent[beyond] + self.per - now, paused)
        return max((beyond // self.limit + 1) * self.per, paused)

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.per:
            self._sent.popleft()

    def take(self, now: float) -> float:
        self._sent.append(now)
        return now

    def give_back(self, stamp: float) -> None:
        """An attempt the provider refused before sending does not count."""
        with contextlib.suppress(ValueError):
            self._sent.remove(stamp)

    def restamp(self, stamp: float, now: float) -> None:
        """Count a send from when its answer came back, not from when it left: the provider counts
        arrivals, and a request held up on its way would otherwise let the sends one window later
        reach it inside the same window."""
        with contextlib.suppress(ValueError):
            self._sent.remove(stamp)
            bisect.insort(self._sent, max(stamp, now))


class RatePacer:
    """Waits until a send fits every limit that applies to it (per channel, and per Telegram chat)."""

    def __init__(self, settings: NotificationSettings) -> None:
        self._spread = _spread(settings.telegram_per_second)
        self._overall = {
            Channel.TELEGRAM: SlidingWindow(max(1, round(settings.telegram_per_second)), 1.0 * SAFETY),
            Channel.SMS: _per_second(settings.sms_per_second),
            Channel.EMAIL: _per_second(settings.email_per_second),
        }
        self._chats: dict[str, SlidingWindow] = {}
        self._locks: dict[object, asyncio.Lock] = {}

    def windows(self, channel: Channel, address: str) -> list[SlidingWindow]:
        if channel is not Channel.TELEGRAM:
            return [self._overall[channel]]
        chat = self._chats.get(address)
        if chat is None:
            # Telegram: 1 message a second in a private chat, 20 a minute in a group (negative ids).
            private = not address.startswith("-")
            chat = self._chats[address] = (
                SlidingWindow(1, 1.0 * SAFETY) if private else SlidingWindow(20, 60.0 * SAFETY)
            )
        # The overall window last, so its stamp is the moment the request leaves.
        return [chat, self._spread, self._overall[channel]]

    async def acquire(
        self, channel: Channel, address: str, max_wait: float = 5.0
    ) -> list[tuple[SlidingWindow, float]] | None:
        """Wait for a slot in each window (chat first, channel last) and take it; returns what to give back.

        None, without waiting, when the chat's turn is more than `max_wait` seconds away (twenty alerts to
        one group take a minute): the caller puts the message back instead of holding it while it waits.
        """
        taken = []
        windows = self.windows(channel, address)
        for window in windows:
            if (
                channel is Channel.TELEGRAM
                and window is windows[0]
                and window.expected_wait(time.monotonic()) > max_wait
            ):
                give_back(taken)
                return None
            window.queued += 1
            try:
                async with self._locks.setdefault(id(window), asyncio.Lock()):
                    while (delay := window.wait(time.monotonic())) > 0:
                        await asyncio.sleep(delay)
                    taken.append((window, window.take(time.monotonic())))
            finally:
                window.queued -= 1
        return taken

    def expected_wait(self, channel: Channel, address: str) -> float:
        return max(window.expected_wait(time.monotonic()) for window in self.windows(channel, address))

    def sent(self, channel: Channel, taken: list[tuple[SlidingWindow, float]]) -> None:
        """A send the provider took. Telegram counts arrivals and refuses beyond its window with 429s,
        so its sends count from when their answer came back."""
        if channel is Channel.TELEGRAM:
            restamp(taken)

    def pause(self, channel: Channel, address: str, seconds: float) -> None:
        """Honour a provider's 'retry after': nothing more to that chat until then."""
        window = self.windows(channel, address)[0]
        window.paused_until = max(window.paused_until, time.monotonic() + seconds)


def _spread(rate: float) -> SlidingWindow:
    """A tenth of a second's sends at a time, a little faster than the rate so a late wake-up catches up:
    a whole second's burst would reach the provider in an order of its own and overflow its window."""
    burst = max(1, int(rate // 10))
    return SlidingWindow(burst, burst / (rate * 1.25))


def _per_second(rate: float) -> SlidingWindow:
    # A fractional rate like 0.5/s becomes 1 per 2 s; a large one stays 1 s windows.
    return SlidingWindow(max(1, round(rate)), 1.0) if rate >= 1 else SlidingWindow(1, 1.0 / rate)


def give_back(taken: list[tuple[SlidingWindow, float]]) -> None:
    for window, stamp in taken:
        window.give_back(stamp)


def restamp(taken: list[tuple[SlidingWindow, float]]) -> None:
    now = time.monotonic()
    for window, stamp in taken:
        window.restamp(stamp, now)
