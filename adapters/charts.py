"""Digest charts as PNG bytes (matplotlib's Agg canvas, no pyplot state, so safe off the event loop).

Labels are store codes and dates only: no CJK glyphs, so no font package is needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def sales_comparison_png(
    store_codes: Sequence[str], yesterday: Sequence[float], last_week: Sequence[float], labels: tuple[str, str]
) -> bytes:
    """Grouped bars per store: yesterday's takings beside the same weekday a week before."""
    width = max(4.0, 0.9 * len(store_codes) + 2.0)
    figure = Figure(figsize=(width, 3.2), dpi=100)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot()
    positions = range(len(store_codes))
    axis.bar([x - 0.2 for x in positions], list(last_week), width=0.4, label=labels[1], color="#b0bec5")
    axis.bar([x + 0.2 for x in positions], list(yesterday), width=0.4, label=labels[0], color="#1e88e5")
    axis.set_xticks(list(positions), list(store_codes))
    axis.set_ylabel("CNY")
    axis.legend(frameon=False, fontsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
