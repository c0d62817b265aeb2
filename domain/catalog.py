"""What the chain sells and who supplies it."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.barcodes import Barcode


@dataclass(slots=True)
class Product:
    sku: str
    name: str
    category: str
    brand: str
    unit_price: float
    unit_cost: float
    pack_size: int = 1
    barcodes: list[Barcode] = field(default_factory=list)

    @property
    def margin(self) -> float:
        return self.unit_price - self.unit_cost

    @property
    def margin_rate(self) -> float:
        return self.margin / self.unit_price if self.unit_price else 0.0


@dataclass(slots=True, frozen=True)
class SupplierTerms:
    """One supplier's offer for one SKU."""

    supplier_code: str
    supplier_name: str
    sku: str
    unit_cost: float
    lead_time_days: int
    min_order_qty: int
    pack_size: int
    email: str | None = None
    direct_to_store: bool = False  # the supplier delivers to each store itself, not to the warehouses
