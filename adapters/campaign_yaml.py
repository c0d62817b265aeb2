"""Campaigns written as YAML files: parsed and checked with messages that name the field at fault.

name: Hotpot week
segments: [at_risk, dormant]          # new, active, at_risk, dormant, vip
offer: {kind: percent_off, value: 20, min_spend: 50, categories: [火锅食材]}
channels: [chat, sms, email]          # in order of preference
budget_cap: 500                       # yuan, optional
send: {from: 2026-12-01 10:00, until: 2026-12-03 20:00}     # shop time
valid: {from: 2026-12-01, until: 2026-12-15}
control_share: 0.1                    # optional, default 0.1
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from domain.members.campaigns import Channel
from domain.members.segments import Segment
from domain.services.campaigns import OFFER_KINDS, CampaignDraft, OfferTerms

OFFER_FIELDS = {"kind", "value", "min_spend", "get", "skus", "categories"}
TOP_FIELDS = {"name", "segments", "offer", "channels", "budget_cap", "send", "valid", "control_share"}


class CampaignFileError(ValueError):
    """The file is not a valid campaign; `problems` lists every field at fault, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Checker:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.problems: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(f"{field}: {message}")

    def names(self, spec: dict, field: str, allowed: list[str]) -> tuple[str, ...]:
        value = spec.get(field)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(field, f"give a list, e.g. [{allowed[0]}]")
            return ()
        unknown = [str(i) for i in items if str(i) not in allowed]
        if unknown:
            self.fail(field, f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return tuple(str(i) for i in items)

    def number(self, value: Any, field: str, default: Decimal | None = None) -> Decimal | None:
        if value is None:
            return default
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.fail(field, f"{value!r} is not a number")
            return default

    def moment(self, value: Any, field: str, end_of_day: bool = False) -> datetime | None:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=self.tz)
        if isinstance(value, date):
            return datetime.combine(value, time.max if end_of_day else time.min, tzinfo=self.tz)
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(field, f"{value!r} is not a date or 'YYYY-MM-DD HH:MM'")
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.tz)

    def window(self, spec: dict, field: str) -> tuple[datetime | None, datetime | None]:
        window = spec.get(field)
        if not isinstance(window, dict) or "from" not in window or "until" not in window:
            self.fail(field, "give {from: ..., until: ...}")
            return None, None
        return self.moment(window["from"], f"{field}.from"), self.moment(
            window["until"], f"{field}.until", True
        )


def parse_campaign_yaml(text: str, tz: str = "Asia/Shanghai") -> CampaignDraft:
    """A campaign draft from YAML text, or CampaignFileError listing everything wrong with it."""
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise CampaignFileError([f"{where}: not valid YAML ({getattr(error, 'problem', error)})"]) from error
    if not isinstance(spec, dict):
        raise CampaignFileError(["file: expected fields like name, segments, offer"])
    check = _Checker(ZoneInfo(tz))
    for unknown in sorted(set(map(str, spec)) - TOP_FIELDS):
        check.fail(unknown, f"unknown field; known: {', '.join(sorted(TOP_FIELDS))}")
    name = str(spec.get("name") or "").strip()
    if not name:
        check.fail("name", "required")
    segments = check.names(spec, "segments", [s.value for s in Segment])
    channels = check.names(spec, "channels", [c.value for c in Channel])
    offer = _offer(spec.get("offer"), check)
    send_from, send_until = check.window(spec, "send")
    valid_from, valid_until = check.window(spec, "valid")
    budget = check.number(spec.get("budget_cap"), "budget_cap")
    share = check.number(spec.get("control_share"), "control_share", Decimal("0.1"))
    if check.problems or offer is None:
        raise CampaignFileError(check.problems)
    return CampaignDraft(name, segments, offer, channels, send_from, send_until, valid_from, valid_until,  # type: ignore[arg-type]
                         budget, float(share))  # fmt: skip


def _offer(spec: Any, check: _Checker) -> OfferTerms | None:
    if not isinstance(spec, dict):
        check.fail("offer", f"give {{kind: ..., value: ...}}; kinds: {', '.join(OFFER_KINDS)}")
        return None
    for unknown in sorted(set(map(str, spec)) - OFFER_FIELDS):
        check.fail(f"offer.{unknown}", f"unknown field; known: {', '.join(sorted(OFFER_FIELDS))}")
    kind = str(spec.get("kind", ""))
    if kind not in OFFER_KINDS:
        check.fail("offer.kind", f"{kind or 'missing'}; choose from {', '.join(OFFER_KINDS)}")
    value = check.number(spec.get("value"), "offer.value")
    if value is None:
        check.fail("offer.value", "required")
        return None
    return OfferTerms(
        kind, value, check.number(spec.get("min_spend"), "offer.min_spend", Decimal(0)) or Decimal(0),
        int(spec.get("get", 1)), tuple(map(str, spec.get("skus") or ())), tuple(map(str, spec.get("categories") or ())),
    )  # fmt: skip


def read_campaign_file(path: Path | str, tz: str = "Asia/Shanghai") -> CampaignDraft:
    """`python main.py campaign FILE.yaml` reads the file with this, then calls `create_campaign`."""
    return parse_campaign_yaml(Path(path).read_text(encoding="utf-8"), tz)
