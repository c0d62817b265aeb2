"""Low-stock alerts: raised by the movement that caused them, swept on a schedule, told to the store's group.

Everything here runs inside the caller's unit of work, so an alert and its
outbox message commit with the sale (or transfer, or count) that caused them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.alerts import (
    AlertRule,
    LowStockAlert,
    Reading,
    Verdict,
    fast_movers,
    judge,
    raise_alert,
    threshold_for,
)
from domain.errors import NotAllowed, NotFound
from domain.staff import Role, StaffMember
from domain.stock import Movement, StockPosition
from notifications.message import Channel, Notification, OutButton, Purpose
from notifications.outbox import enqueue

log = logging.getLogger(__name__)
EVENT = "low_stock"
DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_RULE = AlertRule()
Key = tuple[str, str]


@dataclass(slots=True, frozen=True)
class AlertChange:
    verdict: Verdict
    alert: LowStockAlert


@dataclass(slots=True)
class LowStockWatch:
    """The unit-of-work hook: after every commit that moved stock, check the positions it moved."""

    clock: Callable[[], datetime]
    rule: AlertRule = field(default_factory=AlertRule)
    zone: ZoneInfo = DEFAULT_ZONE

    def __call__(self, uow, movements: list[Movement]) -> None:  # type: ignore[no-untyped-def]
        if not movements:
            return
        keys = {(m.location_code, m.sku) for m in movements}
        try:
            with uow.connection.begin_nested():  # a failed check is undone alone; the sale still commits
                check_low_stock(uow, keys, self.clock(), rule=self.rule, zone=self.zone)
        except Exception:  # noqa: BLE001 - an alert must never cost a sale; the next sweep raises it
            log.exception("low-stock check failed for %d positions", len(keys))


def check_low_stock(
    uow, keys: Iterable[Key], now: datetime, *, rule: AlertRule = DEFAULT_RULE, zone: ZoneInfo = DEFAULT_ZONE
) -> list[AlertChange]:  # type: ignore[no-untyped-def]
    """Raise, close or wake the alerts of `keys` from their current (locked) positions; does not commit."""
    keys = set(keys)
    if not keys:
        return []
    positions = uow.stock.get_many(keys)
    readings = read_positions(uow, positions.values(), now, rule, fresh_rates=False)
    return _settle(uow, readings, uow.alerts.open_for(keys), now, rule, zone)


def sweep_low_stock(
    uow,
    now: datetime,
    *,
    rule: AlertRule = DEFAULT_RULE,
    zone: ZoneInfo = DEFAULT_ZONE,
    rates: dict[Key, float] | None = None,
) -> list[AlertChange]:  # type: ignore[no-untyped-def]
    """Store sales rates, look at every position (rates drift, snoozes end), settle the changed ones locked; commits.

    Pass `rates` computed in a read-only transaction beforehand, so the write
    transaction (SQLite's single writer) is not held while weeks of receipts are summed.
    """
    uow.alerts.replace_sales_rates(sales_rates(uow, now, rule) if rates is None else rates, now)
    readings = read_positions(uow, uow.stock.all_positions(), now, rule, fresh_rates=False)
    open_alerts = {alert.key: alert for alert in uow.alerts.all_open()}
    due = [r.key for r in readings if judge(r, open_alerts.get(r.key), now) is not Verdict.NONE]
    changes = check_low_stock(uow, due, now, rule=rule, zone=zone)
    uow.commit()
    return changes


def read_positions(uow, positions: Iterable[StockPosition], now: datetime, rule: AlertRule, *, fresh_rates: bool) -> list[Reading]:  # type: ignore[no-untyped-def]
    """Each position with the threshold in force and its daily sales.

    A sale reads the rates the last sweep stored (`fresh_rates=False`): summing
    weeks of receipts on every sale would make selling slower as history grows.
    """
    positions = list(positions)
    keys = [p.key for p in positions]
    rates = sales_rates(uow, now, rule) if fresh_rates else uow.alerts.sales_rates(keys)
    points = uow.alerts.reorder_points(keys)
    readings = []
    for p in positions:
        daily = rates.get(p.key, 0.0)
        threshold = threshold_for(p.min_qty, points.get(p.key), daily, rule)
        readings.append(Reading(p.location_code, p.sku, p.available, threshold, daily))
    return readings


def sales_rates(uow, now: datetime, rule: AlertRule) -> dict[Key, float]:  # type: ignore[no-untyped-def]
    """Average daily units (net of returns) of every position over the rule's window, from receipts."""
    sold = uow.alerts.units_sold(now - timedelta(days=rule.sales_window_days), now)
    return {key: max(units, 0) / rule.sales_window_days for key, units in sold.items()}


def _settle(
    uow,
    readings: list[Reading],
    open_alerts: dict[Key, LowStockAlert],
    now: datetime,
    rule: AlertRule,
    zone: ZoneInfo,
) -> list[AlertChange]:  # type: ignore[no-untyped-def]
    changes: list[AlertChange] = []
    fast_by_location: dict[str, frozenset[str]] = {}
    for reading in readings:
        alert = open_alerts.get(reading.key)
        verdict = judge(reading, alert, now)
        if verdict is Verdict.RAISE:
            fast = frozenset()
            if reading.available <= 0:
                if reading.location_code not in fast_by_location:
                    fast_by_location[reading.location_code] = _fast_movers(uow, reading.location_code, rule)
                fast = fast_by_location[reading.location_code]
            alert = uow.alerts.add(raise_alert(reading, now, fast))
            _tell(uow, alert, reading, now, zone, fresh=f"{EVENT}:{alert.id}")
        elif verdict is Verdict.WAKE and alert is not None:
            alert.wake(reading)
            _tell(uow, alert, reading, now, zone, fresh=f"{EVENT}:{alert.id}:woke:{now:%Y%m%d%H%M}")
        elif verdict is Verdict.RECOVERED and alert is not None:
            alert.close(now)
            alert.available = reading.available
            _tell(uow, alert, reading, now, zone, status="recovered")
        else:
            continue
        uow.alerts.save(alert)
        changes.append(AlertChange(verdict, alert))
    return changes


def _fast_movers(uow, location_code: str, rule: AlertRule) -> frozenset[str]:  # type: ignore[no-untyped-def]
    return fast_movers(uow.alerts.sales_rates_at(location_code), rule.fast_mover_share)


# -- staff answers from the alert's buttons --------------------------------------------


def snooze_alert(
    uow,
    actor: StaffMember,
    alert_id: int,
    now: datetime,
    *,
    rule: AlertRule = DEFAULT_RULE,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> LowStockAlert:  # type: ignore[no-untyped-def]
    """Quiet the alert for the rule's snooze time; the message says until when. Commits."""
    alert = _alert_for(uow, actor, alert_id)
    alert.snooze(now + timedelta(hours=rule.snooze_hours))
    return _answer(uow, alert, actor, now, zone, "snoozed")


def acknowledge_alert(
    uow, actor: StaffMember, alert_id: int, now: datetime, *, zone: ZoneInfo = DEFAULT_ZONE
) -> LowStockAlert:  # type: ignore[no-untyped-def]
    """'Ordered': note who and when; the alert stays until the stock is back. Commits."""
    alert = _alert_for(uow, actor, alert_id)
    alert.acknowledge(actor.actor, now)
    return _answer(uow, alert, actor, now, zone, "ordered")


def _alert_for(uow, actor: StaffMember, alert_id: int) -> LowStockAlert:  # type: ignore[no-untyped-def]
    alert = uow.alerts.get(alert_id)
    if alert is None:
        raise NotFound("alert_not_found", alert=alert_id)
    if not actor.active or (actor.role is not Role.ADMIN and alert.location_code not in actor.locations):
        raise NotAllowed(permission="low_stock_alert", role=actor.role.value, location=alert.location_code)
    return alert


def _answer(
    uow, alert: LowStockAlert, actor: StaffMember, now: datetime, zone: ZoneInfo, status: str
) -> LowStockAlert:  # type: ignore[no-untyped-def]
    uow.alerts.save(alert)
    position = uow.stock.get(alert.location_code, alert.sku)
    reading = Reading(alert.location_code, alert.sku, position.available, None, 0.0)
    _tell(uow, alert, reading, now, zone, status=status, by=actor.name)
    uow.commit()
    return alert


# -- what the store's group is told -----------------------------------------------------


def _tell(
    uow,
    alert: LowStockAlert,
    reading: Reading,
    now: datetime,
    zone: ZoneInfo,
    *,
    fresh: str | None = None,
    status: str = "open",
    by: str | None = None,
) -> None:  # type: ignore[no-untyped-def]
    """A new message (`fresh` key) or an edit of the alert's last message, in the store group's language."""
    location = uow.locations.get(alert.location_code)
    if location is None or location.chat_id is None:
        return  # no group to tell; the digest still lists it
    if fresh is None and alert.message_key is None:
        return
    product = uow.catalog.get(alert.sku)
    facts = _facts(alert, reading, location, product, zone, status, by)
    key = fresh or f"{alert.message_key}:{status}:{now:%Y%m%d%H%M%S}"
    enqueue(
        uow,
        Notification(
            key=key,
            channel=Channel.TELEGRAM,
            address=str(location.chat_id),
            event=EVENT,
            lang=uow.chat_settings.language(location.chat_id) or "zh",
            facts=facts,
            purpose=Purpose.ALERT,
            buttons=_buttons(alert) if status in ("open", "ordered") else (),
            edits_key=None if fresh else alert.message_key,
        ),
        now,
    )
    if fresh:
        alert.message_key = fresh


def _buttons(alert: LowStockAlert) -> tuple[tuple[OutButton, ...], ...]:
    """Request transfer reuses the product card's `trq` action, so the transfer flow answers it."""
    ask = OutButton("alert_transfer", "trq", (alert.sku,))
    snooze = OutButton("alert_snooze", "als", (str(alert.id),))
    if alert.acknowledged_by:
        return ((ask, snooze),)
    return ((ask, snooze, OutButton("alert_ordered", "alo", (str(alert.id),))),)


def _facts(alert, reading, location, product, zone: ZoneInfo, status: str, by: str | None) -> dict:  # type: ignore[no-untyped-def]
    cover = reading.days_of_cover
    return {
        "alert_id": alert.id,
        "status": status,
        "urgent": alert.urgent,
        "location": location.code,
        "location_name": location.name,
        "sku": alert.sku,
        "product": product.name if product else alert.sku,
        "available": reading.available,
        "reorder_point": round(alert.reorder_point, 1),
        "basis": alert.basis.value,
        "days_of_cover": round(cover, 1) if cover is not None else None,
        "by": by,
        "until": _local(alert.snoozed_until, zone),
        "raised_at": _local(alert.raised_at, zone),
    }


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).strftime("%m-%d %H:%M") if moment else None
