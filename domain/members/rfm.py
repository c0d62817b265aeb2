"""Recency, frequency and monetary value from purchase history.

A purchase occasion is a member's shop day with at least one receipt: two
receipts on one day (forgot the milk) are one visit, which is what both
BG/NBD and the shop's own "visits" count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RFM_COLUMNS = ("recency_days", "frequency", "monetary", "x", "t_x", "T")


def purchase_days(history: pd.DataFrame) -> pd.DataFrame:
    """One row per member and day they bought: member_id, date, spend."""
    days = history.groupby(["member_id", "date"], as_index=False, observed=True)["amount"].sum()
    return days.rename(columns={"amount": "spend"})


def rfm_summary(days: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per member with a purchase before `as_of`: the RFM figures and BG/NBD inputs.

    recency_days  days from the last purchase to `as_of` (bought yesterday -> 1)
    frequency     purchase days in the history
    monetary      mean spend per purchase day
    x, t_x, T     BG/NBD repeat purchases, time of the last one and age, in weeks
                  from the first purchase (so a one-off buyer has x = 0, t_x = 0)
    """
    days = days[days["date"] < as_of]
    grouped = days.groupby("member_id", observed=True)
    first, last = grouped["date"].min(), grouped["date"].max()
    summary = pd.DataFrame(
        {
            "recency_days": (as_of - last).dt.days,
            "frequency": grouped.size(),
            "monetary": grouped["spend"].mean(),
        }
    )
    summary["x"] = summary["frequency"] - 1
    summary["t_x"] = (last - first).dt.days / 7.0
    summary["T"] = (as_of - first).dt.days / 7.0
    return summary


def rfm_scores(summary: pd.DataFrame, bins: int = 5) -> pd.Series:
    """The classic R+F+M score: each a 1..bins rank bucket, recent/often/big is high."""
    if summary.empty:
        return pd.Series(dtype=float)

    def bucket(values: pd.Series) -> pd.Series:
        ranks = values.rank(method="average", pct=True)
        return np.ceil(ranks * bins).clip(1, bins)

    return bucket(-summary["recency_days"]) + bucket(summary["frequency"]) + bucket(summary["monetary"])


def spend_between(days: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Spend per member on days in [start, end)."""
    window = days[(days["date"] >= start) & (days["date"] < end)]
    return window.groupby("member_id", observed=True)["spend"].sum()
