"""Next-best products that reach different visits, not five that land in the same baskets.

A member's likeliest products often come in the same trips (the weekly big
shop holds rice, oil and eggs together), so the five best one by one may win
no more visits than three of them. The picks are made greedily from the
member's best-scored products: each next pick is the one found in most of
their past visits that no earlier pick was in, plus `prior_visits` times its
score, so what a member did before decides between products the ranker rates
alike, and a member with few visits keeps the ranker's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass(frozen=True, slots=True)
class CoverageConfig:
    """How many best-scored products the picks come from, and what a score is worth in visits."""

    pool: int = 20
    prior_visits: float = 10.0


@dataclass(frozen=True)
class PastVisits:
    """Each member's purchase days before the cut-off, and the products each held."""

    member: np.ndarray  # visit -> member row, ascending
    products: sparse.csr_matrix  # visit x sku, 1 where the visit held the product

    @classmethod
    def build(cls, lines: pd.DataFrame, members: pd.Index, skus: pd.Index) -> PastVisits:
        """From receipt lines (member_id, date, sku); members and products outside the indexes are left out."""
        rows, columns = members.get_indexer(lines["member_id"]), skus.get_indexer(lines["sku"])
        known = (rows >= 0) & (columns >= 0)
        days = lines["date"].to_numpy("datetime64[D]").astype(np.int64)[known]
        visit, first = np.unique(np.column_stack([rows[known], days]), axis=0, return_inverse=True)
        products = sparse.csr_matrix(
            (np.ones(int(known.sum())), (first.ravel(), columns[known])),
            shape=(len(visit), len(skus)),
        )
        products.data[:] = 1.0  # a product twice on one day is one visit that held it
        return cls(visit[:, 0], products)

    def of(self, rows: slice) -> tuple[np.ndarray, sparse.csr_matrix]:
        """The visits of a chunk of members: member rows within the chunk, and their products."""
        start, stop = np.searchsorted(self.member, [rows.start or 0, rows.stop])
        return self.member[start:stop] - (rows.start or 0), self.products[start:stop]


def covering_picks(
    score: np.ndarray, lift: np.ndarray, visits: PastVisits, rows: slice, k: int, config: CoverageConfig
) -> np.ndarray:
    """Member x k sku columns, first pick first, -1 where fewer than k products have a positive score.

    `score` is dense member x sku for the chunk `rows` (-inf where barred);
    `lift` is what the rules multiplied each score by (surplus lifted).
    """
    members = score.shape[0]
    pool = best_columns(score, config.pool)
    pooled = np.take_along_axis(score, pool, axis=1)
    open_ = np.isfinite(pooled) & (pooled > 0)
    owner, products = visits.of(rows)
    held = _held(products, pool[owner])
    weight = np.where(open_, np.take_along_axis(lift, pool, axis=1), 0.0)
    prior = config.prior_visits * np.where(open_, pooled, 0.0)
    uncovered = np.ones(len(owner), bool)
    picks = np.full((members, k), -1)
    for step in range(min(k, pool.shape[1])):
        found = np.zeros((members, pool.shape[1]))
        np.add.at(found, owner[uncovered], held[uncovered])
        gain = np.where(open_, weight * found + prior, -np.inf)
        best = gain.argmax(axis=1)
        has = np.isfinite(gain[np.arange(members), best])
        picks[has, step] = pool[has, best[has]]
        open_[np.flatnonzero(has), best[has]] = False
        uncovered &= ~(held[np.arange(len(owner)), best[owner]] & has[owner])
    return picks


def _held(products: sparse.csr_matrix, pooled_for_visit: np.ndarray) -> np.ndarray:
    """Visit x pool: whether each visit held each of its member's pooled products."""
    visits, pool = pooled_for_visit.shape
    if visits == 0:
        return np.zeros((0, pool), bool)
    found = products[np.repeat(np.arange(visits), pool), pooled_for_visit.ravel()]
    return np.asarray(found).reshape(visits, pool) > 0


def best_columns(score: np.ndarray, count: int) -> np.ndarray:
    """Column indices of the `count` best scores per row, best first."""
    count = min(count, score.shape[1])
    if count == 0:
        return np.empty((score.shape[0], 0), dtype=int)
    best = np.argpartition(-score, count - 1, axis=1)[:, :count]
    order = np.argsort(-np.take_along_axis(score, best, axis=1), axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1)
