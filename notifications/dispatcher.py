"""Delivers what the outbox holds: claim, check the rules, pace, send, mark; retry, defer or give up.

Claim-before-send: a row is marked `sending` in its own transaction before
the provider is called, and `sent` after. A dispatcher that dies in between
leaves the row `sending`; the next one finds it after the lease and, for a
member, never sends it again blindly: it is listed as a dead letter with the
outcome unknown, unless the SMS provider's status callback has meanwhile
proved it was sent. Staff messages are sent again (a repeated alert is
better than a lost one).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from notifications.message import Channel, DeliveryFailed, Gateway, Outgoing, Purpose, Sent
from notifications.outbox import OutboxEntry, entry_from_row
from notifications.policy import RatePacer, backoff_seconds, decide, give_back
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
CANCELLED, DEAD = "cancelled", "dead"
WAIT_FOR_EARLIER = timedelta(seconds=5)  # an edit whose original is still on its way


class BatchWriter:
    """Many small writes, few transactions: each caller awaits its own write, committed together with
    the others that arrived within `delay` seconds (hundreds of sends a second would otherwise mean
    hundreds of commits). `write` takes an action on the unit of work (it must not commit); `add`
    takes an item for `bulk`, which writes all items of a batch in one statement."""

    def __init__(
        self, uow_factory: Any, bulk: Callable[[Any, list[Any]], None] | None = None, delay: float = 0.02
    ):
        self._uow = uow_factory
        self._bulk = bulk
        self._delay = delay
        self._waiting: list[tuple[Any, bool, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, action: Callable[[Any], None]) -> None:
        await self._enter(action, is_item=False)

    async def add(self, item: Any) -> None:
        await self._enter(item, is_item=True)

    async def _enter(self, entry: Any, is_item: bool) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, is_item, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        await done

    async def _flush(self) -> None:
        await asyncio.sleep(self._delay)
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(self._uow.run, partial(self._apply, batch))
            except Exception as error:  # noqa: BLE001 - every waiter learns its write failed
                for _, _, done in batch:
                    done.set_exception(error)
            else:
                for _, _, done in batch:
                    done.set_result(None)

    def _apply(self, batch: list[tuple[Any, bool, asyncio.Future[None]]], unit: Any) -> None:
        items = [entry for entry, is_item, _ in batch if is_item]
        if items and self._bulk is not None:
            self._bulk(unit, items)
        for entry, is_item, _ in batch:
            if not is_item:
                entry(unit)
        unit.commit()


@dataclass(frozen=True, slots=True)
class Claimed:
    entry: OutboxEntry
    edits: tuple[int, int, bool] | None


class Dispatcher:
    def __init__(
        self,
        uow_factory: Any,
        gateways: dict[Channel, Gateway],
        clock: Callable[[], datetime],
        settings: NotificationSettings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._uow = uow_factory
        self._gateways = gateways
        self._clock = clock
        self._settings = settings
        self._pacer = RatePacer(settings)
        self._rng = rng or random.Random()
        self._outcomes = BatchWriter(uow_factory, bulk=lambda unit, marks: unit.outbox.mark_many_sent(marks))

    async def run_once(self, limit: int = 500) -> int:
        """Deliver everything due now (up to `limit` per channel); how many were delivered."""
        await self._db(self._recover)
        claimed = []
        for channel in self._gateways:
            claimed += await self._db(partial(self._claim, channel=channel, limit=limit))
        return sum(await asyncio.gather(*(self._deliver(item) for item in claimed)))

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float = 0.5) -> None:
        """One loop per channel until `stop` is set; finishes the sends in flight before returning."""
        await self._db(self._recover)
        await asyncio.gather(*(self._channel_loop(c, stop, poll_seconds) for c in self._gateways))

    async def _channel_loop(self, channel: Channel, stop: asyncio.Event, poll_seconds: float) -> None:
        in_flight: set[asyncio.Task[int]] = set()
        window = self._window(channel)
        stopping = asyncio.ensure_future(stop.wait())
        recovered_at = self._clock()
        try:
            while not stop.is_set():
                room = window - len(in_flight)
                claimed = (
                    await self._db(partial(self._claim, channel=channel, limit=room)) if room > 0 else []
                )
                for item in claimed:
                    task = asyncio.ensure_future(self._deliver(item))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                if self._clock() - recovered_at > timedelta(seconds=self._settings.sending_lease_seconds / 2):
                    recovered_at = self._clock()
                    await self._db(self._recover)
                if len(claimed) < room or room < window / 2:
                    await asyncio.wait(
                        {stopping, *in_flight}, timeout=poll_seconds, return_when="FIRST_COMPLETED"
                    )
            await asyncio.gather(*in_flight)
        finally:
            stopping.cancel()

    def _window(self, channel: Channel) -> int:
        """How many claimed messages a channel keeps in flight: about two seconds' worth of its rate."""
        rate = {
            Channel.TELEGRAM: self._settings.telegram_per_second,
            Channel.SMS: self._settings.sms_per_second,
            Channel.EMAIL: self._settings.email_per_second,
        }[channel]
        return max(4, min(128, int(2 * rate)))

    # --- one message ---------------------------------------------------------------------------

    async def _deliver(self, item: Claimed) -> int:
        entry, note = item.entry, item.entry.notification
        taken = await self._pacer.acquire(note.channel, note.address)
        if taken is None:
            later = self._pacer.expected_wait(note.channel, note.address)
            await self._outcomes.write(partial(self._postpone, entry=entry, seconds=later))
            return 0
        try:
            sent = await self._gateways[note.channel].send(Outgoing(entry.id, note, item.edits))
        except DeliveryFailed as failure:
            if not failure.counted:
                give_back(taken)
            if failure.retry_after:
                self._pacer.pause(note.channel, note.address, failure.retry_after)
            await self._outcomes.write(partial(self._after_failure, entry=entry, failure=failure))
            return 0
        except Exception as error:  # noqa: BLE001 - the provider may have taken it: never guess
            log.exception("sending outbox %s ended unexpectedly", entry.id)
            await self._outcomes.write(
                partial(self._after_unknown, entry=entry, reason=f"outcome unknown: {error!r}")
            )
            return 0
        self._pacer.sent(note.channel, taken)
        await self._outcomes.add(self._sent_mark(entry.id, sent))
        return 1

    def _sent_mark(self, outbox_id: int, sent: Sent) -> dict[str, Any]:
        return {
            "outbox_id": outbox_id,
            "at": self._clock(),
            "provider_ref": sent.provider_ref,
            "chat_id": sent.chat_id,
            "message_id": sent.message_id,
            "sent_as_photo": sent.as_photo,
            "segments": sent.segments,
        }

    def _after_failure(self, unit: Any, entry: OutboxEntry, failure: DeliveryFailed) -> None:
        attempts = entry.attempts + 1
        now = self._clock()
        if failure.retry_after is not None and not failure.permanent:
            # Flood control is not the message's fault: wait as told, without using up an attempt.
            due = now + timedelta(seconds=failure.retry_after)
            unit.outbox.reschedule(entry.id, due, failure.reason, count_attempt=False)
        elif failure.permanent or attempts >= self._settings.outbox_max_attempts:
            log.warning("outbox %s dead after %s attempts: %s", entry.id, attempts, failure.reason)
            unit.outbox.give_up(entry.id, failure.reason)
        else:
            due = now + timedelta(seconds=backoff_seconds(attempts, self._settings, self._rng))
            unit.outbox.reschedule(entry.id, due, failure.reason)

    def _postpone(self, unit: Any, entry: OutboxEntry, seconds: float) -> None:
        due = self._clock() + timedelta(seconds=seconds)
        unit.outbox.reschedule(entry.id, due, "waiting for the chat's rate limit", count_attempt=False)

    def _after_unknown(self, unit: Any, entry: OutboxEntry, reason: str) -> None:
        if entry.notification.member_id is not None:
            unit.outbox.give_up(entry.id, f"{reason}; not re-sent automatically")
        elif entry.attempts + 1 >= self._settings.outbox_max_attempts:
            unit.outbox.give_up(entry.id, reason)
        else:
            due = self._clock() + timedelta(
                seconds=backoff_seconds(entry.attempts + 1, self._settings, self._rng)
            )
            unit.outbox.reschedule(entry.id, due, reason)

    # --- claiming and recovering ---------------------------------------------------------------

    def _claim(self, unit: Any, channel: Channel, limit: int) -> list[Claimed]:
        now = self._clock()
        entries = [entry_from_row(row) for row in unit.outbox.claim_due(now, limit, channel.value)]
        member_ids = sorted({e.notification.member_id for e in entries if e.notification.member_id})
        members = {member_id: unit.members.get(member_id) for member_id in member_ids}
        since = now - timedelta(days=self._settings.promotion_cap_days)
        sent = unit.outbox.promotions_sent(member_ids, since)
        claimed = []
        for entry in entries:
            note = entry.notification
            decision = decide(
                note, members.get(note.member_id or ""), now, self._settings, sent.get(note.member_id, [])
            )
            if decision.drop_reason:
                unit.outbox.give_up(entry.id, decision.drop_reason, state=CANCELLED)
            elif decision.defer_until:
                unit.outbox.reschedule(entry.id, decision.defer_until, "quiet hours", count_attempt=False)
            elif (edits := self._edit_target(unit, note.edits_key)) == "wait":
                unit.outbox.reschedule(
                    entry.id, now + WAIT_FOR_EARLIER, "waiting for the message it edits", count_attempt=False
                )
            else:
                claimed.append(Claimed(entry, edits))
                if note.purpose is Purpose.PROMOTION and note.member_id:
                    sent.setdefault(note.member_id, []).append(now)
        unit.commit()
        return claimed

    @staticmethod
    def _edit_target(unit: Any, edits_key: str | None) -> tuple[int, int, bool] | str | None:
        """The message to edit; 'wait' while it is still being sent; None to send a new one."""
        if edits_key is None:
            return None
        earlier = unit.outbox.by_key(edits_key)
        if earlier is None or earlier.state in (CANCELLED, DEAD):
            return None
        if earlier.message_id is None:
            return "wait" if earlier.state in ("pending", "sending") else None
        return int(earlier.chat_id), int(earlier.message_id), bool(earlier.sent_as_photo)

    def _recover(self, unit: Any) -> None:
        """Rows left `sending` by a dispatcher that died: re-send to staff, never blindly to members."""
        now = self._clock()
        for row in unit.outbox.stale_sending(now - timedelta(seconds=self._settings.sending_lease_seconds)):
            if row.member_id is not None:
                unit.outbox.give_up(
                    row.id, "interrupted while sending; outcome unknown, not re-sent automatically"
                )
            else:
                unit.outbox.reschedule(
                    row.id, now, "interrupted while sending; sending again", count_attempt=False
                )
        unit.commit()

    async def _db(self, action: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self._uow.run, action)
