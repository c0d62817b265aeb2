from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from domain.members.affinity import AffinityConfig, recommend
from domain.members.frames import MemberFrames
from domain.members.ranker import RankerConfig

from .factories import synthetic_chain

AS_OF = date(2026, 5, 1)
# A small chain: fewer visitors than the nightly default asks for, and a quick model.
LEARNED = AffinityConfig(ranker=RankerConfig(min_training_members=50, max_iter=40))
NO_FILTERS = {"margin_floor": None}


@pytest.fixture(scope="module")
def chain() -> MemberFrames:
    return synthetic_chain(members=300, skus=60)


@pytest.fixture(scope="module")
def picks(chain) -> dict[str, list[str]]:
    return recommend(chain, AS_OF, k=3, config=LEARNED, **NO_FILTERS)


def bought_before(chain: MemberFrames) -> pd.Series:
    return chain.history_before(AS_OF).groupby("member_id")["sku"].agg(set)


def test_the_learned_ranker_offers_regulars_what_they_keep_buying(chain, picks):
    history = bought_before(chain)
    visits = chain.history_before(AS_OF).groupby("member_id")["date"].nunique()
    regulars = visits[visits >= 5].index

    own_first = [picks[m][0] in history[m] for m in regulars]

    assert len(regulars) > 50
    assert sum(own_first) / len(own_first) > 0.95


def test_next_best_products_never_read_the_day_being_scored_or_later(chain, picks):
    past = chain.transactions[chain.transactions["date"] < pd.Timestamp(AS_OF)]
    future = chain.transactions[chain.transactions["date"] >= pd.Timestamp(AS_OF)]
    # Everyone suddenly buys the least popular product, every day after the cut-off.
    rarest = past["sku"].value_counts().index[-1]
    rewritten = replace(chain, transactions=pd.concat([past, future.assign(sku=rarest)]))

    again = recommend(rewritten, AS_OF, k=3, config=LEARNED, **NO_FILTERS)

    assert again == picks


def test_with_too_few_members_to_learn_from_the_fixed_blends_answer(chain):
    few = replace(LEARNED, ranker=RankerConfig(min_training_members=10_000), blends=((0.0, 0.0),))

    shelf_only = recommend(chain, AS_OF, k=1, config=few, **NO_FILTERS)
    learned = recommend(chain, AS_OF, k=1, config=LEARNED, **NO_FILTERS)

    history = bought_before(chain)
    with_history = [m for m in history.index if m in shelf_only]
    own = sum(shelf_only[m][0] in history[m] for m in with_history)
    assert own < sum(learned[m][0] in history[m] for m in with_history)
