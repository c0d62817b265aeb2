"""Manager digests: what needs attention at their stores, daily and on demand, by Telegram and email.

A digest is a dict of JSON-ready facts (the templates under
templates/notifications/digest/ render it) plus one chart. Later sections
(the replenishment plan) plug in as `extra_sections` providers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from adapters.charts import sales_comparison_png
from adapters.db.timeutil import as_utc
from adapters.templates import render
from domain.alerts import AlertRule, Reading
from domain.staff import Role, StaffMember
from notifications.alerts import read_positions
from notifications.message import Channel, Notification, Purpose
from notifications.outbox import enqueue

log = logging.getLogger(__name__)
EVENT = "digest"
CHART_EVENT = "digest/chart"  # Telegram captions stop at 1024 characters: the chart goes as its own photo
TELEGRAM_LIMIT = 4000  # characters of one Telegram message (4096), with room for the HTML tags' entities


@dataclass(frozen=True, slots=True)
class DigestSection:
    """One more part of the digest: `template` under templates/notifications/digest/sections/, its facts."""

    template: str
    facts: dict


# (uow, manager, now) -> a section, or None when it has nothing to say for this manager
SectionProvider = Callable[[object, StaffMember, datetime], DigestSection | None]


@dataclass(slots=True)
class DigestSettings:
    rule: AlertRule = field(default_factory=AlertRule)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    items_per_store: int = 15  # keeps a Telegram message under its 4096 characters
    extra_sections: list[SectionProvider] = field(default_factory=list)


def recipients(uow) -> list[StaffMember]:  # type: ignore[no-untyped-def]
    """Active managers and admins: the people a daily digest is for."""
    return [s for s in uow.staff.all() if s.active and s.role in (Role.MANAGER, Role.ADMIN)]


def collect_digest(uow, manager: StaffMember, now: datetime, settings: DigestSettings) -> dict:  # type: ignore[no-untyped-def]
    """The digest's facts for `manager`'s locations (every location for an admin)."""
    locations = [loc for loc in uow.locations.all() if manager.role is Role.ADMIN or loc.code in manager.locations]
    codes = {loc.code for loc in locations}
    today = now.astimezone(settings.zone).date()
    yesterday, week_before = today - timedelta(days=1), today - timedelta(days=8)
    sold_yesterday = uow.alerts.takings(*_day(yesterday, settings.zone))
    sold_week_before = uow.alerts.takings(*_day(week_before, settings.zone))
    low = _low_by_location(uow, codes, now, settings)
    stores = [
        {
            "code": loc.code,
            "name": loc.name,
            "sales": _comparison(sold_yesterday.get(loc.code, 0.0), sold_week_before.get(loc.code, 0.0)),
            "out_count": sum(1 for item in low.get(loc.code, []) if item["out"]),
            "low_count": len(low.get(loc.code, [])),
            "categories": _by_category(low.get(loc.code, [])[: settings.items_per_store]),
            "more": max(0, len(low.get(loc.code, [])) - settings.items_per_store),
        }
        for loc in locations
    ]
    extras = [section for provider in settings.extra_sections if (section := provider(uow, manager, now))]
    return {
        "manager": manager.name,
        "day": yesterday.isoformat(),
        "week_before": week_before.isoformat(),
        "generated_at": now.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        "stores": stores,
        "transfers": _open_transfers(uow, codes, now),
        "counts": _counts_awaiting(uow, codes, now),
        "extra_sections": [{"template": s.template, "facts": s.facts} for s in extras],
        "more_stores": 0,
    }


def fit_for_telegram(facts: dict, lang: str, limit: int = TELEGRAM_LIMIT) -> dict:
    """The digest trimmed until its Telegram text fits one message: fewer items per store, then fewer stores.

    Stores with nothing low go first; the email keeps everything.
    """
    if len(render(f"notifications/{EVENT}/telegram", lang, html=True, **facts)) <= limit:
        return facts
    stores = sorted(facts["stores"], key=lambda s: (-s["out_count"], -s["low_count"], s["code"]))
    for keep in (5, 1, 0):
        trimmed = [_trim_store(store, keep) for store in stores]
        for count in range(len(trimmed), 0, -1):
            candidate = {**facts, "stores": trimmed[:count], "more_stores": len(trimmed) - count}
            if len(render(f"notifications/{EVENT}/telegram", lang, html=True, **candidate)) <= limit:
                return candidate
    return {**facts, "stores": [], "transfers": facts["transfers"][:5], "counts": facts["counts"][:5], "more_stores": len(stores)}


def _trim_store(store: dict, keep: int) -> dict:
    lines = [item for group in store["categories"] for item in group["lines"]][:keep]
    shown = len(lines)
    return {**store, "categories": _by_category(lines), "more": store["low_count"] - shown}


def chart_for(facts: dict) -> bytes:
    """Yesterday against the same weekday a week before, per store code."""
    stores = facts["stores"]
    return sales_comparison_png(
        [s["code"] for s in stores],
        [s["sales"]["yesterday"] for s in stores],
        [s["sales"]["week_before"] for s in stores],
        (facts["day"][5:], facts["week_before"][5:]),
    )


def digest_notifications(uow, manager: StaffMember, facts: dict, chart: bytes, key: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    """The digest on each channel the manager chose; `key` makes each delivered at most once."""
    channels = uow.alerts.digest_channels(manager.telegram_user_id)
    lang = uow.chat_settings.language(manager.telegram_user_id) or "zh"
    notes = []
    if channels.telegram:
        chat = str(manager.telegram_user_id)
        notes.append(_note(f"{key}:telegram", Channel.TELEGRAM, chat, EVENT, lang, fit_for_telegram(facts, lang)))
        notes.append(_note(f"{key}:telegram:chart", Channel.TELEGRAM, chat, CHART_EVENT, lang, _chart_facts(facts), chart))
    if channels.email and manager.email:
        notes.append(_note(f"{key}:email", Channel.EMAIL, manager.email, EVENT, lang, facts, chart))
    return notes


def enqueue_digest(uow, manager: StaffMember, now: datetime, settings: DigestSettings, key: str) -> int:  # type: ignore[no-untyped-def]
    """Collect, draw and enqueue one manager's digest in this unit of work; commits. How many were new."""
    facts = collect_digest(uow, manager, now, settings)
    notes = digest_notifications(uow, manager, facts, chart_for(facts), key)
    written = sum(enqueue(uow, note, now) for note in notes)
    uow.commit()
    return written


def daily_key(manager: StaffMember, now: datetime, zone: ZoneInfo) -> str:
    """One daily digest per manager per local day, however often the job runs."""
    return f"digest:{manager.telegram_user_id}:{now.astimezone(zone).date().isoformat()}"


def send_daily_digests(uow_factory, now: datetime, settings: DigestSettings) -> int:  # type: ignore[no-untyped-def]
    """Enqueue today's digest for every manager, each in its own transaction (one failure spares the rest)."""
    with uow_factory(readonly=True) as unit:
        people = recipients(unit)
    written = 0
    for person in people:
        try:
            written += uow_factory.run(lambda unit, p=person: enqueue_digest(unit, p, now, settings, daily_key(p, now, settings.zone)))
        except Exception:  # noqa: BLE001 - one manager's broken data must not cost the others their digest
            log.exception("digest for %s failed", person.telegram_user_id)
    return written


def _note(key: str, channel: Channel, address: str, event: str, lang: str, facts: dict, image: bytes | None = None) -> Notification:
    return Notification(key=key, channel=channel, address=address, event=event, lang=lang, facts=facts, purpose=Purpose.DIGEST, image=image)


def _chart_facts(facts: dict) -> dict:
    return {"day": facts["day"], "week_before": facts["week_before"], "stores": [{"code": s["code"], "sales": s["sales"]} for s in facts["stores"]]}


def _day(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def _comparison(yesterday: float, week_before: float) -> dict:
    change = None if week_before == 0 else round((yesterday - week_before) / week_before * 100, 1)
    return {"yesterday": round(yesterday, 2), "week_before": round(week_before, 2), "change_pct": change}


def _low_by_location(uow, codes: set[str], now: datetime, settings: DigestSettings) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    positions = [p for p in uow.stock.all_positions() if p.location_code in codes]
    readings = [r for r in read_positions(uow, positions, now, settings.rule, fresh_rates=True) if r.is_low]
    products = {p.sku: p for p in uow.catalog.all(with_barcodes=False)}
    items = sorted((_item(r, products.get(r.sku)) for r in readings), key=_urgency)
    return {code: list(group) for code, group in groupby(sorted(items, key=lambda i: i["location"]), key=lambda i: i["location"])}


def _item(reading: Reading, product) -> dict:  # type: ignore[no-untyped-def]
    cover = reading.days_of_cover
    return {
        "location": reading.location_code,
        "sku": reading.sku,
        "product": product.name if product else reading.sku,
        "category": product.category if product else "",
        "available": reading.available,
        "reorder_point": round(reading.threshold.reorder_point, 1) if reading.threshold else None,
        "days_of_cover": round(cover, 1) if cover is not None else None,
        "out": reading.available <= 0,
    }


def _urgency(item: dict) -> tuple:
    """Empty shelves first, then the fewest days of cover."""
    cover = item["days_of_cover"]
    return (not item["out"], cover if cover is not None else float("inf"), item["sku"])


def _by_category(items: Sequence[dict]) -> list[dict]:
    ordered = sorted(items, key=lambda i: i["category"])
    return [{"category": name, "lines": sorted(group, key=_urgency)} for name, group in groupby(ordered, key=lambda i: i["category"])]


def _open_transfers(uow, codes: set[str], now: datetime) -> list[dict]:  # type: ignore[no-untyped-def]
    transfers = [t for t in uow.transfers.open_for(None) if t.from_code in codes or t.to_code in codes]
    return [
        {
            "id": t.id,
            "sku": t.sku,
            "qty": t.qty,
            "from": t.from_code,
            "to": t.to_code,
            "state": t.state.value,
            "age_hours": round((now - as_utc(t.created_at)).total_seconds() / 3600, 1),
        }
        for t in sorted(transfers, key=lambda t: as_utc(t.created_at))
    ]


def _counts_awaiting(uow, codes: set[str], now: datetime) -> list[dict]:  # type: ignore[no-untyped-def]
    sessions = uow.counts.awaiting_approval(sorted(codes))
    return [
        {
            "id": s.id,
            "location": s.location_code,
            "lines_off": sum(1 for line in s.lines.values() if line.variance),
            "units_off": sum(line.variance for line in s.lines.values()),
            "value_off": round(sum(line.variance_value for line in s.lines.values()), 2),
            "age_hours": round((now - as_utc(s.opened_at)).total_seconds() / 3600, 1),
        }
        for s in sessions
    ]
