"""Campaigns, their coupons, redemptions and contact history, and the nightly member scores they read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.db.tables import (
    CampaignContactRow,
    CampaignRow,
    CouponRedemptionRow,
    CouponRow,
    MemberRow,
    MemberSegmentRow,
    OutboxMessageRow,
    PointsEntryRow,
    ReceiptRow,
)
from adapters.db.timeutil import as_utc
from domain.members.campaigns import Channel, Contact
from domain.membership import PointsEntry, PointsKind
from domain.services.campaigns import CampaignRecord, CouponRecord

SEGMENTS = MemberSegmentRow.__table__
CAMPAIGNS = CampaignRow.__table__
COUPONS = CouponRow.__table__
REDEMPTIONS = CouponRedemptionRow.__table__
CONTACTS = CampaignContactRow.__table__
MEMBERS = MemberRow.__table__
POINTS = PointsEntryRow.__table__
RECEIPTS = ReceiptRow.__table__
OUTBOX = OutboxMessageRow.__table__
SNAPSHOT_COLUMNS = (
    "member_id", "segment", "tier", "recency_days", "frequency", "monetary", "p_buy_30d", "p_buy_90d",
    "expected_value_90d", "top_categories", "next_best_skus",
)  # fmt: skip
CHUNK = 500


def _utc(moment: datetime) -> datetime:
    return as_utc(moment)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class CampaignRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # --- the nightly snapshot -------------------------------------------------------------------
    def replace_segments(self, scored: pd.DataFrame, computed_at: datetime) -> int:
        """Swap the whole snapshot for `scored` (one transaction: readers see the old or the new, never half)."""
        self._conn.execute(delete(SEGMENTS))
        frame = (
            scored[list(SNAPSHOT_COLUMNS)].astype(object).where(scored[list(SNAPSHOT_COLUMNS)].notna(), None)
        )
        rows = [dict(zip(SNAPSHOT_COLUMNS, values, strict=True)) for values in frame.itertuples(index=False)]
        for row in rows:
            row["computed_at"] = _utc(computed_at)
            row["recency_days"] = None if row["recency_days"] is None else int(row["recency_days"])
        for chunk in _chunks(rows):
            self._conn.execute(insert(SEGMENTS), list(chunk))
        return len(rows)

    def targeting_frame(self) -> pd.DataFrame:
        """The snapshot with each member's consents (what `select_audience` reads); empty before the first run."""
        query = select(
            *[SEGMENTS.c[name] for name in SNAPSHOT_COLUMNS],
            MEMBERS.c.consent_chat, MEMBERS.c.consent_sms, MEMBERS.c.consent_email,
        ).join(MEMBERS, MEMBERS.c.member_id == SEGMENTS.c.member_id)  # fmt: skip
        rows = self._conn.execute(query.order_by(SEGMENTS.c.member_id)).all()
        columns = [*SNAPSHOT_COLUMNS, "consent_chat", "consent_sms", "consent_email"]
        frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
        for column in ("consent_chat", "consent_sms", "consent_email"):
            frame[column] = frame[column].fillna(False).astype(bool)
        return frame

    def segment_of(self, member_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(SEGMENTS).where(SEGMENTS.c.member_id == member_id)).first()
        return dict(row._mapping) if row else None

    # --- campaigns ------------------------------------------------------------------------------
    def add(self, record: CampaignRecord, spec: str, created_at: datetime) -> None:
        self._conn.execute(
            insert(CAMPAIGNS).values(
                campaign_id=record.campaign_id, name=record.name, spec=spec, state=record.state,
                created_by=record.created_by, created_at=_utc(created_at), valid_until=_utc(record.valid_until),
            )
        )  # fmt: skip

    def get(self, campaign_id: str) -> tuple[CampaignRecord, str] | None:
        """The campaign and its stored terms (JSON)."""
        row = self._conn.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.campaign_id == campaign_id)).first()
        if row is None:
            return None
        record = CampaignRecord(
            row.campaign_id, row.name, row.state, int(row.created_by), as_utc(row.valid_until),
            int(row.approved_by) if row.approved_by is not None else None,
        )  # fmt: skip
        return record, row.spec

    def move(self, campaign_id: str, from_states: Iterable[str], to_state: str, **values: Any) -> bool:
        """Change the state only if it is still one of `from_states`: the second of two presses changes nothing."""
        values = {key: _utc(value) if isinstance(value, datetime) else value for key, value in values.items()}
        result = self._conn.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.campaign_id == campaign_id, CAMPAIGNS.c.state.in_(list(from_states)))
            .values(state=to_state, **values)
        )
        return result.rowcount == 1

    def finished_unreported(self, now: datetime) -> list[str]:
        """Approved campaigns whose validity has ended and whose result nobody has been told yet."""
        rows = self._conn.execute(
            select(CAMPAIGNS.c.campaign_id).where(
                CAMPAIGNS.c.state == "approved",
                CAMPAIGNS.c.valid_until <= _utc(now),
                CAMPAIGNS.c.reported_at.is_(None),
            )
        )
        return list(rows.scalars())

    def mark_reported(self, campaign_id: str, now: datetime) -> bool:
        result = self._conn.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.campaign_id == campaign_id, CAMPAIGNS.c.reported_at.is_(None))
            .values(reported_at=_utc(now))
        )
        return result.rowcount == 1

    def cancel_pending_messages(self, campaign_id: str, reason: str) -> int:
        """Withdraw the campaign's promotions still waiting in the outbox (keys start with its prefix)."""
        result = self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.key.like(f"promo:{campaign_id}:%"), OUTBOX.c.state == "pending")
            .values(state="cancelled", last_error=reason)
        )
        return result.rowcount

    # --- coupons and redemptions ----------------------------------------------------------------
    def existing_codes(self, codes: Iterable[str]) -> set[str]:
        wanted, found = sorted(set(codes)), set()
        for chunk in _chunks(wanted):
            found.update(
                self._conn.execute(select(COUPONS.c.code).where(COUPONS.c.code.in_(chunk))).scalars()
            )
        return found

    def add_coupons(self, coupons: Sequence[CouponRecord]) -> None:
        rows = [
            {"code": c.code, "campaign_id": c.campaign_id, "member_id": c.member_id,
             "valid_from": _utc(c.valid_from), "valid_until": _utc(c.valid_until)}
            for c in coupons
        ]  # fmt: skip
        for chunk in _chunks(rows):
            self._conn.execute(insert(COUPONS), list(chunk))

    def coupon(self, code: str) -> CouponRecord | None:
        query = select(COUPONS, REDEMPTIONS.c.at.label("redeemed_at"), REDEMPTIONS.c.receipt_id).join(
            REDEMPTIONS, REDEMPTIONS.c.code == COUPONS.c.code, isouter=True
        )
        row = self._conn.execute(query.where(COUPONS.c.code == code)).first()
        return _coupon(row) if row else None

    def coupons_of(self, member_id: str) -> list[CouponRecord]:
        query = select(COUPONS, REDEMPTIONS.c.at.label("redeemed_at"), REDEMPTIONS.c.receipt_id).join(
            REDEMPTIONS, REDEMPTIONS.c.code == COUPONS.c.code, isouter=True
        )
        rows = self._conn.execute(
            query.where(COUPONS.c.member_id == member_id).order_by(COUPONS.c.valid_until)
        )
        return [_coupon(row) for row in rows]

    def record_redemption(
        self, coupon: CouponRecord, receipt_id: str, at: datetime, discount: float, points: int
    ) -> bool:
        """Store a redemption; False when the code was redeemed already (by a concurrent till, say)."""
        dialect_insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        statement = (
            dialect_insert(REDEMPTIONS)
            .values(
                code=coupon.code,
                campaign_id=coupon.campaign_id,
                member_id=coupon.member_id,
                receipt_id=receipt_id,
                at=_utc(at),
                discount=discount,
                points=points,
            )  # fmt: skip
            .on_conflict_do_nothing(index_elements=["code"])
            .returning(REDEMPTIONS.c.code)
        )
        return self._conn.execute(statement).first() is not None

    def redemptions(self, campaign_id: str) -> list[tuple[str, float, int]]:
        """(member_id, discount, points) of each redemption of the campaign."""
        rows = self._conn.execute(
            select(REDEMPTIONS.c.member_id, REDEMPTIONS.c.discount, REDEMPTIONS.c.points).where(
                REDEMPTIONS.c.campaign_id == campaign_id
            )
        )
        return [(m, float(d), int(p)) for m, d, p in rows]

    # --- contact history ------------------------------------------------------------------------
    def add_contacts(
        self, treated: Sequence[tuple[Contact, float]], control: Sequence[str], campaign_id: str
    ) -> None:
        rows = [
            {"campaign_id": campaign_id, "member_id": c.member_id, "treated": True, "channel": c.channel.value,
             "sent_at": _utc(c.sent_at), "message_cost": cost}
            for c, cost in treated
        ] + [
            {"campaign_id": campaign_id, "member_id": m, "treated": False, "channel": None, "sent_at": None,
             "message_cost": 0.0}
            for m in control
        ]  # fmt: skip
        for chunk in _chunks(rows):
            self._conn.execute(insert(CONTACTS), list(chunk))

    def contact_history(self, since: datetime) -> list[Contact]:
        """Promotions sent or scheduled since `since` (treatment only: control members were never contacted)."""
        rows = self._conn.execute(
            select(
                CONTACTS.c.member_id, CONTACTS.c.campaign_id, CONTACTS.c.channel, CONTACTS.c.sent_at
            ).where(and_(CONTACTS.c.treated.is_(True), CONTACTS.c.sent_at >= _utc(since)))
        )
        return [Contact(m, c, Channel(ch), as_utc(at)) for m, c, ch, at in rows]

    def groups(self, campaign_id: str) -> tuple[list[str], list[str], float]:
        """(treated member ids, control member ids, message cost) of a campaign."""
        rows = self._conn.execute(
            select(CONTACTS.c.member_id, CONTACTS.c.treated, CONTACTS.c.message_cost).where(
                CONTACTS.c.campaign_id == campaign_id
            )
        ).all()
        treated = [m for m, t, _ in rows if t]
        return treated, [m for m, t, _ in rows if not t], float(sum(cost for _, t, cost in rows if t))

    def revenue(self, member_ids: Sequence[str], start: datetime, end: datetime) -> dict[str, float]:
        """Each member's receipts total in [start, end); members who bought nothing are absent."""
        totals: dict[str, float] = {}
        for chunk in _chunks(list(member_ids)):
            rows = self._conn.execute(
                select(RECEIPTS.c.member_id, func.sum(RECEIPTS.c.total))
                .where(
                    RECEIPTS.c.member_id.in_(chunk), RECEIPTS.c.at >= _utc(start), RECEIPTS.c.at < _utc(end)
                )
                .group_by(RECEIPTS.c.member_id)
            )
            totals.update({m: float(total or 0.0) for m, total in rows})
        return totals

    def usual_store(self, member_id: str) -> str | None:
        """The location where the member has the most receipts."""
        row = self._conn.execute(
            select(RECEIPTS.c.location_code, func.count().label("visits"))
            .where(RECEIPTS.c.member_id == member_id)
            .group_by(RECEIPTS.c.location_code)
            .order_by(func.count().desc(), RECEIPTS.c.location_code)
            .limit(1)
        ).first()
        return row.location_code if row else None

    # --- points ---------------------------------------------------------------------------------
    def points_entries(self, member_id: str) -> list[PointsEntry]:
        rows = self._conn.execute(
            select(POINTS).where(POINTS.c.member_id == member_id).order_by(POINTS.c.at, POINTS.c.id)
        )
        return [
            PointsEntry(
                r.member_id, as_utc(r.at), PointsKind(r.kind), int(r.points), r.reference, r.expires_on
            )
            for r in rows
        ]


def _coupon(row: Any) -> CouponRecord:
    return CouponRecord(
        row.code, row.campaign_id, row.member_id, as_utc(row.valid_from), as_utc(row.valid_until),
        as_utc(row.redeemed_at) if row.redeemed_at is not None else None,
    )  # fmt: skip
