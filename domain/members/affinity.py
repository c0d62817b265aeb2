"""Next-best products per member: what they are likely to buy, that we have and want to sell.

Three signals, blended:
  - their own basket: what they bought, recent purchases weighing more (regulars
    come back for the same rice and oil);
  - item-item affinity: cosine similarity of products over who buys them
    (people who buy this tofu also buy that soy sauce);
  - their categories' best sellers, so a member with little history still gets
    something sensible.
Then only what is in stock at the stores they use, above the margin floor, with
surplus and slow movers lifted so promotions clear what would otherwise age.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from domain.members.frames import MemberFrames, as_day


@dataclass(frozen=True, slots=True)
class AffinityConfig:
    """Weights of the blended score and the history it looks at."""

    history_days: int = 365
    half_life_days: float = 60.0
    own_weight: float = 1.0
    similar_weight: float = 0.5
    category_weight: float = 0.2
    surplus_boost: float = 0.5
    usual_store_count: int = 2
    chunk_members: int = 2048


def popular_skus(history: pd.DataFrame, k: int) -> list[str]:
    """The k SKUs bought by the most members: the baseline every recommender must beat."""
    buyers = history.groupby("sku", observed=True)["member_id"].nunique()
    return buyers.sort_values(ascending=False, kind="stable").index[:k].tolist()


def usual_stores(members: pd.DataFrame, history: pd.DataFrame, count: int) -> pd.Series:
    """Each member's usual stores: as recorded, else the ones they visited on most days."""
    visits = history.groupby(["member_id", "location_code"], observed=True)["date"].nunique()
    ranked = visits.reset_index().sort_values(["member_id", "date"], ascending=[True, False], kind="stable")
    learned = ranked.groupby("member_id").head(count).groupby("member_id")["location_code"].agg(list)
    recorded = pd.Series(dtype=object)
    if "usual_stores" in members.columns:
        text = members.set_index("member_id")["usual_stores"].fillna("").astype(str)
        recorded = text[text != ""].str.split("|")
    return pd.concat([learned[~learned.index.isin(recorded.index)], recorded])


@dataclass(frozen=True)
class _Matrix:
    members: pd.Index
    skus: pd.Index
    weights: sparse.csr_matrix  # member x sku, decayed purchase days


def _purchase_matrix(history: pd.DataFrame, as_of: pd.Timestamp, skus: pd.Index, config) -> _Matrix:
    lines = history.drop_duplicates(["member_id", "date", "sku"])
    lines = lines[lines["sku"].isin(skus)]
    age = (as_of - lines["date"]).dt.days.to_numpy(float)
    decay = np.power(0.5, age / config.half_life_days)
    members = pd.Index(lines["member_id"].unique())
    rows, cols = members.get_indexer(lines["member_id"]), skus.get_indexer(lines["sku"])
    weights = sparse.csr_matrix((decay, (rows, cols)), shape=(len(members), len(skus)))
    return _Matrix(members, skus, weights)


def _item_similarity(matrix: _Matrix) -> sparse.csr_matrix:
    bought = matrix.weights.copy()
    bought.data[:] = 1.0
    by_item = normalize(bought.T.tocsr(), norm="l2", axis=1)
    similarity = (by_item @ by_item.T).tocsr()
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return similarity


def _category_prior(history: pd.DataFrame, matrix: _Matrix, products: pd.DataFrame):
    """member x sku: share of the member's spend in the SKU's category x the SKU's popularity there."""
    category_of = products.set_index("sku")["category"].reindex(matrix.skus).fillna("")
    categories = pd.Index(category_of.unique())
    sku_category = sparse.csr_matrix(
        (np.ones(len(matrix.skus)), (np.arange(len(matrix.skus)), categories.get_indexer(category_of))),
        shape=(len(matrix.skus), len(categories)),
    )
    member_category = normalize(matrix.weights @ sku_category, norm="l1", axis=1)
    buyers = history.groupby("sku", observed=True)["member_id"].nunique().reindex(matrix.skus).fillna(0)
    in_category = buyers / buyers.groupby(category_of.to_numpy()).transform("max").replace(0, 1)
    return member_category, sparse.csr_matrix(sku_category.T.multiply(in_category.to_numpy()[None, :]))


def _allowed(frames, matrix, stock, surplus, margin_floor, stores):
    """member x sku availability (bool) and boost (float), or None where nothing filters."""
    products = frames.products.set_index("sku").reindex(matrix.skus)
    margin_ok = np.ones(len(matrix.skus), bool)
    if margin_floor is not None:
        margin = (products["unit_price"] - products["unit_cost"]) / products["unit_price"]
        margin_ok = (margin >= margin_floor).fillna(False).to_numpy()
    locations = pd.Index(sorted(set(stock["location_code"]) if stock is not None else set()))

    def store_sku(frame: pd.DataFrame, value: str) -> sparse.csr_matrix:
        frame = frame[frame["sku"].isin(matrix.skus) & frame["location_code"].isin(locations)]
        rows, cols = locations.get_indexer(frame["location_code"]), matrix.skus.get_indexer(frame["sku"])
        data = (frame[value].to_numpy(float) > 0).astype(float)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(locations), len(matrix.skus)))

    if stock is None:
        return margin_ok, None, None
    member_stores = sparse.lil_matrix((len(matrix.members), len(locations)))
    for row, member in enumerate(matrix.members):
        codes = [c for c in stores.get(member, []) if c in locations] or list(locations)
        member_stores[row, locations.get_indexer(codes)] = 1.0
    member_stores = member_stores.tocsr()
    in_stock = member_stores @ store_sku(stock, "available")
    boosted = None
    if surplus is not None:
        boosted = member_stores @ store_sku(surplus, "surplus_units")
    return margin_ok, in_stock.tocsr(), None if boosted is None else boosted.tocsr()


def recommend(
    frames: MemberFrames,
    as_of,
    k: int = 5,
    stock: pd.DataFrame | None = None,
    surplus: pd.DataFrame | None = None,
    margin_floor: float | None = 0.15,
    config: AffinityConfig = AffinityConfig(),
) -> dict[str, list[str]]:
    """Up to k SKUs per member, best first, using only history before `as_of`.

    `stock` (positions: location_code, sku, available) keeps SKUs available at
    the member's usual stores; `surplus` lifts SKUs with surplus units there;
    `margin_floor` drops SKUs whose (price - cost) / price is below it. None
    switches a filter off. Members without history get the filtered best sellers.
    """
    as_of = as_day(as_of)
    history = frames.history_before(as_of)
    history = history[history["date"] >= as_of - pd.Timedelta(days=config.history_days)]
    skus = pd.Index(frames.products["sku"].unique())
    matrix = _purchase_matrix(history, as_of, skus, config)
    stores = usual_stores(frames.members, history, config.usual_store_count).to_dict()
    margin_ok, in_stock, boosted = _allowed(frames, matrix, stock, surplus, margin_floor, stores)
    own = normalize(matrix.weights, norm="max", axis=1)
    similar = normalize(own @ _item_similarity(matrix), norm="max", axis=1)
    member_category, category_sku = _category_prior(history, matrix, frames.products)

    picks: dict[str, list[str]] = {}
    for start in range(0, len(matrix.members), config.chunk_members):
        rows = slice(start, start + config.chunk_members)
        score = (
            config.own_weight * own[rows].toarray()
            + config.similar_weight * similar[rows].toarray()
            + config.category_weight * (member_category[rows] @ category_sku).toarray()
        )
        if boosted is not None:
            score *= 1.0 + config.surplus_boost * (boosted[rows].toarray() > 0)
        score[:, ~margin_ok] = -np.inf
        if in_stock is not None:
            score[in_stock[rows].toarray() <= 0] = -np.inf
        picks.update(_top_k(matrix.members[rows], matrix.skus, score, k))

    fallback = _fallback(history, skus, margin_ok, stock, 2 * k)
    for member in frames.members["member_id"]:
        chosen = picks.get(member, [])
        picks[member] = (chosen + [sku for sku in fallback if sku not in chosen])[:k]
    return picks


def _top_k(members: pd.Index, skus: pd.Index, score: np.ndarray, k: int) -> dict[str, list[str]]:
    best = np.argsort(-score, axis=1, kind="stable")[:, :k]
    result = {}
    for member, row, columns in zip(members, score, best, strict=True):
        result[member] = [skus[c] for c in columns if np.isfinite(row[c]) and row[c] > 0]
    return result


def _fallback(history, skus, margin_ok, stock, k) -> list[str]:
    eligible = set(skus[margin_ok])
    if stock is not None:
        eligible &= set(stock.loc[stock["available"] > 0, "sku"])
    return [sku for sku in popular_skus(history, len(skus)) if sku in eligible][:k]
