"""Member frames read from the database carry where stock is surplus or slow, so offers can lean on it."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from tests.support.chain import write_chain

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def loaded(uow: UnitOfWorkFactory, tmp_path: Path) -> None:
    Importer(uow, ZoneInfo("Asia/Shanghai"), lambda: NOW).import_dir(write_chain(tmp_path))


def surplus_of(uow: UnitOfWorkFactory) -> dict[tuple[str, str], tuple[float, float]]:
    with uow(readonly=True) as unit:
        frame = unit.member_frames.load("Asia/Shanghai").surplus
    return {(r.location_code, r.sku): (r.surplus_units, r.days_of_cover) for r in frame.itertuples()}


def test_cover_is_unknown_until_the_sweep_has_measured_sales_rates(uow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded(uow, tmp_path)

    surplus = surplus_of(uow)

    assert surplus and all(math.isnan(cover) for _, cover in surplus.values())
    assert ("W01", "COLA330") not in surplus, "warehouses are not where members shop"


def test_units_above_the_max_are_surplus_and_cover_follows_the_sales_rate(uow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded(uow, tmp_path)
    with uow() as unit:
        unit.stock.set_limits("S02", "COLA330", 5, 12)  # 30 on hand
        unit.alerts.replace_sales_rates({("S01", "COLA330"): 0.5}, NOW)
        unit.commit()

    surplus = surplus_of(uow)

    assert surplus[("S02", "COLA330")][0] == 18
    assert surplus[("S01", "COLA330")] == (0, 20)  # 10 on hand at half a can a day, under its max of 40
    assert surplus[("S02", "COLA330")][1] == math.inf, "sold nothing since the sweep: it is not moving"
