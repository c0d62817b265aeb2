"""Database tables. The domain never sees these: repositories map rows to domain objects.

Codes (location code, SKU, receipt id) are the natural keys staff and CSV files
use, so they are the primary keys too: no id translation on the hot paths.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

# SQLite only auto-increments an INTEGER primary key; PostgreSQL gets 64-bit ids.
_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


def _ts(**kwargs: object) -> Column:
    return Column(DateTime(timezone=True), **kwargs)


class LocationRow(SQLModel, table=True):
    __tablename__ = "location"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    kind: str = Field(max_length=16)
    region: str
    latitude: float
    longitude: float
    tier: str | None = Field(default=None, max_length=16)
    allow_negative_stock: bool = False
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True, nullable=True))


class ProductRow(SQLModel, table=True):
    __tablename__ = "product"
    sku: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True)
    category: str = Field(index=True)
    brand: str
    unit_price: float
    unit_cost: float
    pack_size: int = 1


class BarcodeRow(SQLModel, table=True):
    __tablename__ = "barcode"
    key: str = Field(primary_key=True, max_length=64)
    sku: str = Field(foreign_key="product.sku", index=True)
    text: str
    symbology: str
    units: int = 1  # a carton code counts its pack size


class SupplierRow(SQLModel, table=True):
    __tablename__ = "supplier"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    email: str | None = None


class SupplierItemRow(SQLModel, table=True):
    __tablename__ = "supplier_item"
    supplier_code: str = Field(foreign_key="supplier.code", primary_key=True)
    sku: str = Field(foreign_key="product.sku", primary_key=True, index=True)
    unit_cost: float
    lead_time_days: int
    min_order_qty: int
    pack_size: int
    # Delivered by the supplier to each store; the server default keeps older offers on the warehouses.
    direct_to_store: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class StockPositionRow(SQLModel, table=True):
    __tablename__ = "stock_position"
    __table_args__ = (Index("ix_stock_position_sku", "sku"),)
    location_code: str = Field(foreign_key="location.code", primary_key=True)
    sku: str = Field(foreign_key="product.sku", primary_key=True)
    on_hand: int = 0
    reserved: int = 0
    in_transit_in: int = 0
    in_transit_out: int = 0
    min_qty: int | None = None
    max_qty: int | None = None
    reorder_point: float | None = None  # from the replenishment engine


class StockMovementRow(SQLModel, table=True):
    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_position", "location_code", "sku", "id"),)
    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    at: datetime = Field(sa_column=_ts(nullable=False))
    location_code: str
    sku: str
    kind: str = Field(max_length=24)
    on_hand: int = 0
    reserved: int = 0
    in_transit_in: int = 0
    in_transit_out: int = 0
    actor: str
    reference: str  # not indexed: nothing looks movements up by it, and every sale would pay for it
    reason: str = ""


class ReceiptRow(SQLModel, table=True):
    __tablename__ = "receipt"
    receipt_id: str = Field(primary_key=True, max_length=64)
    location_code: str = Field(foreign_key="location.code", index=True)
    at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    member_id: str | None = Field(default=None, index=True)
    channel: str = "store"
    coupon_code: str | None = None
    total: float = 0.0
    moved_stock: bool = False  # history imports do not move stock; live sales do


class ReceiptLineRow(SQLModel, table=True):
    __tablename__ = "receipt_line"
    __table_args__ = (Index("ix_receipt_line_sku", "sku"),)
    receipt_id: str = Field(foreign_key="receipt.receipt_id", primary_key=True)
    line_no: int = Field(primary_key=True)
    sku: str
    qty: int
    unit_price: float
    promo: bool = False


class MemberRow(SQLModel, table=True):
    __tablename__ = "member"
    member_id: str = Field(primary_key=True, max_length=64)
    name: str
    phone: str | None = Field(default=None, index=True)
    email: str | None = None
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True, nullable=True))
    joined_on: date
    tier: str = ""
    consent_sms: bool = False
    consent_email: bool = False
    consent_chat: bool = False
    language: str | None = None


class PointsEntryRow(SQLModel, table=True):
    __tablename__ = "points_entry"
    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="member.member_id", index=True)
    at: datetime = Field(sa_column=_ts(nullable=False))
    kind: str
    points: int
    reference: str = Field(index=True)
    expires_on: date | None = None


class ConsentEventRow(SQLModel, table=True):
    __tablename__ = "consent_event"
    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="member.member_id", index=True)
    channel: str
    granted: bool
    at: datetime = Field(sa_column=_ts(nullable=False))
    source: str


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    telegram_user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    name: str
    role: str
    phone: str | None = None
    email: str | None = None
    active: bool = True


class StaffLocationRow(SQLModel, table=True):
    __tablename__ = "staff_location"
    telegram_user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    location_code: str = Field(foreign_key="location.code", primary_key=True)


class TransferRow(SQLModel, table=True):
    __tablename__ = "transfer"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(foreign_key="product.sku")
    qty: int
    from_code: str = Field(foreign_key="location.code", index=True)
    to_code: str = Field(foreign_key="location.code", index=True)
    state: str = Field(index=True)
    requested_by: str
    approved_by: str | None = None
    shipped_qty: int = 0
    received_qty: int = 0
    discrepancy: int = 0
    note: str = ""
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class TransferEventRow(SQLModel, table=True):
    __tablename__ = "transfer_event"
    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(foreign_key="transfer.id", index=True)
    state: str
    at: datetime = Field(sa_column=_ts(nullable=False))
    actor: str
    note: str = ""


class TransferMessageRow(SQLModel, table=True):
    """A chat message showing a transfer with buttons: edited when the transfer moves on, even after a restart."""

    __tablename__ = "transfer_message"
    transfer_id: int = Field(foreign_key="transfer.id", primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    message_id: int = Field(primary_key=True)
    lang: str = Field(max_length=8)


class CountSessionRow(SQLModel, table=True):
    __tablename__ = "count_session"
    id: int | None = Field(default=None, primary_key=True)
    location_code: str = Field(foreign_key="location.code", index=True)
    category: str | None = None
    state: str = Field(index=True)
    opened_by: str
    opened_at: datetime = Field(sa_column=_ts(nullable=False))
    recounts: int = 0
    approved_by: str | None = None


class CountLineRow(SQLModel, table=True):
    __tablename__ = "count_line"
    session_id: int = Field(foreign_key="count_session.id", primary_key=True)
    sku: str = Field(primary_key=True)
    counted: int
    book_at_count: int
    counted_at: datetime = Field(sa_column=_ts(nullable=False))
    counted_by: str
    unit_cost: float = 0.0


class ProcessedKeyRow(SQLModel, table=True):
    """Idempotency keys of things already handled (Telegram update ids, API requests)."""

    __tablename__ = "processed_key"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=32)
    key: str = Field(max_length=128)
    at: datetime = Field(sa_column=_ts(nullable=False))


class ChatSettingRow(SQLModel, table=True):
    """Per-chat preferences (the language chosen with /lang)."""

    __tablename__ = "chat_setting"
    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str | None = None


class UserActionRow(SQLModel, table=True):
    """The last things a person did, so /undo can reverse the latest one while it is safe."""

    __tablename__ = "user_action"
    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))
    kind: str
    reference: str
    payload: str = ""
    at: datetime = Field(sa_column=_ts(nullable=False))
    undone: bool = False


class OutboxMessageRow(SQLModel, table=True):
    """A notification waiting for, or done with, delivery (transactional outbox: written with its cause)."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_state_due", "state", "due_at"),)
    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    key: str = Field(max_length=160, unique=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=320)
    event: str = Field(max_length=64)
    lang: str = Field(max_length=8)
    facts: str = Field(sa_column=Column(Text, nullable=False))
    purpose: str = Field(max_length=16)
    member_id: str | None = Field(default=None, max_length=64, index=True)
    buttons: str = Field(default="", sa_column=Column(Text, nullable=False))
    image: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    edits_key: str | None = Field(default=None, max_length=160)
    state: str = Field(max_length=16)
    attempts: int = 0
    due_at: datetime = Field(sa_column=_ts(nullable=False))
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    provider_ref: str | None = Field(default=None, max_length=160)
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sent_as_photo: bool = False
    segments: int | None = None
    delivery_status: str | None = Field(default=None, max_length=32)


class LowStockAlertRow(SQLModel, table=True):
    """A low-stock alert of one location x SKU; `open_key` is set until it closes, so two can never be open."""

    __tablename__ = "low_stock_alert"
    id: int | None = Field(default=None, primary_key=True)
    location_code: str = Field(foreign_key="location.code", index=True)
    sku: str = Field(foreign_key="product.sku")
    open_key: str | None = Field(default=None, max_length=100, unique=True)
    state: str = Field(max_length=16, index=True)
    raised_at: datetime = Field(sa_column=_ts(nullable=False))
    available: int
    reorder_point: float
    basis: str = Field(max_length=16)
    urgent: bool = False
    snoozed_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    message_key: str | None = Field(default=None, max_length=160)


class DigestPreferenceRow(SQLModel, table=True):
    """Which channels a manager's daily digest goes to (/settings)."""

    __tablename__ = "digest_preference"
    telegram_user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    telegram: bool = True
    email: bool = False


class PositionSalesRateRow(SQLModel, table=True):
    """Average daily units sold per position, refreshed by the low-stock sweep so a sale need not scan weeks of receipts."""

    __tablename__ = "position_sales_rate"
    location_code: str = Field(primary_key=True, max_length=32)
    sku: str = Field(primary_key=True, max_length=64)
    daily_units: float
    computed_at: datetime = Field(sa_column=_ts(nullable=False))


class MemberSegmentRow(SQLModel, table=True):
    """The nightly member scores: what /offers and campaigns read (replaced whole by each run)."""

    __tablename__ = "member_segment"
    member_id: str = Field(primary_key=True, max_length=64)
    segment: str = Field(max_length=16, index=True)
    tier: str = Field(default="", max_length=16)
    recency_days: int | None = None
    frequency: int = 0
    monetary: float = 0.0
    p_buy_30d: float = 0.0
    p_buy_90d: float = 0.0
    expected_value_90d: float = 0.0
    top_categories: str = ""
    next_best_skus: str = ""
    computed_at: datetime = Field(sa_column=_ts(nullable=False))


class CampaignRow(SQLModel, table=True):
    """A promotion campaign: its terms as JSON, and where it stands (draft, approved, cancelled, reported)."""

    __tablename__ = "campaign"
    campaign_id: str = Field(primary_key=True, max_length=32)
    name: str
    spec: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=16, index=True)
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(sa_column=_ts(nullable=False))
    approved_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    approved_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    valid_until: datetime = Field(sa_column=_ts(nullable=False))
    reported_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class CouponRow(SQLModel, table=True):
    """A member's personal code for one campaign."""

    __tablename__ = "coupon"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id"),)
    code: str = Field(primary_key=True, max_length=16)
    campaign_id: str = Field(foreign_key="campaign.campaign_id", index=True)
    member_id: str = Field(max_length=64, index=True)
    valid_from: datetime = Field(sa_column=_ts(nullable=False))
    valid_until: datetime = Field(sa_column=_ts(nullable=False))


class CouponRedemptionRow(SQLModel, table=True):
    """A coupon used on a receipt; the unique code is what stops two tills redeeming it twice."""

    __tablename__ = "coupon_redemption"
    code: str = Field(primary_key=True, max_length=16)
    campaign_id: str = Field(max_length=32, index=True)
    member_id: str = Field(max_length=64)
    receipt_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=_ts(nullable=False))
    discount: float = 0.0
    points: int = 0


class CampaignContactRow(SQLModel, table=True):
    """Who a campaign reached (treatment, with channel and time) or held back (control): history for caps and results."""

    __tablename__ = "campaign_contact"
    __table_args__ = (Index("ix_campaign_contact_member", "member_id", "sent_at"),)
    campaign_id: str = Field(foreign_key="campaign.campaign_id", primary_key=True)
    member_id: str = Field(primary_key=True, max_length=64)
    treated: bool
    channel: str | None = Field(default=None, max_length=16)
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    message_cost: float = 0.0


class ReplenishmentPlanRow(SQLModel, table=True):
    """One nightly plan: the lines a location's manager approves, adjusts or skips."""

    __tablename__ = "replenishment_plan"
    id: int | None = Field(default=None, primary_key=True)
    plan_date: date = Field(unique=True)  # the local day the plan is for (history before it)
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class ReplenishmentLineRow(SQLModel, table=True):
    """One plan line with the CSV's columns; `reason_facts` is JSON so each chat reads it in its language."""

    __tablename__ = "replenishment_line"
    __table_args__ = (Index("ix_replenishment_line_plan_location", "plan_id", "location_code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="replenishment_plan.id")
    location_code: str = Field(max_length=32)
    sku: str = Field(max_length=64)
    on_hand: float
    in_transit: float
    forecast_daily: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_qty: int
    source_kind: str = Field(max_length=16)
    source_code: str | None = Field(default=None, max_length=32)
    reason_facts: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    state: str = Field(default="proposed", max_length=16, index=True)
    qty: int  # what will be ordered or moved: suggested_qty until a manager adjusts it
    pack_size: int = 1
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    purchase_order_id: int | None = None
    transfer_id: int | None = None
    refusal: str = ""  # why an approved transfer could not be requested (a domain error code)


class PurchaseOrderRow(SQLModel, table=True):
    """Approved supplier lines of one plan, one order per supplier x location."""

    __tablename__ = "purchase_order"
    __table_args__ = (UniqueConstraint("plan_id", "supplier_code", "location_code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="replenishment_plan.id", index=True)
    supplier_code: str = Field(max_length=32)
    location_code: str = Field(max_length=32)
    approved_by: str
    created_at: datetime = Field(sa_column=_ts(nullable=False))


class PurchaseOrderLineRow(SQLModel, table=True):
    __tablename__ = "purchase_order_line"
    order_id: int = Field(foreign_key="purchase_order.id", primary_key=True)
    sku: str = Field(primary_key=True, max_length=64)
    qty: int
    unit_cost: float
    plan_line_id: int
