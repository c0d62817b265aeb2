"""POST /api/receipts: tills and online shops post sales that move stock.

JSON body: one receipt object or {"receipts": [...]}. A receipt is
{"receipt_id", "timestamp" (ISO 8601), "location_code", "lines": [{"sku",
"qty", "unit_price", "promo"}], "member_id"?, "channel"?, "coupon_code"?}.
Authorised by `Authorization: Bearer <API_TOKEN>`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError, field_validator

from domain.sales import Channel, Receipt, ReceiptLine
from domain.services.sales import PostingReport

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 2 * 1024 * 1024


class LineIn(BaseModel):
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    qty: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
    unit_price: Annotated[float, Field(ge=0, le=10_000_000)]
    promo: bool = False

    @field_validator("qty")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("qty must not be zero")
        return value


class ReceiptIn(BaseModel):
    receipt_id: Annotated[str, Field(min_length=1, max_length=64)]
    timestamp: datetime
    location_code: Annotated[str, Field(min_length=1, max_length=32)]
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    member_id: Annotated[str | None, Field(max_length=64)] = None
    channel: Channel = Channel.STORE
    coupon_code: Annotated[str | None, Field(max_length=32)] = None

    def to_receipt(self, zone: tzinfo) -> Receipt:
        at = self.timestamp if self.timestamp.tzinfo else self.timestamp.replace(tzinfo=zone)
        lines = [ReceiptLine(line.sku, line.qty, line.unit_price, line.promo) for line in self.lines]
        return Receipt(
            self.receipt_id, self.location_code, at.astimezone(UTC), lines, self.member_id, self.channel, self.coupon_code
        )


class BatchIn(BaseModel):
    receipts: Annotated[list[ReceiptIn], Field(min_length=1, max_length=1000)]


def receipts_routes(post: Callable[[list[Receipt]], PostingReport], api_token: str, zone: tzinfo) -> list[web.RouteDef]:
    """`post` runs the posting service (blocking); it is called off the event loop."""

    async def post_receipts(request: web.Request) -> web.Response:
        if not _authorised(request, api_token):
            return web.json_response({"error": "unauthorised"}, status=401)
        try:
            body = await request.json()
            batch = BatchIn.model_validate(body if isinstance(body, dict) and "receipts" in body else {"receipts": [body]})
        except (ValueError, ValidationError) as error:
            return web.json_response({"error": "invalid_body", "detail": _describe(error)}, status=400)
        receipts = [r.to_receipt(zone) for r in batch.receipts]
        report = await asyncio.to_thread(post, receipts)
        refused = [
            {"receipt_id": r.receipt_id, "error": e.code, "detail": {k: str(v) for k, v in e.facts.items()}}
            for r, e in report.refused
        ]
        status = 422 if refused and not report.posted and not report.already_posted else 200
        return web.json_response(
            {
                "posted": [r.receipt_id for r in report.posted],
                "already_posted": report.already_posted,
                "refused": refused,
            },
            status=status,
        )

    return [web.post("/api/receipts", post_receipts)]


def _authorised(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(given.encode(), token.encode())


def _describe(error: Exception) -> object:
    if isinstance(error, ValidationError):
        return [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in error.errors()][:20]
    return "body is not JSON"
