"""Day-by-day inventory simulation across the chain: the assistant's policy against fixed min/max.

Both policies start from the same stock, face the same daily store demand
(actual sales; on days the real shelf was empty, the series' mean over the
simulated weeks), review every night, and wait the same supplier lead times
and transfer times (a day nearby, a day more per `transfer_km_per_day` on the
road). Demand a shelf cannot serve is lost.

The first `warmup_days` are run but not scored. The starting stock is one
snapshot that belongs to neither policy (weeks of cover in the warehouses,
whatever the shelves held); scored from day one, both policies would mostly
be selling it down, and a slow mover's starting units would outlast the run,
so turns would measure the snapshot rather than the policy. After the
warm-up each policy holds the stock its own rules lead to.

The assistant re-forecasts weekly from the data before that day with the
model fitted at the start. Min/max keeps its rule (reorder below 7 days of
average demand, up to 21 days) and, as a buyer maintaining it would, re-derives
the levels every four weeks from the last 28 days of sales.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.forecasting.frames import ChainFrames, as_day
from domain.forecasting.model import DemandForecaster
from domain.forecasting.panel import SalesPanel
from domain.replenishment.config import PolicyConfig
from domain.replenishment.network import distance_table, pair_km, transfer_days
from domain.replenishment.plan import chain_targets, plan_from_targets
from domain.replenishment.sourcing import choose_suppliers, order_quantity
from domain.replenishment.stocking import direct_delivered, stocking_warehouse

MIN_DAYS, MAX_DAYS = 7, 21
MIN_MAX_REFRESH_DAYS = 28


@dataclass
class ChainState:
    """Stock of every location x SKU during a simulation run."""

    keys: pd.DataFrame  # location_code, sku, kind, unit_cost, lead_time_days, pack_size, min_order_qty
    on_hand: np.ndarray
    arrivals: np.ndarray  # (series, days + slack): units due each day

    def position(self, day: int) -> np.ndarray:
        return self.on_hand + self.arrivals[:, day + 1 :].sum(axis=1)

    def ship(self, day: int, rows: np.ndarray, qty: np.ndarray, lead_days: np.ndarray) -> None:
        np.add.at(self.arrivals, (rows, np.minimum(day + np.maximum(lead_days, 1), self.arrivals.shape[1] - 1)), qty)


@dataclass
class SimulationRun:
    """daily: chain totals per scored day; series: per location x SKU totals over the scored days."""

    daily: pd.DataFrame
    series: pd.DataFrame


def simulate(
    frames: ChainFrames, truth: SalesPanel, start: object, days: int, policy: str,
    forecaster: DemandForecaster | None = None, config: PolicyConfig | None = None, *, warmup_days: int = 0,
) -> SimulationRun:
    """Run one policy from `start` for `warmup_days` unscored days, then `days` scored days.

    daily columns: day, demand, sold, lost, cogs, inventory_value, store_inventory_value, orders,
    transfers, units_bought, policy. series columns: location_code, sku, kind, demand, lost,
    cogs, inventory_value (mean over the scored days), policy.
    `truth` is a panel reaching at least `start + warmup_days + days`; policy is 'assistant' or 'min_max'.
    """
    config = config or PolicyConfig()
    start = as_day(start)
    first = truth.days.get_loc(start)
    total_days = warmup_days + days
    keys = _chain_keys(frames, truth, forecaster, first, config)
    state = ChainState(keys, _starting_stock(frames, keys), np.zeros((len(keys), total_days + 60)))
    demand = _store_demand(truth, keys, first, total_days)
    if policy == "assistant":
        decide = _assistant(frames, truth, keys, forecaster, first, config)
    else:
        decide = _min_max(frames, truth, keys, first)
    cost = keys["unit_cost"].to_numpy()
    at_store = (keys["kind"] == "store").to_numpy()
    totals = {name: np.zeros(len(keys)) for name in ("demand", "lost", "cogs", "inventory_value")}
    records = []
    for day in range(total_days):
        state.on_hand += state.arrivals[:, day]
        sold = np.minimum(state.on_hand, demand[:, day])
        state.on_hand -= sold
        orders, transfers, bought = decide(state, day)
        if day < warmup_days:
            continue
        for name, values in (("demand", demand[:, day]), ("lost", demand[:, day] - sold), ("cogs", sold * cost),
                             ("inventory_value", state.on_hand * cost / days)):
            totals[name] += values
        records.append({
            "day": start + pd.Timedelta(days=day), "demand": demand[:, day].sum(), "sold": sold.sum(),
            "lost": (demand[:, day] - sold).sum(), "cogs": (sold * cost).sum(),
            "inventory_value": (state.on_hand * cost).sum(), "store_inventory_value": (state.on_hand * cost)[at_store].sum(),
            "orders": orders, "transfers": transfers, "units_bought": bought,
        })
    series = keys[["location_code", "sku", "kind"]].assign(**totals, policy=policy)
    return SimulationRun(pd.DataFrame(records).assign(policy=policy), series)


def _chain_keys(
    frames: ChainFrames, truth: SalesPanel, forecaster: DemandForecaster | None, first: int, config: PolicyConfig
) -> pd.DataFrame:
    """Every location x SKU the run tracks, with kind and supplier offer (and targets if forecasting)."""
    if forecaster is None:
        return _keys_without_forecast(frames, truth).reset_index(drop=True)
    return chain_targets(frames, forecaster.outlook(truth, first), config).reset_index(drop=True)


def _keys_without_forecast(frames: ChainFrames, truth: SalesPanel) -> pd.DataFrame:
    offers = choose_suppliers(frames.suppliers, frames.products, PolicyConfig())
    stores = truth.series[["location_code", "sku"]]
    keys = pd.concat([stores, frames.positions[["location_code", "sku"]]]).drop_duplicates(ignore_index=True)
    kinds = frames.locations.set_index("code")["kind"]
    return keys.assign(kind=keys["location_code"].map(kinds).to_numpy()).merge(offers, on="sku", how="left")


def _starting_stock(frames: ChainFrames, keys: pd.DataFrame) -> np.ndarray:
    stock = frames.positions.set_index(["location_code", "sku"])["on_hand"]
    index = pd.MultiIndex.from_frame(keys[["location_code", "sku"]])
    # A copy: pandas 3 hands out read-only views, and the simulation updates stock in place.
    return stock.reindex(index).fillna(0).to_numpy(dtype=float, copy=True)


def _rows(keys: pd.DataFrame, frame: pd.DataFrame, key_columns=("location_code", "sku")) -> np.ndarray:
    return pd.MultiIndex.from_frame(keys[["location_code", "sku"]]).get_indexer(
        pd.MultiIndex.from_frame(frame[list(key_columns)].set_axis(["location_code", "sku"], axis=1))
    )


def _store_demand(truth: SalesPanel, keys: pd.DataFrame, first: int, days: int) -> np.ndarray:
    window = slice(first, first + days)
    qty, observed = truth.qty[:, window].astype(float), truth.observed()[:, window]
    mean = (qty * observed).sum(axis=1) / np.maximum(observed.sum(axis=1), 1)
    filled = np.where(truth.censored[:, window], mean[:, None], qty)
    demand = np.zeros((len(keys), days))
    rows = _rows(keys, truth.series)
    demand[rows[rows >= 0]] = filled[rows >= 0]
    return demand


def _supplier_lead(offers: pd.DataFrame, keys: pd.DataFrame, config: PolicyConfig) -> np.ndarray:
    """Lead time of each key's chosen offer (`offers` from `choose_suppliers`)."""
    lead = offers.set_index("sku")["lead_time_days"]
    return keys["sku"].map(lead).fillna(config.default_lead_time_days).to_numpy(dtype=int)


def _assistant(frames, truth, keys, forecaster, first, config):
    """Nightly: the replenishment plan on the simulated stock; weekly: a fresh forecast."""
    targets: dict[str, pd.DataFrame] = {}
    distances = distance_table(frames.locations)
    supplier_lead = _supplier_lead(choose_suppliers(frames.suppliers, frames.products, config), keys, config)

    def decide(state: ChainState, day: int) -> tuple[int, int, float]:
        if day % 7 == 0:
            fresh = chain_targets(frames, forecaster.outlook(truth, first + day), config)
            aligned = state.keys[["location_code", "sku"]].merge(fresh, on=["location_code", "sku"], how="left")
            targets["now"] = _fill_missing_targets(aligned, state.keys, config)
        position = state.position(day)
        current = targets["now"].assign(
            on_hand=state.on_hand, reserved=0.0, in_transit_in=position - state.on_hand, position=position
        )
        lines = plan_from_targets(current, frames, config)
        rows = _rows(state.keys, lines)
        moving = (lines["source_kind"] == "transfer").to_numpy()
        qty = lines["suggested_qty"].to_numpy(dtype=float)
        sources = _rows(state.keys, lines[moving], ("source_code", "sku"))
        np.subtract.at(state.on_hand, sources, qty[moving])
        km = pair_km(distances, lines.loc[moving, "source_code"], lines.loc[moving, "location_code"])
        state.ship(day, rows[moving], qty[moving], transfer_days(km, config).astype(int))
        state.ship(day, rows[~moving], qty[~moving], supplier_lead[rows[~moving]])
        return int((~moving).sum()), int(moving.sum()), float(qty[~moving].sum())

    return decide


def _fill_missing_targets(aligned: pd.DataFrame, keys: pd.DataFrame, config: PolicyConfig) -> pd.DataFrame:
    for column in ("kind", "supplier_code", "unit_cost", "pack_size", "min_order_qty", "landed_cost"):
        if column in keys:
            aligned[column] = aligned[column].fillna(keys[column]) if column in aligned else keys[column]
    numbers = ("forecast_daily", "safety_stock", "reorder_point", "order_up_to")
    aligned[list(numbers)] = aligned[list(numbers)].fillna(0.0)
    aligned["abc"] = aligned["abc"].fillna("C")
    aligned["service_level"] = aligned["service_level"].fillna(config.service_levels["C"])
    aligned["lead_time_days"] = aligned["lead_time_days"].fillna(config.default_lead_time_days)
    aligned["order_cycle_days"] = aligned["order_cycle_days"].fillna(config.order_cycle_days)
    aligned["review_period_days"] = config.review_period_days
    return aligned


def _min_max(frames: ChainFrames, truth: SalesPanel, keys: pd.DataFrame, first: int):
    """Min/max from the last 28 days of sales, re-derived every four weeks: stores pull from
    their nearest warehouse, then buy (SKUs a supplier delivers to stores: straight from it)."""
    rows = _rows(keys, truth.series)
    config = PolicyConfig()
    offers = choose_suppliers(frames.suppliers, frames.products, config)
    direct = direct_delivered(offers)
    home = stocking_warehouse(keys, frames.locations, set(), direct)
    home_rows = _rows(keys, pd.DataFrame({"location_code": home, "sku": keys["sku"]}))
    served = home_rows >= 0
    lead = _supplier_lead(offers, keys, config)
    delivery_days = transfer_days(pair_km(distance_table(frames.locations), home, keys["location_code"]), config)
    pack, minimum = keys["pack_size"].fillna(1).to_numpy(), keys["min_order_qty"].fillna(0).to_numpy()
    is_store = (keys["kind"] == "store").to_numpy()
    levels: dict[str, np.ndarray] = {}

    def refresh(day: int) -> None:
        recent = np.zeros(len(keys))
        recent[rows[rows >= 0]] = truth.qty[rows >= 0, first + day - 28 : first + day].mean(axis=1)
        np.add.at(recent, home_rows[served], recent[served])
        levels["low"], levels["high"] = MIN_DAYS * recent, MAX_DAYS * recent

    def decide(state: ChainState, day: int) -> tuple[int, int, float]:
        if day % MIN_MAX_REFRESH_DAYS == 0:
            refresh(day)
        position = state.position(day)
        want = np.where(position < levels["low"], np.ceil(levels["high"] - position), 0)
        moved = _pull_from_warehouse(state, want * (is_store & served), home_rows, delivery_days, day)
        buy = order_quantity(np.where(is_store, want - moved, want), pack, minimum)
        state.ship(day, np.flatnonzero(buy), buy[buy > 0].astype(float), lead[buy > 0])
        return int((buy > 0).sum()), int((moved > 0).sum()), float(buy.sum())

    return decide


def _pull_from_warehouse(state: ChainState, want: np.ndarray, home_rows: np.ndarray, delivery_days: np.ndarray,
                         day: int) -> np.ndarray:
    """Ship what each warehouse has, first come first served in row order, each row's delivery taking
    its `delivery_days`; returns units shipped per row."""
    asking = np.flatnonzero(want > 0)
    if asking.size == 0:
        return np.zeros_like(want)
    frame = pd.DataFrame({"row": asking, "home": home_rows[asking], "want": want[asking]})
    frame["before"] = frame.groupby("home")["want"].cumsum() - frame["want"]
    stock = state.on_hand[frame["home"].to_numpy()]
    give = np.clip(stock - frame["before"].to_numpy(), 0, frame["want"].to_numpy())
    np.subtract.at(state.on_hand, frame["home"].to_numpy(), give)
    moved = np.zeros_like(want)
    moved[frame["row"].to_numpy()] = give
    shipped = frame["row"].to_numpy()[give > 0]
    state.ship(day, shipped, give[give > 0], delivery_days[shipped].astype(int))
    return moved


def summarise_simulation(daily: pd.DataFrame) -> pd.DataFrame:
    """Per policy: lost share, fill rate, average inventory value, annualised turns, orders, transfers."""
    sums = daily.groupby("policy").agg(
        demand=("demand", "sum"), sold=("sold", "sum"), lost=("lost", "sum"), cogs=("cogs", "sum"),
        inventory_value=("inventory_value", "mean"), orders=("orders", "sum"), transfers=("transfers", "sum"),
        days=("day", "count"),
    )
    return pd.DataFrame({
        "lost_share": sums["lost"] / sums["demand"],
        "fill_rate": sums["sold"] / sums["demand"],
        "avg_inventory_value": sums["inventory_value"],
        "turns": sums["cogs"] * 365 / sums["days"] / sums["inventory_value"],
        "orders": sums["orders"], "transfers": sums["transfers"],
    }).reset_index()


def simulation_by_class(series: pd.DataFrame, abc: pd.DataFrame, days: int) -> pd.DataFrame:
    """Per policy and ABC class of store series (warehouses apart): lost share, average stock value, turns.

    `series` from `SimulationRun.series` of each policy; `abc`: location_code, sku, abc; `days` scored.
    """
    frame = series.merge(abc, on=["location_code", "sku"], how="left").fillna({"abc": "C"})
    frame["abc"] = np.where(frame["kind"] == "store", frame["abc"], "warehouse")
    sums = frame.groupby(["policy", "abc"])[["demand", "lost", "cogs", "inventory_value"]].sum()
    return pd.DataFrame({
        "lost_share": sums["lost"] / sums["demand"].where(sums["demand"] > 0),
        "avg_inventory_value": sums["inventory_value"],
        "turns": sums["cogs"] * 365 / days / sums["inventory_value"],
    }).reset_index()
