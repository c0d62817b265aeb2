"""Days the shelf was empty: zero sales there say nothing about demand.

Without stock-out records we infer them: a run of zero-sale days is censored
when the item sold steadily before it and such a run would be very unlikely
(probability below `surprise`) at the recent rate. Shop demand is
overdispersed (shoppers buy six-packs, busy and quiet days), so a zero day is
judged under a negative binomial with shape `ZERO_DAY_SHAPE`, which makes
zeros likelier than Poisson would. Slow movers with long gaps between sales
are left alone because for them a long run of zeros is ordinary.
"""

from __future__ import annotations

import numpy as np

RATE_WINDOW_DAYS = 28
# Rows judged at a time: each block holds about ten int64 (rows, days) arrays.
CHUNK_ROWS = 20_000
MIN_RATE_DAYS = 14
ZERO_DAY_SHAPE = 2.0


def censored_days(
    qty: np.ndarray,
    flagged: np.ndarray | None = None,
    *,
    surprise: float = 0.0001,
    min_run_days: int = 2,
    min_rate: float = 0.5,
) -> np.ndarray:
    """Boolean (series, days) mask of days whose zero sales are an empty shelf, not no demand."""
    mask = np.zeros(qty.shape, dtype=bool)
    for start in range(0, qty.shape[0], CHUNK_ROWS):
        block = slice(start, start + CHUNK_ROWS)
        mask[block] = _inferred(qty[block], surprise, min_run_days, min_rate)
    return mask if flagged is None else mask | flagged


def _inferred(qty: np.ndarray, surprise: float, min_run_days: int, min_rate: float) -> np.ndarray:
    n_days = qty.shape[1]
    zero = qty <= 0
    columns = np.arange(n_days)
    last_sale = np.maximum.accumulate(np.where(~zero, columns, -1), axis=1)
    next_sale = np.flip(np.minimum.accumulate(np.flip(np.where(~zero, columns, n_days), axis=1), axis=1), axis=1)
    run_length = next_sale - last_sale - 1
    run_start = np.clip(last_sale + 1, 0, n_days - 1)
    rate = _trailing_rate(qty)
    rate_before_run = np.take_along_axis(rate, run_start, axis=1)
    log_zero_day = ZERO_DAY_SHAPE * np.log1p(rate_before_run / ZERO_DAY_SHAPE)
    unlikely = log_zero_day * run_length >= -np.log(surprise)
    return zero & (last_sale >= 0) & (run_length >= min_run_days) & (rate_before_run >= min_rate) & unlikely


def _trailing_rate(qty: np.ndarray) -> np.ndarray:
    """Mean daily sales over the `RATE_WINDOW_DAYS` days before each day."""
    cumulative = np.zeros((qty.shape[0], qty.shape[1] + 1), dtype=np.float64)
    np.cumsum(qty, axis=1, out=cumulative[:, 1:])
    ends = np.arange(qty.shape[1])
    starts = np.maximum(ends - RATE_WINDOW_DAYS, 0)
    # A short early window would turn one sale into a high rate; judge on two weeks at least.
    width = np.maximum(ends - starts, MIN_RATE_DAYS)
    return ((cumulative[:, ends] - cumulative[:, starts]) / width).astype(np.float32)
