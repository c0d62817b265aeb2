"""Sales history as dense series x day matrices, the shape every model reads.

A row is one store x SKU that the chain sells or stocks; a column is one day
before `as_of`. Matrices are float32 to keep 200 stores x 10,000 SKUs in memory;
promotion shares, zero on most days, are kept sparse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from domain.forecasting.censoring import censored_days
from domain.forecasting.frames import ChainFrames, as_day


@dataclass(frozen=True)
class SparseDays:
    """A (series, days) matrix that is zero on most days, kept as (row, column, value) triplets.

    `matrix[:, a:b]` is the dense float32 window, so code written for a dense
    matrix reads it unchanged while the full matrix is never built: at 1.6
    million series a dense copy would be 1.2 GB for a column that is mostly zeros.
    """

    shape: tuple[int, int]
    rows: np.ndarray  # int32
    columns: np.ndarray  # int32
    values: np.ndarray  # float32

    def __getitem__(self, key: tuple[slice, slice]) -> np.ndarray:
        rows, columns = key
        if rows != slice(None) or not isinstance(columns, slice) or columns.step not in (None, 1):
            raise TypeError("SparseDays reads whole rows over a window of days: matrix[:, start:stop]")
        start, stop, _ = columns.indices(self.shape[1])
        window = np.zeros((self.shape[0], max(stop - start, 0)), dtype=np.float32)
        inside = (self.columns >= start) & (self.columns < stop)
        window[self.rows[inside], self.columns[inside] - start] = self.values[inside]
        return window

    def before(self, t: int) -> SparseDays:
        """The first `t` days only."""
        early = self.columns < t
        return SparseDays((self.shape[0], t), self.rows[early], self.columns[early], self.values[early])


# Days of category sales kept beside the panel: last year's festival and the four weeks before
# its run-up are in reach when this year's comes eleven days earlier (Mid-Autumn 2026) or a
# month later (Spring Festival 2026). A few hundred numbers a day, where the panel holds a
# column per series.
CATEGORY_HISTORY_DAYS = 455


@dataclass(frozen=True)
class CategoryDays:
    """Sales per category x region x day over the `CATEGORY_HISTORY_DAYS` before the panel's `as_of`,
    for the seasonal shapes a year back that the panel itself does not reach. Only days that
    measure demand count (as in the panel's `observed`), so a rate here reads like the flat rates."""

    keys: np.ndarray  # int64, sorted: category_id * REGION_SLOTS + region_id, as in the series
    first_day: pd.Timestamp
    units: np.ndarray  # float32 (keys, days): units sold on days that measure demand
    seen: np.ndarray  # float32 (keys, days): series whose day measures demand (on sale, shelf not empty)

    def rows_of(self, series: pd.DataFrame) -> np.ndarray:
        """Row of each series' category and region; -1 where none sold in the window."""
        key = category_region_key(series["category_id"].to_numpy(), series["region_id"].to_numpy())
        if len(self.keys) == 0:
            return np.full(len(key), -1)
        position = np.clip(np.searchsorted(self.keys, key), 0, len(self.keys) - 1)
        return np.where(self.keys[position] == key, position, -1)


REGION_SLOTS = 1 << 16
CATEGORY_BLOCK_DAYS = 28


def category_region_key(category_id: np.ndarray, region_id: np.ndarray) -> np.ndarray:
    return category_id.astype(np.int64) * REGION_SLOTS + region_id.astype(np.int64)


@dataclass
class SalesPanel:
    """Daily history of every store x SKU series up to (not including) `as_of`."""

    series: pd.DataFrame  # location_code, sku, category, brand, region, tier, unit_price + integer codes
    days: pd.DatetimeIndex
    qty: np.ndarray  # float32 (series, days)
    promo: SparseDays  # (series, days), share of units on promotion
    censored: np.ndarray  # bool (series, days): shelf empty, demand unknown
    first_sale: np.ndarray  # int index of the SKU's first sale anywhere in the chain, len(days) if none
    prices: tuple[np.ndarray, np.ndarray, np.ndarray]  # (row, column, avg_price) of each day with sales
    flagged: np.ndarray | None = None  # bool (series, days): stock-outs recorded by the ledger
    category_days: CategoryDays | None = None  # a longer, coarser history; read only before a column's day

    @property
    def as_of(self) -> pd.Timestamp:
        return self.days[0] + pd.Timedelta(days=len(self.days))

    def as_of_day(self, t: int) -> pd.Timestamp:
        """The calendar day of column `t` (len(days) is `as_of`)."""
        return self.days[0] + pd.Timedelta(days=t)

    def truncated(self, t: int) -> SalesPanel:
        """The panel as it looked on the morning of column `t`: later days gone, censoring re-judged."""
        flagged = None if self.flagged is None else self.flagged[:, :t]
        rows, columns, prices = self.prices
        early = columns < t
        return SalesPanel(
            self.series, self.days[:t], self.qty[:, :t], self.promo.before(t),
            censored_days(self.qty[:, :t], flagged), _launch_day(self.series, self.qty[:, :t]),
            (rows[early], columns[early], prices[early]), flagged, self.category_days,
        )

    def observed(self) -> np.ndarray:
        """Days whose sales are a measurement of demand: not censored, product already launched."""
        launched = np.arange(len(self.days))[None, :] >= self.first_sale[:, None]
        return launched & ~self.censored


def build_panel(frames: ChainFrames, as_of: object, history_days: int = 364) -> SalesPanel:
    """The panel of store series with `history_days` days of history before `as_of`, and its
    `category_days` reaching back `CATEGORY_HISTORY_DAYS` where the sales do.

    When they reach further than the panel, the category days come from a longer panel
    built first and let go of before this one is built, so the two are never in memory together.
    """
    as_of = as_day(as_of)
    first_sale = frames.sales["date"].min()
    reach = 0 if pd.isna(first_sale) else min(CATEGORY_HISTORY_DAYS, (as_of - first_sale).days)
    # Weeks more than the panel are worth a second panel (last year's festival run-up); days are not.
    longer = reach > history_days + CATEGORY_BLOCK_DAYS
    category_days = _category_days(_panel(frames, as_of, reach)) if longer else None
    panel = _panel(frames, as_of, history_days)
    panel.category_days = category_days or _category_days(panel)
    return panel


def _panel(frames: ChainFrames, as_of: pd.Timestamp, history_days: int) -> SalesPanel:
    """The panel alone. Reads the sales column by column through integer keys: a filtered copy of
    the sales frame, or a lookup on its text columns, would cost gigabytes at tens of millions of rows."""
    days = pd.date_range(as_of - pd.Timedelta(days=history_days), periods=history_days, freq="D")
    sales = frames.sales
    within = ((sales["date"] >= days[0]) & (sales["date"] < as_of)).to_numpy()
    key, locations, skus = _sales_keys(sales, within)
    sold = np.unique(key)
    sold_keys = pd.DataFrame({"location_code": locations[sold // len(skus)], "sku": skus[sold % len(skus)]})
    series = _store_series(frames, sold_keys)
    row = _rows_of(key, _series_keys(series, locations, skus))
    del key, sold, sold_keys
    col = (sales["date"][within] - days[0]).dt.days.to_numpy().astype(np.int32)
    qty = np.zeros((len(series), len(days)), dtype=np.float32)
    qty[row, col] = sales["qty"][within].to_numpy(dtype=np.float32)
    share = sales["promo"][within].fillna(0).to_numpy(dtype=np.float32)
    on_promo = share != 0
    promo = SparseDays(qty.shape, row[on_promo], col[on_promo], share[on_promo])
    first_sale = _launch_day(series, qty)
    flagged = _flagged_stockouts(frames, series, days)
    prices = (row, col, sales["avg_price"][within].to_numpy(dtype=np.float32))
    return SalesPanel(series, days, qty, promo, censored_days(qty, flagged), first_sale, prices, flagged)


def _category_days(panel: SalesPanel) -> CategoryDays:
    keys, units, seen = _category_sums(panel)
    return CategoryDays(keys, panel.days[0], units, seen)


def _category_sums(panel: SalesPanel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, units, measured series) per category x region x day of `panel`, a block of days at a time."""
    key = category_region_key(panel.series["category_id"].to_numpy(), panel.series["region_id"].to_numpy())
    keys, group = np.unique(key, return_inverse=True)
    to_group = sparse.csr_matrix(
        (np.ones(len(group), dtype=np.float32), (group, np.arange(len(group)))), shape=(len(keys), len(group))
    )
    units = np.zeros((len(keys), len(panel.days)), dtype=np.float32)
    seen = np.zeros_like(units)
    for start in range(0, len(panel.days), CATEGORY_BLOCK_DAYS):
        # `observed` a block at a time: the whole matrix is half a gigabyte at 1.5 million series.
        block = slice(start, start + CATEGORY_BLOCK_DAYS)
        launched = np.arange(start, min(start + CATEGORY_BLOCK_DAYS, len(panel.days)))[None, :] >= panel.first_sale[:, None]
        measured = (launched & ~panel.censored[:, block]).astype(np.float32)
        units[:, block] = to_group @ (panel.qty[:, block] * measured)
        seen[:, block] = to_group @ measured
    return keys, units, seen


def _sales_keys(sales: pd.DataFrame, within: np.ndarray) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """One int64 key per sales row in `within` (location index x number of SKUs + SKU index)."""
    location_index, locations = pd.factorize(sales["location_code"][within])
    sku_index, skus = pd.factorize(sales["sku"][within])
    key = location_index.astype(np.int64) * max(len(skus), 1) + sku_index
    return key, pd.Index(locations), pd.Index(skus)


def _series_keys(series: pd.DataFrame, locations: pd.Index, skus: pd.Index) -> np.ndarray:
    """The same keys for the series; -1 for series that never sold (only stocked)."""
    location_index = locations.get_indexer(series["location_code"])
    sku_index = skus.get_indexer(series["sku"])
    key = location_index.astype(np.int64) * max(len(skus), 1) + sku_index
    return np.where((location_index >= 0) & (sku_index >= 0), key, -1)


def _rows_of(key: np.ndarray, series_key: np.ndarray) -> np.ndarray:
    """Series row of each sales key (every sold key is a series)."""
    order = np.argsort(series_key, kind="stable")
    return order[np.searchsorted(series_key[order], key)].astype(np.int32)


def _launch_day(series: pd.DataFrame, qty: np.ndarray) -> np.ndarray:
    """Per series, the first day its SKU sold in any store: before that it was not on sale.

    Chain-wide, because a slow seller's first sale at one store says nothing about its launch.
    """
    has_sale = qty > 0
    first = np.where(has_sale.any(axis=1), has_sale.argmax(axis=1), qty.shape[1])
    return pd.Series(first).groupby(series["sku"].to_numpy()).transform("min").to_numpy()


def _store_series(frames: ChainFrames, sold: pd.DataFrame) -> pd.DataFrame:
    stores = frames.stores()
    stocked = frames.positions[frames.positions["location_code"].isin(stores["code"])]
    keys = pd.concat([sold, stocked[["location_code", "sku"]]]).astype(str)
    keys = keys.drop_duplicates().sort_values(["location_code", "sku"], ignore_index=True)
    products = frames.products[["sku", "category", "brand", "unit_price", "unit_cost"]]
    places = stores[["code", "region", "tier"]].rename(columns={"code": "location_code"})
    series = keys.merge(products, on="sku", how="left").merge(places, on="location_code", how="left")
    # Codes come from the whole chain, not from the series present, so panels cut at
    # different dates encode a category or a store the same way.
    vocabulary = {
        "location_code": frames.locations["code"], "region": frames.locations["region"],
        "tier": frames.locations["tier"], "category": frames.products["category"], "brand": frames.products["brand"],
    }
    for column, known in vocabulary.items():
        categories = pd.Index(known.astype(str).unique()).sort_values()
        series[f"{column}_id"] = categories.get_indexer(series[column].astype(str)).astype(np.int32)
    series["unit_price"] = series["unit_price"].fillna(series["unit_price"].median())
    return series


def _row_lookup(series: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    index = pd.MultiIndex.from_frame(series[["location_code", "sku"]])
    return index.get_indexer(pd.MultiIndex.from_frame(rows[["location_code", "sku"]]))


def _flagged_stockouts(frames: ChainFrames, series: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray | None:
    if frames.stockouts is None:
        return None
    flagged = np.zeros((len(series), len(days)), dtype=bool)
    known = frames.stockouts[(frames.stockouts["date"] >= days[0]) & (frames.stockouts["date"] <= days[-1])]
    row = _row_lookup(series, known)
    keep = row >= 0
    flagged[row[keep], (known["date"] - days[0]).dt.days.to_numpy()[keep]] = True
    return flagged
