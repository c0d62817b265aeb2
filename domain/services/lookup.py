"""Queries behind a product card: which product is meant, and where it is in stock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.barcodes import looks_like_barcode, lookup_keys
from domain.catalog import Product
from domain.errors import NotFound
from domain.locations import Location, by_distance
from domain.search import ProductSearchIndex
from domain.staff import Permission, StaffMember
from domain.stock import Movement, StockPosition

NEARBY_LIMIT = 6
# How many of the nearest locations a card reads first: twice what it shows, so a few out of stock still fill it.
NEARBY_PROBE = 2 * NEARBY_LIMIT


@dataclass(slots=True, frozen=True)
class ProductMatches:
    """What a typed query resolved to: one product, several to choose from, or none."""

    products: list[Product]
    via_barcode: bool = False
    units: int = 1  # a carton barcode stands for a pack


@dataclass(slots=True, frozen=True)
class NearbyStock:
    location: Location
    distance_km: float
    available: int


@dataclass(slots=True, frozen=True)
class StockCard:
    product: Product
    here: Location | None
    position: StockPosition | None
    nearby: list[NearbyStock]
    last_movement: Movement | None
    show_costs: bool


def find_products(uow, index: ProductSearchIndex, query: str, limit: int = 8) -> ProductMatches:  # type: ignore[no-untyped-def]
    """Exact SKU, then barcode, then words of the name (typos and partial words allowed)."""
    text = query.strip()
    if not text:
        return ProductMatches([])
    product = uow.catalog.get(text) or uow.catalog.get(text.upper())
    if product:
        return ProductMatches([product])
    if looks_like_barcode(text):
        found = uow.catalog.by_barcode_keys(lookup_keys(text))
        if found:
            return ProductMatches([found[0][0]], via_barcode=True, units=found[0][1])
        return ProductMatches([], via_barcode=True)
    products = [uow.catalog.get(match.sku) for match in index.search(text, limit)]
    return ProductMatches([p for p in products if p is not None])


class Chain:
    """The chain's locations and, for each, the others nearest first (ranked once, on first use).

    Ranking every location for every lookup cost more than the lookup's query;
    the chain's stores move far less often than they are asked about.
    """

    def __init__(self, locations: Iterable[Location]) -> None:
        self.by_code = {location.code: location for location in locations}
        self._nearest: dict[str, list[tuple[Location, float]]] = {}

    def nearest(self, code: str) -> list[tuple[Location, float]]:
        """The other locations, nearest first, with their distance from `code` in km."""
        ranked = self._nearest.get(code)
        if ranked is None:
            ranked = [(other, round(km, 1)) for other, km in by_distance(self.by_code[code], self.by_code.values())]
            self._nearest[code] = ranked
        return ranked


def stock_card(  # type: ignore[no-untyped-def]
    uow, sku: str, here_code: str | None, viewer: StaffMember, chain: Chain | None = None, product: Product | None = None
) -> StockCard:
    """The card staff see: stock here, who nearby has it, and the last movement here.

    `chain` may come from a cache, and `product` from the query that found it.
    Only the nearest locations are read, and the rest only when too few of
    those have the item.
    """
    viewer.require(Permission.LOOKUP)
    product = product if product is not None and product.sku == sku else uow.catalog.get(sku)
    if product is None:
        raise NotFound("unknown_sku", sku=sku)
    chain = chain if chain is not None else Chain(uow.locations.all())
    here = chain.by_code.get(here_code) if here_code else None
    if here is None:
        return StockCard(product, None, None, _most_available(uow, sku, chain), None, viewer.can(Permission.SEE_COSTS))
    position, nearby = _here_and_nearest(uow, sku, here, chain)
    last = uow.stock.movements_for(here.code, sku, 1)
    return StockCard(product, here, position, nearby, last[0] if last else None, viewer.can(Permission.SEE_COSTS))


def _here_and_nearest(uow, sku: str, here: Location, chain: Chain) -> tuple[StockPosition | None, list[NearbyStock]]:  # type: ignore[no-untyped-def]
    """This store's position, and the nearest others with the item available (read wider only if needed)."""
    nearest = chain.nearest(here.code)
    probed = nearest[:NEARBY_PROBE]
    positions = {p.location_code: p for p in uow.stock.at_locations(sku, [here.code, *(loc.code for loc, _ in probed)])}
    available = {code: p.available for code, p in positions.items() if p.available > 0 and code != here.code}
    if len(available) < NEARBY_LIMIT and len(nearest) > len(probed):
        available = uow.stock.available_by_location(sku)
    nearby: list[NearbyStock] = []
    for location, km in nearest:
        if location.code in available:
            nearby.append(NearbyStock(location, km, available[location.code]))
            if len(nearby) == NEARBY_LIMIT:
                break
    return positions.get(here.code), nearby


def _most_available(uow, sku: str, chain: Chain) -> list[NearbyStock]:  # type: ignore[no-untyped-def]
    """With no store to measure from, the locations with the most available."""
    available = uow.stock.available_by_location(sku)
    ranked = sorted((code for code in available if code in chain.by_code), key=lambda code: (-available[code], code))
    return [NearbyStock(chain.by_code[code], 0.0, available[code]) for code in ranked[:NEARBY_LIMIT]]
