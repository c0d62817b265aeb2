"""Blind stock counts from the chat: open, enter what is on the shelf, submit, recount, approve.

Staff see what to count and what they have counted, never the book; managers
see the variance. Every command checks the actor's permission at the store
here, so no entry point (chat text, buttons, photos) can skip it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime

from domain.barcodes import looks_like_barcode, lookup_keys
from domain.catalog import Product
from domain.counts import CountSession, CountState, VarianceThreshold
from domain.errors import DomainError, NotFound
from domain.locations import Location
from domain.services.undo import Undone, record_action, register_undoer
from domain.staff import Permission, Role, StaffMember
from domain.stock import Stamp

SHEET_PAGE = 20
MAX_ENTRY_UNITS = 99_999  # one line; a bigger figure is almost always a barcode typed as a quantity
REPORT_LINES = 30
ENTRY_ACTION = "count_entry"
COUNTING = (CountState.OPEN, CountState.RECOUNT)

# -- reading what staff type ---------------------------------------------------------

_CODE = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_ENTRY = re.compile(rf"^(?P<code>{_CODE})(?:\s*[×*:=]\s*|\s*[xX]\s*|\s+)(?P<qty>\S+)$")
_SCAN = re.compile(rf"^(?P<code>{_CODE})$")
_NUMBER_LIKE = re.compile(r"^[+\-]?[\d.,]+$")


@dataclass(slots=True, frozen=True)
class EntryLine:
    """One line of a count message: a code (SKU or barcode) and how many, or why it cannot be read."""

    text: str
    code: str = ""
    qty: int | None = None  # None with no problem: the code alone, a scan of one unit (or one carton)
    problem: str | None = None  # an error code, e.g. count_quantity_negative
    numeric: bool = False  # the quantity was written as a number, even an unacceptable one

    @property
    def is_scan(self) -> bool:
        return self.qty is None and self.problem is None


def read_entry_lines(text: str) -> list[EntryLine]:
    """Lines like 'COLA330 12', 'COLA330 x 12', '6901234567892*2' or a code alone; full-width text allowed."""
    lines = (line.strip() for line in unicodedata.normalize("NFKC", text).replace("−", "-").splitlines())
    return [_read_line(line) for line in lines if line]


def _read_line(line: str) -> EntryLine:
    if scan := _SCAN.match(line):
        return EntryLine(line, scan["code"])
    entry = _ENTRY.match(line)
    if entry is None:
        return EntryLine(line, problem="count_line_unreadable")
    written = entry["qty"]
    qty, problem = _read_quantity(written)
    return EntryLine(line, entry["code"], qty, problem, numeric=bool(_NUMBER_LIKE.match(written)))


def _read_quantity(written: str) -> tuple[int | None, str | None]:
    if re.fullmatch(r"\+?\d+", written):
        qty = int(written)
        return (qty, None) if qty <= MAX_ENTRY_UNITS else (None, "count_quantity_too_large")
    if re.fullmatch(r"-[\d.,]+", written):
        return None, "count_quantity_negative"
    if re.fullmatch(r"\+?\d*[.,]\d*", written) and any(c.isdigit() for c in written):
        return None, "count_quantity_fraction"
    return None, "count_quantity_not_number"


# -- results the chat announces ------------------------------------------------------


@dataclass(slots=True, frozen=True)
class CountProgress:
    count_id: int
    location_code: str
    category: str | None
    state: str
    opened_by: str
    opened_at: datetime
    listed: int  # items on the sheet
    counted_items: int
    counted_units: int


@dataclass(slots=True, frozen=True)
class SheetItem:
    sku: str
    name: str
    counted: int | None  # what staff have counted so far (never the book); None when not yet


@dataclass(slots=True, frozen=True)
class CountSheet:
    """One page of what to count."""

    progress: CountProgress
    page: int
    pages: int
    items: list[SheetItem]


@dataclass(slots=True, frozen=True)
class CountedEntry:
    sku: str
    name: str
    units: int  # added by this entry
    per_code: int  # units one scan of the code stands for (a carton's pack size, else 1)
    total: int  # counted so far for the item


@dataclass(slots=True, frozen=True)
class RefusedEntry:
    text: str
    reason: str  # an error code, rendered by errors/<reason>
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class EntriesRecorded:
    count_id: int
    recorded: list[CountedEntry] = field(default_factory=list)
    refused: list[RefusedEntry] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class VarianceLine:
    sku: str
    name: str
    book: int  # at the time the item was counted
    counted: int
    variance: int
    value: float  # at cost
    flagged: bool  # over the threshold: needs a recount


@dataclass(slots=True, frozen=True)
class CountReport:
    """What the store's managers decide on; book figures appear only here."""

    count_id: int
    location: Location
    category: str | None
    submitted_by: str
    lines: list[VarianceLine]  # lines with a variance, largest value first
    matching: int  # lines where counted equals the book
    uncounted: list[str]  # names on the sheet nobody counted (not adjusted)
    units: int
    value: float
    needs_recount: bool
    threshold: VarianceThreshold
    recounts: int
    approvers: list[int]  # telegram ids of who should get the report

    @property
    def shown(self) -> list[VarianceLine]:
        return self.lines[:REPORT_LINES]

    @property
    def flagged(self) -> list[VarianceLine]:
        return [line for line in self.lines if line.flagged]


@dataclass(slots=True, frozen=True)
class CountDecided:
    """An approval, a recount request or a cancellation, for announcing to the store."""

    count_id: int
    location: Location
    store_chat_id: int | None  # the store's group, else the person who opened the count
    decided_by: str
    adjustments: int = 0
    units: int = 0
    value: float = 0.0
    recount: list[SheetItem] = field(default_factory=list)


# -- commands ----------------------------------------------------------------------


def open_count(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, location_code: str, category: str | None, now: datetime
) -> CountSheet:
    """Start a blind count of the store (or one category of it); one count per store at a time."""
    staff.require(Permission.COUNT, location_code)
    if uow.locations.get(location_code) is None:
        raise NotFound("unknown_location", location=location_code)
    _refuse_second_count(uow, location_code)
    if category is not None:
        category = _category_carried(uow, location_code, category)
    session = uow.counts.add(CountSession(0, location_code, staff.actor, now, category))
    sheet = _sheet(uow, session, 0)
    uow.commit()
    return sheet


def record_count_entries(  # type: ignore[no-untyped-def]
    uow,
    staff: StaffMember,
    location_code: str,
    lines: list[EntryLine],
    now: datetime,
    *,
    count_id: int | None = None,
) -> EntriesRecorded:
    """Record every readable line of one message; the others are refused one by one, saying why.

    The recorded lines are one action for /undo. `count_id` pins a button to the
    count it was made for, so a press on an old message does not count into a new one.
    """
    session = _counting_session(uow, staff, location_code, count_id)
    stamp = Stamp(now, staff.actor, session.reference)
    result = EntriesRecorded(session.id)
    for line in lines:
        try:
            result.recorded.append(_record_line(uow, session, line, stamp))
        except DomainError as refusal:
            result.refused.append(RefusedEntry(line.text, refusal.code, dict(refusal.facts)))
    if result.recorded:
        uow.counts.save(session)
        payload = {"round": session.recounts, "lines": [[e.sku, e.units] for e in result.recorded]}
        record_action(uow, staff, ENTRY_ACTION, session.reference, json.dumps(payload), now)
        uow.commit()
    return result


def record_count_entry(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, location_code: str, sku: str, qty: int | None, now: datetime
) -> CountedEntry:
    """Count one item at the store's open count (a decoded photo, a button), raising any refusal.

    `sku` may also be a barcode's text; `qty` None counts one scan (a carton
    barcode counts its pack), otherwise `qty` units, or cartons for a carton barcode.
    """
    line = EntryLine(f"{sku} {qty}" if qty is not None else sku, sku, qty)
    result = record_count_entries(uow, staff, location_code, [line], now)
    if result.refused:
        refusal = result.refused[0]
        raise DomainError(refusal.reason, **refusal.facts)
    return result.recorded[0]


def submit_count(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, location_code: str, threshold: VarianceThreshold, now: datetime
) -> CountReport:
    """/done: the count goes to the store's managers with its variance."""
    session = _counting_session(uow, staff, location_code)
    if not session.lines:
        raise DomainError("count_empty", count_id=session.id)
    session.submit()
    uow.counts.save(session)
    report = _report(uow, session, staff, threshold)
    uow.commit()
    return report


def approve_count(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, count_id: int, threshold: VarianceThreshold, now: datetime
) -> CountDecided:
    """Post the variance (against the book when each item was counted) to the ledger."""
    session = _awaiting_decision(uow, staff, count_id)
    if session.needs_recount(threshold):
        flagged = ", ".join(line.sku for line in session.lines_over(threshold))
        raise DomainError("count_recount_required", count_id=count_id, skus=flagged)
    keys = {(session.location_code, sku) for sku in session.lines}
    positions = {key[1]: position for key, position in uow.stock.get_many(keys).items()}
    movements = session.approve(positions, threshold, Stamp(now, staff.actor, session.reference, "count"))
    uow.counts.save(session)
    decided = CountDecided(
        count_id,
        *_store(uow, session),
        staff.name,
        len(movements),
        sum(m.on_hand for m in movements),
        session.variance_value,
    )
    uow.commit()
    return decided


def request_recount(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, count_id: int, threshold: VarianceThreshold, now: datetime
) -> CountDecided:
    """Send the flagged lines (or every line with a variance) back to staff, to count again from zero."""
    session = _awaiting_decision(uow, staff, count_id)
    lines = session.lines_over(threshold) or [line for line in session.lines.values() if line.variance]
    lines = lines or list(session.lines.values())
    session.request_recount()
    stamp = Stamp(now, staff.actor, session.reference)
    for line in lines:
        session.restart_line(uow.stock.get(session.location_code, line.sku), stamp)
    uow.counts.save(session)
    items = [
        SheetItem(line.sku, _name(uow, line.sku), None) for line in sorted(lines, key=lambda line: line.sku)
    ]
    decided = CountDecided(count_id, *_store(uow, session), staff.name, recount=items)
    uow.commit()
    return decided


def cancel_count(uow, staff: StaffMember, location_code: str) -> CountDecided:  # type: ignore[no-untyped-def]
    """/count cancel: a manager abandons the store's count; nothing is posted."""
    staff.require(Permission.APPROVE_COUNT, location_code)
    found = uow.counts.active_at(location_code) or next(
        iter(uow.counts.awaiting_approval([location_code])), None
    )
    if found is None:
        raise DomainError("count_not_open", location=location_code)
    session = uow.counts.get(found.id)
    session.cancel()
    uow.counts.save(session)
    decided = CountDecided(session.id, *_store(uow, session), staff.name)
    uow.commit()
    return decided


# -- queries -----------------------------------------------------------------------


def count_progress(uow, location_code: str) -> CountProgress | None:  # type: ignore[no-untyped-def]
    """The store's count under way, if any: how far it is, without any book figure."""
    session = uow.counts.active_at(location_code)
    return _progress(uow, session) if session else None


def counting_at(uow, location_code: str) -> int | None:  # type: ignore[no-untyped-def]
    """The id of the count taking entries at the store, if any (cheap enough to ask for every message)."""
    session = uow.counts.active_at(location_code)
    return session.id if session else None


def count_sheet(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, location_code: str, page: int, count_id: int | None = None
) -> CountSheet:
    """One page of the items to count, with what has been counted so far."""
    staff.require(Permission.COUNT, location_code)
    session = uow.counts.active_at(location_code)
    if session is None or (count_id is not None and session.id != count_id):
        raise DomainError("count_not_open", location=location_code)
    return _sheet(uow, session, page)


def identify_code(uow, code: str) -> tuple[Product, int]:  # type: ignore[no-untyped-def]
    """A SKU, or a barcode with the units it stands for."""
    product = uow.catalog.get(code) or uow.catalog.get(code.upper())
    if product is not None:
        return product, 1
    if looks_like_barcode(code):
        found = uow.catalog.by_barcode_keys(lookup_keys(code))
        if found:
            return found[0]
        raise NotFound("count_unknown_barcode", barcode=code)
    raise NotFound("count_unknown_code", code=code)


# -- /undo -------------------------------------------------------------------------


def undo_count_entry(uow, staff: StaffMember, action) -> Undone:  # type: ignore[no-untyped-def]
    """Take back exactly the units one message recorded, while the count is still being entered."""
    payload = json.loads(action.payload)
    count_id = int(action.reference.split(":", 1)[1])
    session = uow.counts.get(count_id)
    if session is None or session.state not in COUNTING or session.recounts != payload["round"]:
        raise DomainError("count_entry_submitted", count_id=count_id)
    for sku, units in payload["lines"]:
        session.unrecord(sku, units)
    uow.counts.save(session)
    lines = [
        {"sku": sku, "name": _name(uow, sku), "units": units, "total": session.lines[sku].counted}
        for sku, units in payload["lines"]
    ]
    uow.commit()
    return Undone("counts/entry_undone", {"count_id": count_id, "lines": lines})


register_undoer(ENTRY_ACTION, undo_count_entry)


# -- inside ------------------------------------------------------------------------


def _refuse_second_count(uow, location_code: str) -> None:  # type: ignore[no-untyped-def]
    active = uow.counts.active_at(location_code)
    if active is not None:
        raise DomainError("count_already_open", **asdict(_progress(uow, active)))
    waiting = uow.counts.awaiting_approval([location_code])
    if waiting:
        raise DomainError("count_awaiting_approval", count_id=waiting[0].id, location=location_code)


def _category_carried(uow, location_code: str, category: str) -> str:  # type: ignore[no-untyped-def]
    categories = sorted({p.category for p in uow.catalog.carried_at(location_code)})
    for known in categories:
        if known.casefold() == category.casefold():
            return known
    raise DomainError(
        "count_unknown_category", location=location_code, category=category, categories=categories
    )


def _counting_session(  # type: ignore[no-untyped-def]
    uow, staff: StaffMember, location_code: str, count_id: int | None = None
) -> CountSession:
    staff.require(Permission.COUNT, location_code)
    active = uow.counts.active_at(location_code)
    if active is None or (count_id is not None and active.id != count_id):
        raise DomainError("count_not_open", location=location_code)
    return uow.counts.get(active.id)  # read again, locked: two people counting at once lose no entry


def _awaiting_decision(uow, staff: StaffMember, count_id: int) -> CountSession:  # type: ignore[no-untyped-def]
    session = uow.counts.get(
        count_id
    )  # locked, so two approvers queue and the second sees the first's result
    if session is None:
        raise NotFound("count_not_found", count_id=count_id)
    staff.require(Permission.APPROVE_COUNT, session.location_code)
    if session.state is not CountState.SUBMITTED:
        raise DomainError("count_not_awaiting_approval", count_id=count_id, state=session.state.value)
    return session


def _record_line(uow, session: CountSession, line: EntryLine, stamp: Stamp) -> CountedEntry:  # type: ignore[no-untyped-def]
    if line.problem:
        raise DomainError(line.problem, line=line.text)
    product, per_code = identify_code(uow, line.code)
    if session.category and product.category != session.category:
        raise DomainError(
            "count_other_category", sku=product.sku, name=product.name, category=session.category
        )
    units = per_code * (1 if line.qty is None else line.qty)
    position = uow.stock.get(session.location_code, product.sku)
    counted = session.record(position, units, product.unit_cost, stamp)
    return CountedEntry(product.sku, product.name, units, per_code, counted.counted)


def _progress(uow, session: CountSession, listed: list[Product] | None = None) -> CountProgress:  # type: ignore[no-untyped-def]
    if listed is None:
        listed = uow.catalog.carried_at(session.location_code, session.category)
    return CountProgress(
        session.id,
        session.location_code,
        session.category,
        session.state.value,
        _person(uow, session.opened_by),
        session.opened_at,
        len(listed),
        len(session.lines),
        sum(line.counted for line in session.lines.values()),
    )


def _sheet(uow, session: CountSession, page: int) -> CountSheet:  # type: ignore[no-untyped-def]
    products = uow.catalog.carried_at(session.location_code, session.category)
    pages = max(1, -(-len(products) // SHEET_PAGE))
    page = min(max(page, 0), pages - 1)
    chosen = products[page * SHEET_PAGE : (page + 1) * SHEET_PAGE]
    counted = {sku: line.counted for sku, line in session.lines.items()}
    items = [SheetItem(p.sku, p.name, counted.get(p.sku)) for p in chosen]
    return CountSheet(_progress(uow, session, products), page, pages, items)


def _report(uow, session: CountSession, staff: StaffMember, threshold: VarianceThreshold) -> CountReport:  # type: ignore[no-untyped-def]
    sheet = uow.catalog.carried_at(session.location_code, session.category)
    names = {p.sku: p.name for p in sheet}
    lines = [
        VarianceLine(
            line.sku,
            names.get(line.sku) or _name(uow, line.sku),
            line.book_at_count,
            line.counted,
            line.variance,
            round(line.variance_value, 2),
            line.exceeds(threshold) and session.recounts == 0,
        )
        for line in session.lines.values()
    ]
    varied = sorted(
        (line for line in lines if line.variance),
        key=lambda line: (-abs(line.value), -abs(line.variance), line.sku),
    )
    location, _ = _store(uow, session)
    return CountReport(
        session.id,
        location,
        session.category,
        staff.name,
        varied,
        len(lines) - len(varied),
        [p.name for p in sheet if p.sku not in session.lines],
        sum(line.variance for line in lines),
        round(sum(line.value for line in lines), 2),
        session.needs_recount(threshold),
        threshold,
        session.recounts,
        _approvers(uow, session.location_code),
    )


def _approvers(uow, location_code: str) -> list[int]:  # type: ignore[no-untyped-def]
    """The store's managers; a store without one is looked after by the admins."""
    managers = uow.staff.managers_of(location_code)
    if not managers:
        managers = [person for person in uow.staff.all() if person.active and person.role is Role.ADMIN]
    return [person.telegram_user_id for person in managers]


def _store(uow, session: CountSession) -> tuple[Location, int | None]:  # type: ignore[no-untyped-def]
    location = uow.locations.get(session.location_code)
    return location, location.chat_id or _telegram_id(session.opened_by)


def _person(uow, actor: str) -> str:  # type: ignore[no-untyped-def]
    user_id = _telegram_id(actor)
    person = uow.staff.get(user_id) if user_id else None
    return person.name if person else actor


def _telegram_id(actor: str) -> int | None:
    kind, _, number = actor.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None


def _name(uow, sku: str) -> str:  # type: ignore[no-untyped-def]
    product = uow.catalog.get(sku)
    return product.name if product else sku
