"""One Bot API request as the method handlers see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .faults import SendLimiter
from .params import Params
from .state import BotAccount, SandboxState


@dataclass
class Call:
    """One Bot API request: who calls, with what, against which world."""

    state: SandboxState
    limiter: SendLimiter
    bot: BotAccount
    params: Params


Handler = Callable[[Call], Awaitable[Any]]
