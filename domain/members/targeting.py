"""Turning scored members and a campaign into an audience, and previewing what it will cost."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd

from domain.members.campaigns import (
    CONSENT_COLUMN,
    Audience,
    Campaign,
    Contact,
    Delivery,
    SkipReason,
    in_control_group,
    next_allowed_send,
)
from domain.members.offers import money

AUDIENCE_COLUMNS = (
    "member_id", "segment", "tier", "top_categories", "monetary", "p_buy_30d", "p_buy_90d",
    "consent_chat", "consent_sms", "consent_email",
)  # fmt: skip


def targeting_frame(scored: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The scored members with their consents: what `select_audience` reads. No record means no consent."""
    consents = members[["member_id", *CONSENT_COLUMN.values()]].drop_duplicates("member_id")
    frame = scored.merge(consents, on="member_id", how="left")
    for column in CONSENT_COLUMN.values():
        frame[column] = frame[column].astype("boolean").fillna(False).astype(bool)
    return frame


def _targeted(scored: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    missing = [c for c in AUDIENCE_COLUMNS if c not in scored.columns]
    if missing:
        raise ValueError(f"scored members lack columns: {', '.join(missing)}")
    members = scored.drop_duplicates("member_id")
    members = members[members["segment"].isin(campaign.segments) & campaign.filters.keep(members)]
    # The budget goes to the likeliest buyers first; member_id breaks ties so reruns agree.
    return members.sort_values([campaign.horizon_column, "member_id"], ascending=[False, True])


def select_audience(
    scored_members: pd.DataFrame, campaign: Campaign, contact_history: Iterable[Contact], now: datetime
) -> Audience:
    """Who gets the campaign, on which channel and when; who is held back as control; who is skipped.

    `scored_members` has AUDIENCE_COLUMNS (see `targeting_frame`). Messages due
    in quiet hours are deferred to their end; if that is past the send window the
    member is skipped. The control group is drawn from members who would
    otherwise have been contacted, so the two groups stay comparable, and the
    budget cuts both at the same place in the ranking.
    """
    send_at = next_allowed_send(max(now, campaign.send_from), campaign.quiet_hours, campaign.tz)
    sent_times: dict[str, list[datetime]] = defaultdict(list)
    already: set[str] = set()
    for contact in contact_history:
        sent_times[contact.member_id].append(contact.sent_at)
        if contact.campaign_id == campaign.campaign_id:
            already.add(contact.member_id)

    deliveries, control, skipped = [], [], {}
    spent, exhausted = Decimal(0), False
    for member in _targeted(scored_members, campaign).itertuples(index=False):
        channel = next((c for c in campaign.channels if bool(getattr(member, CONSENT_COLUMN[c]))), None)
        if channel is None:
            skipped[member.member_id] = SkipReason.NO_CONSENT
        elif member.member_id in already:
            skipped[member.member_id] = SkipReason.ALREADY_CONTACTED
        elif send_at >= campaign.send_until:
            skipped[member.member_id] = SkipReason.SEND_WINDOW_CLOSED
        elif not campaign.frequency_cap.allows(sent_times[member.member_id], send_at):
            skipped[member.member_id] = SkipReason.FREQUENCY_CAP
        elif exhausted:
            skipped[member.member_id] = SkipReason.OVER_BUDGET
        elif in_control_group(campaign.campaign_id, member.member_id, campaign.control_share):
            control.append(member.member_id)
        else:
            delivery = _delivery(member, campaign, channel, send_at)
            if campaign.budget_cap is not None and spent + delivery.expected_cost > campaign.budget_cap:
                exhausted = True  # everyone ranked below is skipped too, control included
                skipped[member.member_id] = SkipReason.OVER_BUDGET
                continue
            spent += delivery.expected_cost
            deliveries.append(delivery)
    return Audience(campaign.campaign_id, tuple(deliveries), tuple(control), skipped)


def _delivery(member, campaign: Campaign, channel, send_at: datetime) -> Delivery:
    p_buy = float(getattr(member, campaign.horizon_column))
    return Delivery(
        member_id=member.member_id,
        segment=member.segment,
        channel=channel,
        send_at=send_at,
        p_redeem=campaign.redemption_given_purchase * p_buy,
        expected_discount=campaign.offer.expected_cost(Decimal(str(round(float(member.monetary), 2)))),
        message_cost=Decimal(campaign.message_costs.get(channel, Decimal(0))),
    )


@dataclass(frozen=True)
class CampaignPreview:
    """What the campaign would do if launched now."""

    counts: dict[tuple[str, str], int]  # (segment, channel) -> members to message
    control: int
    skipped: dict[str, int]  # reason -> members
    expected_redemptions: float
    expected_discount_cost: Decimal
    message_cost: Decimal

    @property
    def expected_cost(self) -> Decimal:
        return self.expected_discount_cost + self.message_cost


def preview_campaign(audience: Audience) -> CampaignPreview:
    """Counts per segment and channel and the expected cost: redemptions x discount + message costs."""
    deliveries = audience.deliveries
    return CampaignPreview(
        counts=dict(Counter((d.segment, str(d.channel)) for d in deliveries)),
        control=len(audience.control),
        skipped=dict(Counter(str(reason) for reason in audience.skipped.values())),
        expected_redemptions=sum(d.p_redeem for d in deliveries),
        expected_discount_cost=money(
            sum((Decimal(str(d.p_redeem)) * d.expected_discount for d in deliveries), Decimal(0))
        ),
        message_cost=money(sum((d.message_cost for d in deliveries), Decimal(0))),
    )
