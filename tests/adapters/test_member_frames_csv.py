"""The CSV loader (adapters/member_frames.py) builds the frames the member analytics read.

Kept with the member tests so the contract and its first loader are checked together.
"""

from pathlib import Path

import pandas as pd

from adapters.member_frames import load_member_frames

FILES = {
    "members.csv": """member_id,name,phone,email,telegram_user_id,joined_on,tier,points,consent_sms,consent_email,consent_chat
M1,李敏,+8613800000001,li@example.org,,2024-03-01,standard,120,1,0,0
M2,王芳,+8613800000002,,4000001,2026-06-20,gold,15,0,0,1
""",
    "products.csv": """sku,name,barcodes,category,brand,unit_price,unit_cost,pack_size
SKU1,可乐,6901234567892,饮料,可口,3.50,2.40,1
SKU2,薯片,6901234567908,休闲零食,乐事,7.90,5.10,1
""",
    "sales.csv": """timestamp,receipt_id,location_code,sku,qty,unit_price,member_id,promo,channel
2026-06-01T23:30:00+08:00,S01-20260601-0001,S01,SKU1,2,3.50,M1,0,store
2026-06-01T23:30:00+08:00,S01-20260601-0001,S01,SKU2,1,7.90,M1,0,store
2026-06-02T10:00:00+08:00,S01-20260602-0001,S01,SKU2,1,7.90,,0,store
""",
    "stock.csv": """location_code,sku,on_hand,min_qty,max_qty
S01,SKU1,-2,,
S01,SKU2,12,,
W01,SKU1,500,,
""",
    "locations.csv": """code,name,kind,region,latitude,longitude,tier
S01,静安店,store,华东,31.2,121.4,A
W01,昆山仓,warehouse,华东,31.3,120.9,
""",
}


def write_chain(directory: Path) -> Path:
    for name, text in FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_member_sales_keep_the_shop_day_and_what_the_member_paid(tmp_path):
    frames = load_member_frames(write_chain(tmp_path))
    lines = frames.transactions

    assert len(lines) == 2  # the anonymous line is not member history
    assert set(lines["date"]) == {pd.Timestamp("2026-06-01")}  # 23:30 local is still that day
    assert lines.set_index("sku").loc["SKU1", "amount"] == 7.0
    assert lines.set_index("sku").loc["SKU2", "category"] == "休闲零食"


def test_members_have_dates_points_and_consents_as_booleans(tmp_path):
    members = load_member_frames(write_chain(tmp_path)).members.set_index("member_id")

    assert members.loc["M1", "joined_on"] == pd.Timestamp("2024-03-01")
    assert members.loc["M1", "points"] == 120
    assert bool(members.loc["M1", "consent_sms"]) and not bool(members.loc["M1", "consent_chat"])
    assert bool(members.loc["M2", "consent_chat"])


def test_positions_are_store_shelves_with_nothing_negative_available(tmp_path):
    positions = load_member_frames(write_chain(tmp_path)).positions.set_index("sku")

    assert set(positions["location_code"]) == {"S01"}
    assert positions.loc["SKU1", "available"] == 0.0
    assert positions.loc["SKU2", "available"] == 12.0
