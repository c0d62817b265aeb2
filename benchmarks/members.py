"""Member scores and next-best products on the demo chain, judged on the 90 days they never saw.

Run from the repository root:
    .venv/bin/python benchmarks/members.py [--data DIR] [--holdout-days 90] [--seed 7]

Without --data it generates the default demo chain (20 stores, 2000 SKUs, 365
days ending 2026-06-30) into a temporary directory. Scores are computed with
as_of = end - holdout, from history before it only, then compared with what the
members did afterwards:

- p_buy_90d / p_buy_30d: ROC AUC on members with a purchase before as_of,
  against a BG/NBD fitted in the same run on the same history (and against the
  `lifetimes` package when it happens to be importable, as a cross-check);
- next_best_skus: hit rate at 5 against the 5 SKUs most members bought, per
  visit in the next 30 days (did the basket hold a recommended SKU?), on each
  member's next visit, and per member over the 30 days; once on relevance
  alone, once as offered (stock, margin floor, slow-mover lift), where the
  baseline is barred from the same SKUs. Under the lifts, the range 95% of
  redraws of the members (with replacement) put them in: a member's visits
  come and miss together, so it is members that are drawn.

Nothing used to fit or choose a model reads the days after as_of: the ranker
behind next_best_skus learns from replays of the weeks before it. Designs were
compared on a split inside the training period (`--holdout-days 120` puts
as_of 30 days earlier, so its 30-day window ends where the holdout begins).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from _common import Stopwatch
from sklearn.metrics import roc_auc_score

from adapters.demo_chain import generate_demo_chain
from adapters.member_frames import load_member_frames
from domain.members.affinity import AffinityConfig, popular_for_each, popular_skus, recommend
from domain.members.bgnbd import BgNbd, fit_bgnbd
from domain.members.frames import MemberFrames
from domain.members.rfm import purchase_days, rfm_summary
from domain.members.segments import SegmentConfig, score_members

DEMO_END = date(2026, 6, 30)


def bgnbd_reference(frames: MemberFrames, as_of: pd.Timestamp) -> pd.DataFrame:
    summary = rfm_summary(purchase_days(frames.history_before(as_of)), as_of)
    with Stopwatch() as watch:
        model = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    print(
        f"BG/NBD fit: r={model.r:.3f} alpha={model.alpha:.3f} a={model.a:.3f} b={model.b:.3f} "
        f"({watch.seconds:.2f} s, {len(summary)} members)"
    )
    args = (summary["x"], summary["t_x"], summary["T"])
    reference = pd.DataFrame(
        {"bg_p_30": model.p_buy_within(30 / 7, *args), "bg_p_90": model.p_buy_within(90 / 7, *args)},
        index=summary.index,
    )
    lifetimes_cross_check(summary, model)
    return reference


def lifetimes_cross_check(summary: pd.DataFrame, model: BgNbd) -> None:
    try:
        from lifetimes import BetaGeoFitter
    except Exception as error:  # an optional cross-check: absent or broken on this stack is fine
        print(f"lifetimes cross-check skipped ({type(error).__name__})")
        return
    fitter = BetaGeoFitter().fit(summary["x"], summary["t_x"], summary["T"])
    p = fitter.params_
    print(f"lifetimes BG/NBD: r={p['r']:.3f} alpha={p['alpha']:.3f} a={p['a']:.3f} b={p['b']:.3f}")
    args = (summary["x"], summary["t_x"], summary["T"])
    theirs = fitter.conditional_expected_number_of_purchases_up_to_time(90 / 7, *args).to_numpy()
    ours = model.expected_purchases(90 / 7, *args)
    print(
        f"  expected purchases in 90 days, ours vs lifetimes: max abs difference {np.abs(ours - theirs).max():.4f}"
    )


def judge_scores(
    frames: MemberFrames, scored: pd.DataFrame, reference: pd.DataFrame, as_of: pd.Timestamp
) -> None:
    later = frames.transactions[frames.transactions["date"] >= as_of]
    table = scored.set_index("member_id").join(reference, how="inner")
    print(f"\nbuy-again ranking, {len(table)} members with history before {as_of.date()}")
    for horizon in (30, 90):
        buyers = set(later.loc[later["date"] < as_of + pd.Timedelta(days=horizon), "member_id"])
        bought = table.index.isin(buyers)
        ours = roc_auc_score(bought, table[f"p_buy_{horizon}d"])
        theirs = roc_auc_score(bought, table[f"bg_p_{horizon}"])
        print(
            f"  {horizon:>2} days: AUC ours {ours:.4f}  BG/NBD {theirs:.4f}   "
            f"bought {bought.mean():.3f}, mean predicted ours {table[f'p_buy_{horizon}d'].mean():.3f} "
            f"BG/NBD {table[f'bg_p_{horizon}'].mean():.3f}"
        )
    spend = later[later["date"] < as_of + pd.Timedelta(days=90)].groupby("member_id")["amount"].sum()
    actual = spend.reindex(table.index).fillna(0.0)
    error = (table["expected_value_90d"] - actual).abs().mean()
    print(
        f"  expected_value_90d: mean abs error {error:.1f} yuan, Spearman "
        f"{table['expected_value_90d'].corr(actual, method='spearman'):.3f} (actual mean {actual.mean():.1f})"
    )


def member_hits(picks: dict[str, list[str]], later: pd.DataFrame) -> pd.DataFrame:
    """Per member: visits, visits holding a pick, whether the first visit held one, whether any did."""
    visits = later.groupby(["member_id", "date"])["sku"].agg(set).reset_index()  # each member's in date order
    visits["hit"] = [
        bool(set(picks.get(m, ())) & basket)
        for m, basket in zip(visits["member_id"], visits["sku"], strict=True)
    ]
    return visits.groupby("member_id")["hit"].agg(visits="size", hits="sum", first="first", any="max")


def hit_rates(hits: pd.DataFrame) -> np.ndarray:
    """Per visit, next visit, per member."""
    return np.array([hits["hits"].sum() / hits["visits"].sum(), hits["first"].mean(), hits["any"].mean()])


def lift_interval(ours: pd.DataFrame, base: pd.DataFrame, draws: int = 1000) -> np.ndarray:
    """2.5% and 97.5% quantiles of the three lifts over members drawn again with replacement (2 x 3).

    Visits of one member are not independent, so members are what is drawn; both
    sides are judged on the same draw.
    """
    ours = ours.reindex(base.index)
    tallies = [(frame["hits"], frame["visits"], frame["first"], frame["any"]) for frame in (ours, base)]
    drawn = np.random.default_rng(0).integers(0, len(base), (draws, len(base)))

    def rates(hits, visits, first, any_) -> np.ndarray:
        sums = [np.asarray(column, float)[drawn].sum(axis=1) for column in (hits, visits, first, any_)]
        return np.stack([sums[0] / sums[1], sums[2], sums[3]])

    return np.quantile(rates(*tallies[0]) / rates(*tallies[1]), [0.025, 0.975], axis=1)


def judge_recommendations(
    frames: MemberFrames, scored: pd.DataFrame, as_of: pd.Timestamp, surplus: pd.DataFrame
) -> None:
    later = frames.transactions[
        (frames.transactions["date"] >= as_of) & (frames.transactions["date"] < as_of + pd.Timedelta(days=30))
    ]
    print(
        f"\nhit rate at 5, next 30 days ({later['member_id'].nunique()} members, "
        f"{later.groupby(['member_id', 'date']).ngroups} visits)\n"
        "  per visit: share of the visits holding a recommended SKU; next visit: the same for each member's\n"
        "  first visit after the split; per member: share of members who bought one in the 30 days"
    )
    ours = {m: s.split("|") for m, s in zip(scored["member_id"], scored["next_best_skus"], strict=True) if s}
    popular = dict.fromkeys(later["member_id"].unique(), popular_skus(frames.history_before(as_of), 5))
    print("  relevance alone (no stock, margin or surplus rules on either side):")
    compare(("most popular 5", popular), ("next_best_skus", ours), later)

    with Stopwatch() as watch:
        offered = recommend(frames, as_of, 5, stock=frames.positions, surplus=surplus, margin_floor=0.15)
    offerable = popular_for_each(frames, as_of, 5, stock=frames.positions, margin_floor=0.15)
    print(
        "  as offered (in stock at the usual stores, margin >= 15%; ours also lifts surplus and slow movers,\n"
        "  the baseline is barred from the same SKUs and lifted by nothing):"
    )
    compare(("most popular 5 offerable", offerable), ("next_best_skus offered", offered), later)
    slow = int((surplus["days_of_cover"] >= AffinityConfig().slow_cover_days).sum())
    print(
        f"  (recommend with rules: {watch.seconds:.1f} s; stock is the end-of-history snapshot; "
        f"{slow} store-SKUs slow by cover)"
    )


def compare(baseline: tuple[str, dict], ours: tuple[str, dict], later: pd.DataFrame) -> None:
    base_hits = member_hits(baseline[1], later)
    base = hit_rates(base_hits)
    print(f"    {'':<28} per visit / next visit / per member")
    for name, picks in (baseline, ours):
        hits = member_hits(picks, later)
        rates = hit_rates(hits)
        lifts = " ".join(f"{r / b:.3f}x" for r, b in zip(rates, base, strict=True))
        print(f"    {name:<28} {rates[0]:.4f} / {rates[1]:.4f} / {rates[2]:.4f}   ({lifts})")
    low, high = lift_interval(hits, base_hits)
    spans = " ".join(f"{a:.2f}-{b:.2f}x" for a, b in zip(low, high, strict=True))
    print(f"    {'95% of member redraws':<28} {'':<26}({spans})")


def cover_from_sales(data: Path, frames: MemberFrames, as_of: pd.Timestamp) -> pd.DataFrame:
    """Days of cover per store and SKU: the shelf over the last 28 days' sales before `as_of` (all receipts).

    The demo has no replenishment output; this stands in for its slow-mover figures.
    """
    sales = pd.read_csv(
        data / "sales.csv", usecols=["timestamp", "location_code", "sku", "qty"], dtype={"sku": str}
    )
    day = pd.to_datetime(sales["timestamp"].str[:10], format="%Y-%m-%d")
    recent = sales[(day >= as_of - pd.Timedelta(days=28)) & (day < as_of)]
    daily = recent.groupby(["location_code", "sku"])["qty"].sum() / 28
    cover = frames.positions.set_index(["location_code", "sku"])["available"]
    days = cover / daily.reindex(cover.index)
    frame = days.fillna(np.inf).rename("days_of_cover").reset_index()
    return frame.assign(surplus_units=0.0)[["location_code", "sku", "surplus_units", "days_of_cover"]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, help="a directory of the chain's CSVs (default: generate the demo)"
    )
    parser.add_argument("--holdout-days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = args.data
        if data is None:
            data = Path(scratch)
            with Stopwatch() as watch:
                generate_demo_chain(data, seed=args.seed, end_date=DEMO_END)
            print(f"demo chain generated in {watch.seconds:.1f} s")
        with Stopwatch() as watch:
            frames = load_member_frames(data)
        print(
            f"loaded {len(frames.members)} members, {len(frames.transactions)} member sales lines "
            f"in {watch.seconds:.1f} s"
        )
        as_of = frames.transactions["date"].max() + pd.Timedelta(days=1 - args.holdout_days)
        surplus = cover_from_sales(data, frames, as_of)

    # The stock snapshot is from the end of the history: score without it, judge it separately.
    blind = MemberFrames(frames.members, frames.transactions, frames.products)
    with Stopwatch() as watch:
        scored = score_members(blind, as_of.date(), SegmentConfig(margin_floor=None))
    print(f"score_members(as_of={as_of.date()}): {watch.seconds:.1f} s ({watch.cpu_seconds:.1f} s CPU)")
    print("segments: " + ", ".join(f"{k} {v}" for k, v in scored["segment"].value_counts().items()))
    judge_scores(frames, scored, bgnbd_reference(frames, as_of), as_of)
    judge_recommendations(frames, scored, as_of, surplus)


if __name__ == "__main__":
    main()
