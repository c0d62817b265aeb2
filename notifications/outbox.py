"""The transactional outbox: a notification is written in the transaction of the change that causes it.

The caller commits; the dispatcher delivers later. Keys make enqueueing
idempotent: a second notification under a key already written is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from adapters.db.timeutil import as_utc
from notifications.message import Channel, Notification, OutButton, Purpose


class OutboxUnit(Protocol):
    outbox: Any

    def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A stored notification with its delivery bookkeeping."""

    id: int
    notification: Notification
    state: str
    attempts: int
    due_at: datetime
    last_error: str


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What /outbox lists: a notification given up on, and why."""

    id: int
    key: str
    channel: Channel
    address: str
    event: str
    attempts: int
    last_error: str


def enqueue(uow: OutboxUnit, notification: Notification, now: datetime) -> bool:
    """Write `notification` in the caller's transaction; False when its key was enqueued before."""
    return uow.outbox.add(
        {
            "key": notification.key,
            "channel": notification.channel.value,
            "address": notification.address,
            "event": notification.event,
            "lang": notification.lang,
            "facts": json.dumps(notification.facts, ensure_ascii=False, sort_keys=True),
            "purpose": notification.purpose.value,
            "member_id": notification.member_id,
            "buttons": json.dumps(
                [[[b.label, b.action, list(b.args)] for b in row] for row in notification.buttons]
            ),
            "image": notification.image,
            "edits_key": notification.edits_key,
            "due_at": max(notification.not_before or now, now),
            "created_at": now,
        }
    )


def entry_from_row(row: Any) -> OutboxEntry:
    """Rebuild the notification a row stores."""
    buttons = tuple(
        tuple(OutButton(label, action, tuple(args)) for label, action, args in r)
        for r in json.loads(row.buttons or "[]")
    )
    notification = Notification(
        key=row.key,
        channel=Channel(row.channel),
        address=row.address,
        event=row.event,
        lang=row.lang,
        facts=json.loads(row.facts),
        purpose=Purpose(row.purpose),
        member_id=row.member_id,
        buttons=buttons,
        image=row.image,
        edits_key=row.edits_key,
    )
    return OutboxEntry(row.id, notification, row.state, row.attempts, as_utc(row.due_at), row.last_error)


def dead_letters(uow: OutboxUnit, limit: int = 20) -> list[DeadLetter]:
    """The most recent notifications given up on, newest first."""
    return [
        DeadLetter(
            row.id, row.key, Channel(row.channel), row.address, row.event, row.attempts, row.last_error
        )
        for row in uow.outbox.dead(limit)
    ]


def retry_dead_letter(uow: OutboxUnit, outbox_id: int, actor: str, now: datetime | None = None) -> bool:
    """Put a dead letter back in the queue (an admin's decision, so noted with who); commits."""
    revived = uow.outbox.revive(outbox_id, now or datetime.now(UTC), f"retried by {actor}")
    uow.commit()
    return revived


def sent_message_ref(uow: OutboxUnit, key: str) -> tuple[int, int] | None:
    """(chat_id, message_id) of the Telegram message sent under `key`, if it was sent."""
    row = uow.outbox.by_key(key)
    if row is None or row.message_id is None or row.chat_id is None:
        return None
    return int(row.chat_id), int(row.message_id)
