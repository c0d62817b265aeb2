"""The outbox table: rows written with their cause, claimed by the dispatcher, marked once delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from adapters.db.tables import OutboxMessageRow
from adapters.db.timeutil import as_utc

OUTBOX = OutboxMessageRow.__table__
PENDING, SENDING, SENT, DEAD, CANCELLED = "pending", "sending", "sent", "dead", "cancelled"


class OutboxRepository:
    def __init__(self, connection: Connection, *, lock_rows: bool) -> None:
        self._conn = connection
        self._lock = lock_rows

    def add(self, values: dict[str, Any]) -> bool:
        """Insert a pending row; False when a row with the same key exists (the duplicate is ignored)."""
        insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(OUTBOX)
            .values(state=PENDING, attempts=0, last_error="", **_utc_values(values))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OUTBOX.c.id)
        )
        return self._conn.execute(statement).first() is not None

    def claim_due(self, now: datetime, limit: int, channel: str | None) -> list[Row]:
        """Mark up to `limit` due rows as being sent (other dispatchers skip them) and return them."""
        now = _utc(now)
        query = select(OUTBOX).where(OUTBOX.c.state == PENDING, OUTBOX.c.due_at <= now)
        if channel is not None:
            query = query.where(OUTBOX.c.channel == channel)
        query = query.order_by(OUTBOX.c.due_at, OUTBOX.c.id).limit(limit)
        if self._lock:
            query = query.with_for_update(skip_locked=True)
        rows = list(self._conn.execute(query))
        if rows:
            self._conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_([row.id for row in rows]))
                .values(state=SENDING, claimed_at=now, attempts=OUTBOX.c.attempts + 1)
            )
        return rows

    def get(self, outbox_id: int) -> Row | None:
        return self._conn.execute(select(OUTBOX).where(OUTBOX.c.id == outbox_id)).first()

    def by_key(self, key: str) -> Row | None:
        return self._conn.execute(select(OUTBOX).where(OUTBOX.c.key == key)).first()

    def mark_sent(self, outbox_id: int, now: datetime, **outcome: Any) -> None:
        """Record what the provider said about a message it accepted."""
        now = _utc(now)
        self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == outbox_id, OUTBOX.c.state != CANCELLED)
            .values(state=SENT, sent_at=now, last_error="", **outcome)
        )

    def mark_many_sent(self, marks: list[dict[str, Any]]) -> None:
        """`mark_sent` for a batch, in one executemany (keys: outbox_id, at, provider_ref, chat_id,
        message_id, sent_as_photo, segments)."""
        statement = (
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("outbox_id"), OUTBOX.c.state != CANCELLED)
            .values(
                state=SENT,
                sent_at=bindparam("at"),
                last_error="",
                provider_ref=bindparam("provider_ref"),
                chat_id=bindparam("chat_id"),
                message_id=bindparam("message_id"),
                sent_as_photo=bindparam("sent_as_photo"),
                segments=bindparam("segments"),
            )
        )
        self._conn.execute(statement, [{**mark, "at": _utc(mark["at"])} for mark in marks])

    def record_statuses(self, reports: list[dict[str, Any]]) -> None:
        """The provider's delivery reports, in arrival order (keys: outbox_id, at, provider_ref, status).

        Any report proves the provider took the message: a row we had not marked sent
        (a crash, a timeout, a retry waiting) is sent from now on and never goes out again.
        """
        if not reports:
            return
        rows = [{**report, "at": _utc(report["at"]), "status": report["status"][:32]} for report in reports]
        self._conn.execute(
            update(OUTBOX)
            # or_ rather than in_: an expanding IN cannot take executemany.
            .where(OUTBOX.c.id == bindparam("outbox_id"), or_(*(OUTBOX.c.state == s for s in (SENDING, PENDING, DEAD))))
            .values(state=SENT, sent_at=bindparam("at"), provider_ref=bindparam("provider_ref"), last_error=""),
            rows,
        )
        self._conn.execute(
            update(OUTBOX).where(OUTBOX.c.id == bindparam("outbox_id")).values(delivery_status=bindparam("status")),
            rows,
        )

    def reschedule(self, outbox_id: int, due_at: datetime, error: str, *, count_attempt: bool = True) -> None:
        attempts = OUTBOX.c.attempts if count_attempt else OUTBOX.c.attempts - 1
        due_at = _utc(due_at)
        self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == outbox_id, OUTBOX.c.state == SENDING)
            .values(state=PENDING, due_at=due_at, last_error=error, attempts=attempts)
        )

    def give_up(self, outbox_id: int, error: str, *, state: str = DEAD) -> None:
        self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == outbox_id, OUTBOX.c.state.in_([SENDING, PENDING]))
            .values(state=state, last_error=error)
        )

    def stale_sending(self, claimed_before: datetime) -> list[Row]:
        claimed_before = _utc(claimed_before)
        return list(
            self._conn.execute(
                select(OUTBOX).where(OUTBOX.c.state == SENDING, OUTBOX.c.claimed_at < claimed_before)
            )
        )

    def dead(self, limit: int) -> list[Row]:
        query = select(OUTBOX).where(OUTBOX.c.state == DEAD).order_by(OUTBOX.c.id.desc()).limit(limit)
        return list(self._conn.execute(query))

    def revive(self, outbox_id: int, now: datetime, note: str) -> bool:
        now = _utc(now)
        result = self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == outbox_id, OUTBOX.c.state == DEAD)
            .values(state=PENDING, due_at=now, attempts=0, last_error=note)
        )
        return result.rowcount == 1

    def cancel_pending(self, member_id: str, channel: str, reason: str) -> int:
        result = self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.member_id == member_id, OUTBOX.c.channel == channel, OUTBOX.c.state == PENDING)
            .values(state=CANCELLED, last_error=reason)
        )
        return result.rowcount

    def promotions_sent(self, member_ids: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
        """When each member was last sent promotions (what the frequency cap reads)."""
        if not member_ids:
            return {}
        since = _utc(since)
        rows = self._conn.execute(
            select(OUTBOX.c.member_id, OUTBOX.c.sent_at).where(
                and_(
                    OUTBOX.c.member_id.in_(list(member_ids)),
                    OUTBOX.c.purpose == "promotion",
                    OUTBOX.c.state == SENT,
                    OUTBOX.c.sent_at >= since,
                )
            )
        )
        sent: dict[str, list[datetime]] = {}
        for member_id, at in rows:
            sent.setdefault(member_id, []).append(as_utc(at))
        return sent

    def counts_by_state(self) -> dict[str, int]:
        rows = self._conn.execute(select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state))
        return {state: int(count) for state, count in rows}


def _utc(moment: datetime) -> datetime:
    # SQLite keeps the wall time and drops the zone: every stored moment must be UTC to compare.
    return moment.astimezone(UTC)


def _utc_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _utc(v) if isinstance(v, datetime) else v for name, v in values.items()}
