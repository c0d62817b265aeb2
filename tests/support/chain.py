"""A tiny chain as CSV files, for tests that go through the real importer."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "locations.csv": """code,name,kind,region,latitude,longitude,tier
S01,静安店,store,华东,31.2243,121.4460,
S02,徐汇店,store,华东,31.1880,121.4370,
S03,杭州西湖店,store,华东,30.2590,120.1480,
W01,上海中心仓,warehouse,华东,31.1000,121.3000,central
""",
    "products.csv": """sku,name,barcodes,category,brand,unit_price,unit_cost,pack_size
COLA330,可口可乐 330ml,6901234567892|16901234567899,饮料,Coca-Cola,3.50,2.10,24
CHIPS70,Lay's Classic 70g,036000291452,零食,Lay's,7.90,4.80,12
HOTPOT1,海底捞火锅底料 200g,96385074,火锅食材,海底捞,19.90,12.00,10
""",
    "suppliers.csv": """supplier_code,supplier_name,sku,unit_cost,lead_time_days,min_order_qty,pack_size,email
SUP1,太古可口可乐,COLA330,2.00,3,48,24,orders@sup1.example.com
SUP2,百事食品,CHIPS70,4.60,5,24,12,
""",
    "stock.csv": """location_code,sku,on_hand,min_qty,max_qty
S01,COLA330,10,5,40
S01,CHIPS70,1,,
S02,COLA330,30,,
S03,COLA330,0,,
W01,COLA330,500,,
W01,CHIPS70,200,,
W01,HOTPOT1,80,,
""",
    "staff.csv": """telegram_user_id,name,role,location_code,phone,email
100001,王小明,staff,S01,+8613800000001,
200001,李经理,manager,S01,+8613800000002,li@example.com
200002,张经理,manager,W01,,
900001,管理员,admin,W01,,
""",
    "members.csv": """member_id,name,phone,email,telegram_user_id,joined_on,tier,points,consent_sms,consent_email,consent_chat
M001,陈女士,+8613911110001,chen@example.com,,2025-03-01,gold,1200,1,1,0
M002,Mr Smith,+8613911110002,,555001,2026-11-01,basic,0,0,0,1
""",
    "sales.csv": """timestamp,receipt_id,location_code,sku,qty,unit_price,member_id,promo,channel
2026-11-01T09:15:00+08:00,H-1,S01,COLA330,2,3.50,M001,0,store
2026-11-01T09:15:00+08:00,H-1,S01,CHIPS70,1,7.90,M001,0,store
2026-11-02 18:00:00,H-2,S02,COLA330,6,2.99,,1,online
""",
}


def write_chain(directory: Path, overrides: dict[str, str] | None = None, only: tuple[str, ...] | None = None) -> Path:
    """Write the tiny chain (with some files replaced or left out) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {**FILES, **(overrides or {})}
    for name, content in files.items():
        if only is None or name in only:
            (directory / name).write_text(content, encoding="utf-8")
    return directory
