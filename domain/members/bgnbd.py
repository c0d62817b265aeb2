"""BG/NBD (Fader, Hardie & Lee 2005): the reference model for "will they buy again".

While alive a member buys as a Poisson process with a gamma(r, alpha) rate;
after each purchase they drop out with a beta(a, b) probability. Fitted by
maximum likelihood on (x, t_x, T): repeat purchases, time of the last one and
age, all from the first purchase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


class FitFailed(RuntimeError):
    """The likelihood could not be maximised (too little or degenerate history)."""


@dataclass(frozen=True, slots=True)
class BgNbd:
    """Fitted BG/NBD population parameters (time unit: whatever x, t_x, T were in)."""

    r: float
    alpha: float
    a: float
    b: float

    def _odds_dead(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return np.where(x > 0, odds, 0.0)

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """Probability each member is still a customer at T."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        return 1.0 / (1.0 + self._odds_dead(x, t_x, T))

    def p_buy_within(self, t: float, x, t_x, T) -> np.ndarray:
        """Probability of at least one purchase in (T, T + t].

        Dropout happens only right after a purchase, so a member alive at T with
        no purchase in the window is still alive: P = P(alive) * (1 - E[exp(-lambda t)]).
        """
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        none_if_alive = ((self.alpha + T) / (self.alpha + T + t)) ** (self.r + x)
        return self.p_alive(x, t_x, T) * (1.0 - none_if_alive)

    def expected_purchases(self, t: float, x, t_x, T) -> np.ndarray:
        """Expected number of purchases in (T, T + t] (the paper's equation 10)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        tail = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * (1.0 - tail) / (1.0 + self._odds_dead(x, t_x, T))


def log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-member log-likelihood of (x, t_x, T) under r, alpha, a, b."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    stays = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        drops = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + np.logaddexp(stays, drops)


def fit_bgnbd(x, t_x, T, penalty: float = 0.0) -> BgNbd:
    """Maximum-likelihood BG/NBD on the members' (x, t_x, T).

    Time is rescaled so the oldest member is 10 units old, which keeps the
    optimiser in a well-conditioned region; alpha is scaled back afterwards.
    A small `penalty` (L2 on the parameters) steadies fits on little data.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < 2 or T.max() <= 0:
        raise FitFailed("need at least two members with some history")
    scale = 10.0 / T.max()

    def negative(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        total = log_likelihood(params, x, t_x * scale, T * scale).sum()
        return -(total - penalty * np.sum(params**2)) / len(x)

    result = minimize(negative, np.zeros(4), method="L-BFGS-B", bounds=[(-10.0, 10.0)] * 4)
    if not np.isfinite(result.fun):
        raise FitFailed(result.message)
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(r=float(r), alpha=float(alpha / scale), a=float(a), b=float(b))
