import numpy as np
import pytest

from domain.members.bgnbd import BgNbd, FitFailed, fit_bgnbd


def simulate(model: BgNbd, members: int, rng: np.random.Generator):
    """Members living the BG/NBD story: Poisson buying, dropping out after a purchase."""
    T = rng.uniform(20, 52, members)
    rates = rng.gamma(model.r, 1 / model.alpha, members)
    dropouts = rng.beta(model.a, model.b, members)
    x, t_x = np.zeros(members), np.zeros(members)
    for i in range(members):
        t = rng.exponential(1 / rates[i])
        while t <= T[i]:
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < dropouts[i]:
                break
            t += rng.exponential(1 / rates[i])
    # the first purchase starts the clock
    return x, t_x, T


def test_fitting_recovers_the_parameters_members_were_simulated_with():
    truth = BgNbd(r=0.6, alpha=4.0, a=0.8, b=2.5)
    x, t_x, T = simulate(truth, 3000, np.random.default_rng(3))

    fitted = fit_bgnbd(x, t_x, T)

    assert fitted.r == pytest.approx(truth.r, rel=0.25)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.3)
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(truth.a / (truth.a + truth.b), rel=0.3)


def test_a_member_with_no_repeat_purchase_is_certainly_alive_in_bgnbd():
    model = BgNbd(r=0.5, alpha=3.0, a=0.7, b=2.0)

    assert model.p_alive([0], [0], [10])[0] == 1.0


def test_a_longer_silence_after_frequent_buying_means_less_chance_to_buy_again():
    model = BgNbd(r=0.5, alpha=3.0, a=0.7, b=2.0)

    recent, lapsed = model.p_buy_within(4, [10, 10], [30, 12], [31, 31])

    assert recent > lapsed


def test_the_chance_to_buy_grows_with_the_horizon_but_stays_below_being_alive():
    model = BgNbd(r=0.5, alpha=3.0, a=0.7, b=2.0)
    args = ([3], [10], [20])

    short, long = model.p_buy_within(4, *args)[0], model.p_buy_within(13, *args)[0]

    assert 0 < short < long < model.p_alive(*args)[0]


def test_expected_purchases_agree_with_the_probability_of_any_purchase():
    model = BgNbd(r=0.5, alpha=3.0, a=0.7, b=2.0)
    args = ([5], [18], [20])

    assert model.expected_purchases(13, *args)[0] >= model.p_buy_within(13, *args)[0]


def test_fitting_refuses_a_population_of_one():
    with pytest.raises(FitFailed):
        fit_bgnbd([1], [2.0], [5.0])
