from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from domain.forecasting.model import DemandForecaster, ForecastConfig
from domain.forecasting.panel import build_panel
from domain.replenishment.simulation import simulate, simulation_by_class

from ..forecasting.synthetic import END, small_chain


def test_the_simulation_scores_only_the_days_after_its_warm_up():
    chain = small_chain(days=90, skus=4)
    truth = build_panel(chain, END, history_days=90)
    start = END - pd.Timedelta(days=20)
    run = simulate(chain, truth, start, 10, "min_max", warmup_days=10)
    assert run.daily["day"].tolist() == list(pd.date_range(start + pd.Timedelta(days=10), periods=10))
    assert run.series["demand"].sum() == pytest.approx(run.daily["demand"].sum())
    assert run.series["lost"].sum() == pytest.approx(run.daily["lost"].sum())


def test_results_by_class_keep_warehouses_apart_and_annualise_turns():
    series = pd.DataFrame({
        "location_code": ["S01", "S01", "W01"], "sku": ["P1", "P2", "P1"], "kind": ["store", "store", "warehouse"],
        "demand": [10.0, 4.0, 0.0], "lost": [1.0, 2.0, 0.0], "cogs": [100.0, 20.0, 0.0],
        "inventory_value": [50.0, 40.0, 300.0], "policy": "assistant",
    })
    abc = pd.DataFrame({"location_code": ["S01", "S01"], "sku": ["P1", "P2"], "abc": ["A", "C"]})
    table = simulation_by_class(series, abc, days=73).set_index("abc")
    assert table.loc["A", "lost_share"] == pytest.approx(0.1)
    assert table.loc["A", "turns"] == pytest.approx(100 * 365 / 73 / 50)  # 10 a year
    assert table.loc["C", "lost_share"] == pytest.approx(0.5)
    assert table.loc["warehouse", "avg_inventory_value"] == 300.0


def test_a_warehouse_far_from_its_stores_delivers_a_day_later_and_the_assistant_plans_for_it():
    chain = small_chain(days=120, skus=6)
    truth = build_panel(chain, END, history_days=120)
    start = END - pd.Timedelta(days=42)
    forecaster = DemandForecaster(ForecastConfig(holdout_days=14)).fit(build_panel(chain.history_before(start), start, 90))

    def shelf_stock(latitude: float, policy: str) -> float:
        frames = replace(chain, locations=chain.locations.assign(
            latitude=np.where(chain.locations["code"] == "W01", latitude, chain.locations["latitude"])))
        run = simulate(frames, truth, start, 28, policy, forecaster if policy == "assistant" else None, warmup_days=14)
        assert run.daily["transfers"].sum() > 0
        return run.daily["store_inventory_value"].sum()

    # 31.30 is next to the Shanghai stores; 45.0 puts the warehouse some 1,500 km north, two days'
    # drive. Min/max orders as before and its deliveries spend a day longer on the road, so its
    # shelves hold less; the assistant plans on the longer delivery and keeps more on them.
    assert shelf_stock(45.0, "min_max") < shelf_stock(31.30, "min_max")
    assert shelf_stock(45.0, "assistant") > shelf_stock(31.30, "assistant")
