"""The backtest: forecast accuracy by rolling origin and the inventory simulation, one result."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.forecasting.accuracy import origin_scores, summarise
from domain.forecasting.frames import ChainFrames
from domain.forecasting.model import DemandForecaster, ForecastConfig
from domain.forecasting.panel import build_panel
from domain.replenishment.config import PolicyConfig
from domain.replenishment.simulation import simulate, summarise_simulation


@dataclass
class BacktestResult:
    """accuracy: method x ABC class metrics; simulation: per-policy metrics; daily: the simulated days."""

    accuracy: pd.DataFrame
    simulation: pd.DataFrame
    daily: pd.DataFrame
    scores: pd.DataFrame


def run_backtest(
    frames: ChainFrames, *, origins: int = 3, horizon_days: int = 28, simulation_days: int = 56,
    config: PolicyConfig | None = None, forecast_config: ForecastConfig | None = None,
) -> BacktestResult:
    """Score forecasts at `origins` origins `horizon_days` apart ending at the last sales day,
    then simulate the last `simulation_days` days under both policies."""
    forecast_config = forecast_config or ForecastConfig()
    end = frames.sales["date"].max() + pd.Timedelta(days=1)
    starts = [end - pd.Timedelta(days=horizon_days * k) for k in range(origins, 0, -1)]
    scores = pd.concat([origin_scores(frames, o, horizon_days, forecast_config) for o in starts], ignore_index=True)
    start = end - pd.Timedelta(days=simulation_days)
    history_days = forecast_config.history_days
    fitted = DemandForecaster(forecast_config).fit(build_panel(frames.history_before(start), start, history_days))
    truth = build_panel(frames, end, history_days + simulation_days)
    daily = pd.concat([
        simulate(frames, truth, start, simulation_days, "assistant", fitted, config),
        simulate(frames, truth, start, simulation_days, "min_max", None, config),
    ], ignore_index=True)
    return BacktestResult(summarise(scores), summarise_simulation(daily), daily, scores)
