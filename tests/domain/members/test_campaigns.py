from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.members.campaigns import (
    CONSENT_COLUMN,
    AudienceFilter,
    Campaign,
    Channel,
    Contact,
    FrequencyCap,
    InvalidCampaign,
    QuietHours,
    SkipReason,
    in_control_group,
    next_allowed_send,
)
from domain.members.offers import AmountOff, PercentOff
from domain.members.segments import Segment
from domain.members.targeting import preview_campaign, select_audience, targeting_frame

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_NOON = datetime(2026, 6, 1, 12, 0, tzinfo=SHANGHAI)
SEGMENTS = list(Segment)


def members(count: int, seed: int = 0, consent: bool | None = None) -> pd.DataFrame:
    """Scored members with consents, deterministic from the seed."""
    rows = []
    for i in range(count):
        h = (i * 2654435761 + seed * 97) % 1000
        rows.append(
            {
                "member_id": f"M{i:04d}",
                "segment": SEGMENTS[h % len(SEGMENTS)].value,
                "tier": "gold" if h % 3 == 0 else "basic",
                "top_categories": "rice|oil" if h % 2 else "snacks",
                "monetary": 40.0 + h % 60,
                "p_buy_30d": (h % 50) / 100,
                "p_buy_90d": 0.3 + (h % 70) / 100,
                "consent_chat": consent if consent is not None else h % 4 == 0,
                "consent_sms": consent if consent is not None else h % 5 < 3,
                "consent_email": consent if consent is not None else h % 7 < 2,
            }
        )
    return pd.DataFrame(rows)


def campaign(campaign_id="C1", start=MONDAY_NOON, **changes) -> Campaign:
    fields = {
        "campaign_id": campaign_id,
        "offer": PercentOff(Decimal(10)),
        "segments": frozenset(Segment),
        "send_from": start,
        "send_until": start + timedelta(days=3),
        "valid_from": start,
        "valid_until": start + timedelta(days=14),
    }
    return Campaign(**{**fields, **changes})


# --- quiet hours -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
zones = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


@given(instants, times, times, zones)
def test_the_next_allowed_send_is_the_first_moment_outside_quiet_hours(now, start, end, tz):
    quiet = QuietHours(start, end)
    if start == end:
        return  # an empty quiet period

    send = next_allowed_send(now, quiet, tz)
    local = send.astimezone(ZoneInfo(tz))

    assert send >= now
    assert not quiet.contains(local.time())
    assert send == now or quiet.contains(now.astimezone(ZoneInfo(tz)).time())


def test_a_message_due_at_night_waits_for_nine_in_the_morning():
    late = datetime(2026, 6, 1, 22, 30, tzinfo=SHANGHAI)

    assert next_allowed_send(late, QuietHours(), "Asia/Shanghai") == datetime(
        2026, 6, 2, 9, 0, tzinfo=SHANGHAI
    )
    assert next_allowed_send(late.replace(hour=8), QuietHours(), "Asia/Shanghai").hour == 9
    assert next_allowed_send(MONDAY_NOON, QuietHours(), "Asia/Shanghai") == MONDAY_NOON


# --- frequency cap -----------------------------------------------------------------------


def test_a_third_promotion_within_seven_days_is_refused_but_allowed_after():
    cap = FrequencyCap()
    sent = [MONDAY_NOON, MONDAY_NOON + timedelta(days=2)]

    assert not cap.allows(sent, MONDAY_NOON + timedelta(days=6))
    assert cap.allows(sent, MONDAY_NOON + timedelta(days=7))


def test_a_promotion_scheduled_ahead_counts_against_an_earlier_one():
    cap = FrequencyCap()
    sent = [MONDAY_NOON + timedelta(days=3), MONDAY_NOON + timedelta(days=4)]

    assert not cap.allows(sent, MONDAY_NOON)


# --- audience ----------------------------------------------------------------------------


def test_members_get_their_first_consented_channel_in_the_campaigns_order():
    scored = members(40, consent=True)

    audience = select_audience(scored, campaign(channels=(Channel.SMS, Channel.CHAT)), [], MONDAY_NOON)

    assert set(audience.by_channel()) == {Channel.SMS}


def test_members_without_consent_on_any_campaign_channel_are_skipped():
    scored = members(40, consent=False)

    audience = select_audience(scored, campaign(control_share=0.0), [], MONDAY_NOON)

    assert not audience.deliveries
    assert set(audience.skipped.values()) == {SkipReason.NO_CONSENT}


def test_only_targeted_segments_and_filters_are_reached():
    scored = members(200, consent=True)
    narrow = campaign(
        segments=frozenset({Segment.AT_RISK}), filters=AudienceFilter(tiers=frozenset({"gold"}))
    )

    audience = select_audience(scored, narrow, [], MONDAY_NOON)
    reached = scored.set_index("member_id").loc[[d.member_id for d in audience.deliveries]]

    assert len(reached) > 0
    assert set(reached["segment"]) == {"at_risk"}
    assert set(reached["tier"]) == {"gold"}


def test_the_control_group_is_about_a_tenth_and_the_same_on_every_run():
    scored = members(3000, consent=True)

    first = select_audience(scored, campaign(), [], MONDAY_NOON)
    again = select_audience(scored, campaign(), [], MONDAY_NOON + timedelta(hours=1))

    assert first.control == again.control
    assert 0.08 < len(first.control) / len(scored) < 0.12
    assert not set(first.control) & {d.member_id for d in first.deliveries}


def test_the_control_group_differs_between_campaigns():
    ids = [f"M{i}" for i in range(1000)]

    held_a = {m for m in ids if in_control_group("A", m, 0.1)}
    held_b = {m for m in ids if in_control_group("B", m, 0.1)}

    assert held_a != held_b


def test_a_member_already_sent_this_campaign_is_not_sent_it_again():
    scored = members(50, consent=True)
    first = select_audience(scored, campaign(), [], MONDAY_NOON)

    second = select_audience(scored, campaign(), first.contacts(), MONDAY_NOON + timedelta(days=1))

    assert not second.deliveries
    assert {second.skipped[d.member_id] for d in first.deliveries} == {SkipReason.ALREADY_CONTACTED}


def test_the_expected_cost_stays_within_the_budget_and_the_rest_are_skipped():
    scored = members(500, consent=True)
    capped = campaign(offer=AmountOff(Decimal(20)), budget_cap=Decimal(100))

    audience = select_audience(scored, capped, [], MONDAY_NOON)
    preview = preview_campaign(audience)

    assert 0 < preview.expected_cost <= Decimal(100)
    assert preview.skipped[SkipReason.OVER_BUDGET] > 0


def test_a_campaign_launched_at_night_is_scheduled_for_the_morning_not_dropped():
    scored = members(30, consent=True)
    night = datetime(2026, 6, 1, 23, 0, tzinfo=SHANGHAI)

    audience = select_audience(scored, campaign(start=night), [], night)

    assert audience.deliveries
    assert {d.send_at for d in audience.deliveries} == {datetime(2026, 6, 2, 9, 0, tzinfo=SHANGHAI)}


def test_the_preview_counts_members_per_segment_and_channel_and_prices_them():
    scored = members(300)

    audience = select_audience(scored, campaign(), [], MONDAY_NOON)
    preview = preview_campaign(audience)

    assert sum(preview.counts.values()) == len(audience.deliveries)
    expected = sum(
        Decimal(str(d.p_redeem)) * d.expected_discount + d.message_cost for d in audience.deliveries
    )
    assert preview.expected_cost == pytest.approx(expected, abs=Decimal("0.01"))


def test_targeting_frame_adds_consents_from_the_member_table():
    scored = members(3).drop(columns=list(CONSENT_COLUMN.values()))
    table = pd.DataFrame(
        {
            "member_id": ["M0000", "M0001"],
            "consent_chat": [True, False],
            "consent_sms": [False, False],
            "consent_email": [True, True],
        }
    )

    frame = targeting_frame(scored, table)

    assert frame.set_index("member_id").loc["M0000", "consent_chat"]
    assert not frame.set_index("member_id").loc["M0002", "consent_email"]


def test_a_campaign_whose_windows_end_before_they_start_is_refused():
    with pytest.raises(InvalidCampaign):
        campaign(send_until=MONDAY_NOON - timedelta(hours=1))


# --- the rules hold over any sequence of campaigns ---------------------------------------

launches = st.lists(
    st.tuples(
        st.integers(0, 20 * 24),  # hours after the first Monday noon
        st.lists(st.sampled_from(list(Channel)), min_size=1, max_size=3, unique=True),
        st.integers(0, 4),  # which campaign: a campaign may be launched again
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(launches, st.lists(st.floats(0.0, 0.5), min_size=5, max_size=5), st.integers(0, 5))
def test_consent_quiet_hours_caps_and_control_hold_over_random_campaigns(plan, control_shares, seed):
    scored = members(60, seed=seed).set_index("member_id", drop=False)
    history: list[Contact] = []
    controls: dict[str, set[str]] = {}
    for hours, channels, number in plan:
        now = MONDAY_NOON + timedelta(hours=hours)
        share = control_shares[number]
        wave = campaign(f"C{number}", start=now, channels=tuple(channels), control_share=share)
        audience = select_audience(scored.reset_index(drop=True), wave, history, now)
        controls.setdefault(wave.campaign_id, set()).update(audience.control)
        history.extend(audience.contacts())

    per_member = defaultdict(list)
    for contact in history:
        member = scored.loc[contact.member_id]
        assert member[CONSENT_COLUMN[contact.channel]]
        assert not QuietHours().contains(contact.sent_at.astimezone(SHANGHAI).time())
        assert contact.member_id not in controls[contact.campaign_id]
        per_member[contact.member_id].append(contact)
    for contacts in per_member.values():
        assert len({c.campaign_id for c in contacts}) == len(contacts)
        sent = sorted(c.sent_at for c in contacts)
        for start in sent:
            assert sum(start <= t < start + timedelta(days=7) for t in sent) <= 2
