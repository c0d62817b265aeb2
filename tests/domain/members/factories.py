"""A small synthetic chain for member analytics tests: a few stores, products and habitual shoppers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.members.frames import MemberFrames

CATEGORIES = ("rice", "oil", "snacks", "drinks", "dairy", "produce")


def synthetic_chain(
    members: int = 300, skus: int = 60, days: int = 365, end: date = date(2026, 6, 30), seed: int = 1
) -> MemberFrames:
    """Members buy at their own pace from a few favourite categories until some of them drift away."""
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days)
    products = pd.DataFrame(
        {
            "sku": [f"S{i:04d}" for i in range(skus)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(skus)],
            "brand": [f"B{i % 7}" for i in range(skus)],
            "unit_price": np.round(rng.uniform(5, 60, skus), 2),
        }
    )
    products["unit_cost"] = np.round(products["unit_price"] * rng.uniform(0.55, 0.95, skus), 2)
    member_ids = [f"M{i:05d}" for i in range(members)]
    joined = [start + timedelta(days=int(d)) for d in rng.integers(-200, days, members)]
    table = pd.DataFrame(
        {
            "member_id": member_ids,
            "joined_on": pd.to_datetime(joined),
            "tier": "standard",
            "points": rng.integers(0, 3000, members),
            "consent_sms": rng.random(members) < 0.7,
            "consent_email": rng.random(members) < 0.5,
            "consent_chat": rng.random(members) < 0.4,
        }
    )
    lines = []
    for member, joined_on in zip(member_ids, joined, strict=True):
        lines.extend(_shopping_trips(rng, member, max(joined_on, start), end, products))
    transactions = pd.DataFrame(
        lines,
        columns=["receipt_id", "member_id", "location_code", "date", "sku", "category", "qty", "amount"],
    )
    transactions["date"] = pd.to_datetime(transactions["date"])
    stores = ["L01", "L02", "L03"]
    positions = pd.DataFrame(
        [(s, p, 10.0, 10.0) for s in stores for p in products["sku"]],
        columns=["location_code", "sku", "on_hand", "available"],
    )
    return MemberFrames(table, transactions, products, positions)


def _shopping_trips(rng, member, first, end, products):
    rate = rng.gamma(2.0, 1 / 40)  # visits per day
    churn_day = first + timedelta(days=int(rng.exponential(400)))
    store = f"L0{rng.integers(1, 4)}"
    favourites = rng.choice(len(products), size=6, replace=False)
    day, visit = first, 0
    while True:
        day += timedelta(days=max(1, int(rng.exponential(1 / rate))))
        if day >= end or day >= churn_day:
            return
        visit += 1
        for index in rng.choice(favourites, size=rng.integers(1, 4), replace=False):
            product = products.iloc[int(index)]
            qty = int(rng.integers(1, 3))
            yield (
                f"R{member}-{visit}",
                member,
                store,
                day,
                product["sku"],
                product["category"],
                qty,
                round(qty * product["unit_price"], 2),
            )
