"""The backtest: forecast accuracy by rolling origin and the inventory simulation, one result."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.forecasting.accuracy import origin_scores, summarise
from domain.forecasting.frames import ChainFrames
from domain.forecasting.model import DemandForecaster, ForecastConfig
from domain.forecasting.panel import SalesPanel, build_panel
from domain.replenishment.config import PolicyConfig
from domain.replenishment.simulation import simulate, simulation_by_class, summarise_simulation
from domain.replenishment.targets import abc_classes

# Unscored days before the simulation is measured, so each policy runs on stock its own rules built.
WARMUP_DAYS = 28


@dataclass
class BacktestResult:
    """accuracy: method x ABC class metrics; simulation: per-policy metrics (by_class: per ABC
    class of store series and for warehouses); daily: the simulated days."""

    accuracy: pd.DataFrame
    simulation: pd.DataFrame
    daily: pd.DataFrame
    scores: pd.DataFrame
    by_class: pd.DataFrame


def run_backtest(
    frames: ChainFrames, *, origins: int = 3, horizon_days: int = 28, simulation_days: int = 84,
    warmup_days: int = WARMUP_DAYS, config: PolicyConfig | None = None, forecast_config: ForecastConfig | None = None,
) -> BacktestResult:
    """Score forecasts at `origins` origins `horizon_days` apart ending at the last sales day,
    then simulate both policies over the last `warmup_days + simulation_days` days, scoring the last `simulation_days`."""
    forecast_config = forecast_config or ForecastConfig()
    end = frames.sales["date"].max() + pd.Timedelta(days=1)
    starts = [end - pd.Timedelta(days=horizon_days * k) for k in range(origins, 0, -1)]
    scores = pd.concat([origin_scores(frames, o, horizon_days, forecast_config) for o in starts], ignore_index=True)
    start = end - pd.Timedelta(days=simulation_days + warmup_days)
    history_days = forecast_config.history_days
    fitted = DemandForecaster(forecast_config).fit(build_panel(frames.history_before(start), start, history_days))
    truth = build_panel(frames, end, history_days + simulation_days + warmup_days)
    runs = [
        simulate(frames, truth, start, simulation_days, policy, forecaster, config, warmup_days=warmup_days)
        for policy, forecaster in (("assistant", fitted), ("min_max", None))
    ]
    daily = pd.concat([run.daily for run in runs], ignore_index=True)
    series = pd.concat([run.series for run in runs], ignore_index=True)
    by_class = simulation_by_class(series, _store_abc(truth, truth.days.get_loc(start)), simulation_days)
    return BacktestResult(summarise(scores), summarise_simulation(daily), daily, scores, by_class)


def _store_abc(truth: SalesPanel, first: int) -> pd.DataFrame:
    """ABC class of each store series by its sales value over the 91 days before the simulation."""
    value = pd.Series(truth.qty[:, max(first - 91, 0):first].sum(axis=1) * truth.series["unit_price"].to_numpy())
    keys = truth.series[["location_code", "sku"]]
    return keys.assign(abc=abc_classes(keys["location_code"], value, (0.80, 0.95)).to_numpy())
