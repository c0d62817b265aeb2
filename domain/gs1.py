"""GS1 element strings as printed on cartons and pharmacy packs: GTIN (01), batch (10), expiry (17).

A GS1-128, GS1 DataMatrix or GS1 QR symbol carries a run of Application
Identifiers (AIs) and their values. Fixed-length values follow each other
directly; a variable-length value ends with a group separator (GS, the
transmitted form of FNC1) or with the end of the data. Scanners may prefix the
data with a symbology identifier ("]C1", "]d2", "]Q3", "]e0", "]J1"); people
write the same data with the AIs in parentheses: "(01)09506000134352(10)AB1".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from domain.barcodes import has_valid_check_digit

GROUP_SEPARATOR = "\x1d"
GS1_SYMBOLOGY_IDENTIFIERS = ("]C1", "]d2", "]Q3", "]e0", "]J1")

# GS1 General Specifications, figure 7.8.5-2: values of AIs starting with
# these two digits have a predefined length (AI digits included), so no
# separator follows them.
_PREDEFINED_LENGTH = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    "11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8,
    "20": 4, "31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10, "41": 16,
}  # fmt: skip

# How many digits the AI itself has, by its first two digits (2 when absent).
_AI_DIGITS = {
    "23": 3, "24": 3, "25": 3, "40": 3, "41": 3, "42": 3, "71": 3,
    "31": 4, "32": 4, "33": 4, "34": 4, "35": 4, "36": 4, "39": 4, "43": 4,
    "70": 4, "72": 4, "80": 4, "81": 4, "82": 4,
}  # fmt: skip

_BRACKETED = re.compile(r"\((\d{2,4})\)([^()]*)")


class InvalidGs1(ValueError):
    """The data is not a well-formed GS1 element string; the message says why."""


@dataclass(frozen=True, slots=True)
class Gs1Data:
    """The AIs of one symbol, in the order printed; the shop reads GTIN, batch and expiry."""

    fields: dict[str, str] = field(default_factory=dict)
    expiry: date | None = None

    @property
    def gtin(self) -> str | None:
        return self.fields.get("01") or self.fields.get("02")

    @property
    def batch(self) -> str | None:
        return self.fields.get("10")


def parse_element_string(text: str, today: date | None = None) -> Gs1Data:
    """Split a GS1 element string into its AIs and check the GTIN and the expiry date.

    Accepts raw data (optionally with a symbology identifier or a leading FNC1)
    and the human-readable form with AIs in parentheses. `today` fixes the
    century of two-digit years (GS1 rule: at most 49 years back, 50 ahead).
    """
    fields = _split_bracketed(text) if text.startswith("(") else _split_raw(_strip_prefix(text))
    if not fields:
        raise InvalidGs1("no application identifier found")
    for ai in ("01", "02"):
        if ai in fields and not (len(fields[ai]) == 14 and has_valid_check_digit(fields[ai])):
            raise InvalidGs1(f"GTIN in AI ({ai}) {fields[ai]!r} has a wrong check digit")
    expiry = expiry_date(fields["17"], today or date.today()) if "17" in fields else None
    return Gs1Data(fields, expiry)


def expiry_date(yymmdd: str, today: date) -> date:
    """The date a YYMMDD field means; day 00 is the last day of the month."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        raise InvalidGs1(f"date {yymmdd!r} is not YYMMDD")
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = _full_year(yy, today.year)
    if not 1 <= month <= 12:
        raise InvalidGs1(f"date {yymmdd!r} has month {month}")
    last_day = calendar.monthrange(year, month)[1]
    if day > last_day:
        raise InvalidGs1(f"date {yymmdd!r} has day {day}")
    return date(year, month, day or last_day)


def _full_year(yy: int, this_year: int) -> int:
    century, current = divmod(this_year, 100)
    difference = yy - current
    if difference >= 51:
        century -= 1
    elif difference <= -50:
        century += 1
    return century * 100 + yy


def _strip_prefix(text: str) -> str:
    for identifier in GS1_SYMBOLOGY_IDENTIFIERS:
        if text.startswith(identifier):
            text = text[len(identifier) :]
            break
    return text.lstrip(GROUP_SEPARATOR)


def _split_raw(data: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(data):
        head = data[position : position + 2]
        if not head.isdigit():
            raise InvalidGs1(f"expected an application identifier at {position}: {data[position:]!r}")
        ai_digits = _AI_DIGITS.get(head, 2)
        ai = data[position : position + ai_digits]
        if len(ai) != ai_digits or not ai.isdigit():
            raise InvalidGs1(f"truncated application identifier {ai!r}")
        start = position + ai_digits
        if head in _PREDEFINED_LENGTH:
            end = position + _PREDEFINED_LENGTH[head]
            if end > len(data):
                raise InvalidGs1(f"value of AI ({ai}) is shorter than its fixed length")
            position = end + (data[end : end + 1] == GROUP_SEPARATOR)
        else:
            separator = data.find(GROUP_SEPARATOR, start)
            end = len(data) if separator < 0 else separator
            position = end + 1
        fields[ai] = data[start:end]
    return fields


def _split_bracketed(text: str) -> dict[str, str]:
    pairs = _BRACKETED.findall(text)
    if "".join(f"({ai}){value}" for ai, value in pairs) != text:
        raise InvalidGs1(f"{text!r} is not a sequence of (AI)value pairs")
    return dict(pairs)
