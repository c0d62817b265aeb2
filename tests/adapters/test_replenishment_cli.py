"""The forecast, replenish and backtest commands on a small generated chain in a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from adapters.csvio.importer import Importer
from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.demo_chain import generate_demo_chain
from adapters.replenishment_cli import CSV_COLUMNS, nightly_plan, run_backtest, run_forecast, run_replenish
from domain.services.replenishment import skip_line
from domain.staff import Role

TZ = "Asia/Shanghai"
LAST_DAY = date(2026, 10, 31)
AS_OF = LAST_DAY + timedelta(days=1)


@pytest.fixture(scope="module")
def chain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli_chain")
    generate_demo_chain(directory, stores=3, skus=40, days=120, end_date=LAST_DAY, members=30)
    return directory


@pytest.fixture
def chain(sqlite_database, chain_dir: Path, clock) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    uow = UnitOfWorkFactory(sqlite_database)
    Importer(uow, ZoneInfo(TZ), clock).import_dir(chain_dir)
    return uow


def test_replenish_writes_the_issues_columns_with_a_reason_sentence_and_keeps_nothing_unless_asked(chain, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan.csv"

    run_replenish(chain, AS_OF, out, TZ, store=False)

    plan = pd.read_csv(out, dtype={"source_code": str})
    assert tuple(plan.columns) == CSV_COLUMNS
    assert len(plan) > 0 and set(plan["source_kind"]) <= {"supplier", "transfer"}
    assert plan["suggested_qty"].dtype.kind == "i" and (plan["suggested_qty"] > 0).all() and plan["reason"].str.contains("reorder point").all()
    assert "plan for 2026-11-01" in capsys.readouterr().out
    with chain(readonly=True) as unit:
        assert unit.replenishment.latest_plan_id(AS_OF) is None


def test_the_nightly_plan_is_stored_for_today_in_the_shops_zone_with_reorder_points_on_positions(chain) -> None:  # type: ignore[no-untyped-def]
    shanghai_morning = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)  # 01:30 on 1 November in Shanghai

    stored = nightly_plan(chain, shanghai_morning, TZ)

    assert stored.plan_date == AS_OF
    with chain(readonly=True) as unit:
        lines = unit.replenishment.lines(stored.plan_id)
        positions = unit.stock.all_positions()
        with_point = sum(1 for p in positions if unit.catalog.reorder_points(p.sku).get(p.location_code) is not None)
    assert len(lines) == stored.lines > 0 and {line.state for line in lines} == {"proposed"}
    assert with_point == stored.reorder_points > len(positions) // 2
    assert stored.lines < stored.reorder_points  # lines only where stock moves; every position gets its point

    admin = chain.run(lambda unit: next(s for s in unit.staff.all() if s.role is Role.ADMIN))
    chain.run(lambda unit: skip_line(unit, admin, lines[0].id, shanghai_morning))
    assert nightly_plan(chain, shanghai_morning, TZ) is None  # a plan being decided is left alone
    with chain(readonly=True) as unit:
        assert unit.replenishment.line(lines[0].id).state == "skipped"


def test_forecast_starts_at_the_date_given_and_reads_only_the_history_before_it(chain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "forecast.csv"
    earlier = AS_OF - timedelta(days=14)

    run_forecast(chain, earlier, 7, out, TZ)

    table = pd.read_csv(out)
    assert list(table.columns[:4]) == ["location_code", "sku", "date", "forecast"]
    assert {"p50", "p90"} <= set(table.columns)
    assert sorted(table["date"].unique()) == [(earlier + timedelta(days=n)).isoformat() for n in range(7)]
    assert (table["forecast"] >= 0).all() and (table["p90"] >= table["p50"]).all()


def test_backtest_prints_accuracy_and_the_simulation_and_writes_csv_and_a_chart(chain, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    written = run_backtest(chain, tmp_path / "bt", TZ, origins=1, horizon=7, simulation_days=7)

    printed = capsys.readouterr().out
    assert {p.name for p in written} >= {"accuracy.csv", "simulation.csv", "backtest.png"}
    assert "wape" in printed.lower() and "min_max" in printed
    accuracy = pd.read_csv(tmp_path / "bt" / "accuracy.csv")
    assert {"seasonal_naive", "ma28"} & set(accuracy["method"]) and (tmp_path / "bt" / "backtest.png").stat().st_size > 1000
