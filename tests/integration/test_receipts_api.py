"""POST /api/receipts over real HTTP."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient, TestServer

from adapters.csvio.importer import Importer
from adapters.http.receipts_api import receipts_routes
from adapters.http.server import WebParts, init_app
from domain.services.sales import post_receipts
from tests.support.chain import write_chain

TOKEN = "test-token-123"
ZONE = ZoneInfo("Asia/Shanghai")
RECEIPT = {
    "receipt_id": "POS-1",
    "timestamp": "2026-11-21T10:00:00+08:00",
    "location_code": "S01",
    "lines": [{"sku": "COLA330", "qty": 2, "unit_price": 3.5}],
}


async def client_for(uow) -> TestClient:  # type: ignore[no-untyped-def]
    routes = receipts_routes(lambda receipts: uow.run(lambda u: post_receipts(u, receipts, "api")), TOKEN, ZONE)
    client = TestClient(TestServer(init_app(lambda: {}, [WebParts(routes=routes)])))
    await client.start_server()
    return client


def on_hand(uow) -> int:  # type: ignore[no-untyped-def]
    with uow(readonly=True) as unit:
        return unit.stock.get("S01", "COLA330").on_hand


async def test_a_posted_receipt_moves_stock_once(uow, clock, tmp_path: Path) -> None:
    Importer(uow, ZONE, clock).import_dir(write_chain(tmp_path))
    client = await client_for(uow)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        first = await client.post("/api/receipts", json=RECEIPT, headers=headers)
        second = await client.post("/api/receipts", json=RECEIPT, headers=headers)
        assert first.status == 200 and (await first.json())["posted"] == ["POS-1"]
        assert (await second.json())["already_posted"] == ["POS-1"]
    finally:
        await client.close()
    assert on_hand(uow) == 8


async def test_a_wrong_or_missing_token_is_refused_and_changes_nothing(uow, clock, tmp_path: Path) -> None:
    Importer(uow, ZONE, clock).import_dir(write_chain(tmp_path))
    client = await client_for(uow)
    try:
        missing = await client.post("/api/receipts", json=RECEIPT)
        wrong = await client.post("/api/receipts", json=RECEIPT, headers={"Authorization": "Bearer nope"})
        assert (missing.status, wrong.status) == (401, 401)
    finally:
        await client.close()
    assert on_hand(uow) == 10


async def test_bad_bodies_get_a_clear_400(uow, clock, tmp_path: Path) -> None:
    Importer(uow, ZONE, clock).import_dir(write_chain(tmp_path))
    client = await client_for(uow)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        not_json = await client.post("/api/receipts", data="{{{", headers=headers)
        zero_qty = await client.post(
            "/api/receipts", json={**RECEIPT, "lines": [{"sku": "COLA330", "qty": 0, "unit_price": 1}]}, headers=headers
        )
        unknown = await client.post(
            "/api/receipts", json={**RECEIPT, "receipt_id": "POS-9", "lines": [{"sku": "X'; DROP TABLE--", "qty": 1, "unit_price": 1}]},
            headers=headers,
        )
        assert not_json.status == 400 and zero_qty.status == 400
        assert unknown.status == 422 and (await unknown.json())["refused"][0]["error"] == "unknown_sku"
    finally:
        await client.close()
    assert on_hand(uow) == 10
