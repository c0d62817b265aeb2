"""Who buys again, learned from the members' own past.

The history is replayed at earlier cut-offs: features describe each member as
the shop saw them at the cut-off, the label is whether they bought in the
following 30 or 90 days and how much they spent in the 90. A gradient-boosted
model learns those, with the BG/NBD posterior among its features, so it starts
from the reference model and corrects it where the history says otherwise
(seasonal regulars, lapsing big spenders, new members with one visit).
When the history is too short to replay, BG/NBD alone answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

from domain.members.bgnbd import FitFailed, fit_bgnbd
from domain.members.rfm import rfm_summary, spend_between

HORIZONS = (30, 90)
FEATURES = (
    "recency_days", "frequency", "monetary", "tenure_days", "age_days", "mean_gap_days",
    "overdue", "visits_30", "visits_90", "visits_180", "spend_90", "p_alive", "bg_p_30", "bg_p_90",
    "bg_expected_90",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PropensityConfig:
    """How far back the model replays the history, and how big it may grow."""

    cutoffs_per_horizon: int = 2
    min_training_members: int = 200
    max_iter: int = 100
    seed: int = 7
    # One thread: on a busy machine OpenMP workers spin against each other and a
    # fit takes ten times longer; None lets scikit-learn use every core.
    threads: int | None = 1


def member_features(days: pd.DataFrame, members: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """One row per member who had joined by `cutoff`, described with history before it."""
    joined = members.loc[members["joined_on"] < cutoff, ["member_id", "joined_on"]].set_index("member_id")
    summary = rfm_summary(days, cutoff).reindex(joined.index)
    features = pd.DataFrame(index=joined.index)
    features["tenure_days"] = (cutoff - joined["joined_on"]).dt.days
    features["recency_days"] = summary["recency_days"]
    features["frequency"] = summary["frequency"].fillna(0)
    features["monetary"] = summary["monetary"]
    features["age_days"] = summary["T"] * 7
    features["mean_gap_days"] = summary["t_x"] * 7 / summary["x"].where(summary["x"] > 0)
    features["overdue"] = features["recency_days"] / features["mean_gap_days"]
    for window in (30, 90, 180):
        recent = days[(days["date"] >= cutoff - pd.Timedelta(days=window)) & (days["date"] < cutoff)]
        features[f"visits_{window}"] = recent.groupby("member_id").size().reindex(joined.index).fillna(0)
    features["spend_90"] = spend_between(days, cutoff - pd.Timedelta(days=90), cutoff).reindex(joined.index)
    features["spend_90"] = features["spend_90"].fillna(0)
    return features.join(bgnbd_outputs(summary))


def bgnbd_outputs(summary: pd.DataFrame) -> pd.DataFrame:
    """BG/NBD P(alive), P(buy in 30/90 days) and expected visits in 90, per member with history."""
    known = summary.dropna(subset=["x"])
    outputs = pd.DataFrame(index=summary.index, columns=["p_alive", "bg_p_30", "bg_p_90", "bg_expected_90"])
    try:
        model = fit_bgnbd(known["x"], known["t_x"], known["T"])
    except FitFailed:
        return outputs.astype(float)
    args = (known["x"].to_numpy(), known["t_x"].to_numpy(), known["T"].to_numpy())
    outputs.loc[known.index, "p_alive"] = model.p_alive(*args)
    outputs.loc[known.index, "bg_p_30"] = model.p_buy_within(30 / 7, *args)
    outputs.loc[known.index, "bg_p_90"] = model.p_buy_within(90 / 7, *args)
    outputs.loc[known.index, "bg_expected_90"] = model.expected_purchases(90 / 7, *args)
    return outputs.astype(float)


def _boosting(config: PropensityConfig) -> dict:
    # Shallow, well-populated leaves: a few thousand members per cut-off is little data.
    return {
        "max_iter": config.max_iter,
        "learning_rate": 0.08,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 40,
        "l2_regularization": 1.0,
        "random_state": config.seed,
    }


def _training_frame(days, members, as_of, horizon, config) -> pd.DataFrame:
    frames = []
    for step in range(1, config.cutoffs_per_horizon + 1):
        cutoff = as_of - pd.Timedelta(days=horizon * step)
        if days["date"].min() > cutoff - pd.Timedelta(days=horizon):
            break  # not enough history before this cut-off to describe anyone
        features = member_features(days, members, cutoff)
        future = spend_between(days, cutoff, cutoff + pd.Timedelta(days=horizon))
        features["spend_next"] = future.reindex(features.index).fillna(0.0)
        features["bought_next"] = features.index.isin(future.index)
        frames.append(features)
    return pd.concat(frames) if frames else pd.DataFrame()


def predict_propensity(days, members, as_of: pd.Timestamp, config: PropensityConfig) -> pd.DataFrame:
    """p_buy_30d, p_buy_90d and expected_value_90d per joined member, learned up to `as_of`."""
    with threadpool_limits(limits=config.threads):
        return _predict(days, members, as_of, config)


def _predict(days, members, as_of: pd.Timestamp, config: PropensityConfig) -> pd.DataFrame:
    current = member_features(days, members, as_of)
    scores = pd.DataFrame(index=current.index)
    X_now = current[list(FEATURES)].to_numpy(float)
    for horizon in HORIZONS:
        train = _training_frame(days, members, as_of, horizon, config)
        column = f"p_buy_{horizon}d"
        if len(train) < config.min_training_members or train["bought_next"].nunique() < 2:
            scores[column] = current[f"bg_p_{horizon}"].fillna(0.0)
            if horizon == 90:
                scores["expected_value_90d"] = (current["bg_expected_90"] * current["monetary"]).fillna(0.0)
            continue
        X = train[list(FEATURES)].to_numpy(float)
        classifier = HistGradientBoostingClassifier(**_boosting(config))
        scores[column] = classifier.fit(X, train["bought_next"]).predict_proba(X_now)[:, 1]
        if horizon == 90:
            regressor = HistGradientBoostingRegressor(loss="poisson", **_boosting(config))
            scores["expected_value_90d"] = regressor.fit(X, train["spend_next"]).predict(X_now)
    return scores.clip(lower=0.0)
