"""Loyalty members with behaviour worth analysing: regulars, lapsing, dormant, new and a few VIPs.

Each member has one or two usual stores (same region), two or three
favourite categories and a handful of habitual products. Member receipts
are handed to members in proportion to their activity on that day,
favouring those who like what the receipt holds, so purchase affinity,
buy-again habits and recency/frequency patterns can be learnt back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from adapters.demo_chain import people
from adapters.demo_chain.catalogue import Catalogue
from adapters.demo_chain.categories import CATEGORIES
from adapters.demo_chain.locations import Location

MEMBERS_PER_STORE = 400
SEGMENTS = ("regular", "occasional", "lapsing", "dormant", "new", "vip")
SEGMENT_SHARES = (0.45, 0.17, 0.14, 0.14, 0.08, 0.02)
SEGMENT_RATE = {"regular": 1.0, "occasional": 0.2, "lapsing": 1.0, "dormant": 1.0, "new": 1.5, "vip": 4.0}
FAVOURITE_BOOST = 6.0  # a receipt opening with a favourite category is this much likelier to be yours
HABIT_BOOST = 100.0  # ... and with one of your habitual products, far likelier still
HABITS = 6
VIP_BASKET_POWER = 1.5  # VIPs are likelier to own big baskets
VIP_FAVOURITES = ("酒类", "礼盒")
TELEGRAM_SHARE = 0.25
EMAIL_SHARE = 0.8
# Nine-digit ids like early Telegram accounts: the importer refuses whole numbers above 10^9.
FIRST_TELEGRAM_ID = 400_000_000
TELEGRAM_ID_SPAN = 600_000_000


@dataclass(frozen=True)
class Baskets:
    """The receipts to hand out: their lines' SKUs back to back, and how many lines each receipt has."""

    skus: np.ndarray
    lines: np.ndarray
    first_category: np.ndarray  # category of each receipt's first line


class StoreRegulars:
    """The members who shop at one store, indexed by their habitual products for quick matching."""

    def __init__(self, members: np.ndarray, favourite: np.ndarray, vip: np.ndarray, habits: np.ndarray):
        self.members = members
        self.favourite_by_category = np.ascontiguousarray(favourite[members].T)  # [category, regular]
        self.vip = vip[members]
        holder = np.repeat(np.arange(len(members)), habits.shape[1])
        by_sku = np.argsort(habits[members].ravel(), kind="stable")
        self.habit_skus = habits[members].ravel()[by_sku]
        self.habit_holders = holder[by_sku]

    def pick(self, rng: np.random.Generator, activity: np.ndarray, baskets: Baskets) -> np.ndarray:
        """Member index for each receipt (-1 when nobody is active here).

        Receipts go to members in proportion to their activity, more often to
        those whose favourite category opens the basket, and far more often to
        those whose habitual products are in it.
        """
        receipts, regulars = len(baskets.lines), len(self.members)
        if regulars == 0:
            return np.full(receipts, -1)
        liking = 1 + FAVOURITE_BOOST * self.favourite_by_category[baskets.first_category]
        liking += HABIT_BOOST * self._habitual_lines(baskets)
        weight = activity[self.members][None, :] * liking  # [receipt, regular]
        weight[:, self.vip] *= baskets.lines[:, None] ** VIP_BASKET_POWER
        # One inverse-CDF draw per receipt over the flattened weights, each row its own segment.
        cumulative = np.cumsum(weight.ravel())
        row_end = cumulative[regulars - 1 :: regulars]
        row_start = row_end - weight.sum(axis=1)
        targets = row_start + rng.random(receipts) * (row_end - row_start)
        chosen = np.searchsorted(cumulative, targets, side="right") - np.arange(receipts) * regulars
        return np.where(row_end > row_start, self.members[np.clip(chosen, 0, regulars - 1)], -1)

    def _habitual_lines(self, baskets: Baskets) -> np.ndarray:
        """[receipt, regular] how many of the receipt's lines are that regular's habitual products."""
        first = np.searchsorted(self.habit_skus, baskets.skus, side="left")
        holders_per_line = np.searchsorted(self.habit_skus, baskets.skus, side="right") - first
        receipt_of_line = np.repeat(np.arange(len(baskets.lines)), baskets.lines)
        starts = np.cumsum(holders_per_line) - holders_per_line
        match = np.repeat(first - starts, holders_per_line) + np.arange(holders_per_line.sum())
        cell = np.repeat(receipt_of_line, holders_per_line) * len(self.members) + self.habit_holders[match]
        counts = np.bincount(cell, minlength=len(baskets.lines) * len(self.members))
        return counts.reshape(len(baskets.lines), len(self.members))


@dataclass
class MemberBook:
    ids: list[str]
    segment: np.ndarray  # index into SEGMENTS
    rate: np.ndarray  # relative visit rate while active
    active_from: np.ndarray  # day index of the first possible visit
    active_until: np.ndarray  # day index after which a dormant member stops coming
    decay_start: np.ndarray  # day index a lapsing member starts fading (large: never)
    decay_days: np.ndarray
    joined_on: list[date]
    regulars: list[StoreRegulars]  # per store
    spend: np.ndarray  # yuan spent in the history, filled while receipts are written

    def activity(self, day_index: int) -> np.ndarray:
        """[member] relative chance of being the member on a receipt that day."""
        fading = np.exp(-np.maximum(0, day_index - self.decay_start) / self.decay_days)
        active = (day_index >= self.active_from) & (day_index <= self.active_until)
        return self.rate * fading * active


def default_member_count(stores: int) -> int:
    return MEMBERS_PER_STORE * stores


def enrol_members(rng: np.random.Generator, count: int, stores: list[Location], days: list[date],
                  catalogue: Catalogue) -> MemberBook:
    """Draw `count` members with segments, usual stores, favourites, habits and join dates."""
    horizon = len(days)
    segment = rng.choice(len(SEGMENTS), size=count, p=SEGMENT_SHARES)
    is_ = {name: segment == SEGMENTS.index(name) for name in SEGMENTS}
    rate = rng.lognormal(0.0, 0.6, count) * np.array([SEGMENT_RATE[s] for s in SEGMENTS])[segment]
    joined_index = np.where(is_["new"], horizon - 1 - rng.integers(0, 30, count), -rng.integers(1, 4 * 365, count))
    decay_start = np.where(is_["lapsing"], rng.uniform(0.2, 0.7, count) * horizon, 10 * horizon)
    active_until = np.where(is_["dormant"], horizon - 1 - rng.integers(90, 300, count), horizon)
    favourite = _favourites(rng, count, is_["vip"])
    habits = _habits(rng, favourite, catalogue)
    regulars = [StoreRegulars(members, favourite, is_["vip"], habits) for members in _usual_stores(rng, count, stores)]
    return MemberBook(
        ids=[f"M{n:06d}" for n in range(1, count + 1)],
        segment=segment,
        rate=rate,
        active_from=np.maximum(joined_index, 0),
        active_until=active_until,
        decay_start=decay_start,
        decay_days=rng.uniform(20, 45, count),
        joined_on=[days[0] + timedelta(days=int(i)) for i in joined_index],
        regulars=regulars,
        spend=np.zeros(count),
    )


def _favourites(rng: np.random.Generator, count: int, vip: np.ndarray) -> np.ndarray:
    share = np.array([c.traffic_share for c in CATEGORIES])
    # Gumbel top-k: two or three categories each, drawn without replacement in proportion to their traffic.
    keys = np.log(share)[None, :] + rng.gumbel(size=(count, len(CATEGORIES)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    favourite = rank < rng.integers(2, 4, count)[:, None]
    names = [c.name for c in CATEGORIES]
    favourite[np.ix_(vip, [names.index(n) for n in VIP_FAVOURITES])] = True
    return favourite


def _habits(rng: np.random.Generator, favourite: np.ndarray, catalogue: Catalogue) -> np.ndarray:
    """HABITS products per member from the favourite categories, popular ones likelier (repeats allowed)."""
    count = len(favourite)
    keys = np.where(favourite[:, None, :], rng.gumbel(size=(count, HABITS, len(CATEGORIES))), -np.inf)
    category = keys.argmax(axis=2)
    # Inverse-CDF draw within the category: SKUs ordered by category, popularity accumulated.
    order = np.argsort(catalogue.category, kind="stable")
    cumulative = np.cumsum(catalogue.popularity[order])
    ends = np.searchsorted(catalogue.category[order], np.arange(len(CATEGORIES)), side="right")
    starts = np.searchsorted(catalogue.category[order], np.arange(len(CATEGORIES)), side="left")
    low = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)[category]
    high = cumulative[ends - 1][category]
    position = np.searchsorted(cumulative, low + rng.random(category.shape) * (high - low), side="right")
    return order[np.clip(position, starts[category], ends[category] - 1)]


def _usual_stores(rng: np.random.Generator, count: int, stores: list[Location]) -> list[np.ndarray]:
    """Per store, the members who shop there: a home store, and for a third a second one in the region."""
    home = rng.integers(0, len(stores), count)
    region = np.array([s.region for s in stores])
    by_region = np.argsort(region, kind="stable")  # store indices grouped by region
    first = np.searchsorted(region[by_region], region)  # where each store's region starts in that order
    size = np.bincount(first, minlength=len(stores))[first]
    second = by_region[first[home] + (rng.random(count) * size[home]).astype(int)]
    has_second = (rng.random(count) < 1 / 3) & (second != home)
    members = np.arange(count)
    return [np.union1d(members[home == s], members[has_second & (second == s)]) for s in range(len(stores))]


@dataclass(frozen=True)
class MemberContact:
    name: str
    phone: str
    email: str
    telegram_user_id: str
    consent_sms: int
    consent_email: int
    consent_chat: int


def contacts(rng: np.random.Generator, names: list[str], pinyin: list[str], phones: list[str]) -> list[MemberContact]:
    """Contact details and consents; emails for most, Telegram for a quarter."""
    count = len(names)
    emails = people.personal_emails(rng, pinyin, list(range(1, count + 1)))
    has_email = rng.random(count) < EMAIL_SHARE
    has_telegram = rng.random(count) < TELEGRAM_SHARE
    telegram = FIRST_TELEGRAM_ID + rng.choice(TELEGRAM_ID_SPAN, size=count, replace=False)
    sms, mail, chat = rng.random((3, count))
    return [
        MemberContact(
            names[m], phones[m], emails[m] if has_email[m] else "",
            str(telegram[m]) if has_telegram[m] else "",
            int(sms[m] < 0.7), int(has_email[m] and mail[m] < 0.5), int(has_telegram[m] and chat[m] < 0.8),
        )
        for m in range(count)
    ]


def points_and_tiers(rng: np.random.Generator, book: MemberBook) -> tuple[np.ndarray, list[str]]:
    """Points: a yuan a point over the history plus older balances, less redemptions; tiers follow points."""
    older = np.where(book.active_from == 0, rng.uniform(0, 1500, len(book.ids)) * book.rate, 0)
    redeemed = rng.uniform(0, 0.4, len(book.ids))
    points = np.floor((book.spend + older) * (1 - redeemed)).astype(int)
    vip = book.segment == SEGMENTS.index("vip")
    gold, silver = np.quantile(points[~vip], [0.9, 0.65]) if (~vip).any() else (0, 0)
    tiers = ["vip" if v else "gold" if p >= gold else "silver" if p >= silver else "standard" for p, v in zip(points, vip, strict=True)]
    return points, tiers
