"""The demand forecaster: one global gradient-boosting model, intermittent methods where they win.

`fit` trains on origins before the last `holdout_days`, forecasts the hold-out
weeks with every method, keeps per demand class the method with the lower
squared error, and measures the error dispersion used for quantiles and
safety stock. With `refit` the model is then trained again on all history.

The flat rates (TSB, SBA, pooled, borrowed) are scaled by their category's
momentum in the region, both on the hold-out weeks and ahead: without it they
carried the last four weeks' level into a season's decline or past a festival,
which was most of a +17% bias on the demo chain. On days a festival shapes,
when the history holds last year's, they follow last year's run-up instead
(`festivals`). The model reads its own trend features and is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from domain.forecasting.design import categorical_mask, design_rows, training_rows
from domain.forecasting.features import NEW_PRODUCT_DAYS, origin_state, store_weekday_profile
from domain.forecasting.festivals import festival_lift, with_festivals
from domain.forecasting.intermittent import DEMAND_CLASSES, demand_class, sba_rate, tsb_rate
from domain.forecasting.momentum import category_momentum
from domain.forecasting.outlook import DemandOutlook
from domain.forecasting.panel import SalesPanel
from domain.forecasting.uncertainty import dispersion_table, error_groups, spread_rows

MODEL, TSB, SBA, POOLED = "model", "tsb", "sba", "pooled"
# New products: their peers' level, not the model, whose features read a short history as a dying item.
BORROWED = "borrowed"


@dataclass(frozen=True)
class ForecastConfig:
    """Knobs of the forecaster; defaults fit a 20-store x 2,000-SKU chain in well under a minute."""

    history_days: int = 364
    horizon_days: int = 56
    holdout_days: int = 28
    training_origins: int = 12
    origin_spacing_days: int = 21
    max_training_rows: int = 200_000
    max_iter: int = 100
    learning_rate: float = 0.15
    max_leaf_nodes: int = 48
    refit: bool = False
    threads: int = 2
    seed: int = 7
    chunk_series: int = 20_000
    festivals: bool = True  # follow last year's festival season (off: momentum alone, to compare)


class DemandForecaster:
    """Fit on one panel, then forecast from any origin of that panel or a later one."""

    def __init__(self, config: ForecastConfig | None = None) -> None:
        self.config = config or ForecastConfig()
        self.model: HistGradientBoostingRegressor | None = None
        self.method_by_class: dict[str, str] = dict.fromkeys(DEMAND_CLASSES, MODEL)
        self.dispersion = pd.DataFrame()
        self.validation: pd.DataFrame = pd.DataFrame()

    def fit(self, panel: SalesPanel) -> DemandForecaster:
        """Train, choose methods per demand class on the hold-out weeks, measure forecast error."""
        observed = panel.observed()
        cut = len(panel.days) - self.config.holdout_days
        self.model = self._train(panel, observed, cut)
        self._choose_methods(panel, observed, cut)
        if self.config.refit:
            self.model = self._train(panel, observed, len(panel.days))
        return self

    def outlook(self, panel: SalesPanel, t: int | None = None, horizon_days: int | None = None) -> DemandOutlook:
        """Daily mean forecast from column `t` (default: the panel's as_of), reading only earlier days."""
        t = len(panel.days) if t is None else t
        history = panel if t == len(panel.days) else panel.truncated(t)
        horizon = horizon_days or self.config.horizon_days
        observed = history.observed()
        state = origin_state(history, observed, t)
        classes = demand_class(history.qty, observed)
        methods = np.array([self.method_by_class[c] for c in classes], dtype=object)
        methods[state["observed_days"].to_numpy() < NEW_PRODUCT_DAYS] = BORROWED
        daily = np.zeros((len(methods), horizon), dtype=np.float32)
        chosen = np.flatnonzero(methods == MODEL)
        if chosen.size:
            # Only where the model was chosen: predicting every series x day is most of the forecast's time.
            daily[chosen] = self._model_daily(history, state, t, horizon, chosen)
        for name, rate in ((TSB, tsb_rate), (SBA, sba_rate)):
            chosen = methods == name
            if chosen.any():
                daily[chosen] = rate(history.qty[chosen], observed[chosen])[:, None]
        for name, rate in ((POOLED, _pooled_rate(state)), (BORROWED, state["level"].to_numpy())):
            chosen = methods == name
            if chosen.any():
                daily[chosen] = _over_weekdays(history, observed, rate, t, horizon)[chosen]
        flat = methods != MODEL
        if flat.any():
            daily[flat] *= flat_rate_multiplier(history, observed, t, horizon, self.config.festivals)[flat]
        series = panel.series.assign(demand_class=classes, method=methods, level=state["level"].to_numpy())
        spread = spread_rows(self.dispersion, error_groups(classes, daily.mean(axis=1)))
        return DemandOutlook(series, panel.as_of_day(t), daily, spread)

    def _train(self, panel: SalesPanel, observed: np.ndarray, limit: int) -> HistGradientBoostingRegressor:
        config = self.config
        origins = [limit - config.origin_spacing_days * j for j in range(1, config.training_origins + 1)]
        origins = [t for t in origins if t >= config.origin_spacing_days]
        rng = np.random.default_rng(config.seed)
        features, ratio, weight = training_rows(
            panel, observed, origins, limit, config.horizon_days, config.max_training_rows, rng
        )
        model = HistGradientBoostingRegressor(
            loss="poisson", max_iter=config.max_iter, learning_rate=config.learning_rate,
            max_leaf_nodes=config.max_leaf_nodes, min_samples_leaf=100, l2_regularization=1.0,
            categorical_features=categorical_mask(panel), early_stopping=False, random_state=config.seed,
        )
        with threadpool_limits(config.threads):
            model.fit(features, ratio, sample_weight=weight)
        return model

    def _model_daily(
        self, panel: SalesPanel, state: pd.DataFrame, t: int, horizon: int, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """The model's daily forecast for `rows` (default: every series), one row each."""
        rows = np.arange(len(panel.series)) if rows is None else rows
        daily = np.empty((len(rows), horizon), dtype=np.float32)
        steps = np.arange(1, horizon + 1)
        for start in range(0, len(rows), self.config.chunk_series):
            part = slice(start, start + self.config.chunk_series)
            chunk = rows[part]
            features, level = design_rows(panel, state, t, np.repeat(chunk, horizon), np.tile(steps, len(chunk)))
            with threadpool_limits(self.config.threads):
                ratio = self.model.predict(features)
            daily[part] = (ratio * level).reshape(len(chunk), horizon)
        return daily

    def _choose_methods(self, panel: SalesPanel, observed: np.ndarray, cut: int) -> None:
        history, holdout = slice(0, cut), slice(cut, len(panel.days))
        state = origin_state(panel, observed, cut)
        candidates = {MODEL: self._model_daily(panel, state, cut, self.config.holdout_days)}
        for name, rate in ((TSB, tsb_rate), (SBA, sba_rate)):
            flat = rate(panel.qty[:, history], observed[:, history])
            candidates[name] = np.repeat(flat[:, None], self.config.holdout_days, axis=1)
        candidates[POOLED] = _over_weekdays(panel, observed, _pooled_rate(state), cut, self.config.holdout_days)
        momentum = flat_rate_multiplier(panel, observed, cut, self.config.holdout_days, self.config.festivals)
        for name in (TSB, SBA, POOLED):
            candidates[name] = candidates[name] * momentum
        actual, seen = panel.qty[:, holdout], observed[:, holdout]
        classes = demand_class(panel.qty[:, history], observed[:, history])
        # Squared error: the plan needs the mean, and absolute error would reward forecasting zero.
        errors = pd.DataFrame(
            {name: ((forecast - actual) ** 2 * seen).sum(axis=1) for name, forecast in candidates.items()}
        ).assign(demand_class=classes, actual=(actual * seen).sum(axis=1))
        self.validation = errors.groupby("demand_class").sum()
        self.method_by_class.update(self.validation[list(candidates)].idxmin(axis=1).to_dict())
        chosen = np.empty_like(candidates[MODEL])
        for name, forecast in candidates.items():
            rows = np.array([self.method_by_class[c] == name for c in classes])
            chosen[rows] = forecast[rows]
        groups = error_groups(classes, chosen.mean(axis=1))
        self.dispersion = dispersion_table(actual, chosen, seen, groups)


def flat_rate_multiplier(
    panel: SalesPanel, observed: np.ndarray, t: int, horizon: int, festivals: bool = True
) -> np.ndarray:
    """(series, horizon) multipliers for the flat rates: last year's festival season on the days it
    shapes, when the history holds it; the category's momentum on the others."""
    momentum = category_momentum(panel, observed, t, horizon)
    return with_festivals(momentum, festival_lift(panel, t, horizon)) if festivals else momentum


def _pooled_rate(state: pd.DataFrame) -> np.ndarray:
    return state["pooled_28"].fillna(state["mean_28"]).fillna(0.0).to_numpy()


def _over_weekdays(panel: SalesPanel, observed: np.ndarray, rate: np.ndarray, t: int, horizon: int) -> np.ndarray:
    """A daily rate per series spread over the coming days by its store's weekday rhythm."""
    weekdays = (panel.as_of_day(t) + pd.to_timedelta(np.arange(horizon), unit="D")).day_of_week
    profile = store_weekday_profile(panel, observed, t)
    return (rate[:, None] * profile[:, weekdays]).astype(np.float32)
