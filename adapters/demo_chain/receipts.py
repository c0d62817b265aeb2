"""Turn a day's sales lines into receipts: basket sizes, channels, times of day, prices and members."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapters.demo_chain.catalogue import Catalogue
from adapters.demo_chain.demand import Promotions
from adapters.demo_chain.members import Baskets, MemberBook
from adapters.demo_chain.shelves import DaySales

CHANNELS = ("store", "online", "mini_program")
CHANNEL_SHARES = np.array([0.87, 0.05, 0.08])
# Mini-program orders need a login; online orders mostly come from known accounts.
MEMBER_SHARE_BY_CHANNEL = np.array([0.35, 0.7, 1.0])
# A line opens a new receipt with this chance: geometric baskets of 2.5 lines on average.
NEW_RECEIPT_CHANCE = 0.4
# Tills open 7:00-23:00 with breakfast, lunch and after-work peaks; online orders lean to the evening.
STORE_HOURS = np.arange(7, 23)
STORE_HOUR_WEIGHTS = np.array([3, 6, 5, 4, 6, 8, 6, 4, 4, 5, 7, 9, 8, 6, 4, 2], dtype=float)
ONLINE_HOURS = np.arange(8, 23)
ONLINE_HOUR_WEIGHTS = np.array([2, 3, 3, 4, 5, 4, 3, 3, 4, 5, 7, 9, 10, 8, 5], dtype=float)


@dataclass(frozen=True)
class DayReceipts:
    """One day's sales lines with their receipts, sorted by time, store and receipt."""

    day_index: int
    second_of_day: np.ndarray  # [receipt]
    store_of_receipt: np.ndarray  # [receipt]
    number: np.ndarray  # [receipt] 1.. in time order within the store
    channel: np.ndarray  # [receipt] index into CHANNELS
    member: np.ndarray  # [receipt] member index, -1 for anonymous shoppers
    receipt: np.ndarray  # [line]
    sku: np.ndarray  # [line]
    qty: np.ndarray  # [line]
    unit_price: np.ndarray  # [line]
    promo: np.ndarray  # [line] bool


def make_receipts(rng: np.random.Generator, sales: DaySales, catalogue: Catalogue,
                  promotions: Promotions, members: MemberBook) -> DayReceipts:
    """Group the lines of each store into baskets and give each basket a time, a channel and maybe a member."""
    day = sales.day_index
    order = np.lexsort((rng.random(len(sales.qty)), sales.store))
    store, sku, qty = sales.store[order], sales.sku[order], sales.qty[order]
    opens = rng.random(len(qty)) < NEW_RECEIPT_CHANCE
    opens[:1] = True
    opens[1:] |= store[1:] != store[:-1]
    first_line = np.flatnonzero(opens)
    receipts = len(first_line)
    store_of_receipt = store[first_line]
    channel = rng.choice(len(CHANNELS), size=receipts, p=CHANNEL_SHARES)
    second = _second_of_day(rng, channel)
    member = _members(rng, members, day, store_of_receipt, channel, sku, first_line, catalogue.category)
    by_time = np.lexsort((second, store_of_receipt))
    number = np.empty(receipts, dtype=int)
    number[by_time] = np.arange(receipts) - np.searchsorted(store_of_receipt[by_time], store_of_receipt[by_time])
    receipt = np.cumsum(opens) - 1
    line_order = np.lexsort((np.arange(len(qty)), number[receipt], store[receipt], second[receipt]))
    receipt, sku, qty = receipt[line_order], sku[line_order], qty[line_order]
    promo = promotions.on(day)[sku]
    price = np.where(promo, promotions.price[sku, day], catalogue.unit_price[sku])
    buyer = member[receipt]
    np.add.at(members.spend, buyer[buyer >= 0], (price * qty)[buyer >= 0])
    return DayReceipts(day, second, store_of_receipt, number + 1, channel, member, receipt, sku, qty, price, promo)


def _second_of_day(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    online = channel != CHANNELS.index("store")
    hour = rng.choice(STORE_HOURS, size=len(channel), p=STORE_HOUR_WEIGHTS / STORE_HOUR_WEIGHTS.sum())
    hour[online] = rng.choice(ONLINE_HOURS, size=int(online.sum()), p=ONLINE_HOUR_WEIGHTS / ONLINE_HOUR_WEIGHTS.sum())
    return hour * 3600 + rng.integers(0, 3600, len(channel))


def _members(rng: np.random.Generator, members: MemberBook, day: int, store: np.ndarray, channel: np.ndarray,
             sku: np.ndarray, first_line: np.ndarray, sku_category: np.ndarray) -> np.ndarray:
    """About 40% of receipts carry a member card, picked among that store's members.

    `sku` lists the day's lines receipt after receipt; `first_line` is where each receipt starts.
    """
    member = np.full(len(store), -1)
    carded = rng.random(len(store)) < MEMBER_SHARE_BY_CHANNEL[channel]
    activity = members.activity(day)
    lines = np.diff(np.append(first_line, len(sku)))
    for s in np.unique(store[carded]):
        mine = np.flatnonzero(carded & (store == s))
        # The receipts' lines back to back: first_line of each, counting up within it.
        starts = np.cumsum(lines[mine]) - lines[mine]
        offsets = np.arange(lines[mine].sum()) - np.repeat(starts, lines[mine])
        skus = sku[np.repeat(first_line[mine], lines[mine]) + offsets]
        baskets = Baskets(skus, lines[mine], sku_category[sku[first_line[mine]]])
        member[mine] = members.regulars[s].pick(rng, activity, baskets)
    return member
