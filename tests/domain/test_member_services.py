"""Member and campaign use cases that need no database: phones, points expiry, campaign terms, permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import NotAllowed
from domain.membership import PointsEntry, PointsKind
from domain.services.campaigns import (
    CampaignDraft,
    InvalidCampaignTerms,
    OfferTerms,
    PromotionSettings,
    create_campaign,
)
from domain.services.members import normalise_phone, points_summary
from domain.staff import Role, StaffMember

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SETTINGS = PromotionSettings(coupon_secret=b"unit-secret")


def entry(
    days_ago: int, points: int, kind: PointsKind = PointsKind.EARN, expires_on: date | None = None
) -> PointsEntry:
    return PointsEntry("M1", NOW - timedelta(days=days_ago), kind, points, f"r{days_ago}", expires_on)


def draft(**changes) -> CampaignDraft:  # type: ignore[no-untyped-def]
    values = dict(
        name="Cola days", segments=("active",), offer=OfferTerms("percent_off", Decimal(10)), channels=("chat",),
        send_from=NOW, send_until=NOW + timedelta(days=1), valid_from=NOW, valid_until=NOW + timedelta(days=7),
    )  # fmt: skip
    return CampaignDraft(**(values | changes))


class FakeCampaigns:
    def __init__(self) -> None:
        self.stored: dict[str, str] = {}

    def add(self, record, spec: str, created_at: datetime) -> None:  # type: ignore[no-untyped-def]
        self.stored[record.campaign_id] = spec


class FakeUnit:
    def __init__(self) -> None:
        self.campaigns = FakeCampaigns()
        self.committed = False

    def commit(self) -> None:
        self.committed = True


@pytest.mark.parametrize(
    "shared", ["+86 139-1111-0001", "13911110001", "8613911110001", "0086 139 1111 0001"]
)
def test_shared_phone_numbers_read_as_one_mainland_number(shared: str) -> None:
    assert normalise_phone(shared) == "+8613911110001"


def test_text_that_is_no_phone_number_reads_as_none() -> None:
    assert normalise_phone("call me") is None


def test_points_lapse_a_year_after_they_were_earned_and_spending_uses_the_oldest_first() -> None:
    entries = [entry(360, 100), entry(100, 50), entry(10, -30, PointsKind.REDEEM)]

    summary = points_summary(entries, NOW.date())

    assert summary.balance == 120
    assert (summary.next_expiring, summary.next_expiring_on) == (
        70,
        (NOW - timedelta(days=360)).date() + timedelta(days=365),
    )


def test_an_entry_with_its_own_expiry_date_keeps_it_and_expired_points_are_gone() -> None:
    entries = [entry(400, 80), entry(5, 20, expires_on=NOW.date() + timedelta(days=3))]

    summary = points_summary(entries, NOW.date())

    assert (summary.balance, summary.next_expiring, summary.next_expiring_on) == (
        20,
        20,
        NOW.date() + timedelta(days=3),
    )


def test_campaign_terms_survive_storage_unchanged() -> None:
    terms = draft(
        offer=OfferTerms("amount_off", Decimal("5.5"), Decimal(30), skus=("COLA330",)), budget_cap=Decimal(99)
    )

    assert CampaignDraft.from_json(terms.to_json()) == terms


def test_a_manager_stores_a_draft_and_nothing_is_sent() -> None:
    unit = FakeUnit()

    record = create_campaign(unit, StaffMember(1, "Li", Role.MANAGER), draft(), NOW, SETTINGS)

    assert record.state == "draft" and unit.committed
    assert CampaignDraft.from_json(unit.campaigns.stored[record.campaign_id]) == draft()


def test_a_clerk_may_not_create_a_campaign() -> None:
    unit = FakeUnit()

    with pytest.raises(NotAllowed):
        create_campaign(unit, StaffMember(2, "Wang", Role.STAFF, ["S01"]), draft(), NOW, SETTINGS)
    assert unit.campaigns.stored == {}


@pytest.mark.parametrize(
    "changes",
    [{"segments": ("loyal",)}, {"channels": ("fax",)}, {"valid_until": NOW - timedelta(days=1)},
     {"offer": OfferTerms("percent_off", Decimal(120))}, {"control_share": 1.0}],
)  # fmt: skip
def test_terms_that_do_not_add_up_are_refused_with_the_reason(changes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidCampaignTerms) as refusal:
        create_campaign(FakeUnit(), StaffMember(1, "Li", Role.MANAGER), draft(**changes), NOW, SETTINGS)
    assert refusal.value.facts["reason"]
