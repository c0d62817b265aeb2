"""Members as the chain serves them: linking a chat, points and their expiry, offers, rewards on receipts, nightly scores."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from domain.locations import Location
from domain.members.coupons import Coupon, InvalidCouponCode, Redemption, redeem, validate_coupon_code
from domain.members.offers import ReceiptLine as OfferLine
from domain.members.offers import base_points
from domain.members.segments import SEGMENT_COLUMNS, SegmentConfig, score_members
from domain.membership import ContactChannel, Member, PointsEntry, PointsKind
from domain.sales import Receipt
from domain.services.campaigns import CampaignDraft, PromotionSettings

CHAT_CONSENT_SOURCE = "telegram:consent_button"


def normalise_phone(text: str) -> str | None:
    """A mainland number as E.164 (+86...), whatever spaces, dashes or prefix it was shared with."""
    digits = re.sub(r"[\s\-()]", "", text or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"1\d{10}", digits):
        digits = "+86" + digits
    elif re.fullmatch(r"861\d{10}", digits):
        digits = "+" + digits
    return digits if re.fullmatch(r"\+\d{8,15}", digits) else None


def link_member(uow, telegram_user_id: int, phone_text: str) -> Member | None:  # type: ignore[no-untyped-def]
    """Tie the member with this phone number to the Telegram user who shared it; None for an unknown number."""
    phone = normalise_phone(phone_text)
    member = uow.members.by_phone(phone) if phone else None
    if member is None:
        return None
    if member.telegram_user_id != telegram_user_id:
        member.telegram_user_id = telegram_user_id
        uow.members.save(member)
        uow.commit()
    return member


def grant_chat_consent(uow, member_id: str, now: datetime, source: str = CHAT_CONSENT_SOURCE) -> bool:  # type: ignore[no-untyped-def]
    """The member pressed the consent button: promotions may come to this chat; recorded with time and source."""
    member = uow.members.get(member_id)
    change = member.set_consent(ContactChannel.CHAT, True, now, source) if member else None
    if change is None:
        return False
    uow.members.save(member)
    uow.members.record_consent(change)
    uow.commit()
    return True


@dataclass(frozen=True)
class PointsSummary:
    balance: int
    next_expiring: int
    next_expiring_on: date | None


def points_summary(entries: Sequence[PointsEntry], today: date, valid_days: int = 365) -> PointsSummary:
    """Balance and the next points to lapse: spending and lapses use the oldest points first."""
    lots: list[list] = []  # [expires_on, points left]
    for entry in sorted(entries, key=lambda e: e.at):
        if entry.points > 0:
            lots.append([entry.expires_on or entry.at.date() + timedelta(days=valid_days), entry.points])
            continue
        owed = -entry.points
        for lot in sorted(lots, key=lambda lot: lot[0]):
            used = min(owed, lot[1])
            lot[1], owed = lot[1] - used, owed - used
    alive = [lot for lot in lots if lot[1] > 0 and lot[0] > today]
    if not alive:
        return PointsSummary(0, 0, None)
    first = min(lot[0] for lot in alive)
    return PointsSummary(sum(lot[1] for lot in alive), sum(lot[1] for lot in alive if lot[0] == first), first)


def member_points(uow, member_id: str, today: date, valid_days: int = 365) -> PointsSummary:  # type: ignore[no-untyped-def]
    return points_summary(uow.campaigns.points_entries(member_id), today, valid_days)


@dataclass(frozen=True)
class StockedPick:
    """A product picked for the member and the nearest stores that have it."""

    sku: str
    name: str
    stores: tuple[tuple[str, int], ...]  # (store name, units available)


@dataclass(frozen=True)
class MemberOffer:
    code: str
    campaign: str
    draft: CampaignDraft
    valid_until: datetime


@dataclass(frozen=True)
class MemberOffers:
    offers: list[MemberOffer] = field(default_factory=list)
    picks: list[StockedPick] = field(default_factory=list)


def member_offers(uow, member_id: str, now: datetime, stores_per_pick: int = 2) -> MemberOffers:  # type: ignore[no-untyped-def]
    """The member's live coupons, and their next-best products with the nearest stores holding stock."""
    offers = []
    for coupon in uow.campaigns.coupons_of(member_id):
        found = uow.campaigns.get(coupon.campaign_id)
        if coupon.redeemed_at is None and coupon.valid_from <= now < coupon.valid_until and found:
            record, spec = found
            if record.state == "approved":
                offers.append(
                    MemberOffer(coupon.code, record.name, CampaignDraft.from_json(spec), coupon.valid_until)
                )
    snapshot = uow.campaigns.segment_of(member_id)
    skus = [s for s in (snapshot or {}).get("next_best_skus", "").split("|") if s]
    stores = {loc.code: loc for loc in uow.locations.all() if loc.is_store}
    home = stores.get(uow.campaigns.usual_store(member_id) or "")
    picks = []
    for sku in skus:
        product = uow.catalog.get(sku)
        stocked = [
            (stores[p.location_code], p.available)
            for p in uow.stock.for_sku(sku)
            if p.location_code in stores and p.available > 0
        ]
        stocked.sort(key=lambda pair: (_distance_km(home, pair[0]), pair[0].code))
        if product and stocked:
            picks.append(
                StockedPick(
                    sku, product.name, tuple((loc.name, qty) for loc, qty in stocked[:stores_per_pick])
                )
            )
    return MemberOffers(offers, picks)


def _distance_km(home: Location | None, store: Location) -> float:
    if home is None:
        return 0.0
    lat1, lon1, lat2, lon2 = map(
        math.radians, (home.latitude, home.longitude, store.latitude, store.longitude)
    )
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


@dataclass
class ReceiptRewards:
    """What posting receipts gave members: points booked, coupons redeemed, and coupons refused with why."""

    points: dict[str, int] = field(default_factory=dict)
    redeemed: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (receipt, code, discount)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (receipt, code as typed, reason)


def on_receipts_posted(
    uow, receipts: Iterable[Receipt], now: datetime, settings: PromotionSettings
) -> ReceiptRewards:  # type: ignore[no-untyped-def]
    """Book points and redeem coupons for receipts posted in the caller's transaction; the caller commits.

    A coupon is used once: the redemption row's unique code makes a second
    till's attempt a refusal, never a second discount.
    """
    rewards, entries = ReceiptRewards(), []
    tz = ZoneInfo(settings.tz)
    for receipt in receipts:
        if receipt.member_id is None:
            continue
        expires = receipt.at.astimezone(tz).date() + timedelta(days=settings.points_valid_days)
        earned = base_points(Decimal(str(receipt.total)), settings.points_per_yuan)
        bonus = (
            _use_coupon(uow, receipt, min(receipt.at, now), settings, rewards) if receipt.coupon_code else 0
        )
        booked = (
            (PointsKind.EARN if earned > 0 else PointsKind.ADJUST, earned, receipt.reference),
            (PointsKind.EARN, bonus, f"coupon:{receipt.coupon_code}"),
        )
        entries += [
            PointsEntry(receipt.member_id, receipt.at, k, p, ref, expires) for k, p, ref in booked if p
        ]
        rewards.points[receipt.member_id] = rewards.points.get(receipt.member_id, 0) + earned + bonus
    uow.members.add_points(entries)
    return rewards


def _use_coupon(
    uow, receipt: Receipt, at: datetime, settings: PromotionSettings, rewards: ReceiptRewards
) -> int:  # type: ignore[no-untyped-def]
    """Redeem the receipt's coupon as of `at` (never later than now: a till clock running ahead gains nothing)."""
    typed = receipt.coupon_code or ""
    try:
        code = validate_coupon_code(typed)
    except InvalidCouponCode:
        rewards.refused.append((receipt.receipt_id, typed, "invalid_code"))
        return 0
    record = uow.campaigns.coupon(code)
    found = uow.campaigns.get(record.campaign_id) if record else None
    if record is None or found is None or found[0].state != "approved":
        rewards.refused.append((receipt.receipt_id, typed, "unknown_code"))
        return 0
    draft = CampaignDraft.from_json(found[1])
    coupon = Coupon(code, record.member_id, record.campaign_id, draft.offer.to_offer(), record.valid_from,
                    record.valid_until, record.redeemed_at)  # fmt: skip
    outcome = redeem(
        coupon,
        receipt.member_id,
        at,
        _offer_lines(uow, receipt),
        receipt.receipt_id,
        settings.points_per_yuan,
    )
    if not isinstance(outcome, Redemption):
        rewards.refused.append((receipt.receipt_id, typed, outcome.value))
        return 0
    points = outcome.points_entry.points if outcome.points_entry else 0
    if not uow.campaigns.record_redemption(
        record, receipt.receipt_id, receipt.at, float(outcome.discount), points
    ):
        rewards.refused.append((receipt.receipt_id, typed, "already_redeemed"))
        return 0
    rewards.redeemed.append((receipt.receipt_id, code, outcome.discount))
    return points


def _offer_lines(uow, receipt: Receipt) -> list[OfferLine]:  # type: ignore[no-untyped-def]
    categories = {}
    for line in receipt.lines:
        product = uow.catalog.get(line.sku)
        categories[line.sku] = product.category if product else ""
    return [
        OfferLine(line.sku, Decimal(line.qty), Decimal(str(line.unit_price)), categories[line.sku])
        for line in receipt.lines
    ]


def score_segments(
    uow_factory, as_of: date, *, config: SegmentConfig | None = None, tz: str = "Asia/Shanghai"
) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Score every member on history before `as_of`, outside any transaction (seconds on a real chain)."""
    with uow_factory(readonly=True) as unit:
        frames = unit.member_frames.load(tz)
    return score_members(frames, as_of, config or SegmentConfig())


def recompute_segments(  # type: ignore[no-untyped-def]
    uow_factory,
    as_of: date,
    *,
    config: SegmentConfig | None = None,
    tz: str = "Asia/Shanghai",
    now: datetime | None = None,
) -> pd.DataFrame:
    """The nightly run: score members and replace the snapshot /offers and campaigns read, in one swap."""
    scored = score_segments(uow_factory, as_of, config=config, tz=tz)
    computed_at = now or datetime.now(UTC)

    def store(unit) -> None:  # type: ignore[no-untyped-def]
        unit.campaigns.replace_segments(scored, computed_at)
        unit.commit()

    uow_factory.run(store)
    return scored


def write_segments_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """The segments table as the CSV analysts and the CRM import: exactly SEGMENT_COLUMNS."""
    path = Path(path)
    frame[list(SEGMENT_COLUMNS)].to_csv(path, index=False, encoding="utf-8")
    return path


def choose_language(uow, chat_id: int, language: str, member_telegram_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """A chat's /lang; commits. In a member's private chat it is also the language of their offers,
    which go out by SMS and email as well as in this chat."""
    uow.chat_settings.set_language(chat_id, language)
    member = uow.members.by_telegram(member_telegram_id) if member_telegram_id is not None else None
    if member is not None and member.language != language:
        member.language = language
        uow.members.save(member)
    uow.commit()
