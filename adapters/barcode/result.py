"""What the barcode reader hands back: a status the bot can answer on, and the codes it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class ScanStatus(StrEnum):
    OK = "ok"
    NONE_FOUND = "none_found"
    NOT_AN_IMAGE = "not_an_image"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"


class UnitsHint(StrEnum):
    """What one scan counts, told by the GTIN-14 packaging indicator digit."""

    UNIT = "unit"
    CARTON = "carton"
    VARIABLE_MEASURE = "variable_measure"


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One barcode read from the image, already checked.

    `format` is our name ("EAN-13", "EAN-8", "UPC-A", "UPC-E", "Code 128",
    "Code 39", "ITF-14", "QR", "DataMatrix"); `text` is what is printed under the
    code (GS1 data in its "(01)...(10)..." form); `key` is the catalogue key of
    domain.barcodes (14-digit GTIN key; the text for an internal Code 128/39
    label; None for free-text QR/DataMatrix).
    """

    format: str
    text: str
    key: str | None = None
    gtin: str | None = None
    batch: str | None = None
    expiry: date | None = None
    units_hint: UnitsHint | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    status: ScanStatus
    codes: list[DecodedCode] = field(default_factory=list)

    @classmethod
    def of(cls, codes: list[DecodedCode]) -> ScanResult:
        return cls(ScanStatus.OK if codes else ScanStatus.NONE_FOUND, codes)
