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
