"""Failures on purpose: injected errors and delays, and Telegram's send limits as 429s."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus

from .errors import ApiError, too_many_requests

ANY_METHOD = "*"


@dataclass
class Fault:
    """What the next `times` calls of one method (or of every method, '*') suffer."""

    method: str
    status: int | None
    retry_after: int
    times: int
    delay: float = 0.0
    description: str | None = None

    def error(self) -> ApiError | None:
        if self.status is None:
            return None
        if self.status == 429:
            return too_many_requests(self.retry_after)
        description = self.description or HTTPStatus(self.status).phrase
        return ApiError(self.status, description)


@dataclass
class FaultPlan:
    """Faults waiting to happen, consumed in the order they were injected."""

    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take(self, method: str) -> Fault | None:
        """The fault the next call of `method` suffers, if any (one use is spent)."""
        for fault in self.faults:
            if fault.method in (method, ANY_METHOD):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None


@dataclass(frozen=True)
class RateLimits:
    """Telegram's published ceilings: (messages, per seconds)."""

    private_chat: tuple[int, float] = (1, 1.0)
    group_chat: tuple[int, float] = (20, 60.0)
    overall: tuple[int, float] = (30, 1.0)


@dataclass
class SendRecord:
    """One attempted send, kept so a benchmark can count what got through."""

    at: float
    chat_id: int
    method: str
    accepted: bool


class SendLimiter:
    """Sliding windows per chat and overall; refuses a send that would break a ceiling."""

    def __init__(self, limits: RateLimits, enforce: bool) -> None:
        self.limits = limits
        self.enforce = enforce
        self.log: list[SendRecord] = []
        self._per_chat: dict[int, deque[float]] = {}
        self._overall: deque[float] = deque()

    def admit(self, chat_id: int, private: bool, method: str) -> None:
        """Count a send to `chat_id`, or raise a 429 ApiError when enforcing and over a limit."""
        now = time.monotonic()
        chat_window = self._per_chat.setdefault(chat_id, deque())
        chat_limit = self.limits.private_chat if private else self.limits.group_chat
        if self.enforce:
            wait = max(
                _wait_needed(chat_window, chat_limit, now),
                _wait_needed(self._overall, self.limits.overall, now),
            )
            if wait > 0:
                self.log.append(SendRecord(time.time(), chat_id, method, accepted=False))
                raise too_many_requests(max(1, math.ceil(wait)))
        chat_window.append(now)
        self._overall.append(now)
        self.log.append(SendRecord(time.time(), chat_id, method, accepted=True))


def _wait_needed(window: deque[float], limit: tuple[int, float], now: float) -> float:
    count, seconds = limit
    while window and window[0] <= now - seconds:
        window.popleft()
    if len(window) < count:
        return 0.0
    return window[0] + seconds - now
