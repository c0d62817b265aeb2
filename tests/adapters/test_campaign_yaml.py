"""Campaign YAML files: read in shop time, and every mistake named by its field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from adapters.campaign_yaml import CampaignFileError, parse_campaign_yaml

GOOD = """
name: Hotpot week
segments: [at_risk, dormant]
offer: {kind: amount_off, value: 10, min_spend: 100, categories: [火锅食材]}
channels: [sms, chat]
budget_cap: 500
send: {from: 2026-12-01 10:00, until: 2026-12-03 20:00}
valid: {from: 2026-12-01, until: 2026-12-15}
"""


def test_a_good_file_becomes_a_draft_in_shop_time() -> None:
    draft = parse_campaign_yaml(GOOD)

    assert draft.segments == ("at_risk", "dormant") and draft.channels == ("sms", "chat")
    assert draft.offer.categories == ("火锅食材",) and draft.offer.min_spend == Decimal(100)
    assert draft.send_from == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert draft.valid_until.date().isoformat() == "2026-12-15" and draft.control_share == 0.1


def test_every_field_at_fault_is_named() -> None:
    broken = (
        GOOD.replace("amount_off", "free_lunch")
        .replace("[sms, chat]", "[pigeon]")
        .replace("budget_cap: 500", "colour: red")
    )

    with pytest.raises(CampaignFileError) as error:
        parse_campaign_yaml(broken)

    fields = [problem.split(":")[0] for problem in error.value.problems]
    assert fields == ["colour", "channels", "offer.kind"]


def test_broken_yaml_says_on_which_line() -> None:
    with pytest.raises(CampaignFileError) as error:
        parse_campaign_yaml("name: x\nsegments: [new\noffer: {")

    assert error.value.problems[0].startswith("line ")


def test_a_window_without_an_end_is_refused() -> None:
    with pytest.raises(CampaignFileError) as error:
        parse_campaign_yaml(GOOD.replace(", until: 2026-12-03 20:00", ""))

    assert any(problem.startswith("send:") for problem in error.value.problems)
