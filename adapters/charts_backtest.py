"""Write a backtest result to disk: CSV tables and one chart PNG (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from domain.replenishment.backtest import BacktestResult  # noqa: E402


def write_backtest(result: BacktestResult, out_dir: Path) -> list[Path]:
    """accuracy.csv, simulation.csv, simulation_daily.csv and backtest.png in `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("accuracy", result.accuracy), ("simulation", result.simulation),
                        ("simulation_daily", result.daily)):
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    written.append(_chart(result, out_dir / "backtest.png"))
    return written


def _chart(result: BacktestResult, path: Path) -> Path:
    figure, (accuracy, stock, lost) = plt.subplots(1, 3, figsize=(15, 4.5))
    table = result.accuracy.pivot(index="abc", columns="method", values="wape")
    table.plot.bar(ax=accuracy, rot=0)
    accuracy.set_title("Forecast WAPE by ABC class")
    for policy, days in result.daily.groupby("policy"):
        stock.plot(days["day"], days["inventory_value"], label=policy)
        lost.plot(days["day"], (days["lost"] / days["demand"]).rolling(7, min_periods=1).mean(), label=policy)
    stock.set_title("Chain inventory value")
    lost.set_title("Share of demand lost (7-day mean)")
    for axis in (stock, lost):
        axis.legend()
        axis.tick_params(axis="x", rotation=30)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
