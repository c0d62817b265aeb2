"""The forecast, replenish and backtest commands, and the nightly plan, over the database.

`main.py` calls these with its unit-of-work factory; each reads the chain in one
read-only transaction, runs the engine outside it (minutes of CPU must not hold
a database lock) and, for the plan, stores the result in one short write.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from adapters.analytics_frames import render_plan_reasons
from adapters.charts_backtest import write_backtest
from adapters.db.chain_frames_db import load_chain_frames_db
from domain.forecasting.api import fit_and_forecast, forecast_panel, forecast_table
from domain.forecasting.frames import ChainFrames
from domain.forecasting.model import ForecastConfig
from domain.forecasting.panel import build_panel
from domain.replenishment.backtest import run_backtest as backtest_engine
from domain.replenishment.config import PolicyConfig
from domain.replenishment.plan import chain_targets, plan_from_targets
from domain.services.replenishment import StoredPlan, store_plan

log = logging.getLogger(__name__)
CSV_COLUMNS = (
    "location_code", "sku", "on_hand", "in_transit", "forecast_daily", "safety_stock", "reorder_point",
    "order_up_to", "suggested_qty", "source_kind", "source_code", "reason",
)
QUANTILES = (0.5, 0.9)


@dataclass(frozen=True, slots=True)
class NightlyRun:
    """Tonight's plan: the lines (with `reason_facts`), every position's targets, and what took how long."""

    as_of: date
    plan: pd.DataFrame
    targets: pd.DataFrame
    seconds: dict[str, float]


def today_in(tz: str, now: datetime | None = None) -> date:
    return (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()


def load_frames(uow_factory, tz: str, before: date | None = None) -> ChainFrames:  # type: ignore[no-untyped-def]
    """The chain from the database in one read-only transaction."""
    with uow_factory(readonly=True) as unit:
        return load_chain_frames_db(unit.connection, tz, before)


def plan_chain(uow_factory, as_of: date, tz: str, config: PolicyConfig | None = None) -> NightlyRun:  # type: ignore[no-untyped-def]
    """Load, fit, forecast and plan from the history before `as_of` (no writes)."""
    config = config or PolicyConfig()
    seconds, started = {}, time.perf_counter()
    frames = load_frames(uow_factory, tz, as_of)
    seconds["load"] = time.perf_counter() - started
    panel = build_panel(frames, pd.Timestamp(as_of), ForecastConfig().history_days)
    # The panel holds the history now; at 200 stores x 10,000 SKUs the sales frame is most of a gigabyte.
    frames = frames.without_sales()
    outlook = forecast_panel(panel).outlook
    del panel  # the plan reads the outlook only
    seconds["forecast"] = time.perf_counter() - started - seconds["load"]
    targets = chain_targets(frames, outlook, config)
    plan = plan_from_targets(targets, frames, config)
    seconds["plan"] = time.perf_counter() - started - seconds["load"] - seconds["forecast"]
    return NightlyRun(as_of, plan, targets, {name: round(value, 1) for name, value in seconds.items()})


def store_run(uow_factory, run: NightlyRun, now: datetime) -> StoredPlan:  # type: ignore[no-untyped-def]
    """Keep the plan for the managers and its reorder points for low-stock alerts."""
    lines = run.plan.drop(columns=["on_hand_after"], errors="ignore").to_dict("records")
    points = run.targets[["location_code", "sku", "reorder_point"]].dropna().to_dict("records")
    return uow_factory.run(lambda unit: store_plan(unit, run.as_of, lines, points, now))


def nightly_plan(uow_factory, now: datetime, tz: str, config: PolicyConfig | None = None) -> StoredPlan | None:  # type: ignore[no-untyped-def]
    """The scheduler's job: plan from the history before today (local) and store it.

    CPU-bound for a minute or two: run it in a worker thread. A second run on a day
    whose plan managers have started deciding leaves that plan alone (None).
    """
    today = today_in(tz, now)
    with uow_factory(readonly=True) as unit:
        plan_id = unit.replenishment.plan_id(today)
        if plan_id is not None and unit.replenishment.has_decisions(plan_id):
            log.info("nightly plan %s: already being decided, left as it is", today)
            return None
    run = plan_chain(uow_factory, today, tz, config)
    stored = store_run(uow_factory, run, now)
    log.info("nightly plan %s: %d lines, %d reorder points, %s s", stored.plan_date, stored.lines,
             stored.reorder_points, run.seconds)  # fmt: skip
    return stored


def run_forecast(uow_factory, as_of: date | None, horizon: int, out: Path | None, tz: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """`forecast`: daily demand per location x SKU from `as_of` (history before it) with p50/p90."""
    as_of = as_of or today_in(tz)
    frames = load_frames(uow_factory, tz, as_of)
    forecast = fit_and_forecast(frames, pd.Timestamp(as_of), ForecastConfig(horizon_days=horizon))
    table = forecast_table(forecast.outlook, frames.locations, QUANTILES)
    table["date"] = pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d")
    _write(table, out)
    print(f"forecast from {as_of} for {horizon} days: {len(forecast.panel.series)} series, {len(table)} rows"
          + (f" -> {out}" if out else ""))  # fmt: skip
    return table


def run_replenish(uow_factory, as_of: date | None, out: Path | None, tz: str, store: bool = True, lang: str = "en",  # type: ignore[no-untyped-def]
                  config: PolicyConfig | None = None) -> pd.DataFrame:
    """`replenish`: the plan CSV (reason sentences in `lang`); with `store`, kept for the managers' approval."""
    run = plan_chain(uow_factory, as_of or today_in(tz), tz, config)
    table = _plan_csv(run.plan, lang)
    _write(table, out)
    kinds = table["source_kind"].value_counts().to_dict()
    print(f"plan for {run.as_of}: {len(table)} lines ({kinds.get('supplier', 0)} purchases, "
          f"{kinds.get('transfer', 0)} transfers) in {sum(run.seconds.values()):.1f} s {run.seconds}"
          + (f" -> {out}" if out else ""))  # fmt: skip
    if store:
        stored = store_run(uow_factory, run, datetime.now(ZoneInfo(tz)))
        print(f"stored as plan {stored.plan_id}; {stored.reorder_points} reorder points written to positions")
    return table


def run_backtest(uow_factory, out_dir: Path, tz: str, *, origins: int = 3, horizon: int = 28, simulation_days: int = 84,  # type: ignore[no-untyped-def]
                 config: PolicyConfig | None = None) -> list[Path]:
    """`backtest`: accuracy by rolling origin and the policy against min/max; stdout, CSV files and a PNG."""
    frames = load_frames(uow_factory, tz, today_in(tz))  # today's sales are not finished: leave them out
    result = backtest_engine(frames, origins=origins, horizon_days=horizon, simulation_days=simulation_days, config=config)
    print("forecast accuracy (WAPE, MASE, bias) by method and ABC class:")
    print(result.accuracy.to_string(index=False))
    print("inventory simulation, policy against min/max (7 / 21 days of average demand):")
    print(result.simulation.to_string(index=False))
    written = write_backtest(result, Path(out_dir))
    for path in written:
        print("wrote", path)
    return written


def _plan_csv(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The issue's columns: whole units as integers, rates and stock levels to two decimals."""
    if plan.empty:
        return pd.DataFrame(columns=CSV_COLUMNS)
    table = render_plan_reasons(plan, lang)[list(CSV_COLUMNS)]
    table["suggested_qty"] = table["suggested_qty"].round().astype(int)
    numbers = ["on_hand", "in_transit", "forecast_daily", "safety_stock", "reorder_point", "order_up_to"]
    table[numbers] = table[numbers].astype(float).round(2)
    return table


def _write(table: pd.DataFrame, out: Path | None) -> None:
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
