"""The facts behind each plan line, for a sentence a store manager can check.

Numbers are rounded the way a person would say them; the wording lives in
`templates/replenishment/reason.<lang>.j2`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def reason_facts(lines: pd.DataFrame) -> list[dict[str, object]]:
    """One facts dict per plan line (transfer or supplier)."""
    facts = []
    for line in lines.itertuples(index=False):
        transfer = line.source_kind == "transfer"
        facts.append(
            {
                "kind": line.source_kind,
                "lead_time_days": int(line.lead_time_days),
                "review_period_days": int(line.review_period_days),
                "order_cycle_days": int(line.order_cycle_days),
                "daily": _say(line.forecast_daily),
                "safety_stock": int(line.safety_stock),
                "service_pct": round(float(line.service_level) * 100),
                "abc": line.abc,
                "position": _say(line.position),
                "reorder_point": int(line.reorder_point),
                "order_up_to": int(line.order_up_to),
                "qty": int(line.suggested_qty),
                "source_code": line.source_code,
                "km": round(float(line.km)) if transfer else 0,
                "pack_size": int(line.pack_size) if not transfer else 1,
                "min_order_qty": int(line.min_order_qty) if not transfer else 0,
                "rounded_up": bool(line.suggested_qty > (line.need if transfer else line.need - line.transferred) + 1e-9),
                "transferred": int(line.transferred) if not transfer else 0,
            }
        )
    return facts


def _say(value: float) -> float:
    """2 decimals below 1, 1 below 10, whole numbers above: '0.05/day', '2.5/day', '14/day'.

    A slow item's rate is never said as 0: '0/day' next to a reorder point of 1 reads as a mistake.
    """
    value = float(value)
    if abs(value) >= 10:
        return float(np.round(value))
    if abs(value) >= 1:
        return round(value, 1)
    return max(round(value, 2), 0.01) if value > 0 else 0.0
