"""Which decoder reads to believe: checked, not contradicted, and confirmed when weakly checked.

zxing-cpp reports each symbol with a quadrilateral; those boxes tell when two
reads are about the same spot (and so contradict each other) and which part
of the photo a read explains.
"""

from __future__ import annotations

from collections import Counter

import zxingcpp

from adapters.barcode.result import DecodedCode
from adapters.barcode.symbols import decoded_code

# Formats whose own check catches a misread bar: Code 128's mod-103 symbol, QR and DataMatrix ECC.
STRONG_CHECKS = frozenset({"Code 128", "QR", "DataMatrix"})

Box = tuple[float, float, float, float]  # left, top, right, bottom


def checked_reads(barcodes: list[zxingcpp.Barcode]) -> list[tuple[DecodedCode, Box]]:
    """The reads that pass their checks and do not contradict each other, with their boxes."""
    reads = [(code, _bounds(barcode.position)) for barcode in barcodes if (code := decoded_code(barcode))]
    return _unambiguous(reads)


def _unambiguous(reads: list[tuple[DecodedCode, Box]]) -> list[tuple[DecodedCode, Box]]:
    """Drop reads that disagree about the same spot, and fragments of a bigger linear code.

    A blurred EAN can yield two values from different scan lines of one symbol,
    both with a valid check digit; neither can be trusted, so later attempts
    (other crops and filters) must settle it. Scan lines through the long guard
    bars and the digits under an EAN-13 can pass for a UPC-E next to it.
    """
    return [
        (code, box)
        for code, box in reads
        if not any(
            (other != code and _overlap(box, other_box) > 0.5) or _is_fragment(code, box, other, other_box)
            for other, other_box in reads
        )
    ]


def _is_fragment(code: DecodedCode, box: Box, other: DecodedCode, other_box: Box) -> bool:
    if code.format in STRONG_CHECKS or other.format in STRONG_CHECKS or other == code:
        return False
    return _length(box) < 0.8 * _length(other_box) and _overlap(box, widened(other_box, 1.0)) > 0


def _length(box: Box) -> float:
    return max(box[2] - box[0], box[3] - box[1])


def _bounds(position: zxingcpp.Position) -> Box:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs, ys = [p.x for p in points], [p.y for p in points]
    return min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2


def _overlap(a: Box, b: Box) -> float:
    """Shared area as a share of the smaller box."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def widened(box: Box, scale: float) -> Box:
    """The box in photo pixels, widened: linear codes are reported as a thin band across the bars."""
    left, top, right, bottom = (value / scale for value in box)
    pad = _length((left, top, right, bottom)) * 0.3
    return left - pad, top - pad, right + pad, bottom + pad


def is_trusted(code: DecodedCode, votes: Counter[DecodedCode]) -> bool:
    """Whether a code can be reported, given how often each value was read at one spot.

    Blur, and filters against it, can turn a bar into its neighbour's width, and
    an EAN's check digit misses two such errors; so a weakly checked code must
    be read the same way twice (whole photo, zxing-cpp and pyzbar on a crop, or
    through two filters) and more often than any other value of its format.
    """
    if code.format in STRONG_CHECKS:
        return True
    rivals = [count for other, count in votes.items() if other.format == code.format and other != code]
    return votes[code] >= 2 and votes[code] > max(rivals, default=0)
