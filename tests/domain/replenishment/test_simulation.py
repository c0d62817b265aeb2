import pandas as pd
import pytest

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
