"""Posting live receipts through the ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from domain.errors import DomainError, NotFound
from domain.sales import Receipt, post_receipt
from domain.stock import Movement


@dataclass(slots=True)
class PostingReport:
    posted: list[Receipt] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)
    refused: list[tuple[Receipt, DomainError]] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)

    @property
    def lines_posted(self) -> int:
        return sum(len(r.lines) for r in self.posted)


AfterPosting = Callable[[object, list[Receipt]], object]


def post_receipts(  # type: ignore[no-untyped-def]
    uow, receipts: Sequence[Receipt], actor: str, after_posting: AfterPosting | None = None
) -> PostingReport:
    """Post each new receipt whole or not at all; a receipt id seen before changes nothing.

    Receipts are applied in time order so a return after a sale of the last
    unit is not refused for stock it was about to get back. `after_posting`
    (members' points and coupons) runs in the same transaction.
    """
    report = PostingReport()
    seen = uow.receipts.existing_ids(r.receipt_id for r in receipts)
    fresh: dict[str, Receipt] = {}
    for receipt in receipts:
        if receipt.receipt_id in seen or receipt.receipt_id in fresh:
            report.already_posted.append(receipt.receipt_id)
        else:
            fresh[receipt.receipt_id] = receipt
    known_locations = uow.locations.codes()
    known_skus = uow.catalog.known_skus({line.sku for r in fresh.values() for line in r.lines})
    positions = uow.stock.get_many(
        key for r in fresh.values() if r.location_code in known_locations for key in r.position_keys()
    )
    for receipt in sorted(fresh.values(), key=lambda r: (r.at, r.receipt_id)):
        try:
            _check_references(receipt, known_locations, known_skus)
            report.movements.extend(post_receipt(receipt, positions, actor))
            report.posted.append(receipt)
        except DomainError as refusal:
            report.refused.append((receipt, refusal))
    uow.receipts.add_many(report.posted, moved_stock=True)
    if after_posting is not None:
        after_posting(uow, report.posted)
    uow.commit()
    return report


def _check_references(receipt: Receipt, locations: set[str], skus: set[str]) -> None:
    if receipt.location_code not in locations:
        raise NotFound("unknown_location", location=receipt.location_code, receipt=receipt.receipt_id)
    unknown = {line.sku for line in receipt.lines} - skus
    if unknown:
        raise NotFound("unknown_sku", sku=", ".join(sorted(unknown)), receipt=receipt.receipt_id)
