"""Next-best products per member: what they are likely to buy, that we have and want to sell.

The base score is naive Bayes on the shop floor: how well a product sells at
the member's usual stores (recent weeks weigh more), times how much more than
the average member they buy its category. Two personal signals may be blended
on top: their habits, the share of their visits over the last year that
included the product (regulars come back for the same rice and oil), and
item-item affinity (cosine similarity of products over who buys them).
With enough members, a ranker (`domain.members.ranker`) learns from replays
of the last weeks how these signals, a repeat's recency and the shelf's last
weeks predict the next basket, and ranks each member's candidates with it;
the picks are then taken from its best so that they reach different visits
(`domain.members.coverage`).
With too few, a fixed blend is chosen by the same kind of replay, so a shop
whose members are creatures of habit leans on repeats and one whose members
mostly follow the shelf leans on the base score.

Then only what is in stock at the stores they use, above the margin floor, with
surplus and slow movers lifted so promotions clear what would otherwise age.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from domain.members.coverage import CoverageConfig, PastVisits, best_columns, covering_picks
from domain.members.frames import MemberFrames, as_day
from domain.members.ranker import RankerConfig, learn_ranker, ranked_scores

Blend = tuple[float, float]  # weights of (own repeats, similar items) on top of the base score


@dataclass(frozen=True, slots=True)
class AffinityConfig:
    """The history the recommender reads and the blends it may choose between."""

    history_days: int = 365
    half_life_days: float = 60.0  # what sells now: trends and seasons move shelves within weeks
    recent_days: int = 28  # promotions, trends and stock-outs: what the shelf did in the last weeks
    habit_half_life_days: float = 365.0  # what a member keeps buying changes slowly
    habit_shrink_visits: float = 2.0  # a product in one of two visits is less of a habit than in 10 of 20
    category_prior: float = 5.0  # pseudo-purchases pulling a member's category mix towards everyone's
    store_share: float = 0.7  # the usual stores' best sellers against the chain's
    blends: tuple[Blend, ...] = ((0.0, 0.0), (1.0, 0.0), (4.0, 0.0), (8.0, 0.0), (8.0, 0.5))
    validation_days: int = 30
    surplus_boost: float = 0.5  # score x 1.5 where a usual store has surplus or a slow mover
    slow_cover_days: float = 60.0  # this much cover is slow movement even without a surplus figure
    usual_store_count: int = 2
    chunk_members: int = 2048
    ranker: RankerConfig = field(default_factory=RankerConfig)
    coverage: CoverageConfig = field(default_factory=CoverageConfig)


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


def _by_index(rows: pd.Index, row_keys, skus: pd.Index, sku_keys, values) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (np.asarray(values, float), (rows.get_indexer(row_keys), skus.get_indexer(sku_keys))),
        shape=(len(rows), len(skus)),
    )


@dataclass(frozen=True)
class Signals:
    """Everything the scores are made of, for one history cut."""

    members: pd.Index
    skus: pd.Index
    locations: pd.Index
    own: sparse.csr_matrix  # member x sku, habit strength in [0, 1)
    similar_items: sparse.csr_matrix  # sku x sku cosine, zero diagonal
    member_stores: sparse.csr_matrix  # member x location, rows sum to 1 (empty when unknown)
    store_popularity: sparse.csr_matrix  # location x sku, row max 1
    chain_popularity: np.ndarray  # sku, max 1
    category_lift: np.ndarray  # member x category
    category_of: np.ndarray  # sku -> category column
    times_bought: sparse.csr_matrix  # member x sku, visits that held the product
    days_since: sparse.csr_matrix  # member x sku, 1 + days since the last of those visits
    visits: np.ndarray  # member, purchase days
    store_visit_share: sparse.csr_matrix  # location x sku, share of the last `recent_days`' visits with it
    chain_visit_share: np.ndarray  # sku, the same over all stores

    def base(self, rows: slice, store_share: float) -> np.ndarray:
        """Dense member x sku: how well each product sells where the member shops, in their categories."""
        local = (self.member_stores[rows] @ self.store_popularity).toarray()
        popularity = store_share * local + (1 - store_share) * self.chain_popularity[None, :]
        return _row_max_one(popularity * self.category_lift[rows][:, self.category_of])

    def similar(self, rows: slice) -> np.ndarray:
        """Dense member x sku: item-item affinity to what the member habitually buys, row max 1."""
        return _row_max_one((self.own[rows] @ self.similar_items).toarray())

    def scores(self, rows: slice, blend: Blend, store_share: float) -> np.ndarray:
        """Dense member x sku scores for a chunk of members."""
        score = self.base(rows, store_share)
        own_weight, similar_weight = blend
        if own_weight:
            score += own_weight * self.own[rows].toarray()
        if similar_weight:
            score += similar_weight * self.similar(rows)
        return score


def _scale_rows(matrix: sparse.csr_matrix, norm: str) -> sparse.csr_matrix:
    """Rows scaled to max 1 ("max"), sum 1 ("l1") or unit length ("l2"); empty rows stay empty."""
    if norm == "max":
        size = matrix.max(axis=1).toarray().ravel() if matrix.shape[1] else np.zeros(matrix.shape[0])
    elif norm == "l1":
        size = np.asarray(abs(matrix).sum(axis=1)).ravel()
    else:
        size = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, size, out=np.zeros_like(size, dtype=float), where=size > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ matrix)


def _row_max_one(matrix: np.ndarray) -> np.ndarray:
    peak = matrix.max(axis=1, keepdims=True)
    return np.divide(matrix, peak, out=np.zeros_like(matrix), where=peak > 0)


def build_signals(history, products, member_ids, stores: pd.Series, as_of, config) -> Signals:
    """The score ingredients from purchase days before `as_of` (recent ones weighing more)."""
    lines = history.drop_duplicates(["member_id", "date", "sku"])
    skus = pd.Index(products["sku"].unique())
    lines = lines[lines["sku"].isin(skus)]
    age = (as_of - lines["date"]).dt.days.to_numpy(float)
    decay = np.power(0.5, age / config.half_life_days)
    members = pd.Index(
        pd.unique(np.concatenate([np.asarray(member_ids, object), lines["member_id"].unique()]))
    )
    locations = pd.Index(sorted(lines["location_code"].unique()))
    bought = _by_index(members, lines["member_id"], skus, lines["sku"], decay)
    habits = _habits(lines, members, skus, np.power(0.5, age / config.habit_half_life_days), config)
    by_store = _by_index(locations, lines["location_code"], skus, lines["sku"], decay)

    category_of = _category_columns(products, skus)
    lift = _category_lift(bought, category_of, config.category_prior)
    recent = lines[age < config.recent_days]
    by_store_recently = _by_index(
        locations, recent["location_code"], skus, recent["sku"], np.ones(len(recent))
    )
    store_visits = (
        recent.drop_duplicates(["member_id", "date", "location_code"]).groupby("location_code").size()
    )
    per_visit = 1.0 / store_visits.reindex(locations).fillna(np.inf).to_numpy(float)
    once = np.ones(len(lines))
    last = lines.assign(since=age + 1).groupby(["member_id", "sku"], observed=True)["since"].min()

    return Signals(
        members=members,
        skus=skus,
        locations=locations,
        own=habits,
        similar_items=_item_similarity(bought),
        member_stores=_member_stores(members, locations, stores),
        store_popularity=_scale_rows(by_store, "max"),
        chain_popularity=_row_max_one(np.asarray(by_store.sum(axis=0)))[0],
        category_lift=lift,
        category_of=category_of,
        times_bought=_by_index(members, lines["member_id"], skus, lines["sku"], once),
        days_since=_by_index(
            members, last.index.get_level_values(0), skus, last.index.get_level_values(1), last.to_numpy()
        ),
        visits=lines.groupby("member_id")["date"].nunique().reindex(members).fillna(0).to_numpy(float),
        store_visit_share=sparse.csr_matrix(sparse.diags(per_visit) @ by_store_recently),
        chain_visit_share=np.asarray(by_store_recently.sum(axis=0)).ravel() / max(store_visits.sum(), 1),
    )


def _category_columns(products: pd.DataFrame, skus: pd.Index) -> np.ndarray:
    categories = products.drop_duplicates("sku").set_index("sku")["category"].reindex(skus).fillna("")
    return pd.Index(categories.unique()).get_indexer(categories)


def _category_lift(bought: sparse.csr_matrix, category_of: np.ndarray, prior_weight: float) -> np.ndarray:
    """member x category: how much more than everyone the member buys there, shrunk towards 1."""
    per_category = sparse.csr_matrix(
        (np.ones(len(category_of)), (np.arange(len(category_of)), category_of)),
        shape=(len(category_of), category_of.max(initial=-1) + 1),
    )
    mix = (bought @ per_category).toarray()
    everyone = mix.sum(axis=0) / max(mix.sum(), 1e-12)
    share = (mix + prior_weight * everyone) / (mix.sum(axis=1, keepdims=True) + prior_weight)
    return np.divide(share, everyone, out=np.ones_like(share), where=everyone > 0)


def _habits(lines, members: pd.Index, skus: pd.Index, decay: np.ndarray, config) -> sparse.csr_matrix:
    """member x sku: the (decayed) share of the member's visits that included the product, shrunk for few visits."""
    visits = pd.Series(decay, index=lines.index).groupby([lines["member_id"], lines["date"]]).first()
    per_member = visits.groupby(level=0).sum().reindex(members).fillna(0.0).to_numpy()
    bought = _by_index(members, lines["member_id"], skus, lines["sku"], decay)
    return sparse.csr_matrix(sparse.diags(1.0 / (per_member + config.habit_shrink_visits)) @ bought)


def _item_similarity(bought: sparse.csr_matrix) -> sparse.csr_matrix:
    ones = bought.copy()
    ones.data[:] = 1.0
    by_item = _scale_rows(ones.T.tocsr(), "l2")
    similarity = (by_item @ by_item.T).tocsr()
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return similarity


def _member_stores(members: pd.Index, locations: pd.Index, stores: pd.Series) -> sparse.csr_matrix:
    pairs = stores.explode()
    rows, cols = members.get_indexer(pairs.index), locations.get_indexer(pairs.to_numpy())
    known = (rows >= 0) & (cols >= 0)
    matrix = sparse.csr_matrix(
        (np.ones(known.sum()), (rows[known], cols[known])), shape=(len(members), len(locations))
    )
    return _scale_rows(matrix, "l1")


def choose_blend(history, products, member_ids, stores, as_of, k, config) -> Blend:
    """The blend that best predicted the last `validation_days` of visits from the history before them."""
    cut = as_of - pd.Timedelta(days=config.validation_days)
    past, recent = history[history["date"] < cut], history[history["date"] >= cut]
    if past.empty or recent.empty or len(config.blends) == 1:
        return config.blends[0]
    signals = build_signals(past, products, member_ids, stores, cut, config)
    visits = recent.groupby(["member_id", "date"], observed=True)["sku"].agg(set)
    hits = dict.fromkeys(config.blends, 0)
    for start in range(0, len(signals.members), config.chunk_members):
        rows = slice(start, start + config.chunk_members)
        chunk = signals.members[rows]
        mine = visits[visits.index.get_level_values("member_id").isin(chunk)]
        if mine.empty:
            continue
        row_of = chunk.get_indexer(mine.index.get_level_values("member_id"))
        for blend in config.blends:
            best = best_columns(signals.scores(rows, blend, config.store_share), k)
            picked = [set(signals.skus[best[row]]) for row in row_of]
            hits[blend] += sum(bool(p & bought) for p, bought in zip(picked, mine, strict=True))
    return max(config.blends, key=lambda blend: hits[blend])  # ties keep the simpler, earlier blend


def recommend(
    frames: MemberFrames,
    as_of,
    k: int = 5,
    stock: pd.DataFrame | None = None,
    surplus: pd.DataFrame | None = None,
    margin_floor: float | None = 0.15,
    config: AffinityConfig = AffinityConfig(),
    blend: Blend | None = None,
) -> dict[str, list[str]]:
    """Up to k SKUs per member, best first, using only history before `as_of`.

    `stock` (positions: location_code, sku, available) keeps SKUs available at
    the member's usual stores (any store when they have none); `surplus` lifts
    SKUs with surplus units or `slow_cover_days` of cover there; `margin_floor` drops SKUs whose
    (price - cost) / price is below it. None switches a filter off. `blend`
    fixes the personal weights instead of learning a ranker (or, with too
    little history to learn one, choosing the blend that did best lately).
    """
    as_of = as_day(as_of)
    history = _recent_history(frames, as_of, config)
    stores = usual_stores(frames.members, history, config.usual_store_count)
    member_ids = frames.members["member_id"].to_numpy()
    ranker = None
    if blend is None:
        ranker = _learn_ranker(frames.members, history, frames.products, as_of, config)
    if blend is None and ranker is None:
        blend = choose_blend(history, frames.products, member_ids, stores, as_of, k, config)
    signals = build_signals(history, frames.products, member_ids, stores, as_of, config)
    if surplus is not None:
        slow = surplus["days_of_cover"].fillna(0) >= config.slow_cover_days
        surplus = surplus.assign(push=((surplus["surplus_units"].fillna(0) > 0) | slow).astype(float))
    allowed = _Allowed.build(frames.products, signals, stock, surplus, margin_floor)

    def score(rows: slice) -> np.ndarray:
        if ranker is not None:
            return ranked_scores(ranker, signals, rows, config.ranker, config.store_share)
        return signals.scores(rows, blend, config.store_share)

    if ranker is None:
        return _best(signals, score, allowed, k, config)
    # The ranker's scores are shares of visits, which the past visits can refine; a blend's are not.
    visits = PastVisits.build(history, signals.members, signals.skus)

    def choose(scored: np.ndarray, lift: np.ndarray, rows: slice) -> np.ndarray:
        return covering_picks(scored, lift, visits, rows, k, config.coverage)

    return _best(signals, score, allowed, k, config, choose)


def popular_for_each(
    frames: MemberFrames,
    as_of,
    k: int = 5,
    stock: pd.DataFrame | None = None,
    margin_floor: float | None = 0.15,
    config: AffinityConfig = AffinityConfig(),
) -> dict[str, list[str]]:
    """The k SKUs bought by the most members that each member may be offered.

    The baseline `recommend` must beat, barred from exactly what it is barred
    from (out of stock at the member's usual stores, under the margin floor)
    and lifted by nothing.
    """
    as_of = as_day(as_of)
    history = _recent_history(frames, as_of, config)
    stores = usual_stores(frames.members, history, config.usual_store_count)
    signals = build_signals(
        history, frames.products, frames.members["member_id"].to_numpy(), stores, as_of, config
    )
    buyers = history.groupby("sku", observed=True)["member_id"].nunique().reindex(signals.skus).fillna(0)
    # Ties go to the lower SKU code, as in popular_skus, so the unfiltered lists agree.
    code_order = np.argsort(np.argsort(signals.skus.to_numpy(str), kind="stable"), kind="stable")
    rank = buyers.to_numpy(float) - 1e-6 * code_order / max(len(buyers), 1)
    allowed = _Allowed.build(frames.products, signals, stock, None, margin_floor)

    bought = np.where(buyers.to_numpy() > 0, rank, 0.0)

    def score(rows: slice) -> np.ndarray:
        return np.repeat(bought[None, :], len(signals.members[rows]), axis=0)

    return _best(signals, score, allowed, k, config)


def _recent_history(frames: MemberFrames, as_of: pd.Timestamp, config: AffinityConfig) -> pd.DataFrame:
    history = frames.history_before(as_of)
    return history[history["date"] >= as_of - pd.Timedelta(days=config.history_days)]


def _best(
    signals: Signals, score_of, allowed: _Allowed, k: int, config: AffinityConfig, choose=None
) -> dict[str, list[str]]:
    """Up to k allowed SKUs per member with a positive score, best first.

    `choose(score, lift, rows)` may pick the columns instead of the k best
    scores, `lift` being what the rules multiplied each score by.
    """
    picks: dict[str, list[str]] = {}
    for start in range(0, len(signals.members), config.chunk_members):
        rows = slice(start, start + config.chunk_members)
        score = allowed.apply(score_of(rows), rows, config.surplus_boost)
        if choose is None:
            best = best_columns(score, k)
        else:
            best = choose(score, allowed.apply(np.ones_like(score), rows, config.surplus_boost), rows)
        for member, row, columns in zip(signals.members[rows], score, best, strict=True):
            picks[member] = [signals.skus[c] for c in columns if c >= 0 and row[c] > 0]
    return picks


def _learn_ranker(members, history, products, as_of, config: AffinityConfig):
    """The learned ranker, each replay seeing only its own past (usual stores included)."""
    member_ids = members["member_id"].to_numpy()

    def signals_at(cut: pd.Timestamp) -> Signals:
        past = history[history["date"] < cut]
        stores = usual_stores(members, past, config.usual_store_count)
        return build_signals(past, products, member_ids, stores, cut, config)

    return learn_ranker(signals_at, history, as_of, config.ranker, config.store_share, config.chunk_members)


@dataclass(frozen=True)
class _Allowed:
    """What may be offered to whom, and what deserves a push."""

    margin_ok: np.ndarray  # sku
    in_stock: sparse.csr_matrix | None  # member x sku, > 0 where available at a usual store
    surplus: sparse.csr_matrix | None  # member x sku, > 0 where a usual store has surplus

    @classmethod
    def build(cls, products, signals: Signals, stock, surplus, margin_floor) -> _Allowed:
        priced = products.drop_duplicates("sku").set_index("sku").reindex(signals.skus)
        margin_ok = np.ones(len(signals.skus), bool)
        if margin_floor is not None:
            margin = (priced["unit_price"] - priced["unit_cost"]) / priced["unit_price"]
            margin_ok = (margin >= margin_floor).fillna(False).to_numpy()
        if stock is None:
            return cls(margin_ok, None, None)
        locations = pd.Index(sorted(set(stock["location_code"]) | set(signals.locations)))
        visits = signals.member_stores @ _reindex_columns(signals.locations, locations)
        visits = visits.tolil()
        unknown = np.flatnonzero(np.asarray(visits.sum(axis=1)).ravel() == 0)
        visits[unknown, :] = 1.0  # no usual store known: any store will do
        visits = visits.tocsr()

        def at_stores(frame: pd.DataFrame, column: str) -> sparse.csr_matrix:
            frame = frame[frame["sku"].isin(signals.skus) & (frame[column].astype(float) > 0)]
            return visits @ _by_index(
                locations, frame["location_code"], signals.skus, frame["sku"], np.ones(len(frame))
            )

        boosted = at_stores(surplus, "push") if surplus is not None else None
        return cls(margin_ok, at_stores(stock, "available"), boosted)

    def apply(self, score: np.ndarray, rows: slice, surplus_boost: float) -> np.ndarray:
        if self.surplus is not None:
            score = score * (1.0 + surplus_boost * (self.surplus[rows].toarray() > 0))
        score[:, ~self.margin_ok] = -np.inf
        if self.in_stock is not None:
            score[self.in_stock[rows].toarray() <= 0] = -np.inf
        return score


def _reindex_columns(source: pd.Index, target: pd.Index) -> sparse.csr_matrix:
    """A 0/1 matrix mapping columns labelled by `source` onto columns labelled by `target`."""
    return sparse.csr_matrix(
        (np.ones(len(source)), (np.arange(len(source)), target.get_indexer(source))),
        shape=(len(source), len(target)),
    )
