"""Forecasts for items that sell on few days: TSB and SBA, plus the demand classes.

Both methods smooth demand size and occurrence separately, which suits items
with many zero days better than a model trained mostly on steady sellers.
Censored days update nothing: an empty shelf tells us neither size nor occurrence.
"""

from __future__ import annotations

import functools

import numpy as np

# Syntetos-Boylan cut-offs on the average inter-demand interval and squared CV of sizes.
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
# Series read at a time: every method works row by row, and whole-panel temporaries
# (sizes, squares, masks) would cost gigabytes at 1.5 million series.
BLOCK_ROWS = 100_000


def _by_blocks(method):  # type: ignore[no-untyped-def]
    """Run a row-wise method on blocks of series and join the results (same numbers, less memory)."""

    @functools.wraps(method)
    def blockwise(qty: np.ndarray, observed: np.ndarray, *args, **kwargs) -> np.ndarray:  # type: ignore[no-untyped-def]
        if len(qty) <= BLOCK_ROWS:
            return method(qty, observed, *args, **kwargs)
        parts = [
            method(qty[start : start + BLOCK_ROWS], observed[start : start + BLOCK_ROWS], *args, **kwargs)
            for start in range(0, len(qty), BLOCK_ROWS)
        ]
        return np.concatenate(parts)

    return blockwise


@_by_blocks
def tsb_rate(qty: np.ndarray, observed: np.ndarray, alpha: float = 0.1, beta: float = 0.05) -> np.ndarray:
    """Teunter-Syntetos-Babai daily rate: occurrence probability times smoothed size."""
    occurrence, size = _starting_values(qty, observed)
    for day in range(qty.shape[1]):
        seen, sold = observed[:, day], observed[:, day] & (qty[:, day] > 0)
        occurrence = np.where(seen, occurrence + beta * (sold - occurrence), occurrence)
        size = np.where(sold, size + alpha * (qty[:, day] - size), size)
    return occurrence * size


@_by_blocks
def sba_rate(qty: np.ndarray, observed: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """Syntetos-Boylan approximation: Croston's size / interval with its bias correction."""
    occurrence, size = _starting_values(qty, observed)
    interval = 1 / np.maximum(occurrence, 1e-3)
    gap = np.ones(qty.shape[0])
    for day in range(qty.shape[1]):
        seen, sold = observed[:, day], observed[:, day] & (qty[:, day] > 0)
        size = np.where(sold, size + alpha * (qty[:, day] - size), size)
        interval = np.where(sold, interval + alpha * (gap - interval), interval)
        gap = np.where(sold, 1, gap + seen)
    return (1 - alpha / 2) * size / np.maximum(interval, 1)


def _starting_values(qty: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sold = observed & (qty > 0)
    occurrence = sold.sum(axis=1) / np.maximum(observed.sum(axis=1), 1)
    size = (qty * sold).sum(axis=1) / np.maximum(sold.sum(axis=1), 1)
    return occurrence.astype(np.float64), size.astype(np.float64)


@_by_blocks
def demand_class(qty: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Syntetos-Boylan class per series: smooth, erratic, intermittent or lumpy."""
    sold = observed & (qty > 0)
    days_sold = sold.sum(axis=1)
    adi = observed.sum(axis=1) / np.maximum(days_sold, 1)
    mean = (qty * sold).sum(axis=1) / np.maximum(days_sold, 1)
    square = (qty**2 * sold).sum(axis=1) / np.maximum(days_sold, 1)
    cv2 = (square - mean**2) / np.maximum(mean**2, 1e-9)
    sparse = (adi >= ADI_CUTOFF) | (days_sold < 2)
    variable = cv2 >= CV2_CUTOFF
    index = sparse.astype(int) * 2 + variable.astype(int)
    return np.asarray(DEMAND_CLASSES, dtype=object)[index]
