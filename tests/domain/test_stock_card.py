"""The product card: this store's stock, then the nearest locations that have the item."""

from __future__ import annotations

from domain.catalog import Product
from domain.locations import Location, LocationKind, by_distance
from domain.services.lookup import NEARBY_LIMIT, NEARBY_PROBE, Chain, stock_card
from domain.staff import Role, StaffMember
from domain.stock import StockPosition
from tests.domain.fakes import FakeCatalog, FakeLocations, FakeStock, FakeUnitOfWork

CLERK = StaffMember(1, "clerk", Role.STAFF, ["S00"])
ADMIN = StaffMember(9, "admin", Role.ADMIN, [])
STORES = 30


class CountingStock(FakeStock):
    """Counts the chain-wide reads, which a card should need only when the nearest are out."""

    wide_reads = 0

    def available_by_location(self, sku: str) -> dict[str, int]:
        self.wide_reads += 1
        return super().available_by_location(sku)


def street(**on_hand: int) -> FakeUnitOfWork:
    """S00 and S01..S29 along one street, each a little farther east; COLA on hand per store as given."""
    locations = [
        Location(f"S{n:02d}", f"Store {n}", LocationKind.STORE, "east", 31.2, 121.4 + 0.01 * n) for n in range(STORES)
    ]
    return FakeUnitOfWork(
        locations=FakeLocations(locations),
        catalog=FakeCatalog([Product("COLA", "Cola 330ml", "drinks", "Coke", 3.5, 2.1, 24)]),
        stock=CountingStock([StockPosition(code, "COLA", on_hand=units) for code, units in on_hand.items()]),
    )


def nearest_with_stock(uow: FakeUnitOfWork, here: str) -> list[str]:
    """What the card should list, worked out the slow way: every location ranked, the empty ones skipped."""
    ranked = by_distance(uow.locations.get(here), uow.locations.all())
    return [loc.code for loc, _ in ranked if uow.stock.positions.get((loc.code, "COLA"), StockPosition("", "")).available > 0]


def test_the_card_lists_the_nearest_stores_with_stock_and_reads_only_those_nearest() -> None:
    uow = street(S00=4, **{f"S{n:02d}": (0 if n % 3 == 0 else n) for n in range(1, STORES)})

    card = stock_card(uow, "COLA", "S00", CLERK, Chain(uow.locations.all()))

    assert card.position.on_hand == 4
    assert [n.location.code for n in card.nearby] == nearest_with_stock(uow, "S00")[:NEARBY_LIMIT]
    assert [n.distance_km for n in card.nearby] == sorted(n.distance_km for n in card.nearby)
    assert uow.stock.wide_reads == 0


def test_when_the_nearest_are_out_the_card_still_finds_the_far_ones() -> None:
    far = {f"S{n:02d}": 7 for n in range(STORES - 3, STORES)}
    uow = street(S00=0, **far)

    card = stock_card(uow, "COLA", "S00", CLERK, Chain(uow.locations.all()))

    assert STORES - 3 > NEARBY_PROBE  # the far stores lie beyond what is read first
    assert [n.location.code for n in card.nearby] == nearest_with_stock(uow, "S00")
    assert sorted(n.location.code for n in card.nearby) == sorted(far)
    assert card.position.available == 0


def test_without_a_store_the_card_lists_who_has_most() -> None:
    uow = street(S03=5, S10=50, S20=20, S25=0)

    card = stock_card(uow, "COLA", None, ADMIN)

    assert [(n.location.code, n.available) for n in card.nearby] == [("S10", 50), ("S20", 20), ("S03", 5)]
    assert card.here is None and card.position is None


def test_the_chain_ranks_each_store_once_and_agrees_with_by_distance() -> None:
    uow = street()
    chain = Chain(uow.locations.all())

    first = chain.nearest("S05")

    assert first is chain.nearest("S05")
    assert [loc.code for loc, _ in first] == [loc.code for loc, _ in by_distance(uow.locations.get("S05"), uow.locations.all())]

