"""Promotions into the outbox: one message per treated member of an approved campaign, and the result for its manager."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.templates import render
from domain.members.campaigns import Channel as CampaignChannel
from domain.membership import Member
from domain.services.campaigns import (
    ApprovedCampaign,
    CampaignDraft,
    CampaignOutcome,
    CampaignPlan,
    campaign_outcome,
)
from notifications.message import Channel, Notification, Purpose
from notifications.outbox import enqueue

OUTBOX_CHANNEL = {
    CampaignChannel.CHAT: Channel.TELEGRAM,
    CampaignChannel.SMS: Channel.SMS,
    CampaignChannel.EMAIL: Channel.EMAIL,
}


def promotion_key(campaign_id: str, member_id: str, channel: Channel) -> str:
    """One message per campaign x member x channel, however often scheduling is retried."""
    return f"promo:{campaign_id}:{member_id}:{channel.value}"


def address_of(member: Member, channel: Channel) -> str | None:
    if channel is Channel.TELEGRAM:
        return str(member.telegram_user_id) if member.telegram_user_id else None
    return member.phone if channel is Channel.SMS else member.email


def offer_terms(draft: CampaignDraft, lang: str) -> str:
    """'20% off', '满100减10', 'double points'... in the member's language."""
    offer = draft.offer
    return render("bot/campaigns/offer_terms", lang, kind=offer.kind, value=offer.value, min_spend=offer.min_spend,
                  get=offer.get)  # fmt: skip


def promotion_facts(
    member: Member, draft: CampaignDraft, code: str, store_name: str, lang: str, tz: str
) -> dict:
    """What the promotion templates need (see templates/notifications/promotion/sample.json)."""
    return {
        "member_name": member.name,
        "offer": draft.name,
        "discount": offer_terms(draft, lang),
        "coupon_code": code,
        "valid_until": f"{draft.valid_until.astimezone(ZoneInfo(tz)):%Y-%m-%d}",
        "store_name": store_name,
    }


def schedule_promotions(uow, approved: ApprovedCampaign, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Queue each treated member's message in the approval's transaction; returns how many were queued.

    Control members get no row at all. Each message waits until its planned
    send time (after quiet hours); the dispatcher checks consent again at send time.
    """
    plan, queued = approved.plan, 0
    stores = {loc.code: loc.name for loc in uow.locations.all()}
    for delivery in plan.audience.deliveries:
        member = uow.members.get(delivery.member_id)
        channel = OUTBOX_CHANNEL[delivery.channel]
        address = address_of(member, channel) if member else None
        if address is None:
            continue
        chosen = uow.chat_settings.language(member.telegram_user_id) if member.telegram_user_id else None
        lang = member.language or chosen or "zh"
        store = stores.get(uow.campaigns.usual_store(member.member_id) or "", "")
        facts = promotion_facts(
            member, plan.draft, approved.codes[member.member_id], store, lang, plan.campaign.tz
        )
        notification = Notification(
            key=promotion_key(plan.record.campaign_id, member.member_id, channel),
            channel=channel,
            address=address,
            event="promotion",
            lang=lang,
            facts=facts,
            purpose=Purpose.PROMOTION,
            member_id=member.member_id,
            not_before=delivery.send_at,
        )
        queued += enqueue(uow, notification, now)
    return queued


def sample_messages(uow, plan: CampaignPlan, tz: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The chat message the plan's sample member would get, in each language (real templates, a sample code)."""
    member = uow.members.get(plan.sample_member_id) if plan.sample_member_id else None
    if member is None:
        return {}
    samples = {}
    for lang in ("zh", "en"):
        facts = promotion_facts(member, plan.draft, "XXXXX-XXXXX", "", lang, tz)
        samples[lang] = render("notifications/promotion/telegram", lang, html=True, **facts)
    return samples


def result_facts(outcome: CampaignOutcome) -> dict:
    """The result report's facts; NaN (too few members to say) becomes None so the template can say so."""
    result = outcome.result
    facts: dict = {
        "campaign": outcome.record.name,
        "campaign_id": outcome.record.campaign_id,
        "measured": result is not None,
    }
    if result is not None:
        for name in ("treated", "controls", "redemptions", "redemption_rate", "revenue_per_treated",
                     "revenue_per_control", "incremental_revenue", "incremental_low", "incremental_high",
                     "cost", "return_on_cost"):  # fmt: skip
            value = getattr(result, name)
            facts[name] = None if isinstance(value, float) and math.isnan(value) else value
    return facts


def report_finished_campaigns(uow_factory, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Daily job: tell each finished campaign's manager how it did (once); returns how many reports were queued."""
    with uow_factory(readonly=True) as unit:
        finished = unit.campaigns.finished_unreported(now)
    return sum(uow_factory.run(lambda unit, cid=cid: _report(unit, cid, now)) for cid in finished)


def _report(uow, campaign_id: str, now: datetime) -> int:  # type: ignore[no-untyped-def]
    if not uow.campaigns.mark_reported(campaign_id, now):
        return 0  # another scheduler instance reported it first
    outcome = campaign_outcome(uow, campaign_id)
    manager = outcome.record.approved_by or outcome.record.created_by
    lang = uow.chat_settings.language(manager) or "zh"
    enqueue(
        uow,
        Notification(
            key=f"campaign_result:{campaign_id}",
            channel=Channel.TELEGRAM,
            address=str(manager),
            event="campaign_result",
            lang=lang,
            facts=result_facts(outcome),
            purpose=Purpose.TRANSACTIONAL,
        ),
        now,
    )
    uow.commit()
    return 1
