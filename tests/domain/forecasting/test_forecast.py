import numpy as np
import pandas as pd
import pytest

from domain.forecasting.api import fit_and_forecast, forecast_demand
from domain.forecasting.features import origin_state
from domain.forecasting.frames import ChainFrames
from domain.forecasting.model import ForecastConfig
from domain.forecasting.panel import build_panel

from .synthetic import END, small_chain

QUICK = ForecastConfig(max_training_rows=3_000, max_iter=15, history_days=120, training_origins=4)


@pytest.fixture(scope="module")
def chain() -> ChainFrames:
    return small_chain(days=120, skus=8)


@pytest.fixture(scope="module")
def forecast(chain) -> pd.DataFrame:
    return forecast_demand(chain, END, horizon_days=14, config=QUICK)


def test_the_forecast_has_one_row_per_location_sku_and_day_with_quantiles(forecast, chain):
    assert list(forecast.columns) == ["location_code", "sku", "date", "forecast", "p50", "p90"]
    assert forecast["date"].min() == END and forecast["date"].nunique() == 14
    assert len(forecast) == 4 * len(chain.products) * 14  # three stores and the warehouse
    assert (forecast["p90"] >= forecast["p50"]).all()


def test_a_warehouse_is_forecast_to_ship_what_its_stores_sell(forecast):
    stores = forecast[forecast["location_code"] != "W01"].groupby("date")["forecast"].sum()
    warehouse = forecast[forecast["location_code"] == "W01"].groupby("date")["forecast"].sum()
    assert np.allclose(stores, warehouse, rtol=1e-3)


def test_steady_sellers_are_forecast_near_their_true_rate(forecast):
    # P001 sells Poisson(7.5 x weekday boost) at S01: about 8.8 a day over a week.
    weekly = forecast.query("location_code == 'S01' and sku == 'P001'").head(7)["forecast"].mean()
    assert 6.5 < weekly < 11


def test_changing_sales_on_or_after_as_of_changes_nothing():
    chain = small_chain(days=100, skus=4)
    sales = chain.sales.copy()
    later = sales["date"] >= END - pd.Timedelta(days=10)
    sales.loc[later, "qty"] *= 5
    tampered = ChainFrames(chain.locations, chain.products, chain.suppliers, chain.positions, sales)
    as_of = END - pd.Timedelta(days=10)
    original = forecast_demand(chain, as_of, horizon_days=7, config=QUICK)
    assert original.equals(forecast_demand(tampered, as_of, horizon_days=7, config=QUICK))


def test_days_with_an_empty_shelf_do_not_drag_the_level_down():
    chain = small_chain(days=120, skus=8, stockout=(100, 118))
    panel = build_panel(chain, END, history_days=120)
    state = origin_state(panel, panel.observed(), len(panel.days))
    row = panel.series.index[(panel.series["location_code"] == "S01") & (panel.series["sku"] == "P000")][0]
    assert panel.censored[row, 100:119].all()
    assert state.loc[row, "level"] > 6  # true rate 8 (x1.5 on weekends), not the 0 of the empty shelf


def test_a_new_product_borrows_its_level_from_its_category_and_brand():
    chain = small_chain(days=120, skus=8)
    products = chain.products.copy()
    products.loc[products["sku"] == "P001", ["category", "brand"]] = ["tea", "leaf"]
    launched = products[products["sku"] == "P001"].assign(sku="P009")
    first_sale = pd.DataFrame(
        {"location_code": ["S01"], "sku": ["P009"], "date": [END - pd.Timedelta(days=3)], "qty": [1.0],
         "promo": [0.0], "avg_price": [11.0]}
    )
    frames = ChainFrames(
        chain.locations, pd.concat([products, launched]), chain.suppliers, chain.positions,
        pd.concat([chain.sales, first_sale], ignore_index=True),
    )
    panel = build_panel(frames, END, history_days=120)
    state = origin_state(panel, panel.observed(), len(panel.days))
    at_s01 = (panel.series["location_code"] == "S01").to_numpy()
    level = pd.Series(state["level"].to_numpy()[at_s01], index=panel.series["sku"][at_s01])
    assert level["P009"] > 0.7 * level["P001"]  # its one sale in three days would say 0.33 a day
    assert level["P009"] > 3


def test_the_fitted_forecaster_reports_a_method_per_demand_class(chain):
    fitted = fit_and_forecast(chain, END, QUICK)
    assert set(fitted.outlook.series["method"]) <= {"model", "tsb", "sba", "pooled", "borrowed"}
    assert set(fitted.forecaster.validation.index) <= {"smooth", "erratic", "intermittent", "lumpy"}


def test_a_slow_movers_pooled_rate_splits_its_chain_rate_between_the_stores_that_carry_it():
    chain = small_chain(days=120, skus=8)
    panel = build_panel(chain, END, history_days=120)
    state = origin_state(panel, panel.observed(), len(panel.days)).assign(sku=panel.series["sku"].to_numpy())
    slow = state[state["sku"] == "P007"]  # about 0.15 a day at each of three stores
    # Shares blend own and size-predicted shares with per-store weights, so they add up to about one.
    assert slow["pooled_28"].sum() == pytest.approx(slow["mean_28"].sum(), rel=0.02)
    # Each store's own 28 days rest on a handful of sales; the pooled rates sit closer together.
    assert slow["pooled_28"].std() <= slow["mean_28"].std()
