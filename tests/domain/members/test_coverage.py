import numpy as np
import pandas as pd

from domain.members.coverage import CoverageConfig, PastVisits, covering_picks

SKUS = pd.Index(["RICE", "OIL", "TEA", "SOAP"])
MEMBERS = pd.Index(["ANN", "BOB"])


def past_visits(baskets: dict[str, list[list[str]]]) -> PastVisits:
    """One visit per basket, a day apart."""
    lines = [
        (member, pd.Timestamp("2026-03-01") + pd.Timedelta(days=day), sku)
        for member, visits in baskets.items()
        for day, basket in enumerate(visits)
        for sku in basket
    ]
    return PastVisits.build(pd.DataFrame(lines, columns=["member_id", "date", "sku"]), MEMBERS, SKUS)


def picks(score: list[list[float]], visits: PastVisits, k: int = 2) -> list[list[str]]:
    score = np.array(score)
    columns = covering_picks(
        score, np.ones_like(score), visits, slice(0, len(MEMBERS)), k, CoverageConfig(prior_visits=1.0)
    )
    return [[SKUS[c] for c in row if c >= 0] for row in columns]


def test_the_second_pick_reaches_visits_the_first_one_missed():
    # Rice and oil always come in the same big shop; tea comes on the other trips.
    visits = past_visits({"ANN": [["RICE", "OIL"]] * 3 + [["TEA"]] * 2})

    chosen = picks([[0.5, 0.45, 0.3, 0.1], [0.5, 0.45, 0.3, 0.1]], visits)

    assert chosen[0] == ["RICE", "TEA"]


def test_a_member_without_past_visits_keeps_the_score_order():
    visits = past_visits({"ANN": [["RICE", "OIL"]] * 3 + [["TEA"]] * 2})

    chosen = picks([[0.5, 0.45, 0.3, 0.1], [0.1, 0.2, 0.4, 0.3]], visits)

    assert chosen[1] == ["TEA", "SOAP"]


def test_barred_products_and_products_without_a_score_are_never_picked():
    visits = past_visits({"ANN": [["RICE"]] * 4, "BOB": [["SOAP"], ["OIL"]]})

    chosen = picks([[-np.inf, 0.4, 0.0, 0.0], [0.3, 0.2, 0.0, -np.inf]], visits, k=3)

    assert chosen == [["OIL"], ["OIL", "RICE"]]


def test_a_product_twice_on_one_day_is_one_visit():
    visits = past_visits({"ANN": [["TEA", "TEA", "SOAP"], ["SOAP"]]})

    assert visits.products.sum(axis=1).tolist() == [[2.0], [1.0]]


def test_members_none_of_whom_visited_before_get_the_score_order():
    visits = past_visits({"ANN": [["RICE"]]})
    score = np.array([[0.1, 0.3, 0.2, 0.0]])

    columns = covering_picks(score, np.ones_like(score), visits, slice(1, 2), 3, CoverageConfig())

    assert [SKUS[c] for c in columns[0]] == ["OIL", "TEA", "RICE"]
