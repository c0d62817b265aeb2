"""What each series looked like on the morning of a forecast origin.

Everything here reads only days before the origin column `t`, so the same
function builds training rows at past origins and prediction rows at `as_of`
without look-ahead. Censored days are left out of every mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.forecasting.panel import SalesPanel

# Below this many observed days a series is "new" and borrows its level from peers.
NEW_PRODUCT_DAYS = 28
FLOOR_RATE = 0.01
# Units a store must have sold of a SKU (over `SHARE_DAYS`) before its own share of the
# SKU's chain sales counts as much as the share its size predicts (empirical Bayes weight).
SHARE_PRIOR_UNITS = 50.0
SHARE_DAYS = 91
STORE_SHARE_DAYS = 182


def origin_state(panel: SalesPanel, observed: np.ndarray, t: int) -> pd.DataFrame:
    """Per-series levels, weekday profile and habits from the days before column `t`."""
    state = {}
    for width in (7, 28, 91):
        state[f"mean_{width}"] = _window_mean(panel.qty, observed, t, width)
    state["observed_days"] = observed[:, max(t - 91, 0):t].sum(axis=1)
    qty91, obs91 = panel.qty[:, max(t - 91, 0):t], observed[:, max(t - 91, 0):t]
    sold91 = (qty91 > 0) & obs91
    state["zero_share"] = 1 - sold91.sum(axis=1) / np.maximum(obs91.sum(axis=1), 1)
    state["size"] = (qty91 * sold91).sum(axis=1) / np.maximum(sold91.sum(axis=1), 1)
    recent_sale = np.where(qty91 > 0, np.arange(qty91.shape[1]), -1).max(axis=1, initial=-1)
    state["days_since_sale"] = np.where(recent_sale >= 0, qty91.shape[1] - recent_sale, 91)
    state["age"] = np.clip(t - panel.first_sale, 0, 365)
    state["promo_recent"] = _recent_promo(panel, t)
    state["price_ratio"] = _recent_price(panel, t) / panel.series["unit_price"].to_numpy()
    state["pooled_28"] = _pooled_rate(panel, observed, t, state["mean_28"])
    frame = pd.DataFrame(state)
    frame["level"] = _level(frame, panel.series)
    for weekday, ratio in enumerate(_weekday_profile(panel, observed, t).T):
        frame[f"weekday_ratio_{weekday}"] = ratio
    return frame


def _window_mean(qty: np.ndarray, observed: np.ndarray, t: int, width: int) -> np.ndarray:
    start = max(t - width, 0)
    mask = observed[:, start:t]
    count = mask.sum(axis=1)
    total = (qty[:, start:t] * mask).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _level(state: pd.DataFrame, series: pd.DataFrame) -> np.ndarray:
    """Recent daily demand; new products borrow from category and brand peers at the store."""
    own = state["mean_28"].fillna(state["mean_91"]).fillna(state["mean_7"]).to_numpy()
    seasoned = state["observed_days"].to_numpy() >= NEW_PRODUCT_DAYS
    peers = series.assign(own=np.where(seasoned, own, np.nan))
    borrowed = np.full(len(series), np.nan)
    for keys in (["location_code", "category", "brand"], ["location_code", "category"], ["category"]):
        median = peers.groupby(keys, observed=True)["own"].transform("median").to_numpy()
        borrowed = np.where(np.isnan(borrowed), median, borrowed)
    borrowed = np.where(np.isnan(borrowed), np.nanmedian(own) if np.isfinite(own).any() else FLOOR_RATE, borrowed)
    trust = np.clip(state["observed_days"].to_numpy() / NEW_PRODUCT_DAYS, 0, 1)
    blended = trust * np.nan_to_num(own) + (1 - trust) * borrowed
    return np.maximum(blended, FLOOR_RATE)


def _pooled_rate(panel: SalesPanel, observed: np.ndarray, t: int, mean_28: np.ndarray) -> np.ndarray:
    """Recent daily demand read through the whole chain: the SKU's chain rate over 28 days
    times this store's share of it.

    A slow mover's own 28-day mean rests on a handful of sales; the SKU's rate summed
    over all stores rests on twenty times as many. The store's share blends what it
    sold of the SKU with what its size in the category predicts, the blend leaning on
    its own sales as they grow (`SHARE_PRIOR_UNITS`).
    """
    series = panel.series
    sku = series["sku"].to_numpy()
    chain_rate = pd.Series(np.nan_to_num(mean_28)).groupby(sku).transform("sum").to_numpy()
    own = _observed_units(panel, observed, t, SHARE_DAYS)
    sku_units = pd.Series(own).groupby(sku).transform("sum").to_numpy()
    own_share = own / np.maximum(sku_units, 1e-9)
    long = _observed_units(panel, observed, t, STORE_SHARE_DAYS)
    store_category = [series["location_code"].to_numpy(), series["category"].to_numpy()]
    category_units = pd.Series(long).groupby(series["category"].to_numpy()).transform("sum").to_numpy()
    size_share = pd.Series(long).groupby(store_category).transform("sum").to_numpy() / np.maximum(category_units, 1e-9)
    carried = long > 0
    size_share = np.where(carried, size_share, 0.0)
    size_share /= np.maximum(pd.Series(size_share).groupby(sku).transform("sum").to_numpy(), 1e-9)
    trust = own / (own + SHARE_PRIOR_UNITS)
    pooled = (trust * own_share + (1 - trust) * size_share) * chain_rate
    return np.where(carried & np.isfinite(mean_28), pooled, np.nan)


def store_weekday_profile(panel: SalesPanel, observed: np.ndarray, t: int) -> np.ndarray:
    """Per series, its store's sales per weekday over the last 8 weeks relative to the store's mean.

    A store's whole turnover shows the weekday rhythm clearly; one slow item's few sales do not.
    """
    start = max(t - 56, 0)
    store = panel.series["location_code_id"].to_numpy()
    stores, lookup = np.unique(store, return_inverse=True)
    daily = np.stack([
        np.bincount(lookup, weights=panel.qty[:, day] * observed[:, day], minlength=len(stores))
        for day in range(start, t)
    ], axis=1)
    weekdays = panel.days[start:t].day_of_week
    overall = np.maximum(daily.mean(axis=1), 1e-9)
    profile = np.ones((len(stores), 7))
    for weekday in np.unique(weekdays):
        profile[:, weekday] = daily[:, weekdays == weekday].mean(axis=1) / overall
    return profile[lookup]


def _observed_units(panel: SalesPanel, observed: np.ndarray, t: int, width: int) -> np.ndarray:
    start = max(t - width, 0)
    return (panel.qty[:, start:t] * observed[:, start:t]).sum(axis=1, dtype=np.float64)


def _weekday_profile(panel: SalesPanel, observed: np.ndarray, t: int) -> np.ndarray:
    """Mean sales per weekday over the last 8 weeks, relative to the 8-week mean (1 where unknown)."""
    start = max(t - 56, 0)
    qty, mask = panel.qty[:, start:t] * observed[:, start:t], observed[:, start:t]
    weekdays = panel.days[start:t].weekday
    profile = np.ones((qty.shape[0], 7), dtype=np.float32)
    overall = qty.sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    for weekday in range(7):
        on_day = weekdays == weekday
        count = mask[:, on_day].sum(axis=1)
        mean = qty[:, on_day].sum(axis=1) / np.maximum(count, 1)
        profile[:, weekday] = np.where((count > 0) & (overall > 0), mean / np.maximum(overall, 1e-6), 1.0)
    return profile


def _recent_promo(panel: SalesPanel, t: int, width: int = 28) -> np.ndarray:
    start = max(t - width, 0)
    sold = panel.qty[:, start:t] > 0
    return (panel.promo[:, start:t] * sold).sum(axis=1) / np.maximum(sold.sum(axis=1), 1)


def _recent_price(panel: SalesPanel, t: int, width: int = 28) -> np.ndarray:
    rows, columns, prices = panel.prices
    recent = (columns >= t - width) & (columns < t) & np.isfinite(prices)
    n = len(panel.series)
    total = np.bincount(rows[recent], weights=prices[recent], minlength=n)
    count = np.bincount(rows[recent], minlength=n)
    list_price = panel.series["unit_price"].to_numpy()
    return np.where(count > 0, total / np.maximum(count, 1), list_price)
