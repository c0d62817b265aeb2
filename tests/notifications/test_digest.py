"""Manager digests: low stock by store and category, transfers and counts waiting, sales against last week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.csvio.importer import Importer
from adapters.db.alert_repository import DigestChannels
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.templates import render
from domain.counts import CountLine, CountSession, CountState
from domain.sales import Receipt, ReceiptLine
from domain.services.sales import post_receipts
from domain.transfers import TransferRequest
from notifications.digests import (
    DigestSection,
    DigestSettings,
    collect_digest,
    fit_for_telegram,
    send_daily_digests,
)
from tests.conftest import FrozenClock
from tests.support.chain import write_chain

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai on Friday 20 November
MANAGER, WAREHOUSE_MANAGER, ADMIN = 200001, 200002, 900001


@pytest.fixture
def shop(sqlite_database, tmp_path: Path) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    uow = UnitOfWorkFactory(sqlite_database)
    Importer(uow, SHANGHAI, FrozenClock(NOW)).import_dir(write_chain(tmp_path / "chain"))
    return uow


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def sell(uow: UnitOfWorkFactory, receipt_id: str, at: datetime, sku: str, qty: int, location: str = "S01") -> None:
    receipt = Receipt(receipt_id, location, at, [ReceiptLine(sku, qty, 3.5)])
    uow.run(lambda unit: post_receipts(unit, [receipt], "test"))


def digest_for(uow: UnitOfWorkFactory, user_id: int, settings: DigestSettings | None = None) -> dict:
    with uow(readonly=True) as unit:
        return collect_digest(unit, unit.staff.get(user_id), NOW, settings or DigestSettings())


def store(facts: dict, code: str) -> dict:
    return next(s for s in facts["stores"] if s["code"] == code)


def test_low_and_empty_items_are_grouped_by_category_with_days_of_cover_left(shop) -> None:
    sell(shop, "A", local(19, 12), "COLA330", 6)  # 10 -> 4, below its minimum of 5
    sell(shop, "B", local(19, 13), "CHIPS70", 1)  # the last bag

    s01 = store(digest_for(shop, MANAGER), "S01")

    assert (s01["low_count"], s01["out_count"]) == (2, 1)
    by_category = {group["category"]: group["lines"] for group in s01["categories"]}
    [cola] = by_category["饮料"]
    [chips] = by_category["零食"]
    assert cola["available"] == 4 and cola["days_of_cover"] == pytest.approx(round(4 / (8 / 28), 1))
    assert chips["out"] and chips["days_of_cover"] == 0.0


def test_yesterday_is_compared_with_the_same_weekday_a_week_before_in_local_days(shop) -> None:
    sell(shop, "Y1", local(19, 0, 5), "COLA330", 2)  # Thursday, just after local midnight
    sell(shop, "Y2", local(19, 23, 55), "COLA330", 2)
    sell(shop, "T1", local(20, 0, 10), "COLA330", 1)  # today: not yesterday
    sell(shop, "W1", local(12, 18), "COLA330", 1)  # Thursday a week before

    sales = store(digest_for(shop, MANAGER), "S01")["sales"]

    assert (sales["yesterday"], sales["week_before"]) == (14.0, 3.5)
    assert sales["change_pct"] == pytest.approx(300.0)


def test_open_transfers_show_their_age_and_counts_awaiting_approval_their_variance(shop) -> None:
    with shop() as unit:
        unit.transfers.add(TransferRequest(0, "COLA330", 12, "W01", "S01", "staff:100001", NOW - timedelta(hours=30)))
        session = unit.counts.add(CountSession(0, "S01", "staff:100001", NOW - timedelta(hours=3)))
        session.lines["COLA330"] = CountLine("COLA330", 7, 10, NOW - timedelta(hours=3), "staff:100001", 2.1)
        session.lines["CHIPS70"] = CountLine("CHIPS70", 1, 1, NOW - timedelta(hours=3), "staff:100001", 4.8)
        session.state = CountState.SUBMITTED
        unit.counts.save(session)
        unit.commit()

    facts = digest_for(shop, MANAGER)

    [transfer] = facts["transfers"]
    assert (transfer["from"], transfer["to"], transfer["age_hours"]) == ("W01", "S01", 30.0)
    [count] = facts["counts"]
    assert (count["lines_off"], count["units_off"], count["value_off"]) == (1, -3, pytest.approx(-6.3))


def test_a_manager_sees_their_own_stores_and_an_admin_sees_every_location(shop) -> None:
    assert [s["code"] for s in digest_for(shop, MANAGER)["stores"]] == ["S01"]
    assert [s["code"] for s in digest_for(shop, WAREHOUSE_MANAGER)["stores"]] == ["W01"]
    assert [s["code"] for s in digest_for(shop, ADMIN)["stores"]] == ["S01", "S02", "S03", "W01"]


def test_extra_sections_join_the_digest_for_the_managers_they_concern(shop) -> None:
    def plan(uow, manager, now):  # type: ignore[no-untyped-def]
        return DigestSection("replenishment", {"orders": 3}) if "S01" in manager.locations else None

    settings = DigestSettings(extra_sections=[plan])

    assert digest_for(shop, MANAGER, settings)["extra_sections"] == [{"template": "replenishment", "facts": {"orders": 3}}]
    assert digest_for(shop, WAREHOUSE_MANAGER, settings)["extra_sections"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_digest_reads_well_in_telegram_and_email_in_both_languages(shop, lang: str) -> None:
    sell(shop, "A", local(19, 12), "COLA330", 6)
    facts = digest_for(shop, ADMIN)

    telegram = render("notifications/digest/telegram", lang, html=True, **facts)
    text = render("notifications/digest/email_text", lang, **facts)
    html = render("notifications/digest/email_html", lang, html=True, image_cid="chart", **facts)

    for body in (telegram, text, html):
        assert "COLA330" in body and "S02" in body
    assert len(telegram) < 4096 and 'src="cid:chart"' in html


def test_the_daily_digest_goes_once_a_day_to_each_manager_on_the_channels_they_chose(shop) -> None:
    with shop() as unit:
        unit.alerts.set_digest_channels(MANAGER, DigestChannels(telegram=True, email=True))
        unit.alerts.set_digest_channels(WAREHOUSE_MANAGER, DigestChannels(telegram=False, email=True))  # no address
        unit.commit()

    first = send_daily_digests(shop, NOW, DigestSettings())
    again = send_daily_digests(shop, NOW + timedelta(hours=1), DigestSettings())

    with shop(readonly=True) as unit:
        day = "2026-11-20"
        email = unit.outbox.by_key(f"digest:{MANAGER}:{day}:email")
        chart = unit.outbox.by_key(f"digest:{MANAGER}:{day}:telegram:chart")
        assert email.address == "li@example.com" and email.image[:4] == b"\x89PNG"
        assert chart.address == str(MANAGER) and chart.image[:4] == b"\x89PNG"
        assert unit.outbox.by_key(f"digest:{WAREHOUSE_MANAGER}:{day}:email") is None
        assert unit.outbox.by_key(f"digest:{ADMIN}:{day}:telegram") is not None
    assert first == 5 and again == 0  # manager: text + chart + email; admin: text + chart


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_digest_too_long_for_one_telegram_message_keeps_the_worst_stores_and_counts_the_rest(shop, lang: str) -> None:
    sell(shop, "A", local(19, 12), "COLA330", 10)  # S01 runs out
    facts = digest_for(shop, ADMIN)
    quiet = next(s for s in facts["stores"] if s["code"] == "S02")
    facts["stores"] += [{**quiet, "code": f"X{n:02d}", "name": f"Store number {n}"} for n in range(80)]

    fitted = fit_for_telegram(facts, lang)

    text = render("notifications/digest/telegram", lang, html=True, **fitted)
    assert len(text) <= 4000 and fitted["stores"][0]["code"] == "S01"
    assert fitted["more_stores"] == len(facts["stores"]) - len(fitted["stores"]) > 0
    assert str(fitted["more_stores"]) in text
