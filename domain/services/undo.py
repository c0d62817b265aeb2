"""/undo: reverse a person's latest action while that is still safe.

Each kind of action that can be undone registers a function here; it either
reverses the action (and commits) and returns what to tell the person, or
raises a DomainError saying why it can no longer be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import DomainError
from domain.staff import StaffMember


@dataclass(slots=True, frozen=True)
class Undone:
    template: str  # bot template saying what was reversed
    facts: dict[str, object] = field(default_factory=dict)


# (uow, staff, action) -> Undone; `action` has .kind, .reference, .payload, .at
Undoer = Callable[[object, StaffMember, object], Undone]
UNDOERS: dict[str, Undoer] = {}


def register_undoer(kind: str, undoer: Undoer) -> None:
    UNDOERS[kind] = undoer


def record_action(uow, staff: StaffMember, kind: str, reference: str, payload: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """Remember an undoable action in the same transaction as the action itself."""
    uow.actions.record(staff.telegram_user_id, kind, reference, payload, at)


def undo_last(uow, staff: StaffMember, now: datetime, window: timedelta) -> Undone:  # type: ignore[no-untyped-def]
    action = uow.actions.latest(staff.telegram_user_id)
    if action is None:
        raise DomainError("nothing_to_undo")
    if now - action.at > window:
        raise DomainError("undo_too_late", minutes=int(window.total_seconds() // 60))
    undoer = UNDOERS.get(action.kind)
    if undoer is None:
        raise DomainError("cannot_undo", kind=action.kind)
    uow.actions.mark_undone(action.id)
    return undoer(uow, staff, action)
