"""Campaigns on the real database: the nightly snapshot, approval into the outbox, coupons and points on receipts."""

from __future__ import annotations

import shutil
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.csvio.importer import Importer
from adapters.db.engine import open_database
from adapters.db.unit_of_work import UnitOfWorkFactory
from domain.members.campaigns import Channel, Contact, QuietHours
from domain.members.segments import SEGMENT_COLUMNS
from domain.membership import ContactChannel, Member
from domain.sales import Receipt, ReceiptLine
from domain.services.campaigns import (
    CampaignDraft,
    OfferTerms,
    PromotionSettings,
    approve_campaign,
    campaign_outcome,
    create_campaign,
)
from domain.services.members import on_receipts_posted, recompute_segments, write_segments_csv
from domain.services.sales import post_receipts
from domain.staff import Role, StaffMember
from notifications.promotions import report_finished_campaigns, schedule_promotions
from tests.support.chain import write_chain

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: outside quiet hours
MANAGER = StaffMember(200001, "李经理", Role.MANAGER, ["S01"])
PROMOTIONS = PromotionSettings(coupon_secret=b"test-coupon-secret")
ALL_SEGMENTS = ("new", "active", "at_risk", "dormant", "vip")


def load_chain(uow: UnitOfWorkFactory, tmp_path: Path) -> None:
    Importer(uow, SHANGHAI, lambda: NOW).import_dir(write_chain(tmp_path / "chain"))


def draft(offer: OfferTerms | None = None, control_share: float = 0.0, days_valid: int = 14) -> CampaignDraft:
    return CampaignDraft(
        name="Hotpot week",
        segments=ALL_SEGMENTS,
        offer=offer or OfferTerms("amount_off", Decimal(5), Decimal(10)),
        channels=("chat", "sms", "email"),
        send_from=NOW - timedelta(hours=1),
        send_until=NOW + timedelta(days=2),
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=days_valid),
        control_share=control_share,
    )


def launch(uow: UnitOfWorkFactory, campaign: CampaignDraft, now: datetime = NOW):  # type: ignore[no-untyped-def]
    record = uow.run(lambda unit: create_campaign(unit, MANAGER, campaign, now, PROMOTIONS))
    return uow.run(
        lambda unit: approve_campaign(unit, MANAGER, record.campaign_id, now, PROMOTIONS, schedule_promotions)
    )


def receipt(receipt_id: str, code: str | None, at: datetime = NOW, member: str = "M001") -> Receipt:
    return Receipt(receipt_id, "S01", at, [ReceiptLine("COLA330", 2, 3.5), ReceiptLine("CHIPS70", 1, 7.9)],
                   member_id=member, coupon_code=code)  # fmt: skip


def post_like_the_till(uow: UnitOfWorkFactory, *receipts: Receipt):  # type: ignore[no-untyped-def]
    """As the sales posting service will: the rewards hook runs in its transaction, before its commit."""

    def post(unit):  # type: ignore[no-untyped-def]
        rewards = []
        now = max(r.at for r in receipts)
        post_receipts(unit, list(receipts), "till", lambda u, posted: rewards.append(on_receipts_posted(u, posted, now, PROMOTIONS)))
        return rewards[0]

    return uow.run(post)


def outbox_rows(uow: UnitOfWorkFactory) -> list:
    with uow(readonly=True) as unit:
        return unit.connection.exec_driver_sql(
            "SELECT key, member_id, channel, due_at FROM outbox_message"
        ).all()


def test_the_nightly_run_stores_a_snapshot_and_writes_the_segment_columns(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)

    scored = recompute_segments(uow, date(2026, 11, 20), now=NOW)
    path = write_segments_csv(scored, tmp_path / "members.csv")

    with uow(readonly=True) as unit:
        snapshot = unit.campaigns.targeting_frame()
    assert sorted(snapshot["member_id"]) == sorted(scored["member_id"]) == ["M001", "M002"]
    assert list(pd.read_csv(path).columns) == list(SEGMENT_COLUMNS)
    assert snapshot.set_index("member_id").loc["M002", "consent_chat"]


def test_history_on_or_after_the_date_is_not_scored(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)

    before_any_sale = recompute_segments(uow, date(2026, 11, 1), now=NOW).set_index("member_id")

    assert before_any_sale.loc["M001", "frequency"] == 0


def test_approval_gives_each_treated_member_one_code_and_one_message(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)

    approved = launch(uow, draft())

    rows = outbox_rows(uow)
    assert sorted(approved.codes) == ["M001", "M002"] and len(set(approved.codes.values())) == 2
    assert sorted((r.member_id, r.channel) for r in rows) == [("M001", "sms"), ("M002", "telegram")]
    assert approved.queued == len(rows)


def test_a_coupon_is_redeemed_once_and_later_receipts_are_refused(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)
    code = launch(uow, draft()).codes["M001"]

    first = post_like_the_till(uow, receipt("R-1", code.lower().replace("-", " ")))
    # S01 had one bag of chips, so the second basket is just a cola (a refused sale earns nothing).
    second = post_like_the_till(
        uow, Receipt("R-2", "S01", NOW, [ReceiptLine("COLA330", 1, 3.5)], member_id="M001", coupon_code=code)
    )

    assert [c for _, c, _ in first.redeemed] == [code] and first.redeemed[0][2] == Decimal("5.00")
    assert second.refused == [("R-2", code, "already_redeemed")]


def test_two_tills_presenting_the_same_code_at_once_redeem_it_once(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)
    code = launch(uow, draft()).codes["M001"]
    results = []
    tills = [threading.Thread(target=lambda n=n: results.append(post_like_the_till(uow, receipt(f"T-{n}", code))))
             for n in range(2)]  # fmt: skip

    for till in tills:
        till.start()
    for till in tills:
        till.join()

    assert sum(len(r.redeemed) for r in results) == 1
    with uow(readonly=True) as unit:
        assert len(unit.campaigns.redemptions(approved_id(unit))) == 1


def approved_id(unit) -> str:  # type: ignore[no-untyped-def]
    return unit.connection.exec_driver_sql("SELECT campaign_id FROM campaign").scalar_one()


def test_a_coupon_presented_after_its_validity_is_refused(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)
    code = launch(uow, draft(days_valid=3)).codes["M001"]

    late = post_like_the_till(uow, receipt("R-LATE", code, at=NOW + timedelta(days=4)))

    assert late.refused == [("R-LATE", code, "expired")] and not late.redeemed


def test_members_earn_a_point_per_yuan_and_a_multiplier_adds_its_bonus(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)
    code = launch(uow, draft(OfferTerms("points_multiplier", Decimal(3)))).codes["M001"]
    with uow(readonly=True) as unit:
        before = unit.members.points_balances()["M001"]

    rewards = post_like_the_till(uow, receipt("R-PTS", code))

    with uow(readonly=True) as unit:
        after = unit.members.points_balances()["M001"]
    assert rewards.points["M001"] == after - before == 14 + 2 * 14  # 14.90 yuan: 14 points, x3


def test_the_manager_gets_the_result_once_after_the_validity_window(uow, tmp_path: Path) -> None:
    load_chain(uow, tmp_path)
    recompute_segments(uow, date(2026, 11, 20), now=NOW)
    approved = launch(uow, draft(days_valid=3, control_share=0.5))
    later = NOW + timedelta(days=4)

    during = report_finished_campaigns(uow, NOW + timedelta(days=1))
    reported = report_finished_campaigns(uow, later)
    again = report_finished_campaigns(uow, later)

    keys = [r.key for r in outbox_rows(uow)]
    assert (during, reported, again) == (0, 1, 0)
    assert f"campaign_result:{approved.plan.record.campaign_id}" in keys
    with uow(readonly=True) as unit:
        assert campaign_outcome(unit, approved.plan.record.campaign_id).record.name == "Hotpot week"


# --- scheduling rules over random small campaigns, on the database ---------------------------------

member_specs = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.integers(0, 3)), min_size=1, max_size=10
)  # consent chat, sms, email; promotions already sent this week


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=member_specs, control=st.sampled_from([0.0, 0.3, 0.6]), hour=st.integers(0, 23),
       channels=st.permutations(["chat", "sms", "email"]).map(lambda c: tuple(c[:2])))  # fmt: skip
def test_scheduling_respects_consent_quiet_hours_caps_and_the_control_group(
    sqlite_template: Path, tmp_path: Path, members, control: float, hour: int, channels: tuple[str, ...]
) -> None:
    uow = fresh_database(sqlite_template, tmp_path)
    now = datetime(2026, 11, 20, hour, 0, tzinfo=SHANGHAI).astimezone(UTC)
    history = seed_members(uow, members, now)
    campaign = CampaignDraft("Random", ALL_SEGMENTS, OfferTerms("percent_off", Decimal(10)), channels,
                             now, now + timedelta(days=3), now, now + timedelta(days=10), control_share=control)  # fmt: skip

    approved = launch(uow, campaign, now)

    rows = outbox_rows(uow)
    consent = {
        f"M{i}": dict(zip(("telegram", "sms", "email"), spec[:3], strict=True))
        for i, spec in enumerate(members)
    }
    control_group = set(approved.plan.audience.control)
    quiet = QuietHours()
    for row in rows:
        due = row.due_at if isinstance(row.due_at, datetime) else datetime.fromisoformat(str(row.due_at))
        assert consent[row.member_id][row.channel]
        assert row.member_id not in control_group
        assert not quiet.contains(due.replace(tzinfo=UTC).astimezone(SHANGHAI).time())
        assert history[row.member_id] < 2  # two promotions this week already: the cap leaves no room
    assert len({r.member_id for r in rows}) == len(rows)


def fresh_database(template: Path, tmp_path: Path) -> UnitOfWorkFactory:
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copy(template, path)
    return UnitOfWorkFactory(open_database(f"sqlite:///{path}"))


def seed_members(uow: UnitOfWorkFactory, specs, now: datetime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Members with the given consents, all scored 'active', some already sent promotions this week."""
    members = [
        Member(f"M{i}", f"Member {i}", f"+86139{i:08d}", f"m{i}@example.com", 500000 + i, date(2025, 1, 1), "silver",
               {ContactChannel.CHAT: chat, ContactChannel.SMS: sms, ContactChannel.EMAIL: email})
        for i, (chat, sms, email, _) in enumerate(specs)
    ]  # fmt: skip
    scored = pd.DataFrame(
        {"member_id": [m.member_id for m in members], "segment": "active", "tier": "silver", "recency_days": 10,
         "frequency": 3, "monetary": 50.0, "p_buy_30d": 0.4, "p_buy_90d": 0.7, "expected_value_90d": 90.0,
         "top_categories": "饮料", "next_best_skus": ""}
    )  # fmt: skip
    with uow() as unit:
        unit.members.save_many(members, existing=set())
        unit.campaigns.replace_segments(scored, now)
        unit.commit()
    earlier = CampaignDraft("Earlier", ALL_SEGMENTS, OfferTerms("percent_off", Decimal(5)), ("chat", "sms", "email"),
                            now - timedelta(days=5), now + timedelta(days=1), now - timedelta(days=5), now + timedelta(days=1))  # fmt: skip
    history = {m.member_id: spec[3] for m, spec in zip(members, specs, strict=True)}
    for n in range(3):
        record = uow.run(lambda unit: create_campaign(unit, MANAGER, earlier, now, PROMOTIONS))
        sent = [
            (contact(m, record.campaign_id, now - timedelta(days=5 - n)), 0.0)
            for m, c in history.items()
            if c > n
        ]
        with uow() as unit:
            unit.campaigns.add_contacts(sent, [], record.campaign_id)
            unit.commit()
    return history


def contact(member_id: str, campaign_id: str, at: datetime) -> Contact:
    return Contact(member_id, campaign_id, Channel.SMS, at)
