"""Next-best products learned from what members actually bought next.

The history is replayed at earlier cut-offs, as the buy-again scores are: each
member's candidates (what they bought before, and the best sellers of their
stores in their categories) are described as the shop saw them at the
cut-off, and labelled with the share of the member's visits in the following
weeks that held the product. A gradient-boosted model learns how much a
repeat, its recency, the shelf, the category mix and item-item affinity say
about the next basket; the nightly run scores today's candidates with it.
Nothing on or after the day being scored is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

if TYPE_CHECKING:
    from domain.members.affinity import Signals

FEATURES = (
    "habit", "times_bought", "visits", "share", "days_since", "local", "recent_local", "chain", "trend",
    "category_lift", "similar", "base",
)  # fmt: skip
NEVER = 9999.0  # days since a product the member never bought
CANDIDATE_SCALE = 1e-3  # the base score of non-candidates stays below every candidate


@dataclass(frozen=True, slots=True)
class RankerConfig:
    """How far back the ranker replays the history, and how big it may grow."""

    horizon_days: int = 30  # the weeks an offer is valid for
    cutoffs: int = 2
    best_sellers: int = 20  # candidates per member on top of what they bought before
    min_training_members: int = 200  # members who visited after a cut-off; fewer and the fixed blends answer
    max_iter: int = 200
    seed: int = 7
    threads: int | None = 1  # see PropensityConfig.threads


@dataclass(frozen=True)
class Candidates:
    """Member x product pairs worth scoring, with their FEATURES."""

    rows: np.ndarray  # member rows of the signals
    columns: np.ndarray  # sku columns of the signals
    features: np.ndarray  # pair x FEATURES


def candidates(signals: Signals, rows: slice, best_sellers: int, store_share: float) -> Candidates:
    """What each member of the chunk bought before, and the best sellers for them by the base score."""
    base = signals.base(rows, store_share)
    bought = signals.times_bought[rows].toarray()
    chosen = bought > 0
    if best_sellers and base.shape[1]:
        top = np.argpartition(-base, min(best_sellers, base.shape[1]) - 1, axis=1)[:, :best_sellers]
        np.put_along_axis(chosen, top, True, axis=1)
    chosen &= base > 0
    r, c = np.nonzero(chosen)
    rows_in_chunk = np.arange(rows.start or 0, (rows.start or 0) + base.shape[0])
    since = signals.days_since[rows].toarray()[r, c]
    visits = signals.visits[rows_in_chunk][r]
    local = (signals.member_stores[rows] @ signals.store_popularity).toarray()[r, c]
    recent = (signals.member_stores[rows] @ signals.store_visit_share).toarray()[r, c]
    chain = signals.chain_popularity[c]
    recent_chain = signals.chain_visit_share[c]
    columns = {
        "habit": signals.own[rows].toarray()[r, c],
        "times_bought": bought[r, c],
        "visits": visits,
        "share": np.divide(bought[r, c], visits, out=np.zeros(len(r)), where=visits > 0),
        "days_since": np.where(since > 0, since - 1, NEVER),
        "local": local,
        "recent_local": recent,
        "chain": recent_chain,
        "trend": np.divide(recent_chain, chain, out=np.zeros_like(chain), where=chain > 0),
        "category_lift": signals.category_lift[rows][r, signals.category_of[c]],
        "similar": signals.similar(rows)[r, c],
        "base": base[r, c],
    }
    features = np.column_stack([columns[name] for name in FEATURES])
    return Candidates(rows_in_chunk[r], c, features)


def _labels(signals: Signals, found: Candidates, later: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the share of the member's later visits that held the product, and how many visits."""
    lines = later.drop_duplicates(["member_id", "date", "sku"])
    visits = later.groupby("member_id", observed=True)["date"].nunique()
    held = lines.groupby(["member_id", "sku"], observed=True).size()
    members, skus = signals.members[found.rows], signals.skus[found.columns]
    count = held.reindex(pd.MultiIndex.from_arrays([members, skus])).fillna(0.0).to_numpy()
    weight = visits.reindex(members).fillna(0.0).to_numpy()
    share = np.divide(count, weight, out=np.zeros_like(count), where=weight > 0)
    return share, weight


def learn_ranker(
    signals_at: Callable[[pd.Timestamp], Signals],
    history: pd.DataFrame,
    as_of: pd.Timestamp,
    config: RankerConfig,
    store_share: float,
    chunk: int,
) -> HistGradientBoostingRegressor | None:
    """A model of next visits' baskets from `config.cutoffs` replays before `as_of`; None when too little history."""
    horizon = pd.Timedelta(days=config.horizon_days)
    X, y, weight, visitors = [], [], [], 0
    for step in range(1, config.cutoffs + 1):
        cut = as_of - horizon * step
        if history.empty or history["date"].min() > cut - horizon:
            break  # too little before this cut-off to describe anyone
        later = history[(history["date"] >= cut) & (history["date"] < cut + horizon)]
        visitors += later["member_id"].nunique()
        signals = signals_at(cut)
        for start in range(0, len(signals.members), chunk):
            found = candidates(signals, slice(start, start + chunk), config.best_sellers, store_share)
            share, visits = _labels(signals, found, later)
            keep = visits > 0
            X.append(found.features[keep])
            y.append(share[keep])
            weight.append(visits[keep])
    if visitors < config.min_training_members or not any(len(part) for part in y):
        return None
    y_all = np.concatenate(y)
    if not (y_all > 0).any():
        return None
    model = HistGradientBoostingRegressor(
        loss="poisson", max_iter=config.max_iter, learning_rate=0.1, max_leaf_nodes=31,
        min_samples_leaf=100, random_state=config.seed,
    )  # fmt: skip
    with threadpool_limits(limits=config.threads):
        return model.fit(np.concatenate(X), y_all, sample_weight=np.concatenate(weight))


def ranked_scores(
    model: HistGradientBoostingRegressor,
    signals: Signals,
    rows: slice,
    config: RankerConfig,
    store_share: float,
) -> np.ndarray:
    """Dense member x sku: the learned share of visits for candidates, the base score far below for the rest."""
    score = CANDIDATE_SCALE * signals.base(rows, store_share)
    found = candidates(signals, rows, config.best_sellers, store_share)
    if len(found.rows):
        with threadpool_limits(limits=config.threads):
            predicted = model.predict(found.features)
        score[found.rows - (rows.start or 0), found.columns] = CANDIDATE_SCALE + np.maximum(predicted, 0.0)
    return score
