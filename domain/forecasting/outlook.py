"""A forecast from one origin: daily means per series plus how uncertain they are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.forecasting.uncertainty import WINDOWS, demand_quantile, spread_over
from domain.replenishment.network import serving_warehouse

TOTAL_BLOCK_ROWS = 100_000


@dataclass
class DemandOutlook:
    """Mean daily demand for `daily.shape[1]` days from `start`, one row per series."""

    series: pd.DataFrame  # location_code, sku, ... (stores also: demand_class, method)
    start: pd.Timestamp
    daily: np.ndarray  # float32 (series, horizon)
    spread: np.ndarray  # (series, len(WINDOWS)): variance / mean of demand summed over each window

    def total(self, first_day: np.ndarray | int, days: np.ndarray | int) -> np.ndarray:
        """Expected demand over `days` days starting `first_day` days after `start`, per series."""
        n, horizon = self.daily.shape
        first = np.broadcast_to(np.asarray(first_day), n)
        last = first + np.broadcast_to(np.asarray(days), n)
        within = np.empty(n)
        # Running sums a block of rows at a time: for all series at once they would be 0.7 GB at 1.5 million.
        for start in range(0, n, TOTAL_BLOCK_ROWS):
            block = slice(start, min(start + TOTAL_BLOCK_ROWS, n))
            cumulative = np.zeros((block.stop - start, horizon + 1))
            np.cumsum(self.daily[block], axis=1, out=cumulative[:, 1:])
            rows = np.arange(block.stop - start)
            within[block] = (
                cumulative[rows, np.minimum(last[block], horizon)] - cumulative[rows, np.minimum(first[block], horizon)]
            )
        # Beyond the horizon, carry the last week's average forward.
        beyond = np.maximum(last - np.maximum(first, horizon), 0)
        return within + beyond * self.daily[:, -7:].mean(axis=1)

    def quantile_over(self, days: np.ndarray | int, q: np.ndarray | float) -> np.ndarray:
        """Quantile `q` of total demand over the next `days` days, per series."""
        return demand_quantile(self.total(0, days), spread_over(self.spread, days), q)

    def daily_quantile(self, q: float) -> np.ndarray:
        """Quantile `q` of each day's demand, (series, horizon)."""
        return demand_quantile(self.daily, spread_over(self.spread, 1.0)[:, None], q)

    def with_warehouses(self, locations: pd.DataFrame) -> DemandOutlook:
        """This outlook plus one row per warehouse x SKU: the sum of the stores it serves.

        Variances add across stores, so a warehouse's dispersion is the
        demand-weighted mean of its stores' dispersions.
        """
        serving = serving_warehouse(locations)
        warehouse = self.series["location_code"].map(serving)
        if serving.empty or warehouse.isna().all():
            return self
        horizon = self.daily.shape[1]
        rate = self.daily.mean(axis=1, keepdims=True)
        frame = pd.DataFrame(np.hstack([self.daily, self.spread * rate, rate])).assign(
            location_code=warehouse.to_numpy(), sku=self.series["sku"].to_numpy()
        )
        summed = frame.dropna(subset=["location_code"]).groupby(["location_code", "sku"], sort=True).sum()
        values = summed.to_numpy(dtype=float)
        daily = values[:, :horizon].astype(np.float32)
        spread = np.maximum(values[:, horizon : horizon + len(WINDOWS)] / np.maximum(values[:, -1:], 1e-9), 1.0)
        keys = summed.index.to_frame(index=False)
        series = pd.concat([self.series, keys], ignore_index=True)
        return DemandOutlook(series, self.start, np.vstack([self.daily, daily]), np.vstack([self.spread, spread]))
