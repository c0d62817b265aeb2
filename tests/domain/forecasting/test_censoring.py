import numpy as np

from domain.forecasting.censoring import censored_days


def steady_seller(days: int = 60, rate: int = 6) -> np.ndarray:
    return np.full((1, days), rate, dtype=np.float32)


def test_a_run_of_zero_sales_of_a_steady_seller_is_an_empty_shelf():
    qty = steady_seller()
    qty[0, 40:45] = 0
    censored = censored_days(qty)
    assert censored[0, 40:45].all()
    assert not censored[0, :40].any() and not censored[0, 45:].any()


def test_a_slow_movers_gaps_between_sales_are_real_zero_demand():
    qty = np.zeros((1, 60), dtype=np.float32)
    qty[0, ::9] = 1
    assert not censored_days(qty).any()


def test_a_shelf_still_empty_at_the_end_of_history_is_censored():
    qty = steady_seller()
    qty[0, 55:] = 0
    assert censored_days(qty)[0, 55:].all()


def test_stockout_flags_from_the_ledger_count_even_where_sales_look_normal():
    qty = np.zeros((1, 30), dtype=np.float32)
    qty[0, ::10] = 1
    flagged = np.zeros_like(qty, dtype=bool)
    flagged[0, 12] = True
    assert censored_days(qty, flagged)[0, 12]
    assert censored_days(qty, flagged).sum() == 1
