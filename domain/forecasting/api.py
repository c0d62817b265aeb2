"""The forecasting entry points the CLI, the nightly job and the planner call."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from domain.forecasting.frames import ChainFrames, as_day
from domain.forecasting.model import DemandForecaster, ForecastConfig
from domain.forecasting.outlook import DemandOutlook
from domain.forecasting.panel import SalesPanel, build_panel


@dataclass
class ChainForecast:
    """A fitted forecaster, the history it read and its forecast from `as_of`."""

    panel: SalesPanel
    forecaster: DemandForecaster
    outlook: DemandOutlook


def fit_and_forecast(frames: ChainFrames, as_of: object, config: ForecastConfig | None = None) -> ChainForecast:
    """Fit on the history before `as_of` and forecast the store series from `as_of`."""
    config = config or ForecastConfig()
    # build_panel reads only rows before as_of; no filtered copy of the sales needed.
    return forecast_panel(build_panel(frames, as_day(as_of), config.history_days), config)


def forecast_panel(panel: SalesPanel, config: ForecastConfig | None = None) -> ChainForecast:
    """Fit on a panel already built and forecast from its `as_of`.

    For callers that let go of the sales frame once the panel holds the history:
    at 200 stores x 10,000 SKUs that frame is most of a gigabyte.
    """
    forecaster = DemandForecaster(config or ForecastConfig()).fit(panel)
    return ChainForecast(panel, forecaster, forecaster.outlook(panel))


def forecast_demand(
    frames: ChainFrames,
    as_of: object,
    horizon_days: int = 56,
    quantiles: tuple[float, ...] = (0.5, 0.9),
    config: ForecastConfig | None = None,
) -> pd.DataFrame:
    """Daily demand per location x SKU from `as_of` (history before it only).

    Columns: location_code, sku, date, forecast, and one `p<q>` column per
    quantile (p50, p90). Warehouse rows carry what their stores are expected to pull.
    """
    config = config or ForecastConfig()
    config = replace(config, horizon_days=horizon_days)
    outlook = fit_and_forecast(frames, as_of, config).outlook
    return forecast_table(outlook, frames.locations, quantiles)


def forecast_table(outlook: DemandOutlook, locations: pd.DataFrame, quantiles: tuple[float, ...]) -> pd.DataFrame:
    """Long table of store and warehouse daily forecasts with quantile columns."""
    chain = outlook.with_warehouses(locations)
    horizon = chain.daily.shape[1]
    keys = chain.series[["location_code", "sku"]]
    table = keys.loc[keys.index.repeat(horizon)].reset_index(drop=True)
    table["date"] = np.tile(pd.date_range(chain.start, periods=horizon, freq="D").to_numpy(), len(keys))
    table["forecast"] = chain.daily.ravel().round(3)
    for q in quantiles:
        table[f"p{round(q * 100)}"] = chain.daily_quantile(q).ravel()
    return table
