"""Promotion campaigns as managers run them: draft, preview, approve (coupons, contacts, messages), cancel, result."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from domain.errors import DomainError, InvalidTransition, NotFound
from domain.members.campaigns import (
    Audience,
    Campaign,
    Channel,
    FrequencyCap,
    InvalidCampaign,
    QuietHours,
)
from domain.members.coupons import Coupon, Redemption, issue_coupon_codes
from domain.members.offers import (
    AmountOff,
    BuyXGetY,
    InvalidOffer,
    Offer,
    PercentOff,
    PointsMultiplier,
    Scope,
)
from domain.members.segments import Segment
from domain.members.targeting import CampaignPreview, preview_campaign, select_audience
from domain.members.uplift import CampaignResult, campaign_result
from domain.staff import Permission, StaffMember

OFFER_KINDS = ("percent_off", "amount_off", "points_multiplier", "buy_x_get_y")
DRAFT, APPROVED, CANCELLED = "draft", "approved", "cancelled"
POINT_VALUE = Decimal("0.01")  # what the shop pays per bonus point when it is spent


class InvalidCampaignTerms(DomainError):
    code = "invalid_campaign"


@dataclass(frozen=True)
class PromotionSettings:
    """What promotions need from the settings: the coupon secret, points rate, quiet hours and cap."""

    coupon_secret: bytes
    points_per_yuan: Decimal = Decimal(1)
    points_valid_days: int = 365
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    frequency_cap: FrequencyCap = field(default_factory=FrequencyCap)
    tz: str = "Asia/Shanghai"


@dataclass(frozen=True)
class OfferTerms:
    """An offer as a manager states it: kind, value (percent, yuan, multiplier, or X of buy-X-get-Y)."""

    kind: str
    value: Decimal
    min_spend: Decimal = Decimal(0)
    get: int = 1
    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def to_offer(self) -> Offer:
        scope = Scope(frozenset(self.skus), frozenset(self.categories))
        if self.kind == "percent_off":
            return PercentOff(self.value, scope, self.min_spend)
        if self.kind == "amount_off":
            return AmountOff(self.value, self.min_spend, scope)
        if self.kind == "points_multiplier":
            return PointsMultiplier(self.value, scope)
        if self.kind == "buy_x_get_y":
            if self.value != int(self.value):
                raise InvalidOffer("buy X get Y needs a whole X")
            return BuyXGetY(int(self.value), self.get, scope)
        raise InvalidOffer(f"unknown offer kind {self.kind!r}; one of {', '.join(OFFER_KINDS)}")


@dataclass(frozen=True)
class CampaignDraft:
    """Everything a manager decides about a campaign before it is approved."""

    name: str
    segments: tuple[str, ...]
    offer: OfferTerms
    channels: tuple[str, ...]
    send_from: datetime
    send_until: datetime
    valid_from: datetime
    valid_until: datetime
    budget_cap: Decimal | None = None
    control_share: float = 0.10

    def campaign(self, campaign_id: str, settings: PromotionSettings) -> Campaign:
        """The domain campaign these terms describe; InvalidCampaignTerms says what does not fit."""
        try:
            return Campaign(
                campaign_id=campaign_id,
                offer=self.offer.to_offer(),
                segments=frozenset(Segment(s) for s in self.segments),
                send_from=self.send_from,
                send_until=self.send_until,
                valid_from=self.valid_from,
                valid_until=self.valid_until,
                channels=tuple(Channel(c) for c in self.channels),
                budget_cap=self.budget_cap,
                control_share=self.control_share,
                quiet_hours=settings.quiet_hours,
                frequency_cap=settings.frequency_cap,
                tz=settings.tz,
            )
        except (InvalidCampaign, InvalidOffer, ValueError) as error:
            raise InvalidCampaignTerms(reason=str(error)) from error

    def to_json(self) -> str:
        return json.dumps(
            {
                "name": self.name, "segments": list(self.segments), "channels": list(self.channels),
                "offer": {"kind": self.offer.kind, "value": str(self.offer.value), "min_spend": str(self.offer.min_spend),
                          "get": self.offer.get, "skus": list(self.offer.skus), "categories": list(self.offer.categories)},
                "send_from": self.send_from.isoformat(), "send_until": self.send_until.isoformat(),
                "valid_from": self.valid_from.isoformat(), "valid_until": self.valid_until.isoformat(),
                "budget_cap": None if self.budget_cap is None else str(self.budget_cap),
                "control_share": self.control_share,
            },
            ensure_ascii=False,
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> CampaignDraft:
        spec: dict[str, Any] = json.loads(text)
        offer = spec["offer"]
        return cls(
            name=spec["name"],
            segments=tuple(spec["segments"]),
            offer=OfferTerms(
                offer["kind"],
                Decimal(offer["value"]),
                Decimal(offer["min_spend"]),
                int(offer["get"]),
                tuple(offer["skus"]),
                tuple(offer["categories"]),
            ),  # fmt: skip
            channels=tuple(spec["channels"]),
            send_from=datetime.fromisoformat(spec["send_from"]),
            send_until=datetime.fromisoformat(spec["send_until"]),
            valid_from=datetime.fromisoformat(spec["valid_from"]),
            valid_until=datetime.fromisoformat(spec["valid_until"]),
            budget_cap=None if spec["budget_cap"] is None else Decimal(spec["budget_cap"]),
            control_share=float(spec["control_share"]),
        )


@dataclass(frozen=True)
class CampaignRecord:
    campaign_id: str
    name: str
    state: str
    created_by: int
    valid_until: datetime
    approved_by: int | None = None


@dataclass(frozen=True)
class CouponRecord:
    code: str
    campaign_id: str
    member_id: str
    valid_from: datetime
    valid_until: datetime
    redeemed_at: datetime | None = None


@dataclass(frozen=True)
class CampaignPlan:
    """What approving now would do: the audience, its preview, and a member to show sample messages for."""

    record: CampaignRecord
    draft: CampaignDraft
    campaign: Campaign
    audience: Audience
    preview: CampaignPreview
    sample_member_id: str | None


@dataclass(frozen=True)
class ApprovedCampaign:
    """An approved campaign's plan and the coupon code of each treated member."""

    plan: CampaignPlan
    codes: dict[str, str]
    queued: int = 0  # messages written to the outbox


# Turns an approved campaign into outbox rows in the same transaction; returns how many it queued.
Scheduler = Callable[[Any, ApprovedCampaign, datetime], int]


def create_campaign(
    uow, actor: StaffMember, draft: CampaignDraft, now: datetime, settings: PromotionSettings
) -> CampaignRecord:  # type: ignore[no-untyped-def]
    """Store a checked draft; nothing is sent until it is approved."""
    actor.require(Permission.MANAGE_CAMPAIGNS)
    campaign_id = f"C{now:%m%d}{secrets.token_hex(3).upper()}"
    draft.campaign(campaign_id, settings)
    record = CampaignRecord(campaign_id, draft.name, DRAFT, actor.telegram_user_id, draft.valid_until)
    uow.campaigns.add(record, draft.to_json(), now)
    uow.commit()
    return record


def load_campaign(uow, campaign_id: str) -> tuple[CampaignRecord, CampaignDraft]:  # type: ignore[no-untyped-def]
    found = uow.campaigns.get(campaign_id)
    if found is None:
        raise NotFound("campaign_not_found", campaign=campaign_id)
    record, spec = found
    return record, CampaignDraft.from_json(spec)


def plan_campaign(
    uow, actor: StaffMember, campaign_id: str, now: datetime, settings: PromotionSettings
) -> CampaignPlan:  # type: ignore[no-untyped-def]
    """Who the campaign would reach now, on which channel, and what it is expected to cost."""
    actor.require(Permission.MANAGE_CAMPAIGNS)
    record, draft = load_campaign(uow, campaign_id)
    campaign = draft.campaign(campaign_id, settings)
    scored = uow.campaigns.targeting_frame()
    history = uow.campaigns.contact_history(
        now - settings.frequency_cap.per - (campaign.send_until - campaign.send_from)
    )
    audience = select_audience(scored, campaign, history, now)
    sample = audience.deliveries[0].member_id if audience.deliveries else _any_member(scored)
    return CampaignPlan(record, draft, campaign, audience, preview_campaign(audience), sample)


def _any_member(scored: pd.DataFrame) -> str | None:
    return None if scored.empty else str(scored["member_id"].iloc[0])


def approve_campaign(  # type: ignore[no-untyped-def]
    uow, actor: StaffMember, campaign_id: str, now: datetime, settings: PromotionSettings, schedule: Scheduler
) -> ApprovedCampaign:
    """Approve a draft: issue each treated member a code, record who is contacted and held back, queue the messages.

    The state moves first, under the row lock, so a second approval (a double
    press, a colleague at the same moment) finds it approved and is refused.
    """
    actor.require(Permission.MANAGE_CAMPAIGNS)
    if not uow.campaigns.move(
        campaign_id, (DRAFT,), APPROVED, approved_by=actor.telegram_user_id, approved_at=now
    ):
        record, _ = load_campaign(uow, campaign_id)
        raise InvalidTransition("campaign_not_draft", campaign=campaign_id, state=record.state)
    plan = plan_campaign(uow, actor, campaign_id, now, settings)
    codes = _issue_codes(
        uow, settings.coupon_secret, campaign_id, [d.member_id for d in plan.audience.deliveries]
    )
    campaign = plan.campaign
    uow.campaigns.add_coupons(
        [
            CouponRecord(code, campaign_id, member, campaign.valid_from, campaign.valid_until)
            for member, code in codes.items()
        ]
    )
    costs = [float(d.message_cost) for d in plan.audience.deliveries]
    uow.campaigns.add_contacts(
        list(zip(plan.audience.contacts(), costs, strict=True)), plan.audience.control, campaign_id
    )
    queued = schedule(uow, ApprovedCampaign(plan, codes), now)
    uow.commit()
    return ApprovedCampaign(plan, codes, queued)


def _issue_codes(uow, secret: bytes, campaign_id: str, member_ids: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    codes = issue_coupon_codes(secret, campaign_id, member_ids)
    taken = uow.campaigns.existing_codes(codes.values())
    return issue_coupon_codes(secret, campaign_id, member_ids, taken) if taken else codes


def cancel_campaign(uow, actor: StaffMember, campaign_id: str, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Stop a draft, or an approved campaign's messages not yet sent; returns how many messages were withdrawn."""
    actor.require(Permission.MANAGE_CAMPAIGNS)
    if not uow.campaigns.move(campaign_id, (DRAFT, APPROVED), CANCELLED):
        record, _ = load_campaign(uow, campaign_id)
        raise InvalidTransition("campaign_not_cancellable", campaign=campaign_id, state=record.state)
    withdrawn = uow.campaigns.cancel_pending_messages(campaign_id, f"campaign cancelled by {actor.actor}")
    uow.commit()
    return withdrawn


@dataclass(frozen=True)
class CampaignOutcome:
    record: CampaignRecord
    draft: CampaignDraft
    result: CampaignResult | None  # None when one of the groups is empty: nothing to compare


def campaign_outcome(uow, campaign_id: str) -> CampaignOutcome:  # type: ignore[no-untyped-def]
    """Treatment against control over the validity window: revenue, redemptions, cost and return."""
    record, draft = load_campaign(uow, campaign_id)
    treated, control, message_cost = uow.campaigns.groups(campaign_id)
    if not treated or not control:
        return CampaignOutcome(record, draft, None)
    revenue = uow.campaigns.revenue(treated + control, draft.valid_from, draft.valid_until)
    offer = draft.offer.to_offer()
    redemptions, cost = [], Decimal(str(message_cost))
    for member_id, discount, points in uow.campaigns.redemptions(campaign_id):
        coupon = Coupon("", member_id, campaign_id, offer, draft.valid_from, draft.valid_until)
        redemptions.append(Redemption(coupon, Decimal(str(discount)), None))
        cost += Decimal(str(discount)) + points * POINT_VALUE
    result = campaign_result(
        {m: revenue.get(m, 0.0) for m in treated},
        {m: revenue.get(m, 0.0) for m in control},
        redemptions,
        cost,
    )
    return CampaignOutcome(record, draft, result)


def finished_campaigns(uow, now: datetime) -> list[str]:  # type: ignore[no-untyped-def]
    """Approved campaigns past their validity whose result is still to be reported."""
    return uow.campaigns.finished_unreported(now)
