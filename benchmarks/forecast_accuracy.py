"""Forecast accuracy on the demo chain against seasonal naive, MA28 and statsforecast AutoETS / TSB.

    .venv/bin/pip install statsforecast==2.1.1   # benchmark-only
    .venv/bin/python benchmarks/forecast_accuracy.py [DATA_DIR] [SAMPLE_SERIES]

All methods use the history before one origin (the last 28 days are scored)
and the same censored-day mask. statsforecast is fitted on a random sample of
series (default 1,500) because fitting all 36,000 is too slow on 2 cores;
every method is reported on that same sample as well as ours on all series,
overall and by ABC class.

`true_mean` is the demo generator's own expected demand for each store, SKU
and day (store size x popularity x season x weekday and holiday traffic x
trend x promotion), rebuilt from the generator's seeded streams: the best
unbiased forecast there can be. Its WAPE against seasonal naive bounds what
any mean forecast can reach on this data; 96% of the series are intermittent,
where even the true mean has an absolute error near twice the sales.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.backtest_policy import demo_frames  # noqa: E402
from domain.forecasting.accuracy import origin_scores, summarise  # noqa: E402
from domain.forecasting.model import ForecastConfig  # noqa: E402
from domain.forecasting.panel import build_panel  # noqa: E402

HORIZON = 28
DEMO = Path("/tmp/demo_chain")


def statsforecast_scores(frames, origin, sample: pd.DataFrame) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import TSB, AutoETS

    panel = build_panel(frames.history_before(origin), origin, 364)
    rows = pd.MultiIndex.from_frame(panel.series[["location_code", "sku"]]).get_indexer(
        pd.MultiIndex.from_frame(sample[["location_code", "sku"]])
    )
    ids = (sample["location_code"] + "|" + sample["sku"]).to_numpy()
    long = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, len(panel.days)),
            "ds": np.tile(panel.days.to_numpy(), len(ids)),
            "y": panel.qty[rows].ravel().astype(float),
        }
    )
    models = [AutoETS(season_length=7), TSB(alpha_d=0.1, alpha_p=0.05)]
    forecast = StatsForecast(models=models, freq="D", n_jobs=2).forecast(df=long, h=HORIZON)
    forecast = forecast.reset_index() if "unique_id" not in forecast.columns else forecast
    return forecast


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO
    sample_size = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    frames = demo_frames(data)
    origin = frames.sales["date"].max() + pd.Timedelta(days=1 - HORIZON)
    started = time.perf_counter()
    scores = origin_scores(frames, origin, HORIZON, ForecastConfig())
    print(f"assistant fit + forecast + scoring: {time.perf_counter() - started:.0f} s")
    if data == DEMO:
        scores = pd.concat([scores, true_mean_scores(scores, frames, origin)], ignore_index=True)
    print("all series:\n", summarise(scores).to_string(index=False))
    keys = scores[scores["method"] == "assistant"][["location_code", "sku"]]
    sample = keys.sample(n=min(sample_size, len(keys)), random_state=7)
    started = time.perf_counter()
    extra = statsforecast_scores(frames, origin, sample)
    print(f"statsforecast on {len(sample)} series: {time.perf_counter() - started:.0f} s")
    print(
        "sample:\n",
        summarise(_sample_scores(scores, sample, extra, frames, origin)).to_string(index=False),
    )


def true_mean_scores(scores: pd.DataFrame, frames, origin) -> pd.DataFrame:
    """The generator's expected demand scored like the other methods (same actual, days and mask)."""
    from datetime import timedelta

    from adapters.demo_chain.catalogue import build_catalogue
    from adapters.demo_chain.categories import CATEGORIES
    from adapters.demo_chain.chain import STREAMS
    from adapters.demo_chain.demand import plan_demand
    from adapters.demo_chain.locations import build_locations
    from adapters.demo_chain.shelves import DAILY_TRAFFIC_NOISE, MULTI_BUY_QTY, SINGLE_QTY

    last = frames.sales["date"].max().date()
    calendar = [last - timedelta(days=n) for n in range(364, -1, -1)]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(7).spawn(len(STREAMS))]
    rng = dict(zip(STREAMS, streams, strict=True))
    shops = [loc for loc in build_locations(rng["locations"], 20) if loc.is_store]
    catalogue = build_catalogue(rng["catalogue"], 2000)
    plan = plan_demand(rng["demand"], catalogue, shops, calendar)
    multi_buy = np.array([c.multi_buy for c in CATEGORIES])[catalogue.category]
    units_per_line = np.where(multi_buy, MULTI_BUY_QTY[0] @ MULTI_BUY_QTY[1], SINGLE_QTY[0] @ SINGLE_QTY[1])
    first = (origin - pd.Timestamp(calendar[0])).days
    lift = np.exp(DAILY_TRAFFIC_NOISE**2 / 2)  # mean of the lognormal day-to-day traffic noise
    mean = np.stack([plan.expected_lines(first + h) * units_per_line * lift for h in range(HORIZON)], axis=2)
    base = scores[scores["method"] == "assistant"].reset_index(drop=True)
    store = pd.Index([s.code for s in shops]).get_indexer(base["location_code"])
    sku = pd.Index(catalogue.sku).get_indexer(base["sku"])
    truth = build_panel(frames, origin + pd.Timedelta(days=HORIZON), 364 + HORIZON)
    rows = pd.MultiIndex.from_frame(truth.series[["location_code", "sku"]]).get_indexer(
        pd.MultiIndex.from_frame(base[["location_code", "sku"]])
    )
    actual, scored = truth.qty[rows, -HORIZON:], truth.observed()[rows, -HORIZON:]
    error = (mean[store, sku] - actual) * scored
    return base.assign(method="true_mean", abs_error=np.abs(error).sum(axis=1), error=error.sum(axis=1))


def _sample_scores(scores, sample, extra, frames, origin) -> pd.DataFrame:
    """Our scores on the sample plus AutoETS and TSB scored the same way (same actual, days, mask)."""
    truth = build_panel(frames, origin + pd.Timedelta(days=HORIZON), 364 + HORIZON)
    rows = pd.MultiIndex.from_frame(truth.series[["location_code", "sku"]]).get_indexer(
        pd.MultiIndex.from_frame(sample[["location_code", "sku"]])
    )
    actual = truth.qty[rows, -HORIZON:]
    scored = truth.observed()[rows, -HORIZON:]
    base = sample.merge(scores[scores["method"] == "assistant"], on=["location_code", "sku"])
    parts = [scores.merge(sample, on=["location_code", "sku"])]
    ids = (sample["location_code"] + "|" + sample["sku"]).to_numpy()
    for model in ("AutoETS", "TSB"):  # means, like "assistant"
        matrix = extra.pivot(index="unique_id", columns="ds", values=model).reindex(ids).to_numpy()
        error = (matrix - actual) * scored
        parts.append(base.assign(method=model, abs_error=np.abs(error).sum(axis=1), error=error.sum(axis=1)))
    return pd.concat(parts, ignore_index=True)


if __name__ == "__main__":
    main()
