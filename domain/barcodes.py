"""Barcode values as the shop sees them: GTIN families and internal Code 128 labels.

Every GTIN (EAN-13, EAN-8, UPC-A, UPC-E, GTIN-14) is keyed by its 14-digit form,
so a UPC-A and the EAN-13 with a leading zero resolve to the same product. Codes
that are not GTINs (internal Code 128 labels) are keyed by their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GTIN_LENGTHS = (8, 12, 13, 14)


class Symbology(StrEnum):
    EAN13 = "EAN-13"
    EAN8 = "EAN-8"
    UPCA = "UPC-A"
    UPCE = "UPC-E"
    GTIN14 = "GTIN-14"
    CODE128 = "Code 128"


class InvalidBarcode(ValueError):
    """The text is not a barcode we accept; the message says why."""


@dataclass(frozen=True, slots=True)
class Barcode:
    """A validated barcode: `key` is what the catalogue indexes."""

    text: str
    symbology: Symbology
    key: str

    @property
    def is_gtin(self) -> bool:
        return self.symbology is not Symbology.CODE128

    @property
    def packaging_indicator(self) -> int:
        """GTIN-14 indicator digit: 0 is the consumer unit, 1-8 are cartons/cases, 9 variable measure."""
        return int(self.key[0]) if self.is_gtin else 0


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (weights 3,1,3,... from the right)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def has_valid_check_digit(digits: str) -> bool:
    return digits.isdigit() and len(digits) >= 2 and gs1_check_digit(digits[:-1]) == int(digits[-1])


def expand_upce(upce: str) -> str:
    """Expand an 8-digit UPC-E (number system, 6 digits, check) to its 12-digit UPC-A."""
    if len(upce) != 8 or not upce.isdigit() or upce[0] not in "01":
        raise InvalidBarcode("UPC-E must be 8 digits starting with 0 or 1")
    ns, d, check = upce[0], upce[1:7], upce[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def parse_barcode(text: str, symbology: Symbology | None = None) -> Barcode:
    """Validate `text` and return its catalogue key.

    Without a symbology, all-digit text of a GTIN length must be a GTIN with a
    valid check digit; 8 digits are read as EAN-8 first, then as UPC-E.
    Anything else printable is an internal Code 128 value.
    """
    value = text.strip()
    if not value:
        raise InvalidBarcode("empty barcode")
    if symbology is Symbology.CODE128 or not (value.isdigit() and len(value) in GTIN_LENGTHS):
        if symbology not in (None, Symbology.CODE128):
            raise InvalidBarcode(f"{symbology} must be {_length_for(symbology)} digits")
        if len(value) > 48 or not value.isprintable() or not value.isascii():
            raise InvalidBarcode("Code 128 carries at most 48 printable ASCII characters")
        return Barcode(value, Symbology.CODE128, value)
    return _parse_gtin(value, symbology)


def _parse_gtin(digits: str, symbology: Symbology | None) -> Barcode:
    if symbology is Symbology.UPCE or (symbology is None and len(digits) == 8 and not has_valid_check_digit(digits)):
        upca = expand_upce(digits)
        if not has_valid_check_digit(upca):
            raise InvalidBarcode(f"check digit of {digits} is wrong")
        return Barcode(digits, Symbology.UPCE, upca.zfill(14))
    if not has_valid_check_digit(digits):
        raise InvalidBarcode(f"check digit of {digits} is wrong")
    kind = symbology or {8: Symbology.EAN8, 12: Symbology.UPCA, 13: Symbology.EAN13, 14: Symbology.GTIN14}[len(digits)]
    if len(digits) != _length_for(kind):
        raise InvalidBarcode(f"{kind} must be {_length_for(kind)} digits")
    return Barcode(digits, kind, digits.zfill(14))


def _length_for(symbology: Symbology) -> int:
    return {
        Symbology.EAN13: 13,
        Symbology.EAN8: 8,
        Symbology.UPCA: 12,
        Symbology.UPCE: 8,
        Symbology.GTIN14: 14,
    }.get(symbology, 0)


def lookup_keys(text: str) -> list[str]:
    """Every catalogue key the typed text could mean (8 digits may be EAN-8 or UPC-E)."""
    keys: list[str] = []
    for symbology in (None, Symbology.UPCE):
        try:
            key = parse_barcode(text, symbology).key
        except InvalidBarcode:
            continue
        if key not in keys:
            keys.append(key)
    return keys


def looks_like_barcode(text: str) -> bool:
    value = text.strip()
    return value.isdigit() and len(value) in GTIN_LENGTHS
